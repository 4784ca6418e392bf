"""Catalogue rules: what is public, certificates, slugs and database integrity."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import normalize_whatsapp
from products.models import Business, Kecamatan, Kelurahan, Product
from products.templatetags.catalogue import rupiah
from tests.factories import make_business, make_product

pytestmark = pytest.mark.django_db


def test_reference_data_has_the_six_kecamatan_and_66_kelurahan():
    """Every installation knows the wards of Kota Serang with their official codes."""
    assert Kecamatan.objects.count() == 6
    assert Kelurahan.objects.count() == 66
    cipare = Kelurahan.objects.get(code="3673011002")
    assert (cipare.name, cipare.kecamatan.name) == ("Cipare", "Serang")


def test_public_products_are_approved_products_of_verified_businesses():
    """public() hides drafts, pending and rejected items and unverified businesses."""
    visible = make_product()
    make_product(status=Product.Status.PENDING)
    make_product(status=Product.Status.WITHDRAWN)
    make_product(business=make_business(status=Business.Status.REJECTED))

    assert list(Product.objects.public()) == [visible]


def test_halal_filter_ignores_expired_certificates():
    """A product counts as halal only while its certificate is valid."""
    today = timezone.localdate()
    valid = make_product(halal_until=today)
    make_product(halal_until=today - datetime.timedelta(days=1))
    make_product()

    assert list(Product.objects.halal()) == [valid]


def test_slugs_are_unique_and_readable():
    """Two products with the same name get different, readable addresses."""
    first = make_product(name="Dodol Betawi")
    second = make_product(name="Dodol Betawi")

    assert first.slug == "dodol-betawi"
    assert second.slug == "dodol-betawi-2"


def test_a_negative_price_is_refused_by_the_database():
    """The database itself refuses a negative price."""
    product = make_product()

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(price=-1)


def test_two_businesses_cannot_share_an_nib_but_many_may_have_none():
    """An NIB is unique when given; businesses without one are allowed."""
    make_business(nib="1234567890123")
    make_business(nib="")
    make_business(nib="")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_business(nib="1234567890123")


@pytest.mark.parametrize(
    "typed", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "812 3456 7890"]
)
def test_whatsapp_numbers_are_normalised_to_international_form(typed):
    """The usual Indonesian ways of writing a number become 62812…"""
    assert normalize_whatsapp(typed) == "6281234567890"


@pytest.mark.parametrize(
    ("amount", "shown"), [(25000, "Rp 25.000"), (0, "Rp 0"), (1250000, "Rp 1.250.000")]
)
def test_prices_are_shown_the_indonesian_way(amount, shown):
    """Whole rupiah with dots between thousands."""
    assert rupiah(amount) == shown
