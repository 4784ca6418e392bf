import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outlets.decisions import end_display
from products.models import Business, Category, Product
from tests.factories import make_business, make_display, make_product, make_user

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

    # And the outlets' closures, and the cards' badges.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.text.count('loading="lazy"') == 8


def test_home_speaks_english_under_the_en_prefix(client):
    """English pages live under /en/ and the switch links back to Indonesian."""
    response = client.get("/en/")

    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert 'href="/"' in response.text


JAKARTA = datetime.timezone(datetime.timedelta(hours=7))


def test_open_now_on_the_home_page_flips_on_time(client, monkeypatch):
    """Cipare and Kasemen open at 08.00 WIB (Iwak Banten at 09.00): the home page
    seen at 07.59 says they are closed, the one seen at 08.01 that they are open."""
    before_eight = datetime.datetime(2026, 11, 30, 7, 59, tzinfo=JAKARTA)
    monkeypatch.setattr(timezone, "now", lambda: before_eight)
    before = client.get(reverse("home")).text

    after_eight = datetime.datetime(2026, 11, 30, 8, 1, tzinfo=JAKARTA)
    monkeypatch.setattr(timezone, "now", lambda: after_eight)
    after = client.get(reverse("home")).text

    assert "Buka sekarang" not in before
    assert before.count("Tutup sekarang") == 3
    assert after.count("Buka sekarang") == 2
    assert after.count("Tutup sekarang") == 1


def test_a_renamed_category_or_outlet_shows_on_the_home_page_at_once(
    client, cipare, django_capture_on_commit_callbacks
):
    """Staff renaming a category or an outlet see the new name on the home page
    straight away, in either language."""
    client.get(reverse("home"))
    client.get("/en/")

    with django_capture_on_commit_callbacks(execute=True):
        category = Category.objects.get(slug="minuman")
        category.name = "Minuman segar"
        category.save()
        cipare.name = "Gerai UMKM Cipare Baru"
        cipare.save()

    for address in (reverse("home"), "/en/"):
        page = client.get(address).text
        assert "Minuman segar" in page
        assert "Gerai UMKM Cipare Baru" in page


def test_the_menu_is_each_visitors_own_and_switches_language_for_this_address(
    client,
):
    """Someone signed in sees their dashboard and sign-out in the menu, an anonymous
    visitor right after sees sign-in instead; on every page the language switch
    leads to that same page (search included) in the other language."""
    signed_in = Client()
    signed_in.force_login(make_user())
    own = signed_in.get("/produk/?kategori=makanan").text
    anonymous = client.get("/produk/?kategori=makanan").text
    other = client.get("/produk/?kategori=minuman").text

    assert "Keluar" in own and "Dasbor" in own and "csrfmiddlewaretoken" in own
    assert "Keluar" not in anonymous and "Dasbor" not in anonymous
    assert "csrfmiddlewaretoken" not in anonymous
    assert ">Masuk<" in anonymous
    assert 'href="/en/produk/?kategori=makanan"' in anonymous
    assert 'href="/en/produk/?kategori=minuman"' in other
    assert "kategori=makanan" not in other.split("<main")[0]


def test_products_put_on_display_or_taken_off_show_on_the_home_page_at_once(
    client, cipare, django_capture_on_commit_callbacks
):
    """A product put on display, a new price, or a display ended by staff shows on
    the next visit to the home page."""
    with django_capture_on_commit_callbacks(execute=True):
        display = make_display(make_product(name="Sate Bandeng", price=30000), cipare)
    assert "Sate Bandeng" in client.get(reverse("home")).text

    with django_capture_on_commit_callbacks(execute=True):
        make_display(make_product(name="Rabeg Khas Serang"), cipare)
        product = Product.objects.get(pk=display.product_id)
        product.price = 32500
        product.save()
    page = client.get(reverse("home")).text
    assert "Rabeg Khas Serang" in page and "Rp 32.500" in page

    with django_capture_on_commit_callbacks(execute=True):
        end_display(display, by=make_user(is_staff=True))
    assert "Sate Bandeng" not in client.get(reverse("home")).text


def test_categories_come_before_the_outlets_and_products_on_the_home_page(client):
    """On a phone, the categories to browse are near the top of the home page,
    under the search, not after every outlet and product card."""
    page = client.get(reverse("home")).text

    categories = page.index('id="categories-heading"')
    assert categories < page.index('id="outlets-heading"')
    assert categories < page.index('id="featured-heading"')
