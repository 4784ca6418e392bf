from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from .roles import sync_roles_after_migrate
        from .two_factor import shorten_staff_session

        user_logged_in.connect(shorten_staff_session, dispatch_uid="staff-session")
        # The staff roles after every migrate, once auth has made the permissions
        # (accounts/roles.py).
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="staff-roles")
        from serang_umkm.admin_translations import name_history_models, name_otp_models

        # Counts failed sign-ins per IP address (accounts/ratelimits.py).
        from . import ratelimits  # noqa: F401

        # "history of <model>" in the site's language, not "Historical …".
        name_history_models()
        name_otp_models()
