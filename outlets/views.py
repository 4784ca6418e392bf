from django.core.paginator import Paginator
from django.shortcuts import render
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
    """Anyone sees every outlet with its status."""

    def get_queryset(self):
        return Outlet.objects.public().for_listing()


class OutletDetailView(DetailView):
    """Anyone sees an outlet and the products on display there now, paginated."""

    paginate_by = 24

    def get_queryset(self):
        return Outlet.objects.public().for_listing()

    def get_context_data(self, **kwargs):
        products = (
            Display.objects.current()
            .at(self.object)
            .products()
            .public()
            .for_listing()
            .order_by("name", "pk")
        )
        page = Paginator(products, self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            page_obj=page, products=page.object_list, **kwargs
        )
