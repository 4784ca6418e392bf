"""What staff learn from the counts (issue #16), on the staff summary and as CSV:
shelf-label scans per day and the most scanned products at each outlet a user
manages, and, city-wide, the searches that found nothing and the product page
views by category and by kecamatan. Each function costs a constant number of
queries, however many outlets, products and days there are.

The counts are made by serang_umkm/counting.py (per day, nothing about a visitor).
"""

import csv
import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from products.charts import Column, ColumnChart
from products.models import (
    Business,
    Category,
    Kecamatan,
    Product,
    ProductCount,
    SearchMiss,
)
from products.resources import safe_cell

from .models import LabelScan, Outlet

#: How many days the summary and its exports cover, today included.
INSIGHT_DAYS = 30
#: How many products each outlet's list of the most scanned shows.
TOP_PRODUCTS = 5
#: How many search terms without results the city-wide chart shows.
TOP_TERMS = 10


def insight_window(today=None):
    """The first and last day of the last INSIGHT_DAYS days, today included."""
    last = today or timezone.localdate()
    return last - datetime.timedelta(days=INSIGHT_DAYS - 1), last


def days_of(first, last):
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass
class TopProduct:
    """One of an outlet's most scanned products."""

    name: str
    business: str
    scans: int
    url: str = ""


@dataclass
class OutletScans:
    """An outlet's label scans over the window: per day, and its top products."""

    outlet: Outlet
    chart: ColumnChart
    top_products: list

    @property
    def total(self):
        return self.chart.total

    @property
    def summary(self):
        """The chart as a sentence, for screen readers (its table lists each day)."""
        chart, busiest = self.chart, self.chart.busiest
        if busiest is None:
            return ""
        return ngettext(
            "%(total)s scan from %(first)s to %(last)s; the most on %(day)s: %(most)s.",
            "%(total)s scans from %(first)s to %(last)s; the most on %(day)s: "
            "%(most)s.",
            chart.total,
        ) % {
            "total": chart.total,
            "first": chart.first.label,
            "last": chart.last.label,
            "day": busiest.label,
            "most": busiest.value,
        }


def outlet_scans(user, today=None, outlets=None):
    """For each outlet the user manages (every outlet for a superuser; or each of
    outlets, those already read), its label scans per day of the window,
    zero-filled, and its TOP_PRODUCTS products by scans (most first, then by
    name): three queries (two with outlets)."""
    first, last = insight_window(today)
    if outlets is None:
        outlets = Outlet.objects.managed_by(user)
    outlets = list(outlets)
    if not outlets:
        return []
    scans = LabelScan.objects.filter(
        outlet__in=[outlet.pk for outlet in outlets], day__range=(first, last)
    ).order_by()
    per_day = {
        (outlet_id, day): total
        for outlet_id, day, total in scans.values_list("outlet", "day").annotate(
            Sum("scans")
        )
    }
    top = (
        scans.values("outlet", "product", "product__name", "product__business__name")
        .annotate(total=Sum("scans"))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("outlet"),
                order_by=[F("total").desc(), F("product__name"), F("product")],
            )
        )
        .filter(rank__lte=TOP_PRODUCTS)
        .order_by("outlet", "rank")
    )
    may_open_products = user.has_perm("products.view_product")
    top_products = {}
    for row in top:
        url = ""
        if may_open_products:
            url = reverse("admin:products_product_change", args=[row["product"]])
        top_products.setdefault(row["outlet"], []).append(
            TopProduct(
                row["product__name"],
                row["product__business__name"],
                row["total"],
                url,
            )
        )
    days = days_of(first, last)
    return [
        OutletScans(
            outlet,
            ColumnChart(
                f"scans-{outlet.pk}",
                _("Label scans per day at %(outlet)s") % {"outlet": outlet.name},
                "scans",
                [Column(day, per_day.get((outlet.pk, day), 0)) for day in days],
            ),
            top_products.get(outlet.pk, []),
        )
        for outlet in outlets
    ]


def missed_searches(today=None, limit=TOP_TERMS):
    """The search terms that found nothing most often over the window, summed over
    its days, as [(term, searches), …] most first (then alphabetically): one
    query."""
    first, last = insight_window(today)
    return list(
        SearchMiss.objects.filter(day__range=(first, last))
        .order_by()
        .values("term")
        .annotate(total=Sum("searches"))
        .order_by("-total", "term")
        .values_list("term", "total")[:limit]
    )


def views_by_category_and_kecamatan(today=None):
    """The product page views over the window by the product's category and by the
    kecamatan of its business's kelurahan: two lists [(group, views), …], every
    category and kecamatan in its order, zero when nothing was viewed (three
    queries: one GROUP BY for both, the categories, the kecamatan)."""
    first, last = insight_window(today)
    by_category, by_kecamatan = {}, {}
    for category, kecamatan, views in (
        ProductCount.objects.filter(day__range=(first, last))
        .order_by()
        .values_list("product__category", "product__business__kelurahan__kecamatan")
        .annotate(Sum("views"))
    ):
        by_category[category] = by_category.get(category, 0) + (views or 0)
        by_kecamatan[kecamatan] = by_kecamatan.get(kecamatan, 0) + (views or 0)
    return (
        [(group, by_category.get(group.pk, 0)) for group in Category.objects.all()],
        [(group, by_kecamatan.get(group.pk, 0)) for group in Kecamatan.objects.all()],
    )


# The CSV exports of counts (counts_export), by the value of their ?data=.


def verbose(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def model_name(model):
    return capfirst(model._meta.verbose_name)


def scan_labels():
    """The column names of the scan tables and export."""
    return {
        "day": verbose(LabelScan, "day"),
        "outlet": model_name(Outlet),
        "product": model_name(Product),
        "business": model_name(Business),
        "scans": verbose(LabelScan, "scans"),
    }


def scan_rows(user, first, last):
    """Label scans at the user's outlets: one row per day, outlet and product."""
    header = list(scan_labels().values())
    rows = (
        LabelScan.objects.filter(
            outlet__in=Outlet.objects.managed_by(user), day__range=(first, last)
        )
        .order_by("day", "outlet__name", "product__name", "pk")
        .values_list(
            "day", "outlet__name", "product__name", "product__business__name", "scans"
        )
    )
    return header, rows


def search_rows(user, first, last):
    """Searches without results: one row per day and term."""
    header = [verbose(SearchMiss, "day"), verbose(SearchMiss, "term")]
    header.append(verbose(SearchMiss, "searches"))
    rows = (
        SearchMiss.objects.filter(day__range=(first, last))
        .order_by("day", "-searches", "term")
        .values_list("day", "term", "searches")
    )
    return header, rows


def grouped_view_rows(model, lookup, position):
    """Product page views and WhatsApp taps: one row per day and group (by lookup
    from a ProductCount), for the days and groups with any."""

    def rows(user, first, last):
        header = [
            verbose(ProductCount, "day"),
            model_name(model),
            verbose(ProductCount, "views"),
            verbose(ProductCount, "whatsapp_taps"),
        ]
        found = (
            ProductCount.objects.filter(day__range=(first, last))
            .order_by()
            .values_list("day", lookup)
            .annotate(Sum("views"), Sum("whatsapp_taps"))
            .order_by("day", *position, lookup)
        )
        return header, found

    return rows


@dataclass(frozen=True)
class CountsExport:
    """One CSV export of counts: who may download it and what its rows are."""

    data: str
    permission: str
    rows: object  # (user, first, last) -> (header, rows)


EXPORTS = {
    export.data: export
    for export in [
        CountsExport("pindaian", "outlets.view_display", scan_rows),
        CountsExport("pencarian", "products.view_product", search_rows),
        CountsExport(
            "kategori",
            "products.view_product",
            grouped_view_rows(
                Category,
                "product__category__name",
                ["product__category__position"],
            ),
        ),
        CountsExport(
            "kecamatan",
            "products.view_product",
            grouped_view_rows(
                Kecamatan, "product__business__kelurahan__kecamatan__name", []
            ),
        ),
    ]
}


def export_titles():
    """Each export's link text, in the active language."""
    return {
        "pindaian": _("Label scans at your outlets, per day and product"),
        "pencarian": _("Searches without results, per day"),
        "kategori": _("Product page views and WhatsApp taps by category, per day"),
        "kecamatan": _("Product page views and WhatsApp taps by kecamatan, per day"),
    }


def exports_for(user):
    """The exports the user may download, as [(title, url), …]."""
    titles = export_titles()
    url = reverse("staff_counts_export")
    return [
        (titles[export.data], f"{url}?data={export.data}")
        for export in EXPORTS.values()
        if user.has_perm(export.permission)
    ]


def counts_export(request):
    """/admin/ringkasan/hitungan.csv?data=…: the counts of the window as CSV, one
    export per kind of count (EXPORTS), with the permissions the summary shows it
    with; label scans only at the outlets the user manages. Every cell is escaped
    so that no spreadsheet runs it as a formula (products.resources.safe_cell).
    admin.site.admin_view sends anyone but active staff to the admin login."""
    export = EXPORTS.get(request.GET.get("data", ""))
    if export is None:
        raise Http404
    if not request.user.has_perm(export.permission):
        raise PermissionDenied
    first, last = insight_window()
    header, rows = export.rows(request.user, first, last)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"hitungan-{export.data}-{first.isoformat()}-{last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([csv_cell(str(title)) for title in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response


def csv_cell(value):
    """A value as a CSV cell: a day as YYYY-MM-DD, text never a formula."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return safe_cell(value)
