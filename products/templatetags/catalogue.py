import hashlib
import json
import threading
from collections import OrderedDict
from functools import cache as memoize

from django import template
from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import get_template
from django.urls import reverse, translate_url
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from accounts.phones import tel_uri
from products.models import ProductPhoto, prefetch_badges
from products.rupiah import format_rupiah

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
    return format_rupiah(value)


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


# Rendered fragments of the site's frame (memo): this process's, at most
# MEMO_SIZE of them (the oldest forgotten first).
MEMO_SIZE = 2000
_memo = OrderedDict()
_memo_lock = threading.Lock()


@receiver(setting_changed)
def forget_memo(**kwargs):
    """Settings changed (in tests): what was rendered with the old ones goes."""
    with _memo_lock:
        _memo.clear()


class MemoNode(template.Node):
    def __init__(self, nodelist, name, parts):
        self.nodelist, self.name, self.parts = nodelist, name, parts

    def render(self, context):
        if settings.DEBUG:  # templates edited while runserver runs show at once
            return self.nodelist.render(context)
        key = (
            self.origin.name,
            self.name,
            get_language(),
            *(part.resolve(context) for part in self.parts),
        )
        try:
            hash(key)
        except TypeError:  # a value that cannot key it: render it each time
            return self.nodelist.render(context)
        with _memo_lock:
            html = _memo.get(key)
            if html is not None:
                _memo.move_to_end(key)
                return html
        html = self.nodelist.render(context)
        with _memo_lock:
            _memo[key] = html
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
        return html


@register.tag
def memo(parser, token):
    """{% memo "name" value… %}…{% endmemo %}: the enclosed part rendered once per
    language and values, then reused by this process. Only for what nothing but
    the language, the values and the release decide (no user, no CSRF token, no
    data from the database): it is never invalidated, and a new release starts
    with new processes."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("memo takes a name, then values")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])


@register.filter
def whatsapp_link(number, message=""):
    """A wa.me link to an international number (62…) with a prefilled message."""
    if not number:
        return ""
    link = f"https://wa.me/{number}"
    return f"{link}?{urlencode({'text': message})}" if message else link


@register.filter
def tel_link(number):
    """A tel: link dialling a phone number as typed (accounts.phones.tel_uri)."""
    return tel_uri(number)


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


def card_salt(salt):
    """What every card of this request shares: the release's card template (salt),
    the language, and the shape of product and photo addresses (a product's from
    its slug, a photo's from its file name), so keys name slugs and file names
    instead of building each address."""
    storage = ProductPhoto._meta.get_field("thumbnail").storage
    return repr(
        [
            salt,
            get_language(),
            reverse("products:detail", kwargs={"slug": "x"}),
            storage.url("x"),
        ]
    )


def card_key(product, salt):
    """The cache key of a product's card: a fingerprint of everything the card
    shows, so that any change to it (name, price, photo, the business's name, its
    badges, the language) is a card of its own, with nothing to invalidate. The
    badges are today's (prefetch_badges()), so a display starting or a
    certificate expiring changes the card on its day. salt is card_salt()'s."""
    photo = product.main_photo
    shown = [
        salt,
        product.pk,
        product.slug,
        product.name,
        product.price,
        product.unit,
        product.business.name,
        product.is_halal,
        product.is_on_display,
    ]
    if photo is not None:
        shown += [photo.thumbnail.name, photo.medium.name, photo.alt_text]
    digest = hashlib.md5(repr(shown).encode(), usedforsecurity=False).hexdigest()
    return f"product-card:{digest}"


@register.simple_tag
def product_cards(products, eager=0):
    """The rendered cards (products/_product_card.html) of the products, in order:
    read from the cache in one round trip, the missing ones rendered and stored.
    A list page of 24 products renders its cards once, not on every visit. The
    photos of the first `eager` cards (those a phone shows without scrolling)
    load at once, the others when scrolled to. Their badges are read in one
    query (prefetch_badges) unless the products carry them."""
    card, release = card_template()
    salt = card_salt(release)
    products = list(products)
    prefetch_badges(products)
    keyed = [
        (card_key(product, salt) + (":eager" if index < eager else ""), product)
        for index, product in enumerate(products)
    ]
    stored = cache.get_many([key for key, _product in keyed]) if keyed else {}
    rendered, cards = {}, []
    for index, (key, product) in enumerate(keyed):
        html = stored.get(key) or rendered.get(key)
        if html is None:
            html = rendered[key] = card.render(
                {"product": product, "eager": index < eager}
            )
        cards.append(mark_safe(html))  # noqa: S308 - rendered by the template
    if rendered:
        cache.set_many(rendered, CARD_SECONDS)
    return cards


@register.inclusion_tag("includes/breadcrumbs.html")
def breadcrumbs(*trail):
    """The breadcrumb trail (includes/breadcrumbs.html): labels, each followed by
    where it leads (a URL name or an object with get_absolute_url), and last,
    optionally, the current page's label without one:
    {% breadcrumbs _("Home") "home" _("Outlets") "outlets:list" outlet.name %}.
    A URL name that no longer resolves raises NoReverseMatch, as {% url %} does."""
    crumbs = []
    for label, to in zip(trail[0::2], trail[1::2], strict=False):
        url = to.get_absolute_url() if hasattr(to, "get_absolute_url") else reverse(to)
        crumbs.append((label, url))
    if len(trail) % 2:
        crumbs.append((trail[-1], None))
    return {"crumbs": crumbs}
