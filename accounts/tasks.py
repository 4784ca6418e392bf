"""Sending the outbox (accounts.models.OutgoingEmail) in the background.

Web requests only queue emails; the worker (`manage.py db_worker`) sends them, so a
mail server that is down or hangs never slows or fails a page. A failed attempt is
tried again later, after each of RETRY_DELAYS in turn; when the last attempt fails
too the email is marked failed, where staff see it in the admin ("Email keluar") and
can send it again.
"""

import logging
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from serang_umkm.tasks import enqueue_with_transaction

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

# Seconds to wait before the 2nd, 3rd, … attempt: 1 min, 5 min, 30 min, 2 h.
RETRY_DELAYS = (60, 300, 1800, 7200)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


class EmailNotSent(Exception):
    """Every attempt to send an outgoing email failed (its last error is saved)."""


def queue_send(email, delay=0):
    """Have the worker send the email (an OutgoingEmail row), after delay seconds,
    once the current transaction commits."""
    send = send_queued_email
    if delay and send.get_backend().supports_defer:
        send = send.using(run_after=timezone.now() + timedelta(seconds=delay))
    enqueue_with_transaction(send, email.pk)


@task()
def send_queued_email(email_pk):
    """Send the outgoing email with email_pk if it is still waiting; on failure,
    queue the next attempt, or mark it failed after MAX_ATTEMPTS. Returns the
    outcome ({"status", "attempts"}) for the task's result."""
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update()
            .filter(pk=email_pk, status=OutgoingEmail.Status.QUEUED)
            .first()
        )
        if email is None:
            return {"status": "not waiting"}
        email.attempts += 1
        try:
            message = EmailMultiAlternatives(email.subject, email.body, to=[email.to])
            if email.html_body:
                message.attach_alternative(email.html_body, "text/html")
            message.send()
        except Exception as error:
            email.last_error = f"{type(error).__name__}: {error}"[:500]
            if email.attempts < MAX_ATTEMPTS:
                delay = RETRY_DELAYS[email.attempts - 1]
                email.save(update_fields=["attempts", "last_error"])
                queue_send(email, delay)
                logger.warning(
                    "Email %s not sent (attempt %d, %s); trying again in %d s.",
                    email.pk,
                    email.attempts,
                    email.last_error,
                    delay,
                )
                return {"status": "retrying", "attempts": email.attempts}
            email.status = OutgoingEmail.Status.FAILED
            email.save(update_fields=["attempts", "last_error", "status"])
        else:
            email.status = OutgoingEmail.Status.SENT
            email.sent_at = timezone.now()
            email.body = email.html_body = ""
            email.save(
                update_fields=["attempts", "status", "sent_at", "body", "html_body"]
            )
            return {"status": "sent", "attempts": email.attempts}
    raise EmailNotSent(
        f"Email {email.pk} not sent after {email.attempts} attempts: {email.last_error}"
    )
