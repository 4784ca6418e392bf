"""The one path by which a display's status changes (see products/decisions.py):
staff of the outlet's agency approve, reject or end it; the owner cancels a request.
The outlet's admin page, the display's change form, the bulk actions and the
owner's views all call these."""

from django.db import transaction
from django.utils import timezone

from products.decisions import decide

from .emails import notify_owner_of_decision
from .models import Display, Outlet


def validate_approval(display):
    """Before an approval is saved: no start date means today; only a product
    residents can see may take a place (the capacity is checked by save())."""
    if display.starts_on is None:
        display.starts_on = timezone.localdate()
    display.check_product_is_public()


def lock_outlet(display):
    """Lock the display's outlet row until the transaction ends. Every display
    decision and edit takes this lock before the display's own row (decide(),
    VersionedForm), so two of them never wait for each other's locks."""
    Outlet.objects.select_for_update().filter(pk=display.outlet_id).exists()


def decide_display(display, status, *, by, reason="", site_url=""):
    """Give the display the status as the user's decision (see decide()); the
    owner is emailed about an approval, rejection or end after the commit."""
    with transaction.atomic():
        lock_outlet(display)
        return decide(
            display,
            status,
            by=by,
            reason=reason,
            notify=notify_owner_of_decision,
            site_url=site_url,
            validate=validate_approval if status == Display.Status.APPROVED else None,
        )


def approve_display(
    display, *, by, starts_on=None, ends_on=None, reason="", site_url=""
):
    """Staff approve the display for the date window (from today when no start is
    given); ValidationError when the outlet has no free place on a day of it."""
    display.starts_on = starts_on
    display.ends_on = ends_on
    return decide_display(
        display, Display.Status.APPROVED, by=by, reason=reason, site_url=site_url
    )


def approve_from_today(display, *, by, reason="", site_url=""):
    """Approve a request from today, keeping the last day the owner asked for if it
    has not passed (the bulk approval)."""
    today = timezone.localdate()
    ends_on = display.ends_on if display.ends_on and display.ends_on >= today else None
    return approve_display(
        display,
        by=by,
        starts_on=today,
        ends_on=ends_on,
        reason=reason,
        site_url=site_url,
    )


def reject_display(display, *, by, reason, site_url=""):
    """Staff reject a request, telling the owner why."""
    return decide_display(
        display, Display.Status.REJECTED, by=by, reason=reason, site_url=site_url
    )


def end_display(display, *, by, reason="", site_url=""):
    """Staff end an approved display: its place is free from now on."""
    return decide_display(
        display, Display.Status.ENDED, by=by, reason=reason, site_url=site_url
    )


def cancel_display(display, *, by):
    """The owner withdraws their request while it waits for a decision."""
    with transaction.atomic():
        lock_outlet(display)
        return decide(display, Display.Status.CANCELLED, by=by)
