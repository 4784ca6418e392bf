"""The product page: contact the maker, certificates, structured data, similar items."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from products.models import Category, Certification
from tests.factories import make_business, make_product, make_user
from tests.test_seo import json_ld

pytestmark = pytest.mark.django_db


def whatsapp_href(html):
    link = re.search(r'href="(https://wa\.me/[^"]+)"', html).group(1)
    return link.replace("&amp;", "&")


def test_whatsapp_button_opens_a_chat_naming_the_product(client):
    """The button links wa.me with the number in international form and a message
    that names the product and links its page."""
    business = make_business(name="Dodol Ibu Siti", whatsapp="6281298765432")
    product = make_product(name="Dodol Ketan Hitam", business=business)

    link = urlsplit(whatsapp_href(client.get(product.get_absolute_url()).text))
    message = parse_qs(link.query)["text"][0]

    assert link.netloc == "wa.me"
    assert link.path == "/6281298765432"
    assert "Dodol Ketan Hitam" in message
    assert f"http://testserver{product.get_absolute_url()}" in message
    assert message.startswith("Halo Dodol Ibu Siti")


def test_an_expired_certificate_is_not_shown_as_valid(client):
    """A halal certificate past its date is marked expired, not as a green badge."""
    today = timezone.localdate()
    product = make_product(halal_until=today - datetime.timedelta(days=1))
    Certification.objects.create(
        product=product,
        kind=Certification.Kind.PIRT,
        number="206367101234567",
        verified_at=timezone.now(),
    )

    html = client.get(product.get_absolute_url()).text

    assert re.search(r"text-bg-secondary\">Sertifikat halal", html)
    assert "kedaluwarsa" in html
    assert re.search(r"text-bg-success\">P-IRT", html)


def test_a_certificate_counts_only_once_staff_checked_it(client):
    """A halal number the owner typed in is no badge and no halal listing until a
    Verifikator checked it; then the page says the Dinas verified it, and when."""
    today = timezone.localdate()
    product = make_product(
        name="Keripik Talas",
        halal_until=today + datetime.timedelta(days=300),
        halal_verified=False,
    )
    certificate = product.certifications.get()

    html = client.get(product.get_absolute_url()).text
    listed = client.get(reverse("products:list"), {"halal": "1"}).text

    assert certificate.number not in html
    assert "Sertifikat halal" not in html
    assert "Keripik Talas" not in listed

    certificate.verify(make_user(is_staff=True))
    certificate.save()
    html = client.get(product.get_absolute_url()).text

    assert re.search(r"text-bg-success\">Sertifikat halal", html)
    verified_on = date_format(timezone.localdate(), "j F Y")
    assert f"Diverifikasi Dinas pada {verified_on}" in html
    assert "Keripik Talas" in client.get(reverse("products:list"), {"halal": "1"}).text


def test_product_page_describes_an_offer_in_rupiah(client):
    """Search engines read a schema.org Product with an Offer priced in IDR."""
    product = make_product(name="Sate Bandeng Jumbo", price=64000, photo=True)

    html = client.get(product.get_absolute_url()).text
    (data,) = json_ld(html)

    assert data["@type"] == "Product"
    assert data["offers"]["price"] == 64000
    assert data["offers"]["priceCurrency"] == "IDR"
    assert data["image"].startswith("http://testserver/media/products/")
    assert '<meta property="og:image" content="http://testserver/media/' in html


def test_similar_products_come_from_the_same_category(client):
    """Up to four public products of the same category are suggested."""
    kopi = Category.objects.get(slug="kopi-teh")
    product = make_product(name="Kopi Robusta", category=kopi)
    make_product(name="Kopi Arabika Banten", category=kopi)
    make_product(name="Emping Pedas")

    html = client.get(product.get_absolute_url()).text

    assert "Kopi Arabika Banten" in html
    assert "Emping Pedas" not in html


def test_listing_images_are_small_thumbnails_never_the_original(client):
    """Cards use the 400 px WebP thumbnail with its size, lazily loaded below the
    first row."""
    for _ in range(3):
        make_product(photo=True)

    html = client.get("/produk/").text
    tags = re.findall(r"<img [^>]*card-img-top[^>]*>", html)

    assert len(tags) == 3
    for tag in tags:
        assert ".webp" in tag
        assert 'width="400" height="400"' in tag
        assert re.search(r'srcset="\S+\.webp 400w, \S+\.webp 800w"', tag)
    assert 'loading="lazy"' in tags[2]


def test_the_whatsapp_message_asks_the_maker_in_indonesian_with_the_price(client):
    """The message names the product and its price and asks whether it is still
    available; it stays Indonesian for the local maker when the resident browses
    in English."""
    business = make_business(name="Dodol Ibu Siti", whatsapp="6281298765432")
    product = make_product(
        name="Dodol Ketan Hitam", business=business, price=27500, unit="kotak"
    )

    for prefix in ("", "/en"):
        page = client.get(prefix + product.get_absolute_url()).text
        message = parse_qs(urlsplit(whatsapp_href(page)).query)["text"][0]

        assert message.startswith("Halo Dodol Ibu Siti"), prefix
        assert "Dodol Ketan Hitam, Rp 27.500 per kotak" in message
        assert message.endswith("Apakah masih tersedia?")
