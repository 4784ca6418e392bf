from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import (
    base36_to_int,
    urlsafe_base64_decode,
    urlsafe_base64_encode,
)
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, FormView, TemplateView

from outlets.caching import private_page

from .emails import queue_email
from .forms import (
    ConfirmationResendForm,
    EmailAuthenticationForm,
    OutboxPasswordResetForm,
    SignupForm,
)
from .models import User


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for the link that confirms a new account's email address. A token
    stops working once the account is active (so a link works once), when the
    email or password changes, and after settings.EMAIL_CONFIRMATION_TIMEOUT."""

    key_salt = "accounts.views.EmailConfirmationTokenGenerator"

    def check_token(self, user, token):
        if not super().check_token(user, token):
            return False
        age = self._num_seconds(self._now()) - base36_to_int(token.split("-")[0])
        return age <= settings.EMAIL_CONFIRMATION_TIMEOUT

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.email}{user.is_active}{timestamp}"


email_confirmation_token = EmailConfirmationTokenGenerator()


def send_confirmation_email(request, user):
    """Queue for the user the email with the link that confirms their address and
    activates the account (sent by the worker once the transaction commits)."""
    path = reverse(
        "accounts:confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_confirmation_token.make_token(user),
        },
    )
    context = {
        "user": user,
        "confirm_url": request.build_absolute_uri(path),
        "valid_days": settings.EMAIL_CONFIRMATION_TIMEOUT // (24 * 60 * 60),
        "site_name": settings.SITE_NAME,
    }
    queue_email(
        user.email,
        render_to_string("accounts/email/confirm_email_subject.txt", context),
        render_to_string("accounts/email/confirm_email_body.txt", context),
        render_to_string("accounts/email/confirm_email_body.html", context),
        recipient=user,
    )


@private_page
class UserSignupView(CreateView):
    """Anyone signs up as a UMKM owner; the account waits, inactive, until the
    emailed link is opened. Signed-in users are sent to the dashboard."""

    form_class = SignupForm
    template_name = "accounts/signup.html"
    success_url = reverse_lazy("accounts:confirmation_sent")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return super().dispatch(request, *args, **kwargs)

    @transaction.atomic
    def form_valid(self, form):
        # The account and the email confirming it are saved together.
        response = super().form_valid(form)
        send_confirmation_email(self.request, self.object)
        messages.success(
            self.request,
            gettext("Your account is created. We sent a link to %(email)s.")
            % {"email": self.object.email},
        )
        return response


@private_page
class ConfirmationSentView(TemplateView):
    """Anyone: after signing up or asking for a new link, says to check the inbox."""

    template_name = "accounts/confirmation_sent.html"


@private_page
class EmailConfirmView(TemplateView):
    """Anyone with a valid link from the confirmation email: the account becomes
    active and its owner is signed in and sent to the dashboard. An expired,
    used or altered link shows a page that offers a new one."""

    template_name = "accounts/confirm_invalid.html"

    def get(self, request, *args, **kwargs):
        user = self.get_user(kwargs["uidb64"])
        if user is None or not email_confirmation_token.check_token(
            user, kwargs["token"]
        ):
            return super().get(request, *args, **kwargs)
        user.is_active = True
        user.save(update_fields=["is_active"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, gettext("Thank you, your email address is confirmed. Welcome!")
        )
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))

    @staticmethod
    def get_user(uidb64):
        try:
            pk = urlsafe_base64_decode(uidb64).decode()
            return User.objects.get(pk=pk, last_login__isnull=True)
        except (
            ValueError,
            TypeError,
            OverflowError,
            ValidationError,
            User.DoesNotExist,
        ):
            return None


@private_page
class ConfirmationResendView(FormView):
    """Anyone asks for a new confirmation link. It is sent only to an account still
    waiting for confirmation, and the answer is the same whether or not the
    address has an account."""

    form_class = ConfirmationResendForm
    template_name = "accounts/confirmation_resend.html"
    success_url = reverse_lazy("accounts:confirmation_sent")

    def form_valid(self, form):
        user = User.objects.filter(
            email=form.cleaned_data["email"],
            is_active=False,
            last_login__isnull=True,
        ).first()
        if user is not None:
            send_confirmation_email(self.request, user)
        messages.success(
            self.request,
            gettext(
                "If an account waiting for confirmation uses %(email)s, a new link "
                "is on its way."
            )
            % {"email": form.cleaned_data["email"]},
        )
        return super().form_valid(form)


@private_page
class UserLoginView(auth_views.LoginView):
    """Anyone signs in with email and password (django-axes locks an email address
    on one IP address after repeated failures); signed-in users are sent on."""

    authentication_form = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@private_page
class UserLogoutView(auth_views.LogoutView):
    """Signs the current user out (POST only, from the navbar's button)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, gettext("You are signed out."))
        return response


@private_page
class PasswordResetRequestView(auth_views.PasswordResetView):
    """Anyone asks for a password reset link by email; the answer never tells
    whether the address has an account."""

    form_class = OutboxPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset_body.txt"
    html_email_template_name = "accounts/email/password_reset_body.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        return {"site_name": settings.SITE_NAME}


@private_page
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    """Anyone: after asking for a reset link, says to check the inbox."""

    template_name = "accounts/password_reset_done.html"


@private_page
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Anyone holding a valid reset link sets a new password; an invalid or used
    link says so and offers a new one."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@private_page
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    """Anyone: the new password is set, sign in with it."""

    template_name = "accounts/password_reset_complete.html"


@private_page
class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """A signed-in user changes their password and stays signed in; anonymous
    visitors are sent to the sign-in page."""

    template_name = "accounts/password_change_form.html"
    success_message = _("Your password is changed.")

    def get_success_url(self):
        return resolve_url(settings.LOGIN_REDIRECT_URL)


def client_ip(request):
    """The visitor's address for django-axes: behind TRUSTED_PROXIES proxies (the
    load balancer in production) it is that many hops from the right of
    X-Forwarded-For, so one visitor's failures never lock out everyone else."""
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if proxies and len(hops) >= proxies:
        return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
