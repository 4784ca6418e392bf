"""Background tasks (django-tasks; run by `manage.py db_worker`, see README).

A bulk decision on a large selection (products/admin.py, decide_selected) runs here
instead of in the web request. The task gets only JSON-serialisable arguments and
goes through the same path as in a request: decisions.decide_all(), all or nothing
in one transaction, the owners emailed after the commit.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django_tasks import task

from . import decisions

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
