"""The staff dashboard ("Ringkasan") in the admin: counts and charts, outlet capacity
scoped to the curator's agencies, the oldest waiting item of each queue, a constant
number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import CURATOR, VERIFIER
from outlets.models import Agency, Display, Outlet
from outlets.staff_dashboard import Bar, BarChart, percent_of
from products.models import Business, Category, Kecamatan, Kelurahan, Product
from tests.admin_helpers import admin_url, make_staff
from tests.factories import make_business, make_display, make_product

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def dashboard_url():
    return reverse("staff_dashboard")


def chart(response, chart_id):
    """The chart's {label: value}, in the chart's order."""
    found = next(c for c in response.context["charts"] if c.id == chart_id)
    return {str(bar.label): bar.value for bar in found.bars}


def queue(response, model):
    """The queue of the model, recognised by its link to the model's list."""
    changelist = admin_url(model, "changelist")
    return next(q for q in response.context["queues"] if q.url.startswith(changelist))


def capacity_rows(response):
    return {
        row.outlet.slug: (
            row.outlet.on_display,
            row.outlet.scheduled,
            row.outlet.requested,
        )
        for row in response.context["outlets"]
    }


def queries_for(client, url):
    """How many queries a GET of url runs (it must answer 200)."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("user", [None, "owner"])
def test_anyone_but_staff_is_sent_to_the_admin_login(client, user):
    """Anonymous visitors and signed-in owners get the admin login page."""
    if user:
        client.force_login(make_business().owner)

    response = client.get(dashboard_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_superuser_sees_businesses_and_products_counted_by_status(admin_client):
    """Each status row counts its rows and links to the list filtered on it."""
    for status in ["pending", "pending", "rejected"]:
        make_business(status=status)
    for status in ["pending", "pending", "pending", "draft", "rejected"]:
        make_product(status=status)  # each with a verified business

    response = admin_client.get(dashboard_url())

    assert response.status_code == 200
    assert chart(response, "business-status") == {
        str(Business.Status.PENDING.label): 2,
        str(Business.Status.VERIFIED.label): 5,
        str(Business.Status.REJECTED.label): 1,
    }
    assert chart(response, "product-status") == {
        str(Product.Status.DRAFT.label): 1,
        str(Product.Status.PENDING.label): 3,
        str(Product.Status.APPROVED.label): 0,
        str(Product.Status.REJECTED.label): 1,
        str(Product.Status.WITHDRAWN.label): 0,
    }
    page = response.content.decode()
    businesses = admin_url(Business, "changelist")
    products = admin_url(Product, "changelist")
    assert f'<a href="{businesses}?status__exact=pending">2</a>' in page
    assert f'<a href="{businesses}?status__exact=verified">5</a>' in page
    assert f'<a href="{products}?status__exact=pending">3</a>' in page
    assert f'<a href="{products}?status__exact=approved">0</a>' in page


def test_every_category_and_kecamatan_is_counted_even_when_empty(admin_client):
    """Categories in their listing order, all six kecamatan, zero counts included."""
    kasemen = Kelurahan.objects.filter(kecamatan__slug="kasemen").first()
    make_product(category=Category.objects.get(slug="kerajinan"))
    make_product(category=Category.objects.get(slug="kerajinan"))
    make_product(business=make_business(kelurahan=kasemen))

    response = admin_client.get(dashboard_url())

    by_category = chart(response, "product-category")
    assert list(by_category) == [c.name for c in Category.objects.all()]
    assert by_category["Kerajinan"] == 2
    assert by_category["Makanan"] == 1
    assert sum(by_category.values()) == 3
    by_kecamatan = chart(response, "business-kecamatan")
    assert list(by_kecamatan) == [k.name for k in Kecamatan.objects.all()]
    assert len(by_kecamatan) == 6
    assert by_kecamatan[kasemen.kecamatan.name] == 1
    assert by_kecamatan["Serang"] == 2
    assert sum(by_kecamatan.values()) == 3


def test_charts_are_labelled_svg_with_numbers_as_text(admin_client):
    """Each chart is an image with an accessible name, and its numbers are text."""
    make_business(status=Business.Status.PENDING)

    response = admin_client.get(dashboard_url())

    page = response.content.decode()
    for chart_id in [
        "business-status",
        "product-status",
        "product-category",
        "business-kecamatan",
    ]:
        assert f'role="img" aria-labelledby="{chart_id}-title"' in page
        assert f'<title id="{chart_id}-title">' in page
    assert '<text class="bar-value"' in page
    assert 'class="number"' in page


def test_bar_lengths_are_shares_of_the_largest_value():
    """The largest value fills the track; zero draws nothing; all zero divides by
    nothing."""
    bars = BarChart("c", "Chart", [Bar("a", 10), Bar("b", 5), Bar("c", 0)]).bars
    empty = BarChart("e", "Empty", [Bar("a", 0), Bar("b", 0)]).bars

    assert [bar.percent for bar in bars] == [100, 50, 0]
    assert bars[0].length == BarChart("x", "x").track_width
    assert bars[2].length == 0
    assert [bar.length for bar in empty] == [0, 0]
    assert percent_of(3, 0) == 100
    assert percent_of(50, 40) == 100


def test_superuser_sees_the_capacity_of_every_outlet(
    admin_client, cipare, kasemen, iwak_banten
):
    """On display today, scheduled and requested displays, per outlet."""
    today = timezone.localdate()
    make_display(outlet=cipare)
    make_display(outlet=cipare, ends_on=today)
    make_display(outlet=cipare, starts_on=today + DAY)
    make_display(outlet=cipare, starts_on=today - 9 * DAY, ends_on=today - DAY)
    make_display(outlet=cipare, status=Display.Status.REQUESTED)
    make_display(outlet=kasemen, status=Display.Status.REQUESTED)

    response = admin_client.get(dashboard_url())

    assert capacity_rows(response) == {
        "gerai-umkm-cipare": (2, 1, 1),
        "gerai-umkm-kasemen": (0, 0, 1),
        "iwak-banten": (0, 0, 0),
    }
    page = response.content.decode()
    assert "2/40" in page
    assert f'href="{admin_url(Outlet, "change", cipare.pk)}"' in page
    assert queue(response, Display).waiting == 2


def test_a_full_outlet_shows_a_full_capacity_bar(admin_client, iwak_banten):
    """An outlet with every place taken draws the bar across and marks it full."""
    iwak_banten.display_capacity = 2
    iwak_banten.save()
    make_display(outlet=iwak_banten)
    make_display(outlet=iwak_banten)

    response = admin_client.get(dashboard_url())

    page = response.content.decode()
    assert "2/2" in page
    assert '<rect class="used full" width="100" height="8">' in page


def test_a_curator_sees_only_the_outlets_of_their_agency(
    client, cipare, kasemen, iwak_banten
):
    """A Disparpora curator sees Iwak Banten's capacity and requests, not those of
    the Dinas Koperasi outlets."""
    client.force_login(make_staff("disparpora", group=CURATOR))
    make_display(outlet=iwak_banten)
    make_display(outlet=iwak_banten, status=Display.Status.REQUESTED)
    make_display(outlet=cipare, status=Display.Status.REQUESTED)
    make_display(outlet=kasemen)

    response = client.get(dashboard_url())

    assert response.status_code == 200
    assert capacity_rows(response) == {"iwak-banten": (1, 0, 1)}
    page = response.content.decode()
    assert f'href="{admin_url(Outlet, "change", iwak_banten.pk)}"' in page
    assert admin_url(Outlet, "change", cipare.pk) not in page
    assert admin_url(Outlet, "change", kasemen.pk) not in page
    displays = queue(response, Display)
    assert displays.waiting == 1
    assert displays.oldest.outlet == iwak_banten


def test_staff_without_the_view_permissions_see_no_counts_of_it(client, iwak_banten):
    """A curator allowed only displays sees no business or product counts; a
    verifier sees no outlet capacity."""
    curator = make_staff("disparpora", permissions=["outlets.view_display"])
    verifier = make_staff(group=VERIFIER)
    make_business(status=Business.Status.PENDING)

    client.force_login(curator)
    as_curator = client.get(dashboard_url())
    client.force_login(verifier)
    as_verifier = client.get(dashboard_url())

    assert as_curator.context["charts"] == []
    assert [q.url for q in as_curator.context["queues"]] == [
        f"{admin_url(Display, 'changelist')}?queue=waiting"
    ]
    curator_page = as_curator.content.decode()
    assert admin_url(Business, "changelist") not in curator_page
    assert admin_url(Product, "changelist") not in curator_page
    # Without view_outlet the outlet is named, not linked to a page it cannot open.
    assert admin_url(Outlet, "change", iwak_banten.pk) not in curator_page
    assert "Iwak Banten" in curator_page
    assert as_verifier.context["outlets"] is None
    assert {c.id for c in as_verifier.context["charts"]} == {
        "business-status",
        "product-status",
        "product-category",
        "business-kecamatan",
    }
    assert admin_url(Display, "changelist") not in as_verifier.content.decode()


def test_each_queue_shows_its_oldest_waiting_item(admin_client, iwak_banten):
    """The item created first is shown, linked to its change page, with the queue
    listed oldest first."""
    now = timezone.now()
    older = make_business(status=Business.Status.PENDING, name="Usaha Lama")
    newer = make_business(status=Business.Status.PENDING, name="Usaha Baru")
    Business.objects.filter(pk=older.pk).update(created_at=now - 3 * DAY)
    Business.objects.filter(pk=newer.pk).update(created_at=now - DAY)
    first_request = make_display(outlet=iwak_banten, status=Display.Status.REQUESTED)
    later_request = make_display(outlet=iwak_banten, status=Display.Status.REQUESTED)
    Display.objects.filter(pk=first_request.pk).update(created_at=now - 5 * DAY)
    Display.objects.filter(pk=later_request.pk).update(created_at=now - 2 * DAY)

    response = admin_client.get(dashboard_url())

    businesses = queue(response, Business)
    assert businesses.oldest == older
    assert businesses.waiting == 2
    displays = queue(response, Display)
    assert displays.oldest == first_request
    page = response.content.decode()
    assert f'<a href="{admin_url(Business, "change", older.pk)}">Usaha Lama</a>' in page
    assert admin_url(Business, "change", newer.pk) not in page
    assert f'href="{admin_url(Display, "change", first_request.pk)}"' in page
    assert admin_url(Display, "change", later_request.pk) not in page
    assert f'href="{admin_url(Business, "changelist")}?queue=waiting"' in page
    assert f'datetime="{timezone.localtime(now - 3 * DAY).isoformat()}"' in page


def test_an_empty_queue_says_nothing_is_waiting(admin_client):
    """With nothing pending, each queue shows its empty state instead of an item."""
    make_product(status=Product.Status.APPROVED)
    with translation.override("en"):
        url = dashboard_url()

    response = admin_client.get(url)

    assert [q.oldest for q in response.context["queues"]] == [None] * 4
    assert response.content.decode().count("Nothing is waiting.") == 4


def test_queries_do_not_grow_with_data(
    admin_client, cipare, kasemen, iwak_banten, django_assert_max_num_queries
):
    """Counts, charts, capacity and queues cost the same queries for a handful of
    rows as for many, outlets included."""
    url = dashboard_url()
    make_display(outlet=cipare, status=Display.Status.REQUESTED)
    few = queries_for(admin_client, url)
    kasemen_kelurahan = Kelurahan.objects.filter(kecamatan__slug="kasemen").first()
    agency = Agency.objects.get(slug="disparpora")
    for number in range(12):
        business = make_business(
            status=Business.Status.PENDING if number % 2 else Business.Status.VERIFIED,
            kelurahan=kasemen_kelurahan if number % 3 else cipare.kelurahan,
        )
        product = make_product(
            business=business,
            category=Category.objects.all()[number % 5],
            status=Product.Status.PENDING if number % 2 else Product.Status.APPROVED,
        )
        outlet = Outlet.objects.create(
            name=f"Stand {number}",
            slug=f"stand-{number}",
            agency=agency,
            kind=Outlet.Kind.EVENT_STAND,
            address="Alun-alun Kota Serang",
        )
        make_display(product=product, outlet=outlet)
        make_display(
            product=product,
            outlet=[cipare, kasemen, iwak_banten][number % 3],
            status=Display.Status.REQUESTED,
        )

    with django_assert_max_num_queries(few) as captured:
        response = admin_client.get(url)

    assert len(captured) == few
    assert few <= 21  # 15, and 6 for the counts (tests/test_staff_insights.py)
    assert len(response.context["outlets"]) == 15


def test_the_admin_index_links_to_the_dashboard(admin_client):
    """The admin home page leads to the dashboard and still lists the apps."""
    response = admin_client.get(reverse("admin:index"))

    page = response.content.decode()
    assert f'href="{dashboard_url()}"' in page
    assert admin_url(Product, "changelist") in page
