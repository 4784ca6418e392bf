"""Emails to owners about their displays."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Display

logger = logging.getLogger(__name__)


def notify_owner_of_decision(display, site_url):
    """Email the product's owner that staff approved, rejected or ended the display,
    in the site's language, with a link to their requests under site_url
    ("https://host"). Sends nothing for other statuses or an owner without email;
    returns whether an email went out. A mail server failure is logged, not raised:
    the decision is already saved."""
    owner = display.product.business.owner
    if display.status not in Display.DECIDED_STATUSES or not owner or not owner.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "display": display,
            "owner": owner,
            "list_url": site_url.rstrip("/") + reverse("outlets:display_list"),
        }
        subject = render_to_string(
            "outlets/email/display_decision_subject.txt", context
        )
        body = render_to_string("outlets/email/display_decision_body.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [owner.email])
    except Exception:
        logger.exception("Could not email the decision on display %s", display.pk)
        return False
    return True
