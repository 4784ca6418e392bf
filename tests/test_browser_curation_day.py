"""A curator's day in the admin, in a real browser: from the admin home's queue to
the request to approve, two displays ended in bulk from the outlet page, and the
shelf labels printed from there and back again."""

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import CURATOR
from outlets.models import Display, Outlet
from tests.admin_helpers import make_staff
from tests.factories import make_display, make_product
from tests.test_browser_staff_curation import PASSWORD, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_a_curator_works_through_the_day_in_few_clicks(live_server, browser):
    """A Dinas curator goes from the admin home's queue to a request and approves it,
    ends two of the outlet's displays in one go, then prints its shelf labels and comes
    back to the outlet's page."""
    url = live_server.url
    cipare = Outlet.objects.get(slug="gerai-umkm-cipare")
    first, second, kept = (
        make_display(outlet=cipare, product=make_product(name=name))
        for name in ["Abon Ikan Tuna", "Keripik Talas", "Sambal Roa"]
    )
    request = make_display(
        outlet=cipare,
        product=make_product(name="Emping Melinjo"),
        status=Display.Status.REQUESTED,
    )
    make_staff(
        "dinkopukmperindag",
        group=CURATOR,
        email="kurator.cipare@serangkota.go.id",
        password=PASSWORD,
    )
    page = sign_in(browser, url, "kurator.cipare@serangkota.go.id")

    # The admin home's queue opens the requests waiting at the agency's outlets.
    page.goto(url + "/admin/")
    page.locator(".start-queues a[href*='/admin/outlets/display/']").click()
    expect(page.locator("#result_list")).to_contain_text("Emping Melinjo")
    page.locator(f"input[name=_selected_action][value='{request.pk}']").check()
    page.locator("select[name=action]").select_option("approve")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist .info")).to_be_visible()

    # From the outlet page, two current displays are ended in one go.
    outlet_page = f"{url}/admin/outlets/outlet/{cipare.pk}/change/"
    page.goto(outlet_page)
    expect(page.locator(".outlet-curation h2")).to_contain_text("4/")
    page.locator("a.end-displays-link").click()
    for display in (first, second):
        page.locator(f"input[name=_selected_action][value='{display.pk}']").check()
    page.locator("select[name=action]").select_option("end")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist .info")).to_contain_text("2")
    statuses = dict(
        Display.objects.filter(pk__in=[first.pk, second.pk, kept.pk]).values_list(
            "pk", "status"
        )
    )
    assert statuses == {
        first.pk: Display.Status.ENDED,
        second.pk: Display.Status.ENDED,
        kept.pk: Display.Status.APPROVED,
    }

    # The labels, printed from the outlet page, lead back to it.
    page.goto(outlet_page)
    expect(page.locator(".outlet-curation h2")).to_contain_text("2/")
    page.locator("a.labels-link").click()
    expect(page.locator(".shelf-label")).to_have_count(2)
    page.locator("a[data-back]").click()
    expect(page).to_have_url(re.compile(rf"/admin/outlets/outlet/{cipare.pk}/change/$"))
