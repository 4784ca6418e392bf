"""Assisted registration: staff register a business and its products in the admin on
behalf of a trader without a smartphone, and hand the business over to the owner's
account once the owner signs up."""

import pytest
from django.core import mail
from django.urls import reverse

from products.models import Business, Category, Kelurahan, Product
from tests.admin_helpers import (
    admin_url,
    make_curator,
    make_verifier,
    rendered_form_data,
)
from tests.factories import make_business, make_product, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def verifier(client):
    user = make_verifier()
    client.force_login(user)
    return user


def business_form_data(**changes):
    data = {
        "name": "Sate Bandeng Bu Romlah",
        "owner_name": "Romlah",
        "owner": "",
        "size": Business.Size.MICRO,
        "nib": "",
        "description": "Sate bandeng khas Banten, dibuat setiap pagi.",
        "kelurahan": Kelurahan.objects.get(slug="kasemen").pk,
        "address": "Jl. Raya Kasemen No. 12",
        "whatsapp": "6281311112222",
        "status": Business.Status.PENDING,
        "status_reason": "",
    }
    return {**data, **changes}


def test_a_business_staff_add_is_marked_as_registered_for_its_owner(client, verifier):
    """A business a Verifikator adds in the admin is marked as registered by them for
    its owner, named but without an account yet, and is listed among those awaiting
    hand-over."""
    response = client.post(admin_url(Business, "add"), business_form_data())

    assert response.status_code == 302
    business = Business.objects.get(name="Sate Bandeng Bu Romlah")
    assert business.assisted_registration
    assert business.registered_by == verifier
    assert business.owner_name == "Romlah"  # before the owner has an account
    assert business.owner is None
    assert business.handed_over_at is None
    # The admin lists it among the businesses no owner account holds yet.
    listed = client.get(
        admin_url(Business, "changelist"),
        {"assisted_registration__exact": "1", "owner__isempty": "1"},
    )
    assert list(listed.context["cl"].result_list) == [business]


def test_a_business_an_owner_registers_is_not_marked():
    """A business an owner registers is not marked as registered by staff, nor waiting
    to be handed over."""
    business = make_business()

    assert not business.assisted_registration
    assert business.registered_by is None
    assert Business.objects.awaiting_hand_over().count() == 0


def test_staff_add_products_to_a_business_they_registered(client, verifier):
    """Staff add a product in the admin to a business they registered for a trader
    without an account."""
    business = make_business(owner=None, assisted_registration=True)

    response = client.post(
        admin_url(Product, "add"),
        {
            "business": business.pk,
            "name": "Sate Bandeng",
            "category": Category.objects.get(slug="makanan").pk,
            "description": "",
            "price": 35000,
            "unit": "pcs",
            "status": Product.Status.PENDING,
            "status_reason": "",
            "photos-TOTAL_FORMS": 0,
            "photos-INITIAL_FORMS": 0,
            "certifications-TOTAL_FORMS": 0,
            "certifications-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert business.products.get().name == "Sate Bandeng"


def test_handing_over_gives_the_business_to_the_owner_and_emails_them(
    client, verifier, django_capture_on_commit_callbacks
):
    """Choosing the owner's account hands the business over: the owner is emailed a link
    to their dashboard, where they find the business and its products, and it stays
    known as registered by staff."""
    business = make_business(
        owner=None, assisted_registration=True, registered_by=verifier
    )
    product = make_product(business=business, name="Sate Bandeng")
    owner = make_user(email="romlah@example.com", full_name="Romlah")
    change_url = admin_url(Business, "change", business.pk)
    data = rendered_form_data(client.get(change_url))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url, {**data, "owner": owner.pk})

    assert response.status_code == 302
    business.refresh_from_db()
    assert business.owner == owner
    assert business.handed_over_at is not None
    assert business.assisted_registration  # still known as registered by staff
    [email] = mail.outbox
    assert email.to == ["romlah@example.com"]
    assert business.name in email.subject
    assert "/dasbor/usaha/" in email.body
    # The owner now manages the business and its products from their dashboard.
    client.force_login(owner)
    assert business.name in client.get(reverse("products:owner_businesses")).text
    assert product.name in client.get(reverse("products:owner_products")).text


def test_the_business_page_suggests_accounts_signed_up_with_its_number(
    client, verifier
):
    """A business awaiting its owner suggests, beside the owner's name from the
    register, the accounts signed up with its WhatsApp number, and no other."""
    business = make_business(
        owner=None,
        assisted_registration=True,
        whatsapp="6281399998888",
        owner_name="Hj. Romlah",
    )
    make_user(full_name="Romlah", email="romlah@example.com", whatsapp="6281399998888")
    make_user(full_name="Other", email="other@example.com", whatsapp="6281300000000")

    page = client.get(admin_url(Business, "change", business.pk)).text

    # The owner's name from the register beside the accounts that may be theirs.
    assert "<strong>Hj. Romlah</strong>. Romlah &lt;romlah@example.com&gt;" in page
    assert "other@example.com" not in page


def test_saving_without_choosing_an_owner_hands_nothing_over(
    client, verifier, django_capture_on_commit_callbacks
):
    """Editing an unowned business without choosing an owner saves the change, hands
    nothing over and emails nobody."""
    business = make_business(owner=None, assisted_registration=True)
    change_url = admin_url(Business, "change", business.pk)
    data = rendered_form_data(client.get(change_url))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(change_url, {**data, "address": "Jl. Baru No. 1"})

    business.refresh_from_db()
    assert business.address == "Jl. Baru No. 1"
    assert business.handed_over_at is None
    assert mail.outbox == []


def test_a_verifier_cannot_move_a_business_away_from_its_owner(client, verifier):
    """A Verifikator is offered no owner field on an owned business, and a forged owner
    in the form leaves it with its owner."""
    owner = make_user()
    business = make_business(owner=owner)
    change_url = admin_url(Business, "change", business.pk)
    response = client.get(change_url)
    assert "owner" not in response.context["adminform"].form.fields

    forged = {**rendered_form_data(response), "owner": make_user().pk}
    client.post(change_url, forged)

    business.refresh_from_db()
    assert business.owner == owner
    assert business.handed_over_at is None


def test_a_curator_cannot_register_businesses(client):
    """A curator of outlets can neither open the form to add a business nor post one
    (403); nothing is created."""
    client.force_login(make_curator("dinkopukmperindag"))

    assert client.get(admin_url(Business, "add")).status_code == 403
    response = client.post(admin_url(Business, "add"), business_form_data())
    assert response.status_code == 403
    assert not Business.objects.filter(name="Sate Bandeng Bu Romlah").exists()
