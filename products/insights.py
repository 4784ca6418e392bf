"""What owners see of their products' counts (issue #16), read from the daily counts
serang_umkm/counting.py keeps: page views and WhatsApp taps (ProductCount) and shelf
label scans (outlets' LabelScan, reached through the relation Product.label_scans,
so that products never imports outlets).

A period is the last `days` days up to and including today (the local date). Every
function reads a constant number of queries, however many products or days.
"""

import datetime
from dataclasses import dataclass

from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Product, ProductCount

DAYS = 30


def label_scan_model():
    """outlets' LabelScan, through the relation it declares (Product.label_scans)."""
    return Product._meta.get_field("label_scans").related_model


def period(days=DAYS, today=None):
    """(first day, last day) of the last `days` days, today included."""
    last = today or timezone.localdate()
    return last - datetime.timedelta(days=days - 1), last


@dataclass
class Totals:
    """A product's counts over a period."""

    views: int = 0
    taps: int = 0
    scans: int = 0


def product_totals(products, days=DAYS, today=None):
    """{product pk: Totals} of each of products (an iterable of products or of their
    pks) over the last `days` days, zero for a product with no counts: two queries
    (one per table), each grouped by product."""
    ids = [getattr(product, "pk", product) for product in products]
    first, last = period(days, today)
    totals = {pk: Totals() for pk in ids}
    if not ids:
        return totals
    counts = (
        ProductCount.objects.filter(product__in=ids, day__range=(first, last))
        .order_by()
        .values_list("product")
        .annotate(Sum("views"), Sum("whatsapp_taps"))
    )
    for pk, views, taps in counts:
        totals[pk].views, totals[pk].taps = views or 0, taps or 0
    scans = (
        label_scan_model()
        .objects.filter(product__in=ids, day__range=(first, last))
        .order_by()
        .values_list("product")
        .annotate(Sum("scans"))
    )
    for pk, total in scans:
        totals[pk].scans = total or 0
    return totals


def summed(model, counter, first, last):
    """A subquery: the sum of model's counter for the product (OuterRef "pk") over
    the days, 0 without rows."""
    rows = (
        model.objects.filter(product=OuterRef("pk"), day__range=(first, last))
        .order_by()
        .values("product")
        .annotate(total=Sum(counter))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_totals(queryset, days=DAYS, today=None):
    """The products of queryset annotated with their counts over the last `days`
    days (recent_views, recent_taps, recent_scans), to order or slice by in the same
    query."""
    first, last = period(days, today)
    return queryset.annotate(
        recent_views=summed(ProductCount, "views", first, last),
        recent_taps=summed(ProductCount, "whatsapp_taps", first, last),
        recent_scans=summed(label_scan_model(), "scans", first, last),
    )


@dataclass
class Day:
    """A product's counts on one day."""

    day: datetime.date
    views: int = 0
    taps: int = 0
    scans: int = 0


def daily_series(product, days=DAYS, today=None):
    """[Day] of the product, one per day of the last `days` days, oldest first, a
    day without counts as zeros (two queries)."""
    first, last = period(days, today)
    series = {
        first + datetime.timedelta(days=number): Day(
            first + datetime.timedelta(days=number)
        )
        for number in range(days)
    }
    counts = ProductCount.objects.filter(
        product=product, day__range=(first, last)
    ).values_list("day", "views", "whatsapp_taps")
    for day, views, taps in counts:
        series[day].views, series[day].taps = views, taps
    scans = (
        label_scan_model()
        .objects.filter(product=product, day__range=(first, last))
        .order_by()
        .values_list("day")
        .annotate(Sum("scans"))
    )
    for day, total in scans:
        series[day].scans = total or 0
    return list(series.values())


@dataclass
class ScanShare:
    """An outlet's label scans of a product over a period, and its share of all."""

    outlet_name: str
    outlet_slug: str
    scans: int
    percent: int = 0


def shares_of(values):
    """Whole percentages of each of values that add up to 100 (largest remainders
    rounded up first); all zeros without a total."""
    total = sum(values)
    if not total:
        return [0] * len(values)
    exact = [100 * value / total for value in values]
    shares = [int(share) for share in exact]
    by_remainder = sorted(
        range(len(values)), key=lambda index: (shares[index] - exact[index], index)
    )
    for index in by_remainder[: 100 - sum(shares)]:
        shares[index] += 1
    return shares


def scan_shares(product, days=DAYS, today=None):
    """[ScanShare] of each outlet where the product's label was scanned in the last
    `days` days, most scans first; the percentages add up to 100 (one query)."""
    first, last = period(days, today)
    rows = list(
        label_scan_model()
        .objects.filter(product=product, day__range=(first, last))
        .order_by()
        .values_list("outlet__name", "outlet__slug")
        .annotate(total=Sum("scans"))
        .filter(total__gt=0)
        .order_by("-total", "outlet__name")
    )
    percents = shares_of([total for _name, _slug, total in rows])
    return [
        ScanShare(name, slug, total, percent)
        for (name, slug, total), percent in zip(rows, percents, strict=True)
    ]


def median_with_zeros(values, zeros):
    """The median of values (counts) together with `zeros` more zeros, without
    building the zeros; None when there is nothing at all."""
    values = sorted(values)
    size = len(values) + zeros

    def at(index):
        return 0 if index < zeros else values[index - zeros]

    if not size:
        return None
    middle = size // 2
    if size % 2:
        return at(middle)
    low, high = at(middle - 1), at(middle)
    return (low + high) // 2 if (low + high) % 2 == 0 else (low + high) / 2


@dataclass
class CategoryMedian:
    """How the product's views compare with the median of its category."""

    category: object
    views: int
    median: float | int | None
    products: int  # the public products of the category the median is of

    @property
    def above(self):
        return self.median is not None and self.views > self.median

    @property
    def below(self):
        return self.median is not None and self.views < self.median


def category_median(product, days=DAYS, today=None, views=None):
    """The median of the views over the last `days` days of the public products in
    the product's category, the product itself included when it is public (it is
    one of them; an owner's product not public now is compared with the public
    ones only). A product without counts counts as 0 views.

    Two queries: the views grouped by product, summed in the database (only the
    products with counts come back), and the number of public products of the
    category, the rest of which have no counts (a category may have thousands of
    products, most never seen). `views`: the product's own views, if known."""
    first, last = period(days, today)
    public = Product.objects.public().filter(category_id=product.category_id)
    totals = list(
        ProductCount.objects.filter(
            product__in=public.values("pk"), day__range=(first, last)
        )
        .order_by()
        .values_list("product")
        .annotate(total=Sum("views"))
        .values_list("total", flat=True)
    )
    size = public.count()
    zeros = max(size - len(totals), 0)
    if views is None:
        views = product_totals([product], days, today)[product.pk].views
    return CategoryMedian(
        category=product.category,
        views=views,
        median=median_with_zeros(totals, zeros),
        products=max(size, len(totals)),
    )
