import hashlib
import json
from functools import cache as memoize

from django import template
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import get_template
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

CARD_TEMPLATE = "products/_product_card.html"
# How long a rendered product card is kept (cards are keyed by what they show, so
# a changed product gets a new card; this only bounds the memory).
CARD_SECONDS = 24 * 60 * 60

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


@memoize
def card_template():
    """The card's template, and a fingerprint of its source (a new release's cards
    are keyed apart from the old ones')."""
    card = get_template(CARD_TEMPLATE)
    source = getattr(card.template, "source", "")
    return card, hashlib.md5(source.encode(), usedforsecurity=False).hexdigest()[:8]


def card_key(product, salt):
    """The cache key of a product's card: a fingerprint of everything the card
    shows, so that any change to it (name, price, photo, the business's name, the
    language) is a card of its own, with nothing to invalidate."""
    photo = product.main_photo
    shown = [
        get_language(),
        product.pk,
        product.get_absolute_url(),
        product.name,
        product.price,
        product.unit,
        product.business.name,
    ]
    if photo is not None:
        shown += [photo.thumbnail.url, photo.medium.url, photo.alt_text]
    digest = hashlib.md5(repr(shown).encode(), usedforsecurity=False).hexdigest()
    return f"product-card:{salt}:{digest}"


@register.simple_tag
def product_cards(products):
    """The rendered cards (products/_product_card.html) of the products, in order:
    read from the cache in one round trip, the missing ones rendered and stored.
    A list page of 24 products renders its cards once, not on every visit."""
    card, salt = card_template()
    keyed = [(card_key(product, salt), product) for product in products]
    stored = cache.get_many([key for key, _product in keyed]) if keyed else {}
    rendered, cards = {}, []
    for key, product in keyed:
        html = stored.get(key) or rendered.get(key)
        if html is None:
            html = rendered[key] = card.render({"product": product})
        cards.append(mark_safe(html))  # noqa: S308 - rendered by the template
    if rendered:
        cache.set_many(rendered, CARD_SECONDS)
    return cards
