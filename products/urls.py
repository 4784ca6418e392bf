from django.urls import path

from . import views

app_name = "products"

urlpatterns = [
    path("produk/", views.ProductListView.as_view(), name="list"),
    path("produk/<slug:slug>/", views.ProductDetailView.as_view(), name="detail"),
    path("umkm/<slug:slug>/", views.BusinessDetailView.as_view(), name="business"),
    path(
        "ringkasan-bulanan/berhenti/<str:token>/",
        views.stop_monthly_summary,
        name="unsubscribe",
    ),
    # The owner's pages, under the dashboard.
    path("dasbor/ringkasan-bulanan/", views.monthly_summary, name="monthly_summary"),
    path("dasbor/usaha/", views.BusinessListView.as_view(), name="owner_businesses"),
    path(
        "dasbor/usaha/baru/",
        views.BusinessCreateView.as_view(),
        name="business_create",
    ),
    path(
        "dasbor/usaha/<slug:slug>/ubah/",
        views.BusinessUpdateView.as_view(),
        name="business_update",
    ),
    path("dasbor/produk/", views.OwnerProductListView.as_view(), name="owner_products"),
    path(
        "dasbor/produk/baru/",
        views.ProductCreateView.as_view(),
        name="product_create",
    ),
    path(
        "dasbor/produk/<slug:slug>/ubah/",
        views.ProductUpdateView.as_view(),
        name="product_update",
    ),
    path(
        "dasbor/produk/<slug:slug>/ajukan/",
        views.ProductSubmitView.as_view(),
        name="product_submit",
    ),
    path(
        "dasbor/produk/<slug:slug>/tarik/",
        views.ProductWithdrawView.as_view(),
        name="product_withdraw",
    ),
    path(
        "dasbor/produk/<slug:slug>/statistik/",
        views.ProductStatisticsView.as_view(),
        name="product_statistics",
    ),
    path(
        "dasbor/produk/<slug:slug>/hapus/",
        views.ProductDeleteView.as_view(),
        name="product_delete",
    ),
]
