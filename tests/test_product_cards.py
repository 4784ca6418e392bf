"""Product cards are rendered once per content, not on every list page: a card is
kept in the cache under a fingerprint of everything it shows, so a changed product
(or its business's name, or the language) simply gets a card of its own."""

import pytest

from products.models import Category, Product
from serang_umkm.page_cache import move_generation_on
from tests.factories import add_photo, make_product

pytestmark = pytest.mark.django_db

CARD = "products/_product_card.html"


def cards_rendered(response):
    return sum(1 for template in response.templates if template.name == CARD)


def test_a_list_renders_each_card_once_then_reads_it(client):
    """A list page renders its product cards once; the next visit reads them from the
    cache and shows the same page."""
    for number in range(3):
        add_photo(make_product(name=f"Keripik {number}"))

    first = client.get("/produk/")
    second = client.get("/produk/")

    assert cards_rendered(first) == 3
    assert cards_rendered(second) == 0
    assert second.content == first.content


def test_a_changed_product_gets_its_new_card_at_once(client):
    """A new price or business name shows on the product's card at once: only that card
    is rendered again."""
    product = make_product(name="Dodol Ketan", price=25000)
    client.get("/produk/")

    product = Product.objects.get(pk=product.pk)
    product.price = 27500
    product.save()
    business = product.business
    business.name = "Dodol Bu Ani"
    business.save()
    page = client.get("/produk/")

    assert cards_rendered(page) == 1
    assert "Rp 27.500" in page.text and "Dodol Bu Ani" in page.text
    assert "Rp 25.000" not in page.text


def test_each_language_has_its_cards(client):
    """The English list has cards of its own, linking to the English pages."""
    make_product(name="Emping")
    client.get("/produk/")

    english = client.get("/en/produk/")

    assert cards_rendered(english) == 1
    assert 'href="/en/produk/' in english.text


def test_the_count_of_results_is_read_once_until_the_catalogue_changes(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Every list page counts its results over the whole catalogue: the count is
    kept, and counted again once something residents see changed (its version
    moves when a change commits)."""
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            make_product(name=f"Gipang {number}")
    first = client.get("/produk/")
    assert "3 produk" in first.text

    with django_assert_max_num_queries(50) as counted:
        client.get("/produk/")
    counts = [q["sql"] for q in counted.captured_queries if "COUNT(" in q["sql"]]
    assert not counts, counts

    with django_capture_on_commit_callbacks(execute=True):
        make_product(name="Gipang Pedas")
    assert "4 produk" in client.get("/produk/").text


def test_a_search_page_reads_its_count_with_its_page(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """A search ranks every match for any page, so the count of results comes in
    the same query as the page's products, not in a COUNT of its own."""
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            make_product(name=f"Gipang {number}")

    with django_assert_max_num_queries(50) as counted:
        page = client.get("/produk/?q=gipang")

    counts = [q["sql"] for q in counted.captured_queries if "COUNT(" in q["sql"]]
    assert "3 produk" in page.text
    assert len(counts) == 1 and "LIMIT 24" in counts[0], counts


def test_the_filter_form_is_rendered_once_per_address_until_its_choices_change(
    client, django_capture_on_commit_callbacks
):
    """The list's filter form is rendered once for its filters (not again for another
    page), and a renamed category shows in it at once."""
    move_generation_on()
    with django_capture_on_commit_callbacks(execute=True):
        make_product(name="Kopi Robusta")
    first = client.get("/produk/?kategori=makanan&page=1")
    second = client.get("/produk/?kategori=makanan&page=2")
    assert "products/_filter_form.html" in [t.name for t in first.templates]
    assert "products/_filter_form.html" not in [t.name for t in second.templates]

    with django_capture_on_commit_callbacks(execute=True):
        category = Category.objects.get(slug="minuman")
        category.name = "Minuman segar"
        category.save()

    assert "Minuman segar" in client.get("/produk/?kategori=makanan").text


def test_a_new_main_photo_or_its_description_shows_on_the_card_at_once(client):
    """An owner putting a new photo first, or describing it, sees the card of the
    list show that photo and description on the next visit."""
    product = make_product(name="Batik Serang")
    old = add_photo(product, position=1)
    first = client.get("/produk/").text
    assert old.thumbnail.url in first

    new = add_photo(product, position=0)
    new.alt_text = "Kain batik motif Surosowan"
    new.save()
    page = client.get("/produk/").text

    assert new.thumbnail.url in page and old.thumbnail.url not in page
    assert "Kain batik motif Surosowan" in page


def test_the_filter_form_is_kept_rendered_with_the_page_cache_off(client):
    """With the page cache off (and nothing changed yet) the filter form is still
    rendered once per address, and shows the same choices."""
    make_product(name="Kopi Robusta")
    first = client.get("/produk/?kategori=makanan&page=1")
    second = client.get("/produk/?kategori=makanan&page=2")

    assert "products/_filter_form.html" in [t.name for t in first.templates]
    assert "products/_filter_form.html" not in [t.name for t in second.templates]
    assert 'value="makanan" selected' in second.text


def test_the_first_photos_of_a_list_load_at_once_and_the_rest_when_scrolled_to(
    client,
):
    """On a phone the first row of a result page is on screen at once: its photos
    are not lazy (the largest thing a resident waits for), the rest are; a card
    shown first on one page and further down on another is right on both."""
    for number in range(5):
        make_product(name=f"Emping {number}", photo=True)

    newest_first = client.get("/produk/").text
    by_name = client.get("/produk/?urut=nama").text

    images = [tag for tag in newest_first.split("<img")[1:] if "card-img-top" in tag]
    assert len(images) == 5
    assert ['loading="lazy"' in tag for tag in images] == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert 'fetchpriority="high"' in images[0]
    first_by_name = next(t for t in by_name.split("<img")[1:] if "card-img-top" in t)
    assert 'loading="lazy"' not in first_by_name
