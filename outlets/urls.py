from django.urls import path

from . import views

app_name = "outlets"

urlpatterns = [
    path("", views.OutletListView.as_view(), name="list"),
    path("<slug:slug>/", views.OutletDetailView.as_view(), name="detail"),
]
