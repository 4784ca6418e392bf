"""The staff admin's toolkit, shared by the products and outlets admins and the
staff summary (outlets/staff_dashboard.py): decisions through the decision path
(decide_selected, reject_with_reason, DecisionAdmin and its forms), waiting queues
oldest first, indexed search, read-only history, counts by subquery and images
re-encoded on upload. The admin classes of products' own models stay in
products/admin.py."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin

from . import decisions, tasks, uploads
from .forms import StoredFilesForm, VersionedForm
from .models import (  # noqa: F401 (count_of: imported from here by the admins)
    ProductPhoto,
    count_of,
)


class CounterColumns:
    """A ModelAdmin's counter columns, declared once each: counters maps a column
    of list_display to (its heading, a function returning the rows counted, the
    field by which they point at the listed row). Each is annotated (count_of) on
    the admin's queryset, shown and sortable."""

    counters = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, (description, _rows, _field) in cls.counters.items():
            setattr(cls, name, counter_column(name, description))

    def get_queryset(self, request):
        counts = {
            name: count_of(rows(), field)
            for name, (_description, rows, field) in self.counters.items()
        }
        return super().get_queryset(request).annotate(**counts)


def counter_column(name, description):
    """The list column showing the annotation name, sorted by it."""

    @admin.display(description=description, ordering=name)
    def column(self, obj):
        return getattr(obj, name)

    column.__name__ = name
    return column


def thumbnail_html(name):
    """A 48×48 image tag for a stored ProductPhoto thumbnail, or "" without one."""
    if not name:
        return ""
    url = ProductPhoto._meta.get_field("thumbnail").storage.url(name)
    return format_html('<img src="{}" width="48" height="48" alt="">', url)


class ReencodedImageForm(StoredFilesForm):
    """Stores uploads to the fields of image_setters only through the model's setter
    (e.g. set_logo), which keeps a re-encoded, metadata-free copy, never the upload;
    the file it replaces is deleted. The fields are uploads.ImageField: an upload is
    checked and decoded once, and the setter re-encodes that decoded image."""

    image_setters = {}

    @property
    def stored_file_fields(self):
        return list(self.image_setters)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.image_setters:
            if name in self.fields:  # Not when shown read-only.
                self.fields[name] = uploads.ImageField.replacing(self.fields[name])

    def save(self, commit=True):
        for field, setter in self.image_setters.items():
            upload = self.cleaned_data.get(field)
            if isinstance(upload, UploadedFile):
                getattr(self.instance, setter)(upload)
        return super().save(commit)


class DecisionForm(VersionedForm):
    """The admin form of an object whose status is decided (a Decided model): it
    refuses to save over a colleague's change (VersionedForm), and a changed status
    must be a decision allowed from the stored one, with a reason where one is
    required (decisions.check_decision); the save goes through the decision path
    (DecisionAdmin)."""

    reason_field = "status_reason"

    def clean(self):
        cleaned_data = super().clean()
        status = cleaned_data.get("status")
        if status and "status" in self.changed_data:
            try:
                decisions.check_decision(
                    self.instance, status, cleaned_data.get(self.reason_field) or ""
                )
            except ValidationError as error:
                field = self.reason_field if error.code == "reason_required" else None
                self.add_error(field or "status", error)
        return cleaned_data


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Shown to each owner in the email about the rejection."),
    )


def site_url(request):
    """This site's address ("https://host/"), for the links in emails."""
    return request.build_absolute_uri("/")


def decide_selected(
    modeladmin, request, queryset, decision, message, nothing="", **kwargs
):
    """Apply decision (a function of products/decisions.py or outlets/decisions.py)
    to every selected object, all or nothing: one refusal (a full outlet, a
    colleague's change) rolls every one back and is reported. message(count) is
    what the staff member is told afterwards; when none of the selected objects
    could be decided, a warning (nothing, or that none awaits a decision) instead.

    More than settings.BULK_DECISIONS_IN_REQUEST objects are decided by a
    background task instead (a request must end within gunicorn's timeout); the
    staff member is told where to read its result."""
    count = queryset.count()
    if count == 0:
        return nothing_decided(modeladmin, request, nothing)
    if count > settings.BULK_DECISIONS_IN_REQUEST:
        return decide_in_background(
            modeladmin, request, queryset, decision, count, **kwargs
        )
    try:
        count = decisions.decide_all(
            queryset, decision, by=request.user, site_url=site_url(request), **kwargs
        )
    except ValidationError as error:
        modeladmin.message_user(
            request,
            _("Nothing was changed: %(error)s") % {"error": " ".join(error.messages)},
            messages.ERROR,
        )
        return
    if count == 0:
        return nothing_decided(modeladmin, request, nothing)
    modeladmin.message_user(request, message(count))


def nothing_decided(modeladmin, request, text=""):
    """Warn that no selected object could be decided (never "0 … approved" as a
    success)."""
    modeladmin.message_user(
        request,
        text
        or _("None of the selected %(name)s are awaiting a decision.")
        % {"name": modeladmin.model._meta.verbose_name_plural},
        messages.WARNING,
    )


def decide_in_background(modeladmin, request, queryset, decision, count, **kwargs):
    """Queue the decision on the objects of queryset (see decide_selected) as one
    task, and tell the staff member where its result will be."""
    if "ordering" in kwargs:
        kwargs["ordering"] = list(kwargs["ordering"])
    result = tasks.decide_in_background.enqueue(
        model=modeladmin.model._meta.label,
        pks=list(queryset.values_list("pk", flat=True)),
        decision=tasks.decision_path(decision),
        user_pk=request.user.pk,
        kwargs=kwargs,
        site_url=site_url(request),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    text = ngettext(
        "%(count)d decision runs in the background, all or nothing; the owners "
        "are emailed once it is made.",
        "%(count)d decisions run in the background, all or nothing; the owners "
        "are emailed once they are made.",
        count,
    ) % {"count": count}
    if not isinstance(tasks.decide_in_background.get_backend(), DatabaseBackend):
        # Another backend (TASKS_BACKEND, e.g. immediate) keeps no result rows.
        modeladmin.message_user(request, text)
        return
    url = reverse(
        f"admin:{DBTaskResult._meta.app_label}_dbtaskresult_change",
        args=[result.id],
        current_app=modeladmin.admin_site.name,
    )
    modeladmin.message_user(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            text,
            url,
            _("See its result."),
        ),
    )


def reject_with_reason(modeladmin, request, queryset, reject, message):
    """An admin action rejecting every object of queryset (those awaiting a decision)
    for a reason typed on a confirmation page, like Django's delete_selected.

    The first request shows the page; its form posts back with "post" and the reason.
    reject is the decision function; message(count) is what the staff member is
    told afterwards. An empty reason shows the page again.
    """
    opts = modeladmin.model._meta
    if "post" in request.POST:
        form = RejectionForm(request.POST)
        if form.is_valid():
            return decide_selected(
                modeladmin,
                request,
                queryset,
                reject,
                message,
                reason=form.cleaned_data["reason"],
            )
    else:
        form = RejectionForm()
    queryset = list(queryset)
    if not queryset:
        modeladmin.message_user(
            request,
            _("None of the selected %(name)s are awaiting a decision.")
            % {"name": opts.verbose_name_plural},
            messages.WARNING,
        )
        return None
    objects_name = opts.verbose_name if len(queryset) == 1 else opts.verbose_name_plural
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Reject selected %(name)s") % {"name": opts.verbose_name_plural},
        "subtitle": None,
        "objects_name": objects_name,
        "queryset": queryset,
        "form": form,
        "opts": opts,
        "action_name": request.POST["action"],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/reject_selected_confirmation.html", context)


@admin.display(description=_("created at"), ordering="created_at")
def created_on(obj):
    """The day a row was created, short enough for a queue's column."""
    return date_format(timezone.localtime(obj.created_at).date())


class WaitingQueueFilter(admin.SimpleListFilter):
    """The queue of what waits for a staff decision; listed oldest first (see
    WaitingQueueAdmin.get_ordering)."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("waiting", _("Waiting for a decision, oldest first"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.waiting()
        return queryset


class WaitingQueueAdmin(admin.ModelAdmin):
    """Lists what waits for a decision (the queue filter, or the status filter on
    waiting_status) oldest first, so nothing waits forever."""

    waiting_status = "pending"

    def get_ordering(self, request):
        if (
            request.GET.get(WaitingQueueFilter.parameter_name) == "waiting"
            or request.GET.get("status__exact") == self.waiting_status
        ):
            return ["created_at", "pk"]
        return super().get_ordering(request)


class IndexedSearchAdmin(admin.ModelAdmin):
    """Searches each of search_fields (plain "contains" fields) on its own and unites
    the matches (SQL UNION) so that each field's index serves its part: the default
    search ORs the fields across joins in one WHERE, which no index can serve, so at
    city scale it scanned every product. Each word must match, as by default."""

    def get_search_results(self, request, queryset, search_term):
        fields = self.get_search_fields(request)
        if not search_term.strip() or not fields:
            return super().get_search_results(request, queryset, search_term)
        manager = queryset.model._default_manager
        for word in smart_split(search_term):
            if word[0] in "\"'" and word[0] == word[-1]:
                word = unescape_string_literal(word)
            matches = [
                manager.filter(**{f"{field}__icontains": word}).order_by().values("pk")
                for field in fields
            ]
            queryset = queryset.filter(pk__in=matches[0].union(*matches[1:]))
        return queryset, False


class RecordedHistoryAdmin(SimpleHistoryAdmin):
    """Each object's History page lists every saved change, who made it and when.
    Past versions can be looked at but never restored: the revert button is hidden
    (SIMPLE_HISTORY_REVERT_DISABLED) and a version's page refuses to save."""

    history_list_display = ["status"]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )


class HistoryLogAdmin(admin.ModelAdmin):
    """The log of every recorded change of one model, read-only (for superusers and
    staff given its view permission): history is never added to, edited or deleted
    by hand."""

    list_display = ["history_date", "__str__", "status", "history_type", "history_user"]
    list_filter = ["history_type", "status", "history_date"]
    list_select_related = ["history_user"]
    search_fields = ["history_user__email", "history_change_reason"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DecisionAdmin(RecordedHistoryAdmin, WaitingQueueAdmin):
    """Admin of a Decided model: a status changed in the change form is saved
    through the decision path, decide(obj, status, by=…, reason=…, site_url=…)."""

    form = DecisionForm
    decide = staticmethod(decisions.review)

    def save_model(self, request, obj, form, change):
        reason = getattr(obj, form.reason_field)
        if change and "status" in form.changed_data:
            self.decide(
                obj,
                obj.status,
                by=request.user,
                reason=reason,
                site_url=site_url(request),
            )
            return
        if not change and obj.status != self.model._meta.get_field("status").default:
            # Created with its decision already made (e.g. placed by staff).
            obj.record_decision(obj.status, by=request.user, reason=reason)
        super().save_model(request, obj, form, change)


class StatusTrailAdmin(DecisionAdmin):
    """Admin of a StatusTrail model: records who changed the status, and when."""

    trail_fields = [
        "status_changed_by",
        "status_changed_at",
        "created_at",
        "updated_at",
    ]
