from django.views.generic import DetailView, ListView

from .models import Business, Product


class ProductListView(ListView):
    """Anyone browses the public products, newest first."""

    paginate_by = 24

    def get_queryset(self):
        return Product.objects.public().for_listing().order_by("-created_at", "pk")


class ProductDetailView(DetailView):
    """Anyone sees a public product; any other product is a 404."""

    def get_queryset(self):
        return Product.objects.public().for_listing()


class BusinessDetailView(DetailView):
    """Anyone sees a verified business and its public products; others are a 404."""

    def get_queryset(self):
        return Business.objects.verified().select_related("kelurahan__kecamatan")

    def get_context_data(self, **kwargs):
        products = (
            Product.objects.public()
            .filter(business=self.object)
            .for_listing()
            .order_by("name", "pk")
        )
        return super().get_context_data(products=products, **kwargs)
