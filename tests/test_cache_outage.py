"""When Redis stops, hangs or comes back, residents still get their pages.

Each test runs a Redis server of its own (Debian's redis-server) on a free loopback
port, and stops, pauses (CLIENT PAUSE: the server is up but answers nothing) or
restarts it between requests. Transactional, as in tests/test_page_cache.py: pages go
stale once a change commits.
"""

import logging
import shutil
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from products.decisions import withdraw_product
from serang_umkm import cache as fail_soft
from serang_umkm.page_cache import GENERATION_KEY
from tests.factories import make_display, make_product, make_user
from tests.redis_server import use_fail_soft_redis

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(
        shutil.which("redis-server") is None, reason="Debian's redis-server is needed"
    ),
]


@pytest.fixture(autouse=True)
def fail_soft_cache(settings, redis_server, monkeypatch):
    """The page cache on, in the fail-soft Redis cache of production."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    use_fail_soft_redis(settings, monkeypatch, redis_server)


def cache_errors(caplog):
    return [
        record
        for record in caplog.records
        if record.name == "serang_umkm.cache" and record.levelno >= logging.ERROR
    ]


def test_pages_render_while_redis_is_stopped_and_caching_resumes(
    client, cipare, redis_server, caplog
):
    """Redis stopped: every public page answers 200 with its content, the outage is
    logged once (not once per request); once Redis is back, pages are cached again."""
    make_display(make_product(name="Emping Melinjo"), cipare)
    client.get("/produk/")
    assert client.get("/produk/")["X-Page-Cache"] == "hit"

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="serang_umkm.cache"):
        pages = [
            client.get(path)
            for path in [
                "/",
                "/produk/",
                "/produk/?q=emping",
                cipare.get_absolute_url(),
            ]
            * 3
        ]

    assert [page.status_code for page in pages] == [200] * 12
    assert all("Emping Melinjo" in page.content.decode() for page in pages[1:4])
    assert all(page.get("X-Page-Cache") != "hit" for page in pages)
    assert len(cache_errors(caplog)) == 1
    assert "unreachable" in cache_errors(caplog)[0].getMessage()

    redis_server.start()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="serang_umkm.cache"):
        again = client.get("/produk/")
    assert again["X-Page-Cache"] == "miss"
    assert client.get("/produk/")["X-Page-Cache"] == "hit"
    assert any("answers again" in record.getMessage() for record in caplog.records)


def test_a_hung_redis_costs_a_short_timeout_not_the_page(
    client, cipare, redis_server, monkeypatch
):
    """Redis accepts connections but answers nothing (paused for 5 s): the page is
    rendered without it, long before Redis would have answered. As in production,
    the cache is left alone for a second after a timeout, so the page's other cache
    reads (its cards, its count, its filter form) cost nothing more."""
    monkeypatch.setattr(fail_soft, "RETRY_SECONDS", 1.0)
    make_display(make_product(name="Emping Melinjo"), cipare)
    client.get("/produk/")
    redis_server.pause(5000)

    started = time.monotonic()
    page = client.get("/produk/")
    waited = time.monotonic() - started

    assert page.status_code == 200
    assert "Emping Melinjo" in page.content.decode()
    assert page.get("X-Page-Cache") != "hit"
    assert waited < 1.5, f"the page waited {waited:.1f} s for a hung cache"


def test_a_change_made_while_redis_hangs_shows_once_it_answers(
    client, cipare, redis_server
):
    """The invalidation of a change committed while the cache could not be reached
    is lost with it; the page cached before must not come back afterwards. (Paused,
    not restarted, so Redis keeps the old page.)"""
    product = make_display(make_product(name="Emping Melinjo"), cipare).product
    client.get("/produk/")
    assert client.get("/produk/")["X-Page-Cache"] == "hit"
    generation_before = cache.get(GENERATION_KEY)

    redis_server.pause(1500)
    withdraw_product(product, by=product.business.owner)  # its invalidation fails
    time.sleep(1.6)

    page = client.get("/produk/")
    assert page["X-Page-Cache"] == "miss"
    assert "Emping Melinjo" not in page.content.decode()
    assert cache.get(GENERATION_KEY) != generation_before


def test_a_failed_cache_write_does_not_fail_the_change(client, cipare, redis_server):
    """An owner's change commits even when the cache is down as it commits (the
    invalidation runs after the commit)."""
    product = make_display(make_product(name="Emping Melinjo"), cipare).product
    redis_server.stop()

    withdraw_product(product, by=product.business.owner)

    product.refresh_from_db()
    assert product.status == product.Status.WITHDRAWN
    assert "Emping Melinjo" not in client.get("/produk/").content.decode()


def test_signing_in_and_lockouts_do_not_need_the_cache(client, redis_server):
    """Sessions and sign-in lockouts live in the database: with Redis stopped an
    owner signs in and stays signed in, and five wrong passwords still lock the
    address."""
    owner = make_user(email="siti@example.com", password="kopi-susu-gula-aren")
    redis_server.stop()

    signed_in = client.post(
        reverse("accounts:login"),
        {"username": "siti@example.com", "password": "kopi-susu-gula-aren"},
    )
    dashboard = client.get(reverse("outlets:dashboard"))

    assert signed_in.status_code == 302
    assert dashboard.status_code == 200
    assert dashboard.context["user"] == owner

    client.post(reverse("accounts:logout"))
    for _ in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": "siti@example.com", "password": "salah"},
        )
    locked = client.post(
        reverse("accounts:login"),
        {"username": "siti@example.com", "password": "kopi-susu-gula-aren"},
    )
    assert locked.status_code == 429


def test_while_redis_is_down_a_page_costs_what_it_costs_with_the_cache_off(
    client, cipare, redis_server, settings, monkeypatch
):
    """Between two tries of a failed Redis, the page cache is left out: a page runs
    the same SQL as with the page cache turned off (not the extra reads of the
    cache's own state)."""
    monkeypatch.setattr(fail_soft, "RETRY_SECONDS", 60)
    make_display(make_product(name="Emping Melinjo"), cipare)
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as cache_off:
        client.get("/produk/")
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    redis_server.stop()
    client.get("/produk/")  # finds Redis down

    with CaptureQueriesContext(connection) as redis_down:
        page = client.get("/produk/")

    assert page.status_code == 200
    assert "Emping Melinjo" in page.content.decode()
    assert len(redis_down) == len(cache_off)
