from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import DetailView, ListView

from products.models import Category

from .models import Display, Outlet

FEATURED_PRODUCTS = 8


def home(request):
    """Anyone sees the outlets, a selection of products on display now and the
    categories to browse."""
    featured = (
        Display.objects.current()
        .products()
        .public()
        .for_listing()
        .order_by("-updated_at", "pk")[:FEATURED_PRODUCTS]
    )
    return render(
        request,
        "home.html",
        {
            "outlets": Outlet.objects.public().for_listing(),
            "featured_products": featured,
            "categories": Category.objects.all(),
        },
    )


class OutletListView(ListView):
    """Anyone sees every outlet with its status, on a list and a map."""

    def get_queryset(self):
        return Outlet.objects.public().for_listing()

    def get_context_data(self, **kwargs):
        markers = [outlet.map_marker() for outlet in self.object_list]
        return super().get_context_data(
            markers=[marker for marker in markers if marker], **kwargs
        )


class OutletDetailView(DetailView):
    """Anyone sees an outlet: where and when it is open, and the products on display
    there now, by category and page."""

    paginate_by = 24

    def get_queryset(self):
        return Outlet.objects.public().for_listing()

    def get_context_data(self, **kwargs):
        outlet = self.object
        displayed = Display.objects.current().at(outlet).products().public()
        categories = Category.objects.filter(products__in=displayed).distinct()
        category = next(
            (c for c in categories if c.slug == self.request.GET.get("kategori")), None
        )
        if category:
            displayed = displayed.in_category(category)
        page = Paginator(
            displayed.for_listing().order_by("name", "pk"), self.paginate_by
        ).get_page(self.request.GET.get("page"))
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


def robots_txt(request):
    """Search engines may index the public pages; the sitemap lists them."""
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /en/admin/",
        "Disallow: /akun/",
        "Disallow: /dasbor/",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def health(request):
    """A load balancer's liveness probe; also the benchmarks' trivial-view ceiling."""
    return HttpResponse("ok", content_type="text/plain")
