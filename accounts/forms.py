from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .emails import queue_email
from .models import User
from .phones import WhatsAppField


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    """The admin's add-user form, with email and name instead of a username."""

    class Meta:
        model = User
        fields = ["email", "full_name"]


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "whatsapp"]


class SignupForm(auth_forms.BaseUserCreationForm):
    """A UMKM owner opens an account: name, email, WhatsApp number and a password
    checked by the password validators. The account stays inactive until the email
    address is confirmed (the view does that)."""

    # Typed in any usual form (0812 3456 7890, +62 812…), stored as 62812….
    whatsapp = WhatsAppField(
        label=capfirst(_("WhatsApp number")),
        help_text=_(
            "The number buyers and outlet staff can reach you on, e.g. 0812 3456 7890."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "08…"}
        ),
    )

    class Meta:
        model = User
        fields = ["full_name", "email", "whatsapp"]
        labels = {"full_name": _("Full name"), "email": _("Email")}
        help_texts = {
            "full_name": _("As it should appear to outlet staff."),
            "email": _("We send a link to this address to confirm it."),
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autofocus"] = True
        self.fields["email"].widget.attrs.pop("autofocus", None)

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    def validate_unique(self):
        """Everything but the email address: whether an address has an account is
        never shown on the form (the view emails the address's owner instead)."""
        exclude = self._get_validation_exclusions()
        exclude.add("email")
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)

    def save(self, commit=True):
        user = super().save(commit=False)
        user.is_active = False
        if commit:
            user.save()
        return user

    def update_pending(self, user):
        """Give an account nobody confirmed yet what this sign-up typed (name,
        number, password): the one who confirms it from the inbox chose them."""
        user.full_name = self.cleaned_data["full_name"]
        user.whatsapp = self.cleaned_data["whatsapp"]
        user.set_password(self.cleaned_data["password1"])
        user.save(update_fields=["full_name", "whatsapp", "password"])


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    """Sign in with email and password. An account still waiting for its email
    confirmation is told so (only when the password is right) instead of getting
    the generic error."""

    # Named "username" like Django's form, which django-axes reads for lockouts.
    # At most 254 characters, as an address can be (and as User.email and the
    # 255-character username column of django-axes hold).
    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        error_messages={
            "max_length": _("An email address has at most 254 characters."),
        },
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self):
        return User.objects.normalize_email(self.cleaned_data["username"]).lower()

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            if (
                error.code == "invalid_login"
                and not getattr(self.request, "axes_locked_out", False)
                and not getattr(self.request, "sign_in_rate_limited", False)
            ):
                self.check_inactive_account()
            raise

    def check_inactive_account(self):
        """Explain why a right password for an inactive account did not work."""
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        user = User.objects.filter(email=email, is_active=False).first()
        if user is None or not user.check_password(password):
            return
        if user.last_login is None:
            raise ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _(
                        "Please confirm your email address first: open the link we "
                        "sent you."
                    ),
                    reverse("accounts:resend"),
                    _("Send me a new link"),
                ),
                code="unconfirmed",
            )
        raise ValidationError(self.error_messages["inactive"], code="inactive")


class ConfirmationResendForm(forms.Form):
    """Ask for a new confirmation link by email address."""

    email = forms.EmailField(
        label=_("Email"),
        help_text=_("The address you signed up with."),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class OutboxPasswordResetForm(auth_forms.PasswordResetForm):
    """Django's password reset form, with the email queued in the outbox (sent by
    the background worker) instead of sent inside the request."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        html_body = ""
        if html_email_template_name is not None:
            html_body = render_to_string(html_email_template_name, context)
        queue_email(
            to_email,
            render_to_string(subject_template_name, context),
            render_to_string(email_template_name, context),
            html_body,
            recipient=context.get("user"),
        )


class ConfirmEmailForm(forms.Form):
    """The password chosen at sign-up, asked where the confirmation link leads."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(
                _(
                    "This is not the password chosen at sign-up. Did someone else "
                    "sign up with your address? Sign up again: that replaces it."
                ),
                code="wrong_password",
            )
        return password
