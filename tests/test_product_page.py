"""The product page: contact the maker, certificates, structured data, similar items."""

import datetime
import re
import zoneinfo
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from outlets.models import Outlet
from products.models import Category, Certification
from tests.factories import (
    add_photo,
    make_business,
    make_display,
    make_product,
    make_user,
)
from tests.test_seo import json_ld

pytestmark = pytest.mark.django_db


def order_href(html):
    """Where the page's "Pesan lewat WhatsApp" button leads: our counting redirect."""
    return re.search(r'href="(/wa/\d+/)"[^>]*data-testid="whatsapp"', html).group(1)


def whatsapp_href(html, client=None):
    """The wa.me address the page's WhatsApp button opens (through /wa/<pk>/)."""
    response = (client or Client()).get(order_href(html))
    assert response.status_code == 302
    return response["Location"]


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


def action_bar(html):
    """The phones' bar at the bottom of the product page, or None."""
    bar = r'<div class="action-bar[^"]*"[^>]*>(.*?)</div>\s*</div>'
    found = re.search(bar, html, re.S)
    return found and found.group(1)


def test_a_displayed_product_has_a_bar_to_order_or_go_to_the_outlet(
    client, cipare, kasemen, django_assert_max_num_queries
):
    """On display at Kasemen and Cipare, with a WhatsApp number, a phone gets a bar
    with the WhatsApp order (the same message as the big button) and directions
    to the first outlet of the "where to see it" list (Cipare, by name); three
    photos and four similar products add no query per item."""
    business = make_business(name="Dodol Ibu Siti", whatsapp="6281298765432")
    product = make_product(name="Dodol Ketan Hitam", business=business, photo=True)
    for position in (1, 2):
        add_photo(product, position=position)
    make_display(product, kasemen)
    make_display(product, cipare)
    for _ in range(4):
        make_display(make_product(photo=True), cipare)

    # The product, similar ones, photos, certificates, displays, hours, closures.
    with django_assert_max_num_queries(7):
        response = client.get(product.get_absolute_url())

    assert response.status_code == 200
    bar = action_bar(response.text)
    assert bar is not None
    order = re.search(r'href="(/wa/\d+/)"', bar).group(1)
    assert order == order_href(response.text)
    assert urlsplit(whatsapp_href(response.text)).path == "/6281298765432"
    directions = re.search(r'href="(https://www\.google\.com/maps/dir/[^"]+)"', bar)
    assert directions.group(1).replace("&amp;", "&") == cipare.directions_url
    assert "Pesan lewat WhatsApp" in bar
    assert "Petunjuk arah" in bar


def test_a_product_on_display_nowhere_has_no_directions(client, cipare):
    """Not on display (its display at Cipare ended yesterday), the bar holds the
    WhatsApp order alone: no directions to an outlet that does not have it."""
    product = make_product(name="Emping Melinjo")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    make_display(
        product,
        cipare,
        starts_on=yesterday - datetime.timedelta(days=30),
        ends_on=yesterday,
    )

    response = client.get(product.get_absolute_url())

    assert response.status_code == 200
    bar = action_bar(response.text)
    assert f'href="/wa/{product.pk}/"' in bar
    assert "google.com/maps" not in response.text
    assert "Petunjuk arah" not in response.text


def availability(response):
    (data,) = json_ld(response.text)
    return data["offers"]["availability"]


def test_the_offer_is_in_stock_only_while_on_display(client, cipare):
    """Search engines read InStock for a product on display at an outlet today, and
    OnlineOnly (ordered from the maker over WhatsApp) for one on display nowhere
    or whose display starts tomorrow."""
    displayed = make_product()
    make_display(displayed, cipare)
    nowhere = make_product()
    upcoming = make_product()
    make_display(
        upcoming, cipare, starts_on=timezone.localdate() + datetime.timedelta(days=1)
    )

    responses = {
        name: client.get(product.get_absolute_url())
        for name, product in [
            ("displayed", displayed),
            ("nowhere", nowhere),
            ("upcoming", upcoming),
        ]
    }

    assert {name: r.status_code for name, r in responses.items()} == {
        "displayed": 200,
        "nowhere": 200,
        "upcoming": 200,
    }
    assert availability(responses["displayed"]) == "https://schema.org/InStock"
    assert availability(responses["nowhere"]) == "https://schema.org/OnlineOnly"
    assert availability(responses["upcoming"]) == "https://schema.org/OnlineOnly"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data", "page_cache_on")
def test_a_display_starting_tomorrow_shows_on_the_cached_page_on_its_first_day(
    client, monkeypatch
):
    """A product page cached on 30 November, the day before its display at Cipare
    starts, is not served on 1 December: the page then lists Cipare and its offer
    is in stock, while the day before both said it was on display nowhere."""
    jakarta = zoneinfo.ZoneInfo("Asia/Jakarta")
    cipare = Outlet.objects.get(slug="gerai-umkm-cipare")
    product = make_product(name="Kopi Taktakan")
    make_display(product, cipare, starts_on=datetime.date(2026, 12, 1))
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 11, 30, 20, tzinfo=jakarta)
    )
    client.get(product.get_absolute_url())
    before = client.get(product.get_absolute_url())

    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 12, 1, 9, tzinfo=jakarta)
    )
    after = client.get(product.get_absolute_url())

    assert (before.status_code, before["X-Page-Cache"]) == (200, "hit")
    assert availability(before) == "https://schema.org/OnlineOnly"
    assert 'data-testid="displayed-at"' not in before.text
    assert (after.status_code, after["X-Page-Cache"]) == (200, "miss")
    assert availability(after) == "https://schema.org/InStock"
    assert 'data-testid="displayed-at"' in after.text
    assert cipare.directions_url.replace("&", "&amp;") in after.text


def test_a_display_since_another_year_says_the_year(client, cipare, kasemen):
    """ "On display since" names the day and month of a display started this year,
    and the year too for one started in an earlier year (6 April last year)."""
    today = timezone.localdate()
    old_start = datetime.date(today.year - 1, 4, 6)
    this_year = make_product()
    make_display(this_year, cipare, starts_on=today)
    old = make_product()
    make_display(old, kasemen, starts_on=old_start)

    recent = client.get(this_year.get_absolute_url())
    long_ago = client.get(old.get_absolute_url())

    assert (recent.status_code, long_ago.status_code) == (200, 200)
    assert f"dipajang sejak {date_format(today, 'j M')}</span>" in recent.text
    assert f"dipajang sejak 6 Apr {today.year - 1}</span>" in long_ago.text


def test_sharing_works_without_javascript_as_a_whatsapp_link(client):
    """The share fallback is a wa.me link without a number whose text is the
    product's name and its page's address, URL-encoded (the & of "Kopi & Teh"
    does not cut it short); the page's address is given for the copy button."""
    product = make_product(name="Kopi & Teh Serang")

    response = client.get(product.get_absolute_url())

    assert response.status_code == 200
    share = re.search(r'href="(https://wa\.me/\?[^"]+)"', response.text).group(1)
    link = urlsplit(share.replace("&amp;", "&"))
    url = f"http://testserver{product.get_absolute_url()}"
    assert (link.netloc, link.path) == ("wa.me", "/")
    assert parse_qs(link.query) == {"text": [f"Kopi & Teh Serang {url}"]}
    assert "%26" in share
    assert f'data-url="{url}"' in response.text
