"""Product cards are rendered once per content, not on every list page: a card is
kept in the cache under a fingerprint of everything it shows, so a changed product
(or its business's name, or the language) simply gets a card of its own."""

import pytest

from products.models import Product
from tests.factories import add_photo, make_product

pytestmark = pytest.mark.django_db

CARD = "products/_product_card.html"


def cards_rendered(response):
    return sum(1 for template in response.templates if template.name == CARD)


def test_a_list_renders_each_card_once_then_reads_it(client):
    for number in range(3):
        add_photo(make_product(name=f"Keripik {number}"))

    first = client.get("/produk/")
    second = client.get("/produk/")

    assert cards_rendered(first) == 3
    assert cards_rendered(second) == 0
    assert second.content == first.content


def test_a_changed_product_gets_its_new_card_at_once(client):
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
    make_product(name="Emping")
    client.get("/produk/")

    english = client.get("/en/produk/")

    assert cards_rendered(english) == 1
    assert 'href="/en/produk/' in english.text
