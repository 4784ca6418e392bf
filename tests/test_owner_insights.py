"""What owners see of their products' counts (issue #16): on the dashboard, each
public product's views, WhatsApp taps and label scans of the last 30 days; on a
product's statistics page, the same day by day (zero-filled), each outlet's share of
the scans and the category's median; never another owner's product, and in a
constant number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from outlets.models import LabelScan, Outlet
from products import insights
from products.models import Business, Category, Product, ProductCount
from tests.factories import make_business, make_product, make_user

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PHONE = (
    "Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"
)


def as_resident(client, path, number):
    """A resident's visit from an address of their own, on a phone."""
    client.logout()
    return client.get(path, REMOTE_ADDR=f"203.0.113.{number}", HTTP_USER_AGENT=PHONE)


def view(client, product, *visitors):
    for number in visitors:
        assert (
            as_resident(client, product.get_absolute_url(), number).status_code == 200
        )


def tap(client, product, *visitors):
    for number in visitors:
        path = reverse("order_on_whatsapp", args=[product.pk])
        assert as_resident(client, path, number).status_code == 302


def scan(client, outlet, product, *visitors):
    for number in visitors:
        path = reverse("label_scan", args=[outlet.pk, product.pk])
        assert as_resident(client, path, number).status_code == 302


def statistics_url(product):
    return reverse("products:product_statistics", args=[product.slug])


def text_of(html):
    """The page's words, tags stripped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def marked(html, name):
    """The texts of the elements marked data-testid=name."""
    found = re.findall(
        rf'data-testid="{name}"[^>]*>(.*?)</(?:dd|li|tr|p)>', html, flags=re.S
    )
    return [text_of(part) for part in found]


@pytest.fixture
def owner():
    return make_user(full_name="Siti Aminah")


@pytest.fixture
def snack(db):
    return Category.objects.create(name="Makanan Ringan", slug="makanan-ringan")


@pytest.fixture
def emping(owner, snack):
    business = make_business(owner=owner, name="Dapur Siti")
    return make_product(business=business, name="Emping Melinjo", category=snack)


def test_owner_sees_the_views_taps_and_scans_residents_made(
    client, owner, emping, cipare, kasemen
):
    """Three residents open the page (one twice: counted once), two tap WhatsApp,
    three scan labels at two outlets: the owner sees 3, 2 and 3 on the dashboard
    and on the product's page, today's row of the table included."""
    view(client, emping, 1, 2, 3, 1)
    tap(client, emping, 1, 2)
    scan(client, cipare, emping, 4, 5)
    scan(client, kasemen, emping, 6)
    client.force_login(owner)
    client.get(emping.get_absolute_url(), HTTP_USER_AGENT=PHONE)  # not a resident

    dashboard = client.get(reverse("outlets:dashboard")).content.decode()
    page = client.get(statistics_url(emping)).content.decode()

    assert marked(dashboard, "performance") == ["Emping Melinjo 3 2 3"]
    assert f'href="{statistics_url(emping)}"' in dashboard
    assert marked(page, "total-views") == ["3"]
    assert marked(page, "total-taps") == ["2"]
    assert marked(page, "total-scans") == ["3"]
    days = marked(page, "day")
    assert len(days) == 30
    assert days[-1].endswith(" 3 2 3")
    assert all(day.endswith(" 0 0 0") for day in days[:-1])


def test_days_without_counts_are_zeros_and_older_days_are_left_out(
    client, owner, emping, cipare
):
    """The table has one row per day of the last 30, today included; the 30th day
    back is in, the 31st is not."""
    today = timezone.localdate()
    ProductCount.objects.create(product=emping, day=today - 29 * DAY, views=7)
    ProductCount.objects.create(
        product=emping, day=today - 30 * DAY, views=100, whatsapp_taps=100
    )
    ProductCount.objects.create(
        product=emping, day=today - 5 * DAY, views=2, whatsapp_taps=1
    )
    LabelScan.objects.create(
        outlet=cipare, product=emping, day=today - 5 * DAY, scans=4
    )
    LabelScan.objects.create(
        outlet=cipare, product=emping, day=today - 31 * DAY, scans=50
    )
    client.force_login(owner)

    response = client.get(statistics_url(emping))
    page = response.content.decode()

    rows = marked(page, "day")
    dates = re.findall(r'<time datetime="([\d-]+)"', page)
    assert dates[0] == (today - 29 * DAY).isoformat()
    assert dates[-1] == today.isoformat()
    assert len(rows) == len(dates) == 30
    by_date = dict(zip(dates, rows, strict=True))
    assert by_date[(today - 29 * DAY).isoformat()].endswith(" 7 0 0")
    assert by_date[(today - 5 * DAY).isoformat()].endswith(" 2 1 4")
    assert sum(row.endswith(" 0 0 0") for row in rows) == 28
    assert marked(page, "total-views") == ["9"]
    assert marked(page, "total-taps") == ["1"]
    assert marked(page, "total-scans") == ["4"]
    views_chart = response.context["charts"][0]
    assert [column.value for column in views_chart.columns].count(0) == 28
    assert views_chart.largest == 7


def test_another_owners_product_is_not_found(client, owner, emping):
    """Another owner gets a 404; someone signed out is asked to sign in; the page
    is never stored by a cache."""
    client.force_login(make_user())
    assert client.get(statistics_url(emping)).status_code == 404

    client.logout()
    response = client.get(statistics_url(emping))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

    client.force_login(owner)
    response = client.get(statistics_url(emping))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_outlet_shares_of_the_scans_add_up_to_100(
    client, owner, emping, cipare, kasemen, iwak_banten
):
    """Scans of the last 30 days only, per outlet, most first, in percentages that
    add up to 100 even when each is a third."""
    today = timezone.localdate()
    for outlet, scans in [(cipare, 2), (kasemen, 1), (iwak_banten, 1)]:
        LabelScan.objects.create(outlet=outlet, product=emping, day=today, scans=scans)
    LabelScan.objects.create(outlet=kasemen, product=emping, day=today - DAY, scans=1)
    LabelScan.objects.create(
        outlet=iwak_banten, product=emping, day=today - 40 * DAY, scans=90
    )
    client.force_login(owner)

    with translation.override("en"):
        page = client.get(statistics_url(emping)).content.decode()

    assert marked(page, "scan-share") == [
        "Gerai UMKM Cipare: 2 scans (40%)",
        "Gerai UMKM Kasemen: 2 scans (40%)",
        "Iwak Banten: 1 scan (20%)",
    ]
    LabelScan.objects.filter(day=today - DAY).delete()
    shares = insights.scan_shares(emping)
    assert [share.scans for share in shares] == [2, 1, 1]
    assert [share.percent for share in shares] == [50, 25, 25]
    thirds = insights.shares_of([1, 1, 1])
    assert sum(thirds) == 100 and sorted(thirds) == [33, 33, 34]


def test_without_scans_the_page_says_so(client, owner, emping):
    client.force_login(owner)

    with translation.override("en"):
        page = client.get(statistics_url(emping)).content.decode()

    assert marked(page, "scan-share") == []
    assert "No shelf label of this product was scanned" in page


def views_in(category, *views, today):
    """Public products of category with these views over the last days (None: a
    product without any count)."""
    products = []
    for number, total in enumerate(views):
        product = make_product(category=category, name=f"Keripik {number}")
        if total is not None:
            # Spread over two days, as real counts are.
            ProductCount.objects.create(product=product, day=today, views=total // 2)
            ProductCount.objects.create(
                product=product, day=today - 3 * DAY, views=total - total // 2
            )
        products.append(product)
    return products


def test_category_median_of_an_odd_and_an_even_number_of_products(
    client, owner, emping, snack
):
    """Emping is one of the category's public products: with 40 views among 0, 5
    and 12 the median is 5 (or 12 of the middle two, 5 and 12, when a product is
    added: 8.5). Products of other categories, not public, or with views 31 days
    ago do not count."""
    today = timezone.localdate()
    ProductCount.objects.create(product=emping, day=today, views=40)
    views_in(snack, None, 5, 12, today=today)
    old = make_product(category=snack, name="Keripik lama", status="draft")
    ProductCount.objects.create(product=old, day=today, views=1000)
    hidden = make_product(
        category=snack,
        business=make_business(status=Business.Status.PENDING),
    )
    ProductCount.objects.create(product=hidden, day=today, views=1000)
    ProductCount.objects.create(
        product=views_in(snack, None, today=today)[0],
        day=today - 30 * DAY,
        views=500,
    )
    views_in(Category.objects.get(slug="makanan"), 900, 900, 900, today=today)
    client.force_login(owner)

    odd = insights.category_median(emping)
    with translation.override("en"):
        page = client.get(statistics_url(emping)).content.decode()

    # 0, 0 (seen 31 days ago), 5, 12, 40: the median of five is 5.
    assert (odd.median, odd.products, odd.views) == (5, 5, 40)
    assert marked(page, "median")[0] == (
        "Viewed 40 times; median of the category Makanan Ringan: 5."
    )
    assert odd.above

    views_in(snack, 30, today=today)
    even = insights.category_median(emping)
    with translation.override("en"):
        page = client.get(statistics_url(emping)).content.decode()

    # 0, 0, 5, 12, 30, 40: the middle two are 5 and 12.
    assert (even.median, even.products) == (8.5, 6)
    assert marked(page, "median")[0] == (
        "Viewed 40 times; median of the category Makanan Ringan: 8.5."
    )


def test_median_of_a_category_most_of_whose_products_nobody_saw(
    client, owner, emping, snack, django_assert_max_num_queries
):
    """Two thousand public products, three seen: the median is 0, read in a few
    queries (the products without counts are counted, not listed)."""
    today = timezone.localdate()
    ProductCount.objects.create(product=emping, day=today, views=3)
    business = make_business()
    Product.objects.bulk_create(
        Product(
            business=business,
            category=snack,
            name=f"Kerupuk {number}",
            slug=f"kerupuk-{number}",
            price=10000,
            status=Product.Status.APPROVED,
        )
        for number in range(2000)
    )
    seen = list(Product.objects.filter(business=business).order_by("pk")[:2])
    for product in seen:
        ProductCount.objects.create(product=product, day=today, views=50)

    with django_assert_max_num_queries(4):
        median = insights.category_median(emping)

    assert (median.median, median.products, median.views) == (0, 2001, 3)
    client.force_login(owner)
    with translation.override("en"):
        page = client.get(statistics_url(emping)).content.decode()
    assert marked(page, "median")[0] == (
        "Viewed 3 times; median of the category Makanan Ringan: 0."
    )
    assert "category’s 2,001 public products" in page
    assert insights.median_with_zeros([8, 3], zeros=0) == 5.5
    assert insights.median_with_zeros([8, 3], zeros=1) == 3
    assert insights.median_with_zeros([], zeros=0) is None


def test_product_totals_count_each_product_of_the_last_30_days(emping, cipare):
    """Totals of several products in two queries, zero for a product never seen."""
    today = timezone.localdate()
    other = make_product(business=emping.business)
    ProductCount.objects.create(product=emping, day=today, views=4, whatsapp_taps=1)
    ProductCount.objects.create(product=emping, day=today - 29 * DAY, views=6)
    ProductCount.objects.create(product=emping, day=today - 30 * DAY, views=60)
    LabelScan.objects.create(outlet=cipare, product=emping, day=today, scans=3)

    with CaptureQueriesContext(connection) as queries:
        totals = insights.product_totals([emping, other.pk])

    assert len(queries) == 2
    assert totals[emping.pk] == insights.Totals(views=10, taps=1, scans=3)
    assert totals[other.pk] == insights.Totals()
    assert insights.product_totals([]) == {}


def test_dashboard_lists_public_products_most_seen_first(client, owner, emping):
    """Only public products, the most seen first, each linking to its page; an
    owner of more than eight is led to the list of all."""
    today = timezone.localdate()
    business = emping.business
    draft = make_product(business=business, name="Draf", status="draft")
    ProductCount.objects.create(product=draft, day=today, views=99)
    popular = make_product(business=business, name="Dodol")
    ProductCount.objects.create(product=popular, day=today, views=20)
    ProductCount.objects.create(product=emping, day=today, views=2)
    client.force_login(owner)

    page = client.get(reverse("outlets:dashboard")).content.decode()

    assert marked(page, "performance") == ["Dodol 20 0 0", "Emping Melinjo 2 0 0"]
    section = page.split('id="performance-heading"')[1].split("</section>")[0]
    assert f'href="{reverse("products:owner_products")}"' not in section
    for number in range(7):
        make_product(business=business, name=f"Kue {number}")
    page = client.get(reverse("outlets:dashboard")).content.decode()
    section = page.split('id="performance-heading"')[1].split("</section>")[0]
    assert len(marked(page, "performance")) == 8
    assert f'href="{reverse("products:owner_products")}"' in section

    products_page = client.get(reverse("products:owner_products")).content.decode()
    assert f'href="{statistics_url(popular)}"' in products_page
    assert f'href="{statistics_url(draft)}"' not in products_page


def test_an_owner_without_public_products_sees_no_statistics(client, owner):
    make_product(business=make_business(owner=owner), status="draft")
    client.force_login(owner)

    page = client.get(reverse("outlets:dashboard")).content.decode()

    assert 'id="performance-heading"' not in page


def test_a_withdrawn_product_keeps_its_statistics_with_a_note(client, owner, emping):
    """A product no longer public still shows what it gathered, with a note, and is
    not counted among the category's public products."""
    ProductCount.objects.create(product=emping, day=timezone.localdate(), views=5)
    Product.objects.filter(pk=emping.pk).update(status=Product.Status.DRAFT)
    client.force_login(owner)

    with translation.override("en"):
        page = client.get(statistics_url(emping)).content.decode()

    assert marked(page, "total-views") == ["5"]
    assert "This product is not public now" in page
    assert marked(page, "median")[0] == (
        "Viewed 5 times; the category Makanan Ringan has no public products to "
        "compare with."
    )


def test_pages_read_a_constant_number_of_queries(
    client, owner, emping, cipare, django_assert_max_num_queries
):
    """The dashboard and a statistics page read as many queries for an owner of
    forty products with 30 days of counts each as for one with a product."""
    client.force_login(owner)
    dashboard = reverse("outlets:dashboard")
    with CaptureQueriesContext(connection) as few_dashboard:
        client.get(dashboard)
    with CaptureQueriesContext(connection) as few_statistics:
        client.get(statistics_url(emping))

    today = timezone.localdate()
    products = [emping] + [
        make_product(business=emping.business, category=emping.category)
        for _number in range(39)
    ]
    ProductCount.objects.bulk_create(
        ProductCount(product=product, day=today - number * DAY, views=number + 1)
        for product in products
        for number in range(30)
    )
    LabelScan.objects.bulk_create(
        LabelScan(outlet=outlet, product=product, day=today - number * DAY, scans=1)
        for product in products
        for outlet in Outlet.objects.all()
        for number in range(30)
    )

    with django_assert_max_num_queries(len(few_dashboard)):
        page = client.get(dashboard).content.decode()
    with django_assert_max_num_queries(len(few_statistics)):
        response = client.get(statistics_url(emping))

    assert len(marked(page, "performance")) == 8
    assert response.context["totals"].views == sum(range(1, 31))
    assert response.context["totals"].scans == 30 * Outlet.objects.count()
