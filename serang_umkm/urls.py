from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.core.files.storage import FileSystemStorage, default_storage
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from outlets import views as outlet_views
from outlets.insights import counts_export
from outlets.sitemaps import OutletSitemap, PageSitemap
from outlets.staff_dashboard import staff_dashboard
from products import views as product_views
from products.sitemaps import BusinessSitemap, ProductSitemap
from serang_umkm.page_cache import shows_every_change

from . import observability, security

admin.site.site_header = _("Gerai UMKM Kota Serang administration")
admin.site.site_title = _("Gerai UMKM Kota Serang")
admin.site.index_title = _("Catalogue and outlets")

sitemaps = {
    "halaman": PageSitemap,
    "gerai": OutletSitemap,
    "produk": ProductSitemap,
    "umkm": BusinessSitemap,
}

urlpatterns = [
    path("robots.txt", outlet_views.robots_txt, name="robots"),
    path(".well-known/security.txt", security.security_txt, name="security-txt"),
    path("healthz", outlet_views.health, name="health"),
    path("readyz", observability.ready, name="ready"),
    # Counted on the way (serang_umkm/counting.py), in no language: a printed
    # label's address must not depend on the language staff printed it in.
    path("wa/<int:pk>/", product_views.order_on_whatsapp, name="order_on_whatsapp"),
    path("l/<int:outlet>/<int:product>/", outlet_views.label_scan, name="label_scan"),
    path(
        "sitemap.xml",
        shows_every_change(sitemap_views.index),
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        shows_every_change(sitemap_views.sitemap),
        {"sitemaps": sitemaps},
        name="sitemap-section",
    ),
]
# A refused page in the site's layout, never cached (templates/403.html).
handler403 = "serang_umkm.errors.permission_denied"

urlpatterns += i18n_patterns(
    path("", outlet_views.home, name="home"),
    path("", include("outlets.urls")),
    path("", include("products.urls")),
    path("akun/", include("accounts.urls")),
    path(
        "admin/ringkasan/",
        admin.site.admin_view(staff_dashboard),
        name="staff_dashboard",
    ),
    path(
        "admin/ringkasan/hitungan.csv",
        admin.site.admin_view(counts_export),
        name="staff_counts_export",
    ),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

# In development, uploads on this host's disk are served by Django; a bucket's files
# have absolute URLs of their own (MEDIA_BUCKET), served by the bucket or its CDN.
if settings.DEBUG and isinstance(default_storage, FileSystemStorage):
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
