"""A Redis cache that degrades instead of failing when Redis cannot be reached.

Everything this site keeps in the cache can be recomputed (rendered pages, the page
generation, the outlets' opening hours), and nothing that must persist lives there:
sessions and sign-in lockouts are in the database. So when Redis is down, stopped for
a restart or unreachable over the network, a read is a miss and a write is skipped,
and pages render uncached instead of answering 500.

While the cache is failing, each process tries it again at most once per
RETRY_SECONDS, so an unreachable server costs one short timeout per second rather
than one per request. The first failure is logged as an error, a continuing outage
once a minute, and the recovery as a warning naming how long it lasted; a
`cache_recovered` signal then lets the page cache move its generation on (an
invalidation may have been lost while the cache was down).

    CACHE_BACKEND=serang_umkm.cache.FailSoftRedisCache
    CACHE_LOCATION=redis://127.0.0.1:6379/1
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Sent with the cache's servers as `servers` when a cache that was failing answers
# again (once per outage and process).
cache_recovered = Signal()

# An unreachable server is tried again after this long (seconds)...
RETRY_SECONDS = 1.0
# ...and a continuing outage is logged this often.
LOG_EVERY_SECONDS = 60.0
# A connection or command that takes longer than this (seconds) counts as failed:
# a page cache that waits longer than rendering the page would is no use.
DEFAULT_SOCKET_TIMEOUT = 0.25

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class CacheUnavailable(ValueError):
    """Raised by incr() while the cache is unreachable. A ValueError, as for a
    missing key, so callers that recreate a missing counter carry on."""


class Outage:
    """How one process sees one cache server's health, shared by its threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_since = None
        self.retry_at = 0.0
        self.logged_at = 0.0
        self.skipped = 0

    def should_try(self):
        """Whether to send the next command (the cache is up, or it is time to
        try it again); counts the commands skipped while it is down."""
        if self.down_since is None:
            return True
        with self.lock:
            if time.monotonic() >= self.retry_at:
                self.retry_at = time.monotonic() + RETRY_SECONDS
                return True
            self.skipped += 1
            return False

    def skipping(self):
        """Whether commands are being skipped right now (the server failed less
        than RETRY_SECONDS ago)."""
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, servers, error):
        now = time.monotonic()
        with self.lock:
            self.retry_at = now + RETRY_SECONDS
            if self.down_since is None:
                self.down_since, self.logged_at, self.skipped = now, now, 0
                first = True
            elif now - self.logged_at >= LOG_EVERY_SECONDS:
                self.logged_at, first = now, False
            else:
                return
        if first:
            logger.error(
                "Cache %s unreachable (%s: %s): pages are served uncached until it "
                "answers again.",
                servers,
                type(error).__name__,
                error,
            )
        else:
            logger.error(
                "Cache %s still unreachable after %.0f s (%s).",
                servers,
                now - self.down_since,
                error,
            )

    def answered(self, servers):
        if self.down_since is None:
            return
        with self.lock:
            if self.down_since is None:
                return
            lasted, skipped = time.monotonic() - self.down_since, self.skipped
            self.down_since = None
        logger.warning(
            "Cache %s answers again after %.1f s; %d commands were skipped meanwhile.",
            servers,
            lasted,
            skipped,
        )
        cache_recovered.send(sender=FailSoftRedisCache, servers=servers)


# One Outage per server list and process: Django makes a cache object per thread.
_outages = {}
_outages_lock = threading.Lock()


def outage_for(servers):
    key = tuple(servers)
    with _outages_lock:
        return _outages.setdefault(key, Outage())


def fail_soft(fallback):
    """Wrap a RedisCacheClient method: when the server cannot be reached (or is
    being left alone after a failure), return fallback(*args) instead of raising."""

    def decorate(method):
        def guarded(self, *args):
            if not self.outage.should_try():
                return fallback(*args)
            try:
                if self.outage.down_since is not None:
                    # Probe first, so the recovery is announced (and the page
                    # generation moved on) before this command reads anything.
                    self.get_client(None, write=True).ping()
                    self.outage.answered(self._servers)
                return method(self, *args)
            except UNREACHABLE as error:
                self.outage.failed(self._servers, error)
                return fallback(*args)

        guarded.__name__ = method.__name__
        guarded.__doc__ = method.__doc__
        return guarded

    return decorate


def _unavailable(key, delta):
    raise CacheUnavailable(f"The cache is unreachable; {key!r} was not incremented.")


def _nothing(*args):
    return None


def _false(*args):
    return False


class FailSoftRedisCacheClient(RedisCacheClient):
    """RedisCacheClient whose commands return what a miss or a skipped write would
    when the server cannot be reached."""

    def __init__(self, servers, **options):
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        super().__init__(servers, **options)
        self.outage = outage_for(servers)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        """The server's client, made once per connection pool: Django's makes a
        new redis.Redis (and its table of response callbacks) for every command,
        a good part of what a page served from the cache costs."""
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    get = fail_soft(lambda key, default: default)(RedisCacheClient.get)
    get_many = fail_soft(lambda keys: {})(RedisCacheClient.get_many)
    has_key = fail_soft(_false)(RedisCacheClient.has_key)
    add = fail_soft(_false)(RedisCacheClient.add)
    set = fail_soft(_nothing)(RedisCacheClient.set)
    set_many = fail_soft(_nothing)(RedisCacheClient.set_many)
    touch = fail_soft(_false)(RedisCacheClient.touch)
    delete = fail_soft(_false)(RedisCacheClient.delete)
    delete_many = fail_soft(_nothing)(RedisCacheClient.delete_many)
    incr = fail_soft(_unavailable)(RedisCacheClient.incr)
    clear = fail_soft(_false)(RedisCacheClient.clear)


class FailSoftRedisCache(RedisCache):
    """Django's Redis cache, failing soft (see the module docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient

    @property
    def skipping(self):
        """Whether the cache is being left alone after a failure: a caller may
        leave it out altogether until it is tried again (the page cache does)."""
        return self._cache.outage.skipping()

    def ping(self):
        """Raise unless the server answers now (the readiness probe asks this: the
        other commands hide an outage)."""
        self._cache.get_client(None, write=True).ping()
