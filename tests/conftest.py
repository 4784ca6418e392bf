"""Shared fixtures and small factories for the whole suite."""

import datetime
import io
import itertools
import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses
# to run next to one unless told it is safe (tests only, never in settings).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.conf import settings as django_settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image  # noqa: E402

from accounts.models import User  # noqa: E402
from outlets.models import Display, Outlet  # noqa: E402
from products.models import (  # noqa: E402
    Business,
    Category,
    Certification,
    Kelurahan,
    Product,
    ProductPhoto,
)

# The live server and the test client speak plain HTTP; production redirects to HTTPS.
django_settings.SECURE_SSL_REDIRECT = False
django_settings.SESSION_COOKIE_SECURE = False
django_settings.CSRF_COOKIE_SECURE = False

_sequence = itertools.count(1)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
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


# Factories: plain functions with sensible defaults; keyword arguments override.


def image_upload(name="photo.jpg", image_format="JPEG", size=(640, 480), color="orange"):
    """A real image file, as a browser would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, image_format)
    content_type = f"image/{image_format.lower()}"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def make_user(**fields):
    number = next(_sequence)
    fields.setdefault("email", f"user{number}@example.com")
    fields.setdefault("full_name", f"Pengguna {number}")
    password = fields.pop("password", "rahasia-kuat-123")
    return User.objects.create_user(password=password, **fields)


def make_business(**fields):
    number = next(_sequence)
    fields.setdefault("name", f"Usaha {number}")
    fields.setdefault("kelurahan", Kelurahan.objects.get(slug="cipare"))
    fields.setdefault("address", f"Jl. Contoh No. {number}")
    fields.setdefault("whatsapp", "6281234567890")
    fields.setdefault("status", Business.Status.VERIFIED)
    if "owner" not in fields:
        fields["owner"] = make_user()
    return Business.objects.create(**fields)


def make_product(photo=False, halal_until=None, **fields):
    """A product (approved, of a verified business unless told otherwise)."""
    number = next(_sequence)
    fields.setdefault("name", f"Produk {number}")
    fields.setdefault("price", 25000)
    fields.setdefault("status", Product.Status.APPROVED)
    if "category" not in fields:
        fields["category"] = Category.objects.get(slug="makanan")
    if "business" not in fields:
        fields["business"] = make_business()
    product = Product.objects.create(**fields)
    if photo:
        add_photo(product)
    if halal_until is not None:
        Certification.objects.create(
            product=product,
            kind=Certification.Kind.HALAL,
            number=f"ID3611000{number:07d}",
            valid_until=halal_until,
        )
    return product


def add_photo(product, upload=None, position=0):
    photo = ProductPhoto(product=product, position=position)
    photo.set_image(upload or image_upload())
    photo.save()
    return photo


def make_display(product=None, outlet=None, **fields):
    """A display approved since yesterday, open-ended, unless told otherwise."""
    fields.setdefault("status", Display.Status.APPROVED)
    if fields["status"] == Display.Status.APPROVED:
        fields.setdefault("starts_on", timezone.localdate() - datetime.timedelta(days=1))
    return Display.objects.create(
        product=product or make_product(),
        outlet=outlet or Outlet.objects.get(slug="gerai-umkm-cipare"),
        **fields,
    )


@pytest.fixture
def cipare(db):
    return Outlet.objects.get(slug="gerai-umkm-cipare")


@pytest.fixture
def kasemen(db):
    return Outlet.objects.get(slug="gerai-umkm-kasemen")


@pytest.fixture
def iwak_banten(db):
    return Outlet.objects.get(slug="iwak-banten")
