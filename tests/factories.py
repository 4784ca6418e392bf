"""Small factories: plain functions with defaults; keyword arguments override."""

import datetime
import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from outlets.models import Display, Outlet
from products.models import (
    Business,
    Category,
    Certification,
    Kelurahan,
    Product,
    ProductPhoto,
)

_sequence = itertools.count(1)


def image_upload(
    name="photo.jpg", image_format="JPEG", size=(640, 480), color="orange"
):
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


def make_product(photo=False, halal_until=None, halal_verified=True, **fields):
    """A product (approved, of a verified business unless told otherwise); with
    halal_until, a halal certificate valid until then (checked by staff unless
    halal_verified is false)."""
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
            verified_at=timezone.now() if halal_verified else None,
        )
    return product


def make_many_products(business, count, **fields):
    """count products of the business in one query (bulk_create: no slugs or search
    vectors computed, no signals), like the first one make_product() made, which
    is one of them: for tests of pages with thousands of rows."""
    first = make_product(business=business)
    Product.objects.bulk_create(
        Product(
            business=business,
            category=first.category,
            name=f"Kerupuk {number}",
            slug=f"kerupuk-{number}",
            price=first.price,
            **fields,
        )
        for number in range(count - 1)
    )
    return first


def add_photo(product, upload=None, position=0):
    photo = ProductPhoto(product=product, position=position)
    photo.set_image(upload or image_upload())
    photo.save()
    return photo


def make_display(product=None, outlet=None, **fields):
    """A display approved since yesterday, open-ended, unless told otherwise."""
    fields.setdefault("status", Display.Status.APPROVED)
    if fields["status"] == Display.Status.APPROVED:
        fields.setdefault(
            "starts_on", timezone.localdate() - datetime.timedelta(days=1)
        )
    return Display.objects.create(
        product=product or make_product(),
        outlet=outlet or Outlet.objects.get(slug="gerai-umkm-cipare"),
        **fields,
    )
