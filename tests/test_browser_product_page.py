"""The product page on a resident's phone and on a desktop: the bar to order or go
to the outlet, the photo gallery and sharing the page."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from outlets.models import Outlet
from tests.factories import (
    add_photo,
    image_upload,
    make_business,
    make_display,
    make_product,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

# A browser without the Web Share API (most desktop ones), and a clipboard that
# keeps what is written to it where the test can read it.
WITHOUT_WEB_SHARE = """
delete Navigator.prototype.share;
delete Navigator.prototype.canShare;
Object.defineProperty(navigator, "clipboard", {value: {
  writeText: (text) => { window.__copied = text; return Promise.resolve(); }
}});
"""
# A phone's share sheet, recording what it was given.
WITH_WEB_SHARE = """
Navigator.prototype.share = function (data) {
  window.__shared = data;
  return Promise.resolve();
};
Navigator.prototype.canShare = function () { return true; };
"""


@pytest.fixture
def dodol():
    """Dodol with three photos (orange, green, blue), on display at Cipare, with
    similar products below it."""
    business = make_business(name="Dodol Ibu Siti", whatsapp="6281311112222")
    product = make_product(
        name="Dodol Durian Cipare",
        business=business,
        description="Dodol durian legit, dibuat tiap pagi.",
        photo=True,
    )
    for position, color in [(1, "green"), (2, "blue")]:
        add_photo(product, image_upload(color=color), position=position)
    make_display(product, Outlet.objects.get(slug="gerai-umkm-cipare"))
    for name in ["Dodol Ketan", "Dodol Nanas", "Dodol Sirsak"]:
        make_product(name=name, business=business, photo=True)
    return product


def indonesian(text):
    """What the page says for the text (the site's language)."""
    with translation.override("id"):
        return translation.gettext(text)


def test_on_a_phone_the_bar_stays_at_the_bottom_and_clear_of_the_page(
    live_server, page, dodol, axe_violations
):
    """At 360 px the bar with "Pesan lewat WhatsApp" and "Petunjuk arah" is fixed
    at the bottom of the screen, the big WhatsApp button is not shown twice, and
    scrolled to the end the footer's last line shows above the bar; axe finds
    nothing."""
    page.set_viewport_size({"width": 360, "height": 740})

    response = page.goto(live_server.url + dodol.get_absolute_url())

    assert response.status == 200
    bar = page.get_by_test_id("action-bar")
    expect(bar).to_be_visible()
    assert bar.evaluate("el => getComputedStyle(el).position") == "fixed"
    expect(page.get_by_test_id("whatsapp")).to_be_hidden()
    order = bar.get_by_role("link", name="Pesan lewat WhatsApp")
    directions = bar.get_by_role("link", name="Petunjuk arah")
    for link in (order, directions):
        box = link.bounding_box()
        assert box["height"] >= 44
    bar_box = bar.bounding_box()
    assert bar_box["y"] + bar_box["height"] == pytest.approx(740, abs=1)

    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function(
        "window.scrollY + innerHeight >= document.documentElement.scrollHeight - 1"
    )
    last = page.locator("footer").locator("p, li, a").last
    last_box = last.bounding_box()
    assert last_box["y"] + last_box["height"] <= bar.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []


def test_swiping_the_photos_counts_them(live_server, page, dodol):
    """On a phone the photos scroll sideways one at a time: moved to the second
    the counter reads 2/3 (and "Foto 2 dari 3" to a screen reader); no buttons."""
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + dodol.get_absolute_url())
    counter = page.get_by_test_id("gallery-counter")
    expect(counter).to_have_text("1/3" + photo_label(1, 3))
    expect(page.get_by_role("button", name=indonesian("Next photo"))).to_be_hidden()

    track = page.locator("[data-gallery-track]")
    track.evaluate("el => el.scrollTo({left: el.clientWidth, behavior: 'instant'})")

    expect(counter.locator("[aria-hidden]")).to_have_text("2/3")
    expect(counter).to_have_text("2/3" + photo_label(2, 3))
    assert counter.get_attribute("aria-live") == "polite"
    second = track.locator("img").nth(1)
    expect(second).to_be_in_viewport(ratio=0.9)


def photo_label(current, total):
    return indonesian("Photo %(current)s of %(total)s") % {
        "current": current,
        "total": total,
    }


def test_without_web_share_the_page_offers_copying_its_link(
    live_server, browser, dodol
):
    """Where the browser cannot share, "Bagikan lewat WhatsApp" stays and "Salin
    tautan" copies the page's address, saying so where a screen reader hears it."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_init_script(WITHOUT_WEB_SHARE)
    page = context.new_page()
    url = live_server.url + dodol.get_absolute_url()
    page.goto(url)
    share = page.get_by_test_id("share")
    expect(share.get_by_test_id("share-whatsapp")).to_be_visible()
    native = share.get_by_role("button", name=indonesian("Share"), exact=True)
    expect(native).to_be_hidden()
    status = share.get_by_role("status")
    expect(status).to_have_text("")

    share.locator("[data-share-copy]").click()

    expect(status).to_have_text(indonesian("Link copied"))
    expect(status).to_be_visible()
    assert page.evaluate("window.__copied") == url
    context.close()


def test_where_the_phone_can_share_one_button_opens_its_share_sheet(
    live_server, browser, dodol
):
    """With the Web Share API, one "Share" button replaces the WhatsApp link and
    hands the phone's share sheet the product's name and page."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_init_script(WITH_WEB_SHARE)
    page = context.new_page()
    url = live_server.url + dodol.get_absolute_url()
    page.goto(url)
    share = page.get_by_test_id("share")
    expect(share.get_by_test_id("share-whatsapp")).to_be_hidden()
    expect(share.locator("[data-share-copy]")).to_be_hidden()

    share.locator("[data-share-native]").click()

    shared = page.wait_for_function("window.__shared").json_value()
    assert shared == {"title": dodol.name, "text": dodol.name, "url": url}
    context.close()


def test_on_a_desktop_buttons_turn_the_photos_and_no_bar_shows(
    live_server, page, dodol, axe_violations
):
    """At 1280 px there is no bottom bar but the big WhatsApp button; "Next photo"
    shows the second photo (2/3) and "Previous photo" is off on the first; axe
    finds nothing."""
    page.set_viewport_size({"width": 1280, "height": 800})
    response = page.goto(live_server.url + dodol.get_absolute_url())

    assert response.status == 200
    expect(page.get_by_test_id("action-bar")).to_be_hidden()
    expect(page.get_by_test_id("whatsapp")).to_be_visible()
    previous = page.get_by_role("button", name=indonesian("Previous photo"))
    expect(previous).to_be_disabled()

    page.get_by_role("button", name=indonesian("Next photo")).click()

    counter = page.get_by_test_id("gallery-counter").locator("[aria-hidden]")
    expect(counter).to_have_text("2/3")
    expect(previous).to_be_enabled()
    assert axe_violations(page) == []
