"""The page cache on a real day: one owner's edit re-renders the pages that show
what changed (its product's page, its business's page, the lists), and every
other product page stays cached; a hit costs one cache round trip.

Transactional, like tests/test_page_cache.py: pages go stale when a change commits.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from products.decisions import approve_product
from products.models import Category, Product
from serang_umkm.page_cache import (
    CATALOGUE,
    PublicPageCacheMiddleware,
    scope_key,
    touch_scopes,
)
from tests.factories import add_photo, make_business, make_product, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "page_cache_on"),
]


def served(client, url):
    """How the page cache answered (hit or miss) and the page's text."""
    response = client.get(url)
    assert response.status_code == 200
    return response.get("X-Page-Cache"), response.text


def test_an_owners_edit_re_renders_its_pages_and_no_other_product_page(client):
    """A product renamed shows its new name at once on its page, its business's page and
    the product list, while another business's product and business pages stay
    cached."""
    edited = make_product(
        name="Dodol Ketan", category=Category.objects.get(slug="kerajinan")
    )
    other = make_product(
        name="Emping Melinjo", category=Category.objects.get(slug="minuman")
    )
    pages = [
        edited.get_absolute_url(),
        edited.business.get_absolute_url(),
        other.get_absolute_url(),
        other.business.get_absolute_url(),
        "/produk/",
    ]
    for url in pages:
        served(client, url)
    assert all(served(client, url)[0] == "hit" for url in pages)

    edited = Product.objects.get(pk=edited.pk)
    edited.name = "Dodol Ketan Hitam"
    edited.save()

    assert served(client, edited.get_absolute_url())[0] == "miss"
    assert "Dodol Ketan Hitam" in served(client, edited.get_absolute_url())[1]
    assert "Dodol Ketan Hitam" in served(client, edited.business.get_absolute_url())[1]
    assert "Dodol Ketan Hitam" in served(client, "/produk/")[1]
    # The rest of the city's product pages stay as they are.
    assert served(client, other.get_absolute_url())[0] == "hit"
    assert served(client, other.business.get_absolute_url())[0] == "hit"


def test_a_business_renamed_shows_on_its_product_pages_at_once(client):
    """A business renamed shows its new name on its product's cached page at once."""
    product = make_product(name="Sate Bandeng")
    served(client, product.get_absolute_url())

    business = product.business
    business.name = "Sate Bandeng Hj. Mariam"
    business.save()

    assert "Sate Bandeng Hj. Mariam" in served(client, product.get_absolute_url())[1]


def test_a_new_public_product_joins_similar_products_and_a_moved_one_leaves(client):
    """A product page lists similar products of its category: a product becoming
    public there joins them at once; one moved to another category leaves."""
    makanan = Category.objects.get(slug="makanan")
    shown = make_product(name="Rabeg Kambing", category=makanan)
    url = shown.get_absolute_url()
    served(client, url)
    draft = make_product(name="Pecak Bandeng", category=makanan, status="draft")
    assert served(client, url)[0] == "hit"  # a draft is no similar product

    approve_product(Product.objects.get(pk=draft.pk), by=make_user(is_staff=True))
    assert "Pecak Bandeng" in served(client, url)[1]

    moved = Product.objects.get(pk=draft.pk)
    moved.category = Category.objects.get(slug="kerajinan")
    moved.save()
    assert "Pecak Bandeng" not in served(client, url)[1]


def test_a_new_photo_shows_on_the_product_page_and_in_the_lists(client):
    """A photo added to a product re-renders its cached page and the product list."""
    product = make_product(name="Keripik Talas")
    served(client, product.get_absolute_url())
    served(client, "/produk/")

    add_photo(product)

    assert served(client, product.get_absolute_url())[0] == "miss"
    assert served(client, "/produk/")[0] == "miss"


def test_a_draft_saved_re_renders_nothing(client):
    """A draft product saved leaves its business's published product's page, the
    business page and the home page cached."""
    product = make_product(name="Kopi Taktakan")
    draft = make_product(business=product.business, status="draft")
    pages = [product.get_absolute_url(), product.business.get_absolute_url(), "/"]
    for url in pages:
        served(client, url)

    draft = Product.objects.get(pk=draft.pk)
    draft.name = "Kopi Taktakan Robusta"
    draft.save()

    assert [served(client, url)[0] for url in pages] == ["hit", "hit", "hit"]


def test_a_page_rendered_while_a_change_commits_is_not_stored():
    """A render overlapping a commit may show the rows from before it: the
    catalogue's version moved while it rendered, so it is served but not kept."""
    make_product(name="Gipang")
    request = RequestFactory().get("/produk/")

    changes = [{CATALOGUE}]

    def render_while_a_change_commits(request):
        from products.views import ProductListView

        response = ProductListView.as_view()(request)
        response.render()
        if changes:
            touch_scopes(changes.pop())  # a colleague's change commits meanwhile
        return response

    middleware = PublicPageCacheMiddleware(render_while_a_change_commits)
    assert "X-Page-Cache" not in middleware(request)
    assert middleware(RequestFactory().get("/produk/"))["X-Page-Cache"] == "miss"
    assert middleware(RequestFactory().get("/produk/"))["X-Page-Cache"] == "hit"


def test_a_hit_costs_one_cache_round_trip(client, settings, monkeypatch):
    """With the generation and the outlets' hours memoised for a moment, a page
    this process has served before is read with its scopes' versions at once."""
    settings.PUBLIC_PAGE_STATE_MEMO_SECONDS = 60
    product = make_product(name="Bontot")
    url = product.get_absolute_url()
    served(client, url)
    served(client, url)

    # Round trips: calls into the cache from outside it (the local-memory cache
    # of the tests answers get_many() with get(), which is no second trip).
    calls, depth = [], []
    for name in ("get", "get_many", "set", "set_many", "incr", "add"):
        original = getattr(cache, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            if not depth:
                calls.append((_name, args[:1]))
            depth.append(_name)
            try:
                return _original(*args, **kwargs)
            finally:
                depth.pop()

        monkeypatch.setattr(cache, name, counted)

    assert served(client, url)[0] == "hit"
    assert [name for name, _args in calls] == ["get_many"], calls


def test_a_change_this_process_commits_shows_at_once_despite_the_memo(
    client, settings, cipare
):
    """An outlet renamed shows its new name on its cached page at once, even while the
    page cache remembers the site's state for a minute."""
    settings.PUBLIC_PAGE_STATE_MEMO_SECONDS = 60
    served(client, cipare.get_absolute_url())

    with transaction.atomic():
        cipare.name = "Gerai UMKM Cipare (baru)"
        cipare.save()

    assert "Gerai UMKM Cipare (baru)" in served(client, cipare.get_absolute_url())[1]


def test_a_scope_version_lost_from_the_cache_re_renders_the_page(client):
    """A product page whose version is lost from the cache (evicted, Redis restarted) is
    rendered afresh rather than served from the cache."""
    product = make_product(name="Kue Satu")
    url = product.get_absolute_url()
    served(client, url)
    served(client, url)
    business = make_business()
    assert business  # a change elsewhere gives the scopes versions
    product.name = "Kue Satu Banten"
    product.save()
    served(client, url)

    cache.delete(scope_key(f"product:{product.pk}"))

    assert served(client, url)[0] == "miss"


def test_a_browser_asking_again_gets_304_until_the_page_changes(client):
    """Over slow mobile data an unchanged page costs a few bytes: browsers keep it
    (Cache-Control: no-cache: they ask each time) and send its ETag back."""
    product = make_product(name="Jahe Merah")
    url = product.get_absolute_url()
    first = client.get(url)
    assert "no-cache" in first["Cache-Control"]
    etag = first["ETag"]

    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and not again.content

    product.price = 30000
    product.save()
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_description_edit_re_renders_its_page_and_search_but_not_the_lists(client):
    """An owner rewording a description changes what the product's page shows and
    what search finds, not any card: the home page and the lists stay cached, the
    product's page and a search for the new word show it at once."""
    kerajinan = Category.objects.get(slug="kerajinan")
    product = make_product(name="Tas Anyaman Pandan", category=kerajinan)
    lists = ["/", "/produk/", f"/produk/?kategori={kerajinan.slug}"]
    search = "/produk/?q=purun"
    for url in [*lists, search, product.get_absolute_url()]:
        served(client, url)

    product = Product.objects.get(pk=product.pk)
    product.description = "Dianyam tangan dari purun rawa Kasemen."
    product.save()

    assert [served(client, url)[0] for url in lists] == ["hit", "hit", "hit"]
    state, page = served(client, product.get_absolute_url())
    assert state == "miss"
    assert "purun rawa Kasemen" in page
    state, results = served(client, search)
    assert state == "miss"
    assert "Tas Anyaman Pandan" in results


def test_a_price_edit_shows_in_the_lists_at_once(client):
    """The card shows the price: a new price re-renders the lists and search."""
    product = make_product(name="Kopi Robusta Pabuaran", price=25000)
    pages = ["/produk/", "/produk/?q=robusta"]
    for url in pages:
        served(client, url)

    product = Product.objects.get(pk=product.pk)
    product.price = 27500
    product.save()

    for url in pages:
        state, page = served(client, url)
        assert state == "miss", url
        assert "27.500" in page, url


def test_the_sitemap_shows_a_description_edit_at_once(client):
    """Search engines read each product's day of last change in the sitemap, which
    a description edit (that no list shows) moves too."""
    product = make_product(name="Sambal Rajungan")
    last_week = timezone.now() - datetime.timedelta(days=7)
    Product.objects.filter(pk=product.pk).update(updated_at=last_week)
    url = "/sitemap-produk.xml"
    assert (
        f"<lastmod>{timezone.localdate(last_week)}</lastmod>" in served(client, url)[1]
    )

    product = Product.objects.get(pk=product.pk)
    product.description = "Pedas, tanpa pengawet."
    product.save()

    state, sitemap = served(client, url)
    assert state == "miss"
    assert f"<lastmod>{timezone.localdate()}</lastmod>" in sitemap


def test_a_price_changed_and_changed_back_shows_in_the_lists(client):
    """An owner who saves a new price and then, in the same form, puts the old one
    back sees the old price in the lists again: each save is compared with what
    the database held just before it, not with the row first loaded."""
    product = make_product(name="Gula Aren Cikeusal", price=25000)
    product = Product.objects.get(pk=product.pk)
    product.price = 27500
    product.save()
    assert "Rp 27.500" in served(client, "/produk/")[1]

    product.price = 25000
    product.save()

    page = served(client, "/produk/")[1]
    assert "Rp 25.000" in page and "Rp 27.500" not in page
