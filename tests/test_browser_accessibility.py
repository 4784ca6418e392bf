"""axe-core finds no WCAG 2 A/AA violations on the public pages, the owners' pages
and the sign-up and sign-in forms, with their error states, on a phone screen and
on a desktop one."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from outlets.models import Display, LabelScan, Outlet
from products.models import Business, Product, ProductCount
from tests.factories import make_business, make_display, make_product, make_user

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


def violations_on(live_server, page, axe_violations, paths, check=None):
    """axe's violations on each page at 360 and 1280 px, by (width, name). A page
    is a path to open, or (name, steps): steps(page, url) bring it to a state (a
    form sent with errors). check(name, width) runs on each page too; by default
    the page must not scroll sideways."""

    def fits_the_screen(name, width):
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{name} scrolls sideways at {width}px"

    found = {}
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            name, steps = (path, None) if isinstance(path, str) else path
            if steps is None:
                page.goto(live_server.url + name)
                assert page.url == live_server.url + name, f"{name} redirects"
            else:
                steps(page, live_server.url)
            page.wait_for_load_state("networkidle")
            (check or fits_the_screen)(name, width)
            violations = axe_violations(page)
            if violations:
                found[(width, name)] = violations
    return found


def sent_with_errors(path, **typed):
    """Steps (for violations_on) that send the form at path with only the typed
    values, bypassing the browser's own checks, so the server answers with the
    form and its errors."""

    def steps(page, url):
        page.goto(url + path)
        form = page.locator("main form").first
        for name, value in typed.items():
            form.locator(f"[name={name}]").fill(value)
        form.evaluate("form => { form.noValidate = true; }")
        with page.expect_navigation():
            form.locator("button[type=submit]").last.click()
        errors = page.locator("main .invalid-feedback, main .alert-danger")
        assert errors.count(), f"{path} was sent without errors"

    return steps


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

    found = violations_on(live_server, page, axe_violations, paths)

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


def test_both_card_badges_fit_a_phones_two_column_card(live_server, page, catalogue):
    """Both badges of a card, "Halal" and "Ada di gerai" ("At an outlet"), sit on
    one row of a card two columns wide on a 360 px phone, in either language; on
    a 320 px one they wrap rather than overflow."""
    product = make_product(
        name="Keripik Talas Pedas Manis Khas Kasemen",
        business=catalogue.business,
        halal_until=timezone.localdate(),
        photo=True,
    )
    make_display(product, Outlet.objects.get(slug="gerai-umkm-cipare"))
    rows = """() => [...document.querySelectorAll(".card-badges")]
        .filter(badges => badges.children.length === 2)
        .map(badges => [
            new Set([...badges.children].map(badge => badge.offsetTop)).size,
            badges.scrollWidth <= badges.clientWidth,
        ])"""

    shown = {}
    for width in (320, 360):
        page.set_viewport_size({"width": width, "height": 800})
        for path in ("/produk/", "/en/produk/"):
            page.goto(live_server.url + path)
            shown[(width, path)] = page.evaluate(rows)

    assert shown[(360, "/produk/")] == [[1, True]]
    assert shown[(360, "/en/produk/")] == [[1, True]]
    assert all(fits for width_rows in shown.values() for _rows, fits in width_rows)


PASSWORD = "dodol-durian-2026"


@pytest.fixture
def owner():
    """An owner with businesses in every verification status, products in every
    review status (badges and reasons shown) and displays at every stage."""
    owner = make_user(
        email="siti@example.com", full_name="Siti Aminah", password=PASSWORD
    )
    business = make_business(owner=owner, name="Dapur Siti")
    make_business(owner=owner, name="Kerupuk Siti", status=Business.Status.PENDING)
    make_business(
        owner=owner,
        name="Emping Siti",
        status=Business.Status.REJECTED,
        status_reason="The NIB belongs to another business.",
    )
    products = {
        status: make_product(
            business=business,
            name=f"Dodol {status.value}",
            status=status,
            status_reason="The photo is blurred." if status == "rejected" else "",
            halal_until=timezone.localdate() + datetime.timedelta(days=90),
        )
        for status in Product.Status
    }
    approved = products[Product.Status.APPROVED]
    today = timezone.localdate()
    outlets = list(Outlet.objects.order_by("pk"))
    stages = [
        {"status": Display.Status.REQUESTED},
        {"status": Display.Status.APPROVED, "starts_on": today},
        {"status": Display.Status.APPROVED, "starts_on": today + datetime.timedelta(1)},
        {"status": Display.Status.ENDED, "starts_on": today - datetime.timedelta(9)},
        {"status": Display.Status.REJECTED, "decision_reason": "The outlet is full."},
        {"status": Display.Status.CANCELLED},
    ]
    for number, stage in enumerate(stages):
        make_display(approved, outlets[number % len(outlets)], **stage)
    return owner


def sign_in(page, live_server, user):
    """The browser signed in as the user (a session made by the test client)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )


def test_sign_up_and_sign_in_with_errors_have_no_accessibility_violations(
    live_server, page, axe_violations, owner
):
    """The sign-up and sign-in forms, empty and sent with errors (passwords that
    differ and a number that is no mobile one; a wrong password), pass axe."""
    paths = [
        "/akun/daftar/",
        (
            "sign-up with errors",
            sent_with_errors(
                "/akun/daftar/",
                full_name="Siti Aminah",
                email="siti.baru@example.com",
                whatsapp="0254 123456",
                password1=PASSWORD,
                password2=PASSWORD + "x",
            ),
        ),
        "/akun/masuk/",
        (
            "sign-in with errors",
            sent_with_errors(
                "/akun/masuk/", username="siti@example.com", password="salah-sandi"
            ),
        ),
    ]

    found = violations_on(live_server, page, axe_violations, paths)

    assert found == {}


def test_owner_pages_and_their_error_states_have_no_accessibility_violations(
    live_server, page, axe_violations, owner
):
    """The dashboard with products in every status, the owner's lists, the product
    form (empty, sent with errors, and editing one with a reason to correct), the
    business form (empty and with errors), the display request form (and with
    errors) and a product's statistics (with counts, and not public) pass axe."""
    rejected = Product.objects.get(name="Dodol rejected")
    new = make_product(business=rejected.business, name="Dodol Durian")
    request_path = f"/dasbor/pajangan/minta/{new.slug}/"
    approved = Product.objects.get(name="Dodol approved")
    today = timezone.localdate()
    ProductCount.objects.create(product=approved, day=today, views=9, whatsapp_taps=2)
    LabelScan.objects.create(
        outlet=Outlet.objects.first(), product=approved, day=today, scans=3
    )
    paths = [
        "/dasbor/",
        "/dasbor/produk/",
        "/dasbor/usaha/",
        "/dasbor/pajangan/",
        "/dasbor/produk/baru/",
        (
            "product form with errors",
            sent_with_errors("/dasbor/produk/baru/", price="dua puluh"),
        ),
        f"/dasbor/produk/{rejected.slug}/ubah/",
        "/dasbor/usaha/baru/",
        (
            "business form with errors",
            sent_with_errors("/dasbor/usaha/baru/", nib="12345"),
        ),
        request_path,
        ("display request with errors", sent_with_errors(request_path)),
        f"/dasbor/produk/{approved.slug}/statistik/",
        f"/dasbor/produk/{rejected.slug}/statistik/",
    ]
    sign_in(page, live_server, owner)

    found = violations_on(live_server, page, axe_violations, paths)

    assert found == {}
