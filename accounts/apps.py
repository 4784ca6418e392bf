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
        # Counts failed sign-ins per IP address (accounts/ratelimits.py).
        from . import ratelimits  # noqa: F401
