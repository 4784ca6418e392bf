import ipaddress
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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

from serang_umkm.page_cache import private_page

from .emails import queue_email
from .forms import (
    ConfirmationResendForm,
    ConfirmEmailForm,
    EmailAuthenticationForm,
    OutboxPasswordResetForm,
    SignupForm,
)
from .models import User
from .ratelimits import over_any_limit

logger = logging.getLogger(__name__)

RATE_LIMITED = 429


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


def send_signup_attempt_email(request, user):
    """Queue for the owner of an address someone tried to sign up with again the
    email that says so and points to signing in and resetting the password."""
    context = {
        "user": user,
        "login_url": request.build_absolute_uri(reverse("accounts:login")),
        "password_reset_url": request.build_absolute_uri(
            reverse("accounts:password_reset")
        ),
        "site_name": settings.SITE_NAME,
    }
    queue_email(
        user.email,
        render_to_string("accounts/email/signup_attempt_subject.txt", context),
        render_to_string("accounts/email/signup_attempt_body.txt", context),
        render_to_string("accounts/email/signup_attempt_body.html", context),
        recipient=user,
    )


class RateLimitedFormMixin:
    """A form page whose valid submissions are counted against rate limits
    (accounts/ratelimits.py): over one, the page answers 429 with the form as it
    was typed and an error saying to try again later, and sends nothing."""

    def rate_limits(self, form):
        """(rule, value) pairs of settings.ACCOUNT_RATE_LIMITS this submission
        counts against; value None counts per IP address."""
        return []

    def rate_limited(self, form):
        return over_any_limit(self.request, self.rate_limits(form))

    def rate_limited_response(self, form):
        form.add_error(
            None,
            gettext(
                "Too many requests from here in a short time. Nothing was sent: "
                "please try again in an hour."
            ),
        )
        return self.render_to_response(
            self.get_context_data(form=form), status=RATE_LIMITED
        )


@private_page
class UserSignupView(RateLimitedFormMixin, CreateView):
    """Anyone signs up as a UMKM owner; the account waits, inactive, until the
    emailed link is opened. Signed-in users are sent to the dashboard. The answer
    is the same whether or not the address already has an account: its owner is
    emailed instead, and nothing is created."""

    form_class = SignupForm
    template_name = "accounts/signup.html"
    success_url = reverse_lazy("accounts:confirmation_sent")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return super().dispatch(request, *args, **kwargs)

    def rate_limits(self, form):
        return [("signup_ip", None), ("signup_email", form.cleaned_data["email"])]

    @transaction.atomic
    def form_valid(self, form):
        if self.rate_limited(form):
            return self.rate_limited_response(form)
        email = form.cleaned_data["email"]
        owner = User.objects.filter(email__iexact=email).first()
        if owner is None:
            # The account and the email confirming it are saved together; a
            # sign-up for the same address a moment earlier is treated as taken.
            try:
                with transaction.atomic():
                    self.object = form.save()
            except IntegrityError:
                owner = User.objects.filter(email__iexact=email).first()
                if owner is None:
                    raise
        if owner is None:
            send_confirmation_email(self.request, self.object)
        elif owner.awaits_confirmation:
            # Nobody confirmed it: perhaps someone else signed up with this
            # address. The new sign-up replaces it, and only the inbox's owner
            # gets the link (the earlier links stop working with the password).
            form.update_pending(owner)
            send_confirmation_email(self.request, owner)
        else:
            # Hash the password all the same, so the answer takes as long.
            make_password(form.cleaned_data["password1"])
            send_signup_attempt_email(self.request, owner)
        messages.success(
            self.request,
            gettext(
                "Check your inbox: we sent an email to %(email)s with what to do next."
            )
            % {"email": email},
        )
        return redirect(self.success_url)


@private_page
class ConfirmationSentView(TemplateView):
    """Anyone: after signing up or asking for a new link, says to check the inbox."""

    template_name = "accounts/confirmation_sent.html"


@private_page
class EmailConfirmView(TemplateView):
    """Anyone with a valid link from the confirmation email. Opening the link (GET,
    as a mail scanner also does) only shows a form; the account becomes active,
    and its owner signed in, when the form is posted with the password chosen at
    sign-up: the link proves the inbox, the password the one who signed up, so
    whoever signed up with someone else's address cannot use it, and its owner
    cannot confirm an account they did not make (signing up again replaces it).
    An expired, used or altered link shows a page that offers a new one."""

    template_name = "accounts/confirm_email.html"
    invalid_template_name = "accounts/confirm_invalid.html"

    def get(self, request, *args, **kwargs):
        if self.valid_user() is None:
            return self.invalid_response()
        return self.render_to_response(self.get_context_data(form=ConfirmEmailForm()))

    def post(self, request, *args, **kwargs):
        user = self.valid_user()
        if user is None:
            return self.invalid_response()
        form = ConfirmEmailForm(request.POST, user=user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        user.is_active = True
        user.save(update_fields=["is_active"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, gettext("Thank you, your email address is confirmed. Welcome!")
        )
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))

    def valid_user(self):
        user = self.get_user(self.kwargs["uidb64"])
        if user is None or not email_confirmation_token.check_token(
            user, self.kwargs["token"]
        ):
            return None
        return user

    def invalid_response(self):
        return self.response_class(
            request=self.request,
            template=[self.invalid_template_name],
            context=self.get_context_data(),
            using=self.template_engine,
        )

    @staticmethod
    def get_user(uidb64):
        try:
            pk = urlsafe_base64_decode(uidb64).decode()
            return User.objects.awaiting_confirmation().get(pk=pk)
        except (
            ValueError,
            TypeError,
            OverflowError,
            ValidationError,
            User.DoesNotExist,
        ):
            return None


@private_page
class ConfirmationResendView(RateLimitedFormMixin, FormView):
    """Anyone asks for a new confirmation link. It is sent only to an account still
    waiting for confirmation, and the answer is the same whether or not the
    address has an account."""

    form_class = ConfirmationResendForm
    template_name = "accounts/confirmation_resend.html"
    success_url = reverse_lazy("accounts:confirmation_sent")

    def rate_limits(self, form):
        return [("resend_ip", None), ("resend_email", form.cleaned_data["email"])]

    def form_valid(self, form):
        if self.rate_limited(form):
            return self.rate_limited_response(form)
        user = (
            User.objects.awaiting_confirmation()
            .filter(email=form.cleaned_data["email"])
            .first()
        )
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
    on one IP address after repeated failures, and an IP address with too many
    failures on any accounts is refused with 429: accounts/ratelimits.py);
    signed-in users are sent on."""

    authentication_form = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        if not getattr(self.request, "sign_in_rate_limited", False):
            return super().form_invalid(form)
        form.errors.clear()
        form.add_error(
            None,
            gettext(
                "Too many failed sign-ins from here in a short time. Please try "
                "again in an hour, or set a new password if you forgot it."
            ),
        )
        return self.render_to_response(
            self.get_context_data(form=form), status=RATE_LIMITED
        )


@private_page
class UserLogoutView(auth_views.LogoutView):
    """Signs the current user out (POST only, from the navbar's button)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, gettext("You are signed out."))
        return response


@private_page
class PasswordResetRequestView(RateLimitedFormMixin, auth_views.PasswordResetView):
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

    def rate_limits(self, form):
        email = User.objects.normalize_email(form.cleaned_data["email"]).lower()
        return [("password_reset_ip", None), ("password_reset_email", email)]

    def form_valid(self, form):
        if self.rate_limited(form):
            return self.rate_limited_response(form)
        return super().form_valid(form)


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
    """The visitor's address for django-axes and the rate limits: behind
    TRUSTED_PROXIES proxies (the load balancer in production) it is that many hops
    from the right of X-Forwarded-For, so one visitor's failures never lock out
    everyone else. A hop that is not an IP address (a forged or broken header) is
    not used: REMOTE_ADDR is, the proxy's own address."""
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if proxies and len(hops) >= proxies:
        try:
            return str(ipaddress.ip_address(hops[-proxies]))
        except ValueError:
            logger.warning("X-Forwarded-For hop is not an IP address: %r", forwarded)
    return request.META.get("REMOTE_ADDR")


def axes_username(request, credentials):
    """The email address django-axes records for a sign-in (AXES_USERNAME_CALLABLE):
    the one typed, cut to the 255 characters of its username column (the sign-in
    forms refuse longer ones, but the admin's or a bad client may send them)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = request.POST.get(field)
    if username is None:
        return None
    return str(username)[:255]
