from django.shortcuts import render
from django.views.generic import DetailView, ListView

from .models import Outlet


def home(request):
    """The home page: the outlets and a selection of products on display now."""
    return render(request, "home.html", {})


class OutletListView(ListView):
    """Anyone sees every outlet with its status."""

    def get_queryset(self):
        return Outlet.objects.public().for_listing()


class OutletDetailView(DetailView):
    """Anyone sees an outlet and the products on display there now."""

    def get_queryset(self):
        return Outlet.objects.public().for_listing()
