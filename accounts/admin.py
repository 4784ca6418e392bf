from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import Http404
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from serang_umkm.admin_translations import TranslatedPermissionsMixin

from .forms import AdminUserCreationForm, UserChangeForm
from .models import OutgoingEmail, User
from .tasks import queue_send


@admin.register(User)
class UserAdmin(TranslatedPermissionsMixin, BaseUserAdmin):
    """Users sign in and are found by email; there is no username. Permissions are
    named in the site's language (serang_umkm.admin_translations)."""

    add_form = AdminUserCreationForm
    form = UserChangeForm
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "whatsapp",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "full_name", "whatsapp"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "whatsapp"]}),
        (
            _("Permissions"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "full_name",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    # What staff who are not superusers see of the accounts (e.g. a Verifikator
    # finding the owner to hand a business over to, through the autocomplete):
    # active owners' accounts, never a staff member's or a superuser's.
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(is_active=True, is_staff=False, is_superuser=False)

    def get_object(self, request, object_id, from_field=None):
        """An account outside get_queryset is "not found" (404) for staff who are
        not superusers, as one that does not exist: the admin would otherwise
        redirect with a message, and neither says which it is."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not request.user.is_superuser:
            raise Http404
        return obj


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(TranslatedPermissionsMixin, BaseGroupAdmin):
    """Django's group admin, with the permissions named in the site's language."""


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent, what waits, and what failed after every
    attempt (filter "Gagal"), with the mail server's last answer. The text of an
    email is never shown (its links are the recipient's). An email that failed can
    be sent again, e.g. once the mail server is repaired."""

    list_display = ["created_at", "to", "subject", "status", "attempts", "error"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    fields = [
        "to",
        "recipient",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("last error"), ordering="last_error")
    def error(self, obj):
        """The mail server's last answer, short enough for a phone's list."""
        return Truncator(obj.last_error).chars(80) or "-"

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(
        description=_("Send the selected failed emails again"),
        permissions=["view"],
    )
    def send_again(self, request, queryset):
        with transaction.atomic():
            failed = list(queryset.failed().select_for_update())
            for email in failed:
                email.status = OutgoingEmail.Status.QUEUED
                email.attempts = 0
                email.save(update_fields=["status", "attempts"])
                queue_send(email)
        self.message_user(
            request,
            ngettext(
                "%(count)d email will be sent again.",
                "%(count)d emails will be sent again.",
                len(failed),
            )
            % {"count": len(failed)},
            messages.SUCCESS if failed else messages.WARNING,
        )
