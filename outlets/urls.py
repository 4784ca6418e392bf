from django.urls import path

from . import views

app_name = "outlets"

urlpatterns = [
    path("gerai/", views.OutletListView.as_view(), name="list"),
    path("gerai/<slug:slug>/", views.OutletDetailView.as_view(), name="detail"),
]
