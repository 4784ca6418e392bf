"""The public outlet, product and business pages: visibility and query bounds."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from outlets.models import Display, Outlet
from products.models import Business, Category, Kelurahan, Product
from tests.factories import image_upload, make_business, make_display, make_product

pytestmark = pytest.mark.django_db


def test_outlet_list_shows_every_outlet_with_its_agency(
    client, django_assert_max_num_queries
):
    """The outlet list names each outlet and its managing agency in few queries."""
    with django_assert_max_num_queries(3):
        response = client.get(reverse("outlets:list"))

    assert "Iwak Banten" in response.text
    assert "Disparpora" in response.text


def test_the_outlet_list_reads_no_outlet_while_none_changed(
    client, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Outlets change rarely: once a process has read them (with their agency, place,
    hours and closures), the outlet list costs no query, and a renamed outlet shows
    at once."""
    settings.PUBLIC_PAGE_STATE_MEMO_SECONDS = 60
    client.get(reverse("outlets:list"))

    with django_assert_num_queries(0):
        response = client.get(reverse("outlets:list"))
    with django_capture_on_commit_callbacks(execute=True):
        outlet = Outlet.objects.get(slug="iwak-banten")
        outlet.name = "Iwak Banten Serang"
        outlet.save()
    renamed = client.get(reverse("outlets:list"))

    assert "Disparpora" in response.text
    assert "Iwak Banten Serang" in renamed.text


def test_outlet_page_lists_products_on_display_there(
    client, cipare, kasemen, django_assert_max_num_queries
):
    """An outlet page shows its current displays only, in constant queries."""
    for _ in range(15):
        make_display(make_product(photo=True), cipare)
    elsewhere = make_display(make_product(name="Batik Kasemen"), kasemen).product

    # And the outlet's closures, and its cards' badges.
    with django_assert_max_num_queries(7):
        response = client.get(cipare.get_absolute_url())

    assert response.status_code == 200
    assert response.text.count("/produk/") >= 15
    assert elsewhere.name not in response.text


def test_outlet_page_paginates_and_tolerates_a_bad_page_number(client, cipare):
    """Page numbers out of range or not numbers show a normal page."""
    for _ in range(25):
        make_display(make_product(), cipare)

    assert "Halaman 1 dari 2" in client.get(cipare.get_absolute_url()).text
    for page in ["999", "abc"]:
        response = client.get(cipare.get_absolute_url(), {"page": page})
        assert response.status_code == 200


def test_an_outlet_page_names_its_kelurahan_once(client):
    """The address says where the outlet is; the kelurahan and kecamatan are added
    only when the address does not name them already (Cipare's does, Iwak Banten's
    "Jl. Jenderal Sudirman" does not)."""
    cipare = Outlet.objects.get(slug="gerai-umkm-cipare")
    iwak_banten = Outlet.objects.get(slug="iwak-banten")
    iwak_banten.kelurahan = Kelurahan.objects.get(name="Sumur Pecung")
    iwak_banten.save()

    def address_of(outlet):
        page = client.get(outlet.get_absolute_url()).text
        after_label = page.split("Alamat</dt>", 1)[1]
        return re.search(r"<dd[^>]*>(.*?)</dd>", after_label, re.S).group(1)

    assert cipare.kelurahan.name in cipare.address
    assert address_of(cipare).count(cipare.kelurahan.name) == 1
    assert iwak_banten.kelurahan.name not in iwak_banten.address
    assert f"Kelurahan {iwak_banten.kelurahan.name}" in address_of(iwak_banten)


def test_unknown_outlet_is_a_friendly_404(client):
    """An unknown outlet slug answers 404 with a way back."""
    response = client.get("/gerai/tidak-ada/")

    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.text


def test_product_page_shows_price_and_where_it_is_displayed(
    client, cipare, django_assert_max_num_queries
):
    """A public product shows its price in rupiah, the outlet displaying it (with
    whether it is open now) and similar products, in a constant number of
    queries."""
    product = make_product(name="Sate Bandeng", price=45000, photo=True)
    make_display(product, cipare)
    for _ in range(6):
        make_display(make_product(photo=True, halal_until=None), cipare)

    with django_assert_max_num_queries(7):  # and the outlet's hours and closures
        response = client.get(product.get_absolute_url())

    assert "Rp 45.000" in response.text
    assert cipare.get_absolute_url() in response.text


def test_a_product_neither_certified_nor_on_display_costs_four_queries(
    client, django_assert_num_queries
):
    """Most products have no checked certificate and are on display nowhere: their
    page reads the product (with whether it has either), its similar products,
    their photos and their cards' badges, and neither certificates nor displays."""
    product = make_product(name="Kue Jojorong", photo=True)
    for _ in range(4):
        make_product(photo=True, category=product.category)

    with django_assert_num_queries(4):
        response = client.get(product.get_absolute_url())

    assert response.status_code == 200
    assert response.context["displays"] == []
    assert response.context["product"].verified_certifications == []
    assert len(response.context["related_products"]) == 4


@pytest.mark.parametrize("status", ["draft", "pending", "rejected", "withdrawn"])
def test_product_not_approved_is_a_404(client, status):
    """Only approved products have a public page."""
    product = make_product(status=status)

    assert client.get(product.get_absolute_url()).status_code == 404


def test_product_of_unverified_business_is_a_404(client):
    """An approved product of a business not yet verified stays hidden."""
    product = make_product(business=make_business(status=Business.Status.PENDING))

    assert client.get(product.get_absolute_url()).status_code == 404


def test_product_list_shows_only_public_products_in_constant_queries(
    client, django_assert_max_num_queries
):
    """The product listing shows public products and counts them."""
    for _ in range(20):
        make_product(photo=True)
    make_product(name="Masih Draf", status=Product.Status.DRAFT)

    with django_assert_max_num_queries(7):  # the page's cards' badges too
        response = client.get(reverse("products:list"))

    assert "20 produk" in response.text
    assert "Masih Draf" not in response.text


def test_business_page_shows_its_public_products(client, django_assert_max_num_queries):
    """A verified business shows its public products, not its drafts."""
    business = make_business(name="Dodol Ibu Siti")
    for _ in range(10):
        make_display(make_product(business=business, photo=True))
    make_product(business=business, name="Resep Rahasia", status=Product.Status.DRAFT)

    with django_assert_max_num_queries(5):  # the cards' badges too
        response = client.get(business.get_absolute_url())

    assert "Dodol Ibu Siti" in response.text
    assert "Resep Rahasia" not in response.text
    assert "https://wa.me/6281234567890?text=" in response.text


def test_unverified_business_page_is_a_404(client):
    """A business waiting for verification has no public page."""
    business = make_business(status=Business.Status.PENDING)

    assert client.get(business.get_absolute_url()).status_code == 404


def test_server_error_page_is_friendly_and_indonesian(rf):
    """The 500 page apologises in Indonesian and links home, without a database."""
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.content.decode()
    assert 'href="/"' in response.content.decode()


def test_language_switch_keeps_the_current_page(client):
    """On a product page the English link leads to the same product in English."""
    product = make_product(name="Kopi Jahe")

    response = client.get(product.get_absolute_url())

    assert f'href="/en{product.get_absolute_url()}"' in response.text


def test_outlet_page_offers_the_categories_on_display_and_filters_by_one(
    client, cipare, kasemen
):
    """The outlet page offers a chip for each category it displays products of, in
    the categories' order, and a chip shows only that category's products."""
    drinks = Category.objects.get(slug="minuman")
    make_display(make_product(name="Kopi Jahe Cipare", category=drinks), cipare)
    make_display(make_product(name="Sate Bandeng Cipare"), cipare)
    crafts = Category.objects.get(slug="kerajinan")
    make_display(make_product(name="Batik Kasemen", category=crafts), kasemen)

    everything = client.get(cipare.get_absolute_url()).text
    only_drinks = client.get(cipare.get_absolute_url(), {"kategori": "minuman"}).text

    assert "Kopi Jahe Cipare" in everything
    assert "Sate Bandeng Cipare" in everything
    assert "2 produk dipajang" in everything
    chips = [everything.index(f"?kategori={slug}") for slug in ["makanan", "minuman"]]
    assert chips == sorted(chips)
    assert "?kategori=kerajinan" not in everything
    assert "Kopi Jahe Cipare" in only_drinks
    assert "Sate Bandeng Cipare" not in only_drinks
    assert "1 produk dipajang" in only_drinks


def test_business_page_with_more_products_than_a_page_shows_them_on_pages(client):
    """A business with 25 products shows 24 on its first page and the last one on
    the second, each product once."""
    business = make_business(name="Kerajinan Banyak")
    names = [f"Produk {number:02d}" for number in range(25)]
    for name in names:
        make_product(business=business, name=name)

    first = client.get(business.get_absolute_url()).text
    second = client.get(business.get_absolute_url(), {"page": "2"}).text

    assert "Halaman 1 dari 2" in first
    assert all(name in first for name in names[:24])
    assert names[24] not in first
    assert names[24] in second
    assert names[0] not in second


def test_business_page_names_where_its_public_products_are_on_display(
    client, cipare, kasemen
):
    """The business page lists the outlets showing its products now, each with
    the products there; a display of a product residents may not see is left
    out."""
    business = make_business(name="Dodol Ibu Siti")
    dodol = make_product(business=business, name="Dodol Durian")
    make_display(dodol, cipare)
    make_display(dodol, kasemen)
    hidden = make_product(
        business=business, name="Dodol Rahasia", status=Product.Status.WITHDRAWN
    )
    Display.objects.create(
        product=hidden,
        outlet=cipare,
        status=Display.Status.APPROVED,
        starts_on=timezone.localdate(),
    )

    page = client.get(business.get_absolute_url()).text

    assert "Sedang dipajang di" in page
    assert page.count(dodol.get_absolute_url()) >= 2
    assert cipare.get_absolute_url() in page
    assert kasemen.get_absolute_url() in page
    assert "Dodol Rahasia" not in page


def many_products(count):
    """count approved products of one business, without one save each."""
    template = make_product(name="Kerupuk Kulit")
    Product.objects.bulk_create(
        Product(
            business=template.business,
            category=template.category,
            name=f"Kerupuk Kulit {number}",
            slug=f"kerupuk-kulit-{number}",
            price=template.price,
            status=template.status,
        )
        for number in range(2, count + 1)
    )
    return Product.objects.filter(business=template.business)


def test_product_count_has_a_thousands_separator_in_each_language(client):
    """1234 products read "1.234 produk" in Indonesian and "1,234 products" in
    English, not "1234"."""
    many_products(1234)

    indonesian = client.get(reverse("products:list")).text
    english = client.get("/en" + reverse("products:list")).text

    assert "1.234 produk" in indonesian
    assert "1234 produk" not in indonesian
    assert "1,234 products" in english


def test_outlet_counts_have_a_thousands_separator(client, kasemen):
    """An outlet's products on display are counted with a thousands separator:
    "1.100 produk dipajang"."""
    kasemen.display_capacity = 1500
    kasemen.save(update_fields=["display_capacity"])
    first = make_display(make_product(), kasemen)
    Display.objects.bulk_create(
        Display(
            product=product,
            outlet=kasemen,
            status=first.status,
            starts_on=first.starts_on,
        )
        for product in many_products(1099)
    )

    indonesian = client.get(kasemen.get_absolute_url()).text
    english = client.get("/en" + kasemen.get_absolute_url()).text

    assert "1.100 produk dipajang" in indonesian
    assert "1,100 products on display" in english


def test_residents_are_not_shown_the_staffs_display_space(client, kasemen):
    """How many products an outlet has room for is the curators' business (the
    admin shows it); the public outlet page does not say "Ruang pajang"."""
    kasemen.display_capacity = 40
    kasemen.save(update_fields=["display_capacity"])

    indonesian = client.get(kasemen.get_absolute_url()).text
    english = client.get("/en" + kasemen.get_absolute_url()).text

    assert "Ruang pajang" not in indonesian and "40 produk" not in indonesian
    assert "Display space" not in english


def test_an_outlet_with_only_a_phone_number_can_be_called_from_its_page(
    client, iwak_banten, django_assert_max_num_queries
):
    """Iwak Banten, with a landline typed as "(0254) 200-123" and no WhatsApp,
    shows that number and a "Call the outlet" button, both dialling it (tel:
    with the country code, as a phone needs), and no WhatsApp link."""
    iwak_banten.phone = "(0254) 200-123"
    iwak_banten.whatsapp = ""
    iwak_banten.save()

    with django_assert_max_num_queries(7):  # and the outlet's hours and closures
        response = client.get("/en" + iwak_banten.get_absolute_url())

    assert response.status_code == 200
    page = response.text
    assert '<a href="tel:+62-254-200123">(0254) 200-123</a>' in page
    assert (
        '<a class="btn btn-outline-secondary" href="tel:+62-254-200123">'
        "Call the outlet</a>"
    ) in page
    assert "wa.me" not in page


@pytest.mark.media
def test_an_outlet_page_shows_the_outlets_photo_and_how_to_reach_it(client, kasemen):
    """A resident sees what the outlet looks like before going there, and can
    phone or WhatsApp it."""
    kasemen.set_photo(image_upload(size=(1600, 1200)))
    kasemen.phone = "0254 123456"
    kasemen.whatsapp = "6281234567890"
    kasemen.save()

    page = client.get(kasemen.get_absolute_url()).text

    assert f'src="{kasemen.photo.url}"' in page
    assert 'alt="Gerai UMKM Kasemen, tampak dari luar"' in page
    assert 'href="tel:+62-254-123456"' in page
    assert "https://wa.me/6281234567890" in page
