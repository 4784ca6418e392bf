"""Security headers on every kind of page (cached or not), security.txt, and a real
browser that sees no Content-Security-Policy violation on the pages with the most
moving parts (the conftest's _no_csp_violations fixture fails a browser test that
meets one)."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from products.models import Product
from serang_umkm.security import media_origins
from tests.admin_helpers import admin_url
from tests.factories import make_business, make_display, make_product, make_user

EXPECTED_CSP = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https://tile.openstreetmap.org",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
    "object-src 'none'",
)


def assert_security_headers(response):
    policy = response["Content-Security-Policy"]
    directives = {part.strip() for part in policy.split(";")}
    for directive in EXPECTED_CSP:
        name = directive.split()[0]
        (found,) = [d for d in directives if d.split()[0] == name]
        assert found.startswith(directive), (found, directive)
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["Permissions-Policy"] == (
        "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"
    )
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_public_pages_carry_the_headers_from_the_page_cache_and_without(settings):
    """Home, the product list, a product page and an outlet page carry the security
    headers whether freshly rendered or served from the page cache."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    product = make_product(photo=True)
    make_display(product)
    for url in [
        reverse("home"),
        reverse("products:list"),
        product.get_absolute_url(),
        reverse("outlets:detail", args=["gerai-umkm-cipare"]),
    ]:
        first, second = Client().get(url), Client().get(url)
        assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit"), url
        assert_security_headers(first)
        assert_security_headers(second)


@pytest.mark.django_db
def test_owner_pages_carry_the_headers(client):
    """An owner's product list and new-product form carry the security headers."""
    business = make_business()
    client.force_login(business.owner)
    for url in [reverse("products:owner_products"), reverse("products:product_create")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)


@pytest.mark.django_db
def test_admin_and_its_import_page_carry_the_headers(client):
    """The admin home and its import page carry the security headers and take their
    styles from css/admin.css."""
    client.force_login(make_user(is_staff=True, is_superuser=True))
    for url in [reverse("admin:index"), admin_url(Product, "import")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
        # The styles the admin pages of this project used to have inline.
        assert "css/admin.css" in response.content.decode(), url


def test_plain_text_pages_carry_the_headers(client):
    """security.txt and robots.txt carry the security headers."""
    assert_security_headers(client.get("/.well-known/security.txt"))
    assert_security_headers(client.get("/robots.txt"))


def test_photos_on_s3_may_be_shown():
    """The policy lets pages show photos wherever media is stored (a media domain, a
    CDN, an S3 endpoint or bucket), adding nothing for media the site serves itself."""
    assert media_origins("/media/") == []
    assert media_origins("https://foto.example.id/media/") == [
        "https://foto.example.id"
    ]
    assert media_origins(
        "/media/",
        "gerai",
        {"endpoint_url": "http://127.0.0.1:9000/", "custom_domain": None},
    ) == ["http://127.0.0.1:9000"]
    assert media_origins("/media/", "gerai", {"custom_domain": "cdn.example.id"}) == [
        "https://cdn.example.id"
    ]
    assert media_origins("/media/", "gerai", {"region_name": "ap-southeast-3"}) == [
        "https://gerai.s3.amazonaws.com",
        "https://gerai.s3.ap-southeast-3.amazonaws.com",
    ]
    img_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    for origin in media_origins(
        settings.MEDIA_URL, settings.MEDIA_BUCKET, settings.MEDIA_S3_OPTIONS
    ):
        assert origin in img_src


def test_security_txt(client, settings, monkeypatch):
    """A security researcher finds at /.well-known/security.txt the contact, an expiry a
    year ahead, the languages and its canonical address, as plain text; a POST there
    answers 405."""
    settings.SECURITY_CONTACT = "mailto:keamanan@example.id"
    moment = datetime.datetime(2026, 3, 1, 8, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    response = client.get("/.well-known/security.txt", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "Contact: mailto:keamanan@example.id",
        "Expires: 2027-03-01T08:30:00Z",
        "Preferred-Languages: id, en",
        "Canonical: http://localhost/.well-known/security.txt",
    ]
    assert client.post("/.well-known/security.txt").status_code == 405


def sign_in(context, client, user, url):
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_browser_sees_no_policy_violation(live_server, browser, offline_map_tiles):
    """Home, the product list, a product page with its photo, an outlet page with the
    map, the owner's product form and the admin's import page, each loaded in
    Chromium and left to run its scripts (the map included)."""
    url = live_server.url
    product = make_product(photo=True, name="Dodol Durian Cipare")
    make_display(product)
    page = offline_map_tiles
    for path in [
        reverse("home"),
        reverse("products:list"),
        product.get_absolute_url(),
        reverse("outlets:detail", args=["gerai-umkm-cipare"]),
    ]:
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
    page.locator("#outlet-map").scroll_into_view_if_needed()
    page.locator("#outlet-map.is-ready").wait_for()
    page.goto(url + product.get_absolute_url())
    assert page.locator("main img").first.evaluate("img => img.naturalWidth") > 0

    client = Client()
    owner_page = browser.new_context().new_page()
    sign_in(owner_page.context, client, product.business.owner, url)
    owner_page.goto(url + reverse("products:product_create"))
    owner_page.wait_for_load_state("networkidle")
    assert owner_page.locator("main form").count() == 1

    staff_page = browser.new_context().new_page()
    sign_in(
        staff_page.context,
        Client(),
        make_user(is_staff=True, is_superuser=True),
        url,
    )
    staff_page.goto(url + admin_url(Product, "import"))
    staff_page.wait_for_load_state("networkidle")
    assert staff_page.locator("input[name=import_file]").count() == 1
    for path in [
        reverse("admin:index"),
        reverse("staff_dashboard"),
        admin_url(Product, "changelist"),
        admin_url(Product, "change", product.pk),
        admin_url(Product, "history", product.pk),
        admin_url(Product, "export"),
    ]:
        staff_page.goto(url + path)
        staff_page.wait_for_load_state("networkidle")
    select_all = staff_page.locator("input[data-select-all]")
    select_all.uncheck()
    assert staff_page.locator(".selectable-field-export-row input:checked").count() == 0
