"""Emails to users, in the site's language, queued in the outbox (OutgoingEmail) and
sent by the background worker."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .models import OutgoingEmail
from .tasks import queue_send


def queue_email(to, subject, body, html_body="", recipient=None):
    """Put an email in the outbox, to be sent by the background worker once the
    current transaction commits (accounts/tasks.py); returns the OutgoingEmail.
    The subject is put on one line, as mail headers need."""
    email = OutgoingEmail.objects.create(
        to=to,
        recipient=recipient,
        subject=" ".join(subject.split())[:255],
        body=body,
        html_body=html_body,
    )
    queue_send(email)
    return email


def email_user(user, template_prefix, context):
    """Queue for the user the email of <template_prefix>_subject.txt and _body.txt,
    in the site's language; returns whether one was queued (nothing is sent to a
    missing user or address). The worker sends it, and tries again when the mail
    server fails: what the email reports is already saved."""
    if not user or not user.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {"owner": user, **context}
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        body = render_to_string(f"{template_prefix}_body.txt", context)
    queue_email(user.email, subject, body, recipient=user)
    return True


def notify_with_change(request, notify, obj):
    """Call notify(obj, site_url) with this site's address ("https://host"): its
    email is queued in the current transaction, so it goes out only if the change
    it announces commits."""
    notify(obj, request.build_absolute_uri("/"))
