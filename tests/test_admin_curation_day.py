"""A day of curation in the admin in few clicks: the queues on the admin home, the
outlet page (capacity, waiting list, current displays, shelf labels), ending
displays in bulk through the decision path, and names and messages staff read."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outlets.models import Display, Outlet
from outlets.resources import DisplayResource
from outlets.staff_dashboard import start_queues
from products.admin_toolkit import created_on
from products.models import Business, Product
from tests.admin_helpers import admin_url, make_curator, make_staff, make_verifier
from tests.factories import make_business, make_display, make_product

pytestmark = pytest.mark.django_db


def labels_url(outlet):
    return reverse("outlets:labels", kwargs={"slug": outlet.slug})


def home_queues(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response, start_queues(response.wsgi_request.user)


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


# The admin home's queues


def test_a_superuser_sees_every_queue_linked_to_its_changelist(admin_client, cipare):
    """A superuser's admin home counts what waits (businesses, products, display
    requests), each count a link to its waiting list."""
    make_business(status=Business.Status.PENDING)
    make_product(status=Product.Status.PENDING)
    make_product(status=Product.Status.PENDING)
    make_display(outlet=cipare, status=Display.Status.REQUESTED)

    response, queues = home_queues(admin_client)

    assert [(queue.url, queue.count) for queue in queues] == [
        (admin_url(Business, "changelist") + "?queue=waiting", 1),
        (admin_url(Product, "changelist") + "?queue=waiting", 2),
        (admin_url(Display, "changelist") + "?queue=waiting", 1),
    ]
    for queue in queues:
        assert f'href="{queue.url}"' in response.text


def test_a_curator_counts_only_requests_at_their_agencys_outlets(
    client, cipare, iwak_banten
):
    """A curator from Disparpora sees the display requests of their agency's outlets
    counted on the admin home, not those waiting at a Dinas outlet."""
    make_display(outlet=cipare, status=Display.Status.REQUESTED)
    make_display(outlet=iwak_banten, status=Display.Status.REQUESTED)
    make_display(outlet=iwak_banten, status=Display.Status.REQUESTED)
    client.force_login(make_curator("disparpora"))

    _, queues = home_queues(client)

    assert queues[-1].url.startswith(admin_url(Display, "changelist"))
    assert queues[-1].count == 2


def test_a_verifier_sees_no_display_queue(client, cipare):
    """A Verifikator's admin home shows the businesses waiting for them but no queue of
    display requests."""
    make_display(outlet=cipare, status=Display.Status.REQUESTED)
    client.force_login(make_verifier())

    response, queues = home_queues(client)

    urls = [queue.url for queue in queues]
    assert admin_url(Display, "changelist") + "?queue=waiting" not in urls
    assert admin_url(Business, "changelist") + "?queue=waiting" in urls


def test_staff_without_permissions_see_no_queue_line(client):
    """Staff without permissions see no line of queues on the admin home."""
    client.force_login(make_staff())

    response, queues = home_queues(client)

    assert queues == []
    assert "start-queues" not in response.text


class Counted:
    """A stand-in for a queryset of 9,860 rows."""

    def count(self):
        return 9860


def test_large_counts_have_thousands_separators(client, monkeypatch):
    """A queue of 9,860 businesses reads "9.860" on the admin home, with the Indonesian
    thousands separator."""
    client.force_login(make_staff(permissions=["products.view_business"]))
    monkeypatch.setattr(Business.objects, "waiting", Counted)

    response, queues = home_queues(client)

    assert "9.860" in queues[0].text
    assert "9.860" in response.text


def test_the_home_costs_the_same_queries_however_much_waits(admin_client, cipare):
    """The admin home of a superuser costs the same few queries with one business and
    one display request waiting as with six of each."""

    def queries_of_the_home():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse("admin:index")).status_code == 200
        return len(queries)

    make_business(status=Business.Status.PENDING)
    make_display(outlet=cipare, status=Display.Status.REQUESTED)
    queries_of_the_home()  # the first also fills per-process caches (content types)
    few = queries_of_the_home()
    for _ in range(5):
        make_business(status=Business.Status.PENDING)
        make_display(outlet=cipare, status=Display.Status.REQUESTED)

    assert queries_of_the_home() == few <= 12


# Shelf labels


def test_the_outlet_page_links_to_its_labels_coming_back_to_it(admin_client, cipare):
    """An outlet's admin page links to its shelf labels, whose way back leads to that
    admin page."""
    page = admin_url(Outlet, "change", cipare.pk)

    response = admin_client.get(page)

    url = response.context["curation"]["labels_url"]
    assert urlsplit(url).path == labels_url(cipare)
    assert parse_qs(urlsplit(url).query)["next"] == [page]
    assert 'class="labels-link"' in response.text


def test_each_outlet_row_of_the_summary_links_to_its_labels(client, iwak_banten):
    """A curator's summary page links each of their outlets to its shelf labels, with
    the way back leading to the summary."""
    client.force_login(make_curator("disparpora"))

    response = client.get(reverse("staff_dashboard"))

    (row,) = response.context["outlets"]
    assert row.outlet == iwak_banten
    assert row.labels_url.startswith(labels_url(iwak_banten) + "?next=")
    assert parse_qs(urlsplit(row.labels_url).query)["next"] == [
        reverse("staff_dashboard")
    ]
    assert row.labels_url.replace("&", "&amp;") in response.text


def test_back_returns_to_the_page_of_this_site_staff_came_from(admin_client, cipare):
    """The shelf labels' back link leads to the page of this site staff came from."""
    response = admin_client.get(labels_url(cipare), {"next": "/admin/ringkasan/"})

    assert response.context["back_url"] == "/admin/ringkasan/"
    assert 'href="/admin/ringkasan/" data-back' in response.text


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""]
)
def test_back_never_leaves_the_site(admin_client, cipare, next_url):
    """Another site's address (or none) goes back to the outlet's admin page."""
    response = admin_client.get(labels_url(cipare), {"next": next_url})

    assert response.context["back_url"] == admin_url(Outlet, "change", cipare.pk)


def test_another_agencys_labels_stay_a_404_with_next(client, cipare):
    """A curator from Disparpora opening the shelf labels of a Dinas outlet gets a 404,
    even with a page to come back to."""
    client.force_login(make_curator("disparpora"))

    response = client.get(labels_url(cipare), {"next": "/admin/"})

    assert response.status_code == 404


# The outlet page


def test_the_outlet_page_opens_with_capacity_waiting_list_and_current_displays(
    admin_client, cipare
):
    """An outlet's admin page opens, above its own fields, with how full it is (1 of its
    capacity), the waiting requests and the current displays, each linked, without ended
    ones, and a link to end its current displays."""
    current = make_display(
        outlet=cipare, product=make_product(name="Abon Ikan Tuna Cipare")
    )
    ended = make_display(outlet=cipare, status=Display.Status.ENDED)
    waiting = make_display(
        outlet=cipare,
        status=Display.Status.REQUESTED,
        product=make_product(name="Keripik Menunggu"),
    )

    response = admin_client.get(admin_url(Outlet, "change", cipare.pk))

    curation = response.context["curation"]
    assert (curation["on_display"], curation["capacity"]) == (
        1,
        cipare.display_capacity,
    )
    assert curation["current"] == [current]
    page = response.text
    assert f'{cipare.name} <span class="capacity-count">1/' in page
    top = page.index("outlet-curation")
    assert top < page.index('name="name"')  # above the outlet's own fields
    assert top < page.index("Keripik Menunggu") < page.index('id="displays-group"')
    assert admin_url(Display, "change", current.pk) in page
    assert ended.product.name not in page[top : page.index('id="displays-group"')]
    assert admin_url(Display, "change", waiting.pk) in page
    assert curation["end_displays_url"] == (
        admin_url(Display, "changelist") + f"?outlet__id__exact={cipare.pk}&current=yes"
    )


def test_the_editable_display_rows_are_folded(admin_client, cipare):
    """The editable display rows on an outlet's admin page can be folded away."""
    make_display(outlet=cipare)

    response = admin_client.get(admin_url(Outlet, "change", cipare.pk))

    (displays,) = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Display
    ]
    assert displays.is_collapsible


def test_the_outlet_page_costs_the_same_queries_however_many_are_shown(
    admin_client, cipare
):
    """An outlet's admin page costs the same few queries with one current display and
    one request as with 30 of each."""

    def queries_of_the_page():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(admin_url(Outlet, "change", cipare.pk))
        assert response.status_code == 200
        return len(queries)

    make_display(outlet=cipare)
    make_display(outlet=cipare, status=Display.Status.REQUESTED)
    queries_of_the_page()  # the first also fills per-process caches (content types)
    few = queries_of_the_page()
    for _ in range(29):
        make_display(outlet=cipare)
        make_display(outlet=cipare, status=Display.Status.REQUESTED)

    assert queries_of_the_page() == few <= 15


# Ending displays in bulk


def end_selected(client, displays):
    return client.post(
        admin_url(Display, "changelist"),
        {"action": "end", "_selected_action": [d.pk for d in displays]},
        follow=True,
    )


def test_ending_selected_displays_goes_through_the_decision_path(client, cipare):
    """A curator ending two selected displays ends both as their decision, recorded in
    each display's history, and is told how many were ended."""
    curator = make_curator("dinkopukmperindag")
    client.force_login(curator)
    first, second = make_display(outlet=cipare), make_display(outlet=cipare)

    response = end_selected(client, [first, second])

    for display in (first, second):
        display.refresh_from_db()
        assert display.status == Display.Status.ENDED
        assert display.decided_by == curator
        last = display.history.first()
        assert (last.status, last.history_user) == (Display.Status.ENDED, curator)
    ((level, text),) = messages_of(response)
    assert level == "info" and "2" in text


def test_rows_that_are_not_approved_are_left_and_named(admin_client, cipare):
    """Ending a selection of an approved display and a waiting request ends the approved
    one, leaves the request as it was, and adds a warning to the confirmation."""
    approved = make_display(outlet=cipare)
    waiting = make_display(outlet=cipare, status=Display.Status.REQUESTED)

    response = end_selected(admin_client, [approved, waiting])

    approved.refresh_from_db()
    waiting.refresh_from_db()
    assert approved.status == Display.Status.ENDED
    assert waiting.status == Display.Status.REQUESTED
    assert [level for level, _ in messages_of(response)] == ["info", "warning"]


def test_ending_nothing_is_a_warning_not_a_success(admin_client, cipare):
    """Ending a selection with nothing approved in it answers with warnings, never a
    success message."""
    waiting = make_display(outlet=cipare, status=Display.Status.REQUESTED)

    response = end_selected(admin_client, [waiting])

    assert [level for level, _ in messages_of(response)] == ["warning", "warning"]


def test_a_curator_never_ends_another_agencys_display(client, iwak_banten):
    """A curator from Dinas selecting a Disparpora outlet's display to end leaves it on
    display."""
    client.force_login(make_curator("dinkopukmperindag"))
    display = make_display(outlet=iwak_banten)

    end_selected(client, [display])

    display.refresh_from_db()
    assert display.status == Display.Status.APPROVED


def test_approving_requests_already_rejected_shows_no_success(admin_client, cipare):
    """After refusing requests, approving them again says nothing was approved,
    as a warning (never a green "0 … approved")."""
    rejected = make_display(outlet=cipare, status=Display.Status.REJECTED)

    response = admin_client.post(
        admin_url(Display, "changelist"),
        {"action": "approve", "_selected_action": [rejected.pk]},
        follow=True,
    )

    assert [level for level, _ in messages_of(response)] == ["warning"]
    assert "0" not in messages_of(response)[0][1]


def test_rejecting_requests_decided_meanwhile_shows_no_success(admin_client, cipare):
    """Rejecting a request the owner cancelled meanwhile shows only a warning, no
    success message."""
    display = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    Display.objects.filter(pk=display.pk).update(status=Display.Status.CANCELLED)

    response = admin_client.post(
        admin_url(Display, "changelist"),
        {
            "action": "reject",
            "_selected_action": [display.pk],
            "post": "yes",
            "reason": "Penuh.",
        },
        follow=True,
    )

    assert [level for level, _ in messages_of(response)] == ["warning"]


# Names and exports


def test_a_display_is_named_by_its_product_and_outlet(cipare):
    """A display is named "product @ outlet", e.g. "Abon Ikan Tuna @ Gerai UMKM
    Cipare"."""
    display = make_display(outlet=cipare, product=make_product(name="Abon Ikan Tuna"))

    assert str(display) == "Abon Ikan Tuna @ Gerai UMKM Cipare"


def test_the_display_changelist_shows_when_each_request_waited_and_turn(
    admin_client, cipare
):
    """The waiting display requests show when each was made and when its business was
    last shown, in at most seven columns; one outlet's list shows status instead of
    outlet."""
    response = admin_client.get(admin_url(Display, "changelist"), {"queue": "waiting"})

    columns = response.context["cl"].list_display
    assert created_on in columns and "last_shown" in columns
    assert len(columns) <= 7  # with the checkbox: fits 1280 px

    one_outlet = admin_client.get(
        admin_url(Display, "changelist"), {"outlet__id__exact": cipare.pk}
    )
    assert "outlet" not in one_outlet.context["cl"].list_display
    assert "status" not in columns and "status" in one_outlet.context["cl"].list_display


def test_the_display_export_writes_status_labels_and_yes_no(cipare):
    """The exported displays give each status by its label and say "Ya" or "Tidak" for
    whether it is on display today."""
    today = timezone.localdate()
    make_display(outlet=cipare)
    make_display(outlet=cipare, status=Display.Status.REQUESTED)
    make_display(
        outlet=cipare,
        starts_on=today + datetime.timedelta(days=3),
    )

    dataset = DisplayResource().export(
        queryset=Display.objects.order_by("created_at", "pk")
    )

    rows = [dict(zip(dataset.headers, row, strict=True)) for row in dataset]
    assert [row["status"] for row in rows] == [
        str(Display.Status.APPROVED.label),
        str(Display.Status.REQUESTED.label),
        str(Display.Status.APPROVED.label),
    ]
    assert [row["sedang_dipajang"] for row in rows] == ["Ya", "Tidak", "Tidak"]


def test_the_display_log_names_each_display_without_a_query_per_row(
    admin_client, cipare, django_assert_max_num_queries
):
    """The display history list names each display ("Abon Ikan Tuna @ Gerai UMKM
    Cipare") and costs no more queries with 20 more displays."""
    for _ in range(3):
        make_display(outlet=cipare, product=make_product(name="Abon Ikan Tuna"))
    url = admin_url(Display.history.model, "changelist")
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    for _ in range(20):
        make_display(outlet=cipare)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)

    assert "Abon Ikan Tuna @ Gerai UMKM Cipare" in response.text
