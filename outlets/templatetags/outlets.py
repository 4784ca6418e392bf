from django import template

from outlets.models import Display

register = template.Library()


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
