"""Emails go through the outbox and the background worker: a mail server that is
down or hangs never slows or fails a page, nothing is lost, and staff see what
failed after every attempt.

The mail servers here are real: aiosmtpd on a loopback port for one that works, a
port nobody listens on for one that is down, and a socket that accepts connections
and never answers for one that hangs.
"""

import os
import socket
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import tasks as email_tasks
from accounts.models import OutgoingEmail, User
from products.decisions import verify_business
from products.models import Business
from tests.admin_helpers import make_verifier
from tests.factories import make_business
from tests.task_helpers import run_queued_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_queue")]

BASE_DIR = Path(__file__).resolve().parent.parent
SEND = email_tasks.send_queued_email.module_path


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping what the server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback; yields its Inbox and port."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def hanging_smtp_port():
    """A server that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def use_smtp(settings, port, timeout=10):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = timeout


def sign_up(client, email="siti@example.com"):
    return client.post(
        reverse("accounts:signup"),
        {
            "full_name": "Siti Aminah",
            "email": email,
            "whatsapp": "0812 3456 7890",
            "password1": "kopi-susu-gula-aren",
            "password2": "kopi-susu-gula-aren",
        },
    )


def deferred_sends():
    return DBTaskResult.objects.filter(task_path=SEND, status="READY")


def make_retries_due():
    """Jump to when the deferred attempts are due."""
    deferred_sends().update(run_after=timezone.now() - timedelta(seconds=1))


def test_signup_answers_at_once_while_the_mail_server_is_down(client, settings):
    """Nobody listens on the mail port: sign-up still answers with the "check your
    inbox" page and the email waits in the outbox; the worker's failed attempt is
    tried again a minute later, and a second sign-up is told the address is taken
    only because the account really exists (its email is on its way)."""
    use_smtp(settings, free_port())

    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:confirmation_sent")
    [email] = OutgoingEmail.objects.all()
    assert email.to == "siti@example.com"
    assert email.status == OutgoingEmail.Status.QUEUED
    assert "konfirmasi" in email.body

    started = timezone.now()
    run_queued_tasks()

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED
    assert email.attempts == 1
    assert "Connection refused" in email.last_error
    [retry] = deferred_sends()
    assert retry.run_after >= started + timedelta(seconds=60)


def test_a_hanging_mail_server_costs_the_worker_a_timeout_not_the_page(
    client, settings, hanging_smtp_port
):
    """The mail server accepts the connection and never answers: the sign-up page
    does not wait for it at all, and the worker gives up after EMAIL_TIMEOUT and
    tries again later."""
    use_smtp(settings, hanging_smtp_port, timeout=1)

    response = sign_up(client)
    assert response.status_code == 302

    run_queued_tasks()

    email = OutgoingEmail.objects.get()
    assert email.attempts == 1
    assert "timed out" in email.last_error
    assert deferred_sends().count() == 1


def test_staff_see_an_email_every_attempt_failed_for_and_send_it_again(
    client, settings, smtp_server
):
    """After five failed attempts (1 min, 5 min, 30 min and 2 h apart) the email is
    failed: the Verifikator sees it in the outbox with the server's answer (never
    the text, whose link is the owner's), and sends it again once mail works."""
    use_smtp(settings, free_port())
    business = make_business(status=Business.Status.PENDING)
    verifier = make_verifier()
    verify_business(business, by=verifier)

    for _ in range(email_tasks.MAX_ATTEMPTS):
        make_retries_due()
        run_queued_tasks()

    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.attempts == 5
    assert not deferred_sends().exists()
    last = DBTaskResult.objects.filter(task_path=SEND).order_by("enqueued_at").last()
    assert last.status == "FAILED"

    client.force_login(verifier)
    outbox = reverse("admin:accounts_outgoingemail_changelist")
    page = client.get(outbox, {"status__exact": "failed"}).content.decode()
    assert business.owner.email in page
    assert "Connection refused" in page

    inbox, port = smtp_server
    use_smtp(settings, port)
    client.post(
        outbox,
        {"action": "send_again", "_selected_action": [email.pk]},
    )
    run_queued_tasks()

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.body == ""
    [received] = inbox.messages
    assert received.rcpt_tos == [business.owner.email]


def test_the_text_of_an_email_is_never_shown_in_the_admin(admin_client, client):
    """The confirmation link in a queued email is a secret of the one signing up:
    not even a superuser reads it in the outbox."""
    sign_up(client)
    email = OutgoingEmail.objects.get()
    link = next(word for word in email.body.split() if "/konfirmasi/" in word)

    listing = admin_client.get(reverse("admin:accounts_outgoingemail_changelist"))
    detail = admin_client.get(
        reverse("admin:accounts_outgoingemail_change", args=[email.pk])
    )

    assert listing.status_code == detail.status_code == 200
    assert link not in listing.content.decode()
    assert link not in detail.content.decode()
    assert email.subject in detail.content.decode()


def test_a_decision_rolled_back_queues_no_email():
    """The email and its task are written in the decision's transaction: when it
    rolls back (here, an error after the decision), neither exists."""
    business = make_business(status=Business.Status.PENDING)
    verifier = make_verifier()

    with pytest.raises(RuntimeError), transaction.atomic():
        verify_business(business, by=verifier)
        raise RuntimeError("something failed after the decision")

    assert not OutgoingEmail.objects.exists()
    assert not DBTaskResult.objects.exists()
    business.refresh_from_db()
    assert business.status == Business.Status.PENDING


def test_a_decision_queues_its_email_and_its_task_together():
    """A committed decision leaves its email and the task that sends it."""
    business = make_business(status=Business.Status.PENDING)

    verify_business(business, by=make_verifier())

    [email] = OutgoingEmail.objects.all()
    [task] = DBTaskResult.objects.filter(task_path=SEND)
    assert email.to == business.owner.email
    assert task.args_kwargs["args"] == [email.pk]
    assert mail.outbox == []


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the worker process needs a database it can share: SQLite's test "
    "database lives in this process's memory",
)
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_delivers_to_a_real_mail_server(
    client, smtp_server, reference_data
):
    """`manage.py db_worker --batch` in a process of its own sends the confirmation
    email of a sign-up to the SMTP server: the link in it confirms the account."""
    inbox, port = smtp_server
    sign_up(client)
    test_url = urlsplit(os.environ["DATABASE_URL"])._replace(
        path="/" + connection.settings_dict["NAME"]
    )

    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload"]
        + ["--no-startup-delay"],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": urlunsplit(test_url),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "DEBUG": "1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert worker.returncode == 0, worker.stderr
    [received] = inbox.messages
    assert received.rcpt_tos == ["siti@example.com"]
    text = received.content.decode()
    path = next(word for word in text.split() if "/konfirmasi/" in word).removeprefix(
        "http://testserver"
    )
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT
    assert client.get(path).status_code == 200
    assert client.post(path, {"password": "kopi-susu-gula-aren"}).status_code == 302
    assert User.objects.get(email="siti@example.com").is_active
