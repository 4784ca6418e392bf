"""The kinds of certificate a product may have: the one table of them (KINDS).

Each kind is stored as its code (Certification.kind, whose choices are made from this
table). A kind owners may claim names the field of the owner's product form
(ProductForm) through which they enter it, an OwnerField: its label, how a typed number
is checked and normalised, and whether an expiry date goes with it. One field may yield
one of several kinds: a BPOM number typed as "BPOM RI MD 123456789012" is a BPOM MD
registration, "ML 123456789012" a BPOM ML one (OwnerField.kind_of). A kind without an
owner field is entered by staff only, in the admin.

This module imports no models: products.models builds Certification.Kind from it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Expiry:
    """The valid-until date owners enter with a certificate number."""

    label: Promise
    help_text: Promise
    # The error of a date entered without the certificate's number.
    without_number: Promise


@dataclass(frozen=True)
class OwnerField:
    """A certificate number field of the owner's product form, named
    "<name>_number" (and "<name>_valid_until" with an expiry). normalise() checks a
    typed number and returns it as stored (raising ValidationError); kind_of() says
    which kind a normalised number is, for a field of several kinds."""

    name: str
    label: Promise
    help_text: Promise
    max_length: int = 30
    numeric: bool = False
    normalise: Callable[[str], str] = str.strip
    kind_of: Callable[[str], str] | None = None
    expiry: Expiry | None = None

    @property
    def number_name(self):
        return f"{self.name}_number"

    @property
    def valid_until_name(self):
        return f"{self.name}_valid_until" if self.expiry else None

    def form_fields(self):
        """{name: form field} of this owner field: the number, and its expiry date."""
        attrs = {"inputmode": "numeric"} if self.numeric else {}
        fields = {
            self.number_name: CertificateNumberField(
                self,
                label=self.label,
                max_length=self.max_length,
                required=False,
                help_text=self.help_text,
                widget=forms.TextInput(attrs=attrs),
            )
        }
        if self.expiry:
            fields[self.valid_until_name] = forms.DateField(
                label=self.expiry.label,
                required=False,
                help_text=self.expiry.help_text,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        return fields

    def kinds(self):
        """The codes of the kinds entered through this field, in table order."""
        return [kind.code for kind in KINDS if kind.owner_field is self]

    def kind_for(self, number):
        """The code of the kind a normalised number is."""
        kinds = self.kinds()
        kind = self.kind_of(number) if self.kind_of else kinds[0]
        if kind not in kinds:
            raise ValueError(f"{self.name}: {number!r} is of no kind of this field")
        return kind


class CertificateNumberField(forms.CharField):
    """A certificate number, normalised by its OwnerField ("" when left empty)."""

    def __init__(self, owner_field, **kwargs):
        self.owner_field = owner_field
        super().__init__(**kwargs)

    def clean(self, value):
        number = super().clean(value)
        return self.owner_field.normalise(number) if number else ""


@dataclass(frozen=True)
class CertificateKind:
    """A kind of certificate: its member name in Certification.Kind, the code
    stored, its label, and the owner form's field for it (None: staff only)."""

    member: str
    code: str
    label: Promise
    owner_field: OwnerField | None = None

    @property
    def owners_may_claim(self):
        return self.owner_field is not None


# Number rules of the owner fields.

pirt_validator = RegexValidator(r"^\d{15}$", _("A P-IRT number has exactly 15 digits."))
BPOM_PATTERN = re.compile(r"^(?:BPOM\s*RI\s*)?(MD|ML)\s*(\d{12})$", re.IGNORECASE)


def normalise_pirt(number):
    """15 digits; spaces, dots and dashes between them are dropped."""
    number = re.sub(r"[\s.-]", "", number)
    if number:
        pirt_validator(number)
    return number


def normalise_bpom(number):
    """MD or ML and 12 digits, as "MD 123456789012" (from e.g. "BPOM RI MD …")."""
    match = BPOM_PATTERN.match(re.sub(r"[.-]", "", number.strip()))
    if not match:
        raise ValidationError(
            _("Enter a BPOM number as MD or ML followed by 12 digits."),
            code="invalid_bpom",
        )
    return f"{match[1].upper()} {match[2]}"


def bpom_kind(number):
    """The kind of a normalised BPOM number: "MD …" is bpom_md, "ML …" bpom_ml."""
    return f"bpom_{number[:2].lower()}"


HALAL_FIELD = OwnerField(
    name="halal",
    label=_("Halal certificate number"),
    help_text=_("From BPJPH or MUI, e.g. ID36110000123450623."),
    max_length=40,
    expiry=Expiry(
        label=_("Halal certificate valid until"),
        help_text=_("Leave empty if the certificate does not expire."),
        without_number=_("Enter the number of the halal certificate as well."),
    ),
)
PIRT_FIELD = OwnerField(
    name="pirt",
    label=_("P-IRT number"),
    help_text=_("15 digits, e.g. 206367301001826."),
    numeric=True,
    normalise=normalise_pirt,
)
# One field for both BPOM registrations of food: the number says which it is.
BPOM_FIELD = OwnerField(
    name="bpom",
    label=_("BPOM registration number"),
    help_text=_("MD or ML followed by 12 digits, e.g. MD 224510001234."),
    normalise=normalise_bpom,
    kind_of=bpom_kind,
)

# The one table of certificate kinds, in the order of Certification.Kind's choices
# (a change of code, label or order is a migration: run makemigrations).
KINDS = [
    CertificateKind("HALAL", "halal", _("Halal certificate"), HALAL_FIELD),
    CertificateKind("PIRT", "pirt", _("P-IRT"), PIRT_FIELD),
    CertificateKind("BPOM_MD", "bpom_md", _("BPOM MD"), BPOM_FIELD),
    CertificateKind("BPOM_ML", "bpom_ml", _("BPOM ML"), BPOM_FIELD),
    # Cosmetics notifications: entered by staff only.
    CertificateKind("BPOM_NA", "bpom_na", _("BPOM NA (cosmetics)")),
]


def kind_choices():
    """(member, (code, label)) of every kind, for Certification.Kind."""
    return [(kind.member, (kind.code, kind.label)) for kind in KINDS]


def owner_fields():
    """The owner form's certificate fields, once each, in table order."""
    fields = []
    for kind in KINDS:
        field = kind.owner_field
        if field and not any(field is seen for seen in fields):
            fields.append(field)
    return fields


def owner_kinds():
    """The codes of the kinds owners may claim in their product form."""
    return [kind.code for kind in KINDS if kind.owners_may_claim]
