"""Plain-text emails to users, in the site's language."""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def email_user(user, template_prefix, context):
    """Send the user the email of <template_prefix>_subject.txt and _body.txt, in
    the site's language; returns whether it went out. Nothing is sent to a missing
    user or address, and a mail server failure is logged, not raised: what the
    email reports is already saved."""
    if not user or not user.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {"owner": user, **context}
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        body = render_to_string(f"{template_prefix}_body.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [user.email])
    except Exception:
        logger.exception("Could not send %s to user %s", template_prefix, user.pk)
        return False
    return True


def notify_after_commit(request, notify, obj):
    """Call notify(obj, site_url) with this site's address ("https://host") once the
    current transaction commits, so no email announces a change rolled back."""
    site_url = request.build_absolute_uri("/")
    transaction.on_commit(partial(notify, obj, site_url))
