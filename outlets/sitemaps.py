from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Outlet


class PageSitemap(Sitemap):
    """The home page and the outlet and product listings."""

    changefreq = "daily"
    priority = 1.0
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return ["home", "outlets:list", "products:list", "outlets:privacy"]

    def location(self, name):
        return reverse(name)


class OutletSitemap(Sitemap):
    """Every outlet page, in both languages."""

    changefreq = "daily"
    priority = 0.8
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Outlet.objects.public().order_by("pk")

    def lastmod(self, outlet):
        return outlet.updated_at
