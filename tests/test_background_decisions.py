"""A bulk decision on a large selection runs as a background task (django-tasks,
products/tasks.py) instead of in the web request: still all or nothing, the owners
emailed after it commits, its result (or why nothing was changed) readable by the
staff member who started it under the admin's task results."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accounts.models import OutgoingEmail
from outlets.models import Display
from products import decisions, tasks
from products.models import Business
from tests.admin_helpers import make_curator, make_verifier
from tests.factories import make_business, make_display
from tests.task_helpers import run_queued_tasks

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def small_request_limit(settings, database_queue):
    """More than two objects make a large selection, queued in the database as in
    production."""
    settings.BULK_DECISIONS_IN_REQUEST = 2


def changelist(model):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")


def result_page(task_result):
    return reverse(
        "admin:django_tasks_database_dbtaskresult_change", args=[task_result.pk]
    )


def verify(client, businesses, **extra):
    return client.post(
        changelist(Business),
        {"action": "verify", "_selected_action": [b.pk for b in businesses]},
        **extra,
    )


def decisions_queued():
    """The queued bulk decisions (the owners' emails are tasks of their own)."""
    return DBTaskResult.objects.filter(task_path=tasks.decide_in_background.module_path)


def statuses(objects):
    return {type(obj)._base_manager.get(pk=obj.pk).status for obj in objects}


def test_a_large_selection_is_queued_and_changes_nothing_in_the_request(
    admin_client,
):
    """Verifying more businesses than BULK_DECISIONS_IN_REQUEST queues one task and
    decides nothing in the request; the staff member is told the decisions run in
    the background, with a link to the task's result."""
    pending = [make_business(status=Business.Status.PENDING) for _ in range(3)]

    response = verify(admin_client, pending, follow=True)

    assert statuses(pending) == {Business.Status.PENDING}
    assert mail.outbox == []
    [queued] = decisions_queued()
    assert queued.status == "READY"
    assert queued.task_path == "products.tasks.decide_in_background"
    assert sorted(queued.args_kwargs["kwargs"]["pks"]) == sorted(b.pk for b in pending)
    assert queued.args_kwargs["kwargs"]["decision"] == (
        "products.decisions.verify_business"
    )
    [message] = response.context["messages"]
    assert "3" in str(message)
    assert result_page(queued) in str(message)


def test_a_small_selection_is_still_decided_in_the_request(admin_client):
    """Up to BULK_DECISIONS_IN_REQUEST objects are decided at once, as before."""
    pending = [make_business(status=Business.Status.PENDING) for _ in range(2)]

    verify(admin_client, pending)

    assert statuses(pending) == {Business.Status.VERIFIED}
    assert not decisions_queued().exists()


def test_running_the_queue_verifies_them_all_and_emails_the_owners(
    client, django_capture_on_commit_callbacks
):
    """The worker verifies every selected business, by the staff member who chose
    the action, and emails each owner; the Verifikator reads how many were decided
    on the task's result page."""
    verifier = make_verifier()
    client.force_login(verifier)
    pending = [make_business(status=Business.Status.PENDING) for _ in range(3)]
    verify(client, pending)

    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()

    assert statuses(pending) == {Business.Status.VERIFIED}
    assert {b.status_changed_by for b in Business.objects.all()} == {verifier}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        b.owner.email for b in pending
    )
    [done] = decisions_queued()
    assert done.status == "SUCCESSFUL"
    assert done.return_value["decided"] == 3
    assert "refused" not in done.return_value
    page = client.get(result_page(done))
    assert page.status_code == 200
    assert "3 keputusan dibuat" in page.content.decode()


def test_a_refused_batch_changes_nothing_and_its_result_says_why(
    client, cipare, django_capture_on_commit_callbacks
):
    """A bulk approval beyond the outlet's capacity is refused in the worker as in
    a request: every request stays requested, nobody is emailed, and the task's
    result (on the curator's result page) gives the reason; the worker carries
    on."""
    cipare.display_capacity = 2
    cipare.save(update_fields=["display_capacity"])
    make_display(outlet=cipare)
    requests = [
        make_display(outlet=cipare, status=Display.Status.REQUESTED) for _ in range(3)
    ]
    curator = make_curator("dinkopukmperindag")
    client.force_login(curator)
    client.post(
        changelist(Display),
        {"action": "approve", "_selected_action": [r.pk for r in requests]},
    )

    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()

    assert statuses(requests) == {Display.Status.REQUESTED}
    assert mail.outbox == []
    [refused] = decisions_queued()
    assert refused.args_kwargs["kwargs"]["kwargs"] == {"ordering": ["outlet_id", "pk"]}
    assert refused.return_value["decided"] == 0
    assert "(2/2)" in refused.return_value["refused"]
    page = client.get(result_page(refused)).content.decode()
    assert "Tidak ada yang diubah" in page
    assert "(2/2)" in page


def test_staff_see_only_the_tasks_they_started(client):
    """Another Verifikator's task is not in a staff member's list of results."""
    mine, theirs = make_verifier(), make_verifier()
    client.force_login(theirs)
    verify(client, [make_business(status=Business.Status.PENDING) for _ in range(3)])
    [task_result] = decisions_queued()
    client.force_login(mine)

    listing = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))

    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 0
    assert client.get(result_page(task_result)).status_code == 302


def test_with_the_immediate_backend_the_task_runs_in_the_request(
    settings, admin_client, django_capture_on_commit_callbacks
):
    """TASKS_BACKEND=...ImmediateBackend runs the same task at once: the large
    selection is verified when the request ends."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    pending = [make_business(status=Business.Status.PENDING) for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        response = verify(admin_client, pending, follow=True)

    assert response.status_code == 200
    assert statuses(pending) == {Business.Status.VERIFIED}
    assert len(mail.outbox) == 3
    [message] = response.context["messages"]
    assert "<a " not in str(message)


@pytest.mark.parametrize(
    "path",
    [
        "os.system",
        "products.tasks.decide_in_background",
        "products.decisions.transaction",
        "products.decisions.timezone",
    ],
)
def test_the_task_accepts_only_decision_functions(path):
    """A queued task names its decision by a dotted path: only the functions of
    products/decisions.py and outlets/decisions.py are accepted."""
    with pytest.raises(ValueError):
        tasks.resolve_decision(path)
    assert tasks.resolve_decision("outlets.decisions.approve_from_today")
    assert tasks.decision_path(decisions.verify_business) == (
        "products.decisions.verify_business"
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the worker process needs a database it can share: SQLite's test "
    "database lives in this process's memory",
)
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_runs_the_queue(admin_client, reference_data):
    """`manage.py db_worker --batch`, a process of its own on the same database,
    runs the queued decision: the businesses are verified, the owners emailed, and
    the result recorded."""
    pending = [make_business(status=Business.Status.PENDING) for _ in range(3)]
    verify(admin_client, pending)
    # The same server, the test database (pytest-django's "test_…" copy).
    test_url = urlsplit(os.environ["DATABASE_URL"])._replace(
        path="/" + connection.settings_dict["NAME"]
    )

    worker = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
        ],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": urlunsplit(test_url),
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "DEBUG": "1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert worker.returncode == 0, worker.stderr
    assert statuses(pending) == {Business.Status.VERIFIED}
    for business in pending:
        assert business.owner.email in worker.stdout
    [done] = decisions_queued()
    assert done.status == "SUCCESSFUL"
    assert done.return_value["decided"] == 3
    # The decision queued the owners' emails, which the same worker sent.
    assert OutgoingEmail.objects.filter(status="sent").count() == 3
