"""Shared fixtures for the whole suite; factories live in tests/factories.py."""

import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses
# to run next to one unless told it is safe (tests only, never in settings).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.conf import settings as django_settings  # noqa: E402

from outlets.models import Outlet  # noqa: E402

# The live server and the test client speak plain HTTP; production redirects to HTTPS.
django_settings.SECURE_SSL_REDIRECT = False
django_settings.SESSION_COOKIE_SECURE = False
django_settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium instead of a downloaded browser (no downloads here)."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def cipare(db):
    return Outlet.objects.get(slug="gerai-umkm-cipare")


@pytest.fixture
def kasemen(db):
    return Outlet.objects.get(slug="gerai-umkm-kasemen")


@pytest.fixture
def iwak_banten(db):
    return Outlet.objects.get(slug="iwak-banten")
