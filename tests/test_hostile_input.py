"""Hostile input never makes a server error: every public page and each of its GET
parameters, every public and owner form and the staff admin's changelists get
huge and negative numbers, floats, repeated parameters, NUL bytes, 10 KB strings,
broken UTF-8, right-to-left text and emoji, empty and blank values, and SQL- or
HTML-looking text. Pages answer below 500 (a NUL byte anywhere is a 400, see
serang_umkm/middleware.py); forms re-render with their errors or redirect.

Requests raise their exceptions (the test client's default), so a failure shows
its traceback. Runs on SQLite and on PostgreSQL (DATABASE_URL), where NUL bytes,
out-of-range years and integer overflows are refused by the database itself."""

import datetime
import re
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.urls import reverse

from outlets.models import Display, Outlet
from products.models import Category, Kelurahan
from tests.admin_helpers import admin_url
from tests.factories import make_business, make_display, make_product, make_user

pytestmark = pytest.mark.django_db

HUGE = str(10**30)
LONG = "x" * 10_000
# Representative hostile values, by name (the name is the test id).
VALUES = {
    "huge": HUGE,
    "huge-negative": "-" + HUGE,
    "negative": "-1",
    "zero": "0",
    "float": "1.5",
    "exponent": "1e309",
    "nul": "a\x00b",
    "long": LONG,
    "rtl-emoji": "\u202e\u0645\u0631\u062d\u0628\u0627 \U0001f600\u200d",
    "empty": "",
    "blank": " \t\n ",
    "sql": "' OR 1=1; DROP TABLE products_product; --",
    "html": '"><script>alert(1)</script>',
    "path": "../../etc/passwd",
}
# Raw query strings a browser or a bot can send: broken UTF-8 percent-encoding.
BROKEN_ENCODINGS = ["%ff%fe", "%c3%28", "%e2%82", "%"]
# Fewer values where each request is slow (forms that hash passwords, the admin).
FORM_VALUES = {
    name: VALUES[name]
    for name in ["huge", "negative", "float", "nul", "long", "rtl-emoji", "blank"]
    + ["sql", "html"]
}


def query(param, value):
    return f"{param}={quote(value)}"


def get(client, path, query_string):
    """GET with the query string sent as it is (never re-encoded)."""
    return client.get(path, QUERY_STRING=query_string)


def assert_answered(response, value=""):
    assert response.status_code < 500
    if "\x00" in value:
        assert response.status_code == 400


# Public pages ------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    """A product on display at an outlet, of a verified business."""
    display = make_display()
    return display.product


PUBLIC_PAGES = {
    "home": (lambda p: "/", ["page", "q"]),
    "product-list": (
        lambda p: reverse("products:list"),
        ["q", "kategori", "gerai", "kecamatan", "harga_min", "harga_max"]
        + ["halal", "urut", "page"],
    ),
    "product-detail": (lambda p: p.get_absolute_url(), ["page"]),
    "business": (lambda p: p.business.get_absolute_url(), ["page"]),
    "outlet-list": (lambda p: reverse("outlets:list"), ["page"]),
    "outlet-detail": (
        lambda p: p.displays.get().outlet.get_absolute_url(),
        ["kategori", "page"],
    ),
    "robots": (lambda p: "/robots.txt", ["x"]),
    "sitemap": (lambda p: "/sitemap.xml", ["p"]),
    "sitemap-section": (lambda p: "/sitemap-produk.xml", ["p"]),
    "signin": (lambda p: reverse("accounts:login"), ["next"]),
    "signup": (lambda p: reverse("accounts:signup"), ["next"]),
}
PAGE_PARAMS = [
    pytest.param(name, param, id=f"{name}-{param}")
    for name, (_path, params) in PUBLIC_PAGES.items()
    for param in params
]


# (Not "page": pytest-playwright would take it for its browser page fixture.)
@pytest.mark.parametrize(("page_name", "param"), PAGE_PARAMS)
def test_public_page_parameters_never_make_a_server_error(
    client, catalogue, page_name, param
):
    """Hostile values, broken encodings and repeated or hostile parameter names in any
    public page's query string never make a server error; a NUL byte answers 400."""
    path = PUBLIC_PAGES[page_name][0](catalogue)
    for value in VALUES.values():
        assert_answered(get(client, path, query(param, value)), value)
    for raw in BROKEN_ENCODINGS:
        assert_answered(get(client, path, f"{param}={raw}"))
    # Repeated parameters, bare names and names of their own that are hostile.
    for raw in [
        f"{param}=1&{param}=2",
        f"{param}=&{param}={HUGE}",
        f"{param}[]=1&{param}[]=2",
        param,
        f"{param}=1&{quote(LONG)}=1",
        "&".join(f"{param}={n}" for n in range(200)),
    ]:
        assert_answered(get(client, path, raw))


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_public_pages_in_english_take_hostile_parameters(client, catalogue, prefix):
    """The product list, the outlet list and a product page, in Indonesian and in
    English, still open (200) with broken UTF-8 in the search, a negative sort and a
    huge page number."""
    for path in ["/produk/", "/gerai/", catalogue.get_absolute_url()]:
        path = prefix + path.removeprefix("/en")
        response = get(client, path, "q=%ff%fe&urut=-1&page=" + HUGE)
        assert response.status_code == 200


@pytest.mark.parametrize(
    "path, status",
    [
        ("/produk/%ff/", 404),
        ("/produk/%c3%28/", 404),
        ("/gerai/" + "x" * 5000 + "/", 404),
        # serang_umkm/hostile_input.py refuses a NUL anywhere in a request.
        ("/umkm/%00/", 400),
    ],
)
def test_hostile_paths_are_not_found_or_refused(client, path, status):
    """An address with broken encodings or a 5,000-character slug is a page not
    found; one with a NUL is a bad request: never an error page."""
    response = client.get(path)
    assert response.status_code == status


# Protocol-relative addresses (finding 7) --------------------------------------


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize(
    "path", ["//evil.example/", "//evil.example/produk/", "/\\evil.example/"]
)
def test_a_path_starting_with_two_slashes_never_links_to_another_host(
    client, catalogue, prefix, path
):
    """The canonical link, og:url, hreflang links and the language switch are
    built from the path; "//evil.example/" would make them point at that host.
    Such a path is redirected to its single-slash form, on this host."""
    full_path = (prefix + path) if prefix else path
    response = client.get("/", PATH_INFO=full_path)

    assert response.status_code == 301
    location = response["Location"]
    assert location.startswith("/") and location[1:2] not in ("/", "\\")
    assert "evil.example" not in response.content.decode()
    followed = client.get(location, follow=True)
    assert followed.status_code == 404
    for url in re.findall(r'(?:href|content)="([^"]*)"', followed.content.decode()):
        assert url.startswith(("http://testserver/", "/", "#")) or "://" not in url
        assert not url.startswith(("//", "/\\")), url


# Public and owner forms -------------------------------------------------------


def signup_data():
    return {
        "full_name": "Siti Aminah",
        "email": "siti@example.com",
        "whatsapp": "0812 3456 7890",
        "password1": "rahasia-kuat-123",
        "password2": "rahasia-kuat-123",
    }


def business_data(business=None):
    return {
        "name": "Dodol Bu Siti",
        "size": "mikro",
        "nib": "",
        "kelurahan": str(Kelurahan.objects.get(slug="cipare").pk),
        "address": "Jl. Contoh No. 1",
        "whatsapp": "0812 3456 7890",
        "description": "Dodol khas Serang.",
        "drawn_version": str(business.version) if business else "",
    }


def product_data(business, product=None):
    return {
        "business": str(business.pk),
        "name": "Dodol Durian",
        "category": str(Category.objects.get(slug="makanan").pk),
        "price": "25.000",
        "unit": "bungkus",
        "description": "Manis.",
        "halal_number": "",
        "halal_valid_until": "",
        "pirt_number": "",
        "bpom_number": "",
        "form_token": "3f0c1a9e-8b1e-4c53-9d0e-2b5a1c7d9e10",
        "drawn_version": str(product.version) if product else "",
    }


@pytest.fixture
def owner(client):
    user = make_user()
    business = make_business(owner=user)
    product = make_product(business=business)
    client.force_login(user)
    return user, business, product


def public_form(name):
    """(path, data) of a public form, for an anonymous visitor."""
    if name == "signup":
        return reverse("accounts:signup"), signup_data()
    if name == "signin":
        return reverse("accounts:login"), {
            "username": "siti@example.com",
            "password": "x",
        }
    if name == "resend":
        return reverse("accounts:resend"), {"email": "siti@example.com"}
    return reverse("accounts:password_reset"), {"email": "siti@example.com"}


PUBLIC_FORMS = {
    "signup": list(signup_data()),
    "signin": ["username", "password"],
    "resend": ["email"],
    "password_reset": ["email"],
}


def assert_form_answered(response, value):
    assert_answered(response, value)
    if "\x00" not in value:
        # 429: the sign-in's rate limits (many failed attempts in one test).
        assert response.status_code in (200, 302, 429)
        if response.status_code == 200:
            assert b"<form" in response.content


@pytest.mark.parametrize(
    ("form", "field"),
    [
        pytest.param(f, n, id=f"{f}-{n}")
        for f, names in PUBLIC_FORMS.items()
        for n in names
    ],
)
def test_public_forms_take_hostile_values(client, form, field):
    """Hostile values in any field of the sign-up, sign-in, resend and password-reset
    forms never make a server error: the form comes back or the visitor is sent on (a
    NUL byte is a 400, many sign-ins a 429)."""
    path, valid = public_form(form)
    for value in FORM_VALUES.values():
        response = client.post(path, {**valid, field: value})
        assert_form_answered(response, value)
    response = client.post(path, {**valid, field: ["1", "2"]})
    assert_form_answered(response, "")


BUSINESS_FIELDS = ["name", "size", "nib", "kelurahan", "address", "whatsapp"] + [
    "description",
    "drawn_version",
]
OWNER_FORMS = {
    "business-create": BUSINESS_FIELDS,
    "business-update": BUSINESS_FIELDS,
    "product-create": ["business", "name", "category", "price", "unit"]
    + ["description", "halal_number", "halal_valid_until", "pirt_number"]
    + ["bpom_number", "form_token", "drawn_version"],
    "display-request": ["outlet", "message"],
}
OWNER_FORMS["product-update"] = OWNER_FORMS["product-create"]


def owner_form(name, business, product):
    if name == "business-create":
        return reverse("products:business_create"), business_data()
    if name == "business-update":
        path = reverse("products:business_update", args=[business.slug])
        return path, business_data(business)
    if name == "product-create":
        return reverse("products:product_create"), product_data(business)
    if name == "product-update":
        path = reverse("products:product_update", args=[product.slug])
        return path, product_data(business, product)
    path = reverse("outlets:display_request", args=[product.slug])
    outlet = Outlet.objects.taking_requests().first()
    return path, {"outlet": str(outlet.pk), "message": "Stok 20 bungkus."}


@pytest.mark.parametrize(
    ("form", "field"),
    [
        pytest.param(f, n, id=f"{f}-{n}")
        for f, names in OWNER_FORMS.items()
        for n in names
    ],
)
def test_owner_forms_take_hostile_values(client, owner, form, field):
    """Hostile values in any field of an owner's business, product and display-request
    forms never make a server error: the form comes back or the owner is sent on (a NUL
    byte is a 400)."""
    _user, business, product = owner
    path, valid = owner_form(form, business, product)
    for value in FORM_VALUES.values():
        response = client.post(path, {**valid, field: value})
        assert_form_answered(response, value)
    response = client.post(path, {**valid, field: ["1", "2"]})
    assert_form_answered(response, "")


@pytest.mark.parametrize("value", ["%ff%fe", "%c3%28", "a=%00"])
def test_forms_take_broken_encodings(client, owner, value):
    """Broken UTF-8 posted by a signed-in owner to the sign-in page sends them on (302)
    and to the business form shows it again with its errors (200); a NUL byte is a
    bad request (400) for both: never a server error."""
    _user, business, _product = owner
    expected = {
        reverse("accounts:login"): 302,
        reverse("products:business_create"): 200,
    }
    for path, status in expected.items():
        response = client.post(
            path,
            f"name={value}&username={value}&{value}=1",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == (400 if "%00" in value else status), path


# Staff admin (finding 6) ------------------------------------------------------


def filter_params(model, model_admin):
    """The query parameter of each of the admin's list filters (a sample)."""
    params = []
    for entry in model_admin.list_filter:
        name = entry[0] if isinstance(entry, (list, tuple)) else entry
        if isinstance(name, type) and issubclass(name, SimpleListFilter):
            params.append(name.parameter_name)
            continue
        field = get_fields_from_path(model, name)[-1]
        if field.is_relation:
            params.append(f"{name}__{field.target_field.name}__exact")
        elif isinstance(field, models.DateField):
            params += [f"{name}__gte", f"{name}__lt"]
        else:
            params.append(f"{name}__exact")
    return params


def changelists():
    return [
        pytest.param(model, id=f"{model._meta.app_label}.{model._meta.model_name}")
        for model in admin.site._registry
    ]


ADMIN_VALUES = {
    name: VALUES[name] for name in ["huge", "float", "nul", "long", "rtl-emoji", "sql"]
}
# Fewer still for each list filter (there are many, and each page is slow).
FILTER_VALUES = [HUGE, "-1", "a\x00b", "x" * 1000]


@pytest.fixture
def superuser(client):
    user = make_user(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize("model", changelists())
def test_admin_changelists_take_hostile_lookups(client, superuser, catalogue, model):
    """Hostile searches, sorts, pages, lookups, filter values and dates on any admin
    list answer the list, a 400 (always for a NUL byte) or a redirect to "?e=1", never a
    server error."""
    model_admin = admin.site._registry[model]
    url = admin_url(model, "changelist")
    raw_queries = [query("q", value) for value in ADMIN_VALUES.values()]
    raw_queries += [f"q={raw}" for raw in BROKEN_ENCODINGS[:2]]
    raw_queries += ["o=99", "o=-x.1.-2", f"o={HUGE}", "p=-1", f"p={HUGE}"]
    raw_queries += ["all=&_facets=1", "id__gt=" + HUGE, "id__in=a,b", "pk__regex=("]
    for param in filter_params(model, model_admin):
        raw_queries += [query(param, value) for value in FILTER_VALUES]
        raw_queries += [f"{param}=1&{param}=2"]
    date_field = model_admin.date_hierarchy or next(
        (
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.DateField) and f.concrete
        ),
        None,
    )
    if date_field:
        for year in ["-1", "9999", "99999999999999999999", "%00"]:
            raw_queries.append(f"{date_field}__year={year}")
        raw_queries += [
            f"{date_field}__year=9999&{date_field}__month=12&{date_field}__day=31",
            f"{date_field}__year=2026&{date_field}__month=2&{date_field}__day=30",
            f"{date_field}__gte=" + HUGE,
        ]
    for raw in raw_queries:
        response = get(client, url, raw)
        assert response.status_code in (200, 302, 400), raw
        if response.status_code == 302:
            assert response["Location"].endswith("?e=1"), raw
        if "%00" in raw or "a%00b" in raw:
            assert response.status_code == 400, raw


def test_admin_date_hierarchy_years_out_of_range_redirect(client, superuser):
    """Staff asking for displays of a year out of range (negative, huge, 9999, 10000)
    are sent back to the list with "?e=1"."""
    make_display(starts_on=datetime.date(2026, 1, 1))
    url = admin_url(Display, "changelist")
    for year in ["-1", "99999999999999999999", "9999", "10000"]:
        response = get(client, url, f"starts_on__year={year}")
        assert response.status_code == 302
        assert response["Location"].endswith("?e=1")


def test_admin_autocomplete_takes_hostile_terms(client, superuser, catalogue):
    """The admin's product autocomplete answers hostile or broken search terms, a huge
    page and a NUL app label without a server error; a NUL byte in the term answers
    400."""
    base = "app_label=outlets&model_name=display&field_name=product"
    url = "/admin/autocomplete/"
    for term in [quote(v) for v in ADMIN_VALUES.values()] + BROKEN_ENCODINGS:
        response = get(client, url, f"{base}&term={term}")
        assert response.status_code in (200, 400), term
    assert get(client, url, f"{base}&term=a%00b").status_code == 400
    assert get(client, url, f"{base}&term=x&page={HUGE}").status_code < 500
    assert get(client, url, "app_label=%00&model_name=x&field_name=y").status_code < 500
