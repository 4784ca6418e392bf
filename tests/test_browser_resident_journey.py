"""A resident on a phone searches, filters, opens a product, contacts the maker and
follows the product to the outlet that displays it."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from outlets.models import Outlet
from products.models import Category
from tests.factories import make_business, make_display, make_product

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_resident_finds_a_product_and_the_outlet_displaying_it(
    live_server, page, offline_map_tiles
):
    """Search "dodol", narrow to a category, open the product, check the WhatsApp
    link, then follow the outlet link to its page."""
    cipare = Outlet.objects.get(slug="gerai-umkm-cipare")
    oleh_oleh = Category.objects.get(slug="oleh-oleh-khas")
    maker = make_business(name="Dodol Ibu Siti", whatsapp="6281311112222")
    make_display(
        make_product(
            name="Dodol Durian Cipare",
            category=oleh_oleh,
            business=maker,
            price=35000,
            photo=True,
        ),
        cipare,
    )
    make_product(name="Dodol Ketan Biasa")  # a dodol of another category
    make_product(name="Emping Melinjo", category=oleh_oleh)
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="Cari produk").fill("dodol")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_contain_text("dodol")
    expect(page.get_by_role("status")).to_have_text("2 produk")

    page.get_by_role("button", name="Saringan dan urutan").click()
    expect(page.locator("#product-filters")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_label("Kategori", exact=True).select_option(
        label="Oleh-oleh khas Serang"
    )
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_url(re.compile(r"kategori=oleh-oleh-khas"))

    expect(page.get_by_role("status")).to_have_text("1 produk")
    assert "q=dodol" in page.url

    page.get_by_role("link", name="Dodol Durian Cipare").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dodol Durian Cipare")
    expect(page.get_by_text("Rp 35.000")).to_be_visible()
    # The button goes through the site's counting redirect on its way to wa.me.
    order = page.get_by_role("link", name="Pesan lewat WhatsApp").get_attribute("href")
    redirect = page.request.get(live_server.url + order, max_redirects=0)
    assert redirect.status == 302
    whatsapp = urlsplit(redirect.headers["location"])
    assert (whatsapp.netloc, whatsapp.path) == ("wa.me", "/6281311112222")
    assert "Dodol Durian Cipare" in parse_qs(whatsapp.query)["text"][0]

    page.get_by_test_id("displayed-at").get_by_role(
        "link", name="Gerai UMKM Cipare"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Gerai UMKM Cipare")
    expect(page.get_by_role("link", name="Dodol Durian Cipare")).to_be_visible()
    expect(page.get_by_role("link", name="Petunjuk arah")).to_have_attribute(
        "href",
        "https://www.google.com/maps/dir/?api=1&destination=-6.126900,106.143500",
    )
