"""Owners' forms under stale or tampered posts: a photo deleted in another tab,
forged photo management data, another owner's one-time token, a business form
sent twice. Each answers with a message or a redirect (never a server error) and
never touches another owner's things."""

import uuid

import pytest
from django.urls import reverse

from products.models import Business, Product, prefetch_photos
from products.views import BusinessCreateView
from tests.factories import add_photo, make_business, make_product, make_user
from tests.test_products_owner import business_data, edit_data, product_data

pytestmark = [pytest.mark.django_db, pytest.mark.media]


@pytest.fixture
def owner():
    return make_user()


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def product(owner):
    product = make_product(
        business=make_business(owner=owner), status=Product.Status.DRAFT
    )
    add_photo(product, position=0)
    add_photo(product, position=1)
    return product


@pytest.fixture
def foreign_photo():
    """A photo of another owner's product."""
    return add_photo(make_product())


def deleted_photo_id(product):
    photo = add_photo(product, position=9)
    pk = photo.pk
    photo.delete()
    return pk


def remove(key):
    return lambda data, product, foreign: data.pop(key)


def setting(key, value):
    def change(data, product, foreign):
        data[key] = value(product, foreign) if callable(value) else value

    return change


def second_photo_is(value, delete=False):
    def change(data, product, foreign):
        data["photo-1-id"] = str(value(product, foreign))
        if delete:
            data["photo-1-DELETE"] = "on"

    return change


def stale_tab(data, product, foreign):
    """The form was loaded when the product had a third photo, since deleted."""
    data.update(
        {
            "photo-TOTAL_FORMS": "3",
            "photo-INITIAL_FORMS": "3",
            "photo-2-id": str(deleted_photo_id(product)),
            "photo-2-alt_text": "",
            "photo-2-position": "2",
        }
    )


TAMPERED = {
    "total-huge": setting("photo-TOTAL_FORMS", "1000000000"),
    "total-over-absolute-max": setting("photo-TOTAL_FORMS", "1006"),
    "total-one-more": setting("photo-TOTAL_FORMS", "3"),
    "total-one-less": setting("photo-TOTAL_FORMS", "1"),
    "total-zero": setting("photo-TOTAL_FORMS", "0"),
    "total-negative": setting("photo-TOTAL_FORMS", "-1"),
    "total-very-negative": setting("photo-TOTAL_FORMS", "-1000000000"),
    "total-not-a-number": setting("photo-TOTAL_FORMS", "abc"),
    "total-empty": setting("photo-TOTAL_FORMS", ""),
    "total-missing": remove("photo-TOTAL_FORMS"),
    "initial-zero": setting("photo-INITIAL_FORMS", "0"),
    "initial-more": setting("photo-INITIAL_FORMS", "5"),
    "initial-negative": setting("photo-INITIAL_FORMS", "-1"),
    "initial-not-a-number": setting("photo-INITIAL_FORMS", "x"),
    "initial-missing": remove("photo-INITIAL_FORMS"),
    "max-num-huge": setting("photo-MAX_NUM_FORMS", "1000000"),
    "max-num-not-a-number": setting("photo-MAX_NUM_FORMS", "abc"),
    "min-num-above-total": setting("photo-MIN_NUM_FORMS", "9"),
    "id-of-another-owners-photo": second_photo_is(lambda p, foreign: foreign.pk),
    "delete-another-owners-photo": second_photo_is(
        lambda p, foreign: foreign.pk, delete=True
    ),
    "id-of-a-deleted-photo": second_photo_is(lambda p, f: deleted_photo_id(p)),
    "id-not-a-number": second_photo_is(lambda p, f: "abc"),
    "id-repeated": second_photo_is(lambda p, f: p.photos.first().pk),
    "photo-deleted-in-another-tab": stale_tab,
}


# Forged limits the server does not read (it keeps its own maximum and minimum):
# the form saves. Every other forgery, and the stale tab, comes back.
SAVED_DESPITE_TAMPERING = {"max-num-huge", "min-num-above-total"}


@pytest.mark.parametrize(("name", "tamper"), TAMPERED.items(), ids=TAMPERED.keys())
def test_a_stale_or_tampered_photo_form_answers_without_error(
    owner_client, product, foreign_photo, name, tamper
):
    """An owner's product form sent from a stale tab or with forged photo data comes
    back saying the photos changed, showing them as they are now with nothing saved
    (or saves, where the forged value is one the server ignores); another owner's
    photo is never touched."""
    url = reverse("products:product_update", args=[product.slug])
    data = edit_data(product, name="Nama Baru")
    for key in list(data):
        if key.endswith("-alt_text"):
            data[key] = "Diubah"
    tamper(data, product, foreign_photo)
    photos_before = sorted(product.photos.values_list("pk", "alt_text"))

    response = owner_client.post(url, data)

    assert response.status_code == (302 if name in SAVED_DESPITE_TAMPERING else 200)
    foreign_photo.refresh_from_db()
    assert foreign_photo.alt_text == ""
    if response.status_code == 200:
        form = response.context["form"]
        codes = [error.code for error in form.non_field_errors().as_data()]
        assert "stale_photos" in codes
        # Shown as the photos are now, each with its thumbnail.
        shown = [f.instance.pk for f in form.photo_formset.forms]
        assert sorted(shown) == [pk for pk, _alt in photos_before]
        assert response.content.decode().count('data-testid="photo"') == 2
        product.refresh_from_db()
        assert product.name != "Nama Baru"
        assert sorted(product.photos.values_list("pk", "alt_text")) == photos_before
    else:
        assert set(product.photos.values_list("alt_text", flat=True)) == {"Diubah"}


def test_a_photo_deleted_in_another_tab_shows_the_form_again_with_a_message(
    owner_client, product
):
    """Re-rendered with other errors too: no thumbnail of a missing photo."""
    url = reverse("products:product_update", args=[product.slug])
    data = edit_data(product, price="")
    product.photos.first().delete()

    response = owner_client.post(url, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert "price" in form.errors
    assert [e.code for e in form.non_field_errors().as_data()] == ["stale_photos"]
    assert response.content.decode().count('data-testid="photo"') == 1

    again = owner_client.post(url, edit_data(product))
    assert again.status_code == 302


# One-time tokens


def test_another_owners_product_token_makes_a_new_product(owner_client, owner):
    """The attack: a form_token copied from someone else's product form. The
    post makes the owner's own product; the other one is left alone."""
    business = make_business(owner=owner)
    token = uuid.uuid4()
    theirs = make_product(creation_token=token, name="Punya Orang")

    response = owner_client.post(
        reverse("products:product_create"), product_data(business, form_token=token)
    )

    assert response.status_code == 302
    assert response.url == reverse("products:owner_products")
    mine = Product.objects.get(business=business)
    assert mine.creation_token not in (None, token)
    theirs.refresh_from_db()
    assert (theirs.name, theirs.creation_token) == ("Punya Orang", token)


def test_another_owners_business_token_makes_a_new_business(owner_client, owner):
    """An owner posting the one-time token of another owner's business form gets a new
    business of their own; the other owner's business is left as it was."""
    token = uuid.uuid4()
    theirs = make_business(creation_token=token, name="Usaha Orang")

    response = owner_client.post(
        reverse("products:business_create"), business_data(form_token=token)
    )

    assert response.status_code == 302
    assert response.url == reverse("products:owner_businesses")
    mine = Business.objects.get(owner=owner)
    assert mine.creation_token not in (None, token)
    theirs.refresh_from_db()
    assert (theirs.name, theirs.owner_id) == ("Usaha Orang", theirs.owner_id)
    assert theirs.creation_token == token


@pytest.mark.parametrize("nib", ["", "3673010000001"], ids=["no-nib", "nib"])
def test_the_business_form_posted_twice_registers_one_business(
    owner_client, owner, nib
):
    """The attack: a double click (or a reload) on "register". The second post
    leads to the business registered by the first, with a message (not to an
    error about its own NIB)."""
    url = reverse("products:business_create")
    token = owner_client.get(url).context["form"]["form_token"].value()
    data = business_data(form_token=token, nib=nib)

    first = owner_client.post(url, data, follow=True)
    again = owner_client.post(url, data, follow=True)

    business = Business.objects.get()
    assert first.redirect_chain == [(reverse("products:owner_businesses"), 302)]
    assert business.owner == owner
    assert str(business.creation_token) == str(token)
    assert again.redirect_chain == [
        (reverse("products:business_update", args=[business.slug]), 302)
    ]
    [message] = list(again.context["messages"])
    assert message.level_tag == "info"
    assert business.name in str(message)


def test_a_concurrent_double_registration_leads_to_the_one_business(
    owner_client, owner, monkeypatch
):
    """Both posts pass the token check at once: the database keeps the first
    business and the later post is sent to it."""
    data = business_data(form_token=str(uuid.uuid4()))
    winner = make_business(owner=owner, creation_token=data["form_token"])
    find = BusinessCreateView.created_with
    calls = []

    def misses_the_first_time(view, token):
        calls.append(token)
        return None if len(calls) == 1 else find(view, token)

    monkeypatch.setattr(BusinessCreateView, "created_with", misses_the_first_time)

    response = owner_client.post(reverse("products:business_create"), data)

    assert len(calls) == 2
    assert response.url == reverse("products:business_update", args=[winner.slug])
    assert list(Business.objects.all()) == [winner]


def test_each_business_form_gets_a_new_token(owner_client):
    """An owner who opens the new-business form in two tabs and sends both gets two
    businesses."""
    url = reverse("products:business_create")
    first = owner_client.get(url).context["form"]["form_token"].value()
    second = owner_client.get(url).context["form"]["form_token"].value()

    assert first != second
    owner_client.post(url, business_data(form_token=first))
    owner_client.post(url, business_data(form_token=second, name="Usaha Kedua"))
    assert Business.objects.count() == 2


def test_the_business_edit_form_has_no_token(owner_client, owner):
    """The form editing an owner's business carries no one-time token."""
    business = make_business(owner=owner)
    page = owner_client.get(reverse("products:business_update", args=[business.slug]))

    assert "form_token" not in page.context["form"].fields


def test_photos_are_not_shared_between_products(product, foreign_photo):
    """Pages read the photos of many products in one query (prefetch_photos): each
    product gets its own two photos, never another owner's."""
    other = foreign_photo
    products = [Product.objects.get(pk=product.pk), other.product]

    prefetch_photos(products)

    assert len(products[0].ordered_photos) == 2
    assert other not in products[0].ordered_photos
    assert products[1].ordered_photos == [other]
