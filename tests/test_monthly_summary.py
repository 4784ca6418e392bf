"""The monthly summary email to owners who ask for it (products/summaries.py): last
month's views, WhatsApp taps and label scans of each public product, queued once by
the first flush of the counts in a month, sent by the worker, stopped by its link."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse

from outlets.models import LabelScan
from products.models import ProductCount, SummaryMonth
from products.summaries import queue_monthly_summaries, send_summaries
from serang_umkm import counting
from tests.factories import make_business, make_product, make_user
from tests.task_helpers import run_queued_tasks

pytestmark = pytest.mark.django_db

NOVEMBER = datetime.date(2026, 11, 1)
DECEMBER_FIRST = datetime.date(2026, 12, 1)


@pytest.fixture
def queued_tasks(settings):
    """Background tasks in the database queue, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def counted(product, day, views=0, taps=0):
    ProductCount.objects.create(
        product=product, day=day, views=views, whatsapp_taps=taps
    )


@pytest.fixture
def owner_with_products(cipare):
    owner = make_user(full_name="Siti Aminah", monthly_summary=True)
    business = make_business(owner=owner, name="Dodol Ibu Siti")
    dodol = make_product(name="Dodol Durian", business=business)
    emping = make_product(name="Emping Pedas", business=business)
    make_product(name="Resep Baru", business=business, status="draft")
    counted(dodol, datetime.date(2026, 11, 3), views=40, taps=3)
    counted(dodol, datetime.date(2026, 11, 30), views=2, taps=1)
    counted(dodol, datetime.date(2026, 10, 31), views=500)  # October
    counted(dodol, datetime.date(2026, 12, 1), views=700)  # December
    counted(emping, datetime.date(2026, 11, 15), views=5)
    LabelScan.objects.create(
        outlet=cipare, product=dodol, day=datetime.date(2026, 11, 20), scans=6
    )
    return owner


def test_an_owner_who_asked_gets_last_months_counts_of_each_product(
    owner_with_products, django_capture_on_commit_callbacks
):
    """November only (not October, not December), public products only, the most
    viewed first, with the totals and both links."""
    others = make_business(owner=make_user(monthly_summary=False))
    counted(make_product(business=others), datetime.date(2026, 11, 3), views=9)

    with django_capture_on_commit_callbacks(execute=True):
        queued = send_summaries(NOVEMBER, site_url="https://gerai.example.go.id")

    assert queued == 1
    (email,) = mail.outbox
    assert email.to == [owner_with_products.email]
    assert email.subject == "Produk Anda di Gerai UMKM Kota Serang pada November 2026"
    body = email.body
    assert body.startswith("Halo Siti Aminah,")
    assert "warga melihat produk Anda 47 kali" in body
    lines = [line for line in body.splitlines() if line.startswith("- ")]
    assert lines == [
        "- Dodol Durian: 42 kali dilihat, 4 ketukan WhatsApp, 6 pindaian label",
        "- Emping Pedas: 5 kali dilihat, 0 ketukan WhatsApp, 0 pindaian label",
    ]
    assert "Resep Baru" not in body
    assert "https://gerai.example.go.id/dasbor/" in body
    assert re.search(
        r"https://gerai\.example\.go\.id/ringkasan-bulanan/berhenti/\S+/", body
    )


def test_the_first_flush_of_a_month_queues_last_months_summaries_once(
    owner_with_products, queued_tasks
):
    """Every flush asks; only the first of December queues November's, and the
    worker sends them."""
    assert queue_monthly_summaries(today=DECEMBER_FIRST) is True
    assert queue_monthly_summaries(today=DECEMBER_FIRST) is False
    assert queue_monthly_summaries(today=datetime.date(2026, 12, 20)) is False

    run_queued_tasks()

    assert SummaryMonth.objects.get().month == NOVEMBER
    assert [email.to for email in mail.outbox] == [[owner_with_products.email]]


def test_a_flush_of_the_counts_queues_the_summaries(owner_with_products, queued_tasks):
    counting.flush_counts.call()

    assert SummaryMonth.objects.count() == 1


def test_a_month_the_site_counted_nothing_sends_nothing(owner_with_products):
    assert send_summaries(datetime.date(2026, 6, 1)) == 0
    assert mail.outbox == []


def test_the_link_in_the_email_stops_the_summaries_after_a_confirmation(
    client, owner_with_products, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_summaries(NOVEMBER, site_url="http://testserver")
    link = re.search(
        r"http://testserver(/ringkasan-bulanan/berhenti/\S+/)", mail.outbox[0].body
    )

    asked = client.get(link.group(1))  # a mail scanner opening the link stops nothing
    owner_with_products.refresh_from_db()
    assert asked.status_code == 200
    assert owner_with_products.monthly_summary is True
    assert "Hentikan ringkasan bulanan" in asked.text

    done = client.post(link.group(1))
    owner_with_products.refresh_from_db()
    assert owner_with_products.monthly_summary is False
    assert "tidak akan menerima ringkasan bulanan lagi" in done.text


@pytest.mark.parametrize("token", ["abc", "1:tampered", "MQ:1tKxyz:bad"])
def test_a_tampered_stop_link_is_a_404(client, owner_with_products, token):
    response = client.post(reverse("products:unsubscribe", args=[token]))

    owner_with_products.refresh_from_db()
    assert response.status_code == 404
    assert owner_with_products.monthly_summary is True


def test_an_owner_turns_the_summary_on_and_off_from_the_dashboard(client):
    owner = make_user()
    make_product(business=make_business(owner=owner))
    client.force_login(owner)
    dashboard = client.get(reverse("outlets:dashboard")).text
    assert "Kirimi saya ringkasan bulanan" in dashboard

    on = client.post(reverse("products:monthly_summary"), {"aktif": "1"}, follow=True)
    owner.refresh_from_db()
    assert owner.monthly_summary is True
    assert "awal setiap bulan" in on.text
    assert "Hentikan email bulanan" in on.text

    client.post(reverse("products:monthly_summary"), {"aktif": "0"})
    owner.refresh_from_db()
    assert owner.monthly_summary is False


def test_turning_the_summary_on_needs_a_signed_in_post(client):
    assert client.get(reverse("products:monthly_summary")).status_code in (302, 405)
    response = client.post(reverse("products:monthly_summary"), {"aktif": "1"})
    assert response.status_code == 302
    assert "/akun/masuk/" in response["Location"]
