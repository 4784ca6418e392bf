"""Owners register their businesses and manage their products under /dasbor/."""

import datetime
import io
import urllib.request
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from products.decisions import withdraw_product
from products.forms import BusinessForm, ProductForm
from products.models import (
    Business,
    Category,
    Certification,
    Kecamatan,
    Kelurahan,
    Product,
    ProductPhoto,
)
from products.views import ProductCreateView
from tests.factories import (
    add_photo,
    image_upload,
    make_business,
    make_display,
    make_many_products,
    make_product,
    make_user,
)
from tests.media import TEST_MEDIA_BUCKET, stored_files, stored_image

pytestmark = pytest.mark.django_db


def assert_redirects_to_login(response):
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


def business_data(**overrides):
    data = {
        "name": "Keripik Bu Sri",
        "size": Business.Size.MICRO,
        "nib": "",
        "kelurahan": Kelurahan.objects.get(slug="cipare").pk,
        "address": "Jl. Ki Mas Jong No. 5, RT 02/RW 03",
        "whatsapp": "0812 3456 7890",
        "description": "Keripik pisang dan singkong.",
    }
    return {**data, **overrides}


def product_data(business, **overrides):
    data = {
        "business": business.pk,
        "name": "Keripik Pisang Cokelat",
        "category": Category.objects.get(slug="makanan").pk,
        "price": "Rp 25.000",
        "unit": "pack 250 g",
        "description": "Renyah, tanpa pengawet.",
        "halal_number": "",
        "halal_valid_until": "",
        "pirt_number": "",
        "bpom_number": "",
        "form_token": str(uuid.uuid4()),
    }
    return {**data, **overrides}


def edit_data(product, **overrides):
    """What the edit form posts back unchanged for the product, photos included."""
    photos = list(product.photos.order_by("position", "pk"))
    data = {
        "business": product.business_id,
        "name": product.name,
        "category": product.category_id,
        "price": str(product.price),
        "unit": product.unit,
        "description": product.description,
        "halal_number": "",
        "halal_valid_until": "",
        "pirt_number": "",
        "bpom_number": "",
        "photo-TOTAL_FORMS": str(len(photos)),
        "photo-INITIAL_FORMS": str(len(photos)),
        "photo-MIN_NUM_FORMS": "0",
        "photo-MAX_NUM_FORMS": "5",
    }
    for index, photo in enumerate(photos):
        data[f"photo-{index}-id"] = str(photo.pk)
        data[f"photo-{index}-alt_text"] = photo.alt_text
        data[f"photo-{index}-position"] = str(photo.position)
    return {**data, **overrides}


@pytest.fixture
def owner():
    return make_user()


@pytest.fixture
def business(owner):
    return make_business(owner=owner)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


# Permission ladder


OWNER_PAGES = ["products:owner_businesses", "products:owner_products"]


@pytest.mark.parametrize("name", [*OWNER_PAGES, "products:business_create"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    """Every owner page asks an anonymous visitor to log in first."""
    assert_redirects_to_login(client.get(reverse(name)))


@pytest.mark.parametrize(
    "name",
    [
        "products:product_update",
        "products:product_submit",
        "products:product_withdraw",
        "products:product_delete",
    ],
)
def test_anonymous_visitors_cannot_touch_a_product(client, name):
    """A product's owner pages send an anonymous visitor to log in, changing nothing."""
    product = make_product(status=Product.Status.DRAFT)

    assert_redirects_to_login(client.post(reverse(name, args=[product.slug])))
    assert Product.objects.get(pk=product.pk).status == Product.Status.DRAFT


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("products:product_update", "get"),
        ("products:product_update", "post"),
        ("products:product_submit", "post"),
        ("products:product_withdraw", "post"),
        ("products:product_delete", "get"),
        ("products:product_delete", "post"),
    ],
)
def test_another_owners_product_is_not_found(owner_client, name, method):
    """Guessing the address of another owner's product, even a draft, is a 404."""
    other = make_product(status=Product.Status.DRAFT)

    response = getattr(owner_client, method)(reverse(name, args=[other.slug]))

    assert response.status_code == 404
    assert Product.objects.get(pk=other.pk).status == Product.Status.DRAFT


def test_another_owners_business_is_not_found(owner_client):
    """Another owner's business cannot be opened or changed by its address."""
    other = make_business(name="Milik Orang Lain")
    url = reverse("products:business_update", args=[other.slug])

    assert owner_client.get(url).status_code == 404
    assert owner_client.post(url, business_data(name="Dibajak")).status_code == 404
    assert Business.objects.get(pk=other.pk).name == "Milik Orang Lain"


def test_owner_lists_show_only_their_own_things(owner_client, business):
    """The owner's lists show their businesses and products, nobody else's."""
    make_product(business=business, name="Produk Saya")
    make_product(name="Produk Orang Lain")

    businesses = owner_client.get(reverse("products:owner_businesses"))
    products = owner_client.get(reverse("products:owner_products"))

    assert list(businesses.context["business_list"]) == [business]
    assert [p.name for p in products.context["product_list"]] == ["Produk Saya"]


def test_empty_lists_invite_the_first_step(owner_client):
    """Without a business, both lists point to registering one."""
    register = reverse("products:business_create")
    for name in OWNER_PAGES:
        response = owner_client.get(reverse(name))
        assert response.status_code == 200
        assert register in response.content.decode()
    assert not owner_client.get(reverse("products:product_create")).context[
        "has_business"
    ]


# Businesses


@pytest.mark.parametrize(
    "typed", ["0812 3456 7890", "+62 812-3456-7890", "6281234567890", "812 3456 7890"]
)
def test_business_registration_stores_whatsapp_internationally(
    owner_client, owner, typed
):
    """Any usual way of writing the number is stored as 62812…, and the new
    business belongs to the owner and awaits verification."""
    response = owner_client.post(
        reverse("products:business_create"), business_data(whatsapp=typed)
    )

    assert response.status_code == 302
    business = Business.objects.get()
    assert business.whatsapp == "6281234567890"
    assert business.owner == owner
    assert business.status == Business.Status.PENDING


def test_business_owner_cannot_be_chosen_in_the_form(owner_client, owner):
    """An owner field smuggled into the POST is ignored."""
    other = make_user()

    owner_client.post(
        reverse("products:business_create"), business_data(owner=other.pk)
    )

    assert Business.objects.get().owner == owner


def test_business_form_rejects_a_landline_number():
    """A number that is not an Indonesian mobile number is a form error."""
    form = BusinessForm(data=business_data(whatsapp="0254 123456"))

    assert not form.is_valid()
    assert "whatsapp" in form.errors


def test_business_form_rejects_a_twelve_digit_nib():
    """An NIB has exactly 13 digits."""
    form = BusinessForm(data=business_data(nib="123456789012"))

    assert not form.is_valid()
    assert "nib" in form.errors


def test_business_form_rejects_a_duplicate_nib(owner_client):
    """An NIB already registered is an error on the field, not a server error."""
    make_business(nib="1234567890123")

    response = owner_client.post(
        reverse("products:business_create"), business_data(nib="1234567890123")
    )

    assert response.status_code == 200
    assert "nib" in response.context["form"].errors
    assert Business.objects.count() == 1


def test_an_owner_keeps_their_own_nib_when_editing(owner_client, owner):
    """Saving a business with its own NIB is no duplicate."""
    business = make_business(
        owner=owner, nib="1234567890123", status=Business.Status.PENDING
    )

    response = owner_client.post(
        reverse("products:business_update", args=[business.slug]),
        business_data(nib="1234567890123", name="Nama Baru"),
    )

    assert response.status_code == 302
    assert Business.objects.get(pk=business.pk).name == "Nama Baru"


def test_kelurahan_are_grouped_by_kecamatan():
    """The 66 kelurahan of Kota Serang are offered in one group per kecamatan."""
    form = BusinessForm()
    groups = [c for c in form.fields["kelurahan"].choices if isinstance(c[1], list)]
    html = str(form["kelurahan"])

    assert [name for name, _ in groups] == list(
        Kecamatan.objects.order_by("name").values_list("name", flat=True)
    )
    assert sum(len(options) for _, options in groups) == 66
    for name, options in groups:
        kecamatan = Kecamatan.objects.get(name=name)
        assert {int(str(value)) for value, _ in options} == set(
            kecamatan.kelurahan.values_list("pk", flat=True)
        )
    assert html.count("<optgroup") == len(groups)
    assert html.count("<option") == 67  # with "choose a kelurahan"


def test_a_rejected_business_is_resubmitted_when_edited(owner_client, owner):
    """Correcting a rejected business sends it back to verification, reason cleared."""
    business = make_business(owner=owner, status=Business.Status.REJECTED)
    business.status_reason = "Alamat tidak jelas"
    business.save()
    page = owner_client.get(reverse("products:business_update", args=[business.slug]))
    assert "Alamat tidak jelas" in page.content.decode()

    owner_client.post(
        reverse("products:business_update", args=[business.slug]),
        business_data(address="Jl. Jelas No. 1"),
    )

    business.refresh_from_db()
    assert business.status == Business.Status.PENDING
    assert business.status_reason == ""
    assert business.status_changed_by == owner


def test_a_verified_business_stays_verified_when_edited(owner_client, business):
    """Editing a verified business keeps it verified."""
    owner_client.post(
        reverse("products:business_update", args=[business.slug]),
        business_data(description="Baru"),
    )

    business.refresh_from_db()
    assert business.description == "Baru"
    assert business.status == Business.Status.VERIFIED


def test_business_list_shows_status_and_rejection_reason(owner_client, owner):
    """The owner sees each business's status and why it was rejected."""
    make_business(owner=owner, status=Business.Status.REJECTED, status_reason="NIB")
    make_business(owner=owner, status=Business.Status.PENDING)

    html = owner_client.get(reverse("products:owner_businesses")).content.decode()

    assert 'data-status="rejected"' in html
    assert 'data-status="pending"' in html
    assert "NIB" in html


@pytest.mark.media
def test_business_logo_is_stored_reencoded(owner_client):
    """An uploaded logo is kept as a square WebP."""
    owner_client.post(
        reverse("products:business_create"),
        business_data(logo=image_upload("logo.png", "PNG")),
    )

    logo = stored_image(Business.objects.get().logo)
    assert (logo.format, logo.size) == ("WEBP", (256, 256))


@pytest.mark.media
def test_a_replaced_logo_leaves_no_old_file(
    owner_client, business, django_capture_on_commit_callbacks
):
    """A new logo replaces the old file; clearing it removes the logo."""
    url = reverse("products:business_update", args=[business.slug])
    owner_client.post(url, business_data(logo=image_upload("a.png", "PNG")))
    business.refresh_from_db()
    first = business.logo.name

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url, business_data(logo=image_upload("b.png", "PNG")))
    business.refresh_from_db()
    assert business.logo.name != first
    assert len(stored_files()) == 1

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url, business_data(**{"logo-clear": "on"}))
    business.refresh_from_db()
    assert not business.logo
    assert stored_files() == []


@pytest.mark.media
def test_a_bad_logo_registers_nothing(owner_client):
    """A logo that is no image is a form error; no business, no file."""
    response = owner_client.post(
        reverse("products:business_create"),
        business_data(logo=SimpleUploadedFile("logo.png", b"not an image")),
    )

    assert "logo" in response.context["form"].errors
    assert not Business.objects.exists()
    assert stored_files() == []


# Products: creating


def test_product_create_page_offers_only_the_owners_businesses(owner_client, owner):
    """The business list of the product form holds the owner's businesses only."""
    mine = make_business(owner=owner)
    make_business()

    form = owner_client.get(reverse("products:product_create")).context["form"]

    assert list(form.fields["business"].queryset) == [mine]
    assert form["business"].value() == mine.pk


@pytest.mark.media
def test_product_with_a_photo_is_created_as_a_draft(owner_client, business):
    """A new product is a draft of the owner's business with its photo variants,
    and the price is read the Indonesian way."""
    response = owner_client.post(
        reverse("products:product_create"),
        product_data(business, photos=[image_upload()]),
    )

    assert response.status_code == 302
    product = Product.objects.get()
    assert product.status == Product.Status.DRAFT
    assert product.business == business
    assert product.price == 25000
    photo = product.photos.get()
    for variant in (photo.large, photo.medium, photo.thumbnail):
        assert variant.storage.exists(variant.name)
    assert len(stored_files()) == 3


@pytest.mark.media
def test_an_uploaded_photo_is_served_by_the_s3_server(owner_client, business):
    """With the S3 storage on, an owner's photo goes to the bucket: each variant's
    URL is the S3 server's, and fetching it over HTTP, without any credentials,
    gives the image in its size, cached for a year."""
    if not TEST_MEDIA_BUCKET:
        pytest.skip("TEST_MEDIA_BUCKET is not set: media are on this host's disk")
    owner_client.post(
        reverse("products:product_create"),
        product_data(business, photos=[image_upload(size=(1200, 900))]),
    )

    photo = Product.objects.get().photos.get()
    expected = [
        (photo.large, "JPEG", (1200, 900)),
        (photo.medium, "WEBP", (800, 600)),
        (photo.thumbnail, "WEBP", (400, 400)),
    ]
    for variant, image_format, size in expected:
        assert variant.url.startswith(settings.MEDIA_S3_OPTIONS["endpoint_url"])
        with urllib.request.urlopen(variant.url, timeout=10) as response:
            assert "max-age=31536000" in response.headers["Cache-Control"]
            image = Image.open(io.BytesIO(response.read()))
        assert (image.format, image.size) == (image_format, size)


@pytest.mark.parametrize("typed", ["25.000", "25000", "Rp 25.000", "rp25.000"])
def test_prices_are_read_in_whole_rupiah(business, typed):
    """Dots group thousands and an Rp prefix is allowed."""
    form = ProductForm(data=product_data(business, price=typed), owner=business.owner)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["price"] == 25000


def test_another_owners_business_cannot_be_chosen(owner_client, business):
    """A tampered business id is a form error and creates nothing."""
    foreign = make_business()

    response = owner_client.post(
        reverse("products:product_create"), product_data(foreign)
    )

    assert response.status_code == 200
    assert "business" in response.context["form"].errors
    assert not Product.objects.exists()


def truncated_jpeg():
    content = image_upload(size=(800, 600)).read()
    return SimpleUploadedFile("cut.jpg", content[: len(content) // 2], "image/jpeg")


BAD_UPLOADS = {
    "text named .jpg": lambda: SimpleUploadedFile(
        "photo.jpg", b"just some text, no picture", "image/jpeg"
    ),
    "truncated JPEG": truncated_jpeg,
    "over 10 MB": lambda: SimpleUploadedFile(
        "huge.jpg", b"\xff\xd8" + b"\0" * (10 * 1024 * 1024), "image/jpeg"
    ),
}


@pytest.mark.media
@pytest.mark.parametrize("make_upload", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_a_bad_photo_creates_nothing(owner_client, business, make_upload):
    """A bad file among the photos re-renders the form with an error next to the
    photos and the typed values, and leaves no product and no file behind."""
    response = owner_client.post(
        reverse("products:product_create"),
        product_data(business, photos=[image_upload("good.jpg"), make_upload()]),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["photos"]
    html = response.content.decode()
    assert 'value="Keripik Pisang Cokelat"' in html
    assert "Renyah, tanpa pengawet." in html
    assert not Product.objects.exists()
    assert not ProductPhoto.objects.exists()
    assert stored_files() == []


@pytest.mark.media
def test_more_than_five_photos_are_refused(owner_client, business):
    """Six photos at once are a form error; nothing is created."""
    response = owner_client.post(
        reverse("products:product_create"),
        product_data(business, photos=[image_upload(f"{n}.jpg") for n in range(6)]),
    )

    assert "photos" in response.context["form"].errors
    assert not Product.objects.exists()
    assert stored_files() == []


@pytest.mark.media
def test_photos_added_later_count_towards_five(
    owner_client, business, django_capture_on_commit_callbacks
):
    """With four photos kept, two more are refused; deleting one makes room."""
    product = make_product(business=business, status=Product.Status.DRAFT)
    for position in range(4):
        add_photo(product, position=position)
    url = reverse("products:product_update", args=[product.slug])
    two = [image_upload("a.jpg"), image_upload("b.jpg")]

    refused = owner_client.post(url, edit_data(product, photos=two))
    assert "photos" in refused.context["form"].errors
    assert product.photos.count() == 4

    two = [image_upload("a.jpg"), image_upload("b.jpg")]
    with django_capture_on_commit_callbacks(execute=True):
        accepted = owner_client.post(
            url, edit_data(product, photos=two, **{"photo-0-DELETE": "on"})
        )
    assert accepted.status_code == 302
    assert product.photos.count() == 5
    assert len(stored_files()) == 15


@pytest.mark.media
def test_photo_order_and_description_can_be_edited(owner_client, business):
    """The photo with the lowest order becomes the main one."""
    product = make_product(business=business, status=Product.Status.DRAFT)
    first = add_photo(product, position=0)
    second = add_photo(product, position=1)

    owner_client.post(
        reverse("products:product_update", args=[product.slug]),
        edit_data(
            product,
            **{"photo-1-position": "0", "photo-0-position": "2"},
            **{"photo-1-alt_text": "Kemasan depan"},
        ),
    )

    assert product.main_photo == second
    second.refresh_from_db()
    assert second.alt_text == "Kemasan depan"
    assert first.pk in product.photos.values_list("pk", flat=True)


def test_certifications_are_saved_and_removed(owner_client, business):
    """Halal (with expiry), P-IRT and BPOM numbers become certifications; an
    emptied number removes its certification."""
    owner_client.post(
        reverse("products:product_create"),
        product_data(
            business,
            halal_number="ID36110000123450623",
            halal_valid_until="2020-01-31",
            pirt_number="2063-6730-1001826",
            bpom_number="bpom ri md 224510001234",
        ),
    )
    product = Product.objects.get()
    numbers = dict(product.certifications.values_list("kind", "number"))
    assert numbers == {
        Certification.Kind.HALAL: "ID36110000123450623",
        Certification.Kind.PIRT: "206367301001826",
        Certification.Kind.BPOM_MD: "MD 224510001234",
    }
    halal = product.certifications.get(kind=Certification.Kind.HALAL)
    assert not halal.is_valid()  # expired, kept, shown as expired

    owner_client.post(
        reverse("products:product_update", args=[product.slug]),
        edit_data(product, bpom_number="ML 123456789012"),
    )
    assert list(product.certifications.values_list("kind", "number")) == [
        (Certification.Kind.BPOM_ML, "ML 123456789012")
    ]


@pytest.mark.parametrize("status", [Product.Status.DRAFT, Product.Status.APPROVED])
def test_an_owners_save_keeps_the_expiry_staff_gave_a_p_irt(
    owner_client, business, status, django_capture_on_commit_callbacks
):
    """The owner's form has no expiry date for P-IRT: staff entered one (checked, in
    the admin), and the owner saving a new description keeps it and its check, on a
    draft and on an approved product alike (nothing to review)."""
    product = make_product(business=business, status=status)
    checked = Certification.objects.create(
        product=product,
        kind=Certification.Kind.PIRT,
        number="206367301001826",
        valid_until=datetime.date(2027, 6, 30),
        verified_at=timezone.now(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("products:product_update", args=[product.slug]),
            edit_data(
                product, pirt_number="2063-6730-1001826", description="Lebih renyah."
            ),
        )

    assert response.status_code == 302
    checked.refresh_from_db()
    assert checked.valid_until == datetime.date(2027, 6, 30)
    assert checked.verified_at is not None
    assert not product.proposed_changes.filter(
        proposed__has_key="certifications"
    ).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pirt_number", "20636730100182"),
        ("bpom_number", "MD 12345"),
        ("halal_valid_until", "2030-01-01"),  # a date without a number
    ],
)
def test_malformed_certifications_are_form_errors(business, field, value):
    """A P-IRT number needs 15 digits, a BPOM number MD/ML and 12 digits, and an
    expiry date needs the certificate number."""
    form = ProductForm(
        data=product_data(business, **{field: value}), owner=business.owner
    )

    assert not form.is_valid()
    assert set(form.errors) == {
        "halal_number" if field == "halal_valid_until" else field
    }


# Products: double submission


def test_a_double_submission_creates_one_product(owner_client, business):
    """The same form sent twice creates one product; the second lands on it."""
    data = product_data(business)

    owner_client.post(reverse("products:product_create"), data)
    again = owner_client.post(reverse("products:product_create"), data)

    product = Product.objects.get()
    assert again.status_code == 302
    assert again.url == reverse("products:product_update", args=[product.slug])


@pytest.mark.media
def test_a_concurrent_double_submission_creates_one_product(
    owner_client, business, monkeypatch
):
    """When both submissions pass the token check at once, the database keeps
    one product and the later one is sent to it, leaving no photo files behind."""
    data = product_data(business, photos=[image_upload()])
    winner = make_product(business=business, creation_token=data["form_token"])
    find = ProductCreateView.created_with
    calls = []

    def misses_the_first_time(view, token):
        calls.append(token)
        return None if len(calls) == 1 else find(view, token)

    monkeypatch.setattr(ProductCreateView, "created_with", misses_the_first_time)

    response = owner_client.post(reverse("products:product_create"), data)

    assert len(calls) == 2
    assert response.url == reverse("products:product_update", args=[winner.slug])
    assert list(Product.objects.all()) == [winner]
    assert not ProductPhoto.objects.exists()
    assert stored_files() == []


def test_each_form_gets_a_new_token(owner_client, business):
    """Two create pages carry different tokens, so two products can be added."""
    url = reverse("products:product_create")
    first = owner_client.get(url).context["form"]["form_token"].value()
    second = owner_client.get(url).context["form"]["form_token"].value()

    assert first != second
    owner_client.post(url, product_data(business, form_token=first))
    owner_client.post(url, product_data(business, form_token=second))
    assert Product.objects.count() == 2


# Products: editing


def test_editing_an_approved_product_keeps_it_public_and_notes_changes(
    owner_client, client, business
):
    """An approved product stays approved and public after an edit, and staff
    see the reviewed value of what changed; undoing the change clears it."""
    product = make_product(business=business, price=25000, name="Emping")
    url = reverse("products:product_update", args=[product.slug])

    owner_client.post(url, edit_data(product, price="Rp 30.000"))

    product.refresh_from_db()
    assert product.status == Product.Status.APPROVED
    assert product.price == 30000
    assert product.changes_since_review == {"price": 25000}
    assert client.get(product.get_absolute_url()).status_code == 200

    owner_client.post(url, edit_data(product, price="25000"))
    product.refresh_from_db()
    assert product.changes_since_review == {}


def test_a_new_review_clears_the_noted_changes(business):
    """A status change is a new review of the product as it is."""
    product = make_product(business=business, changes_since_review={"price": 1})

    product.record_decision(Product.Status.APPROVED)

    assert product.changes_since_review == {}


def test_editing_a_draft_notes_nothing(owner_client, business):
    """Only approved products track changes; a draft stays a draft."""
    product = make_product(business=business, status=Product.Status.DRAFT)

    owner_client.post(
        reverse("products:product_update", args=[product.slug]),
        edit_data(product, name="Nama Baru"),
    )

    product.refresh_from_db()
    assert (product.name, product.status) == ("Nama Baru", Product.Status.DRAFT)
    assert product.changes_since_review == {}


@pytest.mark.media
def test_a_photo_of_another_product_cannot_be_edited(owner_client, business):
    """The photo details only reach the product's own photos."""
    product = make_product(business=business, status=Product.Status.DRAFT)
    foreign = add_photo(make_product())
    data = edit_data(product)
    data.update(
        {
            "photo-TOTAL_FORMS": "1",
            "photo-INITIAL_FORMS": "1",
            "photo-0-id": str(foreign.pk),
            "photo-0-alt_text": "Dibajak",
            "photo-0-position": "0",
        }
    )

    owner_client.post(reverse("products:product_update", args=[product.slug]), data)

    foreign.refresh_from_db()
    assert foreign.alt_text == ""
    assert not product.photos.exists()


def test_photo_details_cannot_add_a_photo_without_a_file(owner_client, business):
    """Extra photo forms smuggled into the POST create no empty photo."""
    product = make_product(business=business, status=Product.Status.DRAFT)
    data = edit_data(product)
    data.update(
        {
            "photo-TOTAL_FORMS": "1",
            "photo-0-alt_text": "Kosong",
            "photo-0-position": "0",
        }
    )

    owner_client.post(reverse("products:product_update", args=[product.slug]), data)

    assert not product.photos.exists()


# Products: status changes and deletion


@pytest.mark.parametrize(
    ("name", "before", "after"),
    [
        ("products:product_submit", Product.Status.DRAFT, Product.Status.PENDING),
        ("products:product_submit", Product.Status.REJECTED, Product.Status.PENDING),
        ("products:product_submit", Product.Status.WITHDRAWN, Product.Status.PENDING),
        ("products:product_submit", Product.Status.PENDING, Product.Status.PENDING),
        ("products:product_submit", Product.Status.APPROVED, Product.Status.APPROVED),
        (
            "products:product_withdraw",
            Product.Status.APPROVED,
            Product.Status.WITHDRAWN,
        ),
        ("products:product_withdraw", Product.Status.PENDING, Product.Status.WITHDRAWN),
        ("products:product_withdraw", Product.Status.DRAFT, Product.Status.DRAFT),
        ("products:product_withdraw", Product.Status.REJECTED, Product.Status.REJECTED),
    ],
)
def test_owner_status_changes(owner_client, owner, business, name, before, after):
    """Submit sends a draft, rejected or withdrawn product to review; withdraw
    takes a pending or approved one back; any other move changes nothing."""
    product = make_product(business=business, status=before, status_reason="Foto buram")

    response = owner_client.post(reverse(name, args=[product.slug]))

    assert response.status_code == 302
    assert response.url == reverse("products:owner_products")
    product.refresh_from_db()
    assert product.status == after
    if before != after:
        assert product.status_changed_by == owner
        assert product.status_reason == ""


def test_status_changes_need_a_post(owner_client, business):
    """Opening a status change address changes nothing."""
    product = make_product(business=business, status=Product.Status.DRAFT)

    response = owner_client.get(reverse("products:product_submit", args=[product.slug]))

    assert response.status_code == 405
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT


def test_owner_list_shows_status_reason_and_actions(owner_client, business):
    """A rejected product shows its reason and can be submitted again."""
    product = make_product(
        business=business, status=Product.Status.REJECTED, status_reason="Foto buram"
    )

    html = owner_client.get(reverse("products:owner_products")).content.decode()

    assert "Foto buram" in html
    assert reverse("products:product_submit", args=[product.slug]) in html
    assert reverse("products:product_delete", args=[product.slug]) in html
    assert reverse("products:product_withdraw", args=[product.slug]) not in html


@pytest.mark.media
def test_a_draft_is_deleted_after_confirmation_with_its_files(
    owner_client, business, django_capture_on_commit_callbacks
):
    """The confirmation page asks first; confirming removes the product and photos."""
    product = make_product(business=business, status=Product.Status.DRAFT)
    add_photo(product)
    url = reverse("products:product_delete", args=[product.slug])

    assert owner_client.get(url).status_code == 200
    assert Product.objects.filter(pk=product.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url)

    assert response.url == reverse("products:owner_products")
    assert not Product.objects.filter(pk=product.pk).exists()
    assert stored_files() == []


@pytest.mark.parametrize("status", [Product.Status.APPROVED, Product.Status.PENDING])
def test_public_or_reviewed_products_cannot_be_deleted(owner_client, business, status):
    """An approved or pending product is withdrawn, not deleted."""
    product = make_product(business=business, status=status)

    owner_client.post(reverse("products:product_delete", args=[product.slug]))

    assert Product.objects.filter(pk=product.pk).exists()


def test_a_product_once_on_display_is_kept(owner_client, business):
    """A withdrawn product that was on display stays, for the outlet's records."""
    product = make_product(business=business)
    make_display(product=product)
    withdraw_product(product, by=business.owner)

    owner_client.post(reverse("products:product_delete", args=[product.slug]))

    assert Product.objects.filter(pk=product.pk).exists()


# Query counts


def test_owner_product_list_queries_are_bounded(
    owner_client, business, django_assert_max_num_queries
):
    """The owner's list costs the same few queries for 20 products as for one."""
    for number in range(20):
        product = make_product(
            business=business, status=Product.Status.DRAFT, name=f"Produk {number}"
        )
        if number % 4 == 0:
            add_photo(product)

    with django_assert_max_num_queries(10):
        response = owner_client.get(reverse("products:owner_products"))

    assert len(response.context["product_list"]) == 20


def test_the_owners_product_count_has_a_thousands_separator(owner_client, business):
    """An owner with 1.234 products reads so above their list, not "1234"."""
    make_many_products(business, 1234)

    indonesian = owner_client.get(reverse("products:owner_products")).text
    english = owner_client.get("/en" + reverse("products:owner_products")).text

    assert "1.234 produk" in indonesian and "1234 produk" not in indonesian
    assert "1,234 products" in english


def test_owner_business_list_queries_are_bounded(
    owner_client, owner, django_assert_max_num_queries
):
    """The owner's business list does not query per business."""
    for _ in range(10):
        make_product(business=make_business(owner=owner))

    with django_assert_max_num_queries(8):
        response = owner_client.get(reverse("products:owner_businesses"))

    assert len(response.context["business_list"]) == 10
