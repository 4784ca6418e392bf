import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import (
    CreateView,
    DetailView,
    ListView,
    TemplateView,
    UpdateView,
)

from products.insights import with_totals
from products.models import (
    Business,
    Product,
    ordered_photos,
    prefetch_photos,
)
from serang_umkm.counting import count
from serang_umkm.page_cache import (
    current_categories,
    current_outlets,
    private_page,
)

from . import decisions
from .forms import ALREADY_OPEN, DisplayRequestForm, display_refusal
from .models import Display, Outlet

FEATURED_PRODUCTS = 8
# The dashboard lists at most this many items per section; the full lists are a
# link away, so the page stays the same size for an owner with many products.
DASHBOARD_ITEMS = 8


def home(request):
    """Anyone sees the outlets, a selection of products on display now (the newest
    first) and the categories to browse."""
    featured = (
        Product.objects.public()
        .on_display()
        .for_cards()
        .prefetch_related(ordered_photos())
        .order_by("-created_at", "pk")[:FEATURED_PRODUCTS]
    )
    return render(
        request,
        "home.html",
        {
            "outlets": public_outlets(),
            "featured_products": featured,
            "categories": current_categories(),
        },
    )


def public_outlets():
    """The outlets residents see, by name, with what their cards and pages show,
    from the page cache's state (serang_umkm.page_cache.current_outlets()): read
    from the database only when one of them changed, not on every page."""
    return sorted(current_outlets(), key=lambda outlet: (outlet.name, outlet.pk))


class OutletListView(ListView):
    """Anyone sees every outlet with its status, on a list and a map."""

    template_name = "outlets/outlet_list.html"

    def get_queryset(self):
        return public_outlets()

    def get_context_data(self, **kwargs):
        markers = [outlet.map_marker() for outlet in self.object_list]
        return super().get_context_data(
            markers=[marker for marker in markers if marker], **kwargs
        )


class OutletDetailView(DetailView):
    """Anyone sees an outlet: where and when it is open, and the products on display
    there now, by category and page."""

    paginate_by = 24

    def get_object(self, queryset=None):
        slug = self.kwargs["slug"]
        for outlet in public_outlets():
            if outlet.slug == slug:
                return outlet
        raise Http404

    def get_context_data(self, **kwargs):
        outlet = self.object
        count(self.request, "ov", outlet.pk)
        # Every product on display (as many as the outlet has room for) in one
        # query: the count and the page come from that list, and the categories
        # to filter by from their ids.
        displayed = list(
            Product.objects.public()
            .on_display(outlet)
            .for_cards()
            .order_by("name", "pk")
        )
        shown = {product.category_id for product in displayed}
        categories = [c for c in current_categories() if c.pk in shown]
        category = next(
            (c for c in categories if c.slug == self.request.GET.get("kategori")), None
        )
        if category:
            displayed = [p for p in displayed if p.category_id == category.pk]
        page = Paginator(displayed, self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        prefetch_photos(page.object_list)
        marker = outlet.map_marker()
        return super().get_context_data(
            page_obj=page,
            products=page.object_list,
            categories=categories,
            category=category,
            markers=[marker] if marker else [],
            structured_data=outlet.structured_data(
                self.request.build_absolute_uri(outlet.get_absolute_url())
            ),
            **kwargs,
        )


def qr_data_uri(url):
    """A QR code opening the URL, as an inline PNG data URI for an <img>."""
    return segno.make(url, error="m").png_data_uri(scale=4, border=2)


@private_page
def label_scan(request, outlet, product):
    """/l/<outlet>/<product>/, where a shelf label's QR code points: the scan is
    counted with its outlet (serang_umkm/counting.py), then the product's page
    opens. A short address makes a smaller QR code, quicker to scan from a shelf.
    A product no longer public leads to the outlet's page; an unknown outlet is a
    404."""
    found = next((o for o in public_outlets() if o.pk == outlet), None)
    if found is None:
        raise Http404
    shown = (
        Product.objects.public().filter(pk=product).only("slug", "business__owner_id")
    )
    shown = shown.select_related("business").first()
    if shown is None:
        return redirect(found)
    count(request, "ls", found.pk, shown.pk, owner_id=shown.business.owner_id)
    response = redirect(shown)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@method_decorator([never_cache, staff_member_required], name="dispatch")
class OutletLabelsView(DetailView):
    """A staff member prints shelf labels, with a QR code to each product's page, for
    the products on display now at an outlet of their agency (any outlet for a
    superuser); others are sent to the admin login, another agency's outlet is a
    404."""

    template_name = "outlets/outlet_labels.html"

    def get_queryset(self):
        return Outlet.objects.managed_by(self.request.user)

    def get_context_data(self, **kwargs):
        products = (
            Product.objects.public()
            .on_display(self.object)
            .select_related("business")
            .order_by("name", "pk")
        )
        labels = [
            (
                product,
                qr_data_uri(
                    self.request.build_absolute_uri(
                        reverse("label_scan", args=[self.object.pk, product.pk])
                    )
                ),
            )
            for product in products
        ]
        return super().get_context_data(
            labels=labels,
            today=timezone.localdate(),
            back_url=self.back_url(),
            **kwargs,
        )

    def back_url(self):
        """Where the staff member came from (?next=, a page of this site only),
        else the outlet's admin page."""
        back = self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            back,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return back
        return reverse("admin:outlets_outlet_change", args=[self.object.pk])


def robots_txt(request):
    """Search engines may index the public pages; the sitemap lists them."""
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /en/admin/",
        "Disallow: /akun/",
        "Disallow: /dasbor/",
        "Disallow: /wa/",
        "Disallow: /l/",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def privacy(request):
    """What the site counts and what it never keeps (serang_umkm/counting.py)."""
    return render(
        request,
        "privacy.html",
        {"window_minutes": settings.COUNT_WINDOW_SECONDS // 60},
    )


@private_page
def health(request):
    """A load balancer's liveness probe; also the benchmarks' trivial-view ceiling."""
    return HttpResponse("ok", content_type="text/plain")


@private_page
class DashboardView(LoginRequiredMixin, TemplateView):
    """A signed-in owner sees what needs their action, their businesses, products
    and display requests at a glance; nobody sees another owner's."""

    template_name = "outlets/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        businesses = list(Business.objects.owned_by(user))
        products = Product.objects.owned_by(user)
        product_counts = dict(
            products.order_by().values_list("status").annotate(Count("pk"))
        )
        # "-status" lists rejected products, which have the staff's answer, first.
        to_fix = list(
            products.filter(status__in=[Product.Status.DRAFT, Product.Status.REJECTED])
            .select_related("business")
            .order_by("-status", "-updated_at", "pk")[:DASHBOARD_ITEMS]
        )
        displayable = list(
            products.public()
            .select_related("business")
            .order_by("name", "pk")[: DASHBOARD_ITEMS + 1]
        )
        # The public products residents saw most in the last 30 days first.
        performing = list(
            with_totals(products.public())
            .only("name", "slug")
            .order_by("-recent_views", "-recent_taps", "-recent_scans", "name", "pk")[
                : DASHBOARD_ITEMS + 1
            ]
        )
        displays = Display.objects.owned_by(user)
        counts = displays.count_by_stage()
        return super().get_context_data(
            businesses=businesses,
            rejected_businesses=[
                b for b in businesses if b.status == Business.Status.REJECTED
            ],
            product_counts=[
                (status, label, product_counts.get(status, 0))
                for status, label in Product.Status.choices
            ],
            product_total=sum(product_counts.values()),
            products_to_fix=to_fix,
            displayable_products=displayable[:DASHBOARD_ITEMS],
            more_displayable=len(displayable) > DASHBOARD_ITEMS,
            performing_products=performing[:DASHBOARD_ITEMS],
            more_performing=len(performing) > DASHBOARD_ITEMS,
            display_counts=[(stage, counts[stage.value]) for stage in Display.Stage],
            display_total=sum(counts.values()),
            recent_displays=list(
                displays.select_related("outlet", "product").order_by(
                    "-updated_at", "-pk"
                )[:DASHBOARD_ITEMS]
            ),
            today=timezone.localdate(),
            **kwargs,
        )


@private_page
class DisplayListView(LoginRequiredMixin, ListView):
    """A signed-in owner sees the display requests of their own products, grouped by
    where they stand, with dates and the staff's reasons."""

    def get_queryset(self):
        return (
            Display.objects.owned_by(self.request.user)
            .select_related("outlet", "product__business")
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        groups = {stage: [] for stage in Display.Stage}
        for display in self.object_list:
            display.current_stage = display.stage(today)
            groups[display.current_stage].append(display)
        return super().get_context_data(
            groups=[
                (stage, stage.label, groups[stage])
                for stage in Display.Stage
                if groups[stage]
            ],
            **kwargs,
        )


@private_page
class DisplayCreateView(LoginRequiredMixin, CreateView):
    """A signed-in owner asks for a place at an outlet for one of their own approved
    products of a verified business; another owner's product is a 404, and a product
    not yet approved gets an explanation instead of a form."""

    form_class = DisplayRequestForm
    template_name = "outlets/display_request_form.html"
    success_url = reverse_lazy("outlets:display_list")

    @cached_property
    def product(self):
        products = Product.objects.owned_by(self.request.user)
        return get_object_or_404(
            products.select_related("business"), slug=self.kwargs["product_slug"]
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "product": self.product}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            product=self.product, refusal=display_refusal(self.product), **kwargs
        )

    def form_valid(self, form):
        form.instance.requested_by = self.request.user
        try:
            # A request sent twice at once meets the one-open-display constraint.
            with transaction.atomic():
                response = super().form_valid(form)
        except IntegrityError:
            form.add_error("outlet", ALREADY_OPEN)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "Your request to display %(product)s at %(outlet)s was sent. The "
                "outlet's staff will decide on it."
            )
            % {"product": self.product.name, "outlet": form.instance.outlet.name},
        )
        return response


@private_page
class DisplayCancelView(LoginRequiredMixin, UpdateView):
    """A signed-in owner withdraws one of their own requests while it awaits a
    decision; another owner's request is a 404."""

    fields = []
    template_name = "outlets/display_confirm_cancel.html"
    success_url = reverse_lazy("outlets:display_list")

    def get_queryset(self):
        return Display.objects.owned_by(self.request.user).select_related(
            "outlet", "product"
        )

    def form_valid(self, form):
        try:
            # Refused when staff decided since the page was shown.
            decisions.cancel_display(self.object, by=self.request.user)
        except ValidationError:
            messages.error(
                self.request,
                _(
                    "This request is no longer waiting for a decision, so it "
                    "cannot be cancelled."
                ),
            )
        else:
            messages.success(self.request, _("Your request was cancelled."))
        return redirect(self.success_url)
