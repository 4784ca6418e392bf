"""Public holidays and the closures staff enter close an outlet whatever its weekly
hours: the open badge, the "opens …" line and the outlet page say so at once, cached
or not. Cipare opens 08.00–16.00 WIB Monday to Saturday and belongs to Dinas
Koperasi (Dinkopukmperindag); Iwak Banten to Disparpora."""

import datetime
import zoneinfo

import pytest
from django.contrib.admin.sites import site
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import CURATOR
from outlets.admin import OutletClosureInline
from outlets.models import Outlet, OutletClosure
from tests.admin_helpers import admin_url, make_curator, rendered_form_data
from tests.factories import make_display, make_product

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
# Idul Fitri 1448 H (the holidays package's estimate): Wednesday 10 and Thursday 11
# March 2027, both public holidays; Cipare would open on both.
IDUL_FITRI = datetime.datetime(2027, 3, 10, 10, 0, tzinfo=JAKARTA)
# A Wednesday morning in a renovation closing Cipare 1–14 December 2026.
RENOVATION_DAY = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=JAKARTA)


def freeze(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def renovation(outlet, **fields):
    fields = {
        "starts_on": datetime.date(2026, 12, 1),
        "ends_on": datetime.date(2026, 12, 14),
        "reason": "tutup sementara, renovasi",
        **fields,
    }
    return OutletClosure.objects.create(outlet=outlet, **fields)


def closure_form_data(response, starts_on, ends_on, reason):
    """The outlet's admin page sent back with one new closure row, as typed."""
    data = rendered_form_data(response)
    row = int(data["closures-TOTAL_FORMS"])
    data["closures-TOTAL_FORMS"] = row + 1
    data[f"closures-{row}-starts_on"] = starts_on
    data[f"closures-{row}-ends_on"] = ends_on
    data[f"closures-{row}-reason"] = reason
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "days_ahead"),
    [
        (IDUL_FITRI, 2),  # Wednesday, the holiday itself
        (datetime.datetime(2027, 3, 9, 17, 0, tzinfo=JAKARTA), 3),  # the eve
    ],
)
def test_idul_fitri_closes_an_outlet_on_an_open_weekday(cipare, moment, days_ahead):
    """On Idul Fitri (a Wednesday) Cipare is closed at 10.00 though Wednesdays are
    open days, and it next opens on Friday 12 March at 08.00: the second day of
    Idul Fitri is skipped too."""
    change = cipare.next_change(moment)

    assert not cipare.is_open_at(IDUL_FITRI)
    assert change.open_now is False
    assert change.at == datetime.datetime(2027, 3, 12, 8, 0)
    assert change.days_ahead == days_ahead


@pytest.mark.django_db
def test_the_outlet_page_on_idul_fitri_says_closed_and_names_the_holiday(
    client, cipare, monkeypatch, django_assert_max_num_queries
):
    """A resident opening Cipare's page on Idul Fitri reads that it is closed now,
    opens again on Friday, and why it is closed today, in Indonesian (the
    holiday's Indonesian name) and in English."""
    freeze(monkeypatch, IDUL_FITRI)

    with django_assert_max_num_queries(6):
        response = client.get(cipare.get_absolute_url())
    english = client.get("/en" + cipare.get_absolute_url()).text

    assert response.status_code == 200
    assert "Tutup sekarang" in response.text
    assert "buka Jumat pukul 08.00" in response.text
    assert "Hari Raya Idul Fitri" in response.text
    assert "Closed today: Eid al-Fitr" in english
    assert "opens Friday at 08.00" in english


@pytest.mark.django_db
def test_a_renovation_longer_than_a_week_is_skipped_to_the_day_after(cipare):
    """Closed 1–14 December (a Monday to a Monday): on Wednesday 2 December Cipare
    next opens on Tuesday 15 December at 08.00, 13 days ahead."""
    renovation(cipare)

    change = cipare.next_change(RENOVATION_DAY)

    assert not cipare.is_open_at(RENOVATION_DAY)
    assert change.at == datetime.datetime(2026, 12, 15, 8, 0)
    assert change.days_ahead == 13


@pytest.mark.django_db
def test_an_outlet_closed_beyond_the_lookahead_promises_no_opening(cipare):
    """Closed for three months: no "opens …" to promise, and no endless search."""
    renovation(cipare, ends_on=datetime.date(2027, 3, 1))

    assert cipare.next_change(RENOVATION_DAY) is None


@pytest.fixture
def dinkop_curator(client):
    """A Dinas Koperasi curator, signed in: Cipare and Kasemen are theirs."""
    client.force_login(make_curator("dinkopukmperindag"))
    return client


@pytest.mark.django_db
def test_a_curator_closes_their_outlet_for_renovation_and_residents_read_it(
    dinkop_curator, cipare, monkeypatch
):
    """A Dinas Koperasi curator enters a two-week renovation on Cipare's admin page;
    the public page then says Cipare is closed now, why and until when, and when
    it opens again."""
    freeze(monkeypatch, RENOVATION_DAY)
    url = admin_url(Outlet, "change", cipare.pk)
    data = closure_form_data(
        dinkop_curator.get(url), "2026-12-01", "2026-12-14", "renovasi"
    )

    response = dinkop_curator.post(url, data)
    resident = Client()
    page = resident.get(cipare.get_absolute_url()).text
    english = resident.get("/en" + cipare.get_absolute_url()).text

    assert response.status_code == 302
    closure = OutletClosure.objects.get(outlet=cipare)
    assert (closure.starts_on, closure.ends_on) == (
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 14),
    )
    assert "Tutup sekarang" in page
    assert "1–14 Des" in page and "renovasi" in page
    assert "Closed 1–14 Dec: renovasi" in english
    assert "opens on 15 Dec at 08.00" in english
    # This week's open days in the hours, marked closed with their dates.
    assert '<th scope="row">Thursday</th><td>closed 3 Dec <span' in english
    assert "(usually 08.00–16.00)" in english


@pytest.mark.django_db
def test_a_curator_cannot_close_another_agencys_outlet(client, cipare, iwak_banten):
    """A Disparpora curator (Iwak Banten is theirs) posting a closure to Cipare's
    admin page is turned away and nothing is saved; the closure inline refuses
    them on Cipare and lets them on Iwak Banten."""
    curator = make_curator("disparpora")
    client.force_login(curator)
    request = RequestFactory().get("/admin/")
    request.user = curator
    inline = OutletClosureInline(Outlet, site)
    data = {
        "closures-TOTAL_FORMS": "1",
        "closures-INITIAL_FORMS": "0",
        "closures-0-starts_on": "2026-12-01",
        "closures-0-ends_on": "2026-12-14",
        "closures-0-reason": "renovasi",
    }

    response = client.post(admin_url(Outlet, "change", cipare.pk), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert not OutletClosure.objects.exists()
    assert not inline.has_add_permission(request, cipare)
    assert not inline.has_view_permission(request, cipare)
    assert inline.has_add_permission(request, iwak_banten)


@pytest.mark.django_db
def test_a_closure_ending_before_it_starts_is_refused_as_typed(dinkop_curator, cipare):
    """A last day before the first day re-renders the outlet page (no 500) with the
    reason, in the staff member's language, and the values as typed."""
    url = admin_url(Outlet, "change", cipare.pk)
    data = closure_form_data(
        dinkop_curator.get(url), "2026-12-14", "2026-12-01", "renovasi atap"
    )

    response = dinkop_curator.post(url, data)

    assert response.status_code == 200
    assert not OutletClosure.objects.exists()
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is OutletClosure
    )
    row = formset.forms[-1]
    with translation.override("id"):
        message = str(OutletClosure._meta.constraints[0].violation_error_message)
    assert message in row.non_field_errors()
    assert message in response.text
    assert row["starts_on"].value() == "2026-12-14"
    assert row["ends_on"].value() == "2026-12-01"
    assert 'value="renovasi atap"' in response.text


@pytest.mark.django_db
def test_roles_curators_enter_and_remove_closures():
    """Kurator gerai may see, add, change and remove closures."""
    from django.contrib.auth.models import Group

    codenames = set(
        Group.objects.get(name=CURATOR).permissions.values_list("codename", flat=True)
    )

    assert {
        "view_outletclosure",
        "add_outletclosure",
        "change_outletclosure",
        "delete_outletclosure",
    } <= codenames


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data", "page_cache_on")
def test_a_closure_saved_in_the_admin_flips_the_cached_pages_at_once(
    client, monkeypatch
):
    """Cipare's page, the home page's outlet cards and a product page showing it
    are cached saying "Buka sekarang"; once a curator saves a renovation in the
    admin, residents read "Tutup sekarang" on all three, and "Buka sekarang" again
    once it is removed."""
    freeze(monkeypatch, RENOVATION_DAY)
    cipare = Outlet.objects.get(slug="gerai-umkm-cipare")
    product = make_product(name="Kopi Taktakan")
    make_display(product, cipare)
    resident = Client()
    pages = [cipare.get_absolute_url(), product.get_absolute_url()]
    for url in pages:
        resident.get(url)
    cached = [resident.get(url) for url in pages]
    client.force_login(make_curator("dinkopukmperindag"))
    admin_page = admin_url(Outlet, "change", cipare.pk)
    data = closure_form_data(
        client.get(admin_page), "2026-12-01", "2026-12-14", "renovasi"
    )

    saved = client.post(admin_page, data)
    closed = [resident.get(url) for url in pages]
    home = resident.get(reverse("home")).text
    OutletClosure.objects.get(outlet=cipare).delete()
    reopened = resident.get(cipare.get_absolute_url())

    assert saved.status_code == 302
    assert all(page["X-Page-Cache"] == "hit" for page in cached)
    assert all("Buka sekarang" in page.text for page in cached)
    assert all(page["X-Page-Cache"] == "miss" for page in closed)
    assert all("Buka sekarang" not in page.text for page in closed)
    assert all("Tutup sekarang" in page.text for page in closed)
    assert "renovasi" in closed[0].text
    # The home page's card for Cipare says closed; Kasemen's still says open.
    assert "Tutup sekarang" in home and "Buka sekarang" in home
    assert "Buka sekarang" in reopened.text
    assert "renovasi" not in reopened.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data", "page_cache_on")
def test_a_closure_saved_or_changed_on_its_own_re_renders_the_outlet_page(
    monkeypatch,
):
    """A closure saved by itself (not through the outlet's admin page, which saves
    the outlet too) makes the cached page stale at once, and so does a change of
    its reason."""
    freeze(monkeypatch, RENOVATION_DAY)
    cipare = Outlet.objects.get(slug="gerai-umkm-cipare")
    resident = Client()
    resident.get(cipare.get_absolute_url())

    closure = renovation(cipare, reason="renovasi")
    closed = resident.get(cipare.get_absolute_url())
    closure.reason = "renovasi atap"
    closure.save()
    reworded = resident.get(cipare.get_absolute_url())

    assert closed.status_code == 200
    assert closed["X-Page-Cache"] == "miss"
    assert "Tutup sekarang" in closed.text
    assert "renovasi atap" in reworded.text
