"""The catalogue in spreadsheets (django-import-export): the agency's register of
UMKM and their products, read from and written to CSV or XLSX with Indonesian column
headers. The admin's Import/Export buttons and `manage.py import_register` use them.

Rules every import follows: a row is checked like a form (model validation) and its
errors name the column; an empty cell leaves the stored value as it is; a file is
written in one transaction, and a dry run writes nothing.
"""

import re

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field

from accounts.models import normalize_whatsapp

from .models import Business, Category, Kelurahan, Product

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection);
# exports prefix such text with an apostrophe and imports take it off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RUPIAH = re.compile(
    r"(?:rp\.?\s*)?(-?)\s*(\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+|\d+)(?:,-|,00)?",
    re.IGNORECASE,
)


def cell_text(value):
    """A cell's value as trimmed text ("" when empty); whole numbers a spreadsheet
    stored as numbers (NIB, phone numbers, prices) lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def lookup_key(text):
    """Text compared the way staff type it: any case, any spacing."""
    return " ".join(str(text).split()).casefold()


def column_header(header):
    """A column header as the resources name it ("Nama Usaha " → "nama_usaha")."""
    return "_".join(str(header or "").split()).casefold()


def safe_cell(value):
    """A value as a spreadsheet cell that is never a formula: text starting like
    one gets an apostrophe in front (cell_text takes it off again)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class TextWidget(widgets.CharWidget):
    """Trimmed text; an empty cell gives None, which leaves the stored value."""

    def clean(self, value, row=None, **kwargs):
        return cell_text(value) or None

    def render(self, value, obj=None, **kwargs):
        return safe_cell("" if value is None else str(value))


class WhatsAppWidget(TextWidget):
    """A mobile number in any usual form (0812…, +62 812…), stored as 62812…"""

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        return normalize_whatsapp(text) if text else None


class ChoiceWidget(widgets.Widget):
    """One of a TextChoices, by its value or its label in any case."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        for choice in self.choices:
            if lookup_key(text) in {choice.value, lookup_key(choice.label)}:
                return choice.value
        raise ValueError(
            _("Unknown value “%(value)s”: use %(choices)s.")
            % {"value": text, "choices": ", ".join(self.choices.values)}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class RupiahWidget(widgets.IntegerWidget):
    """A price in whole rupiah as staff type it: 25000, 25.000, Rp 25.000,-"""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        match = RUPIAH.fullmatch(text)
        if not match:
            raise ValueError(
                _("“%(value)s” is not a price in whole rupiah, e.g. 25000.")
                % {"value": text}
            )
        sign, digits = match.groups()
        return int(sign + re.sub(r"[.,]", "", digits))


class CachedLookupWidget(widgets.Widget):
    """Finds related objects in dictionaries built on first use, so an import of
    thousands of rows runs no query per row for them."""

    _lookups = None

    def load_lookups(self):
        raise NotImplementedError

    @property
    def lookups(self):
        if self._lookups is None:
            self._lookups = self.load_lookups()
        return self._lookups


class KelurahanWidget(CachedLookupWidget):
    """A kelurahan by its official code, or by its name within the kecamatan the row
    names (by name alone when no other kelurahan has it)."""

    def load_lookups(self):
        by_code, by_name = {}, {}
        for kelurahan in Kelurahan.objects.select_related("kecamatan"):
            by_code[kelurahan.code] = kelurahan
            by_name.setdefault(lookup_key(kelurahan.name), []).append(kelurahan)
        return by_code, by_name

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        by_code, by_name = self.lookups
        if text in by_code:
            return by_code[text]
        matches = by_name.get(lookup_key(text), [])
        kecamatan = cell_text((row or {}).get("kecamatan"))
        if kecamatan:
            matches = [
                kelurahan
                for kelurahan in matches
                if lookup_key(kecamatan)
                in {lookup_key(kelurahan.kecamatan.name), kelurahan.kecamatan.code}
            ]
        if len(matches) == 1:
            return matches[0]
        names = {"kelurahan": text, "kecamatan": kecamatan}
        if matches:
            raise ValueError(
                _(
                    "Several kelurahan are named “%(kelurahan)s”: fill in the "
                    "kecamatan column."
                )
                % names
            )
        if kecamatan:
            raise ValueError(
                _("Kecamatan “%(kecamatan)s” has no kelurahan “%(kelurahan)s”.") % names
            )
        raise ValueError(
            _("No kelurahan of Kota Serang is named or coded “%(kelurahan)s”.") % names
        )

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class CategoryWidget(CachedLookupWidget):
    """A category by its name (any case) or its slug."""

    def load_lookups(self):
        categories = {}
        for category in Category.objects.all():
            categories[category.slug] = category
            categories[lookup_key(category.name)] = category
        return categories

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        category = self.lookups.get(lookup_key(text))
        if category is None:
            raise ValueError(_("No category “%(category)s”.") % {"category": text})
        return category

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class BusinessWidget(CachedLookupWidget):
    """The business of a product: by the NIB in the row's nib_usaha column, or by
    the slug in this column (as exported)."""

    def load_lookups(self):
        by_nib, by_slug = {}, {}
        for business in Business.objects.only("pk", "name", "nib", "slug"):
            by_slug[business.slug] = business
            if business.nib:
                by_nib[business.nib] = business
        return by_nib, by_slug

    def clean(self, value, row=None, **kwargs):
        nib = cell_text((row or {}).get("nib_usaha"))
        slug = cell_text(value)
        by_nib, by_slug = self.lookups
        if nib:
            if nib not in by_nib:
                raise ValueError(_("No business has the NIB %(nib)s.") % {"nib": nib})
            return by_nib[nib]
        if slug:
            if slug not in by_slug:
                raise ValueError(
                    _("No business has the slug “%(slug)s”.") % {"slug": slug}
                )
            return by_slug[slug]
        raise ValueError(
            _("Fill in the business's NIB (nib_usaha) or its slug (usaha).")
        )

    def render(self, value, obj=None, **kwargs):
        return value.slug if value else ""


def text_field(attribute, column, **kwargs):
    """A column of text; an empty cell leaves the stored value."""
    return Field(
        attribute, column, widget=TextWidget(), saves_null_values=False, **kwargs
    )


def export_field(attribute, column, widget=None):
    """A column only exports write; imports may read it but never store it."""
    return Field(attribute, column, widget=widget, readonly=True)


class SafeExportResource(resources.ModelResource):
    """The base of every resource of the project: each exported cell, whatever
    its column, widget or dehydrate method, is escaped so that no spreadsheet
    runs it as a formula (an owner's email or business name starting with "="
    would otherwise be a live formula in staff's exports)."""

    def export_field(self, field, instance, **kwargs):
        return safe_cell(super().export_field(field, instance, **kwargs))


class RegisterResource(SafeExportResource):
    """What the catalogue's resources share: headers read in any case and spacing,
    required columns checked first, each row's errors keyed by column, one file
    never holding the same object twice, and changes recorded as the user's."""

    # Fields only exports write (imports ignore these columns).
    export_only = ()
    # Columns a file must have (a list of alternatives where one of them will do).
    required_columns = ()
    # Model fields save() fills when they are empty, so not validated before.
    filled_on_save = ("slug",)

    def get_import_fields(self):
        skipped = [self.fields[name] for name in self.export_only]
        return [
            field
            for field in super().get_import_fields()
            if not any(field is other for other in skipped)
        ]

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.rows_by_identity = {}
        self.load_existing()
        if dataset.headers:
            dataset.headers = [column_header(header) for header in dataset.headers]
        headers = set(dataset.headers or [])
        missing = [
            " / ".join(columns)
            for columns in self.required_columns
            if not headers.intersection(columns)
        ]
        if missing:
            raise ValueError(
                _("The file has no column %(columns)s.")
                % {"columns": ", ".join(missing)}
            )

    def load_existing(self):
        """Remember what is stored already, to match rows with it (see identity)."""

    def identity(self, row):
        """What tells the row's object apart from others: a hashable key (None when
        the row lacks it) and the column to report a repetition in."""
        return None, NON_FIELD_ERRORS

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        # Missing columns read as empty cells.
        for field in self.get_import_fields():
            row.setdefault(field.column_name, None)
        key, column = self.identity(row)
        if key is not None:
            number = kwargs.get("row_number")
            first = self.rows_by_identity.setdefault(key, number)
            if first != number:
                raise ValidationError(
                    {column: _("Repeats row %(row)d of the file.") % {"row": first}}
                )

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        # import_data(progress=…) is told of every row, whatever its outcome
        # (products/imports.py: Progress records the count every few hundred).
        progress = kwargs.get("progress")
        if progress is not None:
            progress(kwargs["row_number"])
        return row_result

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not any(cell_text(value) for value in row.values()):
            return True  # a row of empty cells, as spreadsheets leave at the end
        return super().skip_row(instance, original, row, import_validation_errors)

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ):
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            exclude = set(errors).union(
                name for name in self.filled_on_save if not getattr(instance, name)
            )
            try:
                instance.full_clean(exclude=exclude, validate_unique=validate_unique)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            columns = {
                field.attribute: field.column_name for field in self.get_import_fields()
            }
            raise ValidationError(
                {columns.get(name, name): messages for name, messages in errors.items()}
            )

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if kwargs.get("user") is not None:
            # The History page names the importing staff member (also outside a
            # request, as in the management command).
            instance._history_user = kwargs["user"]


class BusinessResource(RegisterResource):
    """Businesses (UMKM) of the agency's register. A row is the business with its
    NIB, or, without an NIB, the business with its name and WhatsApp number; other
    rows are new businesses, registered by the importing staff member on their
    owners' behalf (no owner yet, awaiting verification)."""

    name = text_field("name", "nama_usaha")
    nib = text_field("nib", "nib")
    size = Field(
        "size",
        "skala",
        widget=ChoiceWidget(Business.Size),
        saves_null_values=False,
    )
    # Read to find the kelurahan; written from it.
    kecamatan = export_field("kelurahan__kecamatan__name", "kecamatan")
    kelurahan = Field(
        "kelurahan", "kelurahan", widget=KelurahanWidget(), saves_null_values=False
    )
    address = text_field("address", "alamat")
    whatsapp = Field(
        "whatsapp", "whatsapp", widget=WhatsAppWidget(), saves_null_values=False
    )
    description = text_field("description", "deskripsi")
    status = export_field("status", "status")
    assisted_registration = export_field(
        "assisted_registration", "terdaftar_oleh_petugas", widgets.BooleanWidget()
    )
    owner_email = export_field("owner__email", "email_pemilik")
    slug = export_field("slug", "slug")
    product_count = export_field(
        "product_count", "jumlah_produk", widgets.IntegerWidget()
    )

    export_only = (
        "status",
        "assisted_registration",
        "owner_email",
        "slug",
        "product_count",
    )
    required_columns = (
        ["nama_usaha"],
        ["kelurahan"],
        ["alamat"],
        ["whatsapp"],
    )

    class Meta:
        model = Business
        fields = (
            "name",
            "nib",
            "size",
            "kecamatan",
            "kelurahan",
            "address",
            "whatsapp",
            "description",
            "status",
            "assisted_registration",
            "owner_email",
            "slug",
            "product_count",
        )
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def load_existing(self):
        self.pk_by_nib, self.pks_by_name = {}, {}
        stored = Business.objects.values_list("pk", "nib", "name", "whatsapp")
        for pk, nib, name, whatsapp in stored:
            if nib:
                self.pk_by_nib[nib] = pk
            self.pks_by_name.setdefault((lookup_key(name), whatsapp), []).append(
                (pk, nib)
            )

    def row_values(self, row):
        """The row's NIB, name and WhatsApp number, cleaned as the import reads them."""
        return (
            self.fields["nib"].widget.clean(row.get("nib")),
            self.fields["name"].widget.clean(row.get("nama_usaha")),
            self.fields["whatsapp"].widget.clean(row.get("whatsapp")),
        )

    def identity(self, row):
        nib, name, whatsapp = self.row_values(row)
        if nib:
            return ("nib", nib), "nib"
        if name and whatsapp:
            return ("name", lookup_key(name), whatsapp), "nama_usaha"
        return None, NON_FIELD_ERRORS

    def get_instance(self, instance_loader, row):
        """The stored business with the row's NIB; else the one with its name and
        WhatsApp number (among businesses without an NIB when the row has one)."""
        nib, name, whatsapp = self.row_values(row)
        pk = self.pk_by_nib.get(nib) if nib else None
        if pk is None and name and whatsapp:
            candidates = [
                candidate
                for candidate, stored_nib in self.pks_by_name.get(
                    (lookup_key(name), whatsapp), []
                )
                if not (nib and stored_nib)
            ]
            if len(candidates) > 1:
                raise ValidationError(
                    {
                        "nama_usaha": _(
                            "%(count)d stored businesses have this name and "
                            "WhatsApp number: add the NIB to tell which one."
                        )
                        % {"count": len(candidates)}
                    }
                )
            pk = candidates[0] if candidates else None
        if pk is None:
            return None
        return Business.objects.select_related("kelurahan__kecamatan").get(pk=pk)

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            instance.register_for_owner(kwargs.get("user"))

    def filter_export(self, queryset, **kwargs):
        """Owners, places and product counts in the one query of the export (the
        admin's list counts the products already)."""
        queryset = queryset.select_related("owner", "kelurahan__kecamatan")
        if "product_count" in queryset.query.annotations:
            return queryset
        product_counts = (
            Product.objects.filter(business=OuterRef("pk"))
            .order_by()
            .values("business")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return queryset.annotate(product_count=Coalesce(Subquery(product_counts), 0))


class ProductResource(RegisterResource):
    """Products of registered businesses. A row is the business's product with
    that name; other rows are new products, awaiting review."""

    business_nib = export_field("business__nib", "nib_usaha")
    business = Field("business", "usaha", widget=BusinessWidget())
    business_name = export_field("business__name", "nama_usaha")
    name = text_field("name", "nama_produk")
    category = Field(
        "category", "kategori", widget=CategoryWidget(), saves_null_values=False
    )
    price = Field("price", "harga", widget=RupiahWidget(), saves_null_values=False)
    unit = text_field("unit", "satuan")
    description = text_field("description", "deskripsi")
    status = export_field("status", "status")
    url = export_field("get_absolute_url", "url")

    export_only = ("business_name", "status", "url")
    required_columns = (
        ["nib_usaha", "usaha"],
        ["nama_produk"],
        ["kategori"],
        ["harga"],
    )

    class Meta:
        model = Product
        fields = (
            "business_nib",
            "business",
            "business_name",
            "name",
            "category",
            "price",
            "unit",
            "description",
            "status",
            "url",
        )
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def load_existing(self):
        self.pks_by_name = {}
        for pk, business_id, name in Product.objects.values_list(
            "pk", "business", "name"
        ):
            self.pks_by_name.setdefault((business_id, lookup_key(name)), []).append(pk)

    def identity(self, row):
        name = self.fields["name"].widget.clean(row.get("nama_produk"))
        try:
            business = self.fields["business"].widget.clean(row.get("usaha"), row)
        except ValueError:
            business = None  # reported by the usaha column
        if business and name:
            return (business.pk, lookup_key(name)), "nama_produk"
        return None, NON_FIELD_ERRORS

    def get_instance(self, instance_loader, row):
        """The stored product of the row's business with the row's product name."""
        key, _column = self.identity(row)
        candidates = self.pks_by_name.get(key, []) if key else []
        if len(candidates) > 1:
            raise ValidationError(
                {
                    "nama_produk": _(
                        "The business has %(count)d products with this name; "
                        "rename them in the admin first."
                    )
                    % {"count": len(candidates)}
                }
            )
        if not candidates:
            return None
        return Product.objects.select_related("business", "category").get(
            pk=candidates[0]
        )

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            instance.status = Product.Status.PENDING

    def filter_export(self, queryset, **kwargs):
        """Businesses and categories in the one query of the export, without the
        columns no export shows."""
        return queryset.select_related("business", "category").defer(
            "search_vector", "changes_since_review"
        )

    def export(self, queryset=None, **kwargs):
        # Product paths without a language prefix, whatever language the admin
        # speaks (switched once, not for each row).
        with translation.override(settings.LANGUAGE_CODE):
            return super().export(queryset, **kwargs)

    def dehydrate_url(self, product):
        return product.get_absolute_url()
