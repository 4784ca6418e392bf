"""The catalogue in spreadsheets: the admin's two-step import (upload, dry-run preview
listing row errors, confirm; both steps run in the background, here at once:
tests/test_background_imports.py tests the jobs themselves), the register command,
exports of businesses, products and displays, and who may do which."""

import csv
import io

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from import_export.formats.base_formats import CSV, XLSX

from accounts.phones import format_whatsapp
from outlets.models import Display
from outlets.resources import DisplayResource
from products.models import Business, Kelurahan, Product
from products.resources import BusinessResource, ProductResource
from tests.admin_helpers import admin_url, make_curator
from tests.factories import make_business, make_display, make_product, make_user

pytestmark = pytest.mark.django_db

BUSINESS_HEADER = [
    "nama_usaha",
    "nib",
    "skala",
    "kecamatan",
    "kelurahan",
    "alamat",
    "whatsapp",
    "deskripsi",
]
DODOL = [
    "Dodol Bu Ani",
    "3673010000001",
    "mikro",
    "Serang",
    "Cipare",
    "Jl. Ki Mas Jong No. 3",
    "0812 3456 7890",
    "Dodol ketan hitam",
]
EMPING = [
    "Emping Pak Budi",
    "",
    "Kecil",
    "Curug",
    "Sukawana",
    "Kp. Sukawana RT 02",
    "+62 813-1111-2222",
    "",
]
UNKNOWN_KELURAHAN = [
    "Sate Bandeng Rima",
    "3673010000002",
    "mikro",
    "Serang",
    "Kelurahan Tak Ada",
    "Jl. Veteran 1",
    "081377778888",
    "",
]
BAD_NIB = [
    "Kopi Kenari",
    "367301000000",
    "mikro",
    "Serang",
    "Cipare",
    "Jl. Kenari 2",
    "081399990000",
    "",
]
BAD_WHATSAPP = [
    "Batik Banten Sari",
    "",
    "menengah",
    "Taktakan",
    "Cilowong",
    "Jl. Cilowong 5",
    "0212345",
    "",
]


def csv_bytes(header, *rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def format_index(setting, file_format):
    return str(getattr(settings, setting).index(file_format))


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Background tasks run at once, as the request queuing them commits."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


def upload(client, model, content, name="register.csv", file_format=CSV, **fields):
    """Step 1 of an admin import: the upload (with the form's other fields, e.g.
    sheet), which queues the job's dry-run preview (run at once as the request
    commits), answered by a redirect to the job's page; returns that page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            admin_url(model, "import"),
            {
                "resource": "0",
                "format": format_index("IMPORT_FORMATS", file_format),
                "import_file": SimpleUploadedFile(name, content),
                **fields,
            },
        )
    assert response.status_code == 302, response
    return client.get(response["Location"])


def confirm(client, preview):
    """Step 2: confirm the import the job's page previewed (run at once)."""
    job = preview.context["job"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("admin:products_importjob_confirm", args=[job.pk]))


def preview_of(page):
    """The job's preview as its page shows it (counts and errors)."""
    return page.context["job"].preview


def error_columns(page):
    """The columns each invalid row of the preview has errors in, by row."""
    errors = {}
    for error in preview_of(page)["errors"]:
        columns = errors.setdefault(error["row"], [])
        if error["column"] not in columns:
            columns.append(error["column"])
    return errors


def import_in_admin(client, model, content, **kwargs):
    preview = upload(client, model, content, **kwargs)
    assert preview.status_code == 200
    assert preview_of(preview)["error_count"] == 0
    response = confirm(client, preview)
    assert response.status_code == 302
    preview.context["job"].refresh_from_db()
    assert preview.context["job"].status == "imported"
    return preview


def export(client, model, file_format, query="", resource=BusinessResource):
    """The admin's export of the (filtered) list, every column selected."""
    data = {
        "resource": "0",
        "format": format_index("EXPORT_FORMATS", file_format),
    }
    prefix = f"{resource.__name__.lower()}_"
    for field in resource().get_export_order():
        data[prefix + field] = "on"
    return client.post(admin_url(model, "export") + query, data)


def exported_rows(response):
    """The rows of an exported CSV or XLSX file, as dicts by column."""
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = sheet.values
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def disparpora_curator(client):
    """A Kurator gerai of Disparpora, the agency of Iwak Banten, logged in."""
    client.force_login(make_curator("disparpora"))
    return client


# The admin's import


def test_the_preview_lists_each_error_row_and_writes_nothing(verifikator_client):
    """A file with valid and invalid rows shows every invalid row with its columns'
    errors, offers to import only the rows without errors, and creates no
    business before that is confirmed."""
    before = Business.objects.count()
    content = csv_bytes(
        BUSINESS_HEADER, DODOL, UNKNOWN_KELURAHAN, BAD_NIB, BAD_WHATSAPP, EMPING
    )

    response = upload(verifikator_client, Business, content)

    assert response.status_code == 200
    # The spreadsheet's own row numbers (the header is row 1) and column headers,
    # with the column's letter.
    assert error_columns(response) == {
        3: ["kelurahan (E)"],
        4: ["nib (B)"],
        5: ["whatsapp (G)"],
    }
    [unknown] = [e for e in preview_of(response)["errors"] if e["row"] == 3]
    assert "Kelurahan Tak Ada" in unknown["message"]
    assert response.context["may_confirm"]
    page = response.content.decode()
    assert "Kelurahan Tak Ada" in page
    assert page.count('<td class="row-number">') == 3
    assert "Impor 2 baris tanpa galat" in page
    assert Business.objects.count() == before


def test_a_clean_file_is_previewed_then_imported_as_assisted_registrations(
    verifikator_client, verifikator
):
    """The preview writes nothing; confirming creates businesses registered by the
    importing staff member, without owner, awaiting verification, with the WhatsApp
    number in international form."""
    content = csv_bytes(BUSINESS_HEADER, DODOL, EMPING)

    preview = upload(verifikator_client, Business, content)

    summary = preview_of(preview)
    assert summary["error_count"] == 0
    assert (summary["new"], summary["updated"], summary["unchanged"]) == (2, 0, 0)
    assert "Konfirmasi impor" in preview.content.decode()
    assert not Business.objects.filter(name__in=["Dodol Bu Ani", "Emping Pak Budi"])

    response = confirm(verifikator_client, preview)

    assert response.status_code == 302
    dodol = Business.objects.get(nib="3673010000001")
    emping = Business.objects.get(name="Emping Pak Budi")
    for business in [dodol, emping]:
        assert business.assisted_registration
        assert business.registered_by == verifikator
        assert business.owner is None
        assert business.status == Business.Status.PENDING
        assert business.history.latest().history_user == verifikator
    assert dodol.whatsapp == "6281234567890"
    assert dodol.kelurahan == Kelurahan.objects.get(slug="cipare")
    assert dodol.size == Business.Size.MICRO
    assert emping.whatsapp == "6281311112222"
    assert emping.kelurahan.kecamatan.name == "Curug"
    assert emping.size == Business.Size.SMALL
    assert emping.nib == ""


def test_importing_the_same_file_again_creates_no_duplicates(verifikator_client):
    """Rows match stored businesses by NIB, or by name and WhatsApp number without
    one: unchanged rows are skipped, changed rows update."""
    import_in_admin(verifikator_client, Business, csv_bytes(BUSINESS_HEADER, DODOL))
    count = Business.objects.count()
    moved = [*DODOL[:5], "Jl. Baru No. 9", *DODOL[6:]]
    emping_again = [*EMPING[:6], "081311112222", "Emping melinjo"]

    unchanged = upload(verifikator_client, Business, csv_bytes(BUSINESS_HEADER, DODOL))
    preview = import_in_admin(
        verifikator_client, Business, csv_bytes(BUSINESS_HEADER, moved, EMPING)
    )
    import_in_admin(verifikator_client, Business, csv_bytes(BUSINESS_HEADER, moved))
    import_in_admin(
        verifikator_client, Business, csv_bytes(BUSINESS_HEADER, emping_again)
    )

    assert preview_of(unchanged)["unchanged"] == 1
    assert preview_of(unchanged)["new"] == preview_of(unchanged)["updated"] == 0
    assert preview_of(preview)["updated"] == 1
    assert preview_of(preview)["new"] == 1
    assert Business.objects.count() == count + 1
    assert Business.objects.get(nib=DODOL[1]).address == "Jl. Baru No. 9"
    assert Business.objects.get(name="Emping Pak Budi").description == "Emping melinjo"


def test_a_file_repeating_a_business_with_other_values_is_refused(
    verifikator_client,
):
    """The same NIB twice in one file, with other values, is an error of the
    second row naming the first (registers are merged by hand: which row is
    right is for staff to say)."""
    other_address = [*DODOL]
    other_address[BUSINESS_HEADER.index("alamat")] = "Jl. Lain 9"
    content = csv_bytes(BUSINESS_HEADER, DODOL, EMPING, other_address)

    response = upload(verifikator_client, Business, content)

    assert error_columns(response) == {4: ["nib (B)"]}
    [error] = preview_of(response)["errors"]
    assert "baris 2" in error["message"]


def test_an_exact_copy_of_a_row_is_left_out_with_a_note(verifikator_client):
    """A row copied twice into the register (the same business, the same values)
    is no error: it is left out, and the preview says so with both rows."""
    content = csv_bytes(BUSINESS_HEADER, DODOL, EMPING, DODOL)

    response = upload(verifikator_client, Business, content)

    summary = preview_of(response)
    assert summary["error_count"] == 0
    assert summary["new"] == 2
    [note] = summary["warnings"]
    assert note["row"] == 4 and "baris 2" in note["message"]
    assert response.context["may_confirm"]


def test_an_xlsx_workbook_is_imported(verifikator_client):
    """Numbers a spreadsheet stored as numbers (NIB, a WhatsApp number that lost
    its 0) and headers typed in another case are read as text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Nama Usaha", "NIB", "Skala", "Kecamatan", "Kelurahan", "Alamat"])
    sheet["G1"] = "WhatsApp"
    sheet.append(["Rabeg Haji Aman", 3673010000003, "Mikro", "Serang", "cipare "])
    sheet["F2"] = "Jl. Rabeg 1"
    sheet["G2"] = 81234500001
    buffer = io.BytesIO()
    workbook.save(buffer)

    import_in_admin(
        verifikator_client,
        Business,
        buffer.getvalue(),
        name="register.xlsx",
        file_format=XLSX,
    )

    business = Business.objects.get(nib="3673010000003")
    assert business.name == "Rabeg Haji Aman"
    assert business.whatsapp == "6281234500001"
    assert business.kelurahan.slug == "cipare"


def test_kelurahan_found_by_code_and_ambiguous_names_need_the_kecamatan():
    """A kelurahan code needs no kecamatan; a name two kecamatan share does."""
    by_code = [*DODOL[:3], "", "3673011002", *DODOL[5:]]
    ambiguous = [*EMPING[:3], "", "Sukawana", *EMPING[5:]]

    result = BusinessResource().import_data(
        _dataset(BUSINESS_HEADER, by_code, ambiguous), dry_run=True
    )

    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert list(invalid.error_dict) == ["kelurahan"]
    assert result.rows[0].import_type == "new"


def test_rows_of_empty_cells_are_skipped():
    """Spreadsheets saved as CSV often end in rows of empty cells."""
    result = BusinessResource().import_data(
        _dataset(BUSINESS_HEADER, DODOL, [""] * len(BUSINESS_HEADER)), dry_run=True
    )

    assert not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["new", "skip"]


def _dataset(header, *rows):
    return CSV(encoding="utf-8").create_dataset(csv_bytes(header, *rows))


PRODUCT_HEADER = ["nib_usaha", "usaha", "nama_produk", "kategori", "harga", "satuan"]


def test_products_are_imported_for_businesses_found_by_nib_or_slug(
    verifikator_client,
):
    """Rows name their business by NIB or slug; new products await review."""
    dodol = make_business(name="Dodol Bu Ani", nib="3673010000001")
    emping = make_business(name="Emping Pak Budi")
    content = csv_bytes(
        PRODUCT_HEADER,
        ["3673010000001", "", "Dodol Ketan", "makanan", "Rp 25.000", "pack 250 g"],
        ["", emping.slug, "Emping Melinjo", "Oleh-oleh khas Serang", "18000", ""],
    )

    import_in_admin(verifikator_client, Product, content)

    ketan = Product.objects.get(name="Dodol Ketan")
    assert ketan.business == dodol
    assert ketan.category.slug == "makanan"
    assert ketan.price == 25000
    assert ketan.unit == "pack 250 g"
    assert ketan.status == Product.Status.PENDING
    melinjo = Product.objects.get(name="Emping Melinjo")
    assert melinjo.business == emping
    assert melinjo.category.slug == "oleh-oleh-khas"
    assert melinjo.unit == "pcs"


def test_product_rows_with_unknown_business_or_category_or_bad_price_are_errors(
    verifikator_client,
):
    """A product register's preview names, row by row, the column of each error (unknown
    business or category, negative or unreadable price, no name), and nothing is
    imported."""
    make_business(nib="3673010000001")
    before = Product.objects.count()
    content = csv_bytes(
        PRODUCT_HEADER,
        ["3673010000001", "", "Dodol Ketan", "makanan", "25000", ""],
        ["3673019999999", "", "Kue Satu", "makanan", "25000", ""],
        ["", "tidak-ada", "Kue Dua", "makanan", "25000", ""],
        ["3673010000001", "", "Kue Tiga", "Elektronik", "25000", ""],
        ["3673010000001", "", "Kue Empat", "makanan", "-5000", ""],
        ["3673010000001", "", "Kue Lima", "makanan", "murah", ""],
        ["3673010000001", "", "", "makanan", "25000", ""],
    )

    response = upload(verifikator_client, Product, content)

    assert error_columns(response) == {
        3: ["usaha (B)"],
        4: ["usaha (B)"],
        5: ["kategori (D)"],
        6: ["harga (E)"],
        7: ["harga (E)"],
        8: ["nama_produk (C)"],
    }
    assert Product.objects.count() == before


def test_a_file_without_a_required_column_is_refused():
    """A product register without a column naming the business is refused, saying it
    needs "nib_usaha / usaha"."""
    with translation.override("en"):
        result = ProductResource().import_data(
            _dataset(["nama_produk", "kategori", "harga"], ["Kue", "makanan", "1"]),
            dry_run=True,
        )

    assert "nib_usaha / usaha" in str(result.base_errors[0].error)


# Who may import and export


def test_the_list_shows_import_and_export_to_a_verifikator(verifikator_client):
    """Both buttons sit next to "Add" on the business list; the change page keeps
    its History link."""
    business = make_business()

    page = verifikator_client.get(admin_url(Business, "changelist")).content.decode()
    change = verifikator_client.get(admin_url(Business, "change", business.pk))

    assert f"href='{admin_url(Business, 'import')}' class=\"import_link\"" in page
    assert f'href="{admin_url(Business, "export")}?" class="export_link"' in page
    assert f'href="{admin_url(Business, "add")}" class="addlink"' in page
    assert admin_url(Business, "history", business.pk) in change.content.decode()


@pytest.mark.parametrize(
    ("model", "view"),
    [
        (Business, "import"),
        (Business, "export"),
        (Product, "import"),
        (Product, "export"),
        (Display, "export"),
    ],
)
def test_the_import_and_export_pages_answer(admin_client, model, view):
    """A superuser opens the import and export pages of businesses and products, and the
    export page of displays."""
    make_display()

    assert admin_client.get(admin_url(model, view)).status_code == 200


def test_a_curator_may_export_businesses_but_not_import_them(disparpora_curator):
    """Importing needs the add permission; a Kurator gerai only views businesses."""
    page = disparpora_curator.get(admin_url(Business, "changelist")).content.decode()

    assert admin_url(Business, "import") not in page
    assert admin_url(Business, "export") in page
    assert disparpora_curator.get(admin_url(Business, "import")).status_code == 403
    response = disparpora_curator.post(
        admin_url(Business, "process_import"),
        {"import_file_name": "x", "original_file_name": "x.csv", "format": "0"},
    )
    assert response.status_code == 403


def test_anyone_but_staff_is_sent_to_the_login_page(client):
    """An owner opening the admin's business import is sent to the admin's sign-in
    page."""
    client.force_login(make_business().owner)

    response = client.get(admin_url(Business, "import"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# Exports


@pytest.mark.parametrize("file_format", [CSV, XLSX], ids=["csv", "xlsx"])
def test_businesses_are_exported_with_their_register_columns(admin_client, file_format):
    """A business exported as CSV or XLSX comes out in the register's columns, then its
    status, whether staff registered it, its owner's email, slug and product count, in
    words staff read."""
    owner = make_user(email="ani@contoh.id")
    business = make_business(name="Dodol Bu Ani", nib="3673010000001", owner=owner)
    make_product(business=business)
    make_product(business=business)

    response = export(admin_client, Business, file_format)

    assert response.status_code == 200
    [row] = exported_rows(response)
    assert list(row) == [
        BUSINESS_HEADER[0],
        "nama_pemilik",
        *BUSINESS_HEADER[1:],
        "status",
        "terdaftar_oleh_petugas",
        "email_pemilik",
        "slug",
        "jumlah_produk",
    ]
    assert row["nama_usaha"] == "Dodol Bu Ani"
    assert row["nib"] == "3673010000001"
    assert row["kecamatan"] == "Serang"
    assert row["kelurahan"] == "Cipare"
    # In words staff read (and an import reads back).
    assert row["whatsapp"] == "0812-3456-7890"
    assert row["status"] == business.get_status_display()
    assert row["status"] in ("Menunggu verifikasi", "Terverifikasi")
    assert row["terdaftar_oleh_petugas"] == "Tidak"
    assert row["email_pemilik"] == "ani@contoh.id"
    assert row["slug"] == business.slug
    assert str(row["jumlah_produk"]) == "2"


@pytest.mark.parametrize(
    ("model", "resource"),
    [
        (Business, BusinessResource),
        (Product, ProductResource),
        (Display, DisplayResource),
    ],
    ids=["businesses", "products", "displays"],
)
def test_an_export_runs_no_query_per_row(
    admin_client, django_assert_max_num_queries, cipare, model, resource
):
    """Owners, places, product counts, businesses, categories, outlets and
    deciders of 21 rows cost the queries of one."""
    make_display(outlet=cipare, decided_by=make_user())
    with django_assert_max_num_queries(100) as one:
        export(admin_client, model, CSV, resource=resource)
    for _ in range(20):
        make_display(outlet=cipare, decided_by=make_user())

    with django_assert_max_num_queries(len(one)):
        response = export(admin_client, model, CSV, resource=resource)

    assert len(exported_rows(response)) == 21


def test_an_exported_file_imports_back_unchanged(admin_client):
    """The export is a register the import reads: every row matches and is
    skipped, even text a spreadsheet would run as a formula."""
    make_business(name='=HYPERLINK("http://x")', nib="3673010000001")
    make_business(name="Emping Pak Budi")
    exported = export(admin_client, Business, CSV)
    assert "'=HYPERLINK" in exported.content.decode()

    preview = upload(admin_client, Business, exported.content)

    summary = preview_of(preview)
    assert (summary["unchanged"], summary["new"], summary["updated"]) == (2, 0, 0)
    assert summary["error_count"] == 0


def test_products_are_exported_with_their_business_and_page(admin_client):
    """A product's export row gives its business, name, category, price, status
    ("Disetujui") and page address, even exported from the English admin."""
    product = make_product(name="Dodol Ketan", price=25000)

    with translation.override("en"):  # the English admin, at /en/admin/
        response = export(admin_client, Product, CSV, resource=ProductResource)

    [row] = exported_rows(response)
    assert row["usaha"] == product.business.slug
    assert row["nama_usaha"] == product.business.name
    assert row["nama_produk"] == "Dodol Ketan"
    assert row["kategori"] == product.category.name
    assert row["harga"] == "25000"
    assert row["status"] == "Disetujui"
    assert row["url"] == f"/produk/{product.slug}/"


def test_displays_are_exported_per_outlet(admin_client, cipare, kasemen):
    """The display list filtered by an outlet exports that outlet's displays."""
    shown = make_display(outlet=cipare)
    make_display(outlet=kasemen)

    response = export(
        admin_client,
        Display,
        XLSX,
        query=f"?outlet__id__exact={cipare.pk}",
        resource=DisplayResource,
    )

    [row] = exported_rows(response)
    assert row["gerai"] == cipare.name
    assert row["produk"] == shown.product.name
    assert row["usaha"] == shown.product.business.name
    assert row["whatsapp_usaha"] == format_whatsapp(shown.product.business.whatsapp)
    assert row["whatsapp_usaha"].startswith("08")
    assert row["status"] == "Disetujui"
    assert row["mulai"] is not None


# The forged request posts selected rows, which import-export checks with a method
# it deprecates.
@pytest.mark.filterwarnings("ignore:The 'get_valid_export_item_pks:DeprecationWarning")
def test_a_curator_exports_only_the_displays_of_their_agency(
    disparpora_curator, cipare, iwak_banten
):
    """A Disparpora curator gets Iwak Banten's displays, never Cipare's, even
    asking for Cipare's by a forged filter or forged selected rows."""
    at_cipare = make_display(outlet=cipare)
    make_display(outlet=iwak_banten)
    make_display(outlet=iwak_banten, status=Display.Status.REQUESTED)

    everything = export(disparpora_curator, Display, CSV, resource=DisplayResource)
    forged_filter = export(
        disparpora_curator,
        Display,
        CSV,
        query=f"?outlet__id__exact={cipare.pk}",
        resource=DisplayResource,
    )
    forged_items = disparpora_curator.post(
        admin_url(Display, "export"),
        {
            "resource": "0",
            "format": format_index("EXPORT_FORMATS", CSV),
            "displayresource_outlet": "on",
            "export_items": [at_cipare.pk],
        },
    )

    for response in [everything, forged_filter]:
        assert response["Content-Type"].startswith("text/csv")
        outlets = [row["gerai"] for row in exported_rows(response)]
        assert outlets == [iwak_banten.name] * 2
    assert forged_items["Content-Type"].startswith("text/csv")
    assert exported_rows(forged_items) == []


# The register command


def register_file(tmp_path, *rows):
    path = tmp_path / "register.csv"
    path.write_bytes(csv_bytes(BUSINESS_HEADER, *rows))
    return path


def run_command(*args):
    out = io.StringIO()
    with translation.override("en"):
        try:
            call_command("import_register", *args, stdout=out)
        except CommandError as error:
            return out.getvalue(), str(error)
    return out.getvalue(), None


def test_the_command_dry_run_prints_row_errors_and_writes_nothing(
    tmp_path, verifikator
):
    """The register command without --commit prints each row's errors and a summary,
    then says nothing was written, and nothing is."""
    before = Business.objects.count()
    path = register_file(tmp_path, DODOL, UNKNOWN_KELURAHAN, BAD_NIB, EMPING)

    out, error = run_command("businesses", str(path), "--user", verifikator.email)

    assert "Row 3, kelurahan (E): " in out and "Kelurahan Tak Ada" in out
    assert "Row 4, nib (B): " in out
    assert "4 rows: 2 new, 0 updated, 0 unchanged, 2 with errors." in out
    assert error == "2 errors: nothing was written."
    assert Business.objects.count() == before


def test_the_command_writes_with_commit_only_a_file_without_errors(
    tmp_path, verifikator
):
    """The register command with --commit refuses a file with errors and imports a clean
    one as registered by the staff member named; run again, it finds every row
    unchanged."""
    before = Business.objects.count()
    with_errors = register_file(tmp_path, DODOL, BAD_WHATSAPP)
    clean = tmp_path / "clean.csv"
    clean.write_bytes(csv_bytes(BUSINESS_HEADER, DODOL, EMPING))

    _out, refused = run_command(
        "businesses", str(with_errors), "--user", verifikator.email, "--commit"
    )
    assert refused and Business.objects.count() == before

    out, error = run_command(
        "businesses", str(clean), "--user", verifikator.email, "--commit"
    )

    assert error is None
    assert "2 rows: 2 new" in out
    assert Business.objects.count() == before + 2
    assert Business.objects.get(nib=DODOL[1]).registered_by == verifikator
    again, _error = run_command(
        "businesses", str(clean), "--user", verifikator.email, "--commit"
    )
    assert "0 new, 0 updated, 2 unchanged" in again


def test_the_command_imports_products(tmp_path, verifikator):
    """The register command imports a product register, each product waiting for
    review."""
    make_business(nib="3673010000001")
    path = tmp_path / "produk.csv"
    path.write_bytes(
        csv_bytes(
            PRODUCT_HEADER,
            ["3673010000001", "", "Dodol Ketan", "Makanan", "25000", "pack"],
        )
    )

    _out, error = run_command(
        "products", str(path), "--user", verifikator.email, "--commit"
    )

    assert error is None
    assert Product.objects.get(name="Dodol Ketan").status == Product.Status.PENDING


def test_the_command_needs_a_staff_member_allowed_to_add(tmp_path):
    """The register command, run as a curator, an owner or an unknown address, refuses,
    naming that address, and imports nothing."""
    path = register_file(tmp_path, DODOL)
    curator = make_curator("disparpora")

    for email in [curator.email, make_user().email, "nobody@example.com"]:
        _out, error = run_command("businesses", str(path), "--user", email)
        assert error and email in error
    assert not Business.objects.filter(nib=DODOL[1]).exists()
