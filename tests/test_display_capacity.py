"""An outlet never holds more approved displays on show than its capacity: checked in
the model under a lock on the outlet row, shown to staff as a form error."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

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


@pytest.mark.django_db
def test_approving_beyond_the_capacity_is_refused(cipare, today):
    with_capacity(cipare, 2)
    make_display(outlet=cipare)
    make_display(outlet=cipare)
    waiting = make_display(outlet=cipare, status=Display.Status.REQUESTED)

    with pytest.raises(ValidationError) as raised:
        waiting.approve(by=make_user(is_staff=True), starts_on=today)

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

    waiting.approve(by=staff, starts_on=today, ends_on=today + 7 * DAY)

    waiting.refresh_from_db()
    assert waiting.status == Display.Status.APPROVED
    assert waiting.decided_by == staff


@pytest.mark.django_db
def test_a_scheduled_approval_is_checked_on_its_first_day(cipare, today):
    with_capacity(cipare, 1)
    make_display(outlet=cipare, starts_on=today, ends_on=today + 2 * DAY)
    staff = make_user(is_staff=True)

    clashing = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    with pytest.raises(ValidationError):
        clashing.approve(by=staff, starts_on=today + 2 * DAY)

    after = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    after.approve(by=staff, starts_on=today + 3 * DAY)
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
def test_the_display_admin_shows_a_full_outlet_as_a_form_error(
    admin_client, cipare, today
):
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
            display.approve(by=staff, starts_on=timezone.localdate())
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
