"""The one rule for WhatsApp numbers, everywhere one is typed, imported or shown.

People type an Indonesian mobile number in many ways (0812 7112797, 0812-7112-797,
+62 812…, 62812…, 812… without the 0, a spreadsheet cell holding 81234567890); it is
parsed with phonenumbers (region ID), accepted only when it is an Indonesian MOBILE
number (not a landline such as 0254…, not a 0800 toll-free number: neither receives
WhatsApp messages), stored as its E.164 digits without "+" (62812…, what wa.me links
need) and shown in the national format (0812-7112-797).
"""

import re
from decimal import Decimal

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# What may surround the digits: spaces, dots, dashes, slashes, parentheses, one "+".
TYPED_NUMBER = re.compile(r"^\+?[\d\s.\-/()]+$")
STORED_NUMBER = re.compile(r"^62\d+$")

INVALID_MESSAGE = _("Enter an Indonesian mobile number, e.g. 0812 3456 7890.")
NOT_MOBILE_MESSAGE = _(
    "This is not a mobile number: landlines and 0800 numbers cannot receive "
    "WhatsApp messages. Enter an Indonesian mobile number, e.g. 0812 3456 7890."
)


def _typed_text(value):
    """value as the text it was typed; a number a spreadsheet stored as a number
    (81234567890 or 81234567890.0) as its digits."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)) and value == int(value):
        return str(int(value))
    return str(value).strip()


def parse_whatsapp(value):
    """The phonenumbers PhoneNumber value denotes (region ID), or None when it is no
    phone number at all (letters, empty, unparseable)."""
    text = _typed_text(value or "")
    if not text or not TYPED_NUMBER.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if not text.startswith("+") and digits.startswith("62"):
        # 62812…: the country code without its "+" (no mobile number starts 62).
        text = "+" + digits
    try:
        return phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return None


def whatsapp_error(value):
    """The ValidationError value (in any typed form) deserves, or None when it is an
    Indonesian mobile number."""
    number = parse_whatsapp(value)
    if (
        number is None
        or number.country_code != 62
        or not phonenumbers.is_valid_number(number)
    ):
        return ValidationError(INVALID_MESSAGE, code="invalid")
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        return ValidationError(NOT_MOBILE_MESSAGE, code="not_mobile")
    return None


def normalize_whatsapp(value):
    """An Indonesian mobile number, in whatever form typed, as stored: 62812…;
    anything else is returned stripped, for validation to report."""
    if whatsapp_error(value) is None:
        number = parse_whatsapp(value)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[
            1:
        ]
    return _typed_text("" if value is None else value)


def format_whatsapp(value):
    """A stored number (62812…) the way people write it: 0812-7112-797; a value that
    is no Indonesian number is returned unchanged ("" for None)."""
    if not value:
        return ""
    number = parse_whatsapp(value)
    if (
        number is None
        or number.country_code != 62
        or not phonenumbers.is_valid_number(number)
    ):
        return str(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def tel_uri(value):
    """A phone number as typed (0254 123456, a mobile, +62…) as a tel: link a phone
    dials: tel:+62-254-123456 (RFC 3966, region ID); a number phonenumbers cannot
    read keeps its digits (and a leading "+"); "" for none."""
    text = _typed_text(value or "")
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        rfc3966 = phonenumbers.PhoneNumberFormat.RFC3966
        return phonenumbers.format_number(number, rfc3966)
    digits = re.sub(r"\D", "", text)
    if not digits:
        return ""
    return "tel:" + ("+" if text.startswith("+") else "") + digits


# The shape checked before phonenumbers was used; the migrations hold it.
LEGACY_VALIDATOR = RegexValidator(
    r"^628\d{7,12}$", "Enter an Indonesian mobile number, e.g. 0812 3456 7890."
)


class WhatsAppValidator:
    """A stored WhatsApp number: an Indonesian mobile number in its stored form."""

    def __call__(self, value):
        error = whatsapp_error(value)
        if error is not None:
            raise error
        if str(value) != normalize_whatsapp(value):
            # A mobile number, but not stored as 62…: only WhatsAppField normalises.
            raise ValidationError(INVALID_MESSAGE, code="invalid")

    def deconstruct(self):
        # The rule only got stricter in Python; the database never sees validators.
        # Deconstructing as the regex the migrations already hold keeps the three
        # apps' migration state unchanged (no AlterField for a validator).
        return LEGACY_VALIDATOR.deconstruct()

    def __eq__(self, other):
        return isinstance(other, WhatsAppValidator)

    def __hash__(self):
        return hash(WhatsAppValidator)


whatsapp_validator = WhatsAppValidator()


class WhatsAppField(forms.CharField):
    """A form field for a WhatsApp number typed in any usual form; cleans to the
    stored form 62812…, refusing what is not an Indonesian mobile number."""

    # Wider than the stored 16 characters: people type spaces, dashes and "+62".
    typed_max_length = 30

    def __init__(self, *, max_length=None, **kwargs):
        # max_length is the stored one (a model field's): the typed text may be longer.
        super().__init__(max_length=self.typed_max_length, **kwargs)
        self.validators.append(whatsapp_validator)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_whatsapp(value) if value not in self.empty_values else value

    def prepare_value(self, value):
        """A stored number is shown as people write it (0812-7112-797)."""
        if isinstance(value, str) and STORED_NUMBER.match(value):
            return format_whatsapp(value)
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if not widget.is_hidden:
            attrs.setdefault("inputmode", "tel")
            attrs.setdefault("autocomplete", "tel")
        return attrs


class WhatsAppNumberField(models.CharField):
    """A model field for a WhatsApp number stored as 62812… (validated by
    whatsapp_validator); its form field is WhatsAppField, so the admin and every
    model form normalise what is typed. The one declaration of a WhatsApp number
    field: its name, length, validator and help text are the defaults here."""

    def __init__(self, *args, **kwargs):
        if not args:
            kwargs.setdefault("verbose_name", _("WhatsApp number"))
        kwargs.setdefault("max_length", 16)
        kwargs.setdefault("validators", [whatsapp_validator])
        kwargs.setdefault(
            "help_text", _("International form without +, e.g. 6281234567890.")
        )
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        defaults = {
            "form_class": WhatsAppField,
            # Not the stored form the model's help text describes: what people type.
            "help_text": _("An Indonesian mobile number, e.g. 0812 3456 7890."),
        }
        return super().formfield(**{**defaults, **kwargs})

    def deconstruct(self):
        # Same column as a CharField: migrations keep seeing a CharField.
        name, path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
