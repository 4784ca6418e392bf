"""The agency's register as Dinas staff really keep it (tests/messy_register.py
builds one: titles over a merged two-level header, NIBs as numbers and as lost
"1.23E+12" text, placeholder NIBs, phones without their 0, prefixed and mistyped
kelurahan, section, totals and signature rows, copied rows, products on a sheet
"PRODUK" naming businesses without an NIB by name and WhatsApp number), imported
in the admin with no hand edit: every valid row goes in, every other row is named
by its Excel row number and the header as written, with a plain message."""

import io

import openpyxl
import pytest
from django.urls import reverse
from import_export.formats.base_formats import XLSX

from products.models import Business, ImportJob, Product
from tests.messy_register import build_register
from tests.test_import_export import confirm, upload

pytestmark = pytest.mark.django_db

# The message each kind of bad row gets (in Indonesian, as staff read it).
BUSINESS_MESSAGES = {
    "nib_scientific": "kehilangan angka NIB",
    "whatsapp": "WhatsApp",
    "kelurahan_suggest": "Maksud Anda: {suggestion}?",
    "outside_city": "bukan kelurahan di Kota Serang",
}
PRODUCT_MESSAGES = {
    "price": "bukan harga dalam rupiah",
    "unknown_business": "Tidak ada usaha",
}


@pytest.fixture
def register(db):
    return build_register(businesses=90, products=90, seed=5)


def import_register(client, model, register, **fields):
    preview = upload(
        client,
        model,
        register.content,
        name="DATA UMKM 2025.xlsx",
        file_format=XLSX,
        **fields,
    )
    assert preview.status_code == 200
    return preview


def errors_by_row(summary):
    errors = {}
    for error in summary["errors"]:
        errors.setdefault(error["row"], []).append(error)
    return errors


def assert_errors_as_expected(summary, rows, messages):
    """Each bad row of the register, and only those, is reported at its Excel row
    in the column as the sheet names it, with the message its mess deserves."""
    errors = errors_by_row(summary)
    invalid = {row["excel_row"]: row for row in rows if row["kind"] == "invalid"}
    assert set(errors) == set(invalid)
    for number, row in invalid.items():
        [error] = errors[number]
        assert error["column"].startswith(row["column"]), (number, error, row)
        expected = messages[row["reason"]].format(**row)
        assert expected in error["message"], (number, error, row)
        assert "None" not in error["message"] and "null" not in error["message"]


def test_a_messy_register_goes_in_with_every_valid_row(
    verifikator_client, verifikator, register
):
    """A Verifikator imports a messy agency register with no hand edit: every valid
    business and product goes in, verified businesses as their decision, each bad row is
    named by its Excel row and column, and no NIK is stored."""
    businesses = register.businesses
    preview = import_register(
        verifikator_client, Business, register, verify_businesses="on"
    )

    summary = preview.context["job"].preview
    valid = businesses("valid")
    invalid = businesses("invalid")
    copies = businesses("duplicate")
    assert summary["rows"] == len(valid) + len(invalid) + len(copies)
    assert (summary["new"], summary["invalid"]) == (len(valid), len(invalid))
    assert_errors_as_expected(summary, register.business_rows, BUSINESS_MESSAGES)
    page = preview.content.decode()
    assert f"{len(invalid)} dari {summary['rows']} baris bergalat" in page
    # What the preview says about the file: where the header is, the NIK column
    # left alone (UU PDP), the rows left out.
    notes = " ".join(summary["notes"])
    assert "Lembar “DATA UMKM”" in notes
    assert "NIK" in notes and "UU PDP" in notes and "tidak disimpan" in notes
    assert "baris judul bagian" in notes and "baris tanda tangan" in notes
    # Copies and kecamatan that disagree with a kelurahan unique in the city are
    # read, with a note naming the row.
    notes_by_row = {warning["row"]: warning for warning in summary["warnings"]}
    for copy in copies:
        assert (
            f"baris {copy['duplicate_of']}"
            in notes_by_row[copy["excel_row"]]["message"]
        )
    for row in valid:
        if "kecamatan_mismatch" in row["warnings"]:
            note = notes_by_row[row["excel_row"]]
            assert note["column"].startswith("KELURAHAN")
            assert f"Kecamatan {row['kecamatan']}" in note["message"]
    # The rows with errors, to correct, with their Excel row numbers.
    download = verifikator_client.get(
        reverse("admin:products_importjob_errors", args=[preview.context["job"].pk])
    )
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    numbers = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert numbers == sorted(row["excel_row"] for row in invalid)

    confirm(verifikator_client, preview)

    job = preview.context["job"]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED, job.message
    assert Business.objects.count() == len(valid)
    stored = {
        (b.name, b.whatsapp): b
        for b in Business.objects.select_related("kelurahan__kecamatan")
    }
    for row in valid:
        business = stored[(row["name"], row["whatsapp"])]
        assert business.owner_name == row["owner_name"]
        assert business.nib == row["nib"]
        assert business.kelurahan.name == row["kelurahan"]
        assert business.kelurahan.kecamatan.name == row["kecamatan"]
        assert business.size == row["size"]
        assert business.address == row["address"]
        # The agency's register, verified at once as the importer's decision.
        assert business.status == Business.Status.VERIFIED
        assert business.status_changed_by == verifikator
        assert business.registered_by == verifikator
    assert job.result["verified"] == len(valid)
    # The NIK, personal data, is stored nowhere.
    niks = [row["raw"]["nik"] for row in businesses() if row.get("raw", {}).get("nik")]
    assert niks
    for nik in niks[:20]:
        for field in ("name", "owner_name", "address", "description", "nib"):
            assert not Business.objects.filter(**{f"{field}__contains": nik}).exists()

    # The products' sheet of the same file is found by itself.
    preview = import_register(verifikator_client, Product, register)

    summary = preview.context["job"].preview
    products = register.products
    assert "Lembar “PRODUK”" in " ".join(summary["notes"])
    assert summary["new"] == len(products("valid"))
    assert_errors_as_expected(summary, register.product_rows, PRODUCT_MESSAGES)

    confirm(verifikator_client, preview)

    job = preview.context["job"]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED, job.message
    by_excel_row = {row["excel_row"]: row for row in businesses()}
    imported = Product.objects.select_related("business", "category")
    assert imported.count() == len(products("valid"))
    found = {(p.business.name, p.business.whatsapp, p.name): p for p in imported}
    for row in products("valid"):
        owner = by_excel_row[row["business_excel_row"]]
        product = found[(owner["name"], owner["whatsapp"], row["name"])]
        assert product.category.name == row["category"]
        assert product.price == row["price"]
        assert product.status == Product.Status.PENDING


def test_a_sheet_named_by_staff_is_read_and_an_unknown_one_is_named(
    verifikator_client, register
):
    """Businesses imported from the sheet staff name ("Produk") get one plain error of
    the file naming its header row; a sheet the file lacks is named with the sheets it
    has, and cannot be confirmed."""
    preview = import_register(verifikator_client, Business, register, sheet="Produk")
    summary = preview.context["job"].preview
    # Its businesses lack kelurahan and address: a plain message naming the
    # header row found there, no row flood.
    [error] = summary["errors"]
    assert error["row"] == 0 and "KELURAHAN" in error["message"]
    assert f"baris {register.product_header_row}" in error["message"]
    assert "tidak berubah" not in preview.content.decode()

    preview = import_register(verifikator_client, Business, register, sheet="UMKM")
    [error] = preview.context["job"].preview["errors"]
    assert "tidak memiliki lembar “UMKM”" in error["message"]
    assert "“DATA UMKM”" in error["message"] and "“PRODUK”" in error["message"]
    assert not preview.context["may_confirm"]


def test_a_file_without_any_header_says_so_plainly(verifikator_client):
    """A workbook with no header of a register gets one plain error saying no header row
    was found, with no row-by-row flood."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["LAPORAN KEGIATAN BULAN DESEMBER"])
    for number in range(40):
        workbook.active.append([number, f"Kegiatan {number}", "Selesai"])
    content = io.BytesIO()
    workbook.save(content)

    preview = upload(
        verifikator_client,
        Business,
        content.getvalue(),
        name="laporan.xlsx",
        file_format=XLSX,
    )

    summary = preview.context["job"].preview
    [error] = summary["errors"]
    assert error["row"] == 0
    assert "Baris judul kolom tidak ditemukan" in error["message"]
    page = preview.content.decode()
    assert "tidak berubah" not in page.casefold()
    assert page.count('<td class="row-number">') == 1
