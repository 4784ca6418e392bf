"""A page cache for anonymous visitors, invalidated when the catalogue changes.

Most visitors are anonymous residents reading the same outlet and product pages, so
their pages are kept rendered (and compressed) in the shared cache. A page is keyed by
its address, the day (displays start and end by date), which outlets are open right
now (so "Buka sekarang" flips on time) and a generation number that every save or
delete of a catalogue or outlet object moves on. Requests with a session or a message
cookie are never served from, or stored in, the cache.
"""

import hashlib

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

GENERATION_KEY = "public-pages:generation"
SCHEDULE_KEY = "public-pages:schedule"
UNCACHED_PREFIXES = (
    "/healthz",
    "/admin/",
    "/en/admin/",
    "/akun/",
    "/dasbor/",
    "/en/akun/",
    "/en/dasbor/",
)


def invalidate_public_pages(**kwargs):
    """Make every cached public page stale (a signal receiver, or call it directly
    after bulk changes that send no signals)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def connect_invalidation():
    """Invalidate on every save or delete of the models residents' pages show."""
    for label in ("products", "outlets"):
        for model in apps.get_app_config(label).get_models():
            uid = f"public-pages-{model._meta.label_lower}"
            post_save.connect(invalidate_public_pages, sender=model, dispatch_uid=uid)
            post_delete.connect(invalidate_public_pages, sender=model, dispatch_uid=uid)


def current_state():
    """The generation and the outlets' opening schedule, in one cache round trip.

    The schedule is (status, [(weekday, opens, closes)]) per outlet, stored with the
    generation it was read at and read again from the database when that moved on.
    """
    values = cache.get_many([GENERATION_KEY, SCHEDULE_KEY])
    current = values.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        current = cache.get(GENERATION_KEY, 1)
    stored = values.get(SCHEDULE_KEY)
    if stored is not None and stored[0] == current:
        return current, stored[1]
    Outlet = apps.get_model("outlets", "Outlet")
    schedule = [
        (
            outlet.status,
            [(h.weekday, h.opens_at, h.closes_at) for h in outlet.opening_hours.all()],
        )
        for outlet in Outlet.objects.prefetch_related("opening_hours").order_by("pk")
    ]
    cache.set(SCHEDULE_KEY, (current, schedule), timeout=None)
    return current, schedule


def open_now_signature(schedule, moment):
    """Which outlets are open at the moment, as a string of 0s and 1s."""
    weekday, time = moment.weekday(), moment.time()
    return "".join(
        "1"
        if status == "open"
        and any(
            day == weekday and opens <= time < closes for day, opens, closes in hours
        )
        else "0"
        for status, hours in schedule
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.is_cacheable_request(request):
            return self.get_response(request)
        key = self.key_for(request)
        response = cache.get(key)
        if response is not None:
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self.is_cacheable_response(response):
            cache.set(key, response, settings.PUBLIC_PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def is_cacheable_request(request):
        return (
            settings.PUBLIC_PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
            and not request.path.startswith(UNCACHED_PREFIXES)
        )

    @staticmethod
    def is_cacheable_response(response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )

    @staticmethod
    def key_for(request):
        current, schedule = current_state()
        now = timezone.localtime()
        gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        address = hashlib.md5(
            f"{request.get_host()}{request.get_full_path()}".encode(),
            usedforsecurity=False,
        ).hexdigest()
        signature = open_now_signature(schedule, now)
        return f"public-page:{current}:{now.date()}:{signature}:{int(gzip)}:{address}"


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """In production the page cache needs a cache every worker shares, or a change
    would make the pages stale only in the worker that saved it."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.PUBLIC_PAGE_CACHE_SECONDS > 0 and backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "The public page cache is on, but the cache is local to each process.",
                hint=(
                    "Set CACHE_BACKEND and CACHE_LOCATION to a shared cache (e.g. "
                    "Redis), or PUBLIC_PAGE_CACHE_SECONDS=0."
                ),
                id="outlets.W001",
            )
        ]
    return []
