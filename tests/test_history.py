"""The history of businesses, products and displays: every saved change with who
made it and when, shown on the admin's History page and never rewritten."""

import pytest
from django.urls import reverse

from outlets.models import Display
from products.models import Business, Product
from tests.admin_helpers import admin_url, make_curator
from tests.factories import make_business, make_display, make_product

pytestmark = pytest.mark.django_db


def test_a_bulk_rejection_in_the_admin_is_recorded_with_its_author(
    admin_client, admin_user
):
    """The rejection adds a history row naming the staff member, with the reason."""
    product = make_product(status=Product.Status.PENDING)

    admin_client.post(
        admin_url(Product, "changelist"),
        {
            "action": "reject",
            "_selected_action": [product.pk],
            "post": "yes",
            "reason": "Blurry photo.",
        },
    )

    latest = product.history.latest()
    assert latest.status == Product.Status.REJECTED
    assert latest.status_reason == "Blurry photo."
    assert latest.history_user == admin_user
    assert latest.history_type == "~"
    assert product.history.count() == 2


def test_the_history_page_shows_who_changed_the_status(admin_client, admin_user):
    """Verifying a business shows on its History page with the staff member."""
    business = make_business(status=Business.Status.PENDING)
    admin_client.post(
        admin_url(Business, "changelist"),
        {"action": "verify", "_selected_action": [business.pk]},
    )

    response = admin_client.get(admin_url(Business, "history", business.pk))

    assert response.status_code == 200
    records = list(response.context["page_obj"].object_list)
    assert records[0].history_user == admin_user
    assert records[0].status == Business.Status.VERIFIED
    assert admin_user.get_username() in response.content.decode()


def test_a_display_decision_is_recorded(admin_client, admin_user, cipare):
    """Approving a display request in bulk records the approval and its author."""
    display = make_display(outlet=cipare, status=Display.Status.REQUESTED)

    admin_client.post(
        admin_url(Display, "changelist"),
        {"action": "approve", "_selected_action": [display.pk]},
    )

    latest = display.history.latest()
    assert latest.status == Display.Status.APPROVED
    assert latest.history_user == admin_user


def test_a_past_version_cannot_be_restored(admin_client):
    """Posting a past version's page is refused and changes nothing."""
    business = make_business(status=Business.Status.PENDING, name="Dodol Lama")
    business.name = "Dodol Baru"
    business.save()
    first = business.history.earliest()
    url = reverse(
        "admin:products_business_simple_history",
        args=[business.pk, first.history_id],
    )

    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"name": "Dodol Lama"})

    assert response.status_code == 403
    business.refresh_from_db()
    assert business.name == "Dodol Baru"


def test_the_history_log_is_read_only(admin_client):
    """Even a superuser cannot add, change or delete history rows."""
    business = make_business()
    record = business.history.get()
    model = Business.history.model

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 403
    assert admin_client.post(admin_url(model, "delete", record.pk)).status_code == 403
    assert (
        admin_client.post(admin_url(model, "change", record.pk), {}).status_code == 403
    )
    assert model.objects.filter(pk=record.pk).exists()


def test_a_curator_sees_the_history_of_displays_at_their_outlets_only(
    client, cipare, iwak_banten
):
    """Another agency's display history stays hidden from a curator."""
    client.force_login(make_curator("dinkopukmperindag"))
    ours = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    theirs = make_display(outlet=iwak_banten, status=Display.Status.REQUESTED)

    assert client.get(admin_url(Display, "history", ours.pk)).status_code == 200
    assert client.get(admin_url(Display, "history", theirs.pk)).status_code == 403
    version = theirs.history.get()
    url = reverse(
        "admin:outlets_display_simple_history", args=[theirs.pk, version.history_id]
    )
    assert client.get(url).status_code == 403
    log = client.get(admin_url(Display.history.model, "changelist"))
    assert log.status_code == 403
