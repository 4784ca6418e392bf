from datetime import timedelta
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import (
    FileResponse,
    Http404,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm

from accounts.emails import notify_with_change

from . import decisions, imports, tasks, uploads
from .admin_toolkit import (
    CounterColumns,
    DecisionForm,
    HistoryLogAdmin,
    IndexedSearchAdmin,
    ReencodedImageForm,
    StatusTrailAdmin,
    WaitingQueueFilter,
    created_on,
    decide_selected,
    reject_with_reason,
    site_url,
    thumbnail_html,
)
from .emails import notify_owner_of_hand_over
from .forms import StoredFilesForm
from .models import (
    Business,
    Category,
    Certification,
    ImportJob,
    Kecamatan,
    Kelurahan,
    Product,
    ProductPhoto,
    ProposedChange,
)
from .resources import BusinessResource, ProductResource
from .templatetags.catalogue import rupiah


class BusinessAdminForm(DecisionForm, ReencodedImageForm):
    image_setters = {"logo": "set_logo"}


class TaskResultAdmin(DBTaskResultAdmin):
    """django-tasks-db's read-only list of background tasks, with what each
    decided (or why it was refused) in words; staff other than superusers see the
    tasks they started."""

    list_display = ("enqueued_at", "outcome", "status", "finished_at")
    list_display_links = ("enqueued_at",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(args_kwargs__kwargs__user_pk=request.user.pk)
        return queryset

    def get_readonly_fields(self, request, obj=None):
        return ["outcome", *super().get_readonly_fields(request, obj)]

    @admin.display(description=_("outcome"))
    def outcome(self, obj):
        return task_outcome(obj)


def task_outcome(obj):
    """In words: what the background decision of the task result obj did."""
    if obj.task_path != tasks.decide_in_background.module_path:
        return obj.task_name
    selected = obj.args_kwargs.get("kwargs", {}).get("pks", [])
    if obj.status == TaskResultStatus.FAILED:
        return _("Failed (nothing was changed): see the traceback.")
    if obj.status != TaskResultStatus.SUCCESSFUL or not obj.return_value:
        return ngettext(
            "%(count)d decision waiting to be made.",
            "%(count)d decisions waiting to be made.",
            len(selected),
        ) % {"count": len(selected)}
    result = obj.return_value
    if "refused" in result:
        return result["refused"]
    return ngettext(
        "%(count)d decision made.", "%(count)d decisions made.", result["decided"]
    ) % {"count": result["decided"]}


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)


@admin.register(Kecamatan)
class KecamatanAdmin(CounterColumns, admin.ModelAdmin):
    list_display = ["name", "code", "kelurahan_count"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}
    counters = {
        "kelurahan_count": (_("kelurahan"), Kelurahan.objects.all, "kecamatan"),
    }


@admin.register(Kelurahan)
class KelurahanAdmin(CounterColumns, admin.ModelAdmin):
    list_display = ["name", "kecamatan", "code", "business_count"]
    list_filter = ["kecamatan"]
    list_select_related = ["kecamatan"]
    search_fields = ["name", "code", "kecamatan__name"]
    prepopulated_fields = {"slug": ["name"]}
    counters = {
        "business_count": (_("businesses"), Business.objects.all, "kelurahan"),
    }


@admin.register(Category)
class CategoryAdmin(CounterColumns, admin.ModelAdmin):
    list_display = ["name", "position", "product_count"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    counters = {"product_count": (_("products"), Product.objects.all, "category")}


def import_job_url(job, admin_site=admin.site):
    """The address of an import job's page in the admin."""
    return reverse(
        "admin:products_importjob_change", args=[job.pk], current_app=admin_site.name
    )


class RegisterImportForm(ImportForm):
    """The upload of a register: the file, its format, the sheet to read, and for
    businesses whether the agency's own register is verified at once."""

    sheet = forms.CharField(
        label=_("Sheet"),
        max_length=100,
        required=False,
        help_text=_(
            "The name of the workbook's sheet to read, e.g. PRODUK. Leave it empty "
            "to read the sheet whose header fits."
        ),
    )
    verify_businesses = forms.BooleanField(
        label=_("Agency register data: verified at once"),
        required=False,
        help_text=_(
            "Only for the agency's own register: every new business of the file "
            "is verified as your decision (recorded in its history), instead of "
            "waiting in the verification queue."
        ),
    )


class BackgroundImportMixin(ImportExportMixin):
    """The Import button's page takes the file and its format as before, but the
    preview and the import run as background tasks (products/imports.py): an
    upload becomes an ImportJob of import_job_kind, and the staff member is sent
    to its page (ImportJobAdmin), which shows the progress, the preview with
    every row error, the confirmation and the result. The permission to import
    is unchanged (IMPORT_EXPORT_IMPORT_PERMISSION_CODE)."""

    import_job_kind = None
    import_form_class = RegisterImportForm

    def may_verify_on_import(self, request):
        """Whether the upload may ask for the businesses to be verified at once:
        businesses, by a staff member who may verify them."""
        return self.import_job_kind == ImportJob.Kind.BUSINESSES and (
            self.has_change_permission(request)
        )

    def create_import_form(self, request):
        form = super().create_import_form(request)
        if not self.may_verify_on_import(request):
            del form.fields["verify_businesses"]
        return form

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = self.create_import_form(request)
            if form.is_valid():
                formats = self.get_import_formats()
                job = imports.create_job(
                    self.import_job_kind,
                    form.cleaned_data["import_file"],
                    file_format=imports.format_key(
                        formats[int(form.cleaned_data["format"])]
                    ),
                    user=request.user,
                    sheet=form.cleaned_data.get("sheet", ""),
                    verify_businesses=form.cleaned_data.get("verify_businesses", False),
                )
                imports.enqueue_preview(
                    job, translation.get_language() or settings.LANGUAGE_CODE
                )
                return HttpResponseRedirect(import_job_url(job, self.admin_site))
        # The upload form (again, with its errors).
        return super().import_action(request, **kwargs)

    def process_import(self, request, **kwargs):
        """The former second step (a confirmation posted with a temporary file's
        name): imports are confirmed on their job's page now."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(
                f"admin:{opts.app_label}_{opts.model_name}_import",
                current_app=self.admin_site.name,
            )
        )


@admin.register(Business)
class BusinessAdmin(CounterColumns, BackgroundImportMixin, StatusTrailAdmin):
    resource_classes = [BusinessResource]
    import_job_kind = ImportJob.Kind.BUSINESSES
    counters = {"product_count": (_("products"), Product.objects.all, "business")}
    form = BusinessAdminForm
    # "Created at" (how long a business waited) must fit a 1280 px screen beside
    # the menu and the filter: the owner is on the business's page, and whether
    # staff registered it is a filter.
    list_display = [
        "name",
        "kelurahan",
        "size",
        "status",
        "product_count",
        created_on,
    ]
    list_filter = [
        WaitingQueueFilter,
        "status",
        "assisted_registration",
        ("owner", admin.EmptyFieldListFilter),
        "size",
        "kelurahan__kecamatan",
        "created_at",
    ]
    list_select_related = ["owner", "kelurahan"]
    search_fields = [
        "name",
        "nib",
        "whatsapp",
        "owner_name",
        "owner__email",
        "owner__full_name",
    ]
    search_help_text = _(
        "Business name, NIB, WhatsApp number, the owner's name or email."
    )
    autocomplete_fields = ["owner", "kelurahan"]
    show_full_result_count = False
    readonly_fields = [
        "slug",
        "assisted_registration",
        "registered_by",
        "handed_over_at",
        "owner_candidates",
        *StatusTrailAdmin.trail_fields,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "owner_name",
                    "owner",
                    "size",
                    "nib",
                    "description",
                    "logo",
                ]
            },
        ),
        (_("Contact"), {"fields": ["kelurahan", "address", "whatsapp"]}),
        (
            _("Verification"),
            {
                "fields": [
                    "drawn_version",
                    "status",
                    "status_reason",
                    "status_changed_by",
                    "status_changed_at",
                ]
            },
        ),
        (
            _("Registered by staff"),
            {
                "fields": [
                    "assisted_registration",
                    "registered_by",
                    "handed_over_at",
                    "owner_candidates",
                ],
                "description": _(
                    "A business staff add here is registered on the owner's behalf. "
                    "Leave the owner empty until they have an account, then choose "
                    "it: the business is handed over and the owner is emailed."
                ),
            },
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]
    actions = ["verify", "reject"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            # Not registered yet: keep the explanation, not the empty trail.
            fieldsets = [
                (name, {**options, "fields": []})
                if "assisted_registration" in options["fields"]
                else (name, options)
                for name, options in fieldsets
            ]
        return fieldsets

    @admin.display(description=_("accounts with this WhatsApp number"))
    def owner_candidates(self, obj):
        """Who may be the owner of a business staff still hold: the accounts signed
        up with its WhatsApp number."""
        if obj.owner_id:
            return "-"
        accounts = get_user_model().objects.filter(
            whatsapp=obj.whatsapp, is_active=True
        )[:5]
        registered = (
            format_html(
                "{} <strong>{}</strong>. ",
                _("The register names the owner"),
                obj.owner_name,
            )
            if obj.owner_name
            else ""
        )
        if not accounts:
            return format_html(
                "{}{}",
                registered,
                _("None yet: nobody has signed up with this number."),
            )
        return format_html(
            "{}{}",
            registered,
            format_html_join(
                ", ",
                "{} &lt;{}&gt;",
                ((user.full_name, user.email) for user in accounts),
            ),
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner" and not request.user.is_superuser:
            # The accounts the owner autocomplete offers (accounts.admin.UserAdmin):
            # a business is handed over to an active owner, never to staff.
            kwargs["queryset"] = get_user_model().objects.filter(
                is_active=True, is_staff=False, is_superuser=False
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj and obj.owner_id and not request.user.is_superuser:
            # A business held by an owner is theirs: only a superuser may move it.
            return [*readonly, "owner"]
        return readonly

    def save_model(self, request, obj, form, change):
        if not change:
            obj.register_for_owner(request.user)
        handed_over = "owner" in form.changed_data and obj.owner_id
        if handed_over:
            obj.hand_over(obj.owner)
        super().save_model(request, obj, form, change)
        if handed_over:
            notify_with_change(request, notify_owner_of_hand_over, obj)

    @admin.action(
        description=_("Verify selected businesses awaiting verification"),
        permissions=["change"],
    )
    def verify(self, request, queryset):
        decide_selected(
            self,
            request,
            queryset.waiting(),
            decisions.verify_business,
            lambda count: (
                ngettext(
                    "%(count)d business verified.",
                    "%(count)d businesses verified.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(
        description=_(
            "Reject selected businesses awaiting verification (with a reason)"
        ),
        permissions=["change"],
    )
    def reject(self, request, queryset):
        return reject_with_reason(
            self,
            request,
            queryset.waiting(),
            decisions.reject_business,
            lambda count: (
                ngettext(
                    "%(count)d business rejected.",
                    "%(count)d businesses rejected.",
                    count,
                )
                % {"count": count}
            ),
        )


class ProductPhotoForm(StoredFilesForm):
    """One upload makes every variant; the stored files are never edited directly,
    and those a new upload replaces are deleted."""

    stored_file_fields = ["large", "medium", "thumbnail"]

    upload = uploads.ImageField(
        label=_("photo"),
        required=False,
        help_text=uploads.help_text(
            _("%(formats)s up to %(size)s; replaces the current photo.")
        ),
    )

    class Meta:
        model = ProductPhoto
        fields = ["upload", "alt_text", "position"]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload and not self.instance.pk:
            raise forms.ValidationError(_("Choose a photo to upload."))
        return upload

    def save(self, commit=True):
        upload = self.cleaned_data.get("upload")
        if upload:
            self.instance.set_image(upload)
        return super().save(commit)


class ProductPhotoInline(admin.TabularInline):
    model = ProductPhoto
    form = ProductPhotoForm
    fields = ["preview", "upload", "alt_text", "position"]
    readonly_fields = ["preview"]
    extra = 0

    @admin.display(description=_("thumbnail"))
    def preview(self, obj):
        return thumbnail_html(obj.thumbnail.name if obj.pk else "")


class CertificationInline(admin.TabularInline):
    """A product's certificates; one a staff member adds or changes here counts as
    checked by them (residents see only checked ones)."""

    model = Certification
    fields = ["kind", "number", "valid_until", "verified_at", "verified_by"]
    readonly_fields = ["verified_at", "verified_by"]
    extra = 0


@admin.register(Product)
class ProductAdmin(BackgroundImportMixin, StatusTrailAdmin, IndexedSearchAdmin):
    resource_classes = [ProductResource]
    import_job_kind = ImportJob.Kind.PRODUCTS
    # "Created at" (how long a product waited) must fit a 1280 px screen beside
    # the menu and the filter; the category is a filter.
    list_display = [
        "thumbnail",
        "name",
        "business",
        "price_display",
        "status",
        created_on,
    ]
    list_display_links = ["thumbnail", "name"]
    list_filter = [
        WaitingQueueFilter,
        "status",
        "category",
        "business__status",
        "created_at",
    ]
    list_select_related = ["business", "category"]
    search_fields = ["name", "business__name"]
    search_help_text = _("Product or business name.")
    autocomplete_fields = ["business"]
    show_full_result_count = False
    readonly_fields = [
        "slug",
        "changes_since_review_display",
        *StatusTrailAdmin.trail_fields,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "business",
                    "name",
                    "slug",
                    "category",
                    "description",
                    "price",
                    "unit",
                ]
            },
        ),
        (
            _("Review"),
            {
                "fields": [
                    "drawn_version",
                    "status",
                    "status_reason",
                    "status_changed_by",
                    "status_changed_at",
                    "changes_since_review_display",
                ]
            },
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [ProductPhotoInline, CertificationInline]
    actions = ["approve", "reject", "rebuild_photo_variants"]

    def get_queryset(self, request):
        main_thumbnail = ProductPhoto.objects.filter(product=OuterRef("pk")).order_by(
            "position", "pk"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(main_thumbnail=Subquery(main_thumbnail.values("thumbnail")[:1]))
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is Certification:
            for certificate_form in formset.forms:
                if certificate_form.has_changed():
                    certificate_form.instance.verify(request.user)
        super().save_formset(request, form, formset, change)

    @admin.display(description=_("photo"))
    def thumbnail(self, obj):
        return thumbnail_html(obj.main_thumbnail)

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, obj):
        return rupiah(obj.price)

    @admin.display(description=_("changed by the owner since approval"))
    def changes_since_review_display(self, obj):
        """Each public value the owner changed after approval: now, and approved."""
        if not obj.changes_since_review:
            return _("Nothing")
        current = obj.public_values()
        return format_html_join(
            "",
            "<div><strong>{}</strong>: {} <em>({} {})</em></div>",
            (
                (field, current.get(field), _("approved:"), before)
                for field, before in obj.changes_since_review.items()
            ),
        )

    @admin.action(
        description=_("Approve selected products awaiting review"),
        permissions=["change"],
    )
    def approve(self, request, queryset):
        decide_selected(
            self,
            request,
            queryset.waiting(),
            decisions.approve_product,
            lambda count: (
                ngettext(
                    "%(count)d product approved.",
                    "%(count)d products approved.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(
        description=_("Reject selected products awaiting review (with a reason)"),
        permissions=["change"],
    )
    def reject(self, request, queryset):
        return reject_with_reason(
            self,
            request,
            queryset.waiting(),
            decisions.reject_product,
            lambda count: (
                ngettext(
                    "%(count)d product rejected.",
                    "%(count)d products rejected.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(description=_("Rebuild photo variants"), permissions=["change"])
    def rebuild_photo_variants(self, request, queryset):
        """Queue the rebuild of the medium and thumbnail variants of the selected
        products' photos from their large variant (tasks.rebuild_photo_variants)."""
        photo_pks = list(
            ProductPhoto.objects.filter(product__in=queryset).values_list(
                "pk", flat=True
            )
        )
        if not photo_pks:
            self.message_user(
                request, _("The selected products have no photos."), messages.WARNING
            )
            return
        tasks.enqueue_photo_rebuilds(photo_pks)
        self.message_user(
            request,
            ngettext(
                "The variants of %(count)d photo are being rebuilt in the background.",
                "The variants of %(count)d photos are being rebuilt in the background.",
                len(photo_pks),
            )
            % {"count": len(photo_pks)},
        )


class ProposedChangeForm(DecisionForm):
    class Meta:
        model = ProposedChange
        fields = ["status", "status_reason"]


@admin.register(ProposedChange)
class ProposedChangeAdmin(StatusTrailAdmin):
    """The queue of changes owners proposed to verified businesses and approved
    products: staff compare the reviewed and the proposed values, then accept or
    reject them (with a reason) through the decision path."""

    form = ProposedChangeForm
    decide = staticmethod(decisions.decide_change)
    list_display = ["target", "changed", "proposed_by", "created_at", "status"]
    list_display_links = ["target"]
    list_filter = [WaitingQueueFilter, "status", "created_at"]
    list_select_related = ["business", "product", "proposed_by"]
    search_fields = ["business__name", "product__name"]
    search_help_text = _("Business or product name.")
    show_full_result_count = False
    readonly_fields = [
        "target_link",
        "comparison",
        "proposed_by",
        *StatusTrailAdmin.trail_fields,
    ]
    fieldsets = [
        (None, {"fields": ["target_link", "proposed_by", "comparison"]}),
        (
            _("Decision"),
            {
                "fields": [
                    "drawn_version",
                    "status",
                    "status_reason",
                    "status_changed_by",
                    "status_changed_at",
                ]
            },
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]
    actions = ["accept", "reject"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("business or product"))
    def target(self, obj):
        return obj.target

    @admin.display(description=_("business or product"))
    def target_link(self, obj):
        target = obj.target
        meta = target._meta
        url = reverse(
            f"admin:{meta.app_label}_{meta.model_name}_change", args=[target.pk]
        )
        return format_html('<a href="{}">{}</a>', url, target)

    @admin.display(description=_("changed"))
    def changed(self, obj):
        return ", ".join(str(what) for what, _before, _after in obj.comparison())

    @admin.display(description=_("reviewed and proposed values"))
    def comparison(self, obj):
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
            obj.comparison(),
        )
        return format_html(
            "<table><thead><tr><th></th><th scope='col'>{}</th><th scope='col'>{}"
            "</th></tr></thead><tbody>{}</tbody></table>",
            _("reviewed (public now)"),
            _("proposed"),
            rows,
        )

    @admin.action(
        description=_("Accept selected proposed changes"), permissions=["change"]
    )
    def accept(self, request, queryset):
        decide_selected(
            self,
            request,
            queryset.waiting(),
            decisions.accept_change,
            lambda count: (
                ngettext(
                    "%(count)d proposed change accepted.",
                    "%(count)d proposed changes accepted.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(
        description=_("Reject selected proposed changes (with a reason)"),
        permissions=["change"],
    )
    def reject(self, request, queryset):
        return reject_with_reason(
            self,
            request,
            queryset.waiting(),
            decisions.reject_change,
            lambda count: (
                ngettext(
                    "%(count)d proposed change rejected.",
                    "%(count)d proposed changes rejected.",
                    count,
                )
                % {"count": count}
            ),
        )


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """The spreadsheet imports started with the Import button, read-only: staff see
    the jobs they started (superusers every one), each on a page of its own
    (admin/products/importjob/job.html) with its progress, its preview listing
    every row error, the confirmation of a preview without errors (by whoever
    uploaded it), and its result."""

    list_display = [
        "created_at",
        "kind",
        "file_name",
        "status",
        "rows",
        "created_by",
    ]
    list_display_links = ["created_at", "file_name"]
    list_filter = ["status", "kind"]
    list_select_related = ["created_by"]
    show_full_result_count = False
    # The job's page reloads itself this often while the job waits or runs.
    refresh_seconds = 3
    # A job still waiting for a worker after this long gets a hint on its page.
    waiting_hint_after = timedelta(minutes=1)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(created_by=request.user)
        return queryset

    def get_list_display(self, request):
        if request.user.is_superuser:
            return self.list_display
        return [name for name in self.list_display if name != "created_by"]

    def importing_admin(self, job):
        """The admin of what the job imports (BusinessAdmin or ProductAdmin)."""
        return self.admin_site.get_model_admin(job.model)

    def may_import(self, request):
        """Whether the user may import businesses or products."""
        return any(
            self.admin_site.get_model_admin(model).has_import_permission(request)
            for model in (Business, Product)
        )

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self.may_import(request)

    def has_view_permission(self, request, obj=None):
        if obj is not None and not (
            request.user.is_superuser or obj.created_by_id == request.user.pk
        ):
            return False
        return super().has_view_permission(request, obj) or self.may_import(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not (
            request.user.is_superuser or obj.created_by_id == request.user.pk
        ):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("rows"))
    def rows(self, obj):
        if obj.in_progress:
            return _("%(done)s of %(total)s") % {
                "done": number_format(obj.rows_done, force_grouping=True),
                "total": number_format(obj.rows_total, force_grouping=True),
            }
        return number_format(obj.rows_total, force_grouping=True)

    def get_urls(self):
        return [
            path(
                "<int:pk>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="products_importjob_confirm",
            ),
            path(
                "<int:pk>/errors.xlsx",
                self.admin_site.admin_view(self.error_file_view),
                name="products_importjob_errors",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        imports.expire_stale()
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page (jobs have no form to change)."""
        imports.expire_stale()
        job = self.get_object(request, unquote(object_id))
        if job is None or not self.has_view_permission(request, job):
            raise Http404
        importing = self.importing_admin(job)
        may_import = importing.has_import_permission(request)
        target = job.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": capfirst(str(job)),
            "subtitle": None,
            "opts": self.opts,
            "job": job,
            "summary": job.result or job.preview,
            "listed_errors": len((job.result or job.preview).get("errors", [])),
            "listed_warnings": len((job.result or job.preview).get("warnings", [])),
            "valid_rows": job.preview.get("rows", 0) - job.preview.get("invalid", 0),
            "error_file_url": job.error_file
            and reverse(
                "admin:products_importjob_errors",
                args=[job.pk],
                current_app=self.admin_site.name,
            ),
            "may_confirm": (
                may_import
                and job.may_be_confirmed
                and job.created_by_id == request.user.pk
            ),
            "import_url": may_import
            and reverse(
                f"admin:{target.app_label}_{target.model_name}_import",
                current_app=self.admin_site.name,
            ),
            "changelist_url": reverse(
                f"admin:{target.app_label}_{target.model_name}_changelist",
                current_app=self.admin_site.name,
            ),
            "target_opts": target,
            "refresh_seconds": self.refresh_seconds if job.in_progress else None,
            "checking": job.status
            in (ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWING),
            "waiting": job.status in ImportJob.WAITING,
            "waiting_long": job.status in ImportJob.WAITING
            and job.updated_at < timezone.now() - self.waiting_hint_after,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/products/importjob/job.html", context)

    def error_file_view(self, request, pk):
        """The preview's rows with errors as an XLSX file, for whoever may see the
        job (the rows hold owners' phone numbers)."""
        job = self.get_queryset(request).filter(pk=pk).first()
        if job is None or not self.has_view_permission(request, job):
            raise Http404
        if not job.error_file:
            raise Http404
        try:
            stored = job.error_file.open("rb")
        except (OSError, ValueError) as error:
            raise Http404 from error
        name = PurePosixPath(job.file_name).stem or "register"
        return FileResponse(
            stored,
            as_attachment=True,
            filename=f"{name}-{_('errors')}.xlsx",
        )

    def confirm_view(self, request, pk):
        """Queue the import of a preview without errors, for the staff member who
        uploaded it and may still import; anything else is refused."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self.get_queryset(request).filter(pk=pk).first()
        if job is None:
            raise Http404
        if job.created_by_id != request.user.pk or not self.importing_admin(
            job
        ).has_import_permission(request):
            raise PermissionDenied
        if job.may_be_confirmed:
            confirmed = ImportJob.objects.filter(
                pk=job.pk, status=ImportJob.Status.PREVIEWED
            ).update(
                status=ImportJob.Status.CONFIRMED,
                message="",
                site_url=site_url(request),
                updated_at=timezone.now(),
            )
            if confirmed:
                imports.enqueue_commit(
                    job, translation.get_language() or settings.LANGUAGE_CODE
                )
                return HttpResponseRedirect(import_job_url(job, self.admin_site))
            job.refresh_from_db()  # confirmed meanwhile, by a second click
        if job.status in (
            ImportJob.Status.CONFIRMED,
            ImportJob.Status.IMPORTING,
            ImportJob.Status.IMPORTED,
        ):
            # A second click on the button (or a reload) imports nothing again.
            self.message_user(
                request,
                _("This import was confirmed already; the file is imported once."),
                messages.INFO,
            )
        else:
            self.message_user(
                request,
                _(
                    "Only a preview with rows to import can be imported (not a "
                    "file that cannot be read)."
                ),
                messages.ERROR,
            )
        return HttpResponseRedirect(import_job_url(job, self.admin_site))


admin.site.register(Business.history.model, HistoryLogAdmin)
admin.site.register(Product.history.model, HistoryLogAdmin)
