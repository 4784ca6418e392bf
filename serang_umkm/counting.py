"""Counting what the site and the gerai do for each product, privacy-first (issue #16).

What is counted, per day: public product, business and outlet page views (a page
served from the page cache too), taps on "Pesan lewat WhatsApp" (the button goes
through /wa/<product>/), shelf-label scans (a label's QR code opens
/l/<outlet>/<product>/) and searches that found nothing, by their words. KINDS says
where each count is kept.

Nothing about a visitor is stored: no cookie, no IP address, no user agent. A count
is only made once per visitor, thing and COUNT_WINDOW_SECONDS: the visitor's address
is hashed with a key that changes every day into a "seen" key of the shared cache,
which expires after the window. Known bots, crawlers and link previews, prefetches,
HEAD requests, staff and an owner looking at their own business are not counted.

A view says what its page counts (count()); CountingMiddleware, outside the page
cache, counts it once the response is known, and the page cache keeps what a page
counts with the page, so a cached page counts as a rendered one does.

Counting never writes to the database in a request when the cache is Redis (as in
production), nor waits for Redis: each process keeps its counts for
COUNTS_PUSH_SECONDS and sends them together, one Lua script checking each "seen"
key and incrementing the day's hash fields (HINCRBY) in one round trip; the
flush_counts task (every
COUNTS_FLUSH_SECONDS) moves the day's hash aside (RENAME, atomic), adds its counts to
the tables and records the batch, so a flush that dies half-way is retried without
counting twice. When Redis cannot be reached, counts are lost (and logged once a
minute with how many), pages never fail. With another cache (local memory, in
development and tests), counts are added to the tables at once.
"""

import atexit
import dataclasses
import datetime
import functools
import hashlib
import hmac
import logging
import re
import threading
import time
import unicodedata
import uuid
from collections import OrderedDict

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connections, router, transaction
from django.dispatch import Signal
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from serang_umkm.cache import UNREACHABLE

logger = logging.getLogger(__name__)

# Sent by every flush_counts run (about once a minute) with `added`, the counts it
# added: the monthly summaries start from it (products/summaries.py).
counts_flushed = Signal()


@dataclasses.dataclass(frozen=True)
class Kind:
    """Where one kind of count is kept: a model, the fields naming what was counted
    (foreign keys by their column, or a text), and the counter field."""

    model: str
    keys: tuple
    counter: str

    @property
    def model_class(self):
        return apps.get_model(self.model)


# A count is a field "<kind>:<key>[:<key>]" of the day's counts (keys are ids, or
# the normalised words of a search).
KINDS = {
    "pv": Kind("products.ProductCount", ("product",), "views"),
    "wa": Kind("products.ProductCount", ("product",), "whatsapp_taps"),
    "bv": Kind("products.BusinessCount", ("business",), "views"),
    "ov": Kind("outlets.OutletCount", ("outlet",), "views"),
    "ls": Kind("outlets.LabelScan", ("outlet", "product"), "scans"),
    "sm": Kind("products.SearchMiss", ("term",), "searches"),
}

# Crawlers, link previews (WhatsApp, Telegram, Facebook…), uptime checks, scripts and
# headless browsers name themselves in their user agent (matched in lower case:
# a case-blind match of so many words costs a page served from the cache 15 %).
BOT_AGENTS = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|facebot|whatsapp/|"
    r"telegram|skype|embedly|vkshare|pinterest|mediapartners|adsbot|googleother|"
    r"inspectiontool|lighthouse|pagespeed|gtmetrix|pingdom|uptime|statuscake|"
    r"monitor|headless|phantomjs|curl|wget|python|httpx|aiohttp|go-http|okhttp|"
    r"java/|axios|node-fetch|libwww|scrapy|feedfetcher|archiver|ia_archiver|"
    r"semrush|ahrefs|yandex|baidu|bytespider|petalbot|applebot|duckduckgo|"
    r"gptbot|ccbot|claude|perplexity|wrk",
)

DAY_KEY = "counts:day:{day}"
BATCH_KEY = "counts:batch:{day}:{token}"
# The batches moved aside and not yet added to the tables.
BATCHES_KEY = "counts:batches"
# A visitor seen counting a field: a hash of both, so that the key holds neither.
SEEN_KEY = "counts:seen:{day}:{seen}"
# Set by each flush, for a few flush intervals: while it is missing, the flush
# task is not running, and the next count queues it (once: SCHEDULING_KEY).
HEARTBEAT_KEY = "counts:flushing"
SCHEDULING_KEY = "counts:scheduling"
# A day's counts are kept this long in the cache if no flush ever comes.
DAY_SECONDS = 8 * 24 * 60 * 60

# One round trip: KEYS are the flush's heartbeat, the day's hash, then a "seen" key
# per field; ARGV the window, how long the day's hash is kept, then the fields.
# Each field is counted unless this visitor was seen counting it within the
# window. Returns whether the flush task is alive (its heartbeat is set).
COUNT_SCRIPT = """
local counted = 0
for index = 3, #KEYS do
  if redis.call('SET', KEYS[index], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('HINCRBY', KEYS[2], ARGV[index], 1)
    counted = counted + 1
  end
end
if counted > 0 then
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
return redis.call('EXISTS', KEYS[1])
"""
# A flush moves a day's counts aside: KEYS are the day's hash, the batch's name and
# BATCHES_KEY, where the batch is listed in the same step.
MOVE_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[2])
  redis.call('SADD', KEYS[3], KEYS[2])
  return 1
end
return 0
"""


def count(request, kind, *keys, owner_id=None):
    """Say, in a view, that its page (or redirect) counts one `kind` (KINDS) of the
    keys: counted by CountingMiddleware once it answers, unless the visitor is
    staff or the owner (owner_id: the user owning what is counted)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if user.is_staff or (owner_id is not None and user.pk == owner_id):
            return
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of count: {kind!r}")
    fields = request.__dict__.setdefault("counted", [])
    fields.append(":".join([kind, *map(str, keys)]))


def counted_fields(request, response):
    """What the response counts: set by its view (count()) or, for a page served
    from the page cache, kept with the page."""
    return getattr(response, "counted", None) or getattr(request, "counted", ())


def is_countable(request):
    """A person's request: a GET (not HEAD, not a prefetch or prerender) from a
    browser that does not name itself a bot."""
    if request.method != "GET":
        return False
    meta = request.META  # not request.headers: building it costs a cached page 1 %
    if "prefetch" in meta.get("HTTP_SEC_PURPOSE", "") + meta.get("HTTP_PURPOSE", ""):
        return False
    return is_browser(meta.get("HTTP_USER_AGENT", ""))


@functools.lru_cache(maxsize=2048)
def is_browser(agent):
    """Whether the user agent is a browser's, not a bot's (the same few agents come
    again and again: each is matched once)."""
    return bool(agent) and not BOT_AGENTS.search(agent.lower())


class CountingMiddleware:
    """Counts what a page or redirect says it counts (count()), for people only:
    outside the page cache, so a page served from it counts too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not settings.COUNTS_ENABLED:
            return response
        fields = counted_fields(request, response)
        if fields and response.status_code < 400 and is_countable(request):
            from accounts.views import client_ip

            record(fields, client_ip(request) or "")
        return response


def visitor_digest(address, day):
    """The visitor's address, hashed with a key of the day: it tells one visitor from
    another for a window, cannot be turned back into the address, and cannot be
    followed from one day to the next."""
    return hmac.new(day_key(day), address.encode(), hashlib.sha256).hexdigest()[:24]


@functools.lru_cache(maxsize=4)
def day_key(day):
    return hashlib.sha256(f"{settings.SECRET_KEY}:counts:{day}".encode()).digest()


def record(fields, address, on_date=None):
    """Count each field once for this visitor (address) within the window. The
    address is only hashed (seen_key), later, by the store: in a request this
    costs a few microseconds; a visitor this process saw counting the same field
    within the window (a reload) costs the store nothing."""
    day = on_date or today()
    fresh = [field for field in fields if not recently_seen.seen(day, field, address)]
    if fresh:
        store().add(day, [(field, address) for field in fresh])


class RecentlySeen:
    """What this process counted lately: (day, field, visitor) as Python's hash
    (salted per process: it names no one outside it) and when. At most SIZE, the
    oldest forgotten first; the shared cache's "seen" keys are the rule, this only
    spares them a visitor's reloads."""

    SIZE = 20_000

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = OrderedDict()

    def seen(self, day, field, address):
        """Whether it was counted within the window; remembers it now if not."""
        key = hash((day, field, address))
        now = time.monotonic()
        window = settings.COUNT_WINDOW_SECONDS
        with self.lock:
            counted_at = self.entries.get(key)
            if counted_at is not None and now - counted_at < window:
                return True
            self.entries[key] = now
            self.entries.move_to_end(key)
            while len(self.entries) > self.SIZE:
                self.entries.popitem(last=False)
        return False

    def forget(self):
        with self.lock:
            self.entries.clear()


recently_seen = RecentlySeen()


def seen_key(day, field, address):
    """The "seen" key of a visitor counting a field on a day: a hash of both, so
    that the key holds neither."""
    visitor = visitor_digest(address, day)
    digest = hashlib.blake2b(f"{field}\n{visitor}".encode(), digest_size=12)
    return SEEN_KEY.format(day=day, seen=digest.hexdigest())


class Today:
    """The local date, worked out again only once it may have changed (the next
    local midnight): timezone.localdate() costs a counted page as much as the rest
    of counting."""

    day = None
    until = 0.0

    @classmethod
    def get(cls):
        now = time.time()
        if now >= cls.until:
            local = timezone.localtime()
            following = (local + datetime.timedelta(days=1)).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            cls.day, cls.until = local.date(), min(following.timestamp(), now + 3600)
        return cls.day


def today():
    return Today.get()


def store():
    """Where counts go: the day's hash in Redis, or the tables directly."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return RedisCounts(backend)
    return DatabaseCounts(backend)


class LostCounts:
    """Counts lost while the cache could not be reached, logged once a minute."""

    every_seconds = 60.0

    def __init__(self):
        self.lock = threading.Lock()
        self.lost = 0
        self.logged_at = 0.0

    def add(self, lost, error):
        with self.lock:
            self.lost += lost
            now = time.monotonic()
            if now - self.logged_at < self.every_seconds:
                return
            lost, self.lost, self.logged_at = self.lost, 0, now
        logger.warning(
            "%d counts lost: the cache could not be reached (%s).", lost, error
        )


lost_counts = LostCounts()


class PendingCounts:
    """The counts this process made and has not sent to Redis yet. They go together,
    in one round trip, COUNTS_PUSH_SECONDS after the first of them (from a timer
    thread, so that no request waits for it), or at once when MAX_PENDING pile up:
    a counted page costs no round trip of its own. A process that is killed loses
    at most those seconds' counts."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []  # (day, field, seen key)
        self.timer = None

    def add(self, day, fields, push):
        """Keep the counts; push() (sending them) is called when they are due."""
        delay = settings.COUNTS_PUSH_SECONDS
        with self.lock:
            self.items += [(day, field, address) for field, address in fields]
            now = delay <= 0 or len(self.items) >= MAX_PENDING
            if not now and self.timer is None:
                self.timer = threading.Timer(delay, push)
                self.timer.daemon = True
                self.timer.start()
        if now:
            push()

    def take(self):
        with self.lock:
            items, self.items = self.items, []
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
        return items


pending = PendingCounts()
# Counts sent at once, whatever COUNTS_PUSH_SECONDS, when this many are waiting.
MAX_PENDING = 1000


class RedisCounts:
    """The day's counts as a Redis hash; each process sends its counts in batches
    (PendingCounts), each batch in one round trip."""

    # COUNT_SCRIPT and MOVE_SCRIPT, made once (their SHA1 too), run with any client.
    script = None
    move_script = None

    def __init__(self, backend):
        self.backend = backend
        self.client = backend._cache

    def redis(self):
        return self.client.get_client(None, write=True)

    def key(self, name):
        return self.backend.make_key(name)

    def add(self, day, fields):
        pending.add(day, fields, self.push)

    def push(self):
        """Send the counts waiting in this process (PendingCounts) to Redis."""
        items = pending.take()
        if not items:
            return
        outage = getattr(self.client, "outage", None)
        if outage is not None and not outage.should_try():
            lost_counts.add(len(items), "still unreachable")
            return
        by_day = {}
        for day, field, address in items:
            by_day.setdefault(day, []).append((field, seen_key(day, field, address)))
        flushing = True
        try:
            server = self.redis()
            if RedisCounts.script is None:
                RedisCounts.script = server.register_script(COUNT_SCRIPT)
            for day, fields in by_day.items():
                flushing = RedisCounts.script(
                    client=server,
                    keys=[self.key(HEARTBEAT_KEY), self.key(DAY_KEY.format(day=day))]
                    + [self.key(seen) for _field, seen in fields],
                    args=[settings.COUNT_WINDOW_SECONDS, DAY_SECONDS]
                    + [field for field, _seen in fields],
                )
        except UNREACHABLE as error:
            if outage is not None:
                outage.failed(self.client._servers, error)
            lost_counts.add(len(items), f"{type(error).__name__}: {error}")
            return
        if not flushing and self.backend.add(
            SCHEDULING_KEY, 1, settings.COUNTS_FLUSH_SECONDS
        ):
            schedule_flush(delay=0)

    def flush(self):
        """Move each day's counts aside (atomically, with MOVE_SCRIPT) and add
        them to the tables; a batch left by a flush that died is added now (once:
        batches are recorded). Returns how many counts were added. The batches
        are listed in BATCHES_KEY: a SCAN would walk every key of the cache (the
        window's "seen" keys, the pages), thousands of round trips."""
        server = self.redis()
        server.set(
            self.key(HEARTBEAT_KEY), 1, ex=3 * settings.COUNTS_FLUSH_SECONDS + 60
        )
        if RedisCounts.move_script is None:
            RedisCounts.move_script = server.register_script(MOVE_SCRIPT)
        batches_key = self.key(BATCHES_KEY)
        last = today()
        for days_ago in range(DAY_SECONDS // 86400 + 2):
            day = last - datetime.timedelta(days=days_ago)
            RedisCounts.move_script(
                client=server,
                keys=[
                    self.key(DAY_KEY.format(day=day)),
                    self.key(BATCH_KEY.format(day=day, token=uuid.uuid4().hex)),
                    batches_key,
                ],
            )
        prefix = self.key("")
        added = 0
        for batch in sorted(key.decode() for key in server.smembers(batches_key)):
            counts = {
                field.decode(): int(value)
                for field, value in server.hgetall(batch).items()
            }
            day = datetime.date.fromisoformat(batch[len(prefix) :].split(":")[2])
            added += add_batch(batch[len(prefix) :], day, counts)
            server.pipeline().delete(batch).srem(batches_key, batch).execute()
        return added


class DatabaseCounts:
    """Counts added to the tables at once (a cache other than Redis: development,
    tests, a single host). The window's "seen" keys are in that cache."""

    def __init__(self, backend):
        self.backend = backend

    def add(self, day, fields):
        counts = {}
        for field, address in fields:
            seen = seen_key(day, field, address)
            if self.backend.add(seen, 1, settings.COUNT_WINDOW_SECONDS):
                counts[field] = counts.get(field, 0) + 1
        if counts:
            try:
                add_counts(day, counts)
            except DatabaseError as error:
                lost_counts.add(sum(counts.values()), error)

    def flush(self):
        return 0


def add_batch(name, day, counts):
    """Add a flushed batch of the day's counts to the tables, once: the batch is
    recorded in the same transaction. Returns how many counts were added."""
    batch_model = apps.get_model("products", "CountBatch")
    with transaction.atomic():
        _batch, created = batch_model.objects.get_or_create(name=name)
        if not created:
            return 0
        return add_counts(day, counts)


def add_counts(day, counts):
    """Add counts ({field: n}) of the day to the tables, one statement per table
    and counter (INSERT … ON CONFLICT DO UPDATE: PostgreSQL and SQLite). Counts of
    rows deleted meanwhile, or of unknown kinds, are dropped."""
    grouped = {}
    for field, value in counts.items():
        kind, _sep, rest = field.partition(":")
        if kind in KINDS and value > 0:
            keys = rest.split(":", len(KINDS[kind].keys) - 1)
            if len(keys) == len(KINDS[kind].keys):
                grouped.setdefault(kind, []).append((keys, value))
    added = 0
    for kind, rows in grouped.items():
        added += upsert(KINDS[kind], day, existing_rows(KINDS[kind], rows))
    return added


def existing_rows(kind, rows):
    """The rows whose foreign keys still exist (ids as ints), their counts summed."""
    model = kind.model_class
    summed = {}
    for keys, value in rows:
        converted = []
        for name, key in zip(kind.keys, keys, strict=True):
            field = model._meta.get_field(name)
            if field.is_relation:
                if not key.isdigit():
                    break
                converted.append(int(key))
            else:
                converted.append(key[: field.max_length])
        else:
            summed[tuple(converted)] = summed.get(tuple(converted), 0) + value
    for index, name in enumerate(kind.keys):
        field = model._meta.get_field(name)
        if field.is_relation:
            ids = {keys[index] for keys in summed}
            found = set(
                field.related_model._base_manager.filter(pk__in=ids).values_list(
                    "pk", flat=True
                )
            )
            summed = {keys: n for keys, n in summed.items() if keys[index] in found}
    return summed


def upsert(kind, day, rows, chunk=500):
    """INSERT the day's rows with their count, or add it to the row already there."""
    if not rows:
        return 0
    model = kind.model_class
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    key_columns = [meta.get_field(name).column for name in kind.keys]
    day_column = meta.get_field("day").column
    counter = meta.get_field(kind.counter).column
    # The model's other counters start at their database default (0).
    columns = [*key_columns, day_column, counter]
    table = quote(meta.db_table)
    items = list(rows.items())
    for start in range(0, len(items), chunk):
        part = items[start : start + chunk]
        values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(part))
        params = []
        for keys, value in part:
            params += [*keys, day, value]
        sql = (
            f"INSERT INTO {table} ({', '.join(map(quote, columns))}) VALUES {values} "
            f"ON CONFLICT ({', '.join(map(quote, [*key_columns, day_column]))}) "
            f"DO UPDATE SET {quote(counter)} = {table}.{quote(counter)} + "
            f"EXCLUDED.{quote(counter)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    return sum(rows.values())


def normalised_search(text):
    """A search's words as counted: lower case, letters, digits and single spaces,
    at most 60 characters; None for what could be personal (an e-mail address, a
    phone or ID number: five digits or more) or is too short to mean anything."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    if "@" in text or re.search(r"\d[\d\s.\-]{3,}\d", text):
        return None
    words = re.sub(r"[^\w\s]|_", " ", text).split()
    term = " ".join(words)[:60].strip()
    return term if len(term) >= 2 else None


def push_pending():
    """Send this process's waiting counts now (at exit: a worker being replaced)."""
    counts = store()
    if isinstance(counts, RedisCounts):
        counts.push()


@atexit.register
def _push_at_exit():
    try:
        push_pending()
    except Exception:  # noqa: BLE001 - the process is ending; the counts are lost
        logger.warning("Counts not sent at exit", exc_info=True)


@task()
def flush_counts():
    """Every COUNTS_FLUSH_SECONDS: add the counts waiting in the cache to the
    tables. The next run is queued first, so that a run that dies still has a
    successor. Batches recorded over a week ago are forgotten, and so are this
    task's results of over a day ago (1,440 a day)."""
    from django_tasks_db.models import DBTaskResult

    schedule_flush()
    added = store().flush()
    # A failing receiver is logged; the counts are added whatever it does.
    for receiver, error in counts_flushed.send_robust(sender=flush_counts, added=added):
        if isinstance(error, Exception):
            logger.error(
                "After the flush, %r failed",
                receiver,
                exc_info=(type(error), error, error.__traceback__),
            )
    now = timezone.now()
    apps.get_model("products", "CountBatch").objects.filter(
        flushed_at__lt=now - datetime.timedelta(days=7)
    ).delete()
    DBTaskResult.objects.filter(
        task_path=flush_counts.module_path,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=now - datetime.timedelta(days=1),
    ).delete()
    return {"added": added}


def schedule_flush(delay=None):
    """Queue flush_counts to run in delay seconds (COUNTS_FLUSH_SECONDS by default)
    unless a run is already queued; only with the database task queue (a
    successor run straight away, with the immediate backend, would never end).
    A database that cannot be reached leaves it to the next count."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    task_backend = flush_counts.get_backend()
    if not isinstance(task_backend, DatabaseBackend):
        return None
    delay = settings.COUNTS_FLUSH_SECONDS if delay is None else delay
    try:
        queued = DBTaskResult.objects.filter(
            task_path=flush_counts.module_path, status=TaskResultStatus.READY
        )
        if queued.exists():
            return None
        return flush_counts.using(
            run_after=timezone.now() + datetime.timedelta(seconds=delay)
        ).enqueue()
    except DatabaseError as error:
        logger.warning("The count flush could not be queued: %s", error)
        return None
