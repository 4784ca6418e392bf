from django import template

from outlets.caching import OPEN_NOW, depends_on
from outlets.models import Display

register = template.Library()


@register.simple_tag(takes_context=True)
def current_displays(context, product):
    """The displays of a product at outlets now, with their outlets and opening
    hours (two queries; one when it is on display nowhere). A page showing them
    shows whether those outlets are open now, so it is cached with that
    (OPEN_NOW)."""
    displays = list(
        Display.objects.current()
        .filter(product=product)
        .select_related("outlet")
        .prefetch_related("outlet__opening_hours")
        .order_by("outlet__name")
    )
    if displays and "request" in context:
        depends_on(context["request"], OPEN_NOW)
    return displays


@register.simple_tag
def current_displays_of_business(business):
    """Where the business's public products are on display now (one query)."""
    return list(
        Display.objects.current()
        .public()
        .filter(product__business=business)
        .select_related("outlet", "product")
        .only("outlet__name", "outlet__slug", "product__name", "product__slug")
        .order_by("outlet__name", "product__name")
    )
