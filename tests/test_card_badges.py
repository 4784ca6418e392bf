"""Product cards say "Halal" when the product has a halal certificate the Dinas
checked and that is valid today, and "Ada di gerai" when it is on display at an
outlet today: both read in the list's own query (ProductQuerySet.with_badges()),
both in the card's fingerprint, so a display starting or a certificate expiring
changes the cards, and the cached pages showing them, on its day."""

import datetime
import re
import zoneinfo

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from outlets.decisions import end_display
from outlets.models import Display
from products.decisions import accept_change
from products.models import Certification
from tests.admin_helpers import make_verifier
from tests.factories import (
    add_photo,
    make_business,
    make_display,
    make_product,
    make_user,
)
from tests.test_products_owner import edit_data

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
HALAL = '<span class="badge badge-halal">Halal</span>'
AT_AN_OUTLET = '<span class="badge badge-outlet">Ada di gerai</span>'


def freeze(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def card_of(page, name):
    """The HTML of the card of the product named name on the page."""
    cards = re.findall(r"<article class=\"card.*?</article>", page, flags=re.S)
    (card,) = [card for card in cards if f">{name}</a>" in card]
    return card


def badges(page, name):
    card = card_of(page, name)
    return [text for text in ("Halal", "Ada di gerai") if f">{text}</span>" in card]


@pytest.mark.django_db
def test_only_a_checked_halal_certificate_valid_today_gives_the_badge(client):
    """The halal filter's own rule: a certificate the Dinas checked that is valid
    today; an owner's unchecked claim or an expired certificate shows nothing."""
    today = timezone.localdate()
    make_product(name="Emping Melinjo", halal_until=today)
    make_product(name="Keripik Talas", halal_until=today, halal_verified=False)
    make_product(name="Sate Bandeng", halal_until=today - datetime.timedelta(days=1))
    make_product(name="Kopi Jahe")

    page = client.get("/produk/").text
    halal_only = client.get("/produk/?halal=1").text

    assert badges(page, "Emping Melinjo") == ["Halal"]
    assert badges(page, "Keripik Talas") == []
    assert badges(page, "Sate Bandeng") == []
    assert badges(page, "Kopi Jahe") == []
    assert badges(halal_only, "Emping Melinjo") == ["Halal"]
    assert "Keripik Talas" not in halal_only and "Sate Bandeng" not in halal_only


@pytest.mark.django_db
def test_an_owners_new_halal_claim_shows_no_badge_until_staff_accept_it(client):
    """An owner adding a halal certificate to an approved product proposes it:
    the card shows no badge until a Verifikator accepts it."""
    product = make_product(name="Dodol Durian")
    client.force_login(product.business.owner)
    response = client.post(
        reverse("products:product_update", args=[product.slug]),
        edit_data(
            product,
            halal_number="ID36110000123450126",
            halal_valid_until="2030-01-31",
        ),
    )
    assert response.status_code == 302
    client.logout()
    change = product.proposed_changes.waiting().get()

    before = badges(client.get("/produk/").text, "Dodol Durian")
    accept_change(change, by=make_verifier())
    after = badges(client.get("/produk/").text, "Dodol Durian")

    assert before == []
    assert after == ["Halal"]


@pytest.mark.django_db
def test_a_product_on_display_today_says_so(client, cipare):
    """Only a display approved and on show today counts: not a request, one
    starting tomorrow, nor one that has ended."""
    today = timezone.localdate()
    make_display(make_product(name="Emping Melinjo"), cipare)
    make_display(make_product(name="Kopi Jahe"), cipare, status="requested")
    make_display(
        make_product(name="Sate Bandeng"),
        cipare,
        starts_on=today + datetime.timedelta(days=1),
    )
    make_display(
        make_product(name="Rabeg"),
        cipare,
        starts_on=today - datetime.timedelta(days=9),
        ends_on=today - datetime.timedelta(days=1),
    )

    page = client.get("/produk/").text

    assert badges(page, "Emping Melinjo") == ["Ada di gerai"]
    assert badges(page, "Kopi Jahe") == []
    assert badges(page, "Sate Bandeng") == []
    assert badges(page, "Rabeg") == []


@pytest.mark.django_db
def test_every_page_with_cards_shows_the_badges(client, cipare):
    """The home, search results, an outlet, a business and a product's similar
    products show the same badges."""
    today = timezone.localdate()
    business = make_business(name="Dapur Bu Ani")
    both = make_product(name="Emping Melinjo", business=business, halal_until=today)
    make_display(both, cipare)
    other = make_product(name="Emping Pedas", business=business)
    pages = {
        "home": "/",
        "search": "/produk/?q=emping",
        "outlet": cipare.get_absolute_url(),
        "business": business.get_absolute_url(),
        "similar": other.get_absolute_url(),
        "english": "/en/produk/",
    }

    shown = {
        name: card_of(client.get(url).text, "Emping Melinjo")
        for name, url in pages.items()
    }

    for name, card in shown.items():
        assert HALAL in card or name == "english", name
        assert AT_AN_OUTLET in card or name == "english", name
    english = shown["english"]
    assert ">Halal</span>" in english and ">At an outlet</span>" in english


@pytest.mark.django_db
def test_twenty_four_cards_with_badges_cost_what_two_cost(
    client, cipare, django_assert_max_num_queries
):
    """The badges come in the list's own query: a page of 24 cards, each halal
    and on display, costs no more queries than a page of 2, on every list."""
    today = timezone.localdate()
    business = make_business(name="Dapur Bu Ani")

    def add_products(count):
        for _ in range(count):
            product = make_product(business=business, halal_until=today)
            add_photo(product)
            make_display(product, cipare)

    urls = [
        "/produk/",
        "/produk/?q=produk",
        "/produk/?halal=1",
        cipare.get_absolute_url(),
        business.get_absolute_url(),
    ]

    def queries_of_each_page():
        counts = {}
        for url in urls:
            cache.clear()  # nothing rendered before: every card, the filter form
            with django_assert_max_num_queries(8) as counted:
                page = client.get(url)
            counts[url] = len(counted.captured_queries)
            assert page.text.count(HALAL) == page.text.count(AT_AN_OUTLET)
        return counts

    cipare.display_capacity = 40
    cipare.save()
    add_products(2)
    few = queries_of_each_page()
    add_products(22)
    many = queries_of_each_page()

    assert many == few
    assert client.get("/produk/").text.count(HALAL) == 24


@pytest.mark.django_db
def test_the_badges_are_in_the_cards_fingerprint(client, cipare):
    """A card rendered before its product went on display is not served after:
    the badge shows on the next visit (cards are kept under what they show)."""
    product = make_product(name="Emping Melinjo")
    assert badges(client.get("/produk/").text, "Emping Melinjo") == []

    make_display(product, cipare)
    Certification.objects.create(
        product=product,
        kind=Certification.Kind.HALAL,
        number="ID36110000123450126",
        verified_at=timezone.now(),
    )

    page = client.get("/produk/").text
    assert badges(page, "Emping Melinjo") == ["Halal", "Ada di gerai"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/produk/", "/produk/?q=emping"])
def test_only_the_pages_products_have_their_badges_read(
    client, cipare, url, django_assert_max_num_queries
):
    """The badges are read for the page's products, in their query: the count of
    results (or the search's ranking of every match) does not look them up."""
    for number in range(3):
        make_display(make_product(name=f"Emping {number}"), cipare)

    with django_assert_max_num_queries(8) as counted:
        client.get(url)

    with_badges = [
        query["sql"]
        for query in counted.captured_queries
        if "outlets_display" in query["sql"] or "products_certification" in query["sql"]
    ]
    assert len(with_badges) == 1, with_badges
    assert "COUNT(" not in with_badges[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data", "page_cache_on")
class TestWithThePageCache:
    """With the page cache on, as deployed."""

    def test_a_display_starting_tomorrow_shows_on_its_first_day(
        self, client, cipare, monkeypatch
    ):
        """Approved today for tomorrow: no badge today, even on pages cached
        before; tomorrow the cached lists show it without anyone saving
        anything."""
        freeze(monkeypatch, datetime.datetime(2026, 11, 30, 21, 0, tzinfo=JAKARTA))
        business = make_business(name="Dapur Bu Ani")
        product = make_product(name="Emping Melinjo", business=business)
        other = make_product(name="Emping Pedas", business=business)
        Display.objects.create(
            product=product,
            outlet=cipare,
            status=Display.Status.APPROVED,
            starts_on=datetime.date(2026, 12, 1),
        )
        urls = [
            "/",
            "/produk/",
            "/produk/?q=emping",
            business.get_absolute_url(),
            other.get_absolute_url(),
        ]
        for url in urls:
            client.get(url)

        before = {url: client.get(url) for url in urls}
        freeze(monkeypatch, datetime.datetime(2026, 12, 1, 0, 1, tzinfo=JAKARTA))
        first_day = {url: client.get(url) for url in urls}
        again = {url: client.get(url) for url in urls}

        for url in urls:
            assert before[url]["X-Page-Cache"] == "hit", url
            assert AT_AN_OUTLET not in before[url].text, url
            assert first_day[url]["X-Page-Cache"] == "miss", url
            assert badges(first_day[url].text, "Emping Melinjo") == ["Ada di gerai"]
            assert again[url]["X-Page-Cache"] == "hit", url
            assert again[url].content == first_day[url].content, url

    def test_a_display_ended_by_staff_loses_its_badge_at_once(self, client, cipare):
        """Staff ending a display make the cached lists stale: the badge goes."""
        display = make_display(make_product(name="Emping Melinjo"), cipare)
        assert badges(client.get("/produk/").text, "Emping Melinjo") == ["Ada di gerai"]

        end_display(display, by=make_user(is_staff=True))
        page = client.get("/produk/")

        assert page["X-Page-Cache"] == "miss"
        assert badges(page.text, "Emping Melinjo") == []

    def test_a_certificate_expiring_loses_its_badge_the_next_day(
        self, client, monkeypatch
    ):
        """Valid until 30 November: "Halal" that day, not on 1 December."""
        freeze(monkeypatch, datetime.datetime(2026, 11, 30, 23, 59, tzinfo=JAKARTA))
        make_product(name="Emping Melinjo", halal_until=datetime.date(2026, 11, 30))
        last_day = client.get("/produk/")

        freeze(monkeypatch, datetime.datetime(2026, 12, 1, 0, 0, tzinfo=JAKARTA))
        next_day = client.get("/produk/")

        assert badges(last_day.text, "Emping Melinjo") == ["Halal"]
        assert badges(next_day.text, "Emping Melinjo") == []
