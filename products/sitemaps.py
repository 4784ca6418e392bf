from django.contrib.sitemaps import Sitemap

from .models import Business, Product


class ProductSitemap(Sitemap):
    """Every public product, in both languages."""

    changefreq = "weekly"
    limit = 5000
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Product.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, product):
        return product.updated_at


class BusinessSitemap(Sitemap):
    """Every verified business, in both languages."""

    changefreq = "weekly"
    limit = 5000
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Business.objects.verified().only("slug", "updated_at").order_by("pk")

    def lastmod(self, business):
        return business.updated_at
