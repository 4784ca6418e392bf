"""The kinds of certificate are one table (products/certificates.py): the model's
choices, the owner form's fields, their checks and the kinds they save follow it."""

import datetime
import random
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from outlets.management import demo_data
from outlets.management.commands import seed_demo
from products import certificates
from products.certificates import CertificateKind, Expiry, OwnerField
from products.forms import ProductForm
from products.models import (
    Business,
    Certification,
    Product,
    ProposedChange,
)
from tests.factories import make_business, make_product, make_user
from tests.test_decisions import product_edit as edit_data
from tests.test_products_owner import product_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def business():
    return make_business(owner=make_user())


@pytest.fixture
def owner_client(client, business):
    client.force_login(business.owner)
    return client


def normalise_sni(number):
    if not re.fullmatch(r"\d{4}", number):
        raise ValidationError("An SNI number has 4 digits.", code="invalid_sni")
    return f"SNI {number}"


SNI_FIELD = OwnerField(
    name="sni",
    label="SNI number",
    help_text="4 digits.",
    numeric=True,
    normalise=normalise_sni,
    expiry=Expiry(
        label="SNI valid until",
        help_text="Leave empty if it does not expire.",
        without_number="Enter the SNI number as well.",
    ),
)


@pytest.fixture
def sni_kind(monkeypatch):
    """A test-only kind added to the table, and nowhere else."""
    monkeypatch.setattr(
        certificates,
        "KINDS",
        [*certificates.KINDS, CertificateKind("SNI", "sni", "SNI", SNI_FIELD)],
    )


def test_the_models_kinds_are_the_tables():
    """Certification.Kind has the table's members, codes and labels, in its order."""
    assert [(kind.name, kind.value, kind.label) for kind in Certification.Kind] == [
        (kind.member, kind.code, kind.label) for kind in certificates.KINDS
    ]
    assert Certification.Kind.BPOM_MD == "bpom_md"
    assert Certification.Kind.__qualname__ == "Certification.Kind"


def test_the_owner_form_has_a_field_for_each_kind_owners_may_claim(business):
    """One number field per owner field of the table (BPOM MD and ML share one), a
    valid-until date where it has an expiry, and none for staff-only BPOM NA."""
    form = ProductForm(owner=business.owner)

    names = [name for name in form.fields if name.startswith(("halal", "pirt", "bp"))]
    assert names == ["halal_number", "halal_valid_until", "pirt_number", "bpom_number"]
    assert list(form.fields)[-1] == "photos"
    assert form.certification_kinds == ["halal", "pirt", "bpom_md", "bpom_ml"]
    assert [(n.name, v and v.name) for n, v in form.certificate_rows()] == [
        ("halal_number", "halal_valid_until"),
        ("pirt_number", None),
        ("bpom_number", None),
    ]


@pytest.mark.parametrize(
    ("typed", "kind", "number"),
    [
        ("BPOM RI MD 123456789012", Certification.Kind.BPOM_MD, "MD 123456789012"),
        ("bpom ri ml 123456789012", Certification.Kind.BPOM_ML, "ML 123456789012"),
        ("ML 1234.5678-9012", Certification.Kind.BPOM_ML, "ML 123456789012"),
    ],
)
def test_a_typed_bpom_number_becomes_its_kind(business, typed, kind, number):
    """The one BPOM field yields MD or ML by the number's prefix."""
    form = ProductForm(
        data=product_data(business, bpom_number=typed), owner=business.owner
    )

    assert form.is_valid(), form.errors
    assert form.certifications() == {kind: (number, None)}


def test_the_form_shows_a_stored_bpom_ml_registration(business):
    product = make_product(business=business)
    Certification.objects.create(
        product=product, kind=Certification.Kind.BPOM_ML, number="ML 123456789012"
    )

    form = ProductForm(instance=product, owner=business.owner)

    assert form.initial["bpom_number"] == "ML 123456789012"


def test_an_owners_new_bpom_claim_waits_for_review(owner_client, business):
    """Typed into an approved product, the ML number is proposed, not saved."""
    product = make_product(business=business)

    owner_client.post(
        reverse("products:product_update", args=[product.slug]),
        edit_data(product, bpom_number="BPOM RI ML 123456789012"),
    )

    assert not product.certifications.exists()
    change = ProposedChange.objects.waiting().get(product=product)
    assert change.proposed["certifications"] == {
        "bpom_ml": {"number": "ML 123456789012", "valid_until": None}
    }


def test_a_kind_added_to_the_table_gets_its_fields_and_checks(sni_kind, business):
    """A kind added only to the table has its number and expiry fields in the
    owner form, checked by its own rule."""
    form = ProductForm(owner=business.owner)
    assert isinstance(form.fields["sni_number"], certificates.CertificateNumberField)
    assert form.fields["sni_number"].widget.attrs["inputmode"] == "numeric"
    assert "sni_valid_until" in form.fields
    assert "sni" in form.certification_kinds

    bad = ProductForm(
        data=product_data(business, sni_number="12"), owner=business.owner
    )
    assert not bad.is_valid()
    assert bad.errors["sni_number"] == ["An SNI number has 4 digits."]

    no_number = ProductForm(
        data=product_data(business, sni_valid_until="2030-01-01"),
        owner=business.owner,
    )
    assert not no_number.is_valid()
    assert no_number.errors["sni_number"] == ["Enter the SNI number as well."]


def test_a_kind_added_to_the_table_is_rendered_and_saved(
    sni_kind, owner_client, business
):
    page = owner_client.get(reverse("products:product_create")).text
    assert 'name="sni_number"' in page
    assert 'name="sni_valid_until"' in page

    owner_client.post(
        reverse("products:product_create"),
        product_data(business, sni_number="1234", sni_valid_until="2030-01-31"),
    )

    certificate = Product.objects.get().certifications.get()
    assert (certificate.kind, certificate.number) == ("sni", "SNI 1234")
    assert certificate.valid_until.isoformat() == "2030-01-31"
    assert certificate.verified_at is None


def test_the_halal_number_and_its_date_share_a_row(owner_client):
    """The template loops over the rows, keeping halal's two fields side by side."""
    page = owner_client.get(reverse("products:product_create")).text

    halal, pirt = page.index('id="id_halal_number"'), page.index('id="id_pirt_number"')
    row = page[page.rindex('<div class="row g-2">', 0, halal) : pirt]
    assert row.count('class="col-sm-6"') == 2
    assert 'id="id_halal_valid_until"' in row
    assert pirt < page.index('id="id_bpom_number"')


def test_the_demo_certificates_pass_the_tables_checks():
    """Each demo certificate of a kind owners may claim is as its owner field
    stores it, and of the kind that field makes of it: an owner editing a demo
    product meets no error in numbers they never typed."""
    command = seed_demo.Command()
    command.today = datetime.date(2025, 6, 1)
    rng = random.Random(15)
    fields = {kind.code: kind.owner_field for kind in certificates.KINDS}
    seen = set()
    for _ in range(50):
        for demo_kind in demo_data.KINDS.values():
            for size in Business.Size:
                for certificate in command.plan_certifications(
                    rng, Product(), demo_kind, size
                ):
                    seen.add(certificate.kind)
                    if field := fields[certificate.kind]:
                        assert field.normalise(certificate.number) == certificate.number
                        assert field.kind_for(certificate.number) == certificate.kind
    assert seen == {"halal", "pirt", "bpom_md", "bpom_na"}
