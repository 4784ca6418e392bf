"""axe-core finds no WCAG 2 A/AA violations on the public pages, on a phone screen."""

import pytest

from outlets.models import Outlet
from tests.factories import make_display, make_product

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture
def catalogue():
    product = make_product(name="Emping Melinjo Kasemen", photo=True, halal_until=None)
    make_display(product, Outlet.objects.get(slug="gerai-umkm-kasemen"))
    return product


def violations_on(live_server, page, axe_violations, paths, check):
    """axe's violations on each page at 360 and 1280 px, by (width, path); check
    (path, width) runs on each page too."""
    found = {}
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            check(path, width)
            violations = axe_violations(page)
            if violations:
                found[(width, path)] = violations
    return found


def test_public_pages_have_no_accessibility_violations(
    live_server, page, offline_map_tiles, axe_violations, catalogue
):
    """Home, outlets, an outlet, products, a product, a business and a 404 pass axe,
    on a phone and on a desktop screen."""
    paths = [
        "/",
        "/gerai/",
        "/gerai/gerai-umkm-kasemen/",
        "/produk/",
        catalogue.get_absolute_url(),
        catalogue.business.get_absolute_url(),
        "/en/",
        "/halaman-tidak-ada/",
    ]

    def fits_the_screen(path, width):
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path} scrolls sideways at {width}px"

    found = violations_on(live_server, page, axe_violations, paths, fits_the_screen)

    assert found == {}


def test_pages_with_cards_and_photo_placeholders_have_no_accessibility_violations(
    live_server, page, offline_map_tiles, axe_violations, catalogue
):
    """Where product and outlet cards and the "no photo yet" placeholder show (home
    with a product without photo, the product list, search results, an outlet page
    with products, a business page, a product page without photo), axe finds no
    violation (contrast, heading order) on a phone and on a desktop screen."""
    kasemen = Outlet.objects.get(slug="gerai-umkm-kasemen")
    without_photo = make_product(
        name="Emping Pedas Kasemen", business=catalogue.business
    )
    make_display(without_photo, kasemen)
    paths = [
        "/",
        "/produk/",
        "/produk/?q=emping",
        kasemen.get_absolute_url(),
        catalogue.business.get_absolute_url(),
        without_photo.get_absolute_url(),
        "/gerai/",
        "/en/produk/?q=emping",
    ]

    def shows_a_placeholder(path, width):
        assert page.locator(".photo-placeholder").count() or path == "/gerai/"

    found = violations_on(live_server, page, axe_violations, paths, shows_a_placeholder)

    assert found == {}
