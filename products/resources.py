"""The catalogue in spreadsheets (django-import-export): the agency's register of
UMKM and their products, read from and written to CSV or XLSX with Indonesian column
headers. The admin's Import/Export buttons and `manage.py import_register` use them.

Rules every import follows: a row is checked like a form (model validation) and its
errors name the column; an empty cell leaves the stored value as it is; a file is
written in one transaction, and a dry run writes nothing.
"""

import difflib
import re

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources, widgets
from import_export.fields import Field
from import_export.results import RowResult

from accounts.phones import format_whatsapp, normalize_whatsapp

from .forms import RupiahField
from .models import Business, Category, Kelurahan, Product, count_products
from .register import cell_value_text, header_key

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection);
# exports prefix such text with an apostrophe and imports take it off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What registers write in the NIB column of a business without one.
NO_NIB = frozenset(
    header_key(text)
    for text in (
        "-",
        "0",
        "belum ada",
        "belum",
        "blm ada",
        "belum punya",
        "tidak ada",
        "tdk ada",
        "dalam proses",
        "proses",
        "sedang proses",
        "sedang diproses",
        "on process",
        "n/a",
        "na",
        "x",
        "nihil",
    )
)
# An NIB Excel showed as 1.23E+12 and someone saved as text: its digits are gone.
SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?e\+?\d+$", re.IGNORECASE)
# Words before a place's name ("Kel. Cipare", "KEC. SERANG", "Desa Banjar").
PLACE_PREFIX = re.compile(r"^(?:kelurahan|kel|desa|ds|kecamatan|kec)\b\s*")
# Near misses closer than this are offered as "Did you mean …?".
SUGGEST_CUTOFF = 0.75
# The agency's own categories, as registers name them, by the project's category
# (slug). A category staff add later is found by its name.
CATEGORY_ALIASES = {
    "oleh-oleh-khas": ("oleh oleh", "oleh oleh khas", "khas serang", "makanan khas"),
    "makanan": (
        "kuliner",
        "makanan",
        "makanan berat",
        "makanan olahan",
        "olahan pangan",
        "pangan",
        "lauk",
        "frozen food",
        "makanan beku",
    ),
    "camilan": (
        "camilan",
        "cemilan",
        "makanan ringan",
        "snack",
        "kue",
        "kue kering",
        "keripik",
        "kerupuk",
    ),
    "minuman": ("minuman", "minuman kemasan", "sirup"),
    "kopi-teh": ("kopi", "teh", "kopi dan teh"),
    "herbal-jamu": ("jamu", "herbal", "obat herbal", "rempah", "jamu herbal"),
    "fesyen-batik": (
        "fashion",
        "fesyen",
        "busana",
        "pakaian",
        "batik",
        "konveksi",
        "sandang",
        "tekstil",
        "garmen",
    ),
    "kerajinan": (
        "kriya",
        "kerajinan",
        "kerajinan tangan",
        "handicraft",
        "anyaman",
        "souvenir",
        "suvenir",
        "cinderamata",
    ),
    "kecantikan": ("kosmetik", "kecantikan", "perawatan", "perawatan tubuh"),
    "lainnya": ("lainnya", "lain lain", "lainya", "jasa", "lain"),
}


def cell_text(value):
    """A cell's value as trimmed text (register.cell_value_text), without the
    apostrophe exports put before text that starts like a formula."""
    text = cell_value_text(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def lookup_key(text):
    """Text compared the way staff type it: any case, any spacing."""
    return " ".join(str(text).split()).casefold()


def place_key(text):
    """A kelurahan or kecamatan name compared the way registers write it: any
    case, spacing or punctuation, without "Kel." or "Kecamatan" in front."""
    return PLACE_PREFIX.sub("", header_key(text)).strip()


def column_header(header):
    """A column header as the resources name it ("Nama Usaha " → "nama_usaha")."""
    return "_".join(str(header or "").split()).casefold()


def safe_cell(value):
    """A value as a spreadsheet cell that is never a formula: text starting like
    one gets an apostrophe in front (cell_text takes it off again)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def suggestion(text, names):
    """The name among names closest to text, when it is a near miss, else None."""
    keys = {place_key(name): name for name in names}
    close = difflib.get_close_matches(place_key(text), keys, n=1, cutoff=SUGGEST_CUTOFF)
    return keys[close[0]] if close else None


class WarningWidget(widgets.Widget):
    """A widget that may accept a value with a warning for the staff member (the
    resource reports it with the row and column)."""

    def warn(self, message):
        self.warnings.append(message)

    @property
    def warnings(self):
        if "_warnings" not in self.__dict__:
            self._warnings = []
        return self._warnings

    def take_warnings(self):
        taken, self._warnings = self.warnings, []
        return taken


class TextWidget(widgets.CharWidget):
    """Trimmed text; an empty cell gives None, which leaves the stored value."""

    def clean(self, value, row=None, **kwargs):
        return cell_text(value) or None

    def render(self, value, obj=None, **kwargs):
        return safe_cell("" if value is None else str(value))


class NibWidget(TextWidget):
    """A 13-digit NIB as registers hold it: text, a number cell (however Excel
    shows it), with spaces or dots; "-", "0", "Belum ada" or "Dalam proses"
    mean the business has none yet (None: a stored NIB stays)."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text or header_key(text) in NO_NIB or not text.strip("0 -."):
            return None
        if SCIENTIFIC.match(text):
            raise ValueError(
                _(
                    "“%(value)s” lost the NIB's digits (Excel showed the long number "
                    "in short form and it was saved as text): format the column as "
                    "Text and type the 13 digits again."
                )
                % {"value": text}
            )
        digits = re.sub(r"[\s.\-]", "", text)
        if not digits.isdigit() or len(digits) != 13:
            raise ValueError(
                _("“%(value)s” is no NIB: an NIB has exactly 13 digits.")
                % {"value": text}
            )
        return digits


class WhatsAppWidget(TextWidget):
    """A mobile number in any usual form (0812…, +62 812…, 812… as a number cell),
    stored as 62812… (accounts/phones.py); exported as 0812-…"""

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        return normalize_whatsapp(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return safe_cell(format_whatsapp(value) if value else "")


def yes_no(value):
    """A yes/no cell in words staff read: Ya / Tidak (in the admin's language)."""
    return _("Yes") if value else _("No")


class YesNoWidget(widgets.BooleanWidget):
    """Exported as Ya / Tidak (yes_no)."""

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else yes_no(value)


class ChoiceWidget(widgets.Widget):
    """One of a TextChoices, by its value or its label in any case ("Mikro",
    "Usaha Mikro", "USAHA KECIL"); exported as its label."""

    # Words registers put before the choice ("Usaha Mikro", "Skala Kecil").
    filler = re.compile(r"^(?:usaha|skala|skala usaha)\s+")

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        key = self.filler.sub("", header_key(text))
        for choice in self.choices:
            if key in {
                choice.value,
                header_key(choice.label),
                self.filler.sub("", header_key(choice.label)),
            }:
                return choice.value
        raise ValueError(
            _("Unknown value “%(value)s”: use %(choices)s.")
            % {
                "value": text,
                "choices": ", ".join(str(choice.label) for choice in self.choices),
            }
        )

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class RupiahWidget(widgets.IntegerWidget):
    """A price in whole rupiah as staff type it: 25000, "Rp. 25.000,-", "26rb",
    "4 ribu", "5K". Read as the owner's product form reads it (RupiahField: the
    writings of products/rupiah.py, from 0 to MAX_PRICE), a cell as its text."""

    def clean(self, value, row=None, **kwargs):
        try:
            return RupiahField(required=False).clean(cell_text(value))
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from error


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


class KelurahanWidget(WarningWidget, CachedLookupWidget):
    """A kelurahan by its official code or by its name as registers write it
    ("Kel. Cipare", "CIPARE "), within the kecamatan the row names; a name only
    one kelurahan of the city has is read even when the kecamatan disagrees (with
    a warning). A near miss is answered with a suggestion."""

    def load_lookups(self):
        by_code, by_name, kecamatan = {}, {}, {}
        for kelurahan in Kelurahan.objects.select_related("kecamatan"):
            by_code[kelurahan.code] = kelurahan
            by_name.setdefault(place_key(kelurahan.name), []).append(kelurahan)
            kecamatan[place_key(kelurahan.kecamatan.name)] = kelurahan.kecamatan
            kecamatan[kelurahan.kecamatan.code] = kelurahan.kecamatan
        return by_code, by_name, kecamatan

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        by_code, by_name, kecamatan_by_key = self.lookups
        if text in by_code:
            return by_code[text]
        matches = by_name.get(place_key(text), [])
        if not matches:
            close = suggestion(text, [kelurahan.name for kelurahan in by_code.values()])
            if close:
                raise ValueError(
                    _(
                        "Kota Serang has no kelurahan “%(kelurahan)s”. Did you mean: "
                        "%(suggestion)s?"
                    )
                    % {"kelurahan": text, "suggestion": close}
                )
            raise ValueError(
                _("“%(kelurahan)s” is not a kelurahan of Kota Serang.")
                % {"kelurahan": text}
            )
        kecamatan_text = cell_text((row or {}).get("kecamatan"))
        if not kecamatan_text:
            if len(matches) == 1:
                return matches[0]
            raise ValueError(
                _(
                    "Kelurahan “%(kelurahan)s” is in %(places)s: fill in the "
                    "kecamatan column."
                )
                % {"kelurahan": text, "places": self.places(matches)}
            )
        kecamatan = kecamatan_by_key.get(place_key(kecamatan_text)) or (
            kecamatan_by_key.get(kecamatan_text)
        )
        within = [k for k in matches if kecamatan and k.kecamatan_id == kecamatan.pk]
        if within:
            return within[0]
        if len(matches) == 1:
            found = matches[0]
            self.warn(
                _(
                    "Kelurahan %(kelurahan)s is in Kecamatan %(found)s, not "
                    "“%(kecamatan)s”: read as Kecamatan %(found)s."
                )
                % {
                    "kelurahan": found.name,
                    "found": found.kecamatan.name,
                    "kecamatan": kecamatan_text,
                }
            )
            return found
        raise ValueError(
            _(
                "Kecamatan “%(kecamatan)s” has no kelurahan “%(kelurahan)s”; there "
                "is one in %(places)s."
            )
            % {
                "kecamatan": kecamatan_text,
                "kelurahan": text,
                "places": self.places(matches),
            }
        )

    @staticmethod
    def places(kelurahan):
        return ", ".join(
            _("Kecamatan %(name)s") % {"name": k.kecamatan.name} for k in kelurahan
        )

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class CategoryWidget(CachedLookupWidget):
    """A category by its name (any case), its slug, or the name the agency uses
    for it (CATEGORY_ALIASES: "Kuliner", "Kriya", "Fashion")."""

    def load_lookups(self):
        categories = {}
        for category in Category.objects.all():
            categories[header_key(category.slug)] = category
            categories[header_key(category.name)] = category
            for alias in CATEGORY_ALIASES.get(category.slug, ()):
                categories.setdefault(header_key(alias), category)
        return categories

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        category = self.lookups.get(header_key(text))
        if category is None:
            close = difflib.get_close_matches(
                header_key(text), self.lookups, n=1, cutoff=SUGGEST_CUTOFF
            )
            if close:
                raise ValueError(
                    _("No category “%(category)s”. Did you mean: %(suggestion)s?")
                    % {"category": text, "suggestion": self.lookups[close[0]].name}
                )
            raise ValueError(
                _("No category “%(category)s”: use one of %(categories)s.")
                % {
                    "category": text,
                    "categories": ", ".join(
                        sorted({category.name for category in self.lookups.values()})
                    ),
                }
            )
        return category

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class BusinessWidget(CachedLookupWidget):
    """The business of a product: by the NIB in the row's nib_usaha column, by the
    slug in this column (as exported), or, for a business without an NIB, by its
    name and WhatsApp number (nama_usaha, whatsapp)."""

    nib_widget = NibWidget()
    whatsapp_widget = WhatsAppWidget()

    def load_lookups(self):
        by_nib, by_slug, by_name = {}, {}, {}
        for business in Business.objects.only("pk", "name", "nib", "slug", "whatsapp"):
            by_slug[business.slug] = business
            if business.nib:
                by_nib[business.nib] = business
            by_name.setdefault(
                (lookup_key(business.name), business.whatsapp), []
            ).append(business)
        return by_nib, by_slug, by_name

    def clean(self, value, row=None, **kwargs):
        row = row or {}
        nib = self.nib_widget.clean(row.get("nib_usaha"))
        slug = cell_text(value)
        name = cell_text(row.get("nama_usaha"))
        whatsapp = self.whatsapp_widget.clean(row.get("whatsapp"))
        by_nib, by_slug, by_name = self.lookups
        if nib and nib in by_nib:
            return by_nib[nib]
        if slug:
            if slug not in by_slug:
                raise ValueError(
                    _("No business has the slug “%(slug)s”.") % {"slug": slug}
                )
            return by_slug[slug]
        if name and whatsapp:
            found = by_name.get((lookup_key(name), whatsapp), [])
            if nib:
                found = [business for business in found if not business.nib]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise ValueError(
                    _(
                        "%(count)d businesses are named “%(name)s” with this "
                        "WhatsApp number: add the NIB to tell which one."
                    )
                    % {"count": len(found), "name": name}
                )
        if nib:
            raise ValueError(_("No business has the NIB %(nib)s.") % {"nib": nib})
        if name and whatsapp:
            raise ValueError(
                _(
                    "No business is named “%(name)s” with WhatsApp number "
                    "%(whatsapp)s: import the businesses first."
                )
                % {"name": name, "whatsapp": format_whatsapp(whatsapp)}
            )
        raise ValueError(
            _(
                "Fill in the business's NIB, or its name and WhatsApp number, to "
                "tell whose product this is."
            )
        )

    def render(self, value, obj=None, **kwargs):
        return value.slug if value else ""


# What registers call the WhatsApp number column.
WHATSAPP_HEADERS = (
    "whatsapp",
    "no hp wa",
    "no hp",
    "no wa",
    "no whatsapp",
    "nomor hp",
    "nomor wa",
    "nomor whatsapp",
    "nomor hp wa",
    "no telp",
    "no telepon",
    "nomor telepon",
    "telepon",
    "telp",
    "hp",
    "wa",
    "hp wa",
    "no hp whatsapp",
    "kontak",
    "no kontak",
)


def safe_clean(field, row):
    """The field's value of the row as the import reads it, or None when it is
    refused (the import reports that in the field's column)."""
    try:
        return field.widget.clean(row.get(field.column_name), row)
    except ValueError:
        return None


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
    """What the catalogue's resources share: headers read in any case and spacing
    (and as registers write them: column_aliases, read by products/register.py),
    required columns checked first, each row's errors keyed by column, one file
    never holding the same object twice (an exact repetition is left out with a
    warning), and changes recorded as the user's."""

    # Fields only exports write (imports ignore these columns).
    export_only = ()
    # Columns a file must have (a list of alternatives where one of them will do).
    required_columns = ()
    # Model fields save() fills when they are empty, so not validated before.
    filled_on_save = ("slug",)
    # Column → the headers registers give it (the first one names it in messages).
    column_aliases = {}
    # How many objects the import verified as it saved them (BusinessResource).
    verified = 0
    # A column whose errors are shown in another one when the sheet lacks it.
    reported_in = {}
    # Columns read but not stored: column → (headers, what the preview says or None).
    ignored_columns = {
        "no": (("no", "no urut", "nomor urut", "nomor"), None),
        "nik": (
            ("nik", "no ktp", "nomor ktp", "nik pemilik", "no nik", "nomor nik"),
            gettext_lazy(
                "Column %(column)s is ignored: the NIK is personal data (UU PDP) "
                "and is not stored."
            ),
        ),
    }

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
        # (row number, column, message) of values read with a warning.
        self.warnings = []
        # The register's sheet (products/register.py), for its row numbers.
        self.sheet = kwargs.get("sheet")
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

    def row_label(self, number):
        """The row's number as staff see it: the spreadsheet's (or the dataset's)."""
        return self.sheet.row_number(number) if self.sheet else number

    def load_existing(self):
        """Remember what is stored already, to match rows with it (see identity)."""

    def identity(self, row):
        """What tells the row's object apart from others: a hashable key (None when
        the row lacks it) and the column to report a repetition in."""
        return None, NON_FIELD_ERRORS

    def row_content(self, row):
        """The row's values as the import reads them (to tell a repetition)."""
        return tuple(
            lookup_key(cell_text(row.get(field.column_name)))
            for field in self.get_import_fields()
        ) + tuple(lookup_key(cell_text(row.get(name))) for name in ("kecamatan",))

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        # Missing columns read as empty cells.
        for field in self.get_import_fields():
            row.setdefault(field.column_name, None)
        key, column = self.safe_identity(row)
        if key is not None:
            number = kwargs.get("row_number")
            first, _content = self.rows_by_identity.setdefault(
                key, (number, self.row_content(row))
            )
            if first != number:
                raise ValidationError(
                    {
                        column: _(
                            "Repeats row %(row)d of the file with other values: "
                            "keep one of the two rows."
                        )
                        % {"row": self.row_label(first)}
                    }
                )

    def safe_identity(self, row):
        try:
            return self.identity(row)
        except ValueError:
            return None, NON_FIELD_ERRORS  # the column's own error says why

    def repeated_row(self, row):
        """The number of an earlier row the row repeats exactly (the same object
        with the same values: a copy), else None."""
        key, _column = self.safe_identity(row)
        if key is None or key not in self.rows_by_identity:
            return None
        first, content = self.rows_by_identity[key]
        return first if content == self.row_content(row) else None

    def import_row(self, row, instance_loader, **kwargs):
        number = kwargs["row_number"]
        first = self.repeated_row(row)
        if first is None:
            row_result = super().import_row(row, instance_loader, **kwargs)
        else:
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            self.warnings.append(
                (
                    number,
                    NON_FIELD_ERRORS,
                    _("The same as row %(row)d: left out.")
                    % {"row": self.row_label(first)},
                )
            )
        for field in self.get_import_fields():
            if isinstance(field.widget, WarningWidget):
                for message in field.widget.take_warnings():
                    self.warnings.append((number, field.column_name, message))
        # import_data(progress=…) is told of every row, whatever its outcome
        # (products/imports.py: Progress records the count every few hundred).
        progress = kwargs.get("progress")
        if progress is not None:
            progress(number)
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
                # Uniqueness is checked against what load_existing() read, not
                # by a query per row and field (check_unique).
                instance.full_clean(
                    exclude=exclude, validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            if validate_unique:
                errors = {**self.check_unique(instance), **errors}
        if errors:
            columns = {
                field.attribute: field.column_name for field in self.get_import_fields()
            }
            raise ValidationError(
                {
                    columns.get(name, name): [
                        self.plain_message(message) for message in messages
                    ]
                    for name, messages in errors.items()
                }
            )

    def check_unique(self, instance):
        """Errors (by field) of values another stored object has, found in what
        load_existing() read; the rows of one file are told apart by identity."""
        return {}

    @staticmethod
    def plain_message(error):
        """A model validation error in words for staff: an empty required cell is
        "empty" (never "cannot be null")."""
        if isinstance(error, ValidationError):
            if getattr(error, "code", None) in ("null", "blank", "required"):
                return _("Empty: this column must be filled in.")
            return error
        return error

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
    owner_name = text_field("owner_name", "nama_pemilik")
    nib = Field("nib", "nib", widget=NibWidget(), saves_null_values=False)
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
        "assisted_registration", "terdaftar_oleh_petugas", YesNoWidget()
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
    column_aliases = {
        "nama_usaha": (
            "nama usaha",
            "nama umkm",
            "nama ukm",
            "nama perusahaan",
            "nama toko",
            "nama usaha umkm",
            "usaha",
        ),
        "nama_pemilik": (
            "nama pemilik",
            "pemilik",
            "pemilik usaha",
            "nama pemilik usaha",
            "nama pelaku usaha",
            "pelaku usaha",
            "nama pengusaha",
            "nama lengkap",
            "nama",
        ),
        "nib": ("nib", "no nib", "nomor nib", "nomor induk berusaha", "nib oss"),
        "skala": (
            "skala",
            "skala usaha",
            "klasifikasi",
            "klasifikasi usaha",
            "ukuran usaha",
        ),
        "kelurahan": (
            "kelurahan",
            "kel",
            "desa kelurahan",
            "kelurahan desa",
            "kel desa",
            "desa kel",
            "desa",
            "alamat kelurahan",
        ),
        "kecamatan": ("kecamatan", "kec", "alamat kecamatan"),
        "alamat": (
            "alamat",
            "alamat usaha",
            "alamat lengkap",
            "alamat tempat usaha",
            "jalan",
            "alamat jalan",
            "jalan rt rw",
            "alamat jalan rt rw",
        ),
        "whatsapp": WHATSAPP_HEADERS,
        "deskripsi": ("deskripsi", "deskripsi usaha", "uraian usaha"),
    }
    ignored_columns = {
        **RegisterResource.ignored_columns,
        "jenis_usaha": (
            (
                "jenis usaha",
                "bidang usaha",
                "sektor usaha",
                "sektor",
                "jenis produk",
                "kategori",
                "kategori usaha",
            ),
            gettext_lazy(
                "Column %(column)s is not stored for businesses: each product gets "
                "its category in the import of products."
            ),
        ),
    }

    class Meta:
        model = Business
        fields = (
            "name",
            "owner_name",
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
        skip_html_diff = True

    def load_existing(self):
        self.verified = 0
        self.pk_by_nib, self.pks_by_name = {}, {}
        stored = Business.objects.values_list("pk", "nib", "name", "whatsapp")
        for pk, nib, name, whatsapp in stored:
            if nib:
                self.pk_by_nib[nib] = pk
            self.pks_by_name.setdefault((lookup_key(name), whatsapp), []).append(
                (pk, nib)
            )

    def check_unique(self, instance):
        other = self.pk_by_nib.get(instance.nib) if instance.nib else None
        if other is not None and other != instance.pk:
            constraint = next(
                constraint
                for constraint in Business._meta.constraints
                if constraint.name == "business_unique_nib"
            )
            return {"nib": [constraint.get_violation_error_message()]}
        return {}

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        by = kwargs.get("verify_by")
        if by is not None and instance.pk is None:
            # The agency's own register: verified as it is imported, as the
            # importing staff member's decision (recorded by this save).
            from .decisions import decide_new

            decide_new(
                instance,
                Business.Status.VERIFIED,
                by=by,
                reason=kwargs.get("verify_reason", ""),
            )
            self.verified += 1

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if instance.nib:
            self.pk_by_nib[instance.nib] = instance.pk

    def row_values(self, row):
        """The row's NIB, name and WhatsApp number, cleaned as the import reads them
        (None for a value it refuses: its column reports the error)."""
        return (
            safe_clean(self.fields["nib"], row),
            safe_clean(self.fields["name"], row),
            safe_clean(self.fields["whatsapp"], row),
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
        return queryset.annotate(product_count=count_products("business"))

    def dehydrate_status(self, business):
        return business.get_status_display()


class ProductResource(RegisterResource):
    """Products of registered businesses. A row is the business's product with
    that name; other rows are new products, awaiting review."""

    business_nib = export_field("business__nib", "nib_usaha")
    business = Field("business", "usaha", widget=BusinessWidget())
    business_name = export_field("business__name", "nama_usaha")
    # Read with the name to find a business without an NIB; written from it.
    business_whatsapp = export_field(
        "business__whatsapp", "whatsapp", widget=WhatsAppWidget()
    )
    name = text_field("name", "nama_produk")
    category = Field(
        "category", "kategori", widget=CategoryWidget(), saves_null_values=False
    )
    price = Field("price", "harga", widget=RupiahWidget(), saves_null_values=False)
    unit = text_field("unit", "satuan")
    description = text_field("description", "deskripsi")
    status = export_field("status", "status")
    url = export_field("get_absolute_url", "url")

    export_only = ("business_name", "business_whatsapp", "status", "url")
    # The business is found by its NIB, slug, or name and WhatsApp number.
    reported_in = {"usaha": ("nib_usaha", "nama_usaha")}
    required_columns = (
        ["nib_usaha", "usaha", "nama_usaha"],
        ["nama_produk"],
        ["kategori"],
        ["harga"],
    )
    column_aliases = {
        "nib_usaha": ("nib", "nib usaha", "no nib", "nomor nib", "nib umkm"),
        "usaha": ("slug usaha", "usaha"),
        "nama_usaha": (
            "nama usaha",
            "nama umkm",
            "nama ukm",
            "nama toko",
            "nama perusahaan",
        ),
        "whatsapp": WHATSAPP_HEADERS,
        "nama_produk": (
            "nama produk",
            "produk",
            "nama barang",
            "barang",
            "nama produk barang",
        ),
        "kategori": (
            "kategori",
            "kategori produk",
            "jenis produk",
            "jenis",
            "jenis usaha",
            "kelompok produk",
        ),
        "harga": (
            "harga",
            "harga rp",
            "harga rupiah",
            "harga satuan",
            "harga satuan rp",
            "harga jual",
            "harga jual rp",
            "harga per satuan",
        ),
        "satuan": ("satuan", "sat", "satuan produk", "kemasan", "ukuran", "isi"),
        "deskripsi": ("deskripsi", "deskripsi produk", "keterangan", "uraian"),
    }

    class Meta:
        model = Product
        fields = (
            "business_nib",
            "business",
            "business_name",
            "business_whatsapp",
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
        skip_html_diff = True

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

    def dehydrate_status(self, product):
        return product.get_status_display()
