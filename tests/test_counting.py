"""Counting what the site and the gerai do for each product (serang_umkm/counting.py).

Residents' views, WhatsApp taps, shelf-label scans and searches that found nothing
are counted per day; bots, prefetches, staff and owners on their own pages are not;
nothing about a visitor is kept. Most tests count with the suite's local-memory
cache (counts go to the tables at once); those under "Redis" count as production
does, into a real redis-server, flushed by the flush_counts task.
"""

import datetime
import logging
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outlets.models import LabelScan, OutletCount
from products.decisions import withdraw_product
from products.models import BusinessCount, CountBatch, ProductCount, SearchMiss
from serang_umkm import counting
from tests.factories import make_business, make_display, make_product, make_user
from tests.redis_server import use_fail_soft_redis
from tests.task_helpers import run_queued_tasks

pytestmark = pytest.mark.django_db

# What a resident's phone sends.
PHONE = (
    "Mozilla/5.0 (Linux; Android 10; SM-A105F) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"
)


def visit(client, path, address="203.0.113.7", agent=PHONE, data=None, **headers):
    return client.get(path, data, REMOTE_ADDR=address, HTTP_USER_AGENT=agent, **headers)


def views_of(product):
    row = ProductCount.objects.filter(product=product).first()
    return row.views if row else 0


def taps_of(product):
    row = ProductCount.objects.filter(product=product).first()
    return row.whatsapp_taps if row else 0


# -- What is counted ---------------------------------------------------------------


def test_a_product_page_view_counts_once_per_visitor_and_window(client):
    """Three residents open a product's page; one of them reloads it twice: three
    views today, not five."""
    product = make_product(name="Dodol Durian")

    for address in ("203.0.113.7", "203.0.113.7", "203.0.113.8", "198.51.100.4"):
        assert visit(client, product.get_absolute_url(), address).status_code == 200
    visit(client, product.get_absolute_url(), "203.0.113.7")

    row = ProductCount.objects.get(product=product)
    assert (row.day, row.views, row.whatsapp_taps) == (timezone.localdate(), 3, 0)


def test_the_same_visitor_counts_again_after_the_window(client, settings):
    product = make_product()
    visit(client, product.get_absolute_url())
    # The window passed: the "seen" keys expired, the process's memo forgot.
    cache.clear()
    counting.recently_seen.forget()

    visit(client, product.get_absolute_url())

    assert views_of(product) == 2


def test_a_page_served_from_the_page_cache_still_counts(client, settings):
    """The second and third residents get the page from the cache (the view does
    not run): each still counts."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    product = make_product()

    first = visit(client, product.get_absolute_url(), "203.0.113.7")
    second = visit(client, product.get_absolute_url(), "203.0.113.8")
    third = visit(client, product.get_absolute_url(), "203.0.113.9")

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == third["X-Page-Cache"] == "hit"
    assert views_of(product) == 3


def test_counting_does_not_make_cached_pages_stale(client, settings):
    """A count is no change to the catalogue: the page stays served from the cache."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    product = make_product()
    visit(client, product.get_absolute_url(), "203.0.113.7")

    for address in ("203.0.113.8", "203.0.113.9"):
        response = visit(client, product.get_absolute_url(), address)
        assert response["X-Page-Cache"] == "hit"


def test_business_and_outlet_pages_count_their_views(client, cipare):
    business = make_business(name="Dodol Ibu Siti")

    visit(client, business.get_absolute_url())
    visit(client, cipare.get_absolute_url())
    visit(client, cipare.get_absolute_url(), "203.0.113.99")

    assert BusinessCount.objects.get(business=business).views == 1
    assert OutletCount.objects.get(outlet=cipare).views == 2


def test_a_missing_page_counts_nothing(client):
    product = make_product(status="draft")

    assert visit(client, product.get_absolute_url()).status_code == 404
    assert not ProductCount.objects.exists()


# -- WhatsApp taps ------------------------------------------------------------------


def test_the_whatsapp_button_counts_a_tap_then_opens_the_chat(client):
    """The button is a plain link to /wa/<pk>/ (it works without JavaScript and
    when copied): a tap is counted and the resident lands in wa.me with the
    message naming the product."""
    business = make_business(name="Dodol Ibu Siti", whatsapp="6281298765432")
    product = make_product(name="Dodol Ketan Hitam", business=business)
    page = visit(client, product.get_absolute_url()).text
    button = f'href="/wa/{product.pk}/"'
    assert button in page

    response = visit(client, f"/wa/{product.pk}/")

    link = urlsplit(response["Location"])
    assert response.status_code == 302
    assert (link.netloc, link.path) == ("wa.me", "/6281298765432")
    assert "Dodol Ketan Hitam" in parse_qs(link.query)["text"][0]
    assert "no-store" in response["Cache-Control"]
    assert taps_of(product) == 1
    assert views_of(product) == 1


def test_a_tap_on_a_product_no_longer_public_counts_nothing(client):
    product = make_product()
    withdraw_product(product, by=product.business.owner)

    assert visit(client, f"/wa/{product.pk}/").status_code == 404
    assert visit(client, "/wa/999999/").status_code == 404
    assert not ProductCount.objects.exists()


def test_a_business_without_whatsapp_leads_to_the_page_and_counts_no_tap(client):
    product = make_product(business=make_business(whatsapp=""))

    response = visit(client, f"/wa/{product.pk}/")

    assert response.status_code == 302
    assert response["Location"] == product.get_absolute_url()
    assert taps_of(product) == 0


# -- Shelf-label scans --------------------------------------------------------------


def test_a_label_scan_counts_with_its_outlet_and_opens_the_product(
    client, cipare, kasemen
):
    product = make_product(name="Emping Melinjo")
    make_display(product, cipare)
    make_display(product, kasemen)

    at_cipare = visit(client, f"/l/{cipare.pk}/{product.pk}/", "203.0.113.7")
    visit(client, f"/l/{cipare.pk}/{product.pk}/", "203.0.113.8")
    visit(client, f"/l/{kasemen.pk}/{product.pk}/", "203.0.113.7")

    assert at_cipare.status_code == 302
    assert at_cipare["Location"] == product.get_absolute_url()
    scans = dict(
        LabelScan.objects.filter(product=product).values_list("outlet__slug", "scans")
    )
    assert scans == {cipare.slug: 2, kasemen.slug: 1}


def test_an_old_label_of_a_withdrawn_product_leads_to_the_outlet(client, cipare):
    product = make_product()
    withdraw_product(product, by=product.business.owner)

    response = visit(client, f"/l/{cipare.pk}/{product.pk}/")

    assert response.status_code == 302
    assert response["Location"] == cipare.get_absolute_url()
    assert not LabelScan.objects.exists()


@pytest.mark.parametrize("path", ["/l/999/1/", "/l/abc/1/", "/l/1/", "/l/1/x/"])
def test_a_label_address_that_names_no_outlet_is_a_404(client, path):
    assert visit(client, path).status_code == 404
    assert not LabelScan.objects.exists()


# -- Searches that find nothing -----------------------------------------------------


def test_a_search_that_finds_nothing_is_counted_by_its_words(client):
    make_product(name="Dodol Durian")

    visit(client, "/produk/", data={"q": "  Kopi   LUWAK!! "})
    visit(client, "/produk/", "203.0.113.8", data={"q": "kopi luwak"})
    visit(client, "/produk/", data={"q": "dodol"})  # found something

    rows = list(SearchMiss.objects.values_list("term", "searches"))
    assert rows == [("kopi luwak", 2)]


def test_a_search_narrowed_by_another_filter_is_not_a_missing_product(client):
    """Nothing in this category: not evidence that nobody offers it."""
    make_product(name="Kopi Robusta")

    visit(client, "/produk/", data={"q": "kopi", "kategori": "kerajinan"})

    assert not SearchMiss.objects.exists()


@pytest.mark.parametrize(
    "typed",
    [
        "0812 3456 7890",
        "+62-812-3456-7890",
        "3604012345678901",
        "siti@example.com",
        "a",
        "   ",
    ],
)
def test_searches_that_could_be_personal_are_never_kept(client, typed):
    visit(client, "/produk/", data={"q": typed})

    assert not SearchMiss.objects.exists()


def test_a_long_search_is_kept_to_sixty_characters():
    assert len(counting.normalised_search("batik " * 30)) <= 60
    assert counting.normalised_search("Kue_Jojorong/Banten") == "kue jojorong banten"


# -- Who is not counted --------------------------------------------------------------


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "WhatsApp/2.23.20.0 A",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "TelegramBot (like TwitterBot)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) HeadlessChrome/120.0 Safari/537.36",
        "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "",
    ],
)
def test_bots_link_previews_and_scripts_are_not_counted(client, agent):
    product = make_product()

    visit(client, product.get_absolute_url(), agent=agent)
    visit(client, f"/wa/{product.pk}/", agent=agent)

    assert not ProductCount.objects.exists()


def test_prefetches_and_head_requests_are_not_counted(client):
    product = make_product()

    visit(client, product.get_absolute_url(), HTTP_SEC_PURPOSE="prefetch;prerender")
    visit(client, product.get_absolute_url(), HTTP_PURPOSE="prefetch")
    client.head(product.get_absolute_url(), HTTP_USER_AGENT=PHONE)

    assert not ProductCount.objects.exists()


def test_staff_and_the_owner_on_their_own_product_are_not_counted(client):
    owner = make_user()
    product = make_product(business=make_business(owner=owner))
    staff = make_user(is_staff=True)

    for user in (staff, owner):
        client.force_login(user)
        visit(client, product.get_absolute_url())
        visit(client, f"/wa/{product.pk}/")
        visit(client, product.business.get_absolute_url())
    client.force_login(make_user())  # another owner, browsing: a resident too
    visit(client, product.get_absolute_url())

    assert (views_of(product), taps_of(product)) == (1, 0)
    assert not BusinessCount.objects.exists()


def test_counting_can_be_switched_off(client, settings):
    settings.COUNTS_ENABLED = False
    product = make_product()

    assert visit(client, product.get_absolute_url()).status_code == 200
    assert not ProductCount.objects.exists()


# -- Nothing personal ---------------------------------------------------------------


COUNT_MODELS = [ProductCount, BusinessCount, SearchMiss, OutletCount, LabelScan]


@pytest.mark.parametrize("model", COUNT_MODELS)
def test_the_count_tables_have_no_column_for_a_person(model):
    columns = {field.name for field in model._meta.concrete_fields}
    assert columns <= {
        "id",
        "day",
        "product",
        "business",
        "outlet",
        "term",
        "views",
        "whatsapp_taps",
        "scans",
        "searches",
    }


def test_no_address_or_user_agent_is_kept_anywhere(client, cipare):
    """After a resident's visits, neither the tables nor the cache hold their
    address or their phone's user agent: only counts, and hashed "seen" keys."""
    product = make_product()
    make_display(product, cipare)
    address = "203.0.113.77"

    visit(client, product.get_absolute_url(), address)
    visit(client, f"/wa/{product.pk}/", address)
    visit(client, f"/l/{cipare.pk}/{product.pk}/", address)
    visit(client, "/produk/", address, data={"q": "rendang jengkol"})

    stored = repr([list(model.objects.values()) for model in COUNT_MODELS]) + repr(
        list(cache._cache.keys())
    )
    assert ProductCount.objects.get(product=product).whatsapp_taps == 1
    assert address not in stored
    assert "SM-A105F" not in stored
    assert "counts:seen:" in stored


def test_the_visitor_code_changes_every_day():
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)

    assert counting.visitor_digest("203.0.113.7", today) != counting.visitor_digest(
        "203.0.113.7", tomorrow
    )
    # A fixed-length code of hex digits, not the address in any form.
    assert re.fullmatch(r"[0-9a-f]{24}", counting.visitor_digest("203.0.113.7", today))


def test_the_privacy_page_says_what_is_counted_and_is_in_the_footer(client):
    home = client.get("/").text
    page = client.get(reverse("outlets:privacy"))

    assert 'href="/privasi/"' in home
    assert page.status_code == 200
    assert "Tidak ada alamat IP" in page.text
    assert "30 menit" in page.text


# -- The flush adds counts to the tables ----------------------------------------------


def test_counts_of_a_product_deleted_meanwhile_are_dropped(db):
    kept = make_product()
    day = timezone.localdate()

    added = counting.add_counts(
        day, {f"pv:{kept.pk}": 3, "pv:999999": 5, "ls:999:1": 2, "xx:1": 1, "pv:x": 1}
    )

    assert added == 3
    assert list(ProductCount.objects.values_list("product", "views")) == [(kept.pk, 3)]


def test_counts_add_up_over_batches_and_counters(db):
    product = make_product()
    day = timezone.localdate()

    counting.add_counts(day, {f"pv:{product.pk}": 3})
    counting.add_counts(day, {f"pv:{product.pk}": 2, f"wa:{product.pk}": 1})
    counting.add_counts(day - datetime.timedelta(days=1), {f"pv:{product.pk}": 4})

    rows = ProductCount.objects.filter(product=product).order_by("day")
    assert [(r.views, r.whatsapp_taps) for r in rows] == [(4, 0), (5, 1)]


# -- Redis, as in production ------------------------------------------------------


@pytest.fixture
def redis_cache(settings, redis_server, monkeypatch):
    """The fail-soft Redis cache of production, each count sent at once (see
    test_a_process_sends_its_counts_together_later); the Redis client."""
    use_fail_soft_redis(settings, monkeypatch, redis_server)
    monkeypatch.setattr(counting.lost_counts, "logged_at", 0.0)
    settings.COUNTS_PUSH_SECONDS = 0
    yield redis.Redis(port=redis_server.port)
    counting.pending.take()


def waiting_counts(server):
    """The counts waiting in Redis: {field: n} of today's hash."""
    key = f":1:counts:day:{timezone.localdate()}"
    return {k.decode(): int(v) for k, v in server.hgetall(key).items()}


def test_with_redis_a_view_writes_nothing_to_the_database(client, redis_cache):
    """Counted in Redis (one script), added to the tables by the flush task."""
    product = make_product()
    visit(client, product.get_absolute_url(), "203.0.113.1")  # warm

    with CaptureQueriesContext(connection) as queries:
        visit(client, product.get_absolute_url(), "203.0.113.2")
        visit(client, product.get_absolute_url(), "203.0.113.2")

    writes = [q["sql"] for q in queries if not q["sql"].lstrip().startswith("SELECT")]
    assert writes == []
    assert waiting_counts(redis_cache) == {f"pv:{product.pk}": 2}
    assert not ProductCount.objects.exists()

    assert counting.flush_counts.call() == {"added": 2}

    assert views_of(product) == 2
    assert waiting_counts(redis_cache) == {}
    assert counting.flush_counts.call() == {"added": 0}
    assert views_of(product) == 2


def test_a_batch_left_by_a_flush_that_died_is_added_once(client, redis_cache):
    """A flush moved the day's counts aside and died before adding them: the next
    flush adds them. A batch it had added (and recorded) but not yet deleted is
    not added again."""
    product = make_product()
    day = timezone.localdate()
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        visit(client, product.get_absolute_url(), address)
    redis_cache.rename(f":1:counts:day:{day}", f":1:counts:batch:{day}:died")
    redis_cache.hset(f":1:counts:batch:{day}:added", f"pv:{product.pk}", 10)
    for name in ("died", "added"):
        redis_cache.sadd(":1:counts:batches", f":1:counts:batch:{day}:{name}")
    CountBatch.objects.create(name=f"counts:batch:{day}:added")
    visit(client, product.get_absolute_url(), "203.0.113.4")

    counting.flush_counts.call()

    assert views_of(product) == 4
    assert redis_cache.keys("*counts:batch*") == []


def test_while_redis_is_down_pages_answer_and_lost_counts_are_logged(
    client, redis_cache, redis_server, caplog
):
    product = make_product()
    redis_server.stop()

    with caplog.at_level(logging.WARNING, logger="serang_umkm.counting"):
        response = visit(client, product.get_absolute_url())
        visit(client, f"/wa/{product.pk}/")

    assert response.status_code == 200
    assert product.name in response.text
    # Logged once (then once a minute), not once per count.
    lost = [r.getMessage() for r in caplog.records if r.name == "serang_umkm.counting"]
    assert len(lost) == 1
    assert lost[0].startswith("1 counts lost: the cache could not be reached")
    assert not ProductCount.objects.exists()


def test_the_first_count_queues_the_flush_which_queues_its_successor(
    client, redis_cache, settings
):
    """With the database task queue, as in production: nothing queued, a count
    queues a flush (once, however many counts follow); each flush queues the next
    one COUNTS_FLUSH_SECONDS later before it works."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    product = make_product()
    flushes = DBTaskResult.objects.filter(task_path=counting.flush_counts.module_path)

    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        visit(client, product.get_absolute_url(), address)
    assert flushes.count() == 1

    run_queued_tasks()

    assert flushes.filter(status="SUCCESSFUL").count() == 1
    assert views_of(product) == 3
    successor = flushes.get(status="READY")
    assert successor.run_after > timezone.now() + datetime.timedelta(seconds=30)
    # The flush is alive (its heartbeat is set): counts queue nothing more.
    visit(client, product.get_absolute_url(), "203.0.113.4")
    assert flushes.count() == 2


def test_a_process_sends_its_counts_together_later(client, redis_cache, settings):
    """A counted page waits for no Redis round trip: the process keeps its counts
    and sends them together a moment later (or at once when many pile up)."""
    settings.COUNTS_PUSH_SECONDS = 0.3
    product = make_product()

    for number in range(4):
        visit(client, product.get_absolute_url(), f"203.0.113.{number}")
    waiting_now = waiting_counts(redis_cache)
    time.sleep(0.8)

    assert waiting_now == {}
    assert waiting_counts(redis_cache) == {f"pv:{product.pk}": 4}


def test_many_waiting_counts_are_sent_at_once(
    client, redis_cache, settings, monkeypatch
):
    settings.COUNTS_PUSH_SECONDS = 60
    monkeypatch.setattr(counting, "MAX_PENDING", 3)
    product = make_product()

    for number in range(4):
        visit(client, product.get_absolute_url(), f"203.0.113.{number}")

    assert waiting_counts(redis_cache) == {f"pv:{product.pk}": 3}
    counting.push_pending()
    assert waiting_counts(redis_cache) == {f"pv:{product.pk}": 4}


def test_a_reload_is_not_sent_to_the_shared_cache_again(client, redis_cache, settings):
    """The same visitor reloading a page: the process knows it counted it, and
    sends nothing more to Redis (whose "seen" key would absorb it anyway)."""
    settings.COUNTS_PUSH_SECONDS = 60
    product = make_product()

    for _ in range(5):
        visit(client, product.get_absolute_url(), "203.0.113.7")

    assert len(counting.pending.items) == 1
    counting.push_pending()
    assert waiting_counts(redis_cache) == {f"pv:{product.pk}": 1}
