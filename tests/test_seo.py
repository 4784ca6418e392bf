"""What search engines and link previews read: sitemap, robots, titles, JSON-LD."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from products.models import Product
from tests.factories import make_display, make_product

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def json_ld(html):
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    return [json.loads(block) for block in blocks]


def sitemap_locations(client, url):
    root = ET.fromstring(client.get(url).content)
    return [element.text for element in root.findall(".//s:loc", SITEMAP_NS)]


def test_robots_txt_points_at_the_sitemap_and_keeps_out_of_the_admin(client):
    """robots.txt allows the public pages, not the admin, and names the sitemap."""
    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in response.text
    assert "Sitemap: http://testserver/sitemap.xml" in response.text


def test_sitemap_lists_public_pages_in_both_languages(
    client, django_assert_max_num_queries
):
    """The sitemap has every public product (Indonesian and English), not drafts."""
    public = make_product(name="Sate Bandeng")
    draft = make_product(name="Rahasia Dapur", status=Product.Status.DRAFT)
    sections = sitemap_locations(client, "/sitemap.xml")

    assert "http://testserver/sitemap-produk.xml" in sections
    with django_assert_max_num_queries(3):
        products = sitemap_locations(client, "/sitemap-produk.xml")
    outlets = sitemap_locations(client, "/sitemap-gerai.xml")

    assert f"http://testserver{public.get_absolute_url()}" in products
    assert f"http://testserver/en{public.get_absolute_url()}" in products
    assert not any(draft.slug in location for location in products)
    assert "http://testserver/gerai/iwak-banten/" in outlets


def test_outlet_page_describes_a_store_with_hours_and_position(client, cipare):
    """The outlet page carries schema.org Store data with opening hours and geo."""
    response = client.get(cipare.get_absolute_url())
    (store,) = json_ld(response.text)

    assert store["@type"] == "Store"
    assert store["name"] == "Gerai UMKM Cipare"
    assert store["geo"]["latitude"] == pytest.approx(-6.1269)
    assert {spec["dayOfWeek"] for spec in store["openingHoursSpecification"]} >= {
        "https://schema.org/Monday"
    }
    assert (
        '<link rel="canonical" href="http://testserver/gerai/gerai-umkm-cipare/">'
        in (response.text)
    )


def test_pages_have_their_own_titles(client, cipare):
    """Home, outlet list and outlet pages do not share a title."""
    titles = {
        re.search(r"<title>(.*?)</title>", client.get(url).text).group(1)
        for url in [reverse("home"), reverse("outlets:list"), cipare.get_absolute_url()]
    }

    assert len(titles) == 3


def test_english_and_indonesian_pages_point_at_each_other(client, cipare):
    """Each page names its other-language version for search engines."""
    response = client.get(cipare.get_absolute_url())

    assert (
        '<link rel="alternate" hreflang="en" '
        'href="http://testserver/en/gerai/gerai-umkm-cipare/">'
    ) in response.text


def test_json_ld_cannot_break_out_of_its_script_element(client, cipare):
    """Text typed by staff is escaped inside JSON-LD."""
    cipare.description = "</script><script>alert(1)</script>"
    cipare.save()

    response = client.get(cipare.get_absolute_url())

    assert "<script>alert(1)" not in response.text
    assert json_ld(response.text)[0]["description"] == cipare.description


def test_outlet_page_filters_its_products_by_category(client, cipare):
    """Choosing a category on an outlet page shows only that category's products."""
    make_display(make_product(name="Kopi Banten"), cipare)
    make_display(make_product(name="Dodol Sirsak"), cipare)
    kopi = Product.objects.get(name="Kopi Banten")
    kopi.category = type(kopi.category).objects.get(slug="kopi-teh")
    kopi.save()

    response = client.get(cipare.get_absolute_url(), {"kategori": "kopi-teh"})

    assert "Kopi Banten" in response.text
    assert "Dodol Sirsak" not in response.text


def test_outlet_page_has_directions_and_map_data_as_text(client, cipare):
    """Directions work as a plain link; the map gets its marker as JSON."""
    response = client.get(cipare.get_absolute_url())

    assert (
        "https://www.google.com/maps/dir/?api=1&amp;destination=-6.126900,106.143500"
        in (response.text)
    )
    assert '"url": "/gerai/gerai-umkm-cipare/"' in response.text
