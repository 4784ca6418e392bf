"""Emails to owners about the review of their businesses and products."""

from django.urls import reverse

from accounts.emails import email_user

from .models import Business, Product, ProposedChange

# The statuses a staff review ends in, and the owner's page that shows them.
DECIDED = {
    Business: (
        {Business.Status.VERIFIED, Business.Status.REJECTED},
        "owner_businesses",
    ),
    Product: ({Product.Status.APPROVED, Product.Status.REJECTED}, "owner_products"),
}


def notify_owner_of_review(obj, site_url):
    """Email the owner that staff verified or rejected their business, or approved
    or rejected their product, with the reason and a link to their list under
    site_url ("https://host"); returns whether an email went out."""
    decided, list_name = DECIDED[type(obj)]
    if obj.status not in decided:
        return False
    owner = obj.owner if isinstance(obj, Business) else obj.business.owner
    return email_user(
        owner,
        "products/email/review_decision",
        {
            "object": obj,
            "is_business": isinstance(obj, Business),
            "accepted": obj.status != obj.Status.REJECTED,
            "list_url": site_url.rstrip("/") + reverse(f"products:{list_name}"),
        },
    )


def notify_owner_of_hand_over(business, site_url):
    """Email the owner that staff handed the business they registered for them over
    to their account, with a link to their businesses; returns whether it went out."""
    return email_user(
        business.owner,
        "products/email/business_handed_over",
        {
            "business": business,
            "list_url": site_url.rstrip("/") + reverse("products:owner_businesses"),
        },
    )


def notify_owner_of_change_decision(change, site_url):
    """Email the owner that staff accepted or rejected the change they proposed to
    a verified business or an approved product, with the reason and a link to
    their list; returns whether an email went out."""
    target = change.target
    owner = target.owner if isinstance(target, Business) else target.business.owner
    list_name = "owner_businesses" if isinstance(target, Business) else "owner_products"
    return email_user(
        owner,
        "products/email/change_decision",
        {
            "change": change,
            "target": target,
            "accepted": change.status == ProposedChange.Status.ACCEPTED,
            "list_url": site_url.rstrip("/") + reverse(f"products:{list_name}"),
        },
    )
