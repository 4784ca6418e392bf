"""The monthly summary email to owners who ask for it (issue #16): each of their
public products' page views, WhatsApp taps and label scans last month
(products/insights.py), with a link to their charts and one to stop the emails.

Every flush of the counts (serang_umkm.counting.flush_counts, once a minute) calls
queue_monthly_summaries() through its counts_flushed signal: the first one of a
month queues the send_monthly_summaries task for the month before, once
(SummaryMonth records it in the same transaction).
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks, signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.emails import email_user
from serang_umkm.tasks import enqueue_with_transaction

from .insights import label_scan_model, product_totals
from .models import Product, ProductCount, SummaryMonth

UNSUBSCRIBE_SALT = "products.summaries.unsubscribe"


def previous_month(today):
    """The first day of the month before today's."""
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def month_days(month):
    """(first day, last day) of the month (a date on its first day)."""
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return month, following - datetime.timedelta(days=1)


def queue_monthly_summaries(today=None):
    """Queue last month's summaries unless they were queued; whether they are now."""
    from .tasks import send_monthly_summaries

    month = previous_month(today or timezone.localdate())
    if SummaryMonth.objects.filter(month=month).exists():
        return False
    with transaction.atomic():
        _summary, created = SummaryMonth.objects.get_or_create(month=month)
        if created:
            enqueue_with_transaction(send_monthly_summaries, month.isoformat())
    return created


def queue_monthly_summaries_after_flush(sender, **kwargs):
    """counts_flushed receiver (serang_umkm/counting.py)."""
    queue_monthly_summaries()


def unsubscribe_token(user):
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_of_token(token):
    """The user an unsubscribe token names, or None (tampered, or deleted)."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def counted_in(first, last):
    """Whether the site counted anything in those days (a site installed since
    has no month to summarise)."""
    return (
        ProductCount.objects.filter(day__range=(first, last)).exists()
        or label_scan_model().objects.filter(day__range=(first, last)).exists()
    )


def send_summaries(month, site_url=None):
    """Queue the month's summary email to each active owner who asked for it and
    has public products; returns how many were queued."""
    site_url = (site_url or settings.SITE_URL).rstrip("/")
    first, last = month_days(month)
    if not counted_in(first, last):
        return 0
    products = list(
        Product.objects.public()
        .filter(business__owner__monthly_summary=True, business__owner__is_active=True)
        .select_related("business__owner")
        .order_by("business__owner", "name", "pk")
    )
    totals = product_totals(products, days=(last - first).days + 1, today=last)
    by_owner = {}
    for product in products:
        by_owner.setdefault(product.business.owner, []).append(
            (product, totals[product.pk])
        )
    dashboard = site_url + reverse("outlets:dashboard")
    sent = 0
    for owner, rows in by_owner.items():
        rows.sort(key=lambda row: (-row[1].views, row[0].name))
        sent += email_user(
            owner,
            "products/email/monthly_summary",
            {
                "month": month,
                "rows": rows,
                "views": sum(row[1].views for row in rows),
                "taps": sum(row[1].taps for row in rows),
                "scans": sum(row[1].scans for row in rows),
                "dashboard_url": dashboard,
                "unsubscribe_url": site_url
                + reverse("products:unsubscribe", args=[unsubscribe_token(owner)]),
            },
        )
    return sent


@checks.register(deploy=True)
def check_site_url(app_configs, **kwargs):
    """The summaries' links must lead to the site, not to a developer's machine."""
    if "localhost" in settings.SITE_URL or "127.0.0.1" in settings.SITE_URL:
        return [
            checks.Warning(
                "SITE_URL names this machine: the links of the monthly summary "
                "emails would not reach the site.",
                hint="Set SITE_URL, e.g. https://gerai-umkm.serangkota.go.id.",
                id="products.W001",
            )
        ]
    return []
