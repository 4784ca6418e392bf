from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from products.admin_toolkit import (
    CounterColumns,
    DecisionAdmin,
    DecisionForm,
    HistoryLogAdmin,
    ReencodedImageForm,
    WaitingQueueFilter,
    count_of,
    created_on,
    decide_selected,
    reject_with_reason,
    site_url,
)

from . import decisions
from .models import Agency, Display, OpeningHours, Outlet, OutletClosure
from .resources import DisplayResource


def managed_outlets(request):
    """The outlets the user curates: those of their agencies (all for a superuser)."""
    return Outlet.objects.managed_by(request.user)


class AgencyScopedAdmin(admin.ModelAdmin):
    """Shows and lets staff touch only the objects of the outlets of their agencies;
    the lookup from the model to its outlet is outlet_lookup ("pk" for an outlet)."""

    outlet_lookup = "outlet"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        lookup = {f"{self.outlet_lookup}__in": managed_outlets(request)}
        return queryset.filter(**lookup)

    def is_managed(self, request, obj):
        if obj is None or request.user.is_superuser:
            return True
        # Asked several times per page (view, change, delete…): look it up once.
        known = request.__dict__.setdefault("_managed_objects", {})
        key = (self.model, obj.pk)
        if key not in known:
            known[key] = (
                self.model._default_manager.filter(pk=obj.pk)
                .filter(**{f"{self.outlet_lookup}__in": managed_outlets(request)})
                .exists()
            )
        return known[key]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.is_managed(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.is_managed(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.is_managed(
            request, obj
        )


@admin.register(Agency)
class AgencyAdmin(CounterColumns, admin.ModelAdmin):
    list_display = ["short_name", "name", "outlet_count", "member_count"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}
    filter_horizontal = ["members"]
    counters = {
        "outlet_count": (_("outlets"), Outlet.objects.all, "agency"),
        "member_count": (
            _("staff members"),
            Agency.members.through.objects.all,
            "agency",
        ),
    }

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            # Owners are users too; only staff accounts can curate, and listing them
            # keeps the widget small.
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True)
            kwargs["help_text"] = _(
                "Staff who curate the outlets this agency manages. Only staff "
                "accounts are listed."
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    fields = ["weekday", "opens_at", "closes_at"]
    extra = 0


class OutletClosureInline(admin.TabularInline):
    """The outlet's closures not yet ended (a renovation, an event): residents read
    them on the outlet page, which says it is closed on those days. Public holidays
    close every outlet by themselves. Staff touch them only on an outlet of their
    agency, as they do the outlet."""

    model = OutletClosure
    fields = ["starts_on", "ends_on", "reason"]
    extra = 0
    verbose_name_plural = _("closures (public holidays close the outlet by themselves)")

    def get_queryset(self, request):
        return super().get_queryset(request).not_ended().order_by("starts_on", "pk")

    def outlet_is_managed(self, request, obj):
        return self.admin_site.get_model_admin(Outlet).is_managed(request, obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.outlet_is_managed(
            request, obj
        )

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self.outlet_is_managed(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.outlet_is_managed(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.outlet_is_managed(
            request, obj
        )


class DisplayInlineFormSet(forms.BaseInlineFormSet):
    """Refuses approvals that, together, would fill the outlet beyond its capacity
    (each row on its own is checked by Display.clean())."""

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        displays = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    # A deleted row frees its place: count it as not on display.
                    displays.append(
                        Display(pk=form.instance.pk, status=Display.Status.CANCELLED)
                    )
            elif form.instance.pk or form.has_changed():
                displays.append(form.instance)
        Display.check_capacity(self.instance.pk, displays)


class SavedProductWidget(forms.Widget):
    """A saved display's product, as text: a display stays with its product (end it
    and place another). Unlike the autocomplete, it costs no query per row."""

    def __init__(self, product):
        super().__init__()
        self.product = product

    def render(self, name, value, attrs=None, renderer=None):
        return format_html("<strong>{}</strong>", self.product)


class DisplayDecisionForm(DecisionForm):
    """A display's decision in the admin (its change form, or a row of its outlet's
    page): refused over a colleague's change, a rejection needs its reason, and an
    approval without a first day starts today."""

    reason_field = "decision_reason"

    def clean(self):
        if self.instance.outlet_id and transaction.get_connection().in_atomic_block:
            decisions.lock_outlet(self.instance)
        cleaned_data = super().clean()
        if (
            cleaned_data.get("status") == Display.Status.APPROVED
            and not cleaned_data.get("starts_on")
            and "starts_on" in self.fields
        ):
            cleaned_data["starts_on"] = timezone.localdate()
        return cleaned_data


class DisplayInlineForm(DisplayDecisionForm):
    """A row of the outlet page. Its values as drawn are sent back hidden, so a row
    the staff member did not touch is never saved, even when a colleague changed
    that display since (a touched one is refused: VersionedForm)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True
        if self.instance.pk:
            product = self.fields["product"]
            product.disabled = True
            product.widget = SavedProductWidget(self.instance.product)


class DisplayInline(admin.TabularInline):
    """The outlet's displays that are current or still to come, and waiting requests."""

    model = Display
    form = DisplayInlineForm
    formset = DisplayInlineFormSet
    fields = [
        "drawn_version",
        "product",
        "business",
        "status",
        "starts_on",
        "ends_on",
        "decision_reason",
    ]
    readonly_fields = ["business"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 1, "cols": 30})}
    }
    autocomplete_fields = ["product"]
    show_change_link = True
    extra = 0
    # Folded: the outlet page lists the current displays compactly above
    # (templates/admin/outlets/outlet/change_form.html); this is for editing.
    classes = ["collapse"]
    verbose_name_plural = _("current and upcoming displays")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .open()
            .not_ended()
            .select_related("outlet", "product__business")
            .order_by("status", "starts_on", "pk")
        )

    @admin.display(description=_("business"))
    def business(self, obj):
        return obj.product.business if obj.pk else ""


class OutletAdminForm(ReencodedImageForm):
    image_setters = {"photo": "set_photo"}


@admin.register(Outlet)
class OutletAdmin(AgencyScopedAdmin):
    form = OutletAdminForm
    outlet_lookup = "pk"
    list_display = ["name", "kind", "agency", "status", "kelurahan", "capacity_used"]
    list_filter = ["kind", "status", "agency"]
    list_select_related = ["agency", "kelurahan"]
    search_fields = ["name", "address", "agency__name", "agency__short_name"]
    autocomplete_fields = ["kelurahan"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["capacity_used", "waiting_list", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "kind",
                    "agency",
                    "status",
                    "display_capacity",
                    "capacity_used",
                    "description",
                    "photo",
                ]
            },
        ),
        (
            _("Location and contact"),
            {
                "fields": [
                    "address",
                    "kelurahan",
                    "latitude",
                    "longitude",
                    "phone",
                    "whatsapp",
                ]
            },
        ),
        (_("Event dates"), {"fields": ["starts_on", "ends_on"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [OpeningHoursInline, OutletClosureInline, DisplayInline]
    waiting_list_length = 10

    def render_change_form(self, request, context, add=False, change=False, **kw):
        """An outlet's page opens with what curators act on: its capacity today,
        the waiting list in turn and the current displays, with links to end
        displays and to print the shelf labels."""
        obj = kw.get("obj")
        if obj is not None and obj.pk:
            context["curation"] = self.curation(request, obj)
        return super().render_change_form(request, context, add, change, **kw)

    def curation(self, request, outlet):
        current = list(
            Display.objects.current()
            .at(outlet)
            .select_related("product__business")
            .order_by("starts_on", "pk")
        )
        return {
            "on_display": len(current),
            "capacity": outlet.display_capacity,
            "current": current,
            "waiting_list": self.waiting_list(outlet),
            "end_displays_url": current_displays_url(outlet),
            "displays_url": outlet_displays_url(outlet),
            "labels_url": labels_url(outlet, request.get_full_path()),
        }

    def save_formset(self, request, form, formset, change):
        """Displays whose status changed are decided through the decision path;
        the rest are saved as edited."""
        if formset.model is not Display:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for display in formset.deleted_objects:
            display.delete()
        for display in formset.new_objects:
            if display.status != Display.Status.REQUESTED:
                display.record_decision(
                    display.status, by=request.user, reason=display.decision_reason
                )
            display.save()
        for display, changed in formset.changed_objects:
            if "status" in changed:
                decisions.decide_display(
                    display,
                    display.status,
                    by=request.user,
                    reason=display.decision_reason,
                    site_url=site_url(request),
                )
            else:
                display.save()

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(current_displays=count_of(Display.objects.current(), "outlet"))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency" and not request.user.is_superuser:
            # Curators may not hand an outlet over to an agency they are not in.
            kwargs["queryset"] = Agency.objects.filter(members=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("on display"), ordering="current_displays")
    def capacity_used(self, obj):
        if obj.pk is None:
            return "-"
        return f"{obj.current_displays}/{obj.display_capacity}"

    @admin.display(description=_("next in turn"))
    def waiting_list(self, obj):
        if obj.pk is None:
            return "-"
        waiting = list(
            Display.objects.at(obj)
            .in_rotation_order()
            .select_related("product__business")[: self.waiting_list_length]
        )
        if not waiting:
            return _("No requests are waiting.")
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> — {} <small>({})</small></li>',
            (
                (
                    reverse("admin:outlets_display_change", args=[display.pk]),
                    display.product.business,
                    display.product,
                    gettext("last on display: %(last)s; requested %(requested)s")
                    % {
                        "last": last_shown_display(display),
                        "requested": date_format(
                            timezone.localtime(display.created_at).date()
                        ),
                    },
                )
                for display in waiting
            ),
        )
        return format_html(
            '<ol class="waiting-list">{}</ol><p><a href="{}">{}</a></p>',
            rows,
            waiting_list_url(obj),
            _("All requests waiting here, in turn"),
        )


class DisplayQueueFilter(WaitingQueueFilter):
    """The queue of display requests, oldest first or in fair-rotation order."""

    ROTATION = "rotation"

    def lookups(self, request, model_admin):
        return [
            *super().lookups(request, model_admin),
            (
                self.ROTATION,
                _("Waiting, fair rotation: never displayed or longest ago first"),
            ),
        ]

    def queryset(self, request, queryset):
        if self.value() == self.ROTATION:
            return queryset.filter(status=Display.Status.REQUESTED)
        return super().queryset(request, queryset)


def last_shown_display(display):
    """When the display's business last had a product on display (an annotated
    last_shown_on), for staff choosing whose turn it is."""
    if display.last_shown_on is None:
        return _("Never")
    return date_format(display.last_shown_on)


def outlet_displays_url(outlet):
    """Every display of the outlet in the admin."""
    return (
        reverse("admin:outlets_display_changelist") + f"?outlet__id__exact={outlet.pk}"
    )


def current_displays_url(outlet):
    """The outlet's displays on show today in the admin, where they are ended."""
    return f"{outlet_displays_url(outlet)}&{CurrentDisplayFilter.parameter_name}=yes"


def labels_url(outlet, back=""):
    """The outlet's printable shelf labels; their "Back" link returns to back."""
    url = reverse("outlets:labels", kwargs={"slug": outlet.slug})
    return f"{url}?{urlencode({'next': back})}" if back else url


def waiting_list_url(outlet):
    """The outlet's display requests in the admin, in fair-rotation order."""
    return (
        reverse("admin:outlets_display_changelist")
        + f"?{DisplayQueueFilter.parameter_name}={DisplayQueueFilter.ROTATION}"
        + f"&outlet__id__exact={outlet.pk}"
    )


class CurrentDisplayFilter(admin.SimpleListFilter):
    title = _("on display today")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.current()
        return queryset


@admin.register(Display)
class DisplayAdmin(ExportMixin, DecisionAdmin, AgencyScopedAdmin):
    resource_classes = [DisplayResource]
    form = DisplayDecisionForm
    decide = staticmethod(decisions.decide_display)
    waiting_status = Display.Status.REQUESTED
    # The columns that explain the queue (how long a request waited, when its
    # business was last on display) must fit a 1280 px screen.
    list_display = [
        "product_and_business",
        "outlet",
        "status",
        "window",
        created_on,
        "last_shown",
    ]
    list_display_links = ["product_and_business"]
    list_filter = [
        DisplayQueueFilter,
        "status",
        CurrentDisplayFilter,
        ("outlet", admin.RelatedOnlyFieldListFilter),
        "outlet__agency",
    ]
    list_select_related = ["outlet", "product__business"]
    search_fields = ["product__name", "product__business__name", "outlet__name"]
    search_help_text = _("Product, business or outlet name.")
    autocomplete_fields = ["outlet", "product"]
    date_hierarchy = "starts_on"
    show_full_result_count = False
    readonly_fields = [
        "message",
        "requested_by",
        "decided_by",
        "decided_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["outlet", "product", "starts_on", "ends_on"]}),
        (_("Request"), {"fields": ["requested_by", "message"]}),
        (
            _("Decision"),
            {
                "fields": [
                    "drawn_version",
                    "status",
                    "decision_reason",
                    "decided_by",
                    "decided_at",
                ]
            },
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    actions = ["approve", "reject", "end"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_business_last_shown()

    def get_list_display(self, request):
        """Without the columns that say the same on every row: the outlet when
        listed for one, the status and dates in the queue of requests (so that
        when each waited and its business's turn fit a 1280 px screen)."""
        same = set()
        if request.GET.get("outlet__id__exact"):
            same.add("outlet")
        if request.GET.get(DisplayQueueFilter.parameter_name) or (
            request.GET.get("status__exact") == Display.Status.REQUESTED
        ):
            same.update(["status", "window"])
        return [name for name in self.list_display if name not in same]

    @admin.display(description=_("product"), ordering="product__name")
    def product_and_business(self, obj):
        return format_html(
            '{}<br><span class="quiet">{}</span>', obj.product, obj.product.business
        )

    @admin.display(description=_("on display"), ordering="starts_on")
    def window(self, obj):
        if obj.starts_on is None:
            return "-"
        if obj.ends_on is None:
            return gettext("from %(start)s") % {"start": date_format(obj.starts_on)}
        return f"{date_format(obj.starts_on)} – {date_format(obj.ends_on)}"

    def get_ordering(self, request):
        if request.GET.get(DisplayQueueFilter.parameter_name) == (
            DisplayQueueFilter.ROTATION
        ):
            return Display.ROTATION_ORDERING
        return super().get_ordering(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "outlet":
            kwargs["queryset"] = managed_outlets(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("business last on display"), ordering="last_shown_on")
    def last_shown(self, obj):
        return last_shown_display(obj)

    @admin.action(
        description=_("Approve selected display requests from today"),
        permissions=["change"],
    )
    def approve(self, request, queryset):
        """Approve every selected request (of the curator's outlets: queryset is
        scoped) from today, or none: one the outlet has no free place for stops
        them all, with the reason."""
        decide_selected(
            self,
            request,
            queryset.waiting(),
            decisions.approve_from_today,
            lambda count: (
                ngettext(
                    "%(count)d display request approved.",
                    "%(count)d display requests approved.",
                    count,
                )
                % {"count": count}
            ),
            ordering=("outlet_id", "pk"),
        )

    @admin.action(description=_("End selected displays"), permissions=["change"])
    def end(self, request, queryset):
        """End every selected approved display (of the curator's outlets) through
        the decision path, all or nothing; the others are named as left alone."""
        approved = queryset.filter(status=Display.Status.APPROVED)
        left = queryset.exclude(status=Display.Status.APPROVED).count()
        decide_selected(
            self,
            request,
            approved,
            decisions.end_display,
            lambda count: (
                ngettext(
                    "%(count)d display ended.",
                    "%(count)d displays ended.",
                    count,
                )
                % {"count": count}
            ),
            nothing=_("None of the selected displays is approved: nothing was ended."),
            ordering=("outlet_id", "pk"),
        )
        if left:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected display was not approved (a request, or "
                    "ended, rejected or cancelled already) and was left as it was.",
                    "%(count)d selected displays were not approved (requests, or "
                    "ended, rejected or cancelled already) and were left as they "
                    "were.",
                    left,
                )
                % {"count": left},
                messages.WARNING,
            )

    @admin.action(
        description=_("Reject selected display requests (with a reason)"),
        permissions=["change"],
    )
    def reject(self, request, queryset):
        return reject_with_reason(
            self,
            request,
            queryset.waiting(),
            decisions.reject_display,
            lambda count: (
                ngettext(
                    "%(count)d display request rejected.",
                    "%(count)d display requests rejected.",
                    count,
                )
                % {"count": count}
            ),
        )


@admin.register(Display.history.model)
class DisplayHistoryAdmin(HistoryLogAdmin):
    """The displays' log, each row named like its display (product @ outlet) from
    the rows joined in, not a query per row."""

    list_display = ["history_date", "display", "status", "history_type", "history_user"]
    list_select_related = ["history_user", "product", "outlet"]

    @admin.display(description=_("display"))
    def display(self, obj):
        return f"{obj.product} @ {obj.outlet}"
