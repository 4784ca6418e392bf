"""Spreadsheet imports of the agency's register (businesses or products), shared by
the admin's Import button and `manage.py import_register`.

In the admin a file becomes an ImportJob, and two background tasks
(products/tasks.py, run by `manage.py db_worker`) do the work a web request
cannot do within gunicorn's 30 s: the preview, a dry run listing every row error
(run_preview), and, once the staff member confirmed the preview, the import
itself (run_commit): every row without errors in one transaction, together with
the job's new status, so that a worker that dies mid-way leaves nothing written,
and only when it does what the preview showed. The register is read as the
agency keeps it (products/register.py): rows and columns are named as in the
spreadsheet. Both use
the resources of products/resources.py exactly as the admin's import did, with
the uploader as the user (who registered the businesses, whose name the History
pages and the admin log show).

Progress (rows done of the file's rows) is written every IMPORT_PROGRESS_EVERY
rows through a database connection of its own (Progress), so the job's page sees
it while the import's transaction is still open.
"""

import hashlib
import io
import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import RowResult
from import_export.signals import post_import
from openpyxl import Workbook

from serang_umkm.tasks import enqueue_with_transaction

from . import register
from .models import Business, ImportJob
from .register import FileUnreadable
from .resources import BusinessResource, ProductResource, safe_cell

logger = logging.getLogger(__name__)

RESOURCES = {
    ImportJob.Kind.BUSINESSES: BusinessResource,
    ImportJob.Kind.PRODUCTS: ProductResource,
}
# The admin's import formats, by ImportJob.Format (products/register.py reads them;
# CSV as UTF-8, with or without the byte order mark Excel writes).
FORMATS = {ImportJob.Format.CSV: CSV, ImportJob.Format.XLSX: XLSX}
# The preview lists this many errors at most (with the count of all of them).
IMPORT_MAX_LISTED_ERRORS = 500
# A confirmed import waits this long when another one of the same kind runs.
RETRY_BUSY_AFTER = timedelta(seconds=30)
BUSY = object()
UNSAVED_ROW = gettext_lazy(
    "This row could not be saved: import the file again; if this stays, tell the "
    "system administrator."
)


def row_errors(result, sheet=None):
    """Every error of an import result as (row number, column, message), by row;
    errors about the whole file come first, with row number 0. With the register's
    sheet, rows are numbered as in the spreadsheet and columns named by their
    headers there."""
    number = sheet.row_number if sheet else (lambda n: n)
    column_label = sheet.column if sheet else (lambda name: name)
    errors = [(0, "", str(error.error)) for error in result.base_errors]
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            column = "" if column == NON_FIELD_ERRORS else column_label(column)
            errors += [(number(row.number), column, message) for message in messages]
    for row in result.error_rows:
        # An unexpected error (e.g. the database refusing a row a colleague's
        # change made a duplicate): its wording is for the log, not for staff.
        for error in row.errors:
            logger.warning("Import row %s failed: %r", row.number, error.error)
            errors.append((number(row.number), "", UNSAVED_ROW))
    return sorted(errors, key=lambda error: error[0])


def row_warnings(resource, sheet=None):
    """The values the import read with a warning, as (row number, column, message)."""
    number = sheet.row_number if sheet else (lambda n: n)
    column_label = sheet.column if sheet else (lambda name: name)
    return [
        (
            number(row),
            "" if column == NON_FIELD_ERRORS else column_label(column),
            str(message),
        )
        for row, column, message in getattr(resource, "warnings", [])
    ]


def outcome_digest(result):
    """A fingerprint of what the import does with each row (new, updated — of
    which object —, unchanged, invalid): the import of a confirmed preview must
    do exactly what its preview showed."""
    digest = hashlib.sha256()
    for row in result.rows:
        target = "" if row.import_type == RowResult.IMPORT_TYPE_NEW else row.object_id
        digest.update(f"{row.import_type}:{target};".encode())
    for row in (*result.invalid_rows, *result.error_rows):
        digest.update(f"invalid:{row.number};".encode())
    return digest.hexdigest()


def summarize(result, resource=None, sheet=None):
    """What the job's page shows of an import result (JSON): its counts, its
    errors and warnings (the first IMPORT_MAX_LISTED_ERRORS of each, with how
    many there are), what it says about the file, and the outcome's digest."""
    errors = row_errors(result, sheet)
    warnings = row_warnings(resource, sheet)
    totals = result.totals
    return {
        "rows": result.total_rows,
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
        "unchanged": totals[RowResult.IMPORT_TYPE_SKIP],
        "invalid": totals[RowResult.IMPORT_TYPE_INVALID]
        + totals[RowResult.IMPORT_TYPE_ERROR],
        "error_count": len(errors),
        # Errors that stop the whole file (not a row's): it cannot be imported.
        "blocking": len(result.base_errors) + len(result.error_rows),
        "errors": [
            {"row": number, "column": column, "message": str(message)}
            for number, column, message in errors[:IMPORT_MAX_LISTED_ERRORS]
        ],
        "warning_count": len(warnings),
        "warnings": [
            {"row": number, "column": column, "message": message}
            for number, column, message in warnings[:IMPORT_MAX_LISTED_ERRORS]
        ],
        "notes": [str(note) for note in sheet.notes()] if sheet else [],
        "digest": outcome_digest(result),
    }


def file_error(message):
    """A summary holding one error about the whole file."""
    return {
        "rows": 0,
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "invalid": 0,
        "error_count": 1,
        "file_error": True,
        "errors": [{"row": 0, "column": "", "message": message}],
    }


def read_register(data, file_format, kind, sheet=""):
    """The register in a file's content (bytes) for an import of kind, as a Sheet
    (products/register.py); FileUnreadable when it cannot be read."""
    return register.read_register(data, file_format, RESOURCES[kind](), sheet=sheet)


def read_job_file(job):
    """The register in the job's stored file, read through the storage API (the
    storage may be remote and the worker on another host)."""
    try:
        with job.file.open("rb") as stored:
            data = stored.read()
    except (OSError, ValueError) as error:
        raise FileUnreadable(_("The uploaded file is no longer stored.")) from error
    return read_register(data, job.file_format, job.kind, job.sheet)


def error_rows_file(result, sheet):
    """An XLSX file of the rows with errors as the sheet has them, each with its
    row number in the spreadsheet and its errors (ContentFile), or None."""
    messages = {}
    for number, column, message in row_errors(result):
        if number:
            label = sheet.column(column) if column else ""
            text = f"{label}: {message}" if label else str(message)
            messages.setdefault(number, []).append(text)
    if not messages:
        return None
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(_("Rows with errors")[:31])
    worksheet.append([_("Row"), *sheet.written_headers, _("Errors")])
    for number in sorted(messages):
        cells = sheet.raw_rows[number - 1]
        width = len(sheet.written_headers)
        cells = [*cells, *[None] * (width - len(cells))][:width]
        worksheet.append(
            [
                sheet.row_number(number),
                *(safe_cell(cell) for cell in cells),
                safe_cell("; ".join(messages[number])),
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return ContentFile(output.getvalue(), name="errors.xlsx")


def create_job(kind, upload, file_format, user, sheet="", verify_businesses=False):
    """A new job for an uploaded file (stored at once, under imports/)."""
    job = ImportJob(
        kind=kind,
        file_format=file_format,
        file_name=upload.name[:255],
        created_by=user,
        sheet=sheet[:100],
        verify_businesses=verify_businesses and kind == ImportJob.Kind.BUSINESSES,
    )
    job.file = upload
    job.save()
    return job


def enqueue_preview(job, language):
    """Queue the job's preview with the transaction saving the job (the immediate
    backend runs it once that commits)."""
    from . import tasks

    enqueue_step(tasks.preview_import, job.pk, language)


def enqueue_commit(job, language):
    """Queue the import of the job's confirmed file with the confirmation."""
    from . import tasks

    enqueue_step(tasks.commit_import, job.pk, language)


def enqueue_step(task, job_pk, language):
    enqueue_with_transaction(
        task, job_pk=job_pk, language=language, then=partial(record_task, job_pk)
    )


def record_task(job_pk, result):
    # Only the task id: the immediate backend has run the task already, and the
    # job row holds what it did.
    ImportJob.objects.filter(pk=job_pk).update(task_id=result.id)


class Progress:
    """Called with each row number by the resource (RegisterResource.import_row):
    every IMPORT_PROGRESS_EVERY rows it writes the count to the job's row.

    The import runs inside a transaction (a dry run is rolled back at its end), so
    the count goes through a database connection of its own, in autocommit: the
    job's page sees it at once, and the rollback leaves it. SQLite allows a single
    writer at a time, so there (development) the count is only written between
    the steps. A failing write never stops the import; later ones are skipped.

    The import's own connection must not touch the job's row before close(): on
    PostgreSQL its row lock would make the next progress write wait for ever.
    """

    def __init__(self, job, every=None):
        self.job_pk = job.pk
        self.every = every or settings.IMPORT_PROGRESS_EVERY
        self.connection = None
        if connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, row_number):
        if row_number % self.every == 0:
            self.write(row_number)

    def write(self, rows_done):
        if self.connection is None:
            return
        ops = self.connection.ops
        table = ImportJob._meta.db_table
        sql = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s".format(
            ops.quote_name(table),
            ops.quote_name("rows_done"),
            ops.quote_name("updated_at"),
            ops.quote_name("id"),
        )
        now = ops.adapt_datetimefield_value(timezone.now())
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(sql, [rows_done, now, self.job_pk])
        except DatabaseError:
            logger.warning("Cannot record the progress of import job %s", self.job_pk)
            self.close()

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def import_file(job, sheet, dry_run, progress):
    """The resource's import of the register's sheet as the admin ran it, by the
    uploader: in a transaction, rolled back for a dry run and on any error.
    Returns the result and the resource (which holds the warnings)."""
    resource = RESOURCES[job.kind]()
    verify = job.verify_businesses and job.kind == ImportJob.Kind.BUSINESSES
    result = resource.import_data(
        sheet.dataset,
        sheet=sheet,
        verify_by=job.created_by if verify else None,
        verify_reason=_("From the agency's register (import of “%(file)s”).")
        % {"file": job.file_name},
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        # Rows with errors are left out (the preview showed which); any other
        # error rolls every row back.
        rollback_on_validation_errors=False,
        user=job.created_by,
        file_name=job.file_name,
        retain_instance_in_row_result=not dry_run,
        progress=progress,
    )
    return result, resource


def start(job_pk, waiting, running):
    """Move the job from waiting to running unless another worker took it (or it
    went meanwhile); the job, or None."""
    started = ImportJob.objects.filter(pk=job_pk, status=waiting).update(
        status=running, rows_done=0, updated_at=timezone.now()
    )
    return (
        ImportJob.objects.select_related("created_by").get(pk=job_pk)
        if started
        else None
    )


def finish(job, running, **fields):
    """Save what the step found, unless the job was given up meanwhile (stale);
    True when saved. The stored file goes with every outcome but a preview
    that may be confirmed, which the import still needs."""
    current = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
    if current is None or current.status != running:
        return False
    for name, value in fields.items():
        setattr(job, name, value)
    if not job.may_be_confirmed:
        job.discard_file()
        job.finished_at = timezone.now()
    job.updated_at = timezone.now()
    job.save()
    return True


def fail(job_pk, message):
    """Give the job up with a message for the staff member; the stored file goes."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_pk).first()
        if job is None or job.status in (
            ImportJob.Status.IMPORTED,
            ImportJob.Status.FAILED,
        ):
            return
        job.status = ImportJob.Status.FAILED
        job.message = message
        job.discard_file()
        job.finished_at = job.updated_at = timezone.now()
        job.save()


def expire_stale():
    """Give up the jobs whose worker stopped (see ImportJobQuerySet.stale)."""
    for pk in ImportJob.objects.stale().values_list("pk", flat=True):
        fail(
            pk,
            _(
                "The background worker stopped while working on this file; "
                "nothing was imported. Upload the file again."
            ),
        )


def run_preview(job_pk, language=None):
    """The preview task: a dry run of the job's file recording its counts, row
    errors and warnings, and the rows with errors as a spreadsheet to download;
    nothing is imported. Returns the job's new status (or None when there was
    nothing to do)."""
    job = start(job_pk, ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWING)
    if job is None:
        return None
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            error_file = None
            try:
                sheet = read_job_file(job)
            except FileUnreadable as error:
                summary, total = file_error(str(error)), 0
            else:
                total = len(sheet.dataset)
                ImportJob.objects.filter(pk=job.pk).update(
                    rows_total=total, updated_at=timezone.now()
                )
                progress = Progress(job)
                try:
                    result, resource = import_file(
                        job, sheet, dry_run=True, progress=progress
                    )
                finally:
                    progress.close()
                summary, total = summarize(result, resource, sheet), result.total_rows
                error_file = error_rows_file(result, sheet)
            with transaction.atomic():
                if error_file is not None:
                    job.error_file.save(error_file.name, error_file, save=False)
                finish(
                    job,
                    ImportJob.Status.PREVIEWING,
                    status=ImportJob.Status.PREVIEWED,
                    preview=summary,
                    rows_total=total,
                    rows_done=total,
                )
        except Exception:
            fail(job.pk, _("An unexpected error stopped the preview."))
            raise
    return job.status


def claim_commit(job_pk):
    """Start the confirmed job's import unless another import of the same kind
    runs (two at once could both add a business the file holds); the job, BUSY,
    or None when there is nothing to do. Jobs of a stopped worker hold nothing
    back."""
    job = ImportJob.objects.filter(pk=job_pk).first()
    if job is None or job.status != ImportJob.Status.CONFIRMED:
        return None
    expire_stale()
    with transaction.atomic():
        # Confirmed and running jobs of the kind, locked in one order: of two
        # workers claiming at once, the second sees the first one's claim.
        list(
            ImportJob.objects.select_for_update()
            .filter(kind=job.kind, status__in=[*ImportJob.WAITING, *ImportJob.RUNNING])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        busy = (
            ImportJob.objects.running()
            .filter(kind=job.kind, status=ImportJob.Status.IMPORTING)
            .exclude(pk=job_pk)
            .exists()
        )
        if busy:
            return BUSY
        return start(job_pk, ImportJob.Status.CONFIRMED, ImportJob.Status.IMPORTING)


def retry_later(job_pk, language):
    """Queue the import again for after RETRY_BUSY_AFTER; a backend that cannot
    defer tasks sends the job back to its preview, to be confirmed again."""
    from . import tasks

    backend = tasks.commit_import.get_backend()
    if backend.supports_defer:
        task = tasks.commit_import.using(run_after=timezone.now() + RETRY_BUSY_AFTER)
        enqueue_step(task, job_pk, language)
        return ImportJob.Status.CONFIRMED
    ImportJob.objects.filter(pk=job_pk, status=ImportJob.Status.CONFIRMED).update(
        status=ImportJob.Status.PREVIEWED,
        message=_(
            "Another import of the same kind was running: confirm again once it "
            "has finished."
        ),
        updated_at=timezone.now(),
    )
    return ImportJob.Status.PREVIEWED


class PreviewChanged(Exception):
    """The import of a confirmed file would not do what its preview showed."""

    def __init__(self, summary):
        super().__init__()
        self.summary = summary


def run_commit(job_pk, language=None):
    """The import task: every row of the confirmed job's file in one transaction,
    with the admin log entries, the verification of the businesses when the job
    asks for it, and the job's result, all or nothing.

    The import must do exactly what the confirmed preview showed (the same rows
    new, updated, unchanged): when the catalogue changed meanwhile (a business
    got a row's NIB, one was deleted), nothing is written and the job shows its
    new preview, to be confirmed again. Returns the job's new status (or None)."""
    language = language or settings.LANGUAGE_CODE
    job = claim_commit(job_pk)
    if job is BUSY:
        return retry_later(job_pk, language)
    if job is None:
        return None
    with translation.override(language):
        try:
            try:
                sheet = read_job_file(job)
            except FileUnreadable as error:
                fail(job.pk, str(error))
                return ImportJob.Status.FAILED
            ImportJob.objects.filter(pk=job.pk).update(
                rows_total=len(sheet.dataset), updated_at=timezone.now()
            )
            progress = Progress(job)
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        try:
                            result, resource = import_file(
                                job, sheet, dry_run=False, progress=progress
                            )
                        finally:
                            progress.close()
                        summary = summarize(result, resource, sheet)
                        if summary["blocking"] or summary["digest"] != (
                            job.preview.get("digest")
                        ):
                            raise PreviewChanged(summary)
                        log_import(job, result)
                        verified = resource.verified + verify_imported(job, result)
                except PreviewChanged as changed:
                    saved = preview_again(job, changed.summary, result, sheet)
                else:
                    summary["verified"] = verified
                    saved = finish(
                        job,
                        ImportJob.Status.IMPORTING,
                        status=ImportJob.Status.IMPORTED,
                        result=summary,
                        rows_done=result.total_rows,
                        rows_total=result.total_rows,
                    )
                if not saved:
                    # Given up as stale meanwhile: its staff member was told
                    # nothing was imported, so nothing is.
                    transaction.set_rollback(True)
                    return None
                if job.status == ImportJob.Status.IMPORTED:
                    transaction.on_commit(
                        partial(post_import.send, sender=None, model=job.model)
                    )
        except Exception:
            fail(
                job.pk,
                _("An unexpected error stopped the import; nothing was imported."),
            )
            raise
    return job.status


def preview_again(job, summary, result, sheet):
    """Show the job's preview as the catalogue is now, to be confirmed again (or,
    with errors, corrected and uploaded again); nothing was imported."""
    changes = _(
        "Nothing was imported: the catalogue changed since the preview (a "
        "colleague added or changed businesses or products). Check the new "
        "preview below and confirm again."
    )
    error_file = error_rows_file(result, sheet)
    if error_file is not None:
        job.error_file.save(error_file.name, error_file, save=False)
    return finish(
        job,
        ImportJob.Status.IMPORTING,
        status=ImportJob.Status.PREVIEWED,
        preview=summary,
        result={},
        message=changes,
        rows_done=result.total_rows,
        rows_total=result.total_rows,
    )


def verify_imported(job, result):
    """When the job imports the agency's own register, verify the stored
    businesses it updated that still await verification, each as the importing
    staff member's decision (products/decisions.py; its new businesses were
    verified as they were saved); how many."""
    if not (job.verify_businesses and job.kind == ImportJob.Kind.BUSINESSES):
        return 0
    from . import decisions

    pks = [
        row.object_id
        for row in result.rows
        if row.import_type in (RowResult.IMPORT_TYPE_UPDATE, RowResult.IMPORT_TYPE_SKIP)
    ]
    waiting = Business.objects.filter(pk__in=pks).waiting()
    return decisions.decide_all(
        waiting,
        decisions.verify_business,
        by=job.created_by,
        reason=_("From the agency's register (import of “%(file)s”).")
        % {"file": job.file_name},
        site_url=job.site_url,
    )


def log_import(job, result):
    """The admin log entries of an import, as the admin's import wrote them: one
    per added, changed or deleted object, by the uploader (unless
    IMPORT_EXPORT_SKIP_ADMIN_LOG)."""
    if getattr(settings, "IMPORT_EXPORT_SKIP_ADMIN_LOG", False):
        return
    flags = {
        RowResult.IMPORT_TYPE_NEW: ADDITION,
        RowResult.IMPORT_TYPE_UPDATE: CHANGE,
        RowResult.IMPORT_TYPE_DELETE: DELETION,
    }
    for import_type, flag in flags.items():
        instances = [
            row.instance
            for row in result.rows
            if row.import_type == import_type and row.instance is not None
        ]
        if instances:
            LogEntry.objects.log_actions(
                job.created_by_id,
                instances,
                flag,
                change_message=f"{import_type} through import_export",
                single_object=len(instances) == 1,
            )


def format_key(format_class):
    """The ImportJob.Format of an import-export format class (CSV, XLSX)."""
    return next(key for key, known in FORMATS.items() if known is format_class)
