"""The page cache on a real day: one owner's edit re-renders the pages that show
what changed (its product's page, its business's page, the lists), and every
other product page stays cached; a hit costs one cache round trip.

Transactional, like tests/test_page_cache.py: pages go stale when a change commits.
"""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import RequestFactory

from outlets.caching import (
    CATALOGUE,
    PublicPageCacheMiddleware,
    scope_key,
    touch_scopes,
)
from products.decisions import approve_product
from products.models import Category, Product
from tests.factories import add_photo, make_business, make_product, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600


def served(client, url):
    """How the page cache answered (hit or miss) and the page's text."""
    response = client.get(url)
    assert response.status_code == 200
    return response.get("X-Page-Cache"), response.text


def test_an_owners_edit_re_renders_its_pages_and_no_other_product_page(client):
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
    product = make_product(name="Keripik Talas")
    served(client, product.get_absolute_url())
    served(client, "/produk/")

    add_photo(product)

    assert served(client, product.get_absolute_url())[0] == "miss"
    assert served(client, "/produk/")[0] == "miss"


def test_a_draft_saved_re_renders_nothing(client):
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
    settings.PUBLIC_PAGE_STATE_MEMO_SECONDS = 60
    served(client, cipare.get_absolute_url())

    with transaction.atomic():
        cipare.name = "Gerai UMKM Cipare (baru)"
        cipare.save()

    assert "Gerai UMKM Cipare (baru)" in served(client, cipare.get_absolute_url())[1]


def test_a_scope_version_lost_from_the_cache_re_renders_the_page(client):
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
