"""Owners are emailed when staff verify or reject their business or product."""

import pytest
from django.core import mail

from products.models import Business, Product
from tests.admin_helpers import admin_url, rendered_form_data
from tests.factories import make_business, make_product, make_user

pytestmark = pytest.mark.django_db


def change(admin_client, obj, **data):
    """Post the admin change form of obj as rendered, with data changed."""
    url = admin_url(type(obj), "change", obj.pk)
    return admin_client.post(url, {**rendered_form_data(admin_client.get(url)), **data})


def test_verifying_a_business_emails_its_owner(
    admin_client, django_capture_on_commit_callbacks
):
    """Verification in the admin sends the owner one email naming the business."""
    owner = make_user(email="siti@example.com")
    business = make_business(
        owner=owner, name="Dodol Ibu Siti", status=Business.Status.PENDING
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = change(admin_client, business, status="verified")

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["siti@example.com"]
    assert "Dodol Ibu Siti" in message.subject
    assert "http://testserver/dasbor/usaha/" in message.body


def test_rejecting_a_product_emails_the_reason(
    admin_client, django_capture_on_commit_callbacks
):
    """A rejection carries the staff's reason to the owner."""
    product = make_product(name="Keripik Tempe", status=Product.Status.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        change(
            admin_client,
            product,
            status="rejected",
            status_reason="Fotonya buram, mohon unggah ulang.",
        )

    (message,) = mail.outbox
    assert "Keripik Tempe" in message.subject
    assert "Fotonya buram, mohon unggah ulang." in message.body
    assert message.to == [product.business.owner.email]


def test_bulk_approval_emails_each_owner(
    admin_client, django_capture_on_commit_callbacks
):
    """The admin's approve action emails every owner whose product it approved."""
    products = [make_product(status=Product.Status.PENDING) for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/products/product/",
            {"action": "approve", "_selected_action": [p.pk for p in products]},
        )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        p.business.owner.email for p in products
    )


def test_other_edits_send_no_email(admin_client, django_capture_on_commit_callbacks):
    """Saving a business without changing its status emails nobody."""
    business = make_business(name="Kopi Taktakan")

    with django_capture_on_commit_callbacks(execute=True):
        change(admin_client, business, address="Jl. Baru No. 1")

    assert mail.outbox == []


def test_staff_see_what_the_owner_changed_after_approval(admin_client):
    """The product's admin page lists each edit since approval with the approved
    value, so staff can check it."""
    product = make_product(name="Emping Pedas", price=20000)
    product.changes_since_review = {"price": 15000}
    product.save()

    response = admin_client.get(f"/admin/products/product/{product.pk}/change/")

    assert "<strong>price</strong>: 20000 <em>(disetujui: 15000)</em>" in response.text
