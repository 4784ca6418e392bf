"""Outlet rules: the three real outlets, opening hours in WIB, display windows."""

import datetime
import zoneinfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from outlets.decisions import reject_display
from outlets.models import Agency, Display, OpeningHours, Outlet
from tests.factories import make_display, make_product, make_user

pytestmark = pytest.mark.django_db

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def test_the_three_real_outlets_exist_after_migrate():
    """Cipare and Kasemen belong to Dinas Koperasi; Iwak Banten to Disparpora."""
    agencies = dict(Outlet.objects.values_list("slug", "agency__short_name"))

    assert agencies == {
        "gerai-umkm-cipare": "Dinkopukmperindag",
        "gerai-umkm-kasemen": "Dinkopukmperindag",
        "iwak-banten": "Disparpora",
    }
    assert Agency.objects.count() == 2


def test_open_now_is_computed_in_jakarta_time(cipare):
    """Open 08.00–16.00 WIB Monday to Saturday, whatever the server's clock zone."""
    monday_morning = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=JAKARTA)
    monday_night = datetime.datetime(2026, 11, 30, 20, 0, tzinfo=JAKARTA)
    sunday = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=JAKARTA)
    # 01:30 UTC on Monday is 08:30 WIB: open.
    monday_utc = datetime.datetime(2026, 11, 30, 1, 30, tzinfo=datetime.UTC)

    assert cipare.is_open_at(monday_morning)
    assert not cipare.is_open_at(monday_night)
    assert not cipare.is_open_at(sunday)
    assert cipare.is_open_at(monday_utc)


def test_a_temporarily_closed_outlet_is_never_open(cipare):
    """Staff closing an outlet overrides its weekly hours."""
    cipare.status = Outlet.Status.TEMPORARILY_CLOSED

    assert not cipare.is_open_at(datetime.datetime(2026, 11, 30, 9, 0, tzinfo=JAKARTA))


def test_opening_hours_must_close_after_they_open(cipare):
    """The database refuses a period that closes before it opens."""
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(
            outlet=cipare,
            weekday=6,
            opens_at=datetime.time(17, 0),
            closes_at=datetime.time(8, 0),
        )


def test_current_displays_are_approved_and_within_their_dates(cipare):
    """Only approved displays whose window includes today are current."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    current = make_display(outlet=cipare, starts_on=today, ends_on=today)
    make_display(outlet=cipare, starts_on=today + day)
    make_display(outlet=cipare, starts_on=today - 10 * day, ends_on=today - day)
    make_display(outlet=cipare, status=Display.Status.REQUESTED)
    make_display(outlet=cipare, status=Display.Status.ENDED, starts_on=today)

    assert list(Display.objects.current()) == [current]


def test_a_product_has_at_most_one_open_display_per_outlet(cipare, kasemen):
    """A second open request for the same product at the same outlet is refused;
    the same product may be at another outlet, or again after the first ended."""
    product = make_product()
    first = make_display(product, cipare, status=Display.Status.REQUESTED)
    make_display(product, kasemen)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_display(product, cipare)

    reject_display(first, by=make_user(is_staff=True), reason="Stok habis")
    make_display(product, cipare)


def test_an_approved_display_needs_a_start_date(cipare):
    """The database refuses an approved display without a first day."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Display.objects.create(
            outlet=cipare, product=make_product(), status=Display.Status.APPROVED
        )


@pytest.mark.parametrize(
    ("moment", "open_now", "at", "days_ahead"),
    [
        # Cipare: 08.00–16.00 WIB Monday to Saturday, closed on Sunday.
        (datetime.datetime(2026, 11, 30, 10, 0), True, (2026, 11, 30, 16, 0), 0),
        (datetime.datetime(2026, 11, 30, 7, 0), False, (2026, 11, 30, 8, 0), 0),
        (datetime.datetime(2026, 12, 4, 17, 0), False, (2026, 12, 5, 8, 0), 1),
        (datetime.datetime(2026, 12, 5, 16, 0), False, (2026, 12, 7, 8, 0), 2),
        (datetime.datetime(2026, 12, 6, 12, 0), False, (2026, 12, 7, 8, 0), 1),
    ],
)
def test_an_outlet_says_when_it_next_opens_or_closes(
    cipare, moment, open_now, at, days_ahead
):
    """Open: until when; closed: when it opens again, today, tomorrow or on a later
    day (Saturday 16.00 → Monday 08.00, skipping the closed Sunday)."""
    change = cipare.next_change(moment.replace(tzinfo=JAKARTA))

    assert change.open_now is open_now
    assert change.at == datetime.datetime(*at)
    assert change.days_ahead == days_ahead


def test_an_outlet_closed_by_staff_or_without_hours_says_no_opening(cipare):
    """Temporarily closed, or no hours announced: no "opens at" to promise."""
    monday = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=JAKARTA)
    cipare.status = Outlet.Status.TEMPORARILY_CLOSED
    assert cipare.next_change(monday) is None

    cipare.status = Outlet.Status.OPEN
    cipare.opening_hours.all().delete()
    assert cipare.next_change(monday) is None


def test_the_outlet_page_says_until_when_and_lists_closed_days(
    client, cipare, monkeypatch
):
    """A resident on Saturday evening reads that Cipare opens again on Monday at
    08.00, and Sunday appears in the hours as closed, not missing; in English
    too."""
    saturday_evening = datetime.datetime(2026, 12, 5, 18, 0, tzinfo=JAKARTA)
    monkeypatch.setattr(timezone, "now", lambda: saturday_evening)

    indonesian = client.get(cipare.get_absolute_url()).text
    english = client.get("/en" + cipare.get_absolute_url()).text

    assert "Tutup sekarang" in indonesian
    assert "buka Senin pukul 08.00" in indonesian
    assert '<th scope="row">Minggu</th><td>tutup</td>' in indonesian
    assert "opens Monday at 08.00" in english
    assert '<th scope="row">Sunday</th><td>closed</td>' in english


def test_an_open_outlet_says_when_it_closes_on_the_home_page(client, monkeypatch):
    """On Monday at 10.00 the home page's outlet cards say until when each is
    open: Cipare and Kasemen until 16.00."""
    monday = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=JAKARTA)
    monkeypatch.setattr(timezone, "now", lambda: monday)

    page = client.get("/").text

    assert page.count("tutup pukul 16.00") >= 2
