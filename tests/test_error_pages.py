"""The refusal pages a resident can meet (403, and the CSRF failure of a form left
open too long) in the site's own layout and language, never cached."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, reverse

from serang_umkm import urls as site_urls

pytestmark = pytest.mark.django_db


def post_without_token(path):
    return Client(enforce_csrf_checks=True).post(
        path, {"username": "warga@example.com", "password": "rahasia"}
    )


def test_a_form_posted_without_its_csrf_token_explains_what_to_do(reference_data):
    """Signing in from a page left open too long (no valid CSRF token) answers 403
    with the site's page in Indonesian: what happened, to reload, a way home."""
    response = post_without_token(reverse("accounts:login"))

    assert response.status_code == 403
    text = response.text
    assert '<html lang="id"' in text
    assert 'class="navbar' in text  # the site's layout, not Django's bare page
    assert "Halaman ini sudah terlalu lama terbuka atau cookie diblokir." in text
    assert "Muat ulang halaman lalu coba lagi." in text
    assert 'href="/"' in text
    assert "CSRF verification failed" not in text
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_csrf_failure_page_is_in_english_under_en(reference_data):
    """The same refusal under /en/ is in English, with a link to the English home."""
    response = post_without_token("/en" + reverse("accounts:login"))

    assert response.status_code == 403
    assert '<html lang="en"' in response.text
    assert "This page has been open too long, or cookies are blocked." in response.text
    assert 'href="/en/"' in response.text
    assert "no-store" in response["Cache-Control"]


def refuse(request):
    raise PermissionDenied


class ForbiddenUrls:
    """The site's URLs, and one that refuses everyone."""

    urlpatterns = [path("dilarang/", refuse), *site_urls.urlpatterns]
    handler403 = getattr(site_urls, "handler403", None)


def test_a_forbidden_page_is_in_the_site_layout(client, settings, reference_data):
    """A page refused with 403 (PermissionDenied) shows the site's own page in
    Indonesian, with a way home, never cached, with the security headers."""
    settings.ROOT_URLCONF = ForbiddenUrls

    response = client.get("/dilarang/")

    assert response.status_code == 403
    assert '<html lang="id"' in response.text
    assert 'class="navbar' in response.text
    assert "Anda tidak punya akses ke halaman ini." in response.text
    assert 'href="/"' in response.text
    assert "no-store" in response["Cache-Control"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
