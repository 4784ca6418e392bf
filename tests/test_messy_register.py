"""The messy register generator (tests/messy_register.py) itself: the import tests
and the benchmark trust its expected outcomes."""

import io

import openpyxl
import pytest

from products.models import Business, Category, Kelurahan
from tests.messy_register import (
    ALIASES,
    BUSINESS_REASONS,
    BUSINESS_SHEET,
    PRODUCT_REASONS,
    PRODUCT_SHEET,
    SKIPPED_REASONS,
    build_register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(db):
    return build_register()


def workbook(register):
    return openpyxl.load_workbook(io.BytesIO(register.content))


def test_the_same_seed_gives_the_same_file():
    """The same seed builds the same workbook and the same expected rows; another seed
    builds another workbook."""
    first, again, other = build_register(), build_register(), build_register(seed=2)
    assert first.content == again.content
    assert first.business_rows == again.business_rows
    assert first.product_rows == again.product_rows
    assert other.content != first.content


def test_sheets_and_the_two_level_merged_header(register):
    """The register has the business sheet then the product sheet, a title, and a header
    over two rows: ALAMAT merged over its three columns, the other headers merged down
    both rows."""
    book = workbook(register)
    assert book.sheetnames == [BUSINESS_SHEET, PRODUCT_SHEET]
    sheet = book.worksheets[0]
    assert sheet.cell(1, 1).value == "DATA UMKM KOTA SERANG TAHUN 2025"
    top, sub = register.business_header_rows
    columns, headers = register.business_columns, register.business_headers
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    address = columns["address"]
    letter = openpyxl.utils.get_column_letter
    assert f"{letter(address)}{top}:{letter(address + 2)}{top}" in merged
    assert sheet.cell(top, address).value == headers["address_group"]
    for name in ("address", "kelurahan", "kecamatan"):
        assert sheet.cell(sub, columns[name]).value == headers[name]
    for name in ("no", "name", "nib", "whatsapp", "size"):
        column = letter(columns[name])
        assert f"{column}{top}:{column}{sub}" in merged
        assert sheet.cell(top, columns[name]).value == headers[name]
        assert sheet.cell(sub, columns[name]).value is None
    products = book[PRODUCT_SHEET]
    for name, column in register.product_columns.items():
        value = products.cell(register.product_header_row, column).value
        assert value == register.product_headers[name]


def test_every_row_below_the_header_is_described_where_it_is(register):
    """Every row below each sheet's header has an expected outcome at the row number
    Excel shows, naming what its cells hold, and each product's business is where it
    says."""
    book = workbook(register)
    sheet, products = book[BUSINESS_SHEET], book[PRODUCT_SHEET]
    rows = [row["excel_row"] for row in register.business_rows]
    first = register.business_header_rows[1] + 1
    assert rows == list(range(first, sheet.max_row + 1))
    rows = [row["excel_row"] for row in register.product_rows]
    assert rows == list(range(register.product_header_row + 1, products.max_row + 1))

    name = register.business_columns["name"]
    for row in register.business_rows:
        if row["kind"] != "skipped":
            assert sheet.cell(row["excel_row"], name).value == row["raw"]["name"]
            assert row["raw"]["name"].strip() == row["name"]
    name = register.product_columns["name"]
    for row in register.product_rows:
        if row["kind"] != "skipped":
            assert products.cell(row["excel_row"], name).value == row["raw"]["name"]
        if row["kind"] == "valid":
            business = sheet.cell(
                row["business_excel_row"], register.business_columns["name"]
            ).value
            key = row["business"]
            if isinstance(key, tuple):
                assert key[0] == business.strip()


def test_every_kind_of_mess_occurs_at_the_default_size(register):
    """A register of the default size holds every kind of valid, invalid, duplicate and
    skipped row, NIBs written every messy way, number cells and repeated names."""
    counts = register.counts()
    for kind in ("valid", "invalid", "duplicate", "skipped"):
        assert counts[f"business:{kind}"]
        assert counts[f"product:{kind}"]
    for reason in BUSINESS_REASONS:
        assert counts[f"business:invalid:{reason}"], reason
    for reason in PRODUCT_REASONS:
        assert counts[f"product:invalid:{reason}"], reason
    assert counts["business:valid:kecamatan_mismatch"]
    for reason in ("section", "blank", "numbered_empty", "total", "signature"):
        assert counts[f"business:skipped:{reason}"], reason
    assert set(SKIPPED_REASONS) >= {
        row["reason"]
        for row in register.business_rows + register.product_rows
        if row["kind"] == "skipped"
    }

    valid = register.businesses("valid")
    raw_nibs = [row["raw"]["nib"] for row in valid if not row["nib"]]
    assert {"-", 0, "Belum ada", "Dalam proses", ""} <= set(raw_nibs)
    assert any(isinstance(row["raw"]["nib"], int) for row in valid if row["nib"])
    assert any(isinstance(row["raw"]["whatsapp"], int) for row in valid)
    names = [row["name"].casefold() for row in valid]
    assert len(set(names)) < len(names)  # some names repeat, with other phones
    duplicates = register.businesses("duplicate")
    assert any(isinstance(row["key"], tuple) for row in duplicates)
    assert any(isinstance(row["business"], tuple) for row in register.products("valid"))

    book = workbook(register)
    sheet = book[BUSINESS_SHEET]
    nib = register.business_columns["nib"]
    formats = {
        sheet.cell(row["excel_row"], nib).number_format
        for row in valid
        if isinstance(row["raw"]["nib"], int) and row["nib"]
    }
    assert "0.00E+00" in formats
    for row in register.businesses("invalid"):
        if row["reason"] == "nib_scientific":
            assert "E+" in sheet.cell(row["excel_row"], nib).value


def test_expected_values_use_the_reference_data(register):
    """The expected businesses and products use kelurahan, kecamatan, sizes and
    categories the city's reference data has, normalised NIBs, WhatsApp numbers and
    prices."""
    places = set(Kelurahan.objects.values_list("kecamatan__name", "name"))
    sizes = set(Business.Size.values)
    for row in register.businesses("valid"):
        assert (row["kecamatan"], row["kelurahan"]) in places
        assert row["size"] in sizes
        assert row["whatsapp"].startswith("628")
        assert row["nib"] == "" or (len(row["nib"]) == 13 and row["nib"].isdigit())
        assert row["key"] == (row["nib"] or (row["name"], row["whatsapp"]))
    for row in register.businesses("invalid"):
        if row["reason"] == "kelurahan_suggest":
            assert (row["suggestion_kecamatan"], row["suggestion"]) in places
            assert row["column"] == register.business_headers["kelurahan"]
    categories = set(Category.objects.values_list("name", flat=True))
    assert set(ALIASES.values()) <= categories
    aliases = {alias.casefold(): category for alias, category in ALIASES.items()}
    for row in register.products("valid"):
        assert row["category"] in categories
        assert (
            aliases[" ".join(row["raw"]["category"].split()).casefold()]
            == (row["category"])
        )
        assert isinstance(row["price"], int) and row["price"] > 0


def test_places_and_categories_can_be_given():
    """A register built for given kelurahan and categories uses only those in its valid
    rows."""
    register = build_register(
        businesses=30,
        products=30,
        places=[("Serang", "Cipare"), ("Serang", "Lopang"), ("Kasemen", "Bendung")],
        categories=["Makanan", "Kerajinan"],
    )
    assert {row["kelurahan"] for row in register.businesses("valid")} <= {
        "Cipare",
        "Lopang",
        "Bendung",
    }
    assert {row["category"] for row in register.products("valid")} <= {
        "Makanan",
        "Kerajinan",
    }
