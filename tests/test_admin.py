"""The admin of the catalogue and the outlets: pages, search, query counts, status
trail."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outlets.models import Agency, Display, Outlet
from products.models import (
    Business,
    Category,
    Kecamatan,
    Kelurahan,
    Product,
)
from tests.admin_helpers import admin_url, rendered_form_data
from tests.factories import (
    add_photo,
    image_upload,
    make_business,
    make_display,
    make_product,
    make_user,
)

pytestmark = pytest.mark.django_db

REGISTERED_MODELS = [
    Kecamatan,
    Kelurahan,
    Category,
    Business,
    Product,
    Agency,
    Outlet,
    Display,
]

DAY = datetime.timedelta(days=1)


def small_photo(product):
    return add_photo(product, image_upload(size=(80, 60)))


def queries_for(client, url):
    """How many queries a GET of url runs (it must answer 200)."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def catalogue(today):
    """One row of every model, on top of the reference data of the migrations."""
    product = make_product(halal_until=today + 365 * DAY)
    small_photo(product)
    make_display(product=product)


# Daily counts are read on the staff summary and the owner's statistics, and
# exported as CSV there (serang_umkm/counting.py); the flush's and the monthly
# emails' bookkeeping is no one's to edit.
NOT_IN_THE_ADMIN = {
    "ProductCount",
    "BusinessCount",
    "SearchMiss",
    "OutletCount",
    "LabelScan",
    "CountBatch",
    "SummaryMonth",
}


def test_every_model_is_registered_or_an_inline_of_a_registered_admin():
    """New models of products and outlets cannot be forgotten in the admin."""
    inlined = {
        inline.model
        for model in REGISTERED_MODELS
        for inline in admin.site.get_model_admin(model).inlines
    }
    for app_label in ["products", "outlets"]:
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__ in NOT_IN_THE_ADMIN:
                assert not admin.site.is_registered(model), model
                continue
            assert admin.site.is_registered(model) or model in inlined, model


def test_help_texts_hold_no_markup():
    """Forms print help texts unescaped: "<slug>" would vanish from the page."""
    for app_label in ["accounts", "products", "outlets"]:
        for model in apps.get_app_config(app_label).get_models():
            for field in model._meta.get_fields():
                help_text = str(getattr(field, "help_text", ""))
                assert "<" not in help_text, (model, field.name)


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda m: m.__name__)
def test_changelist_add_and_change_pages_answer_for_a_superuser(
    admin_client, catalogue, model
):
    """Every registered model's list, add and change page renders."""
    obj = model.objects.first()

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda m: m.__name__)
def test_changelist_search_answers(admin_client, catalogue, model):
    """Every search box runs its query without error."""
    response = admin_client.get(admin_url(model, "changelist"), {"q": "a"})

    assert response.status_code == 200


@pytest.mark.parametrize("user", [None, "owner"])
def test_anyone_but_staff_is_sent_to_the_admin_login(client, user):
    """Anonymous visitors and signed-in owners get the login page, not the list."""
    if user:
        client.force_login(make_business().owner)

    response = client.get(admin_url(Product, "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_product_search_finds_by_product_and_business_name(admin_client):
    """Staff find a product by its own name or by its business's name."""
    emping = make_product(
        name="Emping Melinjo Pedas", business=make_business(name="Dapur Bu Ani")
    )
    make_product(name="Sambal Roa")

    by_name = admin_client.get(admin_url(Product, "changelist"), {"q": "emping"})
    by_business = admin_client.get(admin_url(Product, "changelist"), {"q": "bu ani"})

    for response in [by_name, by_business]:
        assert list(response.context["cl"].result_list) == [emping]


def test_product_search_needs_every_word_in_the_product_or_business_name(
    admin_client,
):
    """Words may match different fields ("emping" the product, "ani" its business),
    but each must match; a quoted phrase is one word."""
    emping = make_product(
        name="Emping Melinjo Pedas", business=make_business(name="Dapur Bu Ani")
    )
    make_product(name="Emping Gurih", business=make_business(name="Dapur Bu Siti"))
    make_product(name="Sambal Roa", business=make_business(name="Warung Ani"))

    def found(term):
        response = admin_client.get(admin_url(Product, "changelist"), {"q": term})
        return list(response.context["cl"].result_list)

    assert found("emping ani") == [emping]
    assert found('"melinjo pedas"') == [emping]
    assert found('"pedas melinjo"') == []


def test_business_search_finds_by_owner_email(admin_client):
    """Staff find a business from the owner's email address."""
    business = make_business(owner=make_user(email="ani@contoh.id"))
    make_business()

    response = admin_client.get(admin_url(Business, "changelist"), {"q": "ani@"})

    assert list(response.context["cl"].result_list) == [business]


def test_product_changelist_queries_do_not_grow_with_products(
    admin_client, django_assert_max_num_queries
):
    """Thumbnails, businesses and categories of 30 products cost no extra queries."""
    url = admin_url(Product, "changelist")
    small_photo(make_product())
    one_product = queries_for(admin_client, url)
    for _ in range(29):
        small_photo(make_product())

    with django_assert_max_num_queries(one_product):
        response = admin_client.get(url)

    assert len(response.context["cl"].result_list) == 30
    assert response.content.count(b'width="48" height="48"') == 30


@pytest.mark.media
def test_product_list_shows_the_main_photo_thumbnail(admin_client):
    """The thumbnail column shows the photo at the lowest position."""
    product = make_product()
    add_photo(product, image_upload(size=(80, 60)), position=2)
    main = add_photo(product, image_upload(size=(80, 60)), position=1)

    response = admin_client.get(admin_url(Product, "changelist"))

    assert f'src="{main.thumbnail.url}"' in response.content.decode()


def test_business_changelist_queries_do_not_grow_with_businesses(
    admin_client, django_assert_max_num_queries
):
    """Owners, kelurahan and product counts of 30 businesses cost no extra queries."""
    url = admin_url(Business, "changelist")
    make_product()
    one_business = queries_for(admin_client, url)
    for _ in range(29):
        business = make_business()
        make_product(business=business)
        make_product(business=business)

    with django_assert_max_num_queries(one_business):
        response = admin_client.get(url)

    counts = sorted(b.product_count for b in response.context["cl"].result_list)
    assert counts == [1] + [2] * 29


def test_display_changelist_queries_do_not_grow_with_displays(
    admin_client, cipare, kasemen, django_assert_max_num_queries
):
    """Outlets, products and businesses of 30 displays cost no extra queries."""
    url = admin_url(Display, "changelist")
    make_display()
    one_display = queries_for(admin_client, url)
    for number in range(29):
        make_display(outlet=kasemen if number % 2 else cipare)

    with django_assert_max_num_queries(one_display):
        response = admin_client.get(url)

    assert len(response.context["cl"].result_list) == 30


def test_outlet_list_shows_current_displays_against_capacity(
    admin_client, cipare, today
):
    """Only approved displays within their dates count towards the capacity."""
    make_display(outlet=cipare)
    make_display(outlet=cipare, ends_on=today)
    make_display(outlet=cipare, starts_on=today + DAY)
    make_display(outlet=cipare, starts_on=today - 9 * DAY, ends_on=today - DAY)
    make_display(outlet=cipare, status=Display.Status.REQUESTED)
    make_display(outlet=cipare, status=Display.Status.ENDED)

    response = admin_client.get(admin_url(Outlet, "changelist"))

    rows = {o.slug: o.current_displays for o in response.context["cl"].result_list}
    assert rows["gerai-umkm-cipare"] == 2
    assert rows["gerai-umkm-kasemen"] == 0
    assert "2/40" in response.content.decode()


def test_outlet_page_lists_current_upcoming_and_requested_displays(
    admin_client, cipare, today
):
    """The outlet's display inline leaves out ended and decided-against displays."""
    shown = [
        make_display(outlet=cipare, product=make_product(name="Kopi Current")),
        make_display(
            outlet=cipare,
            product=make_product(name="Kopi Upcoming"),
            starts_on=today + 7 * DAY,
        ),
        make_display(
            outlet=cipare,
            product=make_product(name="Kopi Requested"),
            status=Display.Status.REQUESTED,
        ),
    ]
    make_display(
        outlet=cipare,
        product=make_product(name="Kopi Past"),
        starts_on=today - 9 * DAY,
        ends_on=today - DAY,
    )
    make_display(
        outlet=cipare,
        product=make_product(name="Kopi Rejected"),
        status=Display.Status.REJECTED,
    )

    response = admin_client.get(admin_url(Outlet, "change", cipare.pk))

    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is Display
    )
    assert {form.instance for form in formset.initial_forms} == set(shown)
    assert "Kopi Current" in response.content.decode()
    # Only the current display takes a place today.
    assert "1/40" in response.content.decode()
    assert "Kopi Past" not in response.content.decode()


def test_product_autocomplete_finds_products_for_a_display(admin_client):
    """The product picker of a display searches products by their name or their
    business's name, like the product list."""
    emping = make_product(
        name="Emping Melinjo", business=make_business(name="Dapur Bu Ani")
    )
    make_product(name="Sambal Roa")

    for term in ["emping", "bu ani"]:
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "outlets",
                "model_name": "display",
                "field_name": "product",
                "term": term,
            },
        )

        assert response.status_code == 200
        assert response.json()["results"] == [
            {"id": str(emping.pk), "text": emping.name}
        ]


def business_form_data(business, **changes):
    data = {
        "name": business.name,
        "owner": business.owner_id,
        "size": business.size,
        "nib": business.nib,
        "description": business.description,
        "kelurahan": business.kelurahan_id,
        "address": business.address,
        "whatsapp": business.whatsapp,
        "status": business.status,
        "status_reason": business.status_reason,
    }
    return {**data, **changes}


def test_verifying_a_business_records_who_and_when(admin_client, admin_user):
    """Changing the status in the form records the staff member and the time."""
    business = make_business(status=Business.Status.PENDING)

    response = admin_client.post(
        admin_url(Business, "change", business.pk),
        business_form_data(business, status=Business.Status.VERIFIED),
    )

    assert response.status_code == 302
    business.refresh_from_db()
    assert business.status == Business.Status.VERIFIED
    assert business.status_changed_by == admin_user
    assert business.status_changed_at is not None


def test_saving_a_business_without_status_change_keeps_the_trail(admin_client):
    """Editing other fields does not claim a status decision."""
    business = make_business(status=Business.Status.PENDING)

    admin_client.post(
        admin_url(Business, "change", business.pk),
        business_form_data(business, address="Jl. Baru No. 1"),
    )

    business.refresh_from_db()
    assert business.address == "Jl. Baru No. 1"
    assert business.status_changed_by is None


def test_rejecting_a_business_needs_a_reason(admin_client):
    """A rejection without a reason for the owner is refused."""
    business = make_business(status=Business.Status.PENDING)

    response = admin_client.post(
        admin_url(Business, "change", business.pk),
        business_form_data(business, status=Business.Status.REJECTED),
    )

    assert response.status_code == 200
    assert "status_reason" in response.context["adminform"].form.errors
    business.refresh_from_db()
    assert business.status == Business.Status.PENDING


@pytest.mark.media
def test_business_logo_upload_is_stored_re_encoded(admin_client):
    """A logo uploaded in the admin is kept as the model's WebP, not the upload."""
    business = make_business()

    admin_client.post(
        admin_url(Business, "change", business.pk),
        business_form_data(business, logo=image_upload("logo.png", "PNG")),
    )

    business.refresh_from_db()
    assert business.logo.name.endswith(".webp")


@pytest.mark.media
def test_a_replaced_logo_is_deleted_once_saved(
    admin_client, django_capture_on_commit_callbacks
):
    """A business logo replaced in the admin is stored, and the old file is deleted from
    storage once the change is saved."""
    business = make_business()
    business.set_logo(image_upload("old.png", "PNG"))
    business.save()
    old_logo = business.logo.name

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            admin_url(Business, "change", business.pk),
            business_form_data(business, logo=image_upload("new.png", "PNG")),
        )

    business.refresh_from_db()
    assert business.logo.name != old_logo
    assert business.logo.storage.exists(business.logo.name)
    assert not business.logo.storage.exists(old_logo)


def stored_variants(photo):
    return [photo.large.name, photo.medium.name, photo.thumbnail.name]


@pytest.mark.media
def test_photos_replaced_or_removed_in_the_admin_leave_no_files(
    admin_client, django_capture_on_commit_callbacks
):
    """A new upload replaces every variant of a photo; a removed photo takes its
    files along."""
    product = make_product()
    replaced, removed = small_photo(product), add_photo(product, position=1)
    storage = replaced.large.storage
    old_files = stored_variants(replaced) + stored_variants(removed)
    url = admin_url(Product, "change", product.pk)
    data = rendered_form_data(admin_client.get(url))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            {
                **data,
                "photos-0-upload": image_upload("new.jpg"),
                "photos-1-DELETE": "on",
            },
        )

    assert response.status_code == 302
    [photo] = product.photos.all()
    assert all(storage.exists(name) for name in stored_variants(photo))
    assert not any(storage.exists(name) for name in old_files)


@pytest.mark.media
def test_deleting_a_business_deletes_its_logo_and_product_photos(
    admin_client, django_capture_on_commit_callbacks
):
    """Whatever the route (here the admin's delete page, cascading to products and
    their photos), deleted rows leave no stored files behind."""
    business = make_business()
    business.set_logo(image_upload("logo.png", "PNG"))
    business.save()
    photo = small_photo(make_product(business=business))
    storage = photo.large.storage
    stored = [business.logo.name, *stored_variants(photo)]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            admin_url(Business, "delete", business.pk), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Business.objects.filter(pk=business.pk).exists()
    assert not any(storage.exists(name) for name in stored)


def product_form_data(product, photos=(), **changes):
    data = {
        "business": product.business_id,
        "name": product.name,
        "category": product.category_id,
        "description": product.description,
        "price": product.price,
        "unit": product.unit,
        "status": product.status,
        "status_reason": product.status_reason,
        "photos-TOTAL_FORMS": len(photos),
        "photos-INITIAL_FORMS": 0,
        "certifications-TOTAL_FORMS": 0,
        "certifications-INITIAL_FORMS": 0,
    }
    for number, upload in enumerate(photos):
        data[f"photos-{number}-upload"] = upload
        data[f"photos-{number}-position"] = number
    return {**data, **changes}


@pytest.mark.media
def test_approving_a_product_with_a_new_photo(admin_client, admin_user):
    """The change form records the approval and turns an upload into variants."""
    product = make_product(status=Product.Status.PENDING)

    response = admin_client.post(
        admin_url(Product, "change", product.pk),
        product_form_data(
            product, photos=[image_upload()], status=Product.Status.APPROVED
        ),
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.status_changed_by == admin_user
    photo = product.photos.get()
    assert photo.thumbnail.name.endswith(".webp")
    assert (photo.medium_width, photo.medium_height) == (640, 480)


def test_a_photo_row_without_an_upload_is_refused(admin_client):
    """A new photo row with only a description asks for the file."""
    product = make_product()
    data = product_form_data(product, photos=[None])
    data["photos-0-alt_text"] = "Kemasan depan"
    del data["photos-0-upload"]

    response = admin_client.post(admin_url(Product, "change", product.pk), data)

    assert response.status_code == 200
    assert not product.photos.exists()


@pytest.mark.media
def test_a_photo_that_is_not_an_image_is_refused(admin_client):
    """A file that only pretends to be a photo gets an error, not a stored file."""
    product = make_product()
    fake = image_upload()
    fake.file.write(b"not really")
    fake.file.seek(0)
    fake.file.truncate(10)

    response = admin_client.post(
        admin_url(Product, "change", product.pk),
        product_form_data(product, photos=[fake]),
    )

    assert response.status_code == 200
    assert not product.photos.exists()


def test_approve_action_approves_only_products_awaiting_review(
    admin_client, admin_user
):
    """The bulk action leaves drafts alone and records the decision."""
    pending = make_product(status=Product.Status.PENDING)
    draft = make_product(status=Product.Status.DRAFT)

    response = admin_client.post(
        admin_url(Product, "changelist"),
        {"action": "approve", "_selected_action": [pending.pk, draft.pk]},
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    draft.refresh_from_db()
    assert pending.status == Product.Status.APPROVED
    assert pending.status_changed_by == admin_user
    assert draft.status == Product.Status.DRAFT


def test_verify_action_verifies_pending_businesses(admin_client, admin_user):
    """The bulk action verifies businesses awaiting verification."""
    business = make_business(status=Business.Status.PENDING)

    admin_client.post(
        admin_url(Business, "changelist"),
        {"action": "verify", "_selected_action": [business.pk]},
    )

    business.refresh_from_db()
    assert business.status == Business.Status.VERIFIED
    assert business.status_changed_by == admin_user


def test_deciding_a_display_records_who_and_when(
    admin_client, admin_user, cipare, today
):
    """Approving a requested display notes the deciding staff member."""
    display = make_display(outlet=cipare, status=Display.Status.REQUESTED)

    response = admin_client.post(
        admin_url(Display, "change", display.pk),
        {
            "outlet": cipare.pk,
            "product": display.product_id,
            "starts_on": today.isoformat(),
            "status": Display.Status.APPROVED,
        },
    )

    assert response.status_code == 302
    display.refresh_from_db()
    assert display.status == Display.Status.APPROVED
    assert display.decided_by == admin_user
    assert display.decided_at is not None


def test_approving_a_display_on_the_outlet_page_records_who_and_when(
    admin_client, admin_user, cipare, today
):
    """A decision taken in the outlet's display inline is noted like any other."""
    display = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    url = admin_url(Outlet, "change", cipare.pk)
    data = rendered_form_data(admin_client.get(url))
    data["displays-0-status"] = Display.Status.APPROVED
    data["displays-0-starts_on"] = today.isoformat()

    response = admin_client.post(url, data)

    assert response.status_code == 302
    display.refresh_from_db()
    assert display.status == Display.Status.APPROVED
    assert display.decided_by == admin_user


def test_outlet_page_queries_do_not_grow_with_its_displays(admin_client, cipare):
    """Each saved display shows its product as text, not an autocomplete looking
    its product up row by row."""
    url = admin_url(Outlet, "change", cipare.pk)
    make_display(outlet=cipare)
    make_display(outlet=cipare, status=Display.Status.REQUESTED)
    few = queries_for(admin_client, url)
    for _ in range(20):
        make_display(outlet=cipare)
        make_display(outlet=cipare, status=Display.Status.REQUESTED)

    assert queries_for(admin_client, url) == few


def test_a_saved_display_keeps_its_product_whatever_is_posted(admin_client, cipare):
    """A display saved on an outlet's page keeps its product, even when another product
    is posted for it."""
    display = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    url = admin_url(Outlet, "change", cipare.pk)
    data = rendered_form_data(admin_client.get(url))

    response = admin_client.post(url, {**data, "displays-0-product": make_product().pk})

    assert response.status_code == 302
    assert Display.objects.get(pk=display.pk).product == display.product


def test_agency_members_are_chosen_among_staff(admin_client):
    """Owners are not offered as agency members."""
    staff = make_user(is_staff=True)
    owner = make_user()
    agency = Agency.objects.first()

    response = admin_client.get(admin_url(Agency, "change", agency.pk))

    members = response.context["adminform"].form.fields["members"].queryset
    assert staff in members
    assert owner not in members
