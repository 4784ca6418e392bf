"""The admin's spreadsheet imports run in the background (products/imports.py, the
tasks preview_import and commit_import): the upload becomes an ImportJob, whose page
shows the progress, then the preview with every row error, the confirmation of a
preview without errors, and the result; the import writes every row in one
transaction or none. Tasks run with the immediate backend, as the request queuing
them commits, or are called directly (the worker process has tests of its own)."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from products import imports, tasks
from products.models import Business, ImportJob, Product
from tests.admin_helpers import admin_url, make_staff, make_verifier
from tests.factories import make_business
from tests.test_import_export import (
    BAD_NIB,
    BAD_WHATSAPP,
    BUSINESS_HEADER,
    DODOL,
    EMPING,
    PRODUCT_HEADER,
    UNKNOWN_KELURAHAN,
    confirm,
    csv_bytes,
    error_columns,
    preview_of,
    upload,
)

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


def job_page(job):
    return reverse("admin:products_importjob_change", args=[job.pk])


def confirm_url(job):
    return reverse("admin:products_importjob_confirm", args=[job.pk])


def stored(job):
    """Whether the job's file is stored: in the private storage, never where the
    public media is served (the register holds owners' phone numbers)."""
    if not job.file.name:
        return False
    assert not default_storage.exists(job.file.name)
    return storages["private"].exists(job.file.name)


def make_job(user, content=b"", status=ImportJob.Status.UPLOADED, **fields):
    """A job as an upload leaves it (its file stored), in the status given."""
    job = ImportJob(
        kind=fields.pop("kind", ImportJob.Kind.BUSINESSES),
        file_format=ImportJob.Format.CSV,
        file_name="register.csv",
        created_by=user,
        status=status,
        **fields,
    )
    job.file.save("register.csv", ContentFile(content), save=False)
    job.save()
    return job


def test_the_upload_form_makes_a_job_previewed_in_the_background(
    verifikator_client, verifikator
):
    """The Import button's page keeps its form (file and format). Sending it
    stores the file, creates the staff member's job and queues its preview only
    once the request's transaction commits; the staff member is sent to the job's
    page, which shows the preview and the confirmation button."""
    page = verifikator_client.get(admin_url(Business, "import"))
    assert page.status_code == 200
    form = page.context["form"]
    data = {field.html_name: field.value() for field in form if field.value()}
    [csv_choice] = [
        value for value, label in form.fields["format"].choices if label == "csv"
    ]
    data.update(
        format=csv_choice,
        import_file=SimpleUploadedFile(
            "register umkm.csv", csv_bytes(BUSINESS_HEADER, DODOL, EMPING)
        ),
    )

    with TestCase.captureOnCommitCallbacks() as queued:
        response = verifikator_client.post(admin_url(Business, "import"), data)

    [job] = ImportJob.objects.all()
    assert response.status_code == 302
    assert response["Location"] == job_page(job)
    assert job.status == ImportJob.Status.UPLOADED  # nothing ran in the request
    assert (job.kind, job.file_format, job.created_by) == (
        "businesses",
        "csv",
        verifikator,
    )
    assert job.file_name == "register umkm.csv"
    assert job.file.name.startswith("imports/")
    assert "umkm" not in job.file.name  # a random name
    assert stored(job)
    assert len(queued) == 1

    queued[0]()  # the transaction committed: the (immediate) preview runs
    page = verifikator_client.get(response["Location"])

    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert job.task_id
    assert (job.rows_done, job.rows_total) == (2, 2)
    assert stored(job)  # the import still needs it
    assert page.context["may_confirm"]
    html = page.content.decode()
    assert f'action="{confirm_url(job)}"' in html
    assert "Konfirmasi impor" in html
    assert 'http-equiv="refresh"' not in html
    assert not Business.objects.filter(nib=DODOL[1]).exists()


def test_a_waiting_job_shows_its_progress_and_reloads_itself(verifikator_client):
    """Until a worker is done the page reloads itself every few seconds (a meta
    refresh: no script) and shows a progress bar with the rows done."""
    with TestCase.captureOnCommitCallbacks():  # the preview is never queued
        response = verifikator_client.post(
            admin_url(Business, "import"),
            {
                "resource": "0",
                "format": "0",
                "import_file": SimpleUploadedFile("r.csv", b"a"),
            },
        )
    job = ImportJob.objects.get()

    waiting = verifikator_client.get(response["Location"]).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.PREVIEWING, rows_done=1200, rows_total=10000
    )
    running = verifikator_client.get(response["Location"]).content.decode()

    for html in [waiting, running]:
        assert '<meta http-equiv="refresh" content="3">' in html
        assert "<progress" in html
        assert "<script>" not in html
        assert "Konfirmasi impor" not in html
    assert "Menunggu pekerja latar belakang" in waiting
    assert '<progress max="10000" value="1200"' in running
    assert "1.200 dari 10.000 baris" in running


def test_the_preview_lists_every_invalid_row_and_writes_nothing(verifikator_client):
    """Each error is a row of a plain table: its row number, column and reason.
    There is no confirmation, nothing is written, and the stored file goes (a file
    with errors is uploaded again once corrected)."""
    before = Business.objects.count()
    content = csv_bytes(
        BUSINESS_HEADER, DODOL, UNKNOWN_KELURAHAN, BAD_NIB, BAD_WHATSAPP, EMPING
    )

    page = upload(verifikator_client, Business, content)

    job = page.context["job"]
    assert job.status == ImportJob.Status.PREVIEWED
    assert error_columns(page) == {
        3: ["kelurahan (E)"],
        4: ["nib (B)"],
        5: ["whatsapp (G)"],
    }
    summary = preview_of(page)
    assert (summary["rows"], summary["new"], summary["invalid"]) == (5, 2, 3)
    html = page.content.decode()
    assert '<td class="row-number">3</td>' in html
    assert '<td class="column-name"><code>kelurahan (E)</code></td>' in html
    assert "Kelurahan Tak Ada" in html
    assert "3 dari 5 baris bergalat" in html
    assert "Konfirmasi impor" not in html
    assert "validation-error-container" not in html  # no tooltips
    assert Business.objects.count() == before
    # The file stays for the import of its rows without errors.
    assert job.file and not job.finished_at


def test_a_file_without_a_required_column_is_an_error_of_the_file(
    verifikator_client,
):
    """A register without the KELURAHAN column is previewed with an error of the file
    (not of a row), naming the column, and cannot be confirmed."""
    page = upload(
        verifikator_client, Business, csv_bytes(["nama_usaha"], ["Dodol Bu Ani"])
    )

    error, *_row_errors = preview_of(page)["errors"]
    assert error["row"] == 0
    assert "KELURAHAN" in error["message"]
    assert '<td class="row-number">berkas</td>' in page.content.decode()
    assert not page.context["may_confirm"]


def test_an_unreadable_file_is_an_error_of_the_file(verifikator_client):
    """A file that is not a workbook is previewed with a single error of the file saying
    it is not XLSX, and cannot be confirmed."""
    page = upload(
        verifikator_client,
        Business,
        b"not a workbook",
        name="register.xlsx",
        file_format=imports.XLSX,
    )

    [error] = preview_of(page)["errors"]
    assert error["row"] == 0
    assert "XLSX" in error["message"]
    assert page.context["job"].status == ImportJob.Status.PREVIEWED
    assert not page.context["may_confirm"]


def test_confirming_imports_every_row_as_registered_by_the_staff_member(
    verifikator_client, verifikator
):
    """The import writes every row, recorded as the uploader's (registered by
    staff, History and admin log), and the page shows the result with a link to
    the list; the stored file goes."""
    preview = upload(
        verifikator_client, Business, csv_bytes(BUSINESS_HEADER, DODOL, EMPING)
    )
    job = preview.context["job"]
    name = job.file.name

    response = confirm(verifikator_client, preview)

    assert response.status_code == 302
    assert response["Location"] == job_page(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert (job.result["new"], job.result["updated"]) == (2, 0)
    assert (job.rows_done, job.rows_total) == (2, 2)
    for business in Business.objects.filter(name__in=[DODOL[0], EMPING[0]]):
        assert business.assisted_registration
        assert business.registered_by == verifikator
        assert business.owner is None
        assert business.status == Business.Status.PENDING
        assert business.history.latest().history_user == verifikator
    logged = LogEntry.objects.filter(user=verifikator, action_flag=ADDITION)
    assert logged.count() == 2
    assert not job.file and not storages["private"].exists(name)
    page = verifikator_client.get(job_page(job)).content.decode()
    assert "Selesai diimpor" in page
    assert admin_url(Business, "changelist") in page
    assert "Konfirmasi impor" not in page


def test_products_are_imported_in_the_background(verifikator_client):
    """A product register, previewed then confirmed, imports its products, each waiting
    for review."""
    make_business(nib="3673010000001")
    content = csv_bytes(
        PRODUCT_HEADER, ["3673010000001", "", "Dodol Ketan", "makanan", "25000", ""]
    )

    preview = upload(verifikator_client, Product, content)
    confirm(verifikator_client, preview)

    assert preview.context["job"].kind == ImportJob.Kind.PRODUCTS
    assert Product.objects.get(name="Dodol Ketan").status == Product.Status.PENDING


def test_the_rows_without_errors_are_imported_and_the_others_left_out(
    verifikator_client,
):
    """A register with a few bad rows goes in without hand edits: confirming
    imports its good rows; the bad ones stay out, listed on the job's page and
    offered as a spreadsheet with their row numbers, to correct and upload."""
    preview = upload(
        verifikator_client,
        Business,
        csv_bytes(BUSINESS_HEADER, DODOL, BAD_NIB, EMPING),
    )
    job = preview.context["job"]
    assert preview.context["may_confirm"]
    page = preview.content.decode()
    assert "Impor 2 baris tanpa galat" in page
    assert "1 dari 3 baris bergalat" in page

    errors = verifikator_client.get(
        reverse("admin:products_importjob_errors", args=[job.pk])
    )
    assert errors.status_code == 200
    assert errors["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(errors.streaming_content)))
    header, row = sheet.active.iter_rows(values_only=True)
    assert header[0] == "Baris" and header[-1] == "Galat"
    assert row[0] == 3  # the spreadsheet's row number of BAD_NIB
    assert tuple(cell or "" for cell in row[1:-1]) == tuple(BAD_NIB)
    assert "13 angka" in row[-1]

    confirm(verifikator_client, preview)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert Business.objects.filter(nib__in=[DODOL[1], EMPING[1]]).count() == 2
    assert not Business.objects.filter(name=BAD_NIB[0]).exists()
    assert [e["row"] for e in job.result["errors"]] == [3]


def test_a_file_that_cannot_be_read_cannot_be_confirmed_even_by_a_forged_post(
    verifikator_client,
):
    """A preview with an error of the file, confirmed by a forged POST, stays a preview
    and its page says it is only a preview; the confirmation takes POST only."""
    preview = upload(verifikator_client, Business, csv_bytes(["nama_usaha"], ["A"]))
    job = preview.context["job"]
    assert not preview.context["may_confirm"]

    response = confirm(verifikator_client, preview)

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    page = verifikator_client.get(job_page(job))
    assert "Hanya pratinjau" in str(list(page.context["messages"])[0])
    # The confirmation takes POST only.
    assert verifikator_client.get(confirm_url(job)).status_code == 405


def test_a_job_not_previewed_yet_cannot_be_confirmed(verifikator_client, verifikator):
    """A register confirmed before its preview has run imports nothing and stays
    uploaded."""
    job = make_job(verifikator, csv_bytes(BUSINESS_HEADER, DODOL))

    with TestCase.captureOnCommitCallbacks(execute=True):
        verifikator_client.post(confirm_url(job))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED
    assert not Business.objects.filter(nib=DODOL[1]).exists()


def test_another_staff_member_can_neither_see_nor_confirm_a_job(
    client, verifikator_client, admin_user
):
    """Staff see and confirm their own jobs only; a superuser sees every job but
    confirms none of someone else's (the uploader is who imports)."""
    preview = upload(verifikator_client, Business, csv_bytes(BUSINESS_HEADER, DODOL))
    job = preview.context["job"]
    colleague = make_verifier()
    client.force_login(colleague)

    assert client.get(job_page(job)).status_code == 404
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(confirm_url(job)).status_code == 404
    listed = client.get(admin_url(ImportJob, "changelist"))
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == []

    client.force_login(admin_user)
    assert client.get(job_page(job)).status_code == 200
    assert not client.get(job_page(job)).context["may_confirm"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(confirm_url(job)).status_code == 403
    assert list(
        client.get(admin_url(ImportJob, "changelist")).context["cl"].result_list
    ) == [job]

    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert not Business.objects.filter(nib=DODOL[1]).exists()


def test_the_job_list_is_read_only_and_needs_the_import_permission(
    client, verifikator_client
):
    """A Verifikator lists their uploads but cannot add one there (403); staff without
    the import permission cannot open the list (403)."""
    upload(verifikator_client, Business, csv_bytes(BUSINESS_HEADER, DODOL))

    listed = verifikator_client.get(admin_url(ImportJob, "changelist"))

    html = listed.content.decode()
    assert [job.file_name for job in listed.context["cl"].result_list] == [
        "register.csv"
    ]
    assert admin_url(ImportJob, "add") not in html
    assert verifikator_client.get(admin_url(ImportJob, "add")).status_code == 403
    client.force_login(make_staff(permissions=["products.view_business"]))
    assert client.get(admin_url(ImportJob, "changelist")).status_code == 403


def test_losing_the_import_permission_stops_the_confirmation(
    verifikator_client, verifikator
):
    """A Verifikator who loses the import permission after the preview is refused the
    confirmation (403), and nothing is imported."""
    preview = upload(verifikator_client, Business, csv_bytes(BUSINESS_HEADER, DODOL))
    verifikator.groups.clear()

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = verifikator_client.post(confirm_url(preview.context["job"]))

    assert response.status_code == 403
    assert not Business.objects.filter(nib=DODOL[1]).exists()


def test_a_reupload_of_the_same_file_imports_as_unchanged(verifikator_client):
    """Uploading an imported register again previews and imports both rows as unchanged,
    adding no business."""
    content = csv_bytes(BUSINESS_HEADER, DODOL, EMPING)
    confirm(verifikator_client, upload(verifikator_client, Business, content))
    count = Business.objects.count()

    again = upload(verifikator_client, Business, content)
    confirm(verifikator_client, again)

    assert preview_of(again)["unchanged"] == 2
    job = again.context["job"]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert (job.result["new"], job.result["updated"], job.result["unchanged"]) == (
        0,
        0,
        2,
    )
    assert Business.objects.count() == count


def test_the_import_is_all_or_nothing(verifikator_client):
    """A row that became invalid between preview and import (its business was
    deleted meanwhile) stops the whole import: no row is written, and the page
    shows the new preview with the row's error and says why."""
    make_business(nib="3673010000001")
    gone = make_business(nib="3673010000002")
    content = csv_bytes(
        PRODUCT_HEADER,
        ["3673010000001", "", "Dodol Ketan", "makanan", "25000", ""],
        ["3673010000002", "", "Emping", "makanan", "18000", ""],
    )
    preview = upload(verifikator_client, Product, content)
    assert preview.context["may_confirm"]
    gone.delete()

    confirm(verifikator_client, preview)

    job = preview.context["job"]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert "Tidak ada yang diimpor" in job.message
    assert [e["row"] for e in job.preview["errors"]] == [3]
    assert job.may_be_confirmed  # its other row, once the staff member has read
    assert not Product.objects.filter(name__in=["Dodol Ketan", "Emping"]).exists()
    page = verifikator_client.get(job_page(job)).content.decode()
    assert "Tidak ada yang diimpor" in page and "Konfirmasi impor" not in page


def test_progress_is_recorded_every_few_rows_and_reaches_the_total(
    settings, verifikator_client, monkeypatch
):
    """The resource reports each row; every IMPORT_PROGRESS_EVERY rows the count
    is written (through a connection of its own on PostgreSQL), and each step ends
    with every row done."""
    settings.IMPORT_PROGRESS_EVERY = 2
    written = []
    monkeypatch.setattr(
        imports.Progress, "write", lambda progress, done: written.append(done)
    )
    rows = [
        [
            f"Usaha {n}",
            "",
            "mikro",
            "Serang",
            "Cipare",
            f"Jl. {n}",
            f"08121111{n:04}",
            "",
        ]
        for n in range(5)
    ]

    preview = upload(verifikator_client, Business, csv_bytes(BUSINESS_HEADER, *rows))
    job = preview.context["job"]
    assert written == [2, 4]
    assert (job.rows_done, job.rows_total) == (5, 5)
    confirm(verifikator_client, preview)

    assert written == [2, 4, 2, 4]
    job.refresh_from_db()
    assert (job.rows_done, job.rows_total) == (5, 5)
    assert job.status == ImportJob.Status.IMPORTED


def test_a_stale_job_does_not_block_a_new_import(verifikator_client, verifikator):
    """A job whose worker died (no progress for IMPORT_JOB_STALE_AFTER) is given
    up, and the next import of the same kind runs."""
    dead = make_job(verifikator, b"x", status=ImportJob.Status.IMPORTING)
    ImportJob.objects.filter(pk=dead.pk).update(
        updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    preview = upload(verifikator_client, Business, csv_bytes(BUSINESS_HEADER, DODOL))

    confirm(verifikator_client, preview)

    assert Business.objects.filter(nib=DODOL[1]).exists()
    dead.refresh_from_db()
    assert dead.status == ImportJob.Status.FAILED
    assert "tidak ada yang diimpor" in dead.message
    assert not dead.file


def test_a_running_import_of_the_same_kind_holds_the_next_one_back(
    settings, verifikator
):
    """Two imports of businesses never run at once (both could add the same new
    business): the database queue runs the second one later; a backend that
    cannot wait sends it back to its preview, to be confirmed again."""
    make_job(verifikator, b"x", status=ImportJob.Status.IMPORTING)
    waiting = make_job(
        verifikator,
        csv_bytes(BUSINESS_HEADER, DODOL),
        status=ImportJob.Status.CONFIRMED,
        preview={"rows": 1, "invalid": 0, "error_count": 0},
    )
    products = make_job(
        verifikator,
        csv_bytes(PRODUCT_HEADER),
        status=ImportJob.Status.CONFIRMED,
        kind=ImportJob.Kind.PRODUCTS,
    )

    settings.TASKS = DATABASE_QUEUE
    assert imports.run_commit(waiting.pk) == ImportJob.Status.CONFIRMED
    [later] = DBTaskResult.objects.all()
    assert later.task_path == "products.tasks.commit_import"
    assert later.run_after > timezone.now()
    waiting.refresh_from_db()
    assert waiting.task_id == str(later.id)
    assert not Business.objects.filter(nib=DODOL[1]).exists()
    # Another kind is not held back (its empty file fails on its own).
    assert imports.run_commit(products.pk) == ImportJob.Status.FAILED

    settings.TASKS = IMMEDIATE
    assert imports.run_commit(waiting.pk) == ImportJob.Status.PREVIEWED
    waiting.refresh_from_db()
    assert waiting.may_be_confirmed
    assert "konfirmasi lagi" in waiting.message


def test_the_database_queue_runs_the_preview_later(settings, verifikator_client):
    """With the database backend the upload only queues the preview, which a
    worker runs (here: the task called as the worker calls it)."""
    settings.TASKS = DATABASE_QUEUE
    with TestCase.captureOnCommitCallbacks(execute=True):
        verifikator_client.post(
            admin_url(Business, "import"),
            {
                "resource": "0",
                "format": "0",
                "import_file": SimpleUploadedFile(
                    "r.csv", csv_bytes(BUSINESS_HEADER, DODOL)
                ),
            },
        )
    job = ImportJob.objects.get()
    [queued] = DBTaskResult.objects.all()
    assert job.task_id == str(queued.id)
    assert job.status == ImportJob.Status.UPLOADED
    assert queued.args_kwargs["kwargs"] == {"job_pk": job.pk, "language": "id"}

    tasks.preview_import.call(**queued.args_kwargs["kwargs"])

    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert job.preview["new"] == 1
    # Run twice (e.g. by two workers), the task does nothing the second time.
    assert tasks.preview_import.call(job_pk=job.pk)["status"] is None


def test_deleting_a_job_deletes_its_stored_file(verifikator):
    """Deleting an import deletes its uploaded file from the private storage."""
    job = make_job(verifikator, b"nama_usaha\n")
    name = job.file.name
    assert storages["private"].exists(name)

    with TestCase.captureOnCommitCallbacks(execute=True):
        job.delete()

    assert not storages["private"].exists(name)


def test_a_preview_overtaken_by_a_colleague_is_shown_again_and_nothing_written(
    verifikator_client,
):
    """Between the preview ("2 new") and the confirmation a colleague registers a
    business with one of the file's NIBs: the import would now change that
    business instead of adding one, which the staff member never saw. Nothing is
    written; the job shows the new preview (1 new, 1 updated) to confirm again."""
    preview = upload(
        verifikator_client, Business, csv_bytes(BUSINESS_HEADER, DODOL, EMPING)
    )
    job = preview.context["job"]
    assert (job.preview["new"], job.preview["updated"]) == (2, 0)
    colleague = make_business(nib=DODOL[1], name="Dodol Ani (didaftar rekan)")

    confirm(verifikator_client, preview)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert "katalog berubah sejak pratinjau" in job.message
    assert (job.preview["new"], job.preview["updated"]) == (1, 1)
    assert job.may_be_confirmed and stored(job)
    colleague.refresh_from_db()
    assert colleague.name == "Dodol Ani (didaftar rekan)"
    assert not Business.objects.filter(name=EMPING[0]).exists()

    page = verifikator_client.get(job_page(job)).content.decode()
    assert "katalog berubah sejak pratinjau" in page and "Konfirmasi impor" in page
    confirm(verifikator_client, verifikator_client.get(job_page(job)))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    colleague.refresh_from_db()
    assert colleague.name == DODOL[0]
    assert Business.objects.filter(name=EMPING[0]).exists()


def test_a_colleague_cannot_download_the_rows_with_errors(client, verifikator_client):
    """The rows with errors hold owners' phone numbers: only the uploader (and a
    superuser) may download them, however the address is guessed."""
    preview = upload(
        verifikator_client, Business, csv_bytes(BUSINESS_HEADER, DODOL, BAD_NIB)
    )
    url = reverse("admin:products_importjob_errors", args=[preview.context["job"].pk])
    assert verifikator_client.get(url).status_code == 200

    client.force_login(make_verifier())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
