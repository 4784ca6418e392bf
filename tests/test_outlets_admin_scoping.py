"""Staff roles and agency scoping in the admin: a curator ("Kurator gerai") sees and
changes only the outlets of their agencies and the displays there; superusers see
everything."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.roles import CURATOR, VERIFIER
from outlets.admin import DisplayAdmin, OutletAdmin
from outlets.models import Display, Outlet
from products.models import Product
from tests.admin_helpers import admin_url, make_curator, make_verifier
from tests.factories import make_display, make_product, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def disparpora_curator(client):
    """A Disparpora curator, logged in: Iwak Banten is theirs."""
    client.force_login(make_curator("disparpora"))
    return client


@pytest.fixture
def dinkop_curator(client):
    """A Dinas Koperasi curator, logged in: Cipare and Kasemen are theirs."""
    client.force_login(make_curator("dinkopukmperindag"))
    return client


def display_form_data(display, **changes):
    data = {
        "outlet": display.outlet_id,
        "product": display.product_id,
        "starts_on": display.starts_on.isoformat() if display.starts_on else "",
        "ends_on": display.ends_on.isoformat() if display.ends_on else "",
        "status": display.status,
        "decision_reason": display.decision_reason,
    }
    return {**data, **changes}


def test_roles_are_groups_with_their_permissions():
    """After migrate both roles exist with the permissions their work needs."""

    def codenames(name):
        return set(
            Group.objects.get(name=name).permissions.values_list("codename", flat=True)
        )

    verifikator = codenames(VERIFIER)
    assert {
        "view_business",
        "change_business",
        "view_product",
        "change_product",
        "view_kelurahan",
        "view_category",
    } <= verifikator
    # Assisted registration: verifiers add businesses and products for owners, but
    # never delete what an owner or a colleague registered.
    assert {"add_business", "add_product", "view_user"} <= verifikator
    assert not {"delete_business", "delete_product"} & verifikator
    assert codenames(CURATOR) >= {
        "view_display",
        "add_display",
        "change_display",
        "view_outlet",
        "change_outlet",
        "view_openinghours",
        "change_openinghours",
        "view_product",
        "view_business",
    }
    assert "delete_display" not in codenames(CURATOR)
    assert Permission.objects.filter(group__name=CURATOR).count() == len(
        codenames(CURATOR)
    )


def test_a_verifikator_reviews_products_but_not_displays(client):
    """A Verifikator opens a product's admin page but is refused the list of displays
    (403)."""
    client.force_login(make_verifier())
    product = make_product()

    assert client.get(admin_url(Product, "change", product.pk)).status_code == 200
    assert client.get(admin_url(Display, "changelist")).status_code == 403


def test_a_curator_lists_only_the_outlets_of_their_agency(disparpora_curator):
    """A curator from Disparpora listing outlets in the admin sees Iwak Banten, their
    agency's only outlet."""
    response = disparpora_curator.get(admin_url(Outlet, "changelist"))

    assert response.status_code == 200
    assert [o.slug for o in response.context["cl"].result_list] == ["iwak-banten"]


def test_a_curator_lists_only_displays_at_their_outlets(
    dinkop_curator, cipare, kasemen, iwak_banten
):
    """A Dinas curator listing displays sees those at Cipare and Kasemen only, and the
    outlet filter does not offer Iwak Banten."""
    at_cipare = make_display(outlet=cipare)
    at_kasemen = make_display(outlet=kasemen)
    make_display(outlet=iwak_banten)

    response = dinkop_curator.get(admin_url(Display, "changelist"))

    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {at_cipare, at_kasemen}
    # The outlet filter offers only their outlets too.
    assert "Iwak Banten" not in response.content.decode()


def test_a_superuser_sees_every_display(admin_client, cipare, iwak_banten):
    """A superuser lists the displays and the outlets of every agency."""
    displays = {make_display(outlet=cipare), make_display(outlet=iwak_banten)}

    response = admin_client.get(admin_url(Display, "changelist"))

    assert set(response.context["cl"].result_list) == displays
    response = admin_client.get(admin_url(Outlet, "changelist"))
    assert len(response.context["cl"].result_list) == Outlet.objects.count()


@pytest.mark.parametrize("outlet_slug", ["gerai-umkm-cipare", "gerai-umkm-kasemen"])
def test_a_disparpora_curator_cannot_open_other_agencies_pages(
    disparpora_curator, outlet_slug
):
    """A Disparpora curator typing the address of a Dinas outlet, its display or
    the display's history gets no page of it."""
    outlet = Outlet.objects.get(slug=outlet_slug)
    display = make_display(outlet=outlet)

    # The admin answers an object it does not show as a missing one (a redirect
    # to its index); the history page refuses (simple_history's permission check).
    for url in [
        admin_url(Outlet, "change", outlet.pk),
        admin_url(Display, "change", display.pk),
    ]:
        response = disparpora_curator.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("admin:index")
    response = disparpora_curator.get(admin_url(Display, "history", display.pk))
    assert response.status_code == 403


def test_a_forged_post_cannot_decide_another_agencys_display(
    disparpora_curator, cipare
):
    """A curator from Disparpora posting an approval of a Dinas outlet's request is sent
    to the admin home; the request still waits, decided by nobody."""
    display = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    today = timezone.localdate()

    response = disparpora_curator.post(
        admin_url(Display, "change", display.pk),
        display_form_data(
            display, status=Display.Status.APPROVED, starts_on=today.isoformat()
        ),
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    display.refresh_from_db()
    assert display.status == Display.Status.REQUESTED
    assert display.decided_by is None


def test_a_forged_post_cannot_change_another_agencys_outlet(
    dinkop_curator, iwak_banten
):
    """A Dinas curator posting a new name for Disparpora's outlet is sent to the admin
    home, and the outlet keeps its name."""
    response = dinkop_curator.post(
        admin_url(Outlet, "change", iwak_banten.pk),
        {"name": "Diambil alih", "slug": iwak_banten.slug},
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    iwak_banten.refresh_from_db()
    assert iwak_banten.name == "Iwak Banten"


def test_a_curator_decides_a_display_at_their_outlet(dinkop_curator, cipare):
    """A Dinas curator approves a request at Cipare, and the approval is recorded as
    someone's decision."""
    display = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    today = timezone.localdate()

    response = dinkop_curator.post(
        admin_url(Display, "change", display.pk),
        display_form_data(
            display, status=Display.Status.APPROVED, starts_on=today.isoformat()
        ),
    )

    assert response.status_code == 302
    display.refresh_from_db()
    assert display.status == Display.Status.APPROVED
    assert display.decided_by is not None


def test_the_add_form_offers_only_the_curators_outlets(disparpora_curator, iwak_banten):
    """A curator from Disparpora adding a display is offered only their agency's
    outlet."""
    response = disparpora_curator.get(admin_url(Display, "add"))

    assert response.status_code == 200
    outlets = response.context["adminform"].form.fields["outlet"].queryset
    assert list(outlets) == [iwak_banten]


def test_the_outlet_autocomplete_offers_only_the_curators_outlets(
    disparpora_curator, iwak_banten
):
    """A curator from Disparpora searching outlets for a display is offered only their
    agency's outlet."""
    response = disparpora_curator.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "outlets",
            "model_name": "display",
            "field_name": "outlet",
            "term": "",
        },
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(iwak_banten.pk)]


def test_a_forged_post_cannot_add_a_display_at_another_agencys_outlet(
    dinkop_curator, iwak_banten
):
    """A Dinas curator posting a display at Disparpora's outlet sees the form again with
    an error on the outlet, and no display is added."""
    product = make_product()

    response = dinkop_curator.post(
        admin_url(Display, "add"),
        {
            "outlet": iwak_banten.pk,
            "product": product.pk,
            "starts_on": timezone.localdate().isoformat(),
            "status": Display.Status.APPROVED,
        },
    )

    assert response.status_code == 200
    assert "outlet" in response.context["adminform"].form.errors
    assert not Display.objects.exists()


def test_a_curator_adds_a_display_at_their_outlet(disparpora_curator, iwak_banten):
    """A curator from Disparpora adds a display at their own outlet."""
    product = make_product()

    response = disparpora_curator.post(
        admin_url(Display, "add"),
        {
            "outlet": iwak_banten.pk,
            "product": product.pk,
            "starts_on": timezone.localdate().isoformat(),
            "status": Display.Status.APPROVED,
        },
    )

    assert response.status_code == 302
    assert Display.objects.get().outlet == iwak_banten


def test_a_curator_cannot_hand_an_outlet_to_another_agency(
    disparpora_curator, iwak_banten
):
    """A curator from Disparpora editing their outlet is offered only their own agency
    for it."""
    response = disparpora_curator.get(admin_url(Outlet, "change", iwak_banten.pk))

    agencies = response.context["adminform"].form.fields["agency"].queryset
    assert [a.slug for a in agencies] == ["disparpora"]


def test_the_outlet_page_inline_shows_only_that_outlets_displays(
    dinkop_curator, cipare, kasemen
):
    """An outlet's admin page shows, among the displays to edit, its current one: not
    another outlet's, nor its own that ended."""
    here = make_display(outlet=cipare)
    make_display(outlet=kasemen)
    make_display(
        outlet=cipare,
        starts_on=timezone.localdate() - datetime.timedelta(days=9),
        ends_on=timezone.localdate() - datetime.timedelta(days=2),
    )

    response = dinkop_curator.get(admin_url(Outlet, "change", cipare.pk))

    assert response.status_code == 200
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is Display
    )
    assert [form.instance for form in formset.initial_forms] == [here]


def test_object_permissions_refuse_other_agencies_objects(cipare, iwak_banten):
    """Beyond the scoped lists, the permission checks themselves refuse objects of
    other agencies (defence in depth for any view that fetches an object)."""
    request = RequestFactory().get("/")
    request.user = make_curator("disparpora")
    display_admin = DisplayAdmin(Display, admin.site)
    outlet_admin = OutletAdmin(Outlet, admin.site)
    theirs, ours = make_display(outlet=cipare), make_display(outlet=iwak_banten)

    for check in ["has_view_permission", "has_change_permission"]:
        assert getattr(display_admin, check)(request, ours)
        assert not getattr(display_admin, check)(request, theirs)
        assert getattr(outlet_admin, check)(request, iwak_banten)
        assert not getattr(outlet_admin, check)(request, cipare)
    assert not display_admin.has_delete_permission(request, theirs)


ROLES = {
    "Dinkop curator": lambda: make_curator("dinkopukmperindag"),
    "Disparpora curator": lambda: make_curator("disparpora"),
    VERIFIER: make_verifier,
    "superuser": lambda: make_user(is_staff=True, is_superuser=True),
}
OUTLETS = {
    "gerai-umkm-cipare": "dinkopukmperindag",
    "gerai-umkm-kasemen": "dinkopukmperindag",
    "iwak-banten": "disparpora",
}


@pytest.mark.parametrize("outlet_slug", OUTLETS)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_curates_exactly_the_outlets_it_may(client, role, outlet_slug):
    """Every door tried for each role at each outlet: the outlet page, the display
    page, a forged decision, the bulk approval and the shelf labels open only for
    curators of the outlet's agency and for superusers."""
    user = ROLES[role]()
    client.force_login(user)
    allowed = user.is_superuser or role.startswith(
        {"dinkopukmperindag": "Dinkop", "disparpora": "Disparpora"}[
            OUTLETS[outlet_slug]
        ]
    )
    outlet = Outlet.objects.get(slug=outlet_slug)
    decided = make_display(outlet=outlet, status=Display.Status.REQUESTED)
    bulk = make_display(outlet=outlet, status=Display.Status.REQUESTED)
    today = timezone.localdate()

    pages = [
        client.get(admin_url(Outlet, "change", outlet.pk)),
        client.get(admin_url(Display, "change", decided.pk)),
        client.get(reverse("outlets:labels", args=[outlet.slug])),
    ]
    client.post(
        admin_url(Display, "change", decided.pk),
        display_form_data(
            decided, status=Display.Status.APPROVED, starts_on=today.isoformat()
        ),
    )
    client.post(
        admin_url(Display, "changelist"),
        {"action": "approve", "_selected_action": [bulk.pk]},
    )

    assert [page.status_code == 200 for page in pages] == [allowed] * 3
    decided.refresh_from_db()
    bulk.refresh_from_db()
    expected = Display.Status.APPROVED if allowed else Display.Status.REQUESTED
    assert (decided.status, bulk.status) == (expected, expected)
