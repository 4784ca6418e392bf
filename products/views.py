from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from .forms import ProductFilterForm
from .models import Business, Product

# The orders of ProductFilterForm's `urut`; "pk" keeps pages stable among equals.
ORDERINGS = {
    "relevan": ["-rank", "pk"],
    "terbaru": ["-created_at", "pk"],
    "harga": ["price", "pk"],
    "-harga": ["-price", "pk"],
    "nama": ["name", "pk"],
}


class ProductListView(ListView):
    """Anyone searches and filters the public products; the address holds the
    search, filters, order and page, so any result page can be shared."""

    paginate_by = 24

    def get_queryset(self):
        self.form = ProductFilterForm(self.request.GET)
        self.form.is_valid()  # Invalid filters drop out of cleaned_data.
        data = self.form.cleaned_data
        products = Product.objects.public()
        if data.get("q"):
            products = products.search(data["q"])
        if data.get("kategori"):
            products = products.in_category(data["kategori"])
        if data.get("gerai"):
            products = products.on_display(data["gerai"])
        if data.get("kecamatan"):
            products = products.in_kecamatan(data["kecamatan"])
        if data.get("halal"):
            products = products.halal()
        products = products.priced_between(data.get("harga_min"), data.get("harga_max"))
        return products.for_listing().order_by(*ORDERINGS[data["urut"]])

    def paginate_queryset(self, queryset, page_size):
        # Unlike ListView's, a page number out of range or not a number shows the
        # nearest page (a shared or stale link still lands somewhere), not a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            form=self.form, query=self.form.cleaned_data.get("q"), **kwargs
        )


class ProductDetailView(DetailView):
    """Anyone sees a public product, how to reach its maker and similar products;
    any other product is a 404."""

    related_count = 4

    def get_queryset(self):
        return (
            Product.objects.public()
            .for_listing()
            .select_related("business__kelurahan__kecamatan")
            .prefetch_related("certifications")
        )

    def get_context_data(self, **kwargs):
        product = self.object
        url = self.request.build_absolute_uri(product.get_absolute_url())
        related = (
            Product.objects.public()
            .in_category(product.category)
            .exclude(pk=product.pk)
            .for_listing()
            .order_by("-created_at", "pk")[: self.related_count]
        )
        message = _(
            "Hello %(business)s, I am interested in %(product)s (%(url)s), which I "
            "found on Gerai UMKM Kota Serang."
        ) % {"business": product.business.name, "product": product.name, "url": url}
        main_photo = product.main_photo
        image = (
            self.request.build_absolute_uri(main_photo.large.url) if main_photo else ""
        )
        return super().get_context_data(
            related_products=related,
            whatsapp_message=message,
            structured_data=product.structured_data(url, image),
            **kwargs,
        )


class BusinessDetailView(DetailView):
    """Anyone sees a verified business, how to contact it and its public products;
    others are a 404."""

    paginate_by = 24

    def get_queryset(self):
        return Business.objects.verified().select_related("kelurahan__kecamatan")

    def get_context_data(self, **kwargs):
        business = self.object
        products = (
            Product.objects.public()
            .filter(business=business)
            .for_listing()
            .order_by("name", "pk")
        )
        page = Paginator(products, self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        url = self.request.build_absolute_uri(business.get_absolute_url())
        message = _(
            "Hello %(business)s, I found you on Gerai UMKM Kota Serang (%(url)s)."
        ) % {"business": business.name, "url": url}
        return super().get_context_data(
            page_obj=page,
            products=page.object_list,
            whatsapp_message=message,
            structured_data=business.structured_data(url),
            **kwargs,
        )
