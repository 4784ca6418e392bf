"""Searching and filtering the product list (/produk/): every filter alone and
together, sorting, shareable addresses, tolerance of bad parameters, query bounds,
and the search itself on PostgreSQL (full text, typos, ranking) and SQLite."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from outlets.models import Display
from products.forms import ProductFilterForm
from products.models import Business, Category, Certification, Kelurahan, Product
from tests.factories import make_business, make_display, make_product

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite fallback search"
)

LIST_URL = reverse("products:list")


def listed(client, **params):
    """The names of the products on the list page for these parameters, in order."""
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return [product.name for product in response.context["object_list"]]


def today():
    return timezone.localdate()


def days(number):
    return datetime.timedelta(days=number)


# Filters, one at a time


def test_category_filter_keeps_only_that_category(client):
    """kategori narrows the list to the category with that slug."""
    make_product(name="Anyaman Pandan", category=Category.objects.get(slug="kerajinan"))
    make_product(name="Nasi Sumsum")

    assert listed(client, kategori="kerajinan") == ["Anyaman Pandan"]


def test_outlet_filter_keeps_only_products_on_display_there_now(
    client, cipare, kasemen
):
    """gerai shows products whose display at that outlet is current: not ended,
    not starting later, not merely requested, not at another outlet."""
    make_display(make_product(name="Sedang Dipajang"), cipare)
    make_display(make_product(name="Sampai Besok"), cipare, ends_on=today() + days(1))
    make_display(
        make_product(name="Sudah Selesai"),
        cipare,
        starts_on=today() - days(10),
        ends_on=today() - days(1),
    )
    make_display(
        make_product(name="Mulai Minggu Depan"), cipare, starts_on=today() + days(7)
    )
    make_display(
        make_product(name="Baru Diminta"), cipare, status=Display.Status.REQUESTED
    )
    make_display(make_product(name="Di Kasemen"), kasemen)

    assert sorted(listed(client, gerai=cipare.slug)) == [
        "Sampai Besok",
        "Sedang Dipajang",
    ]


def test_kecamatan_filter_uses_the_business_location(client):
    """kecamatan keeps products of businesses in a kelurahan of that kecamatan."""
    in_kasemen = make_business(kelurahan=Kelurahan.objects.get(slug="banten"))
    make_product(name="Sate Bandeng Banten Lama", business=in_kasemen)
    make_product(name="Roti Cipare")  # The factory's business is in Cipare, Serang.

    assert listed(client, kecamatan="kasemen") == ["Sate Bandeng Banten Lama"]
    assert listed(client, kecamatan="serang") == ["Roti Cipare"]


@pytest.mark.parametrize(
    ("low", "high"),
    [("20000", "30000"), ("20.000", "30.000"), ("Rp 20.000", "Rp30.000")],
)
def test_price_range_accepts_plain_and_indonesian_numbers(client, low, high):
    """harga_min and harga_max bound the price, inclusive, however written."""
    for price in [19999, 20000, 30000, 30001]:
        make_product(name=f"Harga {price}", price=price)

    assert sorted(listed(client, harga_min=low, harga_max=high)) == [
        "Harga 20000",
        "Harga 30000",
    ]


def test_halal_filter_keeps_only_valid_halal_certificates(client):
    """halal=1 keeps products whose halal certificate has not expired."""
    make_product(name="Halal Berlaku", halal_until=today() + days(30))
    make_product(name="Halal Sampai Hari Ini", halal_until=today())
    make_product(name="Halal Kedaluwarsa", halal_until=today() - days(1))
    make_product(name="Tanpa Sertifikat")
    pirt_only = make_product(name="Hanya PIRT")
    Certification.objects.create(
        product=pirt_only, kind=Certification.Kind.PIRT, number="2013673010001-25"
    )

    assert sorted(listed(client, halal="1")) == [
        "Halal Berlaku",
        "Halal Sampai Hari Ini",
    ]


def test_search_finds_words_in_the_name(client):
    """q finds a product by a word of its name, on any database."""
    make_product(name="Dodol Betawi")
    make_product(name="Kopi Robusta")

    assert listed(client, q="dodol") == ["Dodol Betawi"]


# Filters together


def test_filters_combine(client, cipare):
    """Every filter given narrows the list further."""
    kerajinan = Category.objects.get(slug="kerajinan")
    wanted = make_product(
        name="Tas Anyaman Halal",
        category=kerajinan,
        price=50000,
        halal_until=today() + days(30),
    )
    make_display(wanted, cipare)
    make_display(
        make_product(name="Tas Tanpa Halal", category=kerajinan, price=50000), cipare
    )
    make_display(
        make_product(
            name="Tas Terlalu Mahal",
            category=kerajinan,
            price=500000,
            halal_until=today() + days(30),
        ),
        cipare,
    )
    make_product(
        name="Tas Tidak Dipajang",
        category=kerajinan,
        price=50000,
        halal_until=today() + days(30),
    )
    make_display(make_product(name="Tas Makanan Halal", halal_until=today()), cipare)

    names = listed(
        client,
        q="tas",
        kategori="kerajinan",
        gerai=cipare.slug,
        kecamatan="serang",
        harga_max="100.000",
        halal="1",
    )

    assert names == ["Tas Anyaman Halal"]


def test_active_filters_can_each_be_removed(client):
    """Each active filter links to the same address without it (and its page)."""
    make_product(name="Kopi Robusta", category=Category.objects.get(slug="kopi-teh"))

    response = client.get(LIST_URL, {"q": "kopi", "kategori": "kopi-teh", "page": "1"})

    assert 'href="?kategori=kopi-teh"' in response.text
    assert 'href="?q=kopi"' in response.text
    assert f'href="{LIST_URL}"' in response.text


# Order and pages


def test_sort_orders(client):
    """urut orders by newest (default), price either way, or name; pk breaks ties."""
    now = timezone.now()
    make_product(name="Bandeng", price=30000, created_at=now - days(2))
    make_product(name="Anyaman", price=10000, created_at=now - days(1))
    make_product(name="Cilok", price=20000, created_at=now)

    assert listed(client) == ["Cilok", "Anyaman", "Bandeng"]
    assert listed(client, urut="terbaru") == ["Cilok", "Anyaman", "Bandeng"]
    assert listed(client, urut="harga") == ["Anyaman", "Cilok", "Bandeng"]
    assert listed(client, urut="-harga") == ["Bandeng", "Cilok", "Anyaman"]
    assert listed(client, urut="nama") == ["Anyaman", "Bandeng", "Cilok"]


def test_equal_prices_keep_a_stable_order_across_pages(client):
    """Products with the same price appear once each over the pages."""
    for number in range(30):
        make_product(name=f"Sama {number:02d}", price=10000)

    first = listed(client, urut="harga")
    second = listed(client, urut="harga", page="2")

    assert len(first) == 24
    assert len(second) == 6
    assert len(set(first + second)) == 30


def test_pagination_links_keep_the_filters(client):
    """The next-page link carries the search, filters and order along."""
    kerajinan = Category.objects.get(slug="kerajinan")
    for number in range(30):
        make_product(name=f"Anyaman {number}", category=kerajinan)
    make_product(name="Nasi Sumsum")

    response = client.get(LIST_URL, {"kategori": "kerajinan", "urut": "nama"})

    assert response.context["paginator"].count == 30
    assert 'href="?kategori=kerajinan&amp;urut=nama&amp;page=2"' in response.text


def test_the_count_of_matches_is_announced(client):
    """The number of matching products is in a status element, not just the page's."""
    for _ in range(30):
        make_product(category=Category.objects.get(slug="camilan"))

    response = client.get(LIST_URL, {"kategori": "camilan"})

    assert 'role="status">30 produk</p>' in response.text


# Bad parameters


@pytest.mark.parametrize(
    "params",
    [
        {"harga_min": "abc"},
        {"harga_max": "-5"},
        {"harga_min": "99999999999999999999999"},
        {"page": "999999"},
        {"page": "abc"},
        {"kategori": "tidak-ada"},
        {"kecamatan": "tidak-ada"},
        {"gerai": "tidak-ada"},
        {"urut": "xyz"},
        {"urut": "relevan"},
        {"halal": "ya"},
        {"q": "x" * 500},
        {"q": "& | ! ( ) :* <-> '"},
        {"q": "   "},
    ],
)
def test_bad_parameters_give_a_normal_page(client, params):
    """Nonsense in the address is ignored (or reported on the form), never a 500."""
    make_product(name="Dodol Betawi")

    response = client.get(LIST_URL, params)

    assert response.status_code == 200


def test_an_invalid_filter_is_ignored_and_the_others_still_apply(client):
    """An unknown category is reported on the form; the price filter still works."""
    make_product(name="Murah", price=5000)
    make_product(name="Mahal", price=500000)

    response = client.get(LIST_URL, {"kategori": "tidak-ada", "harga_max": "10000"})

    assert [p.name for p in response.context["object_list"]] == ["Murah"]
    assert "kategori" in response.context["form"].errors
    assert 'class="invalid-feedback' in response.text


def test_a_page_past_the_end_shows_the_last_page(client):
    """page=999999 shows the last page of the results."""
    for _ in range(30):
        make_product()

    response = client.get(LIST_URL, {"page": "999999"})

    assert response.context["page_obj"].number == 2
    assert len(response.context["object_list"]) == 6


def test_search_results_are_counted_and_paged(client):
    """A search announces how many products match and shows each of them once over
    its pages, and nothing that does not match."""
    for number in range(30):
        make_product(name=f"Dodol Rasa {number:02d}")
    make_product(name="Kopi Robusta")

    response = client.get(LIST_URL, {"q": "dodol"})
    first = [product.name for product in response.context["object_list"]]
    second = listed(client, q="dodol", page="2")

    assert 'role="status">30 produk</p>' in response.text
    assert len(first) == 24
    assert len(second) == 6
    assert sorted(first + second) == [f"Dodol Rasa {n:02d}" for n in range(30)]


@pytest.mark.parametrize(("number", "shown"), [("999999", 2), ("0", 2), ("abc", 1)])
def test_a_search_page_out_of_range_shows_the_nearest_page(client, number, shown):
    """A stale or mistyped page number of a search lands on a page of its results:
    past the end, the last page; not a number, the first."""
    for flavour in range(30):
        make_product(name=f"Dodol Rasa {flavour:02d}")

    response = client.get(LIST_URL, {"q": "dodol", "page": number})

    assert response.status_code == 200
    assert response.context["page_obj"].number == shown
    assert response.context["paginator"].count == 30
    assert len(response.context["object_list"]) == (6 if shown == 2 else 24)


def test_a_search_without_matches_says_so(client):
    """A search nothing matches shows zero products and suggestions, not an error."""
    make_product(name="Dodol Betawi")

    response = client.get(LIST_URL, {"q": "zzzqqq"})

    assert response.status_code == 200
    assert response.context["paginator"].count == 0
    assert list(response.context["object_list"]) == []
    assert 'id="no-results"' in response.text


def test_a_search_page_runs_a_bounded_number_of_queries(
    client, django_assert_max_num_queries
):
    """A search page of 24 products with photos costs a few queries however many
    products match: the ranked page with the count of matches, the page's products,
    their photos and badges, and the form's choices."""
    for _ in range(30):
        make_product(name="Dodol Bulat", photo=True)

    with django_assert_max_num_queries(7):
        response = client.get(LIST_URL, {"q": "dodol", "page": "2"})
    assert len(response.context["object_list"]) == 6
    assert response.context["paginator"].count == 30


# Visibility and cost


def test_only_public_products_are_listed_or_found(client):
    """Drafts, pending, rejected or withdrawn products and those of unverified
    businesses are never listed, whatever the search or filters."""
    make_product(name="Dodol Tampil")
    for status in ["draft", "pending", "rejected", "withdrawn"]:
        make_product(name=f"Dodol {status}", status=status)
    make_product(
        name="Dodol Usaha Belum Diverifikasi",
        business=make_business(status=Business.Status.PENDING),
    )

    assert listed(client) == ["Dodol Tampil"]
    assert listed(client, q="dodol") == ["Dodol Tampil"]
    assert listed(client, kategori="makanan", urut="nama") == ["Dodol Tampil"]


def test_listing_runs_a_bounded_number_of_queries(
    client, cipare, django_assert_max_num_queries
):
    """With every filter in use, a page of 24 products with photos costs the same few
    queries as an empty one: count, page, photos, badges and the form's choices."""
    for _ in range(30):
        product = make_product(
            name="Dodol Bulat", photo=True, halal_until=today() + days(30)
        )
        make_display(product, cipare)
    params = {
        "q": "dodol",
        "kategori": "makanan",
        "gerai": cipare.slug,
        "kecamatan": "serang",
        "harga_min": "1.000",
        "harga_max": "100.000",
        "halal": "1",
        "urut": "harga",
    }

    with django_assert_max_num_queries(7):  # the cards' badges too
        response = client.get(LIST_URL)
    assert len(response.context["object_list"]) == 24
    with django_assert_max_num_queries(9):
        response = client.get(LIST_URL, params)
    assert len(response.context["object_list"]) == 24
    assert response.text.count("/media/products/") >= 24


def test_search_and_filter_fields_are_labelled(client):
    """Every field of the form has a label (its name for screen readers)."""
    response = client.get(LIST_URL)

    for name in ProductFilterForm.base_fields:
        assert re.search(rf'<label\s+for="id_{name}"', response.text), name


# The form on its own


@pytest.mark.parametrize(
    ("written", "rupiah"),
    [("25000", 25000), ("25.000", 25000), ("Rp 25.000", 25000), ("1.250.000", 1250000)],
)
def test_form_reads_rupiah_amounts(written, rupiah):
    """Prices are read as whole rupiah, with or without thousands dots and "Rp"."""
    form = ProductFilterForm({"harga_min": written})

    assert form.is_valid()
    assert form.cleaned_data["harga_min"] == rupiah


def test_form_reads_a_backwards_price_range_the_right_way_round():
    """A lowest price above the highest is taken as the range between them."""
    form = ProductFilterForm({"harga_min": "50.000", "harga_max": "10.000"})

    assert form.is_valid()
    assert (form.cleaned_data["harga_min"], form.cleaned_data["harga_max"]) == (
        10000,
        50000,
    )


def test_form_orders_by_relevance_only_when_searching():
    """The order defaults to relevance with search words and to newest without."""
    assert _cleaned({"q": "dodol"})["urut"] == "relevan"
    assert _cleaned({})["urut"] == "terbaru"
    assert _cleaned({"urut": "relevan"})["urut"] == "terbaru"
    assert _cleaned({"q": "dodol", "urut": "harga"})["urut"] == "harga"


def test_form_reports_unknown_slugs_and_keeps_valid_filters():
    """Unknown category, kecamatan or outlet slugs are errors; valid fields remain."""
    form = ProductFilterForm(
        {"kategori": "x", "kecamatan": "y", "gerai": "z", "halal": "1", "q": "kopi"}
    )

    assert not form.is_valid()
    assert set(form.errors) == {"kategori", "kecamatan", "gerai"}
    assert form.cleaned_data["halal"] is True
    assert form.cleaned_data["q"] == "kopi"


def _cleaned(data):
    form = ProductFilterForm(data)
    form.is_valid()
    return form.cleaned_data


# Search on PostgreSQL


@on_postgresql
def test_postgresql_search_stems_indonesian_words(client):
    """ "kerajinan" finds "Kerajinan Tangan …" and, ranked below it, a product whose
    business name holds the word."""
    by_business = make_product(
        name="Tas Pandan",
        business=make_business(name="Kerajinan Bu Ani"),
        category=Category.objects.get(slug="makanan"),
    )
    make_product(
        name="Kerajinan Tangan Anyaman Bambu",
        category=Category.objects.get(slug="makanan"),
    )
    make_product(name="Kopi Robusta")

    assert listed(client, q="kerajinan") == [
        "Kerajinan Tangan Anyaman Bambu",
        by_business.name,
    ]


@on_postgresql
@pytest.mark.parametrize(
    ("typed", "found"), [("dodool", "Dodol Betawi"), ("empeng", "Emping Melinjo")]
)
def test_postgresql_search_forgives_typos(client, typed, found):
    """A misspelt word still finds the product with the near name."""
    make_product(name="Dodol Betawi")
    make_product(name="Emping Melinjo")
    make_product(name="Kopi Robusta")

    assert listed(client, q=typed) == [found]


@on_postgresql
def test_postgresql_search_matches_short_words_only_as_words(client):
    """A short word has too few letters to guess a typo: "tas" finds bags, not
    "Keripik Talas"."""
    make_product(name="Tas Rajut")
    make_product(name="Keripik Talas")

    assert listed(client, q="tas") == ["Tas Rajut"]


@on_postgresql
def test_postgresql_search_ranks_name_above_description(client):
    """A product named after the word comes before one that only describes it."""
    make_product(
        name="Oleh-oleh Banten",
        description="Paket berisi emping, kue dan dodol khas Serang.",
    )
    make_product(name="Dodol Durian")

    assert listed(client, q="dodol") == ["Dodol Durian", "Oleh-oleh Banten"]


@on_postgresql
def test_postgresql_search_pages_follow_the_ranking(client):
    """Over the pages of a search, products named after the word come first and
    products that rank the same keep the order they were added in."""
    described = [
        make_product(
            name=f"Paket Oleh-oleh {number:02d}",
            description="Berisi dodol dan emping khas Serang.",
        )
        for number in range(10)
    ]
    named = [make_product(name=f"Dodol Durian {number:02d}") for number in range(20)]

    pages = listed(client, q="dodol") + listed(client, q="dodol", page="2")

    assert pages == [product.name for product in named + described]


@on_postgresql
def test_postgresql_search_vector_follows_renames_and_edits():
    """Renaming a business or category, or editing a product, refreshes the stored
    search vector of the products concerned."""
    business = make_business(name="Usaha Lama")
    product = make_product(name="Keripik Singkong", business=business)
    category = Category.objects.get(slug="makanan")

    business = Business.objects.get(pk=business.pk)
    business.name = "Sambal Mantap"
    business.save()
    assert Product.objects.search("sambal").get() == product

    category.name = "Panganan Gurih"
    category.save()
    assert Product.objects.search("panganan").get() == product

    product.description = "Renyah dan pedas"
    product.save()
    assert Product.objects.search("pedas").get() == product
    assert not Product.objects.search("usaha lama").exists()


@on_postgresql
def test_postgresql_update_search_vectors_refreshes_any_queryset():
    """update_search_vectors() fills the vectors of rows written without save()."""
    product = make_product(name="Kue Satu")
    Product.objects.filter(pk=product.pk).update(
        description="Gurih sekali", search_vector=None
    )
    assert not Product.objects.search("gurih").exists()

    assert Product.objects.filter(pk=product.pk).update_search_vectors() == 1
    assert Product.objects.search("gurih").get() == product


# Search elsewhere (SQLite, the development default)


@on_sqlite
def test_sqlite_search_needs_every_word_somewhere(client):
    """Each word must appear in the name, category, business name or description."""
    make_product(
        name="Keripik Singkong",
        description="Pedas manis",
        business=make_business(name="Dapur Bu Sumi"),
    )
    make_product(name="Keripik Pisang", description="Manis")

    assert listed(client, q="keripik pedas") == ["Keripik Singkong"]
    assert listed(client, q="keripik sumi") == ["Keripik Singkong"]
    assert listed(client, q="KERIPIK makanan", urut="nama") == [
        "Keripik Pisang",
        "Keripik Singkong",
    ]


@on_sqlite
def test_sqlite_search_puts_name_matches_first(client):
    """Products with the word in their name come before the rest."""
    make_product(name="Oleh-oleh Banten", description="Berisi dodol dan emping")
    make_product(name="Dodol Durian")

    assert listed(client, q="dodol") == ["Dodol Durian", "Oleh-oleh Banten"]
