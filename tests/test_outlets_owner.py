"""Owners ask for a place at an outlet, follow their requests on the dashboard and
are emailed when staff decide."""

import datetime
import re

import pytest
from django import forms
from django.conf import settings
from django.core import mail
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import dateformat, timezone

from outlets.emails import notify_owner_of_decision
from outlets.forms import DisplayRequestForm
from outlets.models import Display, Outlet
from products.models import Business, Product
from tests.admin_helpers import admin_url, rendered_form_data
from tests.factories import (
    make_business,
    make_display,
    make_many_products,
    make_product,
    make_user,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def owner():
    return make_user(full_name="Siti Aminah")


@pytest.fixture
def business(owner):
    return make_business(owner=owner, name="Dapur Siti")


@pytest.fixture
def product(business):
    return make_product(business=business, name="Emping Melinjo")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def other_client(client):
    client.force_login(make_user())
    return client


def request_url(product):
    return reverse("outlets:display_request", args=[product.slug])


def cancel_url(display):
    return reverse("outlets:display_cancel", args=[display.pk])


def shown_date(day):
    return dateformat.format(day, "j M Y")


# Permission ladder


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("view", ["dashboard", "list", "request", "cancel"])
def test_anonymous_visitors_are_sent_to_sign_in(client, product, method, view):
    """Every owner page asks an anonymous visitor to sign in first."""
    display = make_display(product=product, status=Display.Status.REQUESTED)
    url = {
        "dashboard": reverse("outlets:dashboard"),
        "list": reverse("outlets:display_list"),
        "request": request_url(product),
        "cancel": cancel_url(display),
    }[view]

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))
    display.refresh_from_db()
    assert display.status == Display.Status.REQUESTED


def test_another_owners_product_cannot_be_requested(other_client, product, cipare):
    """The request page of another owner's product is a 404, by GET or POST."""
    assert other_client.get(request_url(product)).status_code == 404

    response = other_client.post(request_url(product), {"outlet": cipare.pk})

    assert response.status_code == 404
    assert not Display.objects.exists()


def test_another_owners_request_cannot_be_cancelled(other_client, product):
    """Another owner's request is a 404 and stays requested."""
    display = make_display(product=product, status=Display.Status.REQUESTED)

    assert other_client.get(cancel_url(display)).status_code == 404
    assert other_client.post(cancel_url(display)).status_code == 404

    display.refresh_from_db()
    assert display.status == Display.Status.REQUESTED


def test_other_owners_see_nothing_of_an_owners_displays(other_client, product):
    """The dashboard and the list show only the signed-in owner's own displays."""
    make_display(product=product, status=Display.Status.REQUESTED)

    for name in ["outlets:dashboard", "outlets:display_list"]:
        response = other_client.get(reverse(name))
        assert response.status_code == 200
        assert "Emping Melinjo" not in response.content.decode()


# Asking for display


def test_owner_asks_for_display_of_an_approved_product(
    owner_client, owner, product, cipare
):
    """The request is saved as requested, by the owner, with their message."""
    assert owner_client.get(request_url(product)).status_code == 200

    response = owner_client.post(
        request_url(product),
        {"outlet": cipare.pk, "message": "Stok 50 bungkus per minggu."},
    )

    assert response.status_code == 302
    assert response.url == reverse("outlets:display_list")
    display = Display.objects.get()
    assert display.product == product
    assert display.outlet == cipare
    assert display.status == Display.Status.REQUESTED
    assert display.requested_by == owner
    assert display.message == "Stok 50 bungkus per minggu."
    assert display.starts_on is None


@pytest.mark.parametrize("status", [Display.Status.REQUESTED, Display.Status.APPROVED])
def test_a_second_open_request_at_the_same_outlet_is_refused(
    owner_client, product, cipare, status
):
    """While a request waits or the product is on display there, asking again at
    that outlet is a form error, not a second row."""
    make_display(product=product, outlet=cipare, status=status)

    response = owner_client.post(request_url(product), {"outlet": cipare.pk})

    assert response.status_code == 200
    assert response.context["form"].has_error("outlet", "open")
    assert Display.objects.count() == 1


def test_asking_again_after_a_rejection_or_at_another_outlet_is_allowed(
    owner_client, product, cipare, kasemen
):
    """Closed requests do not block a new one; other outlets are independent."""
    make_display(product=product, outlet=cipare, status=Display.Status.REJECTED)
    make_display(product=product, outlet=kasemen, status=Display.Status.REQUESTED)

    response = owner_client.post(request_url(product), {"outlet": cipare.pk})

    assert response.status_code == 302
    assert Display.objects.open().filter(outlet=cipare, product=product).count() == 1


def test_a_tampered_product_field_is_ignored(owner_client, product, cipare):
    """The product comes from the owner's own address, never from the POST data."""
    someone_elses = make_product()

    owner_client.post(
        request_url(product), {"outlet": cipare.pk, "product": someone_elses.pk}
    )

    assert Display.objects.get().product == product
    assert not someone_elses.displays.exists()


@pytest.mark.parametrize(
    ("product_status", "business_status"),
    [
        (Product.Status.DRAFT, Business.Status.VERIFIED),
        (Product.Status.PENDING, Business.Status.VERIFIED),
        (Product.Status.REJECTED, Business.Status.VERIFIED),
        (Product.Status.APPROVED, Business.Status.PENDING),
        (Product.Status.APPROVED, Business.Status.REJECTED),
    ],
)
def test_a_product_not_yet_public_cannot_be_requested(
    owner_client, owner, cipare, product_status, business_status
):
    """The page explains why instead of offering the form, and a POST saves
    nothing."""
    business = make_business(owner=owner, status=business_status)
    product = make_product(business=business, status=product_status)

    page = owner_client.get(request_url(product))
    response = owner_client.post(request_url(product), {"outlet": cipare.pk})

    assert page.status_code == 200
    assert page.context["refusal"]
    assert 'name="outlet"' not in page.content.decode()
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "not_displayable")
    assert not Display.objects.exists()


def test_temporarily_closed_outlets_take_no_requests(product, cipare, kasemen):
    """A temporarily closed outlet is not offered, nor an event stand that is over;
    planned and open outlets are."""
    kasemen.status = Outlet.Status.TEMPORARILY_CLOSED
    kasemen.save()
    over = Outlet.objects.create(
        name="Serang Fair 2020",
        slug="serang-fair-2020",
        kind=Outlet.Kind.EVENT_STAND,
        agency=cipare.agency,
        address="Alun-alun",
        starts_on=datetime.date(2020, 8, 1),
        ends_on=datetime.date(2020, 8, 10),
    )
    planned = Outlet.objects.create(
        name="Gerai Baru",
        slug="gerai-baru",
        status=Outlet.Status.PLANNED,
        agency=cipare.agency,
        address="Jl. Baru",
    )

    form = DisplayRequestForm(data={"outlet": kasemen.pk}, product=product)

    offered = set(form.fields["outlet"].queryset)
    assert cipare in offered
    assert planned in offered
    assert kasemen not in offered
    assert over not in offered
    assert form.has_error("outlet", "invalid_choice")


def test_the_request_form_needs_an_outlet_but_no_message(product, cipare):
    """The message is optional; the outlet is not."""
    assert DisplayRequestForm(data={"outlet": cipare.pk}, product=product).is_valid()
    assert not DisplayRequestForm(data={}, product=product).is_valid()


# Cancelling


def test_owner_cancels_a_pending_request(owner_client, product):
    """A request still waiting for a decision is cancelled by its owner."""
    display = make_display(product=product, status=Display.Status.REQUESTED)

    assert owner_client.get(cancel_url(display)).status_code == 200
    response = owner_client.post(cancel_url(display))

    assert response.status_code == 302
    assert response.url == reverse("outlets:display_list")
    display.refresh_from_db()
    assert display.status == Display.Status.CANCELLED


@pytest.mark.parametrize("status", [Display.Status.APPROVED, Display.Status.REJECTED])
def test_a_decided_request_cannot_be_cancelled(owner_client, product, status):
    """Once staff decided, the owner's cancel changes nothing and says why."""
    display = make_display(product=product, status=status)

    response = owner_client.post(cancel_url(display), follow=True)

    display.refresh_from_db()
    assert display.status == status
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


# The owner's list


def test_the_list_shows_rejection_reasons_and_display_dates(
    owner_client, product, cipare, kasemen, iwak_banten, today
):
    """A rejection shows its reason; an approved display its first and last day."""
    make_display(
        product=product,
        outlet=cipare,
        status=Display.Status.REJECTED,
        decision_reason="Kuota makanan ringan sudah penuh.",
    )
    make_display(
        product=product,
        outlet=kasemen,
        starts_on=today - 3 * DAY,
        ends_on=today + 30 * DAY,
    )
    make_display(product=product, outlet=iwak_banten, starts_on=today + 7 * DAY)

    content = owner_client.get(reverse("outlets:display_list")).content.decode()

    assert "Kuota makanan ringan sudah penuh." in content
    assert shown_date(today - 3 * DAY) in content
    assert shown_date(today + 30 * DAY) in content
    assert shown_date(today + 7 * DAY) in content


def test_the_list_groups_displays_by_where_they_stand(
    owner_client, product, cipare, today
):
    """Waiting, on display, starting later, ended (also by date), rejected and
    cancelled displays each have their group."""
    agency = cipare.agency
    outlets = [
        Outlet.objects.create(
            name=f"Gerai {n}", slug=f"gerai-{n}", agency=agency, address="Jl."
        )
        for n in range(7)
    ]
    stages = {
        Display.Stage.REQUESTED: {"status": Display.Status.REQUESTED},
        Display.Stage.ON_DISPLAY: {},
        Display.Stage.SCHEDULED: {"starts_on": today + DAY},
        Display.Stage.REJECTED: {"status": Display.Status.REJECTED},
        Display.Stage.CANCELLED: {"status": Display.Status.CANCELLED},
    }
    expected = {}
    for outlet, (stage, fields) in zip(outlets, stages.items(), strict=False):
        expected[stage] = [make_display(product=product, outlet=outlet, **fields)]
    expected[Display.Stage.ENDED] = [
        make_display(
            product=product,
            outlet=outlets[5],
            starts_on=today - 10 * DAY,
            ends_on=today - DAY,
        ),
        make_display(product=product, outlet=outlets[6], status=Display.Status.ENDED),
    ]

    response = owner_client.get(reverse("outlets:display_list"))

    groups = {stage: displays for stage, _label, displays in response.context["groups"]}
    assert {stage: set(d) for stage, d in groups.items()} == {
        stage: set(d) for stage, d in expected.items()
    }


def test_the_list_has_an_empty_state(owner_client, product):
    """An owner without requests is told how to make one."""
    response = owner_client.get(reverse("outlets:display_list"))

    assert response.status_code == 200
    assert response.context["groups"] == []
    assert reverse("outlets:dashboard") in response.content.decode()


# Dashboard


def test_a_new_owner_is_asked_to_register_a_business_first(client):
    """Without a business the dashboard links to the business registration."""
    client.force_login(make_user())

    response = client.get(reverse("outlets:dashboard"))

    assert response.status_code == 200
    assert response.context["businesses"] == []
    assert 'href="/dasbor/usaha/baru/"' in response.content.decode()


def test_the_dashboard_puts_what_needs_action_first(owner_client, owner, business):
    """Rejected businesses, drafts and rejected products (with the staff's reason)
    come first; approved products are offered for display."""
    rejected = make_business(
        owner=owner,
        status=Business.Status.REJECTED,
        status_reason="NIB tidak cocok dengan nama usaha.",
    )
    draft = make_product(business=business, status=Product.Status.DRAFT)
    refused = make_product(
        business=business,
        status=Product.Status.REJECTED,
        status_reason="Foto produk buram.",
    )
    ready = make_product(business=business)
    make_product(business=business, status=Product.Status.PENDING)

    response = owner_client.get(reverse("outlets:dashboard"))

    content = response.content.decode()
    assert response.context["rejected_businesses"] == [rejected]
    assert set(response.context["products_to_fix"]) == {draft, refused}
    assert response.context["displayable_products"] == [ready]
    assert "NIB tidak cocok dengan nama usaha." in content
    assert "Foto produk buram." in content
    assert content.index("Foto produk buram.") < content.index(request_url(ready))
    counts = {status: n for status, _label, n in response.context["product_counts"]}
    assert counts == {
        "draft": 1,
        "pending": 1,
        "approved": 1,
        "rejected": 1,
        "withdrawn": 0,
    }


def test_the_dashboard_counts_displays_by_stage(owner_client, product, kasemen):
    """Each stage shows how many of the owner's displays are at it."""
    make_display(product=product)
    make_display(product=product, outlet=kasemen, status=Display.Status.REQUESTED)
    make_display(product=make_product(), status=Display.Status.REQUESTED)

    response = owner_client.get(reverse("outlets:dashboard"))

    counts = dict(response.context["display_counts"])
    assert counts[Display.Stage.ON_DISPLAY] == 1
    assert counts[Display.Stage.REQUESTED] == 1
    assert response.context["display_total"] == 2


def test_the_dashboard_counts_with_a_thousands_separator(owner_client, business, today):
    """1.234 approved products and 1.001 displays read so, as the public pages'
    counts do, not "1234"."""
    make_many_products(business, 1234, status=Product.Status.APPROVED)
    Display.objects.bulk_create(
        Display(
            product=product,
            outlet=Outlet.objects.get(slug="gerai-umkm-cipare"),
            status=Display.Status.ENDED,
            starts_on=today - 9 * DAY,
            ends_on=today - DAY,
        )
        for product in Product.objects.filter(business=business)[:1001]
    )

    indonesian = owner_client.get(reverse("outlets:dashboard")).text
    english = owner_client.get("/en" + reverse("outlets:dashboard")).text

    def counts(html):
        return re.findall(r"</span>\s+([\d.,]+)</li>", html)

    assert counts(indonesian) == ["1.234", "1.001"]
    assert counts(english) == ["1,234", "1,001"]


def test_dashboard_queries_do_not_grow_with_products_and_requests(
    owner_client, owner, business, django_assert_max_num_queries
):
    """20 products and 10 requests cost no more queries than one of each."""
    statuses = [Product.Status.APPROVED, Product.Status.DRAFT, Product.Status.REJECTED]
    products = [
        make_product(business=business, status=statuses[n % 3]) for n in range(20)
    ]
    outlets = list(Outlet.objects.all())
    for n, product in enumerate(products[:10]):
        make_display(
            product=product,
            outlet=outlets[n % len(outlets)],
            status=Display.Status.REQUESTED,
        )

    with django_assert_max_num_queries(10):
        response = owner_client.get(reverse("outlets:dashboard"))

    assert response.status_code == 200
    assert response.context["display_total"] == 10


# Emails on staff decisions


def test_approving_in_the_admin_emails_the_owner_once(
    admin_client, owner, product, cipare, today, django_capture_on_commit_callbacks
):
    """The owner learns which product is approved at which outlet, and where to see
    their requests."""
    display = make_display(product=product, outlet=cipare, status="requested")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            admin_url(Display, "change", display.pk),
            {
                "outlet": cipare.pk,
                "product": product.pk,
                "starts_on": today.isoformat(),
                "status": Display.Status.APPROVED,
            },
        )

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [owner.email]
    assert "Emping Melinjo" in email.subject
    assert cipare.name in email.subject
    assert "Emping Melinjo" in email.body
    assert cipare.name in email.body
    assert dateformat.format(today, "j F Y") in email.body
    assert "http://testserver/dasbor/pajangan/" in email.body
    assert "&amp;" not in email.body


def test_rejecting_in_the_admin_emails_the_reason(
    admin_client, owner, product, cipare, django_capture_on_commit_callbacks
):
    """The rejection email carries the staff's reason."""
    display = make_display(product=product, outlet=cipare, status="requested")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            admin_url(Display, "change", display.pk),
            {
                "outlet": cipare.pk,
                "product": product.pk,
                "status": Display.Status.REJECTED,
                "decision_reason": "Produk serupa & sejenis sudah dipajang.",
            },
        )

    display.refresh_from_db()
    assert display.status == Display.Status.REJECTED
    [email] = mail.outbox
    assert email.to == [owner.email]
    assert "Produk serupa & sejenis sudah dipajang." in email.body


def test_saving_without_a_status_change_sends_nothing(
    admin_client, product, cipare, today, django_capture_on_commit_callbacks
):
    """Changing only the dates of an approved display emails nobody."""
    display = make_display(product=product, outlet=cipare)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            admin_url(Display, "change", display.pk),
            {
                "outlet": cipare.pk,
                "product": product.pk,
                "starts_on": today.isoformat(),
                "ends_on": (today + 30 * DAY).isoformat(),
                "status": Display.Status.APPROVED,
            },
        )

    assert response.status_code == 302
    assert mail.outbox == []


def test_approving_on_the_outlet_page_emails_the_owner(
    admin_client, owner, product, cipare, today, django_capture_on_commit_callbacks
):
    """A decision in the outlet's display inline is announced like any other."""
    make_display(product=product, outlet=cipare, status=Display.Status.REQUESTED)
    url = admin_url(Outlet, "change", cipare.pk)
    data = rendered_form_data(admin_client.get(url))
    data["displays-0-status"] = Display.Status.APPROVED
    data["displays-0-starts_on"] = today.isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)

    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == [owner.email]
    assert "Emping Melinjo" in email.body


def test_no_email_for_a_business_without_owner_or_an_undecided_status(product):
    """A business held by staff has nobody to tell; a request is no decision."""
    display = make_display(product=product, status=Display.Status.REQUESTED)
    assert not notify_owner_of_decision(display, "https://gerai.example")

    display.status = Display.Status.REJECTED
    product.business.owner = None
    product.business.save()
    display.product.business.owner = None
    assert not notify_owner_of_decision(display, "https://gerai.example")

    assert mail.outbox == []


def test_a_request_racing_another_gets_a_form_error(
    owner_client, product, cipare, monkeypatch
):
    """When two requests pass validation at once, the database constraint refuses
    the second and the owner sees the form error, not a server error."""
    make_display(product=product, outlet=cipare, status=Display.Status.REQUESTED)
    monkeypatch.setattr(DisplayRequestForm, "clean", forms.ModelForm.clean)

    response = owner_client.post(request_url(product), {"outlet": cipare.pk})

    assert response.status_code == 200
    assert response.context["form"].errors["outlet"]
    assert Display.objects.count() == 1


def test_an_outlet_no_longer_offered_is_refused_in_plain_indonesian(
    owner_client, product
):
    """An owner whose form still offers an outlet that closed meanwhile is asked,
    in plain Indonesian, to pick one of the outlets offered (not Django's
    "Masukkan pilihan yang valid…")."""
    closed = Outlet.objects.get(slug="iwak-banten")
    closed.status = Outlet.Status.TEMPORARILY_CLOSED
    closed.save()

    response = owner_client.post(request_url(product), {"outlet": closed.pk})

    assert response.status_code == 200
    assert "Pilih salah satu pilihan yang tersedia" in response.text
    assert "Masukkan pilihan yang valid" not in response.text
    assert not Display.objects.filter(product=product).exists()
