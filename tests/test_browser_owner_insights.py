"""An owner, on a phone, signs in and sees what residents did with a product in the
last 30 days: the numbers on the dashboard, then the product's charts, its table of
days and the outlets' shares of the label scans (issue #16)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from outlets.models import LabelScan, Outlet
from products.models import Category
from tests.factories import make_business, make_product, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

PASSWORD = "dodol-durian-2026"
PHONE = (
    "Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"
)


def as_residents(path, visitors):
    """Residents, each from an address of their own, open path on their phones."""
    client = Client()
    for number in visitors:
        client.get(path, REMOTE_ADDR=f"198.51.100.{number}", HTTP_USER_AGENT=PHONE)


def violations_in_main(page, violations):
    """axe's violations on the page's own content (<main>), not the site's
    navigation and footer, which tests/test_browser_accessibility.py checks."""
    found = []
    for rule, targets in violations:
        inside = [
            target
            for target in targets
            if page.evaluate(
                "(selector) => !!document.querySelector(selector)?.closest('main')",
                target[-1],
            )
        ]
        if inside:
            found.append((rule, inside))
    return found


def test_owner_sees_the_chart_and_numbers_of_a_product_on_a_phone(
    live_server, page, axe_violations
):
    owner = make_user(email="siti@example.com", full_name="Siti", password=PASSWORD)
    snack = Category.objects.create(name="Makanan Ringan", slug="makanan-ringan")
    product = make_product(
        business=make_business(owner=owner, name="Dapur Siti"),
        name="Emping Melinjo",
        category=snack,
    )
    make_product(category=snack, name="Keripik Pisang")  # another's, never seen
    cipare = Outlet.objects.get(slug="gerai-umkm-cipare")
    as_residents(product.get_absolute_url(), range(1, 6))
    as_residents(reverse("order_on_whatsapp", args=[product.pk]), range(1, 3))
    as_residents(reverse("label_scan", args=[cipare.pk, product.pk]), range(6, 9))
    LabelScan.objects.create(
        outlet=Outlet.objects.get(slug="gerai-umkm-kasemen"),
        product=product,
        day=timezone.localdate() - datetime.timedelta(days=3),
        scans=1,
    )
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(live_server.url + "/akun/masuk/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill("siti@example.com")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").last.click()
    expect(page).to_have_url(live_server.url + "/dasbor/")
    row = page.get_by_test_id("performance")
    expect(row).to_have_text("Emping Melinjo 5 2 4", use_inner_text=True)
    row.get_by_role("link", name="Emping Melinjo").click()

    expect(page).to_have_url(
        live_server.url + f"/dasbor/produk/{product.slug}/statistik/"
    )
    expect(page.get_by_test_id("total-views")).to_have_text("5")
    expect(page.get_by_test_id("total-taps")).to_have_text("2")
    expect(page.get_by_test_id("total-scans")).to_have_text("4")
    charts = page.locator("main svg[role=img]")
    expect(charts).to_have_count(3)
    for chart in charts.all():
        assert chart.bounding_box()["width"] <= 360
        assert chart.bounding_box()["height"] >= 60  # drawn, not collapsed
    # Today's columns: one in each chart (the scans of three days ago, another).
    expect(page.locator("main .day-chart-views rect.column")).to_have_count(1)
    expect(page.locator("main .day-chart-scans rect.column")).to_have_count(2)
    expect(page.get_by_test_id("scan-share")).to_have_count(2)
    expect(page.get_by_test_id("scan-share").first).to_contain_text("(75%)")
    expect(page.get_by_test_id("scan-share").last).to_contain_text("(25%)")
    # Emping's 5 views against the 0 of Keripik Pisang: the median of the two, 2.5.
    expect(page.get_by_test_id("median")).to_contain_text("5")
    expect(page.get_by_test_id("median")).to_contain_text("2,5")

    table = page.locator("main details table")
    expect(table).to_be_hidden()
    page.locator("main details summary").click()
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(30)
    expect(table.locator("tbody tr").last.locator("td")).to_have_text(["5", "2", "3"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert violations_in_main(page, axe_violations(page)) == []
