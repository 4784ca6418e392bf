"""Every form with an image upload checks it with products/uploads.py: the file is
opened and decoded once from the form's check to the stored variants, and the file
inputs' accept attribute and help texts are worded from images.py's constants."""

import io
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image, ImageFile

from outlets.models import Outlet
from products import images, uploads
from products.admin import ProductPhotoForm
from products.forms import BusinessForm, ProductForm
from products.models import Business, Category, Kelurahan, Product
from tests.admin_helpers import admin_url, rendered_form_data
from tests.factories import image_upload, make_business, make_product, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.media]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def pillow_calls(monkeypatch):
    """What Pillow is asked to do with files: "open" for each Image.open, "verify"
    for each verify(), and the format for each decode (a load() with tiles still
    to read)."""
    calls = []
    open_image, load, verify = Image.open, ImageFile.ImageFile.load, Image.Image.verify

    def counting_open(*args, **kwargs):
        calls.append("open")
        return open_image(*args, **kwargs)

    def counting_load(image):
        if image.tile:
            calls.append(image.format)
        return load(image)

    def counting_verify(image):
        calls.append("verify")
        return verify(image)

    monkeypatch.setattr(Image, "open", counting_open)
    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    monkeypatch.setattr(Image.Image, "verify", counting_verify)
    return calls


@pytest.fixture
def owner_client(client):
    owner = make_user()
    client.force_login(owner)
    client.owner = owner
    return client


def business_data(**overrides):
    return {
        "name": "Keripik Bu Sri",
        "size": Business.Size.MICRO,
        "nib": "",
        "kelurahan": Kelurahan.objects.get(slug="cipare").pk,
        "address": "Jl. Ki Mas Jong No. 5, RT 02/RW 03",
        "whatsapp": "0812 3456 7890",
        "description": "Keripik pisang dan singkong.",
        **overrides,
    }


def test_an_owners_logo_is_opened_and_decoded_once(owner_client, pillow_calls):
    """An owner's new business logo is opened and decoded once, from the form's check to
    the stored logo."""
    response = owner_client.post(
        reverse("products:business_create"),
        business_data(logo=image_upload("logo.png", "PNG")),
    )

    assert response.status_code == 302
    assert Business.objects.get().logo.name.endswith(".webp")
    assert pillow_calls == ["open", "PNG"]


def test_an_owners_new_photos_are_each_opened_and_decoded_once(
    owner_client, pillow_calls
):
    """Each photo an owner adds to a new product is opened and decoded once, from the
    form's check to its stored variants."""
    business = make_business(owner=owner_client.owner)
    response = owner_client.post(
        reverse("products:product_create"),
        {
            "business": business.pk,
            "name": "Keripik Pisang Cokelat",
            "category": Category.objects.get(slug="makanan").pk,
            "price": "25000",
            "unit": "pack",
            "form_token": str(uuid.uuid4()),
            "photos": [image_upload("a.jpg"), image_upload("b.png", "PNG")],
        },
    )

    assert response.status_code == 302
    assert Product.objects.get().photos.count() == 2
    assert pillow_calls == ["open", "JPEG", "open", "PNG"]


def test_a_logo_uploaded_in_the_admin_is_opened_and_decoded_once(
    admin_client, pillow_calls
):
    """Not also opened and verified by the admin's forms.ImageField."""
    business = make_business()
    url = admin_url(Business, "change", business.pk)
    data = rendered_form_data(admin_client.get(url))

    response = admin_client.post(url, {**data, "logo": image_upload("l.png", "PNG")})

    assert response.status_code == 302
    assert Business.objects.get().logo.name.endswith(".webp")
    assert pillow_calls == ["open", "PNG"]


def test_a_photo_uploaded_in_the_admin_is_opened_and_decoded_once(
    admin_client, pillow_calls
):
    """A product photo staff add in the admin is opened and decoded once."""
    product = make_product()
    url = admin_url(Product, "change", product.pk)
    data = rendered_form_data(admin_client.get(url))
    data.update(
        {
            "photos-TOTAL_FORMS": 1,
            "photos-0-upload": image_upload(),
            "photos-0-position": 0,
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert product.photos.count() == 1
    assert pillow_calls == ["open", "JPEG"]


def test_an_outlet_photo_uploaded_in_the_admin_is_opened_and_decoded_once(
    admin_client, cipare, pillow_calls
):
    """An outlet photo staff upload in the admin is opened and decoded once."""
    url = admin_url(Outlet, "change", cipare.pk)
    data = rendered_form_data(admin_client.get(url))

    response = admin_client.post(url, {**data, "photo": image_upload()})

    assert response.status_code == 302
    cipare.refresh_from_db()
    assert cipare.photo.name.endswith(".webp")
    assert pillow_calls == ["open", "JPEG"]


def test_a_bad_admin_logo_is_refused_with_the_uploads_message(admin_client):
    """A file that is no image, sent as a business logo in the admin, is refused with
    the same message owners get, and nothing is stored."""
    business = make_business()
    url = admin_url(Business, "change", business.pk)
    data = rendered_form_data(admin_client.get(url))
    fake = SimpleUploadedFile("logo.png", b"<?php echo 1; ?>", "image/png")

    response = admin_client.post(url, {**data, "logo": fake})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["logo"] == [
        "Berkas bukan gambar yang dapat dibaca, atau berkasnya rusak."
    ]


EXPECTED_ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif"


def test_every_image_input_offers_the_formats_of_images_py(
    owner_client, admin_client, cipare
):
    """Every image input, for owners and in the admin, offers the phone's picker exactly
    the formats the image pipeline accepts."""
    business = make_business(owner=owner_client.owner)
    pages = [
        (owner_client, reverse("products:business_create"), 'name="logo"'),
        (owner_client, reverse("products:product_create"), 'name="photos"'),
        (admin_client, admin_url(Business, "change", business.pk), 'name="logo"'),
        (admin_client, admin_url(Outlet, "change", cipare.pk), 'name="photo"'),
        (
            admin_client,
            admin_url(Product, "change", make_product().pk),
            'name="photos-__prefix__-upload"',
        ),
    ]
    assert uploads.accept() == EXPECTED_ACCEPT
    for client, url, name in pages:
        html = client.get(url).content.decode()
        [tag] = [t for t in html.split("<input")[1:] if name in t.split(">")[0]]
        assert f'accept="{EXPECTED_ACCEPT}"' in tag.split(">")[0], url


def help_texts():
    return {
        "logo": str(BusinessForm.base_fields["logo"].help_text),
        "photos": str(ProductForm.base_fields["photos"].help_text),
        "admin photo": str(ProductPhotoForm.base_fields["upload"].help_text),
    }


def test_the_help_texts_read_as_before():
    """The English help texts of the logo and photo fields name the formats and the size
    limit as they always have."""
    with translation.override("en"):
        assert help_texts() == {
            "logo": "Optional. A JPEG, PNG, WebP or HEIC image up to 10 MB; "
            "shown square.",
            "photos": "Up to 5 photos per product: JPEG, PNG, WebP or HEIC, up to "
            "10 MB each.",
            "admin photo": "JPEG, PNG, WebP or HEIC up to 10 MB; replaces the "
            "current photo.",
        }


def test_the_indonesian_help_texts_read_as_before():
    """The Indonesian strings of before (they need the catalogue entries for the
    msgids worded from the constants)."""
    with translation.override("id"):
        assert help_texts() == {
            "logo": "Opsional. Gambar JPEG, PNG, WebP, atau HEIC hingga 10 MB; "
            "ditampilkan persegi.",
            "photos": "Hingga 5 foto per produk: JPEG, PNG, WebP, atau HEIC, "
            "masing-masing hingga 10 MB.",
            "admin photo": "JPEG, PNG, WebP, atau HEIC hingga 10 MB; menggantikan "
            "foto saat ini.",
        }


def test_a_smaller_size_limit_changes_help_texts_and_refusals(monkeypatch):
    """With a smaller size limit the help texts say so and a file over it is refused:
    both follow the one constant."""
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
    too_big = SimpleUploadedFile("big.jpg", b"\xff" * (2 * 1024 * 1024 + 1))
    form = BusinessForm(data=business_data(), files={"logo": too_big})

    with translation.override("en"):
        assert all("up to 2 MB" in text for text in help_texts().values())
        assert not form.is_valid()
        assert form.errors["logo"] == [
            "The file is larger than 2 MB. Please choose a smaller photo."
        ]


def test_fewer_formats_change_the_accept_attribute_help_texts_and_refusals(
    monkeypatch,
):
    """Without HEIC in images.UPLOAD_FORMATS, no input offers it, no help text
    names it, and a HEIC photo is refused."""
    monkeypatch.setattr(images, "UPLOAD_FORMATS", images.UPLOAD_FORMATS[:3])
    heic = SimpleUploadedFile("IMG_0001.HEIC", heic_bytes(), "image/heic")
    form = BusinessForm(data=business_data(), files={"logo": heic})

    with translation.override("en"):
        html = str(form["logo"])
        assert 'accept="image/jpeg,image/png,image/webp"' in html
        assert help_texts()["logo"] == (
            "Optional. A JPEG, PNG or WebP image up to 10 MB; shown square."
        )
        assert not form.is_valid()
        assert form.errors["logo"] == ["Only JPEG, PNG and WebP photos are accepted."]


def heic_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, "HEIF")
    return buffer.getvalue()


def test_forms_and_templates_hold_no_copy_of_the_upload_rules():
    """The formats and size limit are written in products/images.py only."""
    sources = [
        *(ROOT / "products").glob("*.py"),
        *(ROOT / "outlets").glob("*.py"),
        *(ROOT / "accounts").glob("*.py"),
        *(ROOT / "templates").rglob("*.html"),
    ]
    for path in sources:
        if path.name == "images.py":
            continue
        text = path.read_text()
        for copy in ("image/jpeg", "image/heic", "10 MB", "WebP or HEIC"):
            assert copy not in text, (path, copy)
