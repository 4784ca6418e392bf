import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from products.models import Business, Product
from tests.factories import make_business, make_display, make_product

pytestmark = pytest.mark.django_db


def test_home_shows_the_three_real_outlets(client):
    """The outlets created by the migrations are on the home page, in Indonesian."""
    response = client.get(reverse("home"))

    assert response.status_code == 200
    for name in ["Gerai UMKM Cipare", "Gerai UMKM Kasemen", "Iwak Banten"]:
        assert name in response.text
    assert '<html lang="id">' in response.text


def test_home_features_only_public_products_on_display_now(client, cipare):
    """Only approved products of verified businesses with a current display show."""
    shown = make_display(make_product(name="Dodol Betawi Asli"), cipare).product
    make_display(
        make_product(name="Produk Draf", status=Product.Status.PENDING), cipare
    )
    unverified = make_product(
        name="Usaha Belum Verifikasi",
        business=make_business(status=Business.Status.PENDING),
    )
    make_display(unverified, cipare)
    make_display(
        make_product(name="Tampil Bulan Depan"),
        cipare,
        starts_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    make_product(name="Tidak Dipajang")

    response = client.get(reverse("home"))

    assert shown.name in response.text
    for hidden in [
        "Produk Draf",
        "Usaha Belum Verifikasi",
        "Tampil Bulan Depan",
        "Tidak Dipajang",
    ]:
        assert hidden not in response.text


def test_home_lists_a_product_once_even_when_displayed_at_two_outlets(
    client, cipare, kasemen
):
    """A product on display at two outlets is featured once."""
    product = make_product(name="Emping Melinjo Kasemen")
    make_display(product, cipare)
    make_display(product, kasemen)

    response = client.get(reverse("home"))

    assert response.text.count(product.get_absolute_url()) == 1


def test_home_query_count_does_not_grow_with_displays(
    client, cipare, django_assert_max_num_queries
):
    """The home page runs a fixed number of queries however many products show."""
    for _ in range(12):
        make_display(make_product(photo=True), cipare)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.text.count('loading="lazy"') == 8


def test_home_speaks_english_under_the_en_prefix(client):
    """English pages live under /en/ and the switch links back to Indonesian."""
    response = client.get("/en/")

    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert 'href="/"' in response.text
