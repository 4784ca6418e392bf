from django import forms
from django.utils.translation import gettext_lazy as _

from products.models import Business, Product

from .models import Display, Outlet

ALREADY_OPEN = _(
    "This product already has a request waiting or a place at this outlet. "
    "See your display requests."
)


def display_refusal(product):
    """Why the product cannot be displayed at an outlet yet, or "" when it can: when
    it is public (Product.is_public, the rule of ProductQuerySet.public())."""
    if product.is_public:
        return ""
    business = product.business
    if business.status == Business.Status.PENDING:
        return _(
            "Your business is waiting for verification by the city staff. You can "
            "ask for a place at an outlet once it is verified."
        )
    if business.status == Business.Status.REJECTED:
        return _(
            "The verification of your business was rejected. Correct its details "
            "first; its products can then be displayed."
        )
    reasons = {
        Product.Status.DRAFT: _(
            "This product is still a draft. Submit it for review; once the staff "
            "approve it you can ask for a place at an outlet."
        ),
        Product.Status.PENDING: _(
            "This product is waiting for review by the city staff. You can ask for "
            "a place at an outlet once it is approved."
        ),
        Product.Status.REJECTED: _(
            "This product was not approved. Correct it and submit it for review again."
        ),
        Product.Status.WITHDRAWN: _(
            "This product is withdrawn. Submit it for review again to display it."
        ),
    }
    return reasons.get(product.status, "")


class DisplayRequestForm(forms.ModelForm):
    """An owner asks for their product to be displayed at an outlet."""

    class Meta:
        model = Display
        fields = ["outlet", "message"]
        labels = {"message": _("Message to the outlet staff (optional)")}
        help_texts = {
            "message": _(
                "For example how much stock you can supply, or how the product "
                "should be stored."
            )
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.product = product
        outlet = self.fields["outlet"]
        outlet.queryset = Outlet.objects.taking_requests()
        outlet.empty_label = _("Choose an outlet")
        outlet.help_text = _("Temporarily closed outlets take no requests.")

    def clean(self):
        cleaned_data = super().clean()
        product, outlet = self.instance.product, cleaned_data.get("outlet")
        refusal = display_refusal(product)
        if refusal:
            raise forms.ValidationError(refusal, code="not_displayable")
        duplicate = Display.objects.open().filter(outlet=outlet, product=product)
        if outlet and duplicate.exists():
            self.add_error("outlet", forms.ValidationError(ALREADY_OPEN, "open"))
        return cleaned_data
