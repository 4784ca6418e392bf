from django import template
from django.urls import translate_url

register = template.Library()


@register.filter
def rupiah(value):
    """Format whole rupiah the Indonesian way: 25000 → "Rp 25.000"."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    return f"Rp {amount:,}".replace(",", ".")


@register.simple_tag(takes_context=True)
def url_in_language(context, language_code):
    """The current page's address in another language (query string kept)."""
    request = context["request"]
    return translate_url(request.get_full_path(), language_code)
