from functools import partial
from itertools import groupby

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.phones import WhatsAppField

from . import certificates, decisions, uploads
from .models import (
    Business,
    Category,
    Certification,
    Kecamatan,
    Kelurahan,
    Product,
    ProductPhoto,
    ProposedChange,
    outlet_model,
)
from .rupiah import parse_rupiah

SORT_CHOICES = [
    ("relevan", _("Best match")),
    ("terbaru", _("Newest")),
    ("harga", _("Price: low to high")),
    ("-harga", _("Price: high to low")),
    ("nama", _("Name (A–Z)")),
]
# Largest price a filter accepts: above any product, below integer overflow.
MAX_PRICE = 2_000_000_000


class RupiahField(forms.IntegerField):
    """Whole rupiah, written the Indonesian way or plain: "Rp 25.000", "25000"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_PRICE)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            # Dots group thousands in Indonesian; IntegerField would read them as
            # decimals ("25.000" → 25). The one rule for prices: products/rupiah.py.
            try:
                value = parse_rupiah(value)
            except ValueError as error:
                raise ValidationError(str(error), code="invalid") from error
        return super().to_python(value)


def outlet_choices():
    """(slug, name) of every outlet (products.models.outlet_model())."""
    return [
        ("", _("All outlets")),
        *outlet_model().objects.order_by("name").values_list("slug", "name"),
    ]


class ProductFilterForm(forms.Form):
    """The search words, filters and order of the product list, read from its
    address; an invalid value is reported and ignored, never an error page."""

    # The fields that narrow the list (the order only rearranges it).
    FILTERS = ["q", "kategori", "gerai", "kecamatan", "harga_min", "harga_max", "halal"]

    q = forms.CharField(
        label=_("Search products"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("e.g. dodol, emping, batik")}),
    )
    kategori = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All categories"),
    )
    gerai = forms.ChoiceField(label=_("On display now at"), required=False)
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"),
        queryset=Kecamatan.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All kecamatan"),
    )
    harga_min = RupiahField(label=_("Lowest price (Rp)"), required=False)
    harga_max = RupiahField(label=_("Highest price (Rp)"), required=False)
    halal = forms.BooleanField(
        label=_("Halal certified only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )
    urut = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query serves both validation and the select.
        self.fields["gerai"].choices = outlet_choices()
        if not self.data.get("q", "").strip():
            # Without search words there is no relevance to sort by: hide it (a
            # stale "relevan" left in the address still validates, as newest).
            self.fields["urut"].widget.choices = SORT_CHOICES[1:]

    def clean(self):
        data = super().clean()
        low, high = data.get("harga_min"), data.get("harga_max")
        if low is not None and high is not None and low > high:
            data["harga_min"], data["harga_max"] = high, low
        if not data.get("q"):
            if data.get("urut") in (None, "", "relevan"):
                data["urut"] = "terbaru"
        elif not data.get("urut"):
            data["urut"] = "relevan"
        return data

    def has_filters(self):
        """Whether a valid filter or search narrows the list."""
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) not in (None, "", False) for name in self.FILTERS)

    def outlet_name(self):
        """The name of the outlet filtered on, if any."""
        slug = getattr(self, "cleaned_data", {}).get("gerai")
        return dict(self.fields["gerai"].choices).get(slug) if slug else None


MAX_PHOTOS = 5


class KelurahanIterator(forms.models.ModelChoiceIterator):
    """The kelurahan as one option group per kecamatan."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset.select_related("kecamatan").order_by(
            "kecamatan__name", "name"
        )
        for kecamatan, kelurahan in groupby(queryset, key=lambda k: k.kecamatan):
            yield (kecamatan.name, [self.choice(k) for k in kelurahan])


class KelurahanField(forms.ModelChoiceField):
    """A kelurahan of Kota Serang, chosen within its kecamatan."""

    iterator = KelurahanIterator

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Kelurahan.objects.all())
        super().__init__(**kwargs)


class StoredFilesForm(forms.ModelForm):
    """Deletes the stored files of stored_file_fields that saving replaced or
    cleared, once the change is committed (a rollback keeps them)."""

    stored_file_fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_files = {
            field: getattr(self.instance, field).name
            for field in self.stored_file_fields
        }

    def save(self, commit=True):
        obj = super().save(commit)
        for field, old_name in self.stored_files.items():
            field_file = getattr(obj, field)
            if old_name and field_file.name != old_name:
                transaction.on_commit(partial(field_file.storage.delete, old_name))
        return obj


class VersionField(forms.IntegerField):
    """The version an object had when its form was drawn, sent back hidden; never
    a change of its own."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class VersionedForm(forms.ModelForm):
    """Refuses to save an object that was saved by someone else since the form was
    drawn (a stale tab, two staff at once): the error names who changed it and when,
    and what the person entered stays in the form. Unchanged forms (e.g. untouched
    rows of an inline) are never refused. The check locks the row until the
    transaction that saves ends."""

    drawn_version = VersionField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["drawn_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        drawn = cleaned_data.get("drawn_version")
        if self.instance.pk and drawn is not None and self.has_changed():
            decisions.check_version(self.instance, drawn)
        return cleaned_data


class ReviewedClaimsForm(VersionedForm):
    """An owner's form of a business or product. Once it is reviewed, a changed
    claim (the model's REVIEWED_FIELDS, and what save_related_claims() reports) is
    proposed to staff (ProposedChange) instead of saved; the form shows the values
    waiting for review. After save(), proposed_change is the change waiting, if
    any."""

    def __init__(self, *args, proposer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposer = proposer
        self.proposed_change = None
        self.pending_change = (
            self.instance.pending_change() if self.instance.pk else None
        )
        if self.pending_change:
            for name, value in self.pending_change.proposed.items():
                if name in self.fields:
                    self.initial[name] = value

    def save_related_claims(self, obj, held):
        """Save what the form holds beside the object's fields (held: whether its
        claims wait for review); returns (proposed, reviewed) of what waits."""
        return {}, {}

    def save(self, commit=True):
        held = bool(self.instance.pk) and self.instance.is_reviewed
        proposed, reviewed = self.instance.hold_claim_changes() if held else ({}, {})
        obj = super().save(commit)
        related_proposed, related_reviewed = self.save_related_claims(obj, held)
        if held:
            self.proposed_change = ProposedChange.objects.propose(
                obj,
                {**proposed, **related_proposed},
                {**reviewed, **related_reviewed},
                by=self.proposer,
            )
        return obj


class OneTimeTokenForm(forms.ModelForm):
    """A create form carrying a one-time token, which views.CreatedOnceMixin
    stores with what the form creates (models.CreatedOnce); edit forms have none."""

    form_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["form_token"]


class BusinessForm(OneTimeTokenForm, ReviewedClaimsForm, StoredFilesForm):
    """An owner registers or edits their business; the logo is re-encoded. Once
    verified, a new name, NIB or WhatsApp number waits for staff review."""

    stored_file_fields = ["logo"]

    whatsapp = WhatsAppField(
        label=_("WhatsApp number"),
        help_text=_("The number buyers message, e.g. 0812 3456 7890."),
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "0812…"}
        ),
    )
    logo = uploads.ImageField(
        label=_("Logo"),
        required=False,
        help_text=uploads.help_text(
            _("Optional. A %(formats)s image up to %(size)s; shown square.")
        ),
    )

    class Meta:
        model = Business
        fields = [
            "name",
            "size",
            "nib",
            "kelurahan",
            "address",
            "whatsapp",
            "description",
        ]
        field_classes = {"kelurahan": KelurahanField}
        help_texts = {
            "nib": _(
                "Optional. The 13-digit Nomor Induk Berusaha from OSS, if you have one."
            ),
            "address": _("Street, number, RT/RW."),
        }
        widgets = {
            "nib": forms.TextInput(attrs={"inputmode": "numeric"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].empty_label = _("Choose a kelurahan")
        self.initial["logo"] = self.instance.logo or None
        # WhatsAppField shows the stored 62812… the way owners write it (0812-…).

    def clean_nib(self):
        nib = self.cleaned_data["nib"]
        if (
            nib
            and Business.objects.filter(nib=nib).exclude(pk=self.instance.pk).exists()
        ):
            raise ValidationError(
                _("Another business is already registered with this NIB."),
                code="duplicate_nib",
            )
        return nib

    def save(self, commit=True):
        """Save the business; a new logo is stored re-encoded, a cleared one removed
        (the old file goes once the change is committed: StoredFilesForm)."""
        logo = self.cleaned_data.get("logo")
        if logo is False:
            self.instance.logo = ""
        elif isinstance(logo, UploadedFile):
            self.instance.set_logo(logo)
        try:
            return super().save(commit)
        except Exception:
            if isinstance(logo, UploadedFile):
                self.instance.logo.delete(save=False)
            raise


class PhotoForm(forms.ModelForm):
    class Meta:
        model = ProductPhoto
        fields = ["alt_text", "position"]
        labels = {"position": _("Order")}
        help_texts = {
            "alt_text": _("What the photo shows, for people who cannot see it."),
            "position": _("The photo with the lowest number is the main photo."),
        }


PhotoFormSet = forms.inlineformset_factory(
    Product,
    ProductPhoto,
    form=PhotoForm,
    extra=0,
    can_delete=True,
    max_num=MAX_PHOTOS,
    edit_only=True,  # New photos come through ProductForm.photos, checked.
)


class ProductForm(OneTimeTokenForm, ReviewedClaimsForm):
    """An owner adds or edits a product of one of their businesses, with its
    certificates and photos; nothing is saved unless every file is a good image.
    Once approved, a new name, category or certificate waits for staff review (a
    certificate removed is removed at once). The certificate fields, their checks
    and the kinds they save come from the table of kinds (products/certificates.py);
    kinds without an owner field (BPOM NA) are left to staff."""

    price = RupiahField(
        label=_("Price (Rp)"),
        min_value=1,
        help_text=_("In whole rupiah, e.g. 25.000."),
    )
    photos = uploads.MultipleImageField(
        label=_("Add photos"),
        required=False,
        help_text=uploads.help_text(
            _("Up to %(max)d photos per product: %(formats)s, up to %(size)s each."),
            max=MAX_PHOTOS,
        ),
    )

    class Meta:
        model = Product
        fields = ["business", "name", "category", "price", "unit", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, owner, **kwargs):
        self.certificate_fields = certificates.owner_fields()
        self.certification_kinds = certificates.owner_kinds()
        super().__init__(*args, proposer=owner, **kwargs)
        self.add_certificate_fields()
        businesses = Business.objects.owned_by(owner)
        self.fields["business"].queryset = businesses
        self.fields["business"].empty_label = _("Choose a business")
        if not self.instance.pk and not self.is_bound:
            first_two = list(businesses.values_list("pk", flat=True)[:2])
            if len(first_two) == 1:
                self.initial.setdefault("business", first_two[0])
        self.fields["category"].empty_label = _("Choose a category")
        product = self.instance
        if product.pk:
            self.photo_formset = PhotoFormSet(
                self.data or None, instance=product, prefix="photo"
            )
            claims = {c.kind: c.as_claim() for c in product.certifications.all()}
            if self.pending_change:
                claims.update(self.pending_change.proposed.get("certifications", {}))
            for field in self.certificate_fields:
                for kind in field.kinds():  # Of several claimed, the last shows.
                    if claim := claims.get(kind):
                        self.initial[field.number_name] = claim["number"]
                        if field.expiry:
                            self.initial[field.valid_until_name] = claim["valid_until"]
            # The reviewed state, to tell staff what an edit changes.
            self.reviewed_values = (
                product.public_values()
                if product.status == Product.Status.APPROVED
                else None
            )
        else:
            self.photo_formset = None
            self.reviewed_values = None

    def add_certificate_fields(self):
        """The number (and expiry) field of each certificate field of the table,
        placed before the photos."""
        fields = {}
        for name, field in self.fields.items():
            if name == "photos":
                for certificate_field in self.certificate_fields:
                    fields.update(certificate_field.form_fields())
            fields[name] = field
        self.fields = fields

    def certificate_rows(self):
        """[(number, valid_until or None)] bound fields, one row per certificate
        field, for the template."""
        return [
            (
                self[field.number_name],
                self[field.valid_until_name] if field.expiry else None,
            )
            for field in self.certificate_fields
        ]

    def clean(self):
        data = super().clean()
        for field in self.certificate_fields:
            if (
                field.expiry
                and data.get(field.valid_until_name)
                and not data.get(field.number_name)
            ):
                self.add_error(field.number_name, field.expiry.without_number)
        kept = 0
        if self.photo_formset is not None:
            if self.photo_details_are_stale():
                # Shown again as the photos are now, to be checked and saved again.
                self.photo_formset = PhotoFormSet(
                    instance=self.instance, prefix="photo"
                )
                raise ValidationError(
                    _(
                        "The product's photos changed meanwhile (perhaps in "
                        "another tab). Check the photos below and save again."
                    ),
                    code="stale_photos",
                )
            if not self.photo_formset.is_valid():
                raise ValidationError(_("Please correct the photo details below."))
            kept = len(self.photo_formset.forms) - len(self.photo_formset.deleted_forms)
        if kept + len(data.get("photos") or []) > MAX_PHOTOS:
            self.add_error(
                "photos",
                ValidationError(
                    _(
                        "A product has at most %(max)d photos; it would have "
                        "%(count)d. Delete some or choose fewer."
                    ),
                    params={
                        "max": MAX_PHOTOS,
                        "count": kept + len(data.get("photos") or []),
                    },
                    code="too_many_photos",
                ),
            )
        return data

    def photo_details_are_stale(self):
        """Whether the posted photo details are not exactly one for each of the
        product's photos as they are now: a photo deleted or added in another
        tab, or management data or photo ids tampered with (any count, another
        product's photo). Photos without a stored one of this product behind
        them are never shown, saved or deleted."""
        formset = self.photo_formset
        if not formset.management_form.is_valid():
            return True
        if formset.total_form_count() != formset.initial_form_count():
            return True
        posted = [form.instance.pk for form in formset.forms]
        current = set(self.instance.photos.values_list("pk", flat=True))
        repeated = len(set(posted)) != len(posted)
        return None in posted or repeated or set(posted) != current

    def certifications(self):
        """{kind: (number, valid_until)} of the certificates the owner entered; a
        kind whose field has no expiry date keeps the one stored (staff may have
        entered it), rather than clearing it."""
        data = self.cleaned_data
        stored = (
            {c.kind: c.valid_until for c in self.instance.certifications.all()}
            if self.instance.pk
            else {}
        )
        entered = {}
        for field in self.certificate_fields:
            if number := data.get(field.number_name):
                kind = field.kind_for(number)
                if field.expiry:
                    valid_until = data.get(field.valid_until_name)
                else:
                    valid_until = stored.get(kind)
                entered[kind] = (number, valid_until)
        return entered

    def save_related_claims(self, product, held):
        """Save the certificates entered: a removed one goes at once; a new or
        changed one is saved unchecked, or, once the product is approved, waits
        for review with the checked one still shown."""
        entered = {
            kind: {
                "number": number,
                "valid_until": valid_until.isoformat() if valid_until else None,
            }
            for kind, (number, valid_until) in self.certifications().items()
        }
        stored = {c.kind: c for c in product.certifications.all()}
        proposed, reviewed = {}, {}
        for kind in self.certification_kinds:
            claim, certificate = entered.get(kind), stored.get(kind)
            if claim == (certificate.as_claim() if certificate else None):
                continue
            if claim is None:
                certificate.delete()
            elif held:
                proposed[kind] = claim
                reviewed[kind] = certificate.as_claim() if certificate else None
            else:
                certificate = certificate or Certification(product=product, kind=kind)
                certificate.number = claim["number"]
                certificate.valid_until = claim["valid_until"]
                certificate.verified_at = certificate.verified_by = None
                certificate.save()
        if not proposed:
            return {}, {}
        return {"certifications": proposed}, {"certifications": reviewed}

    @transaction.atomic
    def save(self, commit=True):
        """Save the product, its certificates, photo details and new photos in one
        transaction; photo files written by a failed save are removed again."""
        product = super().save()
        next_position = 0
        if self.photo_formset is not None:
            self.photo_formset.save()
            next_position = 1 + max(
                (photo.position for photo in product.photos.all()), default=-1
            )
        new_photos = []
        try:
            for offset, upload in enumerate(self.cleaned_data.get("photos") or []):
                photo = ProductPhoto(product=product, position=next_position + offset)
                new_photos.append(photo)
                photo.set_image(upload)
                photo.save()
            if self.reviewed_values is not None:
                product.note_changes_since_review(self.reviewed_values)
                product.save(update_fields=["changes_since_review", "updated_at"])
        except Exception:
            for photo in new_photos:
                photo.delete_files()
            raise
        return product
