from django import template

from outlets.models import Display

register = template.Library()


@register.simple_tag
def current_displays(product):
    """The displays of a product at outlets now, with their outlets (one query)."""
    return list(
        Display.objects.current()
        .filter(product=product)
        .select_related("outlet")
        .order_by("outlet__name")
    )
