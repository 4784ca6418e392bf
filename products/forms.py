import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Kecamatan, Product

SORT_CHOICES = [
    ("relevan", _("Best match")),
    ("terbaru", _("Newest")),
    ("harga", _("Price: low to high")),
    ("-harga", _("Price: high to low")),
    ("nama", _("Name (A–Z)")),
]
# Largest price a filter accepts: above any product, below integer overflow.
MAX_PRICE = 2_000_000_000


class RupiahField(forms.IntegerField):
    """Whole rupiah, written the Indonesian way or plain: "Rp 25.000", "25000"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_PRICE)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            # Dots group thousands in Indonesian; IntegerField would read them as
            # decimals ("25.000" → 25).
            value = re.sub(r"^\s*rp\.?|[\s.]", "", value, flags=re.IGNORECASE)
        return super().to_python(value)


def outlet_choices():
    """(slug, name) of every outlet, reached through Product.displays so products
    does not import outlets."""
    display_model = Product._meta.get_field("displays").related_model
    outlet_model = display_model._meta.get_field("outlet").related_model
    return [
        ("", _("All outlets")),
        *outlet_model.objects.order_by("name").values_list("slug", "name"),
    ]


class ProductFilterForm(forms.Form):
    """The search words, filters and order of the product list, read from its
    address; an invalid value is reported and ignored, never an error page."""

    # The fields that narrow the list (the order only rearranges it).
    FILTERS = ["q", "kategori", "gerai", "kecamatan", "harga_min", "harga_max", "halal"]

    q = forms.CharField(
        label=_("Search products"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("e.g. dodol, emping, batik")}),
    )
    kategori = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All categories"),
    )
    gerai = forms.ChoiceField(label=_("On display now at"), required=False)
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"),
        queryset=Kecamatan.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All kecamatan"),
    )
    harga_min = RupiahField(label=_("Lowest price (Rp)"), required=False)
    harga_max = RupiahField(label=_("Highest price (Rp)"), required=False)
    halal = forms.BooleanField(
        label=_("Halal certified only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )
    urut = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query serves both validation and the select.
        self.fields["gerai"].choices = outlet_choices()
        if not self.data.get("q", "").strip():
            # Without search words there is no relevance to sort by: hide it (a
            # stale "relevan" left in the address still validates, as newest).
            self.fields["urut"].widget.choices = SORT_CHOICES[1:]

    def clean(self):
        data = super().clean()
        low, high = data.get("harga_min"), data.get("harga_max")
        if low is not None and high is not None and low > high:
            data["harga_min"], data["harga_max"] = high, low
        if not data.get("q"):
            if data.get("urut") in (None, "", "relevan"):
                data["urut"] = "terbaru"
        elif not data.get("urut"):
            data["urut"] = "relevan"
        return data

    def has_filters(self):
        """Whether a valid filter or search narrows the list."""
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) not in (None, "", False) for name in self.FILTERS)

    def outlet_name(self):
        """The name of the outlet filtered on, if any."""
        slug = getattr(self, "cleaned_data", {}).get("gerai")
        return dict(self.fields["gerai"].choices).get(slug) if slug else None
