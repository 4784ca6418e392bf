"""A second factor for staff: the admin asks for a code from an authenticator app
(TOTP) or one of the staff member's recovery codes, besides the password.

django-otp keeps the devices: a TOTPDevice per staff member (the app) and a
StaticDevice holding their single-use recovery codes. A staff member without a
device sets one up at /akun/dua-langkah/ after signing in with their password
(the admin's sign-in page links there), and gets ten recovery codes, shown once.
Staff sessions last STAFF_SESSION_SECONDS, not the owners' two weeks.
"""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib.admin.sites import AdminSite
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from serang_umkm.page_cache import private_page

RECOVERY_CODES = 10
APP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"


class StaffAdminSite(AdminSite):
    """The admin, open only to staff verified by a second factor in this session
    (what django_otp's OTPAdminSite does), signing in with StaffLoginForm; the
    default site of the admin app (serang_umkm/apps.py), so it keeps its name."""

    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_verified()

    @property
    def login_form(self):
        return StaffLoginForm


class StaffLoginForm(OTPAdminAuthenticationForm):
    """The admin's sign-in: email, password and a code (from the app, or a recovery
    code). django-otp finds the device the code belongs to."""

    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": _(
            "Enter the 6-digit code of your authenticator app, or a recovery code."
        ),
        "invalid_token": _("That code is wrong or used already. Try the newest one."),
    }

    def _chosen_device(self, user):
        """The user's own device the code is for: six digits are the app's, any
        other code a recovery code (django-otp would ask to pick one)."""
        token = (self.cleaned_data.get("otp_token") or "").strip()
        devices = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
        return (
            devices.objects.devices_for_user(user, confirmed=True)
            .select_for_update()
            .first()
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].label = _("Verification code")
        self.fields["otp_token"].widget.attrs.update(
            autocomplete="one-time-code", inputmode="numeric"
        )


def new_recovery_codes(user):
    """Replace the user's recovery codes with RECOVERY_CODES new ones; returns them."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


def shorten_staff_session(sender, request, user, **kwargs):
    """user_logged_in receiver: a staff member's session ends after
    STAFF_SESSION_SECONDS (a shared office computer, a lost phone)."""
    if user.is_staff and hasattr(request, "session"):
        request.session.set_expiry(settings.STAFF_SESSION_SECONDS)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = self.cleaned_data["code"].strip().replace(" ", "")
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                _("That code is wrong. Check the time on your phone and try again.")
            )
        return code


@private_page
class TwoFactorSetupView(LoginRequiredMixin, FormView):
    """A signed-in staff member adds their authenticator app: the page shows a QR
    code of a new key; the first code from the app confirms it, verifies this
    session and shows ten recovery codes once. With an app already set up, the
    page says so, and a code from it makes new recovery codes. Owners: 404."""

    template_name = "accounts/two_factor_setup.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_staff:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_device(self):
        confirmed = TOTPDevice.objects.devices_for_user(self.request.user).first()
        if confirmed is not None:
            return confirmed
        device, _ = TOTPDevice.objects.get_or_create(
            user=self.request.user,
            name=APP_DEVICE_NAME,
            confirmed=False,
        )
        return device

    def get_form_kwargs(self):
        self.device = self.get_device()
        return {**super().get_form_kwargs(), "device": self.device}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.device.confirmed:
            context["qr_code"] = segno.make(
                self.device.config_url, error="m"
            ).svg_data_uri(scale=5, border=2)
            context["secret_base32"] = b32_key(self.device)
        context["device"] = self.device
        return context

    @transaction.atomic
    def form_valid(self, form):
        self.device.confirmed = True
        self.device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(self.request.user)
        otp_login(self.request, self.device)
        return self.response_class(
            request=self.request,
            template=["accounts/two_factor_codes.html"],
            context={"codes": codes, **self.get_context_data()},
        )


def b32_key(device):
    """The device's key as authenticator apps let one type it (base32, grouped)."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
