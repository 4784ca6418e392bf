"""Staff decide what waits in the admin: bulk rejection with a reason, display
requests approved or rejected in bulk at the curator's own outlets, queues oldest
first."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from outlets.models import Display
from products.models import Business, Product
from tests.admin_helpers import make_curator, rendered_form_data
from tests.factories import make_business, make_display, make_product

pytestmark = pytest.mark.django_db

REASON = "Photos are blurry, please upload sharper ones."


def changelist(model):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")


def confirm(client, model, action, objects, reason=REASON):
    """Post the confirmation page of a reject action, as the staff member would."""
    return client.post(
        changelist(model),
        {
            "action": action,
            "_selected_action": [obj.pk for obj in objects],
            "post": "yes",
            "reason": reason,
        },
    )


def test_reject_action_first_asks_for_a_reason(admin_client):
    """Choosing the action lists the pending products on a page with a required
    reason, and changes nothing yet."""
    pending = make_product(name="Keripik Emping", status=Product.Status.PENDING)
    draft = make_product(name="Sambal Roa", status=Product.Status.DRAFT)

    response = admin_client.post(
        changelist(Product),
        {"action": "reject", "_selected_action": [pending.pk, draft.pk]},
    )

    assert response.status_code == 200
    assert response.templates[0].name == "admin/reject_selected_confirmation.html"
    page = response.content.decode()
    assert "Keripik Emping" in page
    assert "Sambal Roa" not in page
    assert 'name="reason"' in page
    assert 'name="post"' in page
    assert "csrfmiddlewaretoken" in page
    pending.refresh_from_db()
    assert pending.status == Product.Status.PENDING


def test_bulk_reject_rejects_only_pending_products_and_emails_each_owner(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    """Pending products are rejected with the reason, by whom and when; the owner
    of each is emailed the reason; other products stay as they were."""
    pending = [make_product(status=Product.Status.PENDING) for _ in range(2)]
    approved = make_product(status=Product.Status.APPROVED)

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(admin_client, Product, "reject", [*pending, approved])

    assert response.status_code == 302
    for product in pending:
        product.refresh_from_db()
        assert product.status == Product.Status.REJECTED
        assert product.status_reason == REASON
        assert product.status_changed_by == admin_user
        assert product.status_changed_at is not None
    approved.refresh_from_db()
    assert approved.status == Product.Status.APPROVED
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        p.business.owner.email for p in pending
    )
    assert all(REASON in m.body for m in mail.outbox)


def test_bulk_reject_of_businesses_records_the_reason(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    """Businesses awaiting verification are rejected; verified ones are not."""
    pending = make_business(status=Business.Status.PENDING)
    verified = make_business(status=Business.Status.VERIFIED)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(admin_client, Business, "reject", [pending, verified])

    pending.refresh_from_db()
    verified.refresh_from_db()
    assert pending.status == Business.Status.REJECTED
    assert pending.status_reason == REASON
    assert pending.status_changed_by == admin_user
    assert verified.status == Business.Status.VERIFIED
    assert [m.to for m in mail.outbox] == [[pending.owner.email]]


def test_an_empty_reason_shows_the_page_again_and_changes_nothing(
    admin_client, django_capture_on_commit_callbacks
):
    """Without a reason the page comes back with an error; nothing is rejected."""
    product = make_product(status=Product.Status.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(admin_client, Product, "reject", [product], reason="  ")

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert 'class="errorlist' in response.content.decode()
    product.refresh_from_db()
    assert product.status == Product.Status.PENDING
    assert mail.outbox == []


def test_curator_bulk_rejects_requests_only_at_their_outlets(
    client, cipare, iwak_banten, django_capture_on_commit_callbacks
):
    """Forged ids of another agency's displays are left alone."""
    curator = make_curator("dinkopukmperindag")
    client.force_login(curator)
    ours = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    theirs = make_display(outlet=iwak_banten, status=Display.Status.REQUESTED)

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, Display, "reject", [ours, theirs])

    assert response.status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.status == Display.Status.REJECTED
    assert ours.decision_reason == REASON
    assert ours.decided_by == curator
    assert ours.decided_at is not None
    assert theirs.status == Display.Status.REQUESTED
    assert [m.to for m in mail.outbox] == [[ours.product.business.owner.email]]


def test_curator_bulk_approves_requests_only_at_their_outlets(
    client, cipare, iwak_banten, django_capture_on_commit_callbacks
):
    """Requests at the curator's outlets are approved from today and the owners
    emailed; another agency's request is not touched."""
    curator = make_curator("dinkopukmperindag")
    client.force_login(curator)
    ours = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    theirs = make_display(outlet=iwak_banten, status=Display.Status.REQUESTED)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist(Display),
            {"action": "approve", "_selected_action": [ours.pk, theirs.pk]},
        )

    assert response.status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.status == Display.Status.APPROVED
    assert ours.starts_on == timezone.localdate()
    assert ours.decided_by == curator
    assert theirs.status == Display.Status.REQUESTED
    assert [m.to for m in mail.outbox] == [[ours.product.business.owner.email]]


def test_bulk_approval_beyond_the_capacity_changes_nothing(admin_client, cipare):
    """A bulk approval is all or nothing: when the outlet has no place for one of
    the requests, every one stays requested, nobody is emailed, and staff are told
    why."""
    cipare.display_capacity = 2
    cipare.save(update_fields=["display_capacity"])
    make_display(outlet=cipare)
    requests = [
        make_display(outlet=cipare, status=Display.Status.REQUESTED) for _ in range(2)
    ]

    response = admin_client.post(
        changelist(Display),
        {"action": "approve", "_selected_action": [r.pk for r in requests]},
        follow=True,
    )

    statuses = sorted(
        Display.objects.filter(pk__in=[r.pk for r in requests]).values_list(
            "status", flat=True
        )
    )
    assert statuses == [Display.Status.REQUESTED, Display.Status.REQUESTED]
    [message] = response.context["messages"]
    assert message.level_tag == "error"
    assert "Nothing was changed" in str(message) or "Tidak ada" in str(message)
    assert "(2/2)" in str(message)
    assert mail.outbox == []


@pytest.mark.parametrize("hidden", ["unverified", "withdrawn"])
def test_only_products_residents_see_are_approved_for_display(
    admin_client, cipare, hidden
):
    """A product withdrawn, or of a business not (or no longer) verified, since it
    was requested would take a place and show nothing: the bulk approval that
    includes it approves nothing, and says which one."""
    unverified = make_display(
        outlet=cipare,
        status=Display.Status.REQUESTED,
        product=make_product(business=make_business(status=Business.Status.PENDING)),
    )
    withdrawn = make_display(
        outlet=cipare,
        status=Display.Status.REQUESTED,
        product=make_product(status=Product.Status.WITHDRAWN),
    )
    shown = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    refused = {"unverified": unverified, "withdrawn": withdrawn}[hidden]

    response = admin_client.post(
        changelist(Display),
        {"action": "approve", "_selected_action": [refused.pk, shown.pk]},
        follow=True,
    )

    assert set(
        Display.objects.filter(pk__in=[refused.pk, shown.pk]).values_list(
            "status", flat=True
        )
    ) == {Display.Status.REQUESTED}
    [error] = response.context["messages"]
    assert error.level_tag == "error"
    assert "verified businesses" in str(error) or "usaha terverifikasi" in str(error)


def test_the_display_form_refuses_placing_a_product_residents_cannot_see(
    admin_client, cipare
):
    """Staff adding a display of a draft product, which residents cannot see, get the
    form back with an error on the product, and no display is added."""
    draft = make_product(status=Product.Status.DRAFT)
    today = timezone.localdate()

    response = admin_client.post(
        reverse("admin:outlets_display_add"),
        {
            "outlet": cipare.pk,
            "product": draft.pk,
            "starts_on": today.isoformat(),
            "ends_on": "",
            "status": Display.Status.APPROVED,
            "decision_reason": "",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["product"]
    assert not Display.objects.filter(product=draft).exists()


def test_a_display_whose_product_was_withdrawn_since_can_still_be_ended(
    admin_client, cipare
):
    """Approved while it was public; the owner withdrew it later. The outlet page
    still saves, and the display can be ended."""
    display = make_display(outlet=cipare)
    Product.objects.filter(pk=display.product_id).update(
        status=Product.Status.WITHDRAWN
    )
    url = reverse("admin:outlets_outlet_change", args=[cipare.pk])
    data = rendered_form_data(admin_client.get(url))

    edited = admin_client.post(url, {**data, "description": "Buka setiap hari."})
    ended = admin_client.post(url, {**data, "displays-0-status": Display.Status.ENDED})

    assert (edited.status_code, ended.status_code) == (302, 302)
    display.refresh_from_db()
    assert display.status == Display.Status.ENDED


def aged(obj, days):
    """Backdate obj's creation by days."""
    type(obj).objects.filter(pk=obj.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )
    return obj


def test_product_queue_lists_pending_products_oldest_first(admin_client):
    """The "waiting" queue shows only products awaiting review, oldest first."""
    newer = aged(make_product(name="B", status=Product.Status.PENDING), 1)
    older = aged(make_product(name="C", status=Product.Status.PENDING), 5)
    aged(make_product(name="A", status=Product.Status.APPROVED), 9)

    response = admin_client.get(changelist(Product), {"queue": "waiting"})

    assert list(response.context["cl"].result_list) == [older, newer]


def test_business_status_filter_on_pending_lists_oldest_first(admin_client):
    """Filtering on the waiting status alone orders the queue oldest first too."""
    newer = aged(make_business(name="A", status=Business.Status.PENDING), 1)
    older = aged(make_business(name="B", status=Business.Status.PENDING), 3)

    response = admin_client.get(changelist(Business), {"status__exact": "pending"})

    assert list(response.context["cl"].result_list) == [older, newer]


def test_display_queue_shows_requests_at_the_curators_outlets_oldest_first(
    client, cipare, kasemen, iwak_banten
):
    """A curator's queue holds the requests at their agency's outlets only."""
    client.force_login(make_curator("dinkopukmperindag"))
    newer = aged(make_display(outlet=cipare, status=Display.Status.REQUESTED), 1)
    older = aged(make_display(outlet=kasemen, status=Display.Status.REQUESTED), 4)
    aged(make_display(outlet=iwak_banten, status=Display.Status.REQUESTED), 9)
    make_display(outlet=cipare)

    response = client.get(changelist(Display), {"queue": "waiting"})

    assert list(response.context["cl"].result_list) == [older, newer]
