"""Staff decisions hold: one decision path records every status change; a stale page
never undoes a colleague's decision; a rejection always has its reason; an owner's
change to a reviewed claim waits for staff."""

import datetime
import re
import threading

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import VERIFIER
from outlets import decisions as outlet_decisions
from outlets.models import Display, Outlet
from products import decisions
from products.models import Business, Certification, Product, ProposedChange
from tests.admin_helpers import admin_url, make_curator, make_verifier
from tests.admin_helpers import rendered_form_data as drawn_form
from tests.factories import make_business, make_display, make_product, make_user

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def outlet_page(outlet):
    return admin_url(Outlet, "change", outlet.pk)


def inline_row(data, display):
    """The prefix of the display's row in an outlet page's posted data."""
    for key, value in data.items():
        if (
            key.startswith("displays-")
            and key.endswith("-id")
            and str(value) == str(display.pk)
        ):
            return key[: -len("-id")]
    raise AssertionError(f"display {display.pk} is not on the page")


def page_errors(response):
    """Every error message of an admin change page, its rows included, as text."""
    messages = list(response.context["adminform"].form.non_field_errors())
    for field_errors in response.context["adminform"].form.errors.values():
        messages += field_errors
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            messages += form.non_field_errors()
            for field_errors in form.errors.values():
                messages += field_errors
    return " ".join(messages)


# A stale page never undoes a colleague's decision


def test_a_stale_outlet_page_does_not_undo_a_colleagues_approval(client, cipare):
    """Staff B opened Cipare's page before staff A approved a request from the
    display list; B then edits that row and another and saves: nothing is saved,
    A's approval stands, B is told who changed it and when, and what B typed is
    still on the page."""
    waiting = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    other = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    staff_a = make_curator("dinkopukmperindag")
    staff_a.full_name = "Siti Rahma"
    staff_a.save()
    staff_b = make_curator("dinkopukmperindag")
    client.force_login(staff_b)
    stale = drawn_form(client.get(outlet_page(cipare)))

    colleague = Client()
    colleague.force_login(staff_a)
    colleague.post(
        admin_url(Display, "changelist"),
        {"action": "approve", "_selected_action": [waiting.pk]},
    )
    other_row = inline_row(stale, other)
    stale[f"{other_row}-decision_reason"] = "Stok kosong sampai Lebaran"
    stale[f"{other_row}-status"] = Display.Status.REJECTED
    # B also gives the request A approved meanwhile a last day.
    stale[f"{inline_row(stale, waiting)}-ends_on"] = timezone.localdate() + 30 * DAY
    response = client.post(outlet_page(cipare), stale)

    waiting.refresh_from_db()
    other.refresh_from_db()
    assert waiting.status == Display.Status.APPROVED
    assert waiting.decided_by == staff_a
    assert other.status == Display.Status.REQUESTED
    assert response.status_code == 200
    errors = page_errors(response)
    assert "Siti Rahma mengubah data ini pada" in errors
    assert "Muat ulang halaman" in errors
    assert "Stok kosong sampai Lebaran" in response.text
    assert waiting.history.filter(status=Display.Status.REQUESTED).count() == 1


def test_an_untouched_row_of_a_stale_outlet_page_saves_nothing(client, cipare):
    """B's page still shows a request A has approved since; B rejects another
    request and edits the outlet's description: B's changes are saved and A's
    approval stands."""
    waiting = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    other = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    client.force_login(make_curator("dinkopukmperindag"))
    stale = drawn_form(client.get(outlet_page(cipare)))

    outlet_decisions.approve_display(
        waiting, by=make_curator("dinkopukmperindag"), starts_on=timezone.localdate()
    )
    stale["description"] = "Buka juga saat hari libur sekolah."
    other_row = inline_row(stale, other)
    stale[f"{other_row}-status"] = Display.Status.REJECTED
    stale[f"{other_row}-decision_reason"] = "Stok kosong sampai Lebaran"
    response = client.post(outlet_page(cipare), stale)

    assert response.status_code == 302
    waiting.refresh_from_db()
    other.refresh_from_db()
    cipare.refresh_from_db()
    assert waiting.status == Display.Status.APPROVED
    assert other.status == Display.Status.REJECTED
    assert cipare.description == "Buka juga saat hari libur sekolah."


def test_a_stale_product_page_does_not_undo_a_colleagues_rejection(client):
    """Verifikator B approves from a product page opened before A rejected the
    product: refused, naming A; the product stays rejected."""
    product = make_product(status=Product.Status.PENDING)
    staff_b = make_verifier()
    client.force_login(staff_b)
    stale = drawn_form(client.get(admin_url(Product, "change", product.pk)))

    decisions.reject_product(product, by=make_verifier(), reason="Foto buram.")
    stale["status"] = Product.Status.APPROVED
    response = client.post(admin_url(Product, "change", product.pk), stale)

    product.refresh_from_db()
    assert product.status == Product.Status.REJECTED
    assert product.status_reason == "Foto buram."
    assert "mengubah data ini pada" in page_errors(response)


def test_an_owner_with_a_stale_tab_does_not_overwrite_a_staff_change(client):
    """The owner's product form was open while a Verifikator approved the product
    and corrected its price; the owner's save is refused with what they typed
    kept, and the staff member's price stays."""
    owner = make_user()
    product = make_product(
        business=make_business(owner=owner),
        status=Product.Status.PENDING,
        price=20000,
    )
    client.force_login(owner)
    url = reverse("products:product_update", args=[product.slug])
    form = client.get(url).context["form"]
    drawn = {
        name: value
        for name, value in {field.html_name: field.value() for field in form}.items()
        if value is not None and name != "photos"
    }

    staff = make_verifier()
    product.price = 22000
    product._history_user = staff
    product.save()
    decisions.approve_product(product, by=staff)
    drawn["description"] = "Tanpa pengawet, tahan 2 minggu."
    response = client.post(url, drawn)

    product.refresh_from_db()
    assert response.status_code == 200
    assert product.price == 22000
    assert product.description == ""
    assert "mengubah data ini pada" in response.text
    assert "Tanpa pengawet, tahan 2 minggu." in response.text


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_staff_saving_the_same_row_at_once(reference_data):
    """Two curators drew Cipare's page at the same moment and save a different
    decision on the same request in two sessions at once: one decision is saved,
    the other is refused as a conflict, never both in turn."""
    cipare = Outlet.objects.get(slug="gerai-umkm-cipare")
    waiting = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    clients, drawn = [], []
    for status in [Display.Status.APPROVED, Display.Status.REJECTED]:
        staff_client = Client()
        staff_client.force_login(make_curator("dinkopukmperindag"))
        data = drawn_form(staff_client.get(outlet_page(cipare)))
        row = inline_row(data, waiting)
        data[f"{row}-status"] = status
        data[f"{row}-decision_reason"] = "Keputusan staf"
        clients.append(staff_client)
        drawn.append(data)
    barrier = threading.Barrier(2)
    codes = []

    def save(staff_client, data):
        try:
            barrier.wait(timeout=10)
            codes.append(staff_client.post(outlet_page(cipare), data).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=pair)
        for pair in zip(clients, drawn, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(codes) == [200, 302]
    waiting.refresh_from_db()
    assert waiting.status in (Display.Status.APPROVED, Display.Status.REJECTED)
    assert waiting.history.exclude(status=Display.Status.REQUESTED).count() == 1


# Every decision through one path, with its reason


def test_a_display_is_not_rejected_without_a_reason_in_its_change_form(admin_client):
    """Rejecting a display request with a blank reason on its own page is refused
    ("alasan wajib diisi"); the request still waits and the owner gets no email."""
    display = make_display(status=Display.Status.REQUESTED)
    url = admin_url(Display, "change", display.pk)
    data = drawn_form(admin_client.get(url))
    data["status"] = Display.Status.REJECTED
    data["decision_reason"] = "  "

    response = admin_client.post(url, data)

    display.refresh_from_db()
    assert display.status == Display.Status.REQUESTED
    assert "alasan wajib diisi" in str(
        response.context["adminform"].form.errors["decision_reason"]
    )
    assert mail.outbox == []


def test_a_display_is_not_rejected_without_a_reason_on_the_outlet_page(
    admin_client, cipare
):
    """Rejecting a display request without a reason from the outlet's page is refused
    with the same error; the request still waits."""
    display = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    data = drawn_form(admin_client.get(outlet_page(cipare)))
    data[f"{inline_row(data, display)}-status"] = Display.Status.REJECTED

    response = admin_client.post(outlet_page(cipare), data)

    display.refresh_from_db()
    assert display.status == Display.Status.REQUESTED
    assert "alasan wajib diisi" in page_errors(response)


def test_a_display_rejected_with_a_reason_on_the_outlet_page_tells_the_owner(
    admin_client, cipare, django_capture_on_commit_callbacks
):
    """A display request rejected with a reason from the outlet's page is rejected, and
    the owner is emailed that reason."""
    display = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    data = drawn_form(admin_client.get(outlet_page(cipare)))
    row = inline_row(data, display)
    data[f"{row}-status"] = Display.Status.REJECTED
    data[f"{row}-decision_reason"] = "Rak makanan basah penuh."

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(outlet_page(cipare), data)

    display.refresh_from_db()
    assert display.status == Display.Status.REJECTED
    assert display.decision_reason == "Rak makanan basah penuh."
    [email] = mail.outbox
    assert "Rak makanan basah penuh." in email.body


def test_approving_without_a_first_day_means_from_today(admin_client):
    """Staff approve a request leaving the first day empty: on display from today,
    and no database wording reaches them."""
    display = make_display(status=Display.Status.REQUESTED)
    url = admin_url(Display, "change", display.pk)
    data = drawn_form(admin_client.get(url))
    data["status"] = Display.Status.APPROVED
    data.pop("starts_on", None)

    response = admin_client.post(url, data, follow=True)

    display.refresh_from_db()
    assert display.status == Display.Status.APPROVED
    assert display.starts_on == timezone.localdate()
    assert "display_approved_has_start" not in response.text
    assert "Batasan" not in response.text


def test_an_approved_display_cannot_go_back_to_requested(admin_client, cipare):
    """A decision is never undone by picking the old status: staff end it
    instead."""
    display = make_display(outlet=cipare)
    data = drawn_form(admin_client.get(outlet_page(cipare)))
    data[f"{inline_row(data, display)}-status"] = Display.Status.REQUESTED

    response = admin_client.post(outlet_page(cipare), data)

    display.refresh_from_db()
    assert display.status == Display.Status.APPROVED
    assert "tidak dapat diubah dari" in page_errors(response)


def test_an_owners_cancellation_is_in_the_history(client):
    """An owner who cancels their display request finds it cancelled, and its history
    records the cancellation as theirs."""
    owner = make_user()
    display = make_display(
        product=make_product(business=make_business(owner=owner)),
        status=Display.Status.REQUESTED,
    )
    client.force_login(owner)

    client.post(reverse("outlets:display_cancel", args=[display.pk]))

    display.refresh_from_db()
    assert display.status == Display.Status.CANCELLED
    latest = display.history.first()
    assert latest.status == Display.Status.CANCELLED
    assert latest.history_user == owner


def test_a_plain_save_cannot_change_a_status(cipare):
    """Code that sets a status and saves, bypassing the decision path, fails
    loudly instead of skipping the checks, the record and the email."""
    display = make_display(outlet=cipare, status=Display.Status.REQUESTED)
    display.status = Display.Status.APPROVED
    display.starts_on = timezone.localdate()

    with pytest.raises(RuntimeError):
        display.save()


def test_every_decision_is_recorded_with_who_and_why():
    """A Verifikator rejecting a business is recorded, with the reason, on the business
    and in its history; a business already rejected cannot be rejected again."""
    business = make_business(status=Business.Status.PENDING)
    staff = make_verifier()

    decisions.reject_business(business, by=staff, reason="NIB tidak cocok.")

    business.refresh_from_db()
    assert (business.status, business.status_changed_by) == ("rejected", staff)
    record = business.history.first()
    assert (record.status, record.history_user, record.status_reason) == (
        "rejected",
        staff,
        "NIB tidak cocok.",
    )
    with pytest.raises(ValidationError) as refused:
        decisions.reject_business(business, by=staff, reason="")
    assert refused.value.code == "transition_not_allowed"


def test_a_bulk_decision_is_all_or_nothing(django_capture_on_commit_callbacks):
    """A bulk verification in which one business was changed meanwhile by a
    colleague decides none, and says so."""
    businesses = [make_business(status=Business.Status.PENDING) for _ in range(3)]

    def verify_then_trip(business, **kwargs):
        decisions.verify_business(business, **kwargs)
        if business.pk == businesses[-1].pk:
            raise ValidationError("changed meanwhile", code="edit_conflict")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError),
    ):
        decisions.decide_all(
            Business.objects.filter(pk__in=[b.pk for b in businesses]),
            verify_then_trip,
            by=make_verifier(),
        )

    assert set(
        Business.objects.filter(pk__in=[b.pk for b in businesses]).values_list(
            "status", flat=True
        )
    ) == {Business.Status.PENDING}
    assert mail.outbox == []


# Reviewed claims stay reviewed


@pytest.fixture
def owner_client(client):
    owner = make_user(full_name="Bu Ratna")
    client.force_login(owner)
    client.owner = owner
    return client


def product_edit(product, **changes):
    data = {
        "drawn_version": product.version,
        "business": product.business_id,
        "name": product.name,
        "category": product.category_id,
        "price": str(product.price),
        "unit": product.unit,
        "description": product.description,
        "photo-TOTAL_FORMS": "0",
        "photo-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_an_owners_new_halal_claim_waits_for_staff(
    owner_client, django_capture_on_commit_callbacks
):
    """The owner of an approved product renames it and adds a halal number: the
    public page keeps the reviewed name and shows no halal badge, the halal filter
    does not list it; once a Verifikator accepts, both show, verified by the
    Dinas, and the owner is emailed."""
    product = make_product(
        name="Keripik Pisang",
        business=make_business(owner=owner_client.owner),
        price=15000,
    )
    until = timezone.localdate() + 365 * DAY
    response = owner_client.post(
        reverse("products:product_update", args=[product.slug]),
        product_edit(
            product,
            name="Keripik Pisang Cokelat",
            price="17.000",
            halal_number="ID36110000123450623",
            halal_valid_until=until.isoformat(),
        ),
        follow=True,
    )

    public = Client()
    page = public.get(product.get_absolute_url()).text
    halal_list = public.get(reverse("products:list"), {"halal": "1"}).text
    product.refresh_from_db()
    assert product.name == "Keripik Pisang"
    assert product.price == 17000  # ordinary commerce stays live
    assert "Keripik Pisang Cokelat" not in page
    assert "ID36110000123450623" not in page
    assert "Keripik Pisang" not in halal_list
    assert "menunggu tinjauan staf" in response.text
    change = ProposedChange.objects.waiting().get(product=product)
    assert change.proposed["name"] == "Keripik Pisang Cokelat"

    staff = make_verifier()
    staff_client = Client()
    staff_client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            admin_url(ProposedChange, "changelist"),
            {"action": "accept", "_selected_action": [change.pk]},
        )

    page = public.get(product.get_absolute_url()).text
    assert "Keripik Pisang Cokelat" in page
    assert re.search(r"text-bg-success\">Sertifikat halal", page)
    assert "Diverifikasi Dinas pada" in page
    assert (
        "Keripik Pisang Cokelat"
        in public.get(reverse("products:list"), {"halal": "1"}).text
    )
    certificate = product.certifications.get()
    assert certificate.verified_by == staff
    [email] = mail.outbox
    assert email.to == [owner_client.owner.email]
    assert "disetujui" in email.subject.lower()


def test_a_verified_businesss_new_whatsapp_number_waits_for_staff(
    owner_client, django_capture_on_commit_callbacks
):
    """Every "order via WhatsApp" link keeps the reviewed number until staff
    accept the new one; a rejection keeps it, with the reason emailed."""
    business = make_business(owner=owner_client.owner, whatsapp="6281234567890")
    product = make_product(business=business)
    owner_client.post(
        reverse("products:business_update", args=[business.slug]),
        {
            "drawn_version": business.version,
            "name": business.name,
            "size": business.size,
            "nib": "",
            "kelurahan": business.kelurahan_id,
            "address": business.address,
            "whatsapp": "0813 9999 8888",
            "description": "",
        },
    )

    page = Client().get(product.get_absolute_url()).text
    order = Client().get(reverse("order_on_whatsapp", args=[product.pk]))
    assert "wa.me/6281234567890" in order["Location"]
    assert "6281399998888" not in page + order["Location"]
    change = ProposedChange.objects.waiting().get(business=business)
    assert [(str(a), b, c) for a, b, c in change.comparison()] == [
        ("nomor WhatsApp", "6281234567890", "6281399998888")
    ]

    with django_capture_on_commit_callbacks(execute=True):
        decisions.reject_change(
            change, by=make_verifier(), reason="Nomor belum bisa dihubungi."
        )

    business.refresh_from_db()
    assert business.whatsapp == "6281234567890"
    [email] = mail.outbox
    assert "Nomor belum bisa dihubungi." in email.body


def test_an_owner_sees_and_can_take_back_a_waiting_change(owner_client):
    """The edit form shows the proposed values; typing the reviewed value again
    withdraws the change."""
    product = make_product(
        name="Dodol Ketan", business=make_business(owner=owner_client.owner)
    )
    url = reverse("products:product_update", args=[product.slug])
    owner_client.post(url, product_edit(product, name="Dodol Ketan Hitam"))
    product.refresh_from_db()

    form = owner_client.get(url).context["form"]
    assert form["name"].value() == "Dodol Ketan Hitam"

    owner_client.post(url, product_edit(product, name="Dodol Ketan"))

    assert not ProposedChange.objects.waiting().filter(product=product).exists()


def test_accepting_a_change_to_an_nib_taken_meanwhile_is_refused_clearly():
    """Another business registered the NIB after the owner proposed it: staff are
    told why, in words, and nothing changes."""
    business = make_business()
    change = ProposedChange.objects.propose(
        business, {"nib": "1234567890123"}, {"nib": ""}, by=business.owner
    )
    make_business(nib="1234567890123")

    with pytest.raises(ValidationError) as refused:
        decisions.accept_change(change, by=make_verifier())

    assert "NIB" in " ".join(refused.value.messages)
    business.refresh_from_db()
    assert business.nib == ""
    change.refresh_from_db()
    assert change.status == ProposedChange.Status.PENDING


def test_verifikator_see_the_queue_of_proposed_changes(client):
    """A Verifikator sees a proposed change to a business waiting in the queue, and its
    page shows the value proposed."""
    verifier = make_verifier()
    assert Group.objects.get(name=VERIFIER) in verifier.groups.all()
    business = make_business(name="Emping Bu Sri")
    ProposedChange.objects.propose(
        business, {"name": "Emping Melinjo Bu Sri"}, {"name": business.name}, by=None
    )
    client.force_login(verifier)

    page = client.get(admin_url(ProposedChange, "changelist"), {"queue": "waiting"})

    assert page.status_code == 200
    assert "Emping Bu Sri" in page.text
    change_page = client.get(
        admin_url(ProposedChange, "change", ProposedChange.objects.get().pk)
    ).text
    assert "Emping Melinjo Bu Sri" in change_page


def test_a_certificate_staff_enter_in_the_admin_is_verified_by_them(admin_client):
    """A certificate staff add to a product in the admin counts as verified at once."""
    product = make_product()
    url = admin_url(Product, "change", product.pk)
    data = drawn_form(admin_client.get(url))
    data.update(
        {
            "certifications-TOTAL_FORMS": "1",
            "certifications-0-kind": Certification.Kind.PIRT,
            "certifications-0-number": "206367301001826",
        }
    )

    admin_client.post(url, data)

    certificate = product.certifications.get()
    assert certificate.verified_at is not None
