"""A page cache for anonymous visitors, made stale when a change they could see commits.

Most visitors are anonymous residents reading the same outlet and product pages, so
their pages are kept rendered (and compressed) in the shared cache. A page is keyed by
its address, the day (displays start and end by date) and a generation number, and
stored with the versions of the scopes it shows (depends_on): a product page with
its product, its similar products and its category's membership; a business page
with its business; every other page with the catalogue and which outlets are open
right now (OPEN_NOW, by Outlet.is_open_at, so "Buka sekarang" flips on time). It is
served while those versions are unchanged.

A change residents could see gives new versions to what it touched once its
transaction commits (CHANGES_PUBLIC_PAGES): a product saved makes its product, its
business and the catalogue stale, so one owner's edit re-renders the pages showing
it and the lists, not the city's other product pages. A change to outlets, opening
hours, closures, agencies, categories or places moves the generation on (every
page). History rows, an owner's draft, a display request or a proposed change leave
the cached pages alone. Every change also moves the catalogue's version, which tells
a page rendered while a change committed (it may show the rows from before it): such
a page is served but not kept.

Requests with a session or a message cookie are never served from, or stored in, the
cache, and neither is a response its view marks private or no-store. Pages for one
visitor (sign-in and sign-up, the owner's dashboard and its redirects, the health
probe) say so themselves with @private_page: the cache is looked up before the view
runs, so what must not be served must never be stored. Each process remembers the
addresses that answered so, and looks them up no more.

When the cache cannot be reached (serang_umkm.cache.FailSoftRedisCache), every page
renders as if uncached; when it answers again the generation moves on, since an
invalidation may have been lost meanwhile. The other way round, when a page fails to
render (a 5xx: the database restarting), its last rendering is served instead, for
up to LAST_GOOD_COPY_SECONDS, marked "X-Page-Cache: stale".

A hit costs one cache round trip: each process memoises the generation and the
outlets for PUBLIC_PAGE_STATE_MEMO_SECONDS and remembers each page's scopes, read
together with the page. Pages carry an ETag and "Cache-Control: no-cache", so a
browser asking again gets a 304 while the page is unchanged.
"""

import copy
import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.cache import (
    cc_delim_re,
    get_conditional_response,
    patch_cache_control,
    set_response_etag,
)
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache

from serang_umkm.cache import cache_recovered

logger = logging.getLogger(__name__)

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
    StateMemo.forget()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, fresh_generation(), timeout=None)


def move_generation_on_after_outage(sender, **kwargs):
    """cache_recovered receiver (serang_umkm/cache.py): while the cache could not be
    reached, an invalidation may have been lost, so pages cached before the outage
    are made stale when it answers again."""
    move_generation_on()


# What a change makes stale (CHANGES_PUBLIC_PAGES): every page (EVERYTHING: the
# generation moves on), or the pages depending on some scopes: "catalogue" (the
# lists, the home and outlet pages: any page showing many products' cards), "search"
# (the search results: the catalogue and the descriptions),
# "product:<pk>" (whatever a product's page or card shows of it: its fields, photos,
# certificates, displays and business name), "business:<pk>" (a business's page
# with its products) and "category:<pk>" (which products a category holds: the
# "similar products" of its product pages).
EVERYTHING = "everything"
CATALOGUE = "catalogue"
# The search results: the lists (a change to the catalogue is one to search too) and
# the text search reads (a product's description, which no list shows).
SEARCH = "search"
# Moved by every change residents see: tells a page rendered meanwhile.
ANY_CHANGE = "any-change"
# Pages that show whether outlets are open right now ("Buka sekarang"): their
# version is which outlets are open (open_now_signature), computed in each process
# rather than kept in the cache, so they re-render when an outlet opens or closes,
# and the other pages do not.
OPEN_NOW = "open-now"


def product_scope(pk):
    return f"product:{pk}"


def business_scope(pk):
    return f"business:{pk}"


def category_scope(pk):
    return f"category:{pk}"


def scope_key(scope):
    return f"public-pages:scope:{scope}"


def depends_on(request, *scopes):
    """Declare, in a view, what its page shows beyond the catalogue's lists: the
    page is kept until one of the scopes changes (instead of until any change to
    the catalogue). Views that declare nothing depend on the catalogue and on
    which outlets are open now (OPEN_NOW); a view that declares scopes and shows
    an outlet's open status declares OPEN_NOW too."""
    if not hasattr(request, "page_scopes"):
        request.page_scopes = set()
    request.page_scopes.update(scopes)


def shows_every_change(view):
    """Decorate a view whose page shows something of every change residents see
    (the sitemaps' lastmod: each product's updated_at): kept until any change."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        depends_on(request, ANY_CHANGE)
        return view(request, *args, **kwargs)

    return wrapped


def always(instance, created, deleted):
    return EVERYTHING


def before_or_after(shown):
    """Whether the object is shown after the change, or was before it with the
    status it was loaded with (_stored_status, kept by the model's from_db and
    still the old one while post_save runs): (before, after). A new object was not
    shown before; an existing one whose loaded status is unknown counts as shown."""

    def visibility(instance, created, deleted):
        after = not deleted and shown(instance)
        stored = getattr(instance, "_stored_status", None)
        if created:
            before = False
        elif stored is None:
            before = True
        else:
            as_loaded = copy.copy(instance)
            as_loaded.status = stored
            before = shown(as_loaded)
        return before, after

    return visibility


product_visibility = before_or_after(lambda product: product.is_public)
business_visibility = before_or_after(
    lambda business: business.status == business.Status.VERIFIED
)
display_visibility = before_or_after(
    lambda display: display.status == display.Status.APPROVED
)


def product_change(product, created, deleted):
    before, after = product_visibility(product, created, deleted)
    if not (before or after):
        return set()
    scopes = {product_scope(product.pk), business_scope(product.business_id)}
    if before != after or product.changed_since_stored(product.LISTED_FIELDS):
        scopes.add(CATALOGUE)  # it joins or leaves the lists, or its card changed
    elif product.changed_since_stored(["description"]):
        scopes.add(SEARCH)  # only its page and what search finds change
    loaded_category = product.stored_value("category_id")
    if before != after or loaded_category != product.category_id:
        # It joins or leaves its category (or moves to another one).
        scopes |= {category_scope(product.category_id), category_scope(loaded_category)}
    return scopes


def business_change(business, created, deleted):
    before, after = business_visibility(business, created, deleted)
    if not (before or after):
        return set()
    Product = apps.get_model("products", "Product")
    products = Product.objects.filter(
        business_id=business.pk, status=Product.Status.APPROVED
    )
    # A new business has no products yet (an import adds thousands).
    rows = [] if created else list(products.values_list("pk", "category_id"))
    scopes = {CATALOGUE, business_scope(business.pk)}
    # Its products' cards show its name; their pages its contact.
    scopes |= {product_scope(pk) for pk, _category in rows}
    if before != after:
        scopes |= {category_scope(category) for _pk, category in rows}
    return scopes


def of_public_product(item, created, deleted):
    """A photo or certificate is shown when its product is public."""
    product = item.product
    if not product.is_public:
        return set()
    return {CATALOGUE, product_scope(product.pk), business_scope(product.business_id)}


def display_change(display, created, deleted):
    before, after = display_visibility(display, created, deleted)
    if not (before or after):
        return set()
    product = display.product
    return {CATALOGUE, product_scope(product.pk), business_scope(product.business_id)}


# For each model residents' pages show, what saving (created: as a new row) or
# deleting an object makes stale (EVERYTHING or a set of scopes). The other models
# (history rows, proposed changes, accounts) never change a page.
CHANGES_PUBLIC_PAGES = {
    "products.Kecamatan": always,
    "products.Kelurahan": always,
    "products.Category": always,
    "products.Business": business_change,
    "products.Product": product_change,
    "products.ProductPhoto": of_public_product,
    "products.Certification": of_public_product,
    "outlets.Agency": always,
    "outlets.Outlet": always,
    "outlets.OpeningHours": always,
    "outlets.OutletClosure": always,
    "outlets.Display": display_change,
}


def rule_for(model):
    return CHANGES_PUBLIC_PAGES.get(model._meta.concrete_model._meta.label)


def stale_scopes(instance, created=False, deleted=False):
    """What saving (created: as a new row) or deleting the instance makes stale:
    EVERYTHING, a set of scopes, or an empty set (CHANGES_PUBLIC_PAGES). When a
    row the rule reads is gone (the product of a photo deleted with it), every
    page is."""
    rule = rule_for(type(instance))
    if rule is None:
        return set()
    try:
        return rule(instance, created, deleted)
    except ObjectDoesNotExist:
        return EVERYTHING


def changes_public_pages(instance, created=False):
    """Whether saving (created: as a new row) the instance changes a page residents
    see."""
    return bool(stale_scopes(instance, created))


class PendingInvalidation:
    """The on_commit callback of a transaction's changes residents see: the scopes
    they made stale, or the generation (every page), moved on once the
    transaction commits, once however many rows it changed."""

    def __init__(self):
        self.scopes = set()
        self.everything = False
        self.done = False

    def add(self, scopes):
        if scopes == EVERYTHING:
            self.everything = True
        else:
            self.scopes |= scopes

    def __call__(self):
        self.done = True  # later changes need a callback of their own
        if self.everything:
            move_generation_on()
        elif self.scopes:
            touch_scopes(self.scopes)


def touch_scopes(scopes):
    """Give the scopes new versions (the time, unique enough), and ANY_CHANGE too:
    the page cache tells from it that a page rendered meanwhile may be old. A
    change to the catalogue is one to the search results too."""
    now = time.time_ns()
    scopes = {*scopes, ANY_CHANGE}
    if CATALOGUE in scopes:
        scopes.add(SEARCH)
    cache.set_many({scope_key(scope): now for scope in scopes}, timeout=None)


def pending_invalidation(using=None):
    """The current transaction's PendingInvalidation at the current savepoint level,
    registered if there is none: one registered inside a savepoint goes when the
    savepoint rolls back, so a change outside it is never added to it."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return None
    level = set(connection.savepoint_ids)
    for sids, func, _robust in connection.run_on_commit:
        if (
            isinstance(func, PendingInvalidation)
            and not func.done
            and set(sids) == level
        ):
            return func
    pending = PendingInvalidation()
    # robust: an unreachable cache must not fail a request whose change is
    # committed already, nor skip the other callbacks (emails) after this one.
    transaction.on_commit(pending, using=using, robust=True)
    return pending


def invalidate_public_pages(using=None, scopes=EVERYTHING):
    """Make the cached public pages depending on the scopes (every page by default)
    stale once the current transaction commits (at once outside a transaction, and
    never if it rolls back). Call it after bulk changes that send no signals."""
    if not scopes:
        return
    pending = pending_invalidation(using)
    if pending is None:
        change = PendingInvalidation()
        change.add(scopes)
        try:
            change()
        except Exception:  # noqa: BLE001 - as robust on_commit callbacks are
            logger.exception("Cannot mark the cached public pages stale")
        return
    pending.add(scopes)


def invalidation_pending(using=None):
    """Whether the current transaction will make every page stale at its commit."""
    connection = transaction.get_connection(using)
    return any(
        isinstance(func, PendingInvalidation) and func.everything and not func.done
        for _sids, func, _robust in connection.run_on_commit
    )


def invalidate_if_shown(sender, instance, created=False, raw=False, using=None, **kw):
    """post_save and post_delete receiver: make stale what the change shows
    (see stale_scopes) once the transaction commits."""
    if invalidation_pending(using):
        return  # every page goes already, and the rule may cost a query
    deleted = kw.get("signal") is post_delete
    invalidate_public_pages(
        using, EVERYTHING if raw else stale_scopes(instance, created, deleted)
    )


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


class StateMemo:
    """current_state() as read last by this process, for STATE_MEMO_SECONDS: a page
    served from the cache then costs one cache round trip. A change this process
    commits forgets it at once; other processes see a new generation within
    STATE_MEMO_SECONDS."""

    value = None
    read_at = 0.0

    @classmethod
    def current(cls):
        """The state remembered, while it is fresh; else None."""
        age = time.monotonic() - cls.read_at
        if cls.value is not None and age < settings.PUBLIC_PAGE_STATE_MEMO_SECONDS:
            return cls.value
        return None

    @classmethod
    def forget(cls):
        cls.value = None


def current_state():
    """The generation and the outlets (OutletQuerySet.public().for_listing(): with
    their agency, place, opening hours and closures), in one cache round trip (none
    for STATE_MEMO_SECONDS after the last).

    The outlets are stored with the generation they were read at, and read again
    from the database when it has moved on, or after PUBLIC_PAGE_CACHE_SECONDS (so
    that objects pickled by an older release do not stay).
    """
    if (memo := StateMemo.current()) is not None:
        return memo
    values = cache.get_many([GENERATION_KEY, OUTLETS_KEY])
    generation = values.get(GENERATION_KEY) or start_generation()
    stored = values.get(OUTLETS_KEY)
    if stored is None or stored[0] != generation:
        Outlet = apps.get_model("outlets", "Outlet")
        # As their cards and pages show them (public_outlets() serves them).
        outlets = list(Outlet.objects.public().for_listing().order_by("pk"))
        stored = (generation, outlets)
        cache.set(OUTLETS_KEY, stored, settings.PUBLIC_PAGE_CACHE_SECONDS)
    if not getattr(cache, "skipping", False):
        StateMemo.value, StateMemo.read_at = stored, time.monotonic()
    return stored


def current_outlets():
    """The outlets residents see, with their agency, place, hours and closures, as
    current_state() holds them: no query while no outlet, hours or closure changed
    (each of those moves the generation on)."""
    return current_state()[1]


class CategoryMemo:
    """(the generation, every category) as current_categories() read them last."""

    value = None


def current_categories():
    """Every category, in its order, read again only when the generation moves on
    (a change to any category moves it): the home page and outlet pages list them
    without a query of their own."""
    generation = current_generation()
    memo = CategoryMemo.value
    if memo is None or memo[0] != generation:
        Category = apps.get_model("products", "Category")
        memo = CategoryMemo.value = (generation, list(Category.objects.all()))
    return memo[1]


def start_generation():
    """The generation, started when the cache has none (should another process
    start it meanwhile, its generation stands)."""
    candidate = fresh_generation()
    cache.add(GENERATION_KEY, candidate, timeout=None)
    return cache.get(GENERATION_KEY, candidate)


def current_generation():
    """The generation alone (current_state() without the outlets), for what is
    keyed by it, such as rendered fragments showing categories and outlets."""
    if (memo := StateMemo.current()) is not None:
        return memo[0]
    return cache.get(GENERATION_KEY) or start_generation()


class OpenNowMemo:
    """(outlets, the second, which of them were open then): opening hours change
    status on a whole second at most, so one reading serves a second's pages."""

    value = (None, None, "")


def open_now_signature():
    """Which outlets are open now (Outlet.is_open_at), as a string of 0s and 1s:
    the version of OPEN_NOW."""
    _generation, outlets = current_state()
    now = timezone.localtime().replace(microsecond=0)
    memo_outlets, second, signature = OpenNowMemo.value
    if memo_outlets is not outlets or second != now:
        signature = "".join("1" if o.is_open_at(now) else "0" for o in outlets)
        OpenNowMemo.value = (outlets, now, signature)
    return signature


class CatalogueCountPaginator(Paginator):
    """A paginator of public products whose count (an exact COUNT(*) over tens of
    thousands of rows, on every list page) is kept in the cache until the catalogue
    changes: keyed by the query, the generation and the catalogue's version, so
    any change the lists show counts again. Without a catalogue version (never
    changed, or lost from the cache) it counts every time. Search pages read their
    count with their page instead (products.search.SearchPaginator)."""

    count_seconds = 10 * 60

    @cached_property
    def count(self):
        versions = cache.get_many([GENERATION_KEY, scope_key(CATALOGUE)])
        catalogue = versions.get(scope_key(CATALOGUE))
        try:
            sql = str(self.object_list.query)
        except EmptyResultSet:
            return 0
        except (AttributeError, TypeError):
            catalogue = None  # a list, not a query
        if catalogue is None:
            return super().count
        digest = hashlib.md5(sql.encode(), usedforsecurity=False).hexdigest()
        # The day too: certificates and displays start and end by date.
        key = (
            f"catalogue-count:{versions.get(GENERATION_KEY)}:{catalogue}:"
            f"{timezone.localdate()}:{digest}"
        )
        count = cache.get(key)
        if count is None:
            count = super().count
            cache.set(key, count, self.count_seconds)
        return count


def cache_directives(response):
    """The Cache-Control directive names of the response, in lower case."""
    return {
        directive.split("=", 1)[0].strip().lower()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
        if directive.strip()
    }


class PublicPageCacheMiddleware:
    """Serves anonymous visitors' pages from the cache. A page is stored with the
    versions of the scopes it depends on (depends_on; the catalogue by default) and
    served while they are unchanged: one owner's edit re-renders the pages showing
    that product or business, and the lists, not the whole city's product pages.

    A hit costs one cache round trip once this process has seen the page (its
    scopes are remembered here, so the page and their versions are read
    together), two before."""

    # How many pages' scopes each process remembers.
    remembered_pages = 20_000
    # How many addresses of private pages (the health probe, sign-in) each process
    # remembers, to skip looking them up.
    remembered_private_paths = 1_000

    def __init__(self, get_response):
        self.get_response = get_response
        self.page_scopes = OrderedDict()
        self.private_paths = OrderedDict()
        # Threaded servers (runserver, gthread workers) share the middleware.
        self.page_scopes_lock = threading.Lock()

    def __call__(self, request):
        # While the cache is down, a page costs what it costs with the cache off.
        if (
            not self.is_cacheable_request(request)
            or getattr(cache, "skipping", False)
            or request.path in self.private_paths
        ):
            return self.get_response(request)
        try:
            key = self.key_for(request)
            open_now = open_now_signature()
        except DatabaseError:  # the outlets could not be read: the database is down
            key = open_now = None
        response, changes = self.cached_response(key, open_now) if key else (None, None)
        if response is not None:
            response["X-Page-Cache"] = "hit"
            return self.conditional(request, response)
        response = self.get_response(request)
        if response.status_code >= 500:
            return self.last_good_copy(request) or response
        if key and self.is_cacheable_response(response):
            # Browsers keep the page and ask again with its ETag: an unchanged
            # page is a 304 from the cache, a few bytes over slow mobile data.
            set_response_etag(response)
            patch_cache_control(response, no_cache=True)
            scopes = getattr(request, "page_scopes", None) or {CATALOGUE, OPEN_NOW}
            # What the page counts is kept with it (serang_umkm/counting.py): a
            # page served from the cache counts as the rendered one did.
            response.counted = tuple(getattr(request, "counted", ()))
            if self.store(key, scopes, response, changes, open_now):
                response["X-Page-Cache"] = "miss"
            cache.set(self.last_good_key(request), response, LAST_GOOD_COPY_SECONDS)
            return self.conditional(request, response)
        if response.status_code < 400 and cache_directives(response) & {
            "private",
            "no-store",
        }:
            # Its view says it is for one visitor (private_page): it is never
            # stored, so this process need not look it up again. (Not an error
            # page: a visitor must not be able to switch a public page's cache off.)
            self.remember_private(request.path)
        return response

    @staticmethod
    def conditional(request, response):
        """304 Not Modified when the browser has this version of the page."""
        return get_conditional_response(
            request, etag=response.get("ETag"), response=response
        )

    def cached_response(self, key, open_now):
        """(the page stored under key unless a scope it depends on changed since,
        or None; the version of ANY_CHANGE now), in one cache round trip when this
        process has seen the page before. open_now: which outlets are open now
        (the version of OPEN_NOW)."""
        changes = scope_key(ANY_CHANGE)
        known = set(self.page_scopes.get(key, ())) - {OPEN_NOW}
        values = cache.get_many([key, changes, *map(scope_key, known)])
        entry = values.get(key)
        if entry is None:
            return None, values.get(changes)
        versions, response = entry
        self.remember(key, versions)
        if unknown := set(versions) - {OPEN_NOW} - known:
            values.update(cache.get_many(list(map(scope_key, unknown))))
        values[scope_key(OPEN_NOW)] = open_now
        changed = any(
            values.get(scope_key(scope)) != version
            for scope, version in versions.items()
        )
        return (None if changed else response), values.get(changes)

    def store(self, key, scopes, response, changes_before, open_now):
        """Store the page with its scopes' versions (open_now: which outlets were
        open when it rendered), unless a change committed while it rendered (the
        page may show rows from before it: ANY_CHANGE moved); whether it was
        stored."""
        keys = {scope: scope_key(scope) for scope in {*scopes, ANY_CHANGE} - {OPEN_NOW}}
        values = cache.get_many(list(keys.values()))
        if values.get(keys[ANY_CHANGE]) != changes_before:
            return False
        values[scope_key(OPEN_NOW)] = open_now
        versions = {scope: values.get(scope_key(scope)) for scope in scopes}
        cache.set(key, (versions, response), settings.PUBLIC_PAGE_CACHE_SECONDS)
        self.remember(key, versions)
        return True

    def remember(self, key, versions):
        """Keep the page's scopes, to read them with the page next time (the
        least recently served pages are forgotten first)."""
        with self.page_scopes_lock:
            self.page_scopes[key] = tuple(versions)
            self.page_scopes.move_to_end(key)
            while len(self.page_scopes) > self.remembered_pages:
                self.page_scopes.popitem(last=False)

    def remember_private(self, path):
        with self.page_scopes_lock:
            self.private_paths[path] = True
            self.private_paths.move_to_end(path)
            while len(self.private_paths) > self.remembered_private_paths:
                self.private_paths.popitem(last=False)

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
        """The page's key: its address, the generation and the day (displays and
        certificates start and end by date)."""
        generation, _outlets = current_state()
        today = timezone.localdate()
        return f"public-page:{generation}:{today}:{cls.address(request)}"


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
