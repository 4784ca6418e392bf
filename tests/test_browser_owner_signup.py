"""A UMKM owner signs up on a phone and confirms their email in a real browser."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def open_menu(page):
    """Open the phone navbar and wait for Bootstrap's collapse animation to end: a
    click on a link while it still slides open may land beside it."""
    page.locator(".navbar-toggler").click()
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))


def test_owner_signs_up_confirms_the_email_and_signs_in(
    live_server, page, axe_violations
):
    """On a 360 px screen the owner fills in the sign-up form (which passes axe and
    does not scroll sideways), opens the link from the email and confirms the
    address with the password chosen at sign-up (the page passes axe), which signs
    them in: the navbar then offers the sign-out button instead of the sign-up
    link."""
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/")
    open_menu(page)
    page.locator("#main-nav a[href='/akun/daftar/']").click()
    expect(page).to_have_url(live_server.url + "/akun/daftar/")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    form = page.locator("main form")
    form.locator("input[name=full_name]").fill("Siti Aminah")
    form.locator("input[name=email]").fill("siti@example.com")
    form.locator("input[name=whatsapp]").fill("0812 3456 7890")
    form.locator("input[name=password1]").fill("kerupuk-kulit-99")
    form.locator("input[name=password2]").fill("kerupuk-kulit-99")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(live_server.url + "/akun/daftar/cek-email/")
    user = User.objects.get(email="siti@example.com")
    assert (user.is_active, user.whatsapp) == (False, "6281234567890")
    (message,) = mail.outbox
    (link,) = re.findall(r"https?://\S+", message.body)

    page.goto(live_server.url + urlsplit(link).path)
    assert axe_violations(page) == []
    form = page.locator("main form")
    form.locator("input[name=password]").fill("kerupuk-kulit-99")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(live_server.url + "/dasbor/")
    page.goto(live_server.url + "/")
    open_menu(page)
    expect(
        page.locator("#main-nav form[action='/akun/keluar/'] button")
    ).to_be_visible()
    expect(page.locator("#main-nav a[href='/akun/daftar/']")).to_have_count(0)
    user.refresh_from_db()
    assert user.is_active is True
