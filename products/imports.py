"""Spreadsheet imports of the agency's register (businesses or products), shared by
the admin's Import button and `manage.py import_register`.

In the admin a file becomes an ImportJob, and two background tasks
(products/tasks.py, run by `manage.py db_worker`) do the work a web request
cannot do within gunicorn's 30 s: the preview, a dry run listing every row error
(run_preview), and, once the staff member confirmed a preview without errors, the
import itself (run_commit): every row in one transaction, together with the job's
new status, so that a worker that dies mid-way leaves nothing written. Both use
the resources of products/resources.py exactly as the admin's import did, with
the uploader as the user (who registered the businesses, whose name the History
pages and the admin log show).

Progress (rows done of the file's rows) is written every IMPORT_PROGRESS_EVERY
rows through a database connection of its own (Progress), so the job's page sees
it while the import's transaction is still open.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import RowResult
from import_export.signals import post_import

from serang_umkm.tasks import enqueue_with_transaction

from .models import ImportJob
from .resources import BusinessResource, ProductResource

logger = logging.getLogger(__name__)

RESOURCES = {
    ImportJob.Kind.BUSINESSES: BusinessResource,
    ImportJob.Kind.PRODUCTS: ProductResource,
}
FORMATS = {ImportJob.Format.CSV: CSV, ImportJob.Format.XLSX: XLSX}
# CSV files are read as UTF-8, with or without the byte order mark Excel writes.
ENCODING = "utf-8-sig"
# The preview lists this many errors at most (with the count of all of them).
IMPORT_MAX_LISTED_ERRORS = 500
# A confirmed import waits this long when another one of the same kind runs.
RETRY_BUSY_AFTER = timedelta(seconds=30)
BUSY = object()


class FileUnreadable(Exception):
    """The uploaded file is no CSV or XLSX file the resources can read."""


def row_errors(result):
    """Every error of an import result as (row number, column, message), by row;
    errors about the whole file come first, with row number 0."""
    errors = [(0, "", str(error.error)) for error in result.base_errors]
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            column = "" if column == NON_FIELD_ERRORS else column
            errors += [(row.number, column, message) for message in messages]
    for row in result.error_rows:
        errors += [(row.number, "", str(error.error)) for error in row.errors]
    return sorted(errors, key=lambda error: error[0])


def summarize(result):
    """What the job's page shows of an import result (JSON): its counts, and its
    errors (the first IMPORT_MAX_LISTED_ERRORS, with how many there are)."""
    errors = row_errors(result)
    totals = result.totals
    return {
        "rows": result.total_rows,
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
        "unchanged": totals[RowResult.IMPORT_TYPE_SKIP],
        "invalid": totals[RowResult.IMPORT_TYPE_INVALID]
        + totals[RowResult.IMPORT_TYPE_ERROR],
        "error_count": len(errors),
        "errors": [
            {"row": number, "column": column, "message": str(message)}
            for number, column, message in errors[:IMPORT_MAX_LISTED_ERRORS]
        ],
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
        "errors": [{"row": 0, "column": "", "message": message}],
    }


def read_dataset(data, file_format):
    """The rows of a CSV or XLSX file's content (bytes) as a tablib Dataset, the
    first row holding the headers; FileUnreadable when it cannot be read."""
    try:
        dataset = FORMATS[file_format](encoding=ENCODING).create_dataset(data)
    except UnicodeDecodeError as error:
        raise FileUnreadable(
            _("The file is not UTF-8 text: save it as “CSV UTF-8” or as XLSX.")
        ) from error
    except Exception as error:
        raise FileUnreadable(
            _("The file cannot be read as %(format)s: %(error)s")
            % {"format": file_format.upper(), "error": error}
        ) from error
    if not dataset.headers or not len(dataset):
        raise FileUnreadable(_("The file has no rows under its header row."))
    return dataset


def read_job_file(job):
    """The dataset of the job's stored file, read through the storage API (the
    storage may be remote and the worker on another host)."""
    try:
        with job.file.open("rb") as stored:
            data = stored.read()
    except (OSError, ValueError) as error:
        raise FileUnreadable(_("The uploaded file is no longer stored.")) from error
    return read_dataset(data, job.file_format)


def create_job(kind, upload, file_format, user):
    """A new job for an uploaded file (stored at once, under imports/)."""
    job = ImportJob(
        kind=kind,
        file_format=file_format,
        file_name=upload.name[:255],
        created_by=user,
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


def import_file(job, dataset, dry_run, progress):
    """The resource's import of the dataset as the admin ran it, by the uploader:
    in a transaction, rolled back for a dry run and on any error."""
    resource = RESOURCES[job.kind]()
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=job.created_by,
        file_name=job.file_name,
        retain_instance_in_row_result=not dry_run,
        progress=progress,
    )


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
    without errors, which the import still needs."""
    current = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
    if current is None or current.status != running:
        return False
    for name, value in fields.items():
        setattr(job, name, value)
    if job.status != ImportJob.Status.PREVIEWED or job.preview.get("error_count"):
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
    """The preview task: a dry run of the job's file recording its counts and row
    errors; nothing is written. Returns the job's new status (or None when there
    was nothing to do)."""
    job = start(job_pk, ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWING)
    if job is None:
        return None
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            try:
                dataset = read_job_file(job)
            except FileUnreadable as error:
                summary, total = file_error(str(error)), 0
            else:
                total = len(dataset)
                ImportJob.objects.filter(pk=job.pk).update(
                    rows_total=total, updated_at=timezone.now()
                )
                progress = Progress(job)
                try:
                    result = import_file(job, dataset, dry_run=True, progress=progress)
                finally:
                    progress.close()
                summary, total = summarize(result), result.total_rows
            with transaction.atomic():
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


def run_commit(job_pk, language=None):
    """The import task: every row of the confirmed job's file in one transaction,
    with the admin log entries and the job's result, all or nothing (a row that
    became invalid since the preview, e.g. a business deleted meanwhile, fails it
    and writes nothing). Returns the job's new status (or None)."""
    language = language or settings.LANGUAGE_CODE
    job = claim_commit(job_pk)
    if job is BUSY:
        return retry_later(job_pk, language)
    if job is None:
        return None
    with translation.override(language):
        try:
            try:
                dataset = read_job_file(job)
            except FileUnreadable as error:
                fail(job.pk, str(error))
                return ImportJob.Status.FAILED
            ImportJob.objects.filter(pk=job.pk).update(
                rows_total=len(dataset), updated_at=timezone.now()
            )
            progress = Progress(job)
            with transaction.atomic():
                try:
                    result = import_file(job, dataset, dry_run=False, progress=progress)
                finally:
                    progress.close()
                summary = summarize(result)
                if summary["error_count"]:
                    # import_data rolled its own rows back.
                    outcome = {
                        "status": ImportJob.Status.FAILED,
                        "message": ngettext(
                            "Nothing was imported: %(count)d error appeared since "
                            "the preview (the catalogue changed meanwhile). Upload "
                            "the file again.",
                            "Nothing was imported: %(count)d errors appeared since "
                            "the preview (the catalogue changed meanwhile). Upload "
                            "the file again.",
                            summary["error_count"],
                        )
                        % {"count": summary["error_count"]},
                    }
                else:
                    log_import(job, result)
                    outcome = {"status": ImportJob.Status.IMPORTED}
                saved = finish(
                    job,
                    ImportJob.Status.IMPORTING,
                    result=summary,
                    rows_done=result.total_rows,
                    rows_total=result.total_rows,
                    **outcome,
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
