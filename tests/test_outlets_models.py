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
