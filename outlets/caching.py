"""A page cache for anonymous visitors, made stale when a change they could see commits.

Most visitors are anonymous residents reading the same outlet and product pages, so
their pages are kept rendered (and compressed) in the shared cache. A page is keyed by
its address, the day (displays start and end by date), which outlets are open right
now (by Outlet.is_open_at, so "Buka sekarang" flips on time) and a generation number.

The generation moves on after the commit of a transaction that changed what
residents see, once however many rows it changed (moved inside the transaction, a
request in between would render the old rows and keep them under the new
generation). What counts is decided per model, in CHANGES_PUBLIC_PAGES: a business
verified before or after the change, a product public before or after and the
photos and certificates of a public product, a display approved before or after,
and any outlet, opening hours, agency, category, kecamatan or kelurahan. History
rows, an owner's draft, a display request or a proposed change leave the cached
pages alone.

Requests with a session or a message cookie are never served from, or stored in, the
cache, and neither is a response its view marks private or no-store. Pages for one
visitor (sign-in and sign-up, the owner's dashboard and its redirects, the health
probe) say so themselves with @private_page: the cache is looked up before the view
runs, so what must not be served must never be stored.

When the cache cannot be reached (serang_umkm.cache.FailSoftRedisCache), every page
renders as if uncached; when it answers again the generation moves on, since an
invalidation may have been lost meanwhile. The other way round, when a page fails to
render (a 5xx: the database restarting), its last rendering is served instead, for
up to LAST_GOOD_COPY_SECONDS, marked "X-Page-Cache: stale".
"""

import copy
import hashlib
import time

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.cache import cc_delim_re
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from serang_umkm.cache import cache_recovered

GENERATION_KEY = "public-pages:generation"
# How long the last rendering of each page is kept, to be served should rendering
# it fail (PublicPageCacheMiddleware.last_good_copy).
LAST_GOOD_COPY_SECONDS = 24 * 60 * 60
OUTLETS_KEY = "public-pages:outlets"


def private_page(view):
    """Mark a view's responses as for one visitor (never_cache: Cache-Control
    private, no-store), so that neither this cache nor a browser's or a proxy's
    keeps them. On a class-based view it wraps dispatch(), so the redirect of
    LoginRequiredMixin is marked too."""
    if isinstance(view, type):
        return method_decorator(never_cache, name="dispatch")(view)
    return never_cache(view)


def fresh_generation():
    """A generation no page can be cached under yet, for when the cache has none
    (never stored, or evicted): restarting at a small number could serve pages
    cached under it before."""
    return time.time_ns()


def move_generation_on():
    """Make every cached public page stale now."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, fresh_generation(), timeout=None)


def move_generation_on_after_outage(sender, **kwargs):
    """cache_recovered receiver (serang_umkm/cache.py): while the cache could not be
    reached, an invalidation may have been lost, so pages cached before the outage
    are made stale when it answers again."""
    move_generation_on()


def invalidation_pending(using=None):
    """Whether the current transaction will move the generation on when it commits.

    A callback registered inside a savepoint that is rolled back leaves
    run_on_commit with it, so a later change registers a new one."""
    commit_hooks = transaction.get_connection(using).run_on_commit
    return any(func is move_generation_on for _, func, _ in commit_hooks)


def invalidate_public_pages(using=None):
    """Make every cached public page stale once the current transaction commits (at
    once outside a transaction, and never if it rolls back); the generation moves
    on once per transaction. Call it after bulk changes that send no signals."""
    if not invalidation_pending(using):
        # robust: an unreachable cache must not fail a request whose change is
        # committed already, nor skip the other callbacks (emails) after this one.
        transaction.on_commit(move_generation_on, using=using, robust=True)


def always(instance, created):
    return True


def of_public_product(item, created):
    """A photo or certificate is shown when its product is public."""
    return item.product.is_public


def before_or_after(shown):
    """The rule for a model whose own status decides whether it is shown: a change
    counts when the object is shown after it, or was before it with the status it
    was loaded with (_stored_status, kept by the model's from_db and still the old
    one while post_save runs). A new object was not shown before; an existing one
    whose loaded status is unknown counts as shown."""

    def rule(instance, created):
        if shown(instance):
            return True
        stored = getattr(instance, "_stored_status", None)
        if stored is None:
            return not created
        as_loaded = copy.copy(instance)
        as_loaded.status = stored
        return shown(as_loaded)

    return rule


# For each model residents' pages show, whether saving (created: as a new row) or
# deleting an object changes them. The other models (history rows, proposed
# changes, accounts) never do.
CHANGES_PUBLIC_PAGES = {
    "products.Kecamatan": always,
    "products.Kelurahan": always,
    "products.Category": always,
    "products.Business": before_or_after(
        lambda business: business.status == business.Status.VERIFIED
    ),
    "products.Product": before_or_after(lambda product: product.is_public),
    "products.ProductPhoto": of_public_product,
    "products.Certification": of_public_product,
    "outlets.Agency": always,
    "outlets.Outlet": always,
    "outlets.OpeningHours": always,
    "outlets.Display": before_or_after(
        lambda display: display.status == display.Status.APPROVED
    ),
}


def rule_for(model):
    return CHANGES_PUBLIC_PAGES.get(model._meta.concrete_model._meta.label)


def changes_public_pages(instance, created=False):
    """Whether saving (created: as a new row) or deleting the instance changes a page
    residents see (CHANGES_PUBLIC_PAGES). When a row the rule reads is gone (the
    product of a photo deleted with it), the change counts."""
    rule = rule_for(type(instance))
    if rule is None:
        return False
    try:
        return rule(instance, created)
    except ObjectDoesNotExist:
        return True


def invalidate_if_shown(sender, instance, created=False, raw=False, using=None, **_):
    """post_save and post_delete receiver: invalidate once the transaction commits
    when the change is one residents could see (see changes_public_pages)."""
    if invalidation_pending(using):
        return  # decided already, and the rule may cost a query
    if raw or changes_public_pages(instance, created):
        invalidate_public_pages(using)


def connect_invalidation():
    """Receive the saves and deletes of the models CHANGES_PUBLIC_PAGES names (and
    of their proxies), and the end of a cache outage."""
    cache_recovered.connect(
        move_generation_on_after_outage, dispatch_uid="public-pages-cache-recovered"
    )
    for model in apps.get_models():
        if rule_for(model) is not None:
            uid = f"public-pages-{model._meta.label_lower}"
            post_save.connect(invalidate_if_shown, sender=model, dispatch_uid=uid)
            post_delete.connect(invalidate_if_shown, sender=model, dispatch_uid=uid)


def current_state():
    """The generation and the outlets (with their opening hours), in one cache round
    trip.

    The outlets are stored with the generation they were read at, and read again
    from the database when it has moved on, or after PUBLIC_PAGE_CACHE_SECONDS (so
    that objects pickled by an older release do not stay).
    """
    values = cache.get_many([GENERATION_KEY, OUTLETS_KEY])
    generation = values.get(GENERATION_KEY)
    if generation is None:
        candidate = fresh_generation()
        cache.add(GENERATION_KEY, candidate, timeout=None)
        generation = cache.get(GENERATION_KEY, candidate)
    stored = values.get(OUTLETS_KEY)
    if stored is not None and stored[0] == generation:
        return stored
    Outlet = apps.get_model("outlets", "Outlet")
    outlets = list(Outlet.objects.prefetch_related("opening_hours").order_by("pk"))
    cache.set(OUTLETS_KEY, (generation, outlets), settings.PUBLIC_PAGE_CACHE_SECONDS)
    return generation, outlets


def cache_directives(response):
    """The Cache-Control directive names of the response, in lower case."""
    return {
        directive.split("=", 1)[0].strip().lower()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
        if directive.strip()
    }


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # While the cache is down, a page costs what it costs with the cache off.
        if not self.is_cacheable_request(request) or getattr(cache, "skipping", False):
            return self.get_response(request)
        try:
            key = self.key_for(request)
        except DatabaseError:  # the outlets could not be read: the database is down
            key = None
        response = cache.get(key) if key else None
        if response is not None:
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if response.status_code >= 500:
            return self.last_good_copy(request) or response
        if key and self.is_cacheable_response(response):
            cache.set(key, response, settings.PUBLIC_PAGE_CACHE_SECONDS)
            cache.set(self.last_good_key(request), response, LAST_GOOD_COPY_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def last_good_key(request):
        return f"public-page-last:{PublicPageCacheMiddleware.address(request)}"

    def last_good_copy(self, request):
        """The page as last rendered, however stale, when rendering it failed (the
        database restarting, say): residents read a page a moment old rather than
        an error."""
        response = cache.get(self.last_good_key(request))
        if response is not None:
            response["X-Page-Cache"] = "stale"
        return response

    @staticmethod
    def is_cacheable_request(request):
        return (
            settings.PUBLIC_PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
        )

    @staticmethod
    def is_cacheable_response(response):
        """Only a response whose view did not mark it private (see private_page) is
        stored, so only such a response is ever served."""
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not cache_directives(response) & {"private", "no-store"}
        )

    @staticmethod
    def address(request):
        """The page's address and whether it is compressed, as a short key part."""
        gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        address = hashlib.md5(
            f"{request.get_host()}{request.get_full_path()}".encode(),
            usedforsecurity=False,
        ).hexdigest()
        return f"{int(gzip)}:{address}"

    @classmethod
    def key_for(cls, request):
        generation, outlets = current_state()
        now = timezone.localtime()
        open_now = "".join("1" if o.is_open_at(now) else "0" for o in outlets)
        return (
            f"public-page:{generation}:{now.date()}:{open_now}:{cls.address(request)}"
        )


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
    if backend == "django.core.cache.backends.redis.RedisCache":
        return [
            checks.Warning(
                "The cache raises when Redis cannot be reached: every cached page "
                "would answer 500 during a Redis outage.",
                hint="Set CACHE_BACKEND=serang_umkm.cache.FailSoftRedisCache.",
                id="outlets.W002",
            )
        ]
    return []
