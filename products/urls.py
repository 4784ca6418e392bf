from django.urls import path

from . import views

app_name = "products"

urlpatterns = [
    path("produk/", views.ProductListView.as_view(), name="list"),
    path("produk/<slug:slug>/", views.ProductDetailView.as_view(), name="detail"),
    path("umkm/<slug:slug>/", views.BusinessDetailView.as_view(), name="business"),
]
