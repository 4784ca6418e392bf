"""Anonymous visitors get cached pages that are never stale or someone else's."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_display, make_product, make_user

pytestmark = pytest.mark.django_db

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600


def freeze(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_second_anonymous_visit_is_served_from_the_cache(
    client, cipare, django_assert_num_queries
):
    """The second request for the same page runs no SQL at all."""
    make_display(make_product(name="Emping Melinjo"), cipare)
    first = client.get(cipare.get_absolute_url())

    with django_assert_num_queries(0):
        second = client.get(cipare.get_absolute_url())

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_a_change_to_a_product_shows_at_once(client, cipare):
    """Staff or an owner saving a product makes the cached pages stale."""
    product = make_display(make_product(name="Emping Melinjo"), cipare).product
    client.get(cipare.get_absolute_url())

    product.name = "Emping Melinjo Pedas"
    product.save()
    response = client.get(cipare.get_absolute_url())

    assert "Emping Melinjo Pedas" in response.text


def test_ending_a_display_removes_the_product_from_the_outlet_page(client, cipare):
    """A display ended by staff disappears from the cached outlet page."""
    display = make_display(make_product(name="Kopi Taktakan"), cipare)
    assert "Kopi Taktakan" in client.get(cipare.get_absolute_url()).text

    display.status = display.Status.ENDED
    display.save()

    assert "Kopi Taktakan" not in client.get(cipare.get_absolute_url()).text


def test_open_now_flips_on_time_even_when_cached(client, cipare, monkeypatch):
    """Cipare opens at 08.00 WIB: a page cached at 07.59 is not shown at 08.01."""
    freeze(monkeypatch, datetime.datetime(2026, 11, 30, 7, 59, tzinfo=JAKARTA))
    before = client.get(cipare.get_absolute_url()).text

    freeze(monkeypatch, datetime.datetime(2026, 11, 30, 8, 1, tzinfo=JAKARTA))
    after = client.get(cipare.get_absolute_url()).text

    assert "Tutup sekarang" in before
    assert "Buka sekarang" in after


def test_signed_in_pages_are_never_cached_or_shared(client, cipare):
    """A signed-in visitor neither receives nor leaves a cached page."""
    client.force_login(make_user(full_name="Siti Aminah"))

    response = client.get(reverse("home"))
    client.logout()
    anonymous = client.get(reverse("home"))

    assert "X-Page-Cache" not in response
    assert anonymous["X-Page-Cache"] == "miss"


def test_the_admin_is_never_cached(admin_client):
    """Administration pages bypass the page cache."""
    response = admin_client.get("/admin/")

    assert "X-Page-Cache" not in response


def test_the_health_probe_always_reaches_the_application(client):
    """/healthz answers from the application, never from the cache."""
    client.get("/healthz")

    response = client.get("/healthz")

    assert response.text == "ok"
    assert "X-Page-Cache" not in response


def test_compressed_and_plain_pages_are_kept_apart(client):
    """A client that does not accept gzip never receives a gzipped cached page."""
    client.get(reverse("home"), headers={"accept-encoding": "gzip"})

    plain = client.get(reverse("home"))

    assert plain.get("Content-Encoding") != "gzip"
    assert b"<!DOCTYPE html>" in plain.content
