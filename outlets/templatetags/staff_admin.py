from django import template

from outlets.staff_dashboard import start_queues

register = template.Library()


@register.simple_tag(takes_context=True)
def queues_for(context):
    """The admin home's queue counts for the signed-in staff member."""
    return start_queues(context["request"].user)
