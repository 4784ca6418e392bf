"""A resident opens the home page in a real browser (Debian's Chromium)."""

import pytest
from playwright.sync_api import expect

from outlets.models import Outlet
from tests.factories import make_display, make_product

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_resident_sees_outlets_and_follows_a_displayed_product(live_server, page):
    """On a phone-sized screen the home page lists the three outlets and a product on
    display; following it opens the product page with its price."""
    cipare = Outlet.objects.get(slug="gerai-umkm-cipare")
    make_display(
        make_product(name="Dodol Durian Cipare", price=35000, photo=True), cipare
    )
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(live_server.url + "/")

    expect(page).to_have_title("Gerai UMKM Kota Serang")
    for name in ["Gerai UMKM Cipare", "Gerai UMKM Kasemen", "Iwak Banten"]:
        # Exactly: each card's directions link is named after its outlet too.
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360

    page.get_by_role("link", name="Dodol Durian Cipare").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dodol Durian Cipare")
    expect(page.get_by_text("Rp 35.000")).to_be_visible()
    # Exactly: the phone's action bar names the outlet in its directions link.
    expect(
        page.get_by_role("link", name="Gerai UMKM Cipare", exact=True)
    ).to_be_visible()


@pytest.mark.parametrize("width", [320, 360])
@pytest.mark.parametrize("path", ["/", "/en/"])
def test_the_header_fits_one_row_on_a_phone(live_server, page, width, path):
    """On a 320 or 360 px phone the brand and the menu button share one row of the
    header (it took two, 96 px of a 640 px screen), in either language, and the
    menu still opens."""
    page.set_viewport_size({"width": width, "height": 640})

    page.goto(live_server.url + path)

    header = page.locator("header nav").bounding_box()
    brand = page.locator(".navbar-brand").bounding_box()
    toggler = page.locator(".navbar-toggler").bounding_box()
    assert header["height"] <= 60
    assert abs(brand["y"] - toggler["y"]) < 12
    page.locator(".navbar-toggler").click()
    expect(page.locator("#main-nav .nav-link").first).to_be_visible()
