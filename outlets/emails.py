"""Emails to owners about their displays."""

from django.urls import reverse

from accounts.emails import email_user

from .models import Display


def notify_owner_of_decision(display, site_url):
    """Email the product's owner that staff approved, rejected or ended the display,
    with a link to their requests under site_url ("https://host"); returns whether
    an email went out."""
    if display.status not in Display.DECIDED_STATUSES:
        return False
    return email_user(
        display.product.business.owner,
        "outlets/email/display_decision",
        {
            "display": display,
            "list_url": site_url.rstrip("/") + reverse("outlets:display_list"),
        },
    )
