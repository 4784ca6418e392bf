"""The staff dashboard ("Ringkasan") in the admin: review counts with small charts,
the capacity of each outlet and the item each queue has kept waiting longest."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.roles import CURATOR, VERIFIER
from products.admin_toolkit import WaitingQueueFilter, count_of
from products.charts import Bar, BarChart, percent_of
from products.models import Business, Category, Kecamatan, Product, ProposedChange

from . import insights
from .admin import labels_url, waiting_list_url
from .models import Display, Outlet


@dataclass
class OutletCapacity:
    """An outlet's displays today against its capacity."""

    outlet: Outlet
    url: str = ""

    @property
    def waiting_list_url(self):
        """The requests waiting at the outlet, in fair-rotation order."""
        return waiting_list_url(self.outlet)

    @property
    def labels_url(self):
        """The outlet's shelf labels, whose "Back" returns to this summary."""
        return labels_url(self.outlet, reverse("staff_dashboard"))

    @property
    def percent(self):
        return percent_of(self.outlet.on_display, self.outlet.display_capacity)

    @property
    def is_full(self):
        return self.outlet.on_display >= self.outlet.display_capacity

    @property
    def is_nearly_full(self):
        return self.percent >= 90


@dataclass
class Queue:
    """What waits for one kind of staff decision, and the item waiting longest."""

    title: str
    oldest: object
    name: str
    change_url: str
    url: str
    waiting: int


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def count_by_status(model):
    """How many rows of model have each of its Status choices, in one query:
    [(status, count), …] in the order of the choices."""
    counts = model.objects.aggregate(
        **{
            # Counting status (not pk) lets PostgreSQL read only a status index.
            f"status_{status.value}": Count("status", filter=Q(status=status))
            for status in model.Status
        }
    )
    return [(status, counts[f"status_{status.value}"]) for status in model.Status]


def status_chart(chart_id, title, model, status_counts):
    changelist = admin_url(model, "changelist")
    return BarChart(
        chart_id,
        title,
        [
            Bar(status.label, count, f"{changelist}?status__exact={status.value}")
            for status, count in status_counts
        ],
    )


def counted_by(objects, rows, field):
    """Each of objects with how many of rows point at it through field, as
    [(object, count), …]: one GROUP BY over rows, which an index answers."""
    counts = dict(rows.order_by().values_list(field).annotate(Count("pk")))
    return [(obj, counts.get(obj.pk, 0)) for obj in objects]


def products_by_category():
    """Every category in its listing order with its number of products."""
    return counted_by(Category.objects.all(), Product.objects.all(), "category")


def businesses_by_kecamatan():
    """Every kecamatan with the number of businesses located there."""
    return counted_by(
        Kecamatan.objects.all(), Business.objects.all(), "kelurahan__kecamatan"
    )


def outlet_capacity(user, on_date=None):
    """The outlets the user manages, each annotated with its displays on display,
    scheduled and requested on the date (today by default), in one query."""
    stages = Display.stage_conditions(on_date)
    return Outlet.objects.managed_by(user).annotate(
        on_display=count_of(Display.objects.current(on_date), "outlet"),
        scheduled=count_of(
            Display.objects.filter(stages[Display.Stage.SCHEDULED]), "outlet"
        ),
        requested=count_of(
            Display.objects.filter(stages[Display.Stage.REQUESTED]), "outlet"
        ),
    )


def oldest(queryset):
    """The row of queryset that has waited longest (created first), or None."""
    return queryset.order_by("created_at", "pk").first()


def waiting_queue_url(model):
    return (
        f"{admin_url(model, 'changelist')}?{WaitingQueueFilter.parameter_name}=waiting"
    )


def review_queue(title, model, waiting):
    item = oldest(model.objects.waiting())
    return Queue(
        title=title,
        oldest=item,
        name=str(item) if item else "",
        change_url=admin_url(model, "change", item.pk) if item else "",
        url=waiting_queue_url(model),
        waiting=waiting,
    )


def display_queue(user, waiting):
    item = oldest(
        Display.objects.waiting()
        .filter(outlet__in=Outlet.objects.managed_by(user))
        .select_related("product", "outlet")
    )
    return Queue(
        title=_("Oldest display request"),
        oldest=item,
        name=f"{item.product} › {item.outlet}" if item else "",
        change_url=admin_url(Display, "change", item.pk) if item else "",
        url=waiting_queue_url(Display),
        waiting=waiting,
    )


@dataclass
class ReviewSummary:
    """What the page shows of a model staff review: a chart of its statuses, a chart
    of its rows grouped by a related model, and its queue."""

    model: type
    status_title: str
    group_title: str
    queue_title: str
    group_name: str
    groups: Callable  # () -> [(related object, count)]
    group_lookup: str  # the changelist filter for one related object


REVIEWS = [
    ReviewSummary(
        Business,
        gettext_lazy("Businesses by verification status"),
        gettext_lazy("Businesses by kecamatan"),
        gettext_lazy("Oldest business awaiting verification"),
        "kecamatan",
        businesses_by_kecamatan,
        "kelurahan__kecamatan__id__exact",
    ),
    ReviewSummary(
        Product,
        gettext_lazy("Products by review status"),
        gettext_lazy("Products by category"),
        gettext_lazy("Oldest product awaiting review"),
        "category",
        products_by_category,
        "category__id__exact",
    ),
]


def review_summary(summary):
    """The charts and the queue of one reviewed model."""
    model = summary.model
    prefix = model._meta.model_name
    statuses = count_by_status(model)
    changelist = admin_url(model, "changelist")
    charts = [
        status_chart(f"{prefix}-status", summary.status_title, model, statuses),
        BarChart(
            f"{prefix}-{summary.group_name}",
            summary.group_title,
            [
                Bar(
                    group.name, count, f"{changelist}?{summary.group_lookup}={group.pk}"
                )
                for group, count in summary.groups()
            ],
        ),
    ]
    waiting = dict(statuses)[model.Status.PENDING]
    return charts, review_queue(summary.queue_title, model, waiting)


def staff_dashboard(request):
    """Staff see what their permissions let them view: business and product counts
    (view_business, view_product), the capacity of the outlets they manage and
    their display requests (view_display), and what the counts tell
    (insights_context). admin.site.admin_view sends anyone but
    active staff to the admin login."""
    user = request.user
    charts, queues, outlets = [], [], None

    for summary in REVIEWS:
        if user.has_perm(f"products.view_{summary.model._meta.model_name}"):
            summary_charts, queue = review_summary(summary)
            charts += summary_charts
            queues.append(queue)
    if user.has_perm("products.view_proposedchange"):
        queues.append(
            review_queue(
                _("Oldest proposed change awaiting review"),
                ProposedChange,
                ProposedChange.objects.waiting().count(),
            )
        )
    if user.has_perm("outlets.view_display"):
        may_open_outlets = user.has_perm("outlets.view_outlet")
        outlets = [
            OutletCapacity(
                outlet,
                admin_url(Outlet, "change", outlet.pk) if may_open_outlets else "",
            )
            for outlet in outlet_capacity(user)
        ]
        queues.append(display_queue(user, sum(row.outlet.requested for row in outlets)))

    context = {
        **admin.site.each_context(request),
        "title": _("Summary"),
        "charts": charts,
        "queues": queues,
        "outlets": outlets,
        "stages": Display.Stage,
        "outlet_label": Outlet._meta.verbose_name,
        "roles": {"verifier": VERIFIER, "curator": CURATOR},
        **insights_context(
            user, [row.outlet for row in outlets] if outlets is not None else None
        ),
    }
    return TemplateResponse(request, "admin/staff_dashboard.html", context)


@dataclass
class Insight:
    """A city-wide chart of counts, and what the page says when it has none."""

    chart: BarChart
    empty_text: str

    @property
    def is_empty(self):
        return not any(bar.value for bar in self.chart.bars)


def city_insights(today=None):
    """The searches that found nothing and the product page views by category and
    by kecamatan over the window (insights.py), as bar charts."""
    days = {"days": insights.INSIGHT_DAYS}
    search_url = reverse("products:list")
    by_category, by_kecamatan = insights.views_by_category_and_kecamatan(today)
    return [
        Insight(
            BarChart(
                "missed-searches",
                _("Searches without results, last %(days)s days") % days,
                [
                    Bar(term, searches, f"{search_url}?{urlencode({'q': term})}")
                    for term, searches in insights.missed_searches(today)
                ],
            ),
            _("No search went without results in the last %(days)s days.") % days,
        ),
        Insight(
            BarChart(
                "views-category",
                _("Product page views by category, last %(days)s days") % days,
                [Bar(category.name, views) for category, views in by_category],
            ),
            _("No product page was viewed in the last %(days)s days.") % days,
        ),
        Insight(
            BarChart(
                "views-kecamatan",
                _("Product page views by kecamatan, last %(days)s days") % days,
                [Bar(kecamatan.name, views) for kecamatan, views in by_kecamatan],
            ),
            _("No product page was viewed in the last %(days)s days.") % days,
        ),
    ]


def insights_context(user, outlets=None, today=None):
    """What the summary shows of the counts: label scans at the outlets the user
    manages (with view_display, as their capacity; outlets: those already read),
    the city-wide charts (with view_product: aggregates of the whole catalogue, no
    agency's outlets) and the CSV exports of both."""
    context = {
        "insight_days": insights.INSIGHT_DAYS,
        "outlet_scans": None,
        "city_insights": [],
        "count_exports": insights.exports_for(user),
        "scan_labels": insights.scan_labels(),
    }
    if user.has_perm("outlets.view_display"):
        context["outlet_scans"] = insights.outlet_scans(user, today, outlets)
    if user.has_perm("products.view_product"):
        context["city_insights"] = city_insights(today)
    return context


@dataclass
class StartQueue:
    """One count of the admin home's queue line, linking to what it counts."""

    count: int
    text: str
    url: str


def start_queues(user):
    """What awaits the user's decision, for the admin home: businesses awaiting
    verification, products awaiting review and display requests at the outlets of
    their agencies, each only with its view permission (one count query each)."""
    queues = []
    if user.has_perm("products.view_business"):
        count = Business.objects.waiting().count()
        text = ngettext("%(count)s business", "%(count)s businesses", count)
        queues.append(StartQueue(count, text, waiting_queue_url(Business)))
    if user.has_perm("products.view_product"):
        count = Product.objects.waiting().count()
        text = ngettext("%(count)s product", "%(count)s products", count)
        queues.append(StartQueue(count, text, waiting_queue_url(Product)))
    if user.has_perm("outlets.view_display"):
        count = (
            Display.objects.waiting()
            .filter(outlet__in=Outlet.objects.managed_by(user))
            .count()
        )
        text = ngettext("%(count)s request", "%(count)s requests", count)
        queues.append(StartQueue(count, text, waiting_queue_url(Display)))
    for queue in queues:
        queue.text = queue.text % {
            "count": number_format(queue.count, force_grouping=True)
        }
    return queues
