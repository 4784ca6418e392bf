import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

register = template.Library()

# The characters json_script escapes so JSON cannot close its <script> element.
JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


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


@register.simple_tag(takes_context=True)
def absolute_url(context, path=None):
    """An absolute URL for path (the current page without its query by default)."""
    request = context["request"]
    return request.build_absolute_uri(request.path if path is None else path)


@register.filter
def whatsapp_link(number, message=""):
    """A wa.me link to an international number (62…) with a prefilled message."""
    if not number:
        return ""
    link = f"https://wa.me/{number}"
    return f"{link}?{urlencode({'text': message})}" if message else link


@register.filter
def json_ld(data):
    """A schema.org JSON-LD script element, escaped like json_script."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    escaped = payload.translate(JSON_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(escaped)
    )
