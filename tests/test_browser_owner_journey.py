"""The whole owner journey in a real browser: sign up, confirm, register a business,
add a product with a photo and submit it; staff approve both in the admin; the owner
asks for a place at Gerai UMKM Cipare and sees the request waiting."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from accounts.models import User
from accounts.two_factor import new_recovery_codes
from outlets.models import Display
from products.models import Business, Product
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

PASSWORD = "dodol-durian-2026"


def phone_photo(path):
    """A photo as a phone would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), "saddlebrown").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def submit(form):
    form.locator("button[type=submit]").last.click()


def test_owner_journey_from_sign_up_to_a_display_request(
    live_server, page, browser, tmp_path, axe_violations
):
    """Every step a first-time owner takes, and the staff's approvals between them,
    on a phone screen; every form passes axe's WCAG 2 A/AA rules."""
    url = live_server.url
    page.set_viewport_size({"width": 360, "height": 740})
    seen = {}

    def check(name):
        seen[name] = axe_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name

    # Sign up and confirm through the emailed link.
    page.goto(url + "/akun/daftar/")
    form = page.locator("main form")
    form.locator("input[name=full_name]").fill("Siti Aminah")
    form.locator("input[name=email]").fill("siti@example.com")
    form.locator("input[name=whatsapp]").fill("0812 3456 7890")
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    submit(form)
    expect(page).to_have_url(url + "/akun/daftar/cek-email/")
    (link,) = re.findall(r"https?://\S+", mail.outbox[0].body)
    page.goto(url + urlsplit(link).path)
    form = page.locator("main form")
    form.locator("input[name=password]").fill(PASSWORD)
    submit(form)
    expect(page).to_have_url(url + "/dasbor/")
    check("empty dashboard")

    # Register the business.
    page.goto(url + "/dasbor/usaha/baru/")
    check("business form")
    form = page.locator("main form")
    form.locator("input[name=name]").fill("Dodol Ibu Siti")
    form.locator("select[name=size]").select_option("mikro")
    form.locator("select[name=kelurahan]").select_option(label="Cipare")
    form.locator("input[name=address]").fill("Jl. Cipare Raya No. 7")
    form.locator("input[name=whatsapp]").fill("+62 812 3456 7890")
    submit(form)
    expect(page).to_have_url(url + "/dasbor/usaha/")
    business = Business.objects.get(name="Dodol Ibu Siti")
    assert business.status == Business.Status.PENDING

    # Add a product with a photo, then submit it for review.
    page.goto(url + "/dasbor/produk/baru/")
    check("product form")
    form = page.locator("main form")
    form.locator("input[name=name]").fill("Dodol Durian")
    form.locator("select[name=category]").select_option(label="Oleh-oleh khas Serang")
    form.locator("input[name=price]").fill("25.000")
    form.locator("input[name=unit]").fill("kotak 500 g")
    form.locator("input[type=file]").set_input_files(
        phone_photo(tmp_path / "dodol.jpg")
    )
    submit(form)
    expect(page).to_have_url(url + "/dasbor/produk/")
    product = Product.objects.get(name="Dodol Durian")
    assert (product.status, product.price, product.photos.count()) == (
        "draft",
        25000,
        1,
    )
    page.get_by_role("button", name="Ajukan untuk ditinjau").click()
    expect(page.locator("main")).to_contain_text("Menunggu peninjauan")
    check("product list")

    # A staff member approves the business and the product in the admin.
    verifier = make_user(
        email="verifikator@serangkota.go.id",
        password=PASSWORD,
        is_staff=True,
        is_superuser=True,
    )
    staff = browser.new_context().new_page()
    staff.goto(url + "/admin/login/")
    staff.locator("input[name=username]").fill("verifikator@serangkota.go.id")
    staff.locator("input[name=password]").fill(PASSWORD)
    staff.locator("input[name=otp_token]").fill(new_recovery_codes(verifier)[0])
    staff.locator("input[type=submit]").click()
    for admin_url, status in [
        (f"/admin/products/business/{business.pk}/change/", "verified"),
        (f"/admin/products/product/{product.pk}/change/", "approved"),
    ]:
        staff.goto(url + admin_url)
        staff.locator("select[name=status]").select_option(status)
        staff.locator("input[name=_save]").click()
        expect(staff.locator(".messagelist .success")).to_be_visible()
    business.refresh_from_db()
    product.refresh_from_db()
    assert (business.status, product.status) == ("verified", "approved")

    # The owner asks for a place at Gerai UMKM Cipare and sees it waiting.
    page.goto(url + "/dasbor/")
    check("dashboard")
    page.get_by_role("link", name="Minta dipajang").first.click()
    check("display request form")
    form = page.locator("main form")
    form.locator("select[name=outlet]").select_option(label="Gerai UMKM Cipare")
    form.locator("textarea[name=message]").fill("Stok 30 kotak per minggu.")
    submit(form)
    expect(page).to_have_url(url + "/dasbor/pajangan/")
    expect(page.locator("main")).to_contain_text("Gerai UMKM Cipare")
    expect(page.locator("main")).to_contain_text("Menunggu keputusan")
    check("display requests")
    assert {name: found for name, found in seen.items() if found} == {}
    display = Display.objects.get(product=product)
    assert (display.status, display.outlet.slug) == ("requested", "gerai-umkm-cipare")
    assert display.requested_by == User.objects.get(email="siti@example.com")
