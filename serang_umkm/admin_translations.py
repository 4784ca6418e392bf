"""Admin names that would show in English whatever the language: the historical
models' names (django-simple-history builds "historical <name>" from an
untranslatable literal when the models are created), django-otp's names (literals)
and permission names (stored in the database in English when migrations create
them, "Can add product")."""

from django import forms
from django.apps import apps
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The permissions Django creates for every model (Meta.default_permissions).
DEFAULT_ACTIONS = {
    "add": _("Can add {}"),
    "change": _("Can change {}"),
    "delete": _("Can delete {}"),
    "view": _("Can view {}"),
}


def name_history_models():
    """Gives each historical model (simple_history) a translatable name, "history of
    <the model's name>". Set on _meta only, not the Meta options the migrations
    record (original_attrs), so no migration follows; called from
    AccountsConfig.ready(), once every model is created."""
    for model in apps.get_models():
        tracked = getattr(model, "instance_type", None)
        if tracked is None or not hasattr(model, "history_id"):
            continue
        model._meta.verbose_name = format_lazy(
            _("history of {}"), tracked._meta.verbose_name
        )
        model._meta.verbose_name_plural = format_lazy(
            _("history of {}"), tracked._meta.verbose_name_plural
        )


# django-otp's apps and models, named by untranslatable literals ("Otp_Static",
# "Static devices"); the names the site's second-factor pages use.
OTP_NAMES = {
    "otp_static": (
        _("Recovery codes"),
        {"staticdevice": (_("recovery code set"), _("recovery code sets"))},
    ),
    "otp_totp": (
        _("Authenticator apps"),
        {"totpdevice": (_("authenticator app"), _("authenticator apps"))},
    ),
}


def name_otp_models():
    """Names django-otp's admin sections and models in the site's language; on
    _meta and the app config only, so no migration follows."""
    for app_label, (app_name, models) in OTP_NAMES.items():
        if not apps.is_installed(f"django_otp.plugins.{app_label}"):
            continue
        app_config = apps.get_app_config(app_label)
        app_config.verbose_name = app_name
        for model_name, (singular, plural) in models.items():
            opts = app_config.get_model(model_name)._meta
            opts.verbose_name, opts.verbose_name_plural = singular, plural


def permission_name(permission):
    """A permission's name in the active language: a default one built from its
    action and the model's translated name, a custom one from the model's
    Meta.permissions (translated where the model marks it); else the stored name."""
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    opts = model._meta
    action, _separator, model_name = permission.codename.partition("_")
    if action in DEFAULT_ACTIONS and model_name == opts.model_name:
        return DEFAULT_ACTIONS[action].format(opts.verbose_name)
    for codename, name in opts.permissions:
        if codename == permission.codename:
            return gettext(str(name))
    return permission.name


def permission_label(permission):
    """What the admin's permission widgets show: app | model | permission."""
    return f"{permission.content_type} | {permission_name(permission)}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    """The permissions of a user or group, named in the active language."""

    def label_from_instance(self, obj):
        return permission_label(obj)


class TranslatedPermissionsMixin:
    """A ModelAdmin (user, group) whose permission widgets are in the active
    language."""

    permission_fields = ("permissions", "user_permissions")

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name in self.permission_fields:
            kwargs.setdefault("form_class", PermissionChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
