"""Staff at work in the admin, in a real browser: a Dinas Koperasi verifier approves a
pending product, a Disparpora curator approves the display request at Iwak Banten,
and residents then find the product on the outlet's page."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.roles import CURATOR, VERIFIER
from accounts.two_factor import new_recovery_codes
from outlets.models import Display, Outlet
from products.models import Product
from tests.admin_helpers import make_staff
from tests.factories import make_display, make_product

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

PASSWORD = "kurator-iwak-2026"


def sign_in(browser, url, email):
    """Through the admin's sign-in, with a recovery code as the second factor."""
    code = new_recovery_codes(User.objects.get(email=email))[0]
    page = browser.new_context().new_page()
    page.goto(url + "/admin/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=otp_token]").fill(code)
    page.locator("input[type=submit]").click()
    return page


def test_verifier_and_curator_put_a_product_on_display(live_server, browser):
    """The product goes from pending review to on display at Iwak Banten."""
    url = live_server.url
    iwak_banten = Outlet.objects.get(slug="iwak-banten")
    product = make_product(name="Sate Bandeng Iwak", status=Product.Status.PENDING)
    make_display(product, iwak_banten, status=Display.Status.REQUESTED)
    make_staff(
        "dinkopukmperindag",
        group=VERIFIER,
        email="verifikator@serangkota.go.id",
        password=PASSWORD,
    )
    make_staff(
        "disparpora",
        group=CURATOR,
        email="kurator@serangkota.go.id",
        password=PASSWORD,
    )

    verifier = sign_in(browser, url, "verifikator@serangkota.go.id")
    verifier.goto(url + "/admin/products/product/?queue=waiting")
    verifier.get_by_role("link", name="Sate Bandeng Iwak").click()
    verifier.locator("select[name=status]").select_option("approved")
    verifier.locator("input[name=_save]").click()
    expect(verifier.locator(".messagelist .success")).to_be_visible()

    curator = sign_in(browser, url, "kurator@serangkota.go.id")
    curator.goto(url + "/admin/outlets/display/")
    expect(curator.locator("#result_list")).to_contain_text("Sate Bandeng Iwak")
    curator.locator("input[name=_selected_action]").first.check()
    curator.locator("select[name=action]").select_option("approve")
    curator.locator("button[name=index]").click()
    expect(curator.locator(".messagelist")).to_contain_text(
        "1 permohonan pajangan disetujui"
    )

    resident = browser.new_context().new_page()
    resident.goto(url + "/gerai/iwak-banten/")
    expect(resident.get_by_role("link", name="Sate Bandeng Iwak")).to_be_visible()
