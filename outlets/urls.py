from django.urls import path

from . import views

app_name = "outlets"

urlpatterns = [
    path("gerai/", views.OutletListView.as_view(), name="list"),
    path("privasi/", views.privacy, name="privacy"),
    path("gerai/<slug:slug>/", views.OutletDetailView.as_view(), name="detail"),
    path(
        "gerai/<slug:slug>/label-rak/",
        views.OutletLabelsView.as_view(),
        name="labels",
    ),
    path("dasbor/", views.DashboardView.as_view(), name="dashboard"),
    path("dasbor/pajangan/", views.DisplayListView.as_view(), name="display_list"),
    path(
        "dasbor/pajangan/minta/<slug:product_slug>/",
        views.DisplayCreateView.as_view(),
        name="display_request",
    ),
    path(
        "dasbor/pajangan/<int:pk>/batal/",
        views.DisplayCancelView.as_view(),
        name="display_cancel",
    ),
]
