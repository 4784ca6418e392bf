"""An outlet never holds more approved displays on show than its capacity: checked in
the model under a lock on the outlet row, shown to staff as a form error."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format

from outlets.decisions import approve_display
from outlets.models import Display, Outlet
from tests.admin_helpers import admin_url, rendered_form_data
from tests.factories import make_display, make_user

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


def with_capacity(outlet, capacity):
    outlet.display_capacity = capacity
    outlet.save(update_fields=["display_capacity"])
    return outlet


def full_error(error):
    return [e.code for e in error.error_list] == ["outlet_full"]


def approved_at(outlet):
    return Display.objects.at(outlet).filter(status=Display.Status.APPROVED)


@pytest.mark.django_db
def test_approving_beyond_the_capacity_is_refused(cipare, today):
    """Approving a request at an outlet already showing its capacity (2/2) is refused,
    saying how full it is; the request still waits."""
    with_capacity(cipare, 2)
    make_display(outlet=cipare)
    make_display(outlet=cipare)
    waiting = make_display(outlet=cipare, status=Display.Status.REQUESTED)

    with pytest.raises(ValidationError) as raised:
        approve_display(waiting, by=make_user(is_staff=True), starts_on=today)

    assert full_error(raised.value)
    assert "(2/2)" in raised.value.messages[0]
    waiting.refresh_from_db()
    assert waiting.status == Display.Status.REQUESTED
    assert Display.objects.at(cipare).current().count() == 2


@pytest.mark.django_db
def test_only_displays_on_show_take_a_place(cipare, kasemen, today):
    """Ended, scheduled, waiting and other outlets' displays leave the place free."""
    with_capacity(cipare, 1)
    make_display(outlet=cipare, starts_on=today - 9 * DAY, ends_on=today - DAY)
    make_display(outlet=cipare, starts_on=today + 30 * DAY)
    make_display(outlet=cipare, status=Display.Status.REQUESTED)
    make_display(outlet=cipare, status=Display.Status.ENDED)
    make_display(outlet=kasemen)
    staff = make_user(is_staff=True)
    waiting = make_display(outlet=cipare, status=Display.Status.REQUESTED)

    approve_display(waiting, by=staff, starts_on=today, ends_on=today + 7 * DAY)

    waiting.refresh_from_db()
    assert waiting.status == Display.Status.APPROVED
    assert waiting.decided_by == staff


@pytest.mark.django_db
def test_a_scheduled_approval_is_checked_on_its_first_day(cipare, today):
    """At a full outlet, an approval starting on the last day of a current display is
    refused; one starting the day after it ends is approved."""
    with_capacity(cipare, 1)
    make_display(outlet=cipare, starts_on=today, ends_on=today + 2 * DAY)
    staff = make_user(is_staff=True)

    clashing = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    with pytest.raises(ValidationError):
        approve_display(clashing, by=staff, starts_on=today + 2 * DAY)

    after = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    approve_display(after, by=staff, starts_on=today + 3 * DAY)
    assert Display.objects.get(pk=after.pk).status == Display.Status.APPROVED


@pytest.mark.django_db
def test_displays_already_on_show_stay_editable_over_capacity(cipare):
    """Lowering the capacity does not lock the displays already approved."""
    shown = [make_display(outlet=cipare) for _ in range(3)]
    with_capacity(cipare, 2)

    shown[0].ends_on = timezone.localdate() + 5 * DAY
    shown[0].save()

    assert Display.objects.at(cipare).current().count() == 3


@pytest.mark.django_db
def test_an_open_ended_approval_is_refused_where_a_scheduled_one_starts(cipare, today):
    """The whole window counts, not only its first day: an open-ended display from
    today would be on show with a scheduled one on the day it starts."""
    with_capacity(cipare, 1)
    make_display(outlet=cipare, starts_on=today + 10 * DAY, ends_on=today + 20 * DAY)
    staff = make_user(is_staff=True)
    waiting = make_display(outlet=cipare, status=Display.Status.REQUESTED)

    with pytest.raises(ValidationError) as raised:
        approve_display(waiting, by=staff, starts_on=today)

    assert full_error(raised.value)
    assert date_format(today + 10 * DAY) in raised.value.messages[0]
    assert "(1/1)" in raised.value.messages[0]
    assert approved_at(cipare).count() == 1

    # Ending the day before the scheduled one starts fits.
    waiting = Display.objects.get(pk=waiting.pk)
    approve_display(waiting, by=staff, starts_on=today, ends_on=today + 9 * DAY)
    assert approved_at(cipare).count() == 2


@pytest.mark.django_db
def test_an_open_ended_display_fits_only_after_a_scheduled_one_ends(cipare, today):
    """An open-ended display starting later than today, before a scheduled one, is
    refused on the day the scheduled one starts; after it ends, it fits."""
    with_capacity(cipare, 1)
    make_display(outlet=cipare, starts_on=today + 10 * DAY, ends_on=today + 20 * DAY)
    staff = make_user(is_staff=True)

    early = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    with pytest.raises(ValidationError) as raised:
        approve_display(early, by=staff, starts_on=today + 3 * DAY)
    assert full_error(raised.value)
    assert date_format(today + 10 * DAY) in raised.value.messages[0]
    assert Display.objects.get(pk=early.pk).status == Display.Status.REQUESTED

    later = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    approve_display(later, by=staff, starts_on=today + 21 * DAY)
    assert Display.objects.get(pk=later.pk).status == Display.Status.APPROVED


@pytest.mark.django_db
def test_extending_a_window_into_a_full_period_is_refused(cipare, today):
    """A later or removed last day, or an earlier first day, is checked on the days
    it adds; shortening a window is always allowed."""
    with_capacity(cipare, 1)
    shown = make_display(outlet=cipare, ends_on=today + 5 * DAY)
    scheduled = make_display(
        outlet=cipare, starts_on=today + 10 * DAY, ends_on=today + 20 * DAY
    )

    for ends_on in [today + 12 * DAY, None]:
        shown.ends_on = ends_on
        with pytest.raises(ValidationError) as raised:
            shown.save()
        assert full_error(raised.value)
        assert date_format(today + 10 * DAY) in raised.value.messages[0]
        shown.refresh_from_db()
        assert shown.ends_on == today + 5 * DAY

    scheduled.starts_on = today + 5 * DAY
    with pytest.raises(ValidationError) as raised:
        scheduled.save()
    assert date_format(today + 5 * DAY) in raised.value.messages[0]
    scheduled.refresh_from_db()

    shown.ends_on = today + 3 * DAY
    shown.save()
    scheduled.ends_on = today + 15 * DAY
    scheduled.save()
    # Up to the day before the scheduled one starts.
    shown.ends_on = today + 9 * DAY
    shown.save()
    assert Display.objects.get(pk=shown.pk).ends_on == today + 9 * DAY
    assert Display.objects.get(pk=scheduled.pk).ends_on == today + 15 * DAY


@pytest.mark.django_db
def test_an_outlet_over_its_capacity_checks_only_the_days_a_display_adds(cipare, today):
    """After staff lower the capacity below what is approved, the days a display
    held already are not checked again (it can be shortened or moved within its
    window), but the days it would add are."""
    shown = [make_display(outlet=cipare) for _ in range(2)]
    scheduled = make_display(
        outlet=cipare, starts_on=today + 10 * DAY, ends_on=today + 20 * DAY
    )
    with_capacity(cipare, 1)

    # Its window still covers day +10, when three are on show.
    shown[0].ends_on = today + 15 * DAY
    shown[0].save()
    scheduled.starts_on = today + 12 * DAY
    scheduled.save()

    scheduled.ends_on = today + 25 * DAY
    with pytest.raises(ValidationError) as raised:
        scheduled.save()
    assert full_error(raised.value)
    assert date_format(today + 21 * DAY) in raised.value.messages[0]
    scheduled.refresh_from_db()
    assert (scheduled.starts_on, scheduled.ends_on) == (
        today + 12 * DAY,
        today + 20 * DAY,
    )
    assert Display.objects.at(cipare).current(today + 12 * DAY).count() == 3


@pytest.mark.django_db
def test_the_capacity_is_counted_in_one_query_however_many_displays(
    cipare, today, django_assert_max_num_queries
):
    """One query locks the outlet, one reads its places and the stored rows of the
    displays checked (besides the savepoint); the days are counted in Python."""
    with_capacity(cipare, 10)
    displays = [
        make_display(outlet=cipare, starts_on=today + n * DAY, ends_on=today + 9 * DAY)
        for n in range(5)
    ]
    for display in displays:
        display.ends_on = today + 20 * DAY

    with django_assert_max_num_queries(10) as captured:
        Display.check_capacity(cipare.pk, displays)

    queries = [query["sql"] for query in captured.captured_queries]
    assert [sql.split()[0] for sql in queries if "SAVEPOINT" not in sql] == [
        "SELECT",
        "SELECT",
    ]


@pytest.mark.django_db
def test_the_display_admin_shows_a_full_outlet_as_a_form_error(
    admin_client, cipare, today
):
    """Staff approving a request at a full outlet in the admin see the form again with
    an error saying it is full (1/1); the request still waits."""
    with_capacity(cipare, 1)
    make_display(outlet=cipare)
    waiting = make_display(outlet=cipare, status=Display.Status.REQUESTED)

    response = admin_client.post(
        admin_url(Display, "change", waiting.pk),
        {
            "outlet": cipare.pk,
            "product": waiting.product_id,
            "starts_on": today.isoformat(),
            "status": Display.Status.APPROVED,
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()["__all__"]
    assert [error.code for error in errors] == ["outlet_full"]
    assert "(1/1)" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Display.Status.REQUESTED


@pytest.mark.django_db
def test_approving_two_on_the_outlet_page_for_the_last_place_is_refused(
    admin_client, cipare, today
):
    """Rows that fit one by one but not together get an error for the inline."""
    with_capacity(cipare, 2)
    make_display(outlet=cipare)
    first = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    second = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    url = admin_url(Outlet, "change", cipare.pk)
    data = rendered_form_data(admin_client.get(url))
    rows = {
        data[key]: key.removesuffix("-id")
        for key in data
        if key.startswith("displays-") and key.endswith("-id")
    }
    for display in (first, second):
        data[f"{rows[display.pk]}-status"] = Display.Status.APPROVED
        data[f"{rows[display.pk]}-starts_on"] = today.isoformat()

    response = admin_client.post(url, data)

    assert response.status_code == 200
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is Display
    )
    assert [e.code for e in formset.non_form_errors().as_data()] == ["outlet_full"]
    assert Display.objects.filter(status=Display.Status.REQUESTED).count() == 2

    # One of them fits.
    data[f"{rows[second.pk]}-status"] = Display.Status.REQUESTED
    response = admin_client.post(url, data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Display.Status.APPROVED


def outlet_page_rows(admin_client, outlet):
    """The outlet's admin page URL, the POST data it would send back and the
    prefix of each display's inline row, by pk."""
    url = admin_url(Outlet, "change", outlet.pk)
    data = rendered_form_data(admin_client.get(url))
    rows = {
        data[key]: key.removesuffix("-id")
        for key in data
        if key.startswith("displays-") and key.endswith("-id")
    }
    return url, data, rows


def inline_errors(response):
    """The codes of the display inline's errors: for the rows together, then for
    each row on its own."""
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is Display
    )
    errors = list(formset.non_form_errors().as_data())
    for form in formset.forms:
        errors += form.errors.as_data().get("__all__", [])
    return [error.code for error in errors]


@pytest.mark.django_db
def test_two_approvals_on_the_outlet_page_overlapping_later_are_refused(
    admin_client, cipare, today
):
    """Rows saved together are counted together over their whole windows: two
    approvals that share only a future day do not fit in one place."""
    with_capacity(cipare, 1)
    first = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    second = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    url, data, rows = outlet_page_rows(admin_client, cipare)
    for display, starts_on, ends_on in [
        (first, today + 5 * DAY, today + 10 * DAY),
        (second, today + 10 * DAY, today + 15 * DAY),
    ]:
        data[f"{rows[display.pk]}-status"] = Display.Status.APPROVED
        data[f"{rows[display.pk]}-starts_on"] = starts_on.isoformat()
        data[f"{rows[display.pk]}-ends_on"] = ends_on.isoformat()

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert inline_errors(response) == ["outlet_full"]
    assert date_format(today + 10 * DAY) in response.content.decode()
    assert Display.objects.filter(status=Display.Status.REQUESTED).count() == 2


@pytest.mark.django_db
def test_the_outlet_page_refuses_an_open_ended_approval_before_a_scheduled_one(
    admin_client, cipare, today
):
    """A scheduled display listed unchanged on the page still counts on the days
    it is on show."""
    with_capacity(cipare, 1)
    make_display(outlet=cipare, starts_on=today + 10 * DAY, ends_on=today + 20 * DAY)
    waiting = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    url, data, rows = outlet_page_rows(admin_client, cipare)
    data[f"{rows[waiting.pk]}-status"] = Display.Status.APPROVED
    data[f"{rows[waiting.pk]}-starts_on"] = today.isoformat()

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert inline_errors(response) == ["outlet_full"]
    assert date_format(today + 10 * DAY) in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Display.Status.REQUESTED


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_staff_approving_the_last_place_at_once(reference_data):
    """Both approvals start together; the outlet row lock makes one wait and then
    see the outlet full."""
    cipare = with_capacity(Outlet.objects.get(slug="gerai-umkm-cipare"), 2)
    make_display(outlet=cipare)
    staff = make_user(is_staff=True)
    waiting = [
        make_display(outlet=cipare, status=Display.Status.REQUESTED) for _ in range(2)
    ]
    barrier = threading.Barrier(len(waiting))
    results = {}

    def approve(pk):
        try:
            display = Display.objects.get(pk=pk)
            barrier.wait(timeout=10)
            approve_display(display, by=staff, starts_on=timezone.localdate())
            results[pk] = "approved"
        except ValidationError as error:
            results[pk] = error.error_list[0].code
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=[d.pk]) for d in waiting]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results.values()) == ["approved", "outlet_full"]
    assert Display.objects.at(cipare).current().count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_staff_approving_windows_that_meet_later_at_once(reference_data):
    """Two approvals whose windows share only a future day, at capacity 1, start
    together in two sessions: the second to take the outlet lock counts the first
    one's whole window and is refused."""
    today = timezone.localdate()
    cipare = with_capacity(Outlet.objects.get(slug="gerai-umkm-cipare"), 1)
    staff = make_user(is_staff=True)
    windows = {
        make_display(outlet=cipare, status=Display.Status.REQUESTED).pk: window
        for window in [
            (today + 5 * DAY, today + 10 * DAY),
            (today + 10 * DAY, today + 15 * DAY),
        ]
    }
    barrier = threading.Barrier(len(windows))
    results = {}

    def approve(pk, starts_on, ends_on):
        try:
            display = Display.objects.get(pk=pk)
            barrier.wait(timeout=10)
            approve_display(display, by=staff, starts_on=starts_on, ends_on=ends_on)
            results[pk] = "approved"
        except ValidationError as error:
            results[pk] = error.error_list[0].code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=[pk, *window])
        for pk, window in windows.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results.values()) == ["approved", "outlet_full"]
    assert approved_at(cipare).count() == 1
