"""Fair rotation: each outlet's waiting list puts businesses never on display first,
then those whose last display ended longest ago, so every UMKM gets a turn."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outlets.models import Display, Outlet
from tests.admin_helpers import admin_url, make_curator
from tests.factories import make_business, make_display, make_product

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def days_ago(days):
    return timezone.localdate() - days * DAY


def request_at(outlet, business_name, requested_days_ago, history=()):
    """A request by a new business whose past displays (elsewhere) are history:
    (status, starts_on, ends_on, decided_at) tuples."""
    business = make_business(name=business_name)
    for status, starts_on, ends_on, decided_at in history:
        make_display(
            product=make_product(business=business),
            outlet=Outlet.objects.get(slug="gerai-umkm-kasemen"),
            status=status,
            starts_on=starts_on,
            ends_on=ends_on,
            decided_at=decided_at,
        )
    request = make_display(
        product=make_product(business=business),
        outlet=outlet,
        status=Display.Status.REQUESTED,
    )
    Display.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - requested_days_ago * DAY
    )
    return request


@pytest.fixture
def waiting(cipare):
    """Five requests at Cipare; the expected turn is alphabetical."""
    approved, ended = Display.Status.APPROVED, Display.Status.ENDED
    requests = [
        # On display elsewhere right now: last in turn, however old the request.
        request_at(
            cipare, "E On display now", 90, [(approved, days_ago(5), None, None)]
        ),
        # Its last display ended 10 days ago.
        request_at(
            cipare,
            "D Ended 10 days ago",
            60,
            [(ended, days_ago(40), days_ago(10), None)],
        ),
        # Ended by hand without a last day, 100 days ago: the decision counts.
        request_at(
            cipare,
            "C Ended by hand 100 days ago",
            1,
            [(ended, days_ago(200), None, timezone.now() - 100 * DAY)],
        ),
        # Never on display: first, the older request before the newer one.
        request_at(cipare, "B Never, asked yesterday", 1),
        request_at(cipare, "A Never, asked a month ago", 30),
    ]
    # Rejected requests and scheduled displays are not a turn taken.
    business_b = requests[3].product.business
    make_display(
        product=make_product(business=business_b),
        outlet=cipare,
        status=Display.Status.REJECTED,
    )
    make_display(
        product=make_product(business=business_b),
        outlet=cipare,
        starts_on=timezone.localdate() + 7 * DAY,
    )
    return requests


def turn_names(displays):
    return [display.product.business.name for display in displays]


def test_the_waiting_list_puts_who_waited_longest_for_a_turn_first(cipare, waiting):
    """An outlet's waiting list puts businesses never on display first (older requests
    first), then those whose last display ended longest ago, and last those on display
    now."""
    in_turn = Display.objects.at(cipare).in_rotation_order()

    assert turn_names(in_turn) == sorted(turn_names(waiting))
    last_shown = {d.product.business.name[0]: d.last_shown_on for d in in_turn}
    assert last_shown["A"] is None
    assert last_shown["C"] == days_ago(100)
    assert last_shown["D"] == days_ago(10)
    assert last_shown["E"] == timezone.localdate()


def test_only_requests_at_the_outlet_are_in_its_waiting_list(cipare, kasemen, waiting):
    """An outlet's waiting list holds none of the requests waiting at another outlet."""
    assert Display.objects.at(kasemen).in_rotation_order().count() == 0


def test_the_admin_lists_requests_in_turn_with_when_each_business_was_last_shown(
    client, cipare, waiting
):
    """A Dinas curator opening an outlet's rotation queue in the admin sees its requests
    in turn, the business never shown above the one on display now."""
    client.force_login(make_curator("dinkopukmperindag"))

    response = client.get(
        admin_url(Display, "changelist"),
        {"queue": "rotation", "outlet__id__exact": cipare.pk},
    )

    assert response.status_code == 200
    assert turn_names(response.context["cl"].result_list) == sorted(turn_names(waiting))
    page = response.text
    assert page.index("A Never, asked a month ago") < page.index("E On display now")


def test_a_curator_never_sees_another_agencys_waiting_list(client, cipare, waiting):
    """A curator from Disparpora asking for the waiting list of a Dinas outlet gets an
    empty list."""
    client.force_login(make_curator("disparpora"))

    response = client.get(
        admin_url(Display, "changelist"),
        {"queue": "rotation", "outlet__id__exact": cipare.pk},
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_the_outlet_page_shows_who_is_next_in_turn(client, cipare, waiting):
    """An outlet's admin page lists the waiting businesses in turn, with a link to the
    outlet's rotation queue."""
    client.force_login(make_curator("dinkopukmperindag"))

    response = client.get(admin_url(Outlet, "change", cipare.pk))

    page = response.text
    names = sorted(turn_names(waiting))
    positions = [page.index(name) for name in names]
    assert positions == sorted(positions)
    assert f"queue=rotation&amp;outlet__id__exact={cipare.pk}" in page


def test_an_outlet_without_requests_says_so(client, kasemen):
    """An outlet with no requests opens in the admin without a waiting list."""
    client.force_login(make_curator("dinkopukmperindag"))

    response = client.get(admin_url(Outlet, "change", kasemen.pk))

    assert "waiting-list" not in response.text
    assert response.context["adminform"].form.instance == kasemen


def rotation_queries(client, outlet):
    with CaptureQueriesContext(connection) as context:
        response = client.get(
            admin_url(Display, "changelist"),
            {"queue": "rotation", "outlet__id__exact": outlet.pk},
        )
    assert response.status_code == 200
    return len(context)


def test_the_waiting_list_costs_the_same_queries_however_long_it_is(
    admin_client, cipare, waiting
):
    """An outlet's rotation queue costs the same queries, at most 12, with ten more
    requests waiting."""
    few = rotation_queries(admin_client, cipare)
    for number in range(10):
        request_at(cipare, f"F Later {number}", number)

    assert rotation_queries(admin_client, cipare) == few
    assert few <= 12
