"""Background tasks (django-tasks; run by `manage.py db_worker`, see README).

A bulk decision on a large selection (products/admin_toolkit.py, decide_selected)
runs here instead of in the web request. The task gets only JSON-serialisable
arguments and goes through the same path as in a request: decisions.decide_all(),
all or nothing in one transaction, the owners emailed after the commit.

The admin's spreadsheet imports are previewed and written here too
(preview_import, commit_import; the work is in products/imports.py).

Photo variants are made again from their large variant here (rebuild_photo_variants,
queued by `manage.py rebuild_photo_variants` and an action of the product admin).
"""

import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django_tasks import task

from . import decisions, imports
from .models import ProductPhoto

# Only the decision functions of these modules may be named by a queued task.
DECISION_MODULES = ("products.decisions", "outlets.decisions")


def decision_path(decision):
    """The dotted path of a decision function, as decide_in_background takes it."""
    path = f"{decision.__module__}.{decision.__qualname__}"
    resolve_decision(path)
    return path


def resolve_decision(path):
    """The decision function at path; ValueError unless it is a function of
    products/decisions.py or outlets/decisions.py."""
    module, _, name = path.rpartition(".")
    if module not in DECISION_MODULES or not name or name.startswith("_"):
        raise ValueError(f"Not a decision function: {path!r}")
    decision = import_string(path)
    if not callable(decision) or getattr(decision, "__module__", None) != module:
        raise ValueError(f"Not a decision function: {path!r}")
    return decision


@task()
def decide_in_background(
    model, pks, decision, user_pk, kwargs=None, site_url="", language="id"
):
    """Apply the decision (dotted path) by the staff member (user_pk) to the objects
    of model ("app_label.ModelName") with the pks, all or nothing, as
    decisions.decide_all() does in a request; kwargs go to each decision (e.g.
    reason), except "ordering" (a list), which orders the objects.

    Returns what staff read in the task's result: {"selected", "decided"} and, when
    a refusal (e.g. a full outlet, a colleague's change) rolled everything back,
    "refused" with the reason and "decided" 0. A refusal is the decision's
    outcome, not a failure of the task: the worker records it and carries on.
    """
    kwargs = dict(kwargs or {})
    ordering = tuple(kwargs.pop("ordering", None) or ("pk",))
    decide = resolve_decision(decision)
    model_class = apps.get_model(model)
    user = get_user_model()._base_manager.get(pk=user_pk)
    queryset = model_class._base_manager.filter(pk__in=pks)
    with translation.override(language):
        result = {"model": model, "decision": decision, "selected": len(pks)}
        try:
            result["decided"] = decisions.decide_all(
                queryset,
                decide,
                by=user,
                ordering=ordering,
                site_url=site_url,
                **kwargs,
            )
        except ValidationError as error:
            result["decided"] = 0
            result["refused"] = gettext("Nothing was changed: %(error)s") % {
                "error": " ".join(error.messages)
            }
    return result


@task()
def preview_import(job_pk, language="id"):
    """The preview of an admin import (products/imports.py, run_preview): a dry run
    of the ImportJob's file recording its counts and row errors on the job."""
    return {"job": job_pk, "status": imports.run_preview(job_pk, language)}


@task()
def commit_import(job_pk, language="id"):
    """The confirmed admin import (products/imports.py, run_commit): every row of
    the ImportJob's file in one transaction, or nothing."""
    return {"job": job_pk, "status": imports.run_commit(job_pk, language)}


# How many photos one rebuild_photo_variants task takes (about a second each).
PHOTOS_PER_REBUILD_TASK = 200


def enqueue_photo_rebuilds(photo_pks):
    """Queue rebuild_photo_variants for the photos with photo_pks, in tasks of
    PHOTOS_PER_REBUILD_TASK photos; return how many tasks were queued."""
    photo_pks = sorted(photo_pks)
    batches = [
        photo_pks[start : start + PHOTOS_PER_REBUILD_TASK]
        for start in range(0, len(photo_pks), PHOTOS_PER_REBUILD_TASK)
    ]
    for batch in batches:
        rebuild_photo_variants.enqueue(photo_pks=batch)
    return len(batches)


@task()
def rebuild_photo_variants(photo_pks):
    """Make the medium and thumbnail variants of the photos with photo_pks again
    from their stored large variant (ProductPhoto.rebuild_variants), each photo in
    a transaction of its own with its row locked, so that an owner replacing the
    photo meanwhile waits instead of losing the new variants. The files replaced
    are deleted once each row is saved.

    Returns {"selected", "rebuilt", "missing"}: a photo whose large file is gone
    or unreadable is missing, left as it was, and does not stop the others; one
    deleted since it was queued is in neither count.
    """
    result = {"selected": len(photo_pks), "rebuilt": 0, "missing": 0}
    for pk in photo_pks:
        with transaction.atomic():
            photo = ProductPhoto.objects.select_for_update().filter(pk=pk).first()
            if photo is None:
                continue
            try:
                photo.rebuild_variants()
            except (FileNotFoundError, ValidationError):
                result["missing"] += 1
            else:
                result["rebuilt"] += 1
    return result


@task()
def send_monthly_summaries(month):
    """Email the month's summary (month: "YYYY-MM-01") to the owners who asked for
    it (products/summaries.py); queued once a month by the counts' flush."""
    from . import summaries

    return {"queued": summaries.send_summaries(datetime.date.fromisoformat(month))}
