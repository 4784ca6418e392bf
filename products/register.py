"""Reading a register as an agency keeps it in Excel (or saves it as CSV), for the
resources of products/resources.py.

A real register is no tidy table: a title or two above the header ("DATA UMKM
KOTA SERANG TAHUN 2025"), a header over two rows with merged cells (ALAMAT over
JALAN, KELURAHAN and KECAMATAN), headers as staff write them ("NO HP/WA",
"HARGA (Rp)"), section rows ("A. KECAMATAN SERANG"), blank rows, a totals row
("JUMLAH") and the signature block under the table, and the products on a sheet
of their own ("PRODUK").

read_register() finds the sheet and its header row, maps each header to the
resource's column (RegisterResource.column_aliases), and keeps only the data
rows, each with its row number in the spreadsheet, so that every message names
the row and the column staff see in Excel. Columns the resource does not store
are listed as ignored (NIK on purpose: personal data under UU PDP).
"""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

import tablib
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils import get_column_letter

# The header row is looked for among the first rows of a sheet.
HEADER_SCAN_ROWS = 30
# A header row names at least this many of the resource's columns (the best row wins).
MIN_HEADER_COLUMNS = 1
SHEET_FORMATS = ("csv", "xlsx")

# Rows that close the table: a totals row, then the signature block.
TOTAL_WORDS = ("jumlah", "total", "grand total", "sub total", "subtotal")
SIGNATURE_STARTS = (
    "mengetahui",
    "kepala",
    "nip",
    "a n",
    "an",
    "plt",
    "plh",
    "sekretaris",
    "kabid",
    "ttd",
    "dibuat oleh",
    "diperiksa",
    "disetujui",
    "petugas",
    "pembina",
)
# "Serang, 12 Desember 2025": where the signature block starts.
DATE_LINE = re.compile(r"^[a-z][a-z .]*,\s*\d{1,2}\s+[a-z]+\s+\d{4}$")
# "A. KECAMATAN SERANG", "II. KASEMEN", "1) Kelurahan Cipare"
SECTION = re.compile(r"^(?:[a-z]{1,2}|[ivxlc]+|\d{1,2})\s*[.)]\s*\S")
SECTION_WORDS = ("kecamatan", "kelurahan", "kec", "kel", "wilayah", "bagian")
# Column numbering under a header: 1, 2, 3 … or (1), (2), (3) …
COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2})\)?$")


class FileUnreadable(Exception):
    """The uploaded file is no register the resources can read: its message says
    why, for the staff member."""


def header_key(text):
    """A header as compared with the aliases: lower case, letters and digits
    only ("NO. HP/WA" → "no hp wa", "HARGA (Rp)" → "harga rp")."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text or "").casefold()).split())


def cell_value_text(value):
    """A cell as trimmed text ("" when empty); whole numbers lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class Sheet:
    """A register's table, read: the data rows under their resource column names
    (dataset), and for each row its row number in the spreadsheet."""

    name: str
    dataset: tablib.Dataset
    # The spreadsheet's row number of each dataset row.
    row_numbers: list
    # Resource column → the header as written, with its column letter.
    headers: dict
    # The sheet's own header of every column (for the error rows' file).
    written_headers: list
    # The cells of each dataset row as in the sheet (for the error rows' file).
    raw_rows: list
    header_row: int
    # Headers of columns read but not stored, with the reason (a message).
    ignored: list = field(default_factory=list)
    # Rows left out: kind ("blank", "section", "total", "signature", …) → count.
    skipped: Counter = field(default_factory=Counter)

    def row_number(self, number):
        """The spreadsheet's row number of the dataset's row number (1-based)."""
        if 1 <= number <= len(self.row_numbers):
            return self.row_numbers[number - 1]
        return number

    def column(self, name):
        """A resource column as staff see it in the sheet ("KELURAHAN (H)")."""
        return self.headers.get(name, name)

    def notes(self):
        """What the preview says about the file beside its rows."""
        notes = [
            _("Sheet “%(sheet)s”, header in row %(row)d.")
            % {"sheet": self.name, "row": self.header_row}
            if self.name
            else _("Header in row %(row)d.") % {"row": self.header_row}
        ]
        notes += self.ignored
        labels = {
            "blank": lambda n: ngettext("%d empty row", "%d empty rows", n),
            "section": lambda n: ngettext(
                "%d section heading", "%d section headings", n
            ),
            "numbering": lambda n: ngettext(
                "%d row of column numbers", "%d rows of column numbers", n
            ),
            "header": lambda n: ngettext(
                "%d repeated header row", "%d repeated header rows", n
            ),
            "total": lambda n: ngettext("%d totals row", "%d totals rows", n),
            "signature": lambda n: ngettext(
                "%d row of the signature block", "%d rows of the signature block", n
            ),
        }
        skipped = [
            labels[kind](count) % count
            for kind, count in self.skipped.items()
            if count and kind in labels
        ]
        if skipped:
            notes.append(_("Left out: %(rows)s.") % {"rows": ", ".join(skipped)})
        return notes


def sheet_rows(data, file_format):
    """[(sheet name, [row tuples])] of a file's content: every sheet of a
    workbook, or the one table of a CSV file (UTF-8, commas or semicolons)."""
    if file_format == "xlsx":
        return workbook_rows(data)
    if file_format == "csv":
        return [("", csv_rows(data))]
    raise FileUnreadable(_("Upload a CSV or XLSX file."))


def workbook_rows(data):
    from openpyxl import load_workbook

    try:
        # Read-only reads cells as stored (merged cells are empty but their first);
        # data_only reads a formula's last computed value.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise FileUnreadable(
            _(
                "The file cannot be read as an XLSX workbook (an old .xls file? "
                "Save it from Excel as “Excel Workbook (.xlsx)”)."
            )
        ) from error
    try:
        return [
            (worksheet.title, sparse(worksheet.iter_rows(values_only=True)))
            for worksheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def sparse(rows):
    """The rows of a sheet, each empty one as None and none after the last filled
    one: a sheet formatted down to Excel's last row (1,048,576) costs little."""
    kept, last = [], 0
    for row in rows:
        if any(cell is not None and cell != "" for cell in row):
            kept.append(row)
            last = len(kept)
        else:
            kept.append(None)
    del kept[last:]
    return kept


def csv_rows(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileUnreadable(
            _("The file is not UTF-8 text: save it as “CSV UTF-8” or as XLSX.")
        ) from error
    try:
        # Excel set to Indonesian saves CSV with semicolons.
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return sparse(tuple(row) for row in csv.reader(io.StringIO(text), dialect))


class HeaderMap:
    """The aliases of a resource's columns, and of the columns it reads but
    ignores, by header_key."""

    def __init__(self, resource):
        self.columns = {}
        for name, aliases in resource.column_aliases.items():
            for alias in (name, *aliases):
                self.columns.setdefault(header_key(alias), name)
        self.ignored = {}
        for name, (aliases, reason) in resource.ignored_columns.items():
            for alias in (name, *aliases):
                self.ignored.setdefault(header_key(alias), (name, reason))
        self.required = resource.required_columns

    def match(self, text):
        """The resource column a header names, or None."""
        return self.columns.get(header_key(text))

    def known(self, text):
        """The resource column or ignored column a header names, or None."""
        return self.match(text) or self.ignored.get(header_key(text), (None,))[0]

    def score(self, columns):
        """How many of the resource's columns a header names."""
        stored = set(self.columns.values())
        return len({name for name in columns.values() if name in stored})


def read_header(rows, index, headers):
    """(columns, written) of the header at rows[index], alone or with the row
    under it as its second level: the resource column of each cell index, and
    each column's header as written."""
    top = list(rows[index] or ()) if index < len(rows) else []

    def single():
        columns, written = {}, {}
        for i, cell in enumerate(top):
            text = cell_value_text(cell)
            if text:
                written[i] = text
                columns[i] = headers.known(text)
        return columns, written

    def two_level():
        sub = list(rows[index + 1] or ()) if index + 1 < len(rows) else []
        columns, written = {}, {}
        group = ""
        for i in range(max(len(top), len(sub))):
            upper = cell_value_text(top[i]) if i < len(top) else ""
            lower = cell_value_text(sub[i]) if i < len(sub) else ""
            if upper:
                group = upper
            elif not lower:
                group = ""
            # A merged group header (ALAMAT) spans the cells to its right that
            # have a second-level header.
            upper = upper or (group if lower else "")
            name = None
            if lower:
                name = headers.known(lower) or headers.known(f"{upper} {lower}")
            if name is None and upper:
                name = headers.known(upper)
            text = lower or upper
            if text:
                written[i] = text
                columns[i] = name
        return columns, written

    return single(), two_level()


def find_header(rows, headers):
    """(header row index, columns, written, levels) of the sheet's header, or None."""
    best = None
    for index in range(min(len(rows), HEADER_SCAN_ROWS)):
        (columns, written), (columns2, written2) = read_header(rows, index, headers)
        points = headers.score(columns)
        if points < MIN_HEADER_COLUMNS:
            continue
        candidate = (points, index, columns, written, 1)
        points2 = headers.score(columns2)
        if points2 > points:
            candidate = (points2, index, columns2, written2, 2)
        if best is None or candidate[0] > best[0]:
            best = candidate
    if best is None:
        return None
    _points, index, columns, written, levels = best
    return index, columns, written, levels


def choose_sheet(sheets, headers, wanted):
    """(name, rows, header) of the sheet to read: the one named wanted, else the
    one whose header names most of the resource's columns."""
    if wanted:
        for name, rows in sheets:
            if header_key(name) == header_key(wanted):
                return name, rows, find_header(rows, headers)
        raise FileUnreadable(
            _("The file has no sheet “%(sheet)s”; its sheets are %(sheets)s.")
            % {
                "sheet": wanted,
                "sheets": ", ".join(f"“{name}”" for name, _rows in sheets),
            }
        )
    found = [(name, rows, find_header(rows, headers)) for name, rows in sheets]
    with_header = [sheet for sheet in found if sheet[2] is not None]
    if not with_header:
        return found[0] if found else ("", [], None)
    return max(with_header, key=lambda sheet: headers.score(sheet[2][1]))


def row_kind(cells, data_indexes, headers, header_points, ended):
    """What a row under the header is: "data", or the kind of row left out."""
    texts = [cell_value_text(cell) for cell in cells]
    filled = [text for text in texts if text]
    if not filled:
        return "blank"
    keys = [header_key(text) for text in filled]
    if all(COLUMN_NUMBER.match(text) for text in filled) and len(filled) > 2:
        return "numbering"
    if sum(1 for text in filled if headers.known(text)) >= max(2, header_points // 2):
        return "header"
    if any(key in TOTAL_WORDS or key.startswith("jumlah ") for key in keys[:3]):
        return "total"
    signature_line = any(
        DATE_LINE.match(text.casefold())
        or any(
            key == start or key.startswith(start + " ") for start in SIGNATURE_STARTS
        )
        for text, key in zip(filled, keys, strict=True)
    )
    if len(filled) <= 2 and (ended or signature_line):
        return "signature"
    if len(filled) == 1 and (
        SECTION.match(filled[0].casefold()) or keys[0].split(" ", 1)[0] in SECTION_WORDS
    ):
        return "section"
    if not any(i < len(texts) and texts[i] for i in data_indexes):
        return "blank"  # only a running number, or cells of ignored columns
    return "data"


def read_register(data, file_format, resource, sheet=None):
    """The register in the file's content (bytes) as a Sheet for the resource
    (an instance of products/resources.py); FileUnreadable when it has no sheet
    or no header the resource can read."""
    headers = HeaderMap(resource)
    sheets = sheet_rows(data, file_format)
    name, rows, header = choose_sheet(sheets, headers, sheet)
    if header is None:
        expected = ", ".join(
            " / ".join(
                resource.column_aliases.get(column, (column,))[0].upper()
                for column in columns
            )
            for columns in headers.required
        )
        raise FileUnreadable(
            _(
                "No header row found%(where)s: the first %(rows)d rows name none "
                "of the columns this import reads (such as %(expected)s). Check "
                "that the file is the register of %(what)s."
            )
            % {
                "where": _(" on sheet “%(sheet)s”") % {"sheet": name} if name else "",
                "rows": HEADER_SCAN_ROWS,
                "expected": expected,
                "what": resource._meta.model._meta.verbose_name_plural,
            }
        )
    index, columns, written, levels = header
    used, ignored = {}, []
    for i, column in sorted(columns.items()):
        text = written[i]
        label = f"{text} ({get_column_letter(i + 1)})"
        if column is None:
            ignored.append(
                _("Column %(column)s is not read by this import.") % {"column": label}
            )
        elif column in resource.ignored_columns:
            reason = resource.ignored_columns[column][1]
            if reason:
                ignored.append(str(reason) % {"column": label})
        elif column in used:
            ignored.append(
                _("Column %(column)s repeats column %(first)s and is not read.")
                % {"column": label, "first": used[column][1]}
            )
        else:
            used[column] = (i, label)
    missing = [
        " / ".join(
            resource.column_aliases.get(column, (column,))[0].upper()
            for column in alternatives
        )
        for alternatives in headers.required
        if not any(column in used for column in alternatives)
    ]
    if missing:
        raise FileUnreadable(
            _("The header in row %(row)d has no column %(columns)s (found: %(found)s).")
            % {
                "row": index + 1,
                "columns": ", ".join(missing),
                "found": ", ".join(written[i] for i in sorted(written)),
            }
        )
    headers_written = {column: label for column, (_i, label) in used.items()}
    for column, alternatives in resource.reported_in.items():
        present = [headers_written[other] for other in alternatives if other in used]
        if column not in used and present:
            headers_written[column] = present[0]
    names = list(used)
    dataset = tablib.Dataset(headers=names)
    data_indexes = [i for i, _label in used.values()]
    width = max([len(row or ()) for row in rows[index : index + levels]] + [0])
    written_headers = [written.get(i, "") for i in range(width)]
    row_numbers, raw_rows, skipped = [], [], Counter()
    points = headers.score(columns)
    ended = False
    for number, cells in enumerate(rows[index + levels :], start=index + levels + 1):
        cells = tuple(cells or ())
        kind = row_kind(cells, data_indexes, headers, points, ended)
        if kind != "data":
            skipped[kind] += 1
            if kind in ("total", "signature"):
                ended = True
            continue
        dataset.append(
            [cells[i] if i < len(cells) else None for i, _label in used.values()]
        )
        row_numbers.append(number)
        raw_rows.append(cells[:width])
    if not len(dataset):
        raise FileUnreadable(
            _("The sheet has no rows under its header (row %(row)d).")
            % {"row": index + levels}
        )
    return Sheet(
        name=name,
        dataset=dataset,
        row_numbers=row_numbers,
        headers=headers_written,
        written_headers=written_headers,
        raw_rows=raw_rows,
        header_row=index + 1,
        ignored=ignored,
        skipped=skipped,
    )
