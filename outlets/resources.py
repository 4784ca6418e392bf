"""Displays in spreadsheets (django-import-export, export only): exported from the
admin's display list, whose filters and agency scoping decide the rows, so the list
filtered by an outlet gives that outlet's displays."""

from django.utils import timezone
from import_export import widgets
from import_export.fields import Field

from products.resources import (
    SafeExportResource,
    TextWidget,
    WhatsAppWidget,
    yes_no,
)

from .models import Display


def column(attribute, name, widget=None):
    return Field(attribute, name, widget=widget or TextWidget(), readonly=True)


class DisplayResource(SafeExportResource):
    """Each display: where, what, whose, its status, dates and who decided it."""

    outlet = column("outlet__name", "gerai")
    product = column("product__name", "produk")
    business = column("product__business__name", "usaha")
    # As people write it (0812-…), like the business export.
    business_whatsapp = column(
        "product__business__whatsapp", "whatsapp_usaha", WhatsAppWidget()
    )
    # The status as staff read it (its choice label), not its stored value.
    status = column("get_status_display", "status")
    on_display = Field(column_name="sedang_dipajang", readonly=True)
    starts_on = column("starts_on", "mulai", widgets.DateWidget("%Y-%m-%d"))
    ends_on = column("ends_on", "sampai", widgets.DateWidget("%Y-%m-%d"))
    decided_by = column("decided_by__email", "diputuskan_oleh")
    created_at = column(
        "created_at", "dibuat_pada", widgets.DateTimeWidget("%Y-%m-%d %H:%M")
    )

    class Meta:
        model = Display
        fields = (
            "outlet",
            "product",
            "business",
            "business_whatsapp",
            "status",
            "on_display",
            "starts_on",
            "ends_on",
            "decided_by",
            "created_at",
        )

    def dehydrate_on_display(self, display):
        """Whether the display takes a place at its outlet today."""
        return yes_no(display.takes_place(timezone.localdate()))

    def filter_export(self, queryset, **kwargs):
        """Outlets, products, businesses and deciders in the one query of the
        export."""
        return queryset.select_related("outlet", "product__business", "decided_by")
