"""Anonymous visitors get cached pages that are never stale or someone else's.

The tests are transactional: pages go stale once a change commits, and inside the
transaction that wraps a plain django_db test nothing ever commits (and the
invalidation queued by the test's own setup would be found still pending).
"""

import datetime
import threading
import zoneinfo

import pytest
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connection, connections, transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.urls.converters import IntConverter
from django.utils import timezone
from simple_history.utils import update_change_reason

import accounts.urls
import outlets.urls
import products.urls
from outlets.decisions import end_display
from outlets.models import Display, OpeningHours
from products.models import Business, Category, Product, ProposedChange
from products.views import ProductListView
from serang_umkm.errors import permission_denied
from serang_umkm.page_cache import (
    GENERATION_KEY,
    PublicPageCacheMiddleware,
    cache_directives,
    changes_public_pages,
    current_state,
)
from tests.factories import (
    add_photo,
    make_business,
    make_display,
    make_product,
    make_user,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "page_cache_on"),
]

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def freeze(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def generation():
    return current_state()[0]


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

    end_display(display, by=make_user(is_staff=True))

    assert "Kopi Taktakan" not in client.get(cipare.get_absolute_url()).text


def test_open_now_flips_on_time_even_when_cached(client, cipare, monkeypatch):
    """Cipare opens at 08.00 WIB: a page cached at 07.59 is not shown at 08.01."""
    freeze(monkeypatch, datetime.datetime(2026, 11, 30, 7, 59, tzinfo=JAKARTA))
    before = client.get(cipare.get_absolute_url()).text

    freeze(monkeypatch, datetime.datetime(2026, 11, 30, 8, 1, tzinfo=JAKARTA))
    after = client.get(cipare.get_absolute_url()).text

    assert "Tutup sekarang" in before
    assert "Buka sekarang" in after


def test_an_outlet_opening_re_renders_only_pages_that_show_it(
    client, cipare, monkeypatch, django_assert_num_queries
):
    """When Cipare opens at 08.00 WIB its page shows "Buka sekarang" at once, but a
    product page (which shows no outlet's open status) stays served from the
    cache: the city's product pages do not all re-render at every opening hour."""
    product = make_product(name="Kopi Taktakan")
    freeze(monkeypatch, datetime.datetime(2026, 11, 30, 7, 59, tzinfo=JAKARTA))
    client.get(cipare.get_absolute_url())
    client.get(product.get_absolute_url())

    freeze(monkeypatch, datetime.datetime(2026, 11, 30, 8, 1, tzinfo=JAKARTA))
    outlet_page = client.get(cipare.get_absolute_url())
    with django_assert_num_queries(0):
        product_page = client.get(product.get_absolute_url())

    assert outlet_page["X-Page-Cache"] == "miss"
    assert "Buka sekarang" in outlet_page.text
    assert product_page["X-Page-Cache"] == "hit"
    assert "Kopi Taktakan" in product_page.text


def test_signed_in_pages_are_never_cached_or_shared(client, cipare):
    """A signed-in visitor neither receives nor leaves a cached page."""
    client.force_login(make_user(full_name="Siti Aminah"))

    response = client.get(reverse("home"))
    client.logout()
    anonymous = client.get(reverse("home"))

    assert "X-Page-Cache" not in response
    assert anonymous["X-Page-Cache"] == "miss"


def test_the_admin_is_never_cached(client, admin_client):
    """Administration pages are never kept in the page cache: for staff they say
    Cache-Control private (Django's never_cache), so the cache would not store
    one even without the session cookie that keeps staff out of it; anyone else
    is sent to the sign-in page, and a redirect is never stored."""
    staff = admin_client.get("/admin/")
    client.get("/admin/products/product/")
    anonymous = client.get("/admin/products/product/")

    assert staff.status_code == 200
    assert {"private", "no-store"} <= cache_directives(staff)
    assert anonymous.status_code == 302
    assert "X-Page-Cache" not in anonymous


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


def test_a_page_rendered_before_a_change_commits_is_not_served_after_it(
    client, cipare, rf
):
    """A request running between a save and its commit reads the old rows (from
    another connection) and caches what it renders under the key of that moment;
    once the change commits, that page is never served."""
    product = make_display(make_product(name="Emping Melinjo"), cipare).product
    url = cipare.get_absolute_url()
    client.get(url)
    # The page as stored: with the versions of what it shows.
    old_page = cache.get(PublicPageCacheMiddleware.key_for(rf.get(url)))
    assert "Emping Melinjo" in old_page[1].content.decode()

    with transaction.atomic():
        product.name = "Emping Melinjo Pedas"
        product.save()
        # The concurrent request: the key it computes now, the page it renders.
        cache.set(PublicPageCacheMiddleware.key_for(rf.get(url)), old_page, 600)

    assert "Emping Melinjo Pedas" in client.get(url).text


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets no other connection read while a write is uncommitted",
)
def test_a_visit_while_a_change_is_uncommitted_leaves_nothing_stale(client, cipare):
    """The same race for real: a visitor served from another connection between a
    save and its commit sees the old rows; after the commit nobody does."""
    product = make_display(make_product(name="Emping Melinjo"), cipare).product
    url = cipare.get_absolute_url()
    during = []

    def visit():
        try:
            during.append(Client().get(url))
        finally:
            connections.close_all()

    with transaction.atomic():
        product.name = "Emping Melinjo Pedas"
        product.save()
        visitor = threading.Thread(target=visit)
        visitor.start()
        visitor.join()

    assert "Emping Melinjo Pedas" not in during[0].text
    assert "Emping Melinjo Pedas" in client.get(url).text


def test_a_rolled_back_savepoint_does_not_swallow_a_later_change(client, cipare, rf):
    """The invalidation a rolled-back savepoint queued goes with it; a change made
    afterwards in the same transaction still makes the pages stale at its commit."""
    product = make_display(make_product(name="Emping Melinjo"), cipare).product
    url = cipare.get_absolute_url()
    client.get(url)
    old_page = cache.get(PublicPageCacheMiddleware.key_for(rf.get(url)))

    with transaction.atomic():
        try:
            with transaction.atomic():
                Product.objects.get(pk=product.pk).save()
                raise RuntimeError("the form failed")
        except RuntimeError:
            pass
        product = Product.objects.get(pk=product.pk)
        product.name = "Emping Melinjo Pedas"
        product.save()
        cache.set(PublicPageCacheMiddleware.key_for(rf.get(url)), old_page, 600)

    assert "Emping Melinjo Pedas" in client.get(url).text


def test_many_changes_in_one_transaction_move_the_generation_once(cipare):
    """A transaction saving many rows residents see makes the pages stale once,
    after it commits."""
    products = [make_display(make_product(), cipare).product for _ in range(3)]
    before = generation()

    with transaction.atomic():
        for product in products:
            product.price += 1000
            product.save()
            add_photo(product)
        cipare.description = "Buka setiap hari kerja."
        cipare.save()
        assert generation() == before

    assert generation() == before + 1


# Changes residents cannot see: each prepares its objects, lets a visitor cache
# the outlet page (visit), then makes the change.


def save_a_draft(outlet, visit):
    """An owner edits their draft product."""
    draft = make_product(status=Product.Status.DRAFT)
    visit()
    draft = Product.objects.get(pk=draft.pk)
    draft.name = "Keripik Pisang Pedas"
    draft.save()


def request_a_display(outlet, visit):
    """An owner asks for a place at the outlet."""
    product = make_product()
    visit()
    make_display(product, outlet, status=Display.Status.REQUESTED)


def edit_a_business_awaiting_verification(outlet, visit):
    business = make_business(status=Business.Status.PENDING)
    visit()
    business = Business.objects.get(pk=business.pk)
    business.description = "Usaha keluarga sejak 1998."
    business.save()


def note_a_reason_in_the_history(outlet, visit):
    """A history row of a product on show is saved again, with a reason."""
    product = make_display(make_product(), outlet).product
    visit()
    update_change_reason(product, "Diperiksa ulang")


@pytest.mark.parametrize(
    "change",
    [
        save_a_draft,
        request_a_display,
        edit_a_business_awaiting_verification,
        note_a_reason_in_the_history,
    ],
)
def test_changes_residents_cannot_see_leave_the_cached_pages(client, cipare, change):
    """An owner's draft, a display request, a business awaiting verification or a
    history row are on no public page: the cached pages stay."""
    url = cipare.get_absolute_url()

    change(cipare, visit=lambda: client.get(url))

    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_verified_business_renamed_shows_at_once(client, cipare):
    """The business name on a product page follows a rename at once."""
    product = make_display(make_product(), cipare).product
    client.get(product.get_absolute_url())

    business = Business.objects.get(pk=product.business_id)
    business.name = "Dapur Bu Siti"
    business.save()

    assert "Dapur Bu Siti" in client.get(product.get_absolute_url()).text


def test_new_opening_hours_show_at_once(client, cipare):
    """The outlet page shows its new closing time as soon as it is saved."""
    client.get(cipare.get_absolute_url())

    monday = OpeningHours.objects.get(outlet=cipare, weekday=0)
    monday.closes_at = datetime.time(15, 30)
    monday.save()

    assert "08.00–15.30" in client.get(cipare.get_absolute_url()).text


def test_a_new_photo_of_a_public_product_shows_at_once(client, cipare):
    """A photo added to a public product appears on its cached page."""
    product = make_display(make_product(), cipare).product
    client.get(product.get_absolute_url())

    photo = add_photo(product)

    assert photo.medium.url in client.get(product.get_absolute_url()).text


@pytest.mark.parametrize(
    ("model", "make", "loaded", "status", "changes"),
    [
        (Product, make_product, "approved", "withdrawn", True),
        (Product, make_product, "draft", "pending", False),
        (Business, make_business, "verified", "rejected", True),
        (Business, make_business, "pending", "rejected", False),
        (Display, make_display, "approved", "ended", True),
        (Display, make_display, "requested", "rejected", False),
    ],
)
def test_an_object_shown_before_a_change_counts_as_shown(
    model, make, loaded, status, changes
):
    """Whether a change reaches the pages is judged on the status as loaded as well
    as on the new one: a product withdrawn, a business rejected or a display ended
    leaves pages that showed it."""
    stored = model.objects.get(pk=make(status=loaded).pk)
    stored.status = status

    assert changes_public_pages(stored) is changes


def test_models_residents_never_see_change_no_page():
    """History rows, proposed changes and accounts are never on a public page."""
    product = make_product()

    assert not changes_public_pages(product.history.first())
    assert not changes_public_pages(ProposedChange(product=product))
    assert not changes_public_pages(make_user())
    assert changes_public_pages(Category.objects.first())


def test_a_generation_lost_from_the_cache_never_comes_back(client, cipare):
    """When the cache loses the generation (evicted, or never stored), it starts
    again where no page is cached: a page cached before is not served again."""
    product = make_display(make_product(name="Emping Melinjo"), cipare).product
    cache.delete(GENERATION_KEY)
    client.get(cipare.get_absolute_url())

    product.name = "Emping Melinjo Pedas"
    product.save()
    cache.delete(GENERATION_KEY)

    assert "Emping Melinjo Pedas" in client.get(cipare.get_absolute_url()).text


@pytest.mark.parametrize(
    "path", ["/akun/masuk/", "/akun/daftar/", "/en/akun/masuk/", "/healthz"]
)
def test_pages_for_one_visitor_are_private_and_never_cached(client, path):
    """Sign-in, sign-up and the health probe say Cache-Control: private, and an
    anonymous visitor never gets them from the page cache."""
    client.get(path)

    response = client.get(path)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in response


def test_a_load_balancers_health_probe_costs_no_cache_lookup(client, monkeypatch):
    """Once /healthz has answered privately, the process no longer looks it up in
    the page cache: the probe measures the application, not a cache round trip,
    and costs Redis nothing however often the load balancer asks."""
    lookups = []
    get_many = cache.get_many
    monkeypatch.setattr(
        cache, "get_many", lambda keys: lookups.append(keys) or get_many(keys)
    )
    client.get("/healthz")
    looked_up_first = len(lookups)

    responses = [client.get("/healthz") for _ in range(3)]

    assert looked_up_first >= 1
    assert len(lookups) == looked_up_first
    assert [r.text for r in responses] == ["ok"] * 3


def test_the_dashboard_redirect_for_a_signed_out_visitor_is_private(client):
    """/dasbor/ sends a signed-out visitor to sign in, privately, never cached."""
    client.get(reverse("outlets:dashboard"))

    response = client.get(reverse("outlets:dashboard"))

    assert response.status_code == 302
    assert "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in response


def pages_for_one_visitor():
    """(URL name, made-up arguments) of every account page and every page behind
    LoginRequiredMixin (a signed-out visitor is redirected before any lookup)."""
    for urls in (accounts.urls, products.urls, outlets.urls):
        for pattern in urls.urlpatterns:
            view = getattr(pattern.callback, "view_class", None)
            if urls is accounts.urls or (view and issubclass(view, LoginRequiredMixin)):
                converters = pattern.pattern.converters.items()
                yield (
                    f"{urls.app_name}:{pattern.name}",
                    {
                        name: 1 if isinstance(c, IntConverter) else "x"
                        for name, c in converters
                    },
                )


@pytest.mark.parametrize(("name", "kwargs"), list(pages_for_one_visitor()))
def test_every_account_and_owner_page_marks_itself_private(client, name, kwargs):
    """Account pages and the owner's pages (their redirects for a signed-out
    visitor too) say Cache-Control: private, so the page cache never stores them."""
    response = client.get(reverse(name, kwargs=kwargs))

    assert "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in response


def test_the_admin_sign_in_page_is_private(client):
    """/admin/login/ is Django's never_cache view: never stored for a visitor."""
    client.get("/admin/login/")

    response = client.get("/admin/login/")

    assert "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in response


@pytest.fixture
def database_down():
    """Call it to make the default database unreachable until the test ends: on
    PostgreSQL a port nobody listens on; SQLite's in-memory test database cannot be
    closed, so there every query raises the error a lost connection raises."""
    saved = dict(connection.settings_dict)
    wrappers = []

    def lost(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    def down():
        if connection.vendor == "sqlite":
            wrappers.append(connection.execute_wrapper(lost))
            wrappers[-1].__enter__()
        else:
            connection.close()
            connection.settings_dict["PORT"] = "1"

    yield down
    for wrapper in wrappers:
        wrapper.__exit__(None, None, None)
    connection.close()
    connection.settings_dict.update(saved)


def test_while_the_database_is_down_residents_get_the_last_rendering(
    client, cipare, database_down
):
    """The database restarting: a page rendered before is served as it was last
    rendered, even after a change made it stale, rather than an error; the outlet
    list renders from the outlets the cache holds; a page never rendered that needs
    the database answers with the error page."""
    product = make_display(make_product(name="Emping Melinjo"), cipare).product
    assert client.get("/produk/")["X-Page-Cache"] == "miss"
    product.name = "Emping Melinjo Pedas"
    product.save()  # the cached page is stale now

    database_down()
    resident = Client(raise_request_exception=False)
    page = resident.get("/produk/")
    outlets = resident.get("/gerai/")
    never_rendered = resident.get("/produk/?q=emping")

    assert page.status_code == 200
    assert page["X-Page-Cache"] == "stale"
    assert "Emping Melinjo" in page.content.decode()
    assert outlets.status_code == 200
    assert "Iwak Banten" in outlets.content.decode()
    assert never_rendered.status_code == 500


def test_a_product_on_display_shows_its_outlets_open_status_on_time(
    client, cipare, monkeypatch
):
    """The product page says where the product is on display, since when, and
    whether that outlet is open: at 07.59 Cipare is closed, at 08.01 the same
    page, cached, says it is open until 16.00."""
    freeze(monkeypatch, datetime.datetime(2026, 11, 30, 7, 59, tzinfo=JAKARTA))
    product = make_product(name="Kopi Taktakan")
    display = make_display(product, cipare)
    before = client.get(product.get_absolute_url()).text

    freeze(monkeypatch, datetime.datetime(2026, 11, 30, 8, 1, tzinfo=JAKARTA))
    after = client.get(product.get_absolute_url()).text

    since = f"dipajang sejak {display.starts_on.day} "
    assert "Tutup sekarang" in before and "buka pukul 08.00" in before
    assert "Buka sekarang" in after and "tutup pukul 16.00" in after
    assert since in before and since in after


def test_a_refusal_does_not_switch_a_public_pages_cache_off(client):
    """A visitor sent a private 403 once on a public address (here a view refusing
    the first request) does not make this process skip the cache for that
    address: the page is stored and served from the cache afterwards."""
    make_product(name="Gipang Kacang")
    refusals = [True]

    def refuse_once(request):
        if refusals and refusals.pop():
            return permission_denied(request, PermissionDenied())
        response = ProductListView.as_view()(request)
        return response.render()

    middleware = PublicPageCacheMiddleware(refuse_once)
    refused = middleware(RequestFactory().get("/produk/"))
    assert refused.status_code == 403 and "private" in refused["Cache-Control"]

    served = [middleware(RequestFactory().get("/produk/")) for _ in range(2)]

    assert [r.get("X-Page-Cache") for r in served] == ["miss", "hit"]
