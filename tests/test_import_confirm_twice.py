"""Clicking "Konfirmasi impor" twice (a double click, a reload, a second tab):
the file is imported once, and the second click answers with a message."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.test import TestCase
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from products.models import Business, ImportJob
from tests.task_helpers import run_queued_tasks
from tests.test_background_imports import (
    DATABASE_QUEUE,
    confirm_url,
    immediate_tasks,
    job_page,
)
from tests.test_import_export import BUSINESS_HEADER, DODOL, EMPING, csv_bytes, upload

pytestmark = pytest.mark.django_db

__all__ = ["immediate_tasks"]  # fixtures


def post_confirm(client, job):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(confirm_url(job), follow=True)


def messages_of(response):
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def test_confirming_a_finished_import_again_imports_nothing(
    verifikator_client, verifikator
):
    """A Verifikator confirming an import that has finished, again, is taken back to its
    page with a message; the two businesses are imported and logged once."""
    preview = upload(
        verifikator_client, Business, csv_bytes(BUSINESS_HEADER, DODOL, EMPING)
    )
    job = preview.context["job"]
    first = post_confirm(verifikator_client, job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED

    again = post_confirm(verifikator_client, job)

    assert again.redirect_chain == [(job_page(job), 302)]
    [(level, _text)] = messages_of(again)
    assert level == "info"
    assert first.status_code == again.status_code == 200
    assert Business.objects.filter(name__in=[DODOL[0], EMPING[0]]).count() == 2
    assert LogEntry.objects.filter(user=verifikator, action_flag=ADDITION).count() == 2
    job.refresh_from_db()
    assert (job.status, job.result["new"]) == (ImportJob.Status.IMPORTED, 2)


def test_a_double_click_queues_the_import_once(settings, verifikator_client):
    """Both clicks land before a worker runs the import: one task is queued."""
    preview = upload(verifikator_client, Business, csv_bytes(BUSINESS_HEADER, DODOL))
    job = preview.context["job"]
    settings.TASKS = DATABASE_QUEUE

    post_confirm(verifikator_client, job)
    again = post_confirm(verifikator_client, job)

    assert again.status_code == 200
    [(level, _text)] = messages_of(again)
    assert level == "info"
    assert DBTaskResult.objects.count() == 1
    assert run_queued_tasks() == 1
    assert Business.objects.filter(name=DODOL[0]).count() == 1


def test_a_click_racing_the_first_one_gets_the_message(verifikator_client):
    """The second request read the job as previewed, but the first one confirmed
    it just before: it queues nothing and says so."""
    preview = upload(verifikator_client, Business, csv_bytes(BUSINESS_HEADER, DODOL))
    job = preview.context["job"]
    original = ImportJob.objects.filter

    def confirmed_meanwhile(*args, **kwargs):
        if kwargs.get("status") == ImportJob.Status.PREVIEWED:
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.CONFIRMED
            )
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ImportJob.objects, "filter", confirmed_meanwhile)
        response = post_confirm(verifikator_client, job)

    [(level, _text)] = messages_of(response)
    assert level == "info"
    assert not Business.objects.filter(name=DODOL[0]).exists()


def test_the_job_list_still_answers(verifikator_client):
    """A Verifikator's list of imports opens."""
    url = reverse("admin:products_importjob_changelist")
    assert verifikator_client.get(url).status_code == 200
