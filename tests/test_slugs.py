"""Unique slugs in one query (products.models.unique_slug), by the rule seed_demo's
SlugRegistry shares (free_slug)."""

import pytest

from outlets.management.commands.seed_demo import SlugRegistry
from products.models import Business, Product, free_slug, slug_base, unique_slug
from tests.factories import make_business, make_product

pytestmark = pytest.mark.django_db


def namesakes(template, slugs):
    """Products named like template with the given slugs, without one save each."""
    Product.objects.bulk_create(
        Product(
            business=template.business,
            category=template.category,
            name=template.name,
            slug=slug,
            price=template.price,
            status=template.status,
        )
        for slug in slugs
    )


def test_a_product_with_300_namesakes_is_saved_in_a_bounded_number_of_queries(
    django_assert_max_num_queries,
):
    """A product named like 300 others is saved in at most 12 queries, with the next
    free address ("kopi-banten-301")."""
    first = make_product(name="Kopi Banten")
    namesakes(first, [f"kopi-banten-{number}" for number in range(2, 301)])
    product = Product(
        business=first.business, category=first.category, name="Kopi Banten", price=1
    )

    with django_assert_max_num_queries(12):
        product.save()

    assert product.slug == "kopi-banten-301"


def test_the_slug_query_is_one_whatever_the_namesakes(django_assert_num_queries):
    """Finding the next free address among 300 namesakes costs one query."""
    first = make_product(name="Kopi Banten")
    namesakes(first, [f"kopi-banten-{number}" for number in range(2, 301)])

    with django_assert_num_queries(1):
        slug = unique_slug(Product(), "Kopi Banten")

    assert slug == "kopi-banten-301"


def test_the_lowest_free_number_fills_a_gap():
    """A new namesake takes the lowest free number: "dodol-4" between "dodol-3" and
    "dodol-5"."""
    first = make_product(name="Dodol")
    namesakes(first, ["dodol-2", "dodol-3", "dodol-5"])

    assert unique_slug(Product(), "Dodol") == "dodol-4"


def test_lookalikes_are_not_namesakes():
    """Addresses that only look numbered ("dodol-2x", "dodol-2-3") or contain the name
    ("xdodol-2", "dodol-durian") do not count as namesakes."""
    first = make_product(name="Dodol")
    namesakes(first, ["dodol-2x", "dodol-durian", "dodol-2-3", "xdodol-2"])

    assert unique_slug(Product(), "Dodol") == "dodol-2"
    assert unique_slug(Product(), "Dodol Durian") == "dodol-durian-2"


def test_a_free_base_is_kept_and_an_object_keeps_its_own_slug():
    """A name whose address is free gets it without a number, and a product keeps its
    own address."""
    product = make_product(name="Emping Melinjo")

    assert unique_slug(Product(), "Emping Jagung") == "emping-jagung"
    assert unique_slug(product, "Emping Melinjo") == "emping-melinjo"


def test_the_base_leaves_room_for_a_suffix_within_max_length():
    """A very long business name gets a shortened address with room for a number, so a
    second business of that name gets "-2" within the column's length."""
    long_name = ("Keripik " * 15).strip()  # 119 characters, the slug too long
    business = make_business(name=long_name)
    other = make_business(name=long_name)

    base = slug_base(long_name)
    assert len(base) <= 74
    assert business.slug == base
    assert other.slug == f"{base}-2"
    assert len(other.slug) <= Business._meta.get_field("slug").max_length


def test_free_slug_is_the_rule():
    """The rule: the name's own address if free, else the lowest free number ("-2",
    "-3"…)."""
    assert free_slug("sate", set()) == "sate"
    assert free_slug("sate", {"sate"}) == "sate-2"
    assert free_slug("sate", {"sate", "sate-2", "sate-4"}) == "sate-3"
    assert free_slug("sate", {"sate-2"}) == "sate"


def test_seed_demos_registry_follows_the_same_rule():
    """The demo data claims addresses by the same rule, never the same one twice."""
    registry = SlugRegistry(["sate", "sate-2", "sate-4"])

    assert [registry.claim("Sate") for _ in range(3)] == ["sate-3", "sate-5", "sate-6"]
    assert registry.claim("Sate Bandeng") == "sate-bandeng"
    assert registry.claim("Sate Bandeng") == "sate-bandeng-2"
