from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .two_factor import shorten_staff_session

        user_logged_in.connect(shorten_staff_session, dispatch_uid="staff-session")
        from serang_umkm.admin_translations import name_history_models, name_otp_models

        # Counts failed sign-ins per IP address (accounts/ratelimits.py).
        from . import ratelimits  # noqa: F401

        # "history of <model>" in the site's language, not "Historical …".
        name_history_models()
        name_otp_models()
