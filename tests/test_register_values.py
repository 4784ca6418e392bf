"""Values as Dinas staff write them in a register, read the one way the import,
the owner's product form and the price filter read them; and a register saved
as CSV the way Excel set to Indonesian saves it."""

import io

import openpyxl
import pytest
from openpyxl.styles import Border, Side

from products import register
from products.forms import RupiahField
from products.models import Business
from products.resources import (
    BusinessResource,
    ChoiceWidget,
    KelurahanWidget,
    NibWidget,
    RupiahWidget,
)
from products.rupiah import parse_rupiah


@pytest.mark.parametrize(
    "written, rupiah",
    [
        ("Rp. 25.000,-", 25_000),
        ("Rp 12.500", 12_500),
        ("15.000", 15_000),
        ("25,000", 25_000),
        ("25.000,00", 25_000),
        (25000, 25_000),
        (25000.0, 25_000),
        ("26rb", 26_000),
        ("4 ribu", 4_000),
        ("5K", 5_000),
        ("1,5 jt", 1_500_000),
        ("IDR 7.500", 7_500),
    ],
)
def test_prices_as_staff_write_them(written, rupiah):
    """Prices as staff write them ("Rp. 25.000,-", "26rb", "1,5 jt", number cells…) read
    as the same whole rupiah in an import."""
    assert parse_rupiah(written) == rupiah
    assert RupiahWidget().clean(written) == rupiah


@pytest.mark.parametrize("written", ["gratis", "nego", "2,5", "Rp", "25.5", "-5000"])
def test_what_is_no_price_is_refused_with_the_value(written):
    """A price that is none ("gratis", "nego", a fraction, a negative amount) is refused
    with a message about rupiah."""
    with pytest.raises(ValueError, match="rupiah"):
        parse_rupiah(written)


def test_the_owner_form_reads_prices_by_the_same_rule():
    """An owner typing "26rb" or "Rp 25.000" in the product form gets the same price an
    import reads."""
    field = RupiahField()
    assert field.clean("26rb") == 26_000
    assert field.clean("Rp 25.000") == 25_000


@pytest.mark.parametrize(
    "written, nib",
    [
        (1234567890123, "1234567890123"),
        (1234567890123.0, "1234567890123"),  # a number cell shown as 1.23E+12
        ("1234 5678 90123", "1234567890123"),
        ("1234.5678.90123", "1234567890123"),
        ("-", None),
        ("0", None),
        (0, None),
        ("Belum ada", None),
        ("DALAM PROSES", None),
        (" - ", None),
        ("", None),
    ],
)
def test_nibs_as_registers_hold_them(written, nib):
    """NIBs as registers hold them (number cells, spaces, dots) read as 13 digits;
    placeholders ("-", "0", "Belum ada", "DALAM PROSES", blank) as no NIB."""
    assert NibWidget().clean(written) == nib


@pytest.mark.parametrize("written", ["1.23E+12", "1,23E+12", "9.32161E+12"])
def test_an_nib_excel_shortened_is_refused_saying_why(written):
    """An NIB Excel shortened to "1.23E+12" is refused with a message telling staff to
    store the column as text."""
    with pytest.raises(ValueError, match="Teks|Text"):
        NibWidget().clean(written)


@pytest.mark.parametrize("written", ["Usaha Mikro", "MIKRO", "mikro", "Skala Mikro"])
def test_sizes_as_registers_write_them(written):
    """A size written "Usaha Mikro", "MIKRO", "mikro" or "Skala Mikro" reads as
    micro."""
    assert ChoiceWidget(Business.Size).clean(written) == Business.Size.MICRO


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kelurahan, kecamatan",
    [
        ("Kel. Cipare", "KEC. SERANG"),
        ("KEL CIPARE", "Kecamatan Serang"),
        ("cipare ", "Serang "),
        ("Kelurahan Cipare", ""),
    ],
)
def test_kelurahan_with_prefixes_case_and_spaces(kelurahan, kecamatan):
    """A kelurahan written with "Kel." or "Kelurahan", in any case or with spaces, with
    or without its kecamatan, is found as Cipare in Serang."""
    found = KelurahanWidget().clean(kelurahan, {"kecamatan": kecamatan})
    assert (found.name, found.kecamatan.name) == ("Cipare", "Serang")


@pytest.mark.django_db
def test_a_near_miss_gets_a_suggestion_and_a_place_elsewhere_a_plain_no():
    """A mistyped kelurahan ("Cipre") is refused with the suggestion "Cipare?"; a place
    outside the city is refused as not in Kota Serang, without a suggestion."""
    with pytest.raises(ValueError, match="Cipare\\?"):
        KelurahanWidget().clean("Cipre", {})
    with pytest.raises(ValueError, match="Kota Serang") as refused:
        KelurahanWidget().clean("Kel. Jombang Wetan", {"kecamatan": "Jombang"})
    assert "?" not in str(refused.value)


def csv_register(*lines):
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def test_a_csv_register_with_semicolons_titles_and_a_signature_block():
    """A register saved as CSV by Excel in Indonesian (semicolons, a title, a section,
    totals and signature rows) reads its two businesses at their row numbers, leaving
    the NIK column out with a note on UU PDP."""
    content = csv_register(
        "DATA UMKM KOTA SERANG TAHUN 2025;;;;;",
        ";;;;;",
        "NO;NAMA USAHA;KELURAHAN;ALAMAT;NO HP/WA;NIK",
        "A. KECAMATAN SERANG;;;;;",
        "1;Dodol Bu Ani;Cipare;Jl. Cipare 1;0812 3456 7890;3673010101010001",
        ";;;;;",
        "2;Emping Pak Dul;Sumur Pecung;Jl. Sumur 2;81234567891;3673010101010002",
        "JUMLAH;2;;;;",
        ";;;Serang, 12 Desember 2025;;",
        ";;;Kepala Dinas;;",
        ";;;Drs. H. Ahmad Fauzi;;",
        ";;;NIP. 19700101 199003 1 001;;",
    )

    sheet = register.read_register(content, "csv", BusinessResource())

    assert sheet.header_row == 3
    assert sheet.row_numbers == [5, 7]
    assert list(sheet.dataset.headers) == [
        "nama_usaha",
        "kelurahan",
        "alamat",
        "whatsapp",
    ]
    assert sheet.dataset[1][0] == "Emping Pak Dul"
    assert sheet.column("whatsapp") == "NO HP/WA (E)"
    assert sheet.skipped == {"blank": 1, "section": 1, "total": 1, "signature": 4}
    assert any(
        "NIK (F)" in str(note) and "UU PDP" in str(note) for note in sheet.notes()
    )


def test_a_file_without_a_header_is_one_plain_error():
    """A CSV file with no header of a register is refused with one plain error saying no
    header was found."""
    content = csv_register("LAPORAN;;", "1;Rapat;Selesai", "2;Kunjungan;Selesai")

    with pytest.raises(register.FileUnreadable, match="header|judul"):
        register.read_register(content, "csv", BusinessResource())


def test_a_sheet_formatted_down_to_the_last_row_is_read_quickly():
    """Registers often carry formatting (borders) far below the data: the rows
    past the last filled one are not kept."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["NAMA USAHA", "KELURAHAN", "ALAMAT", "NO HP/WA"])
    sheet.append(["Dodol Bu Ani", "Cipare", "Jl. Cipare 1", "0812 3456 7890"])
    sheet.cell(row=20_000, column=4).border = Border(bottom=Side(style="thin"))
    content = io.BytesIO()
    workbook.save(content)

    read = register.read_register(content.getvalue(), "xlsx", BusinessResource())

    assert read.row_numbers == [2]
    assert not read.skipped  # no 20,000 "empty rows" either
