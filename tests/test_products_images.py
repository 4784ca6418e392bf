"""Uploaded images are checked, turned upright, stripped of metadata and resized."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from products import images
from products.models import ProductPhoto
from tests.factories import image_upload, make_product
from tests.media import stored_image

pytestmark = [pytest.mark.django_db, pytest.mark.media]


def jpeg_with_exif(size=(600, 300), orientation=6):
    """A JPEG as phones write it: rotated by an EXIF tag and carrying a GPS position."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (6.0, 7.0, 30.0)
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("phone.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_photo_variants_are_small_upright_and_without_metadata():
    """A rotated phone photo is stored upright in three sizes, with no EXIF or GPS."""
    photo = ProductPhoto(product=make_product())
    photo.set_image(jpeg_with_exif(size=(2400, 1200), orientation=6))
    photo.save()

    large = stored_image(photo.large)
    assert large.format == "JPEG"
    assert large.size == (800, 1600)  # rotated 90°: portrait now
    assert not large.getexif()
    medium = stored_image(photo.medium)
    assert medium.format == "WEBP"
    assert medium.size == (400, 800) == (photo.medium_width, photo.medium_height)
    assert not medium.getexif()
    assert stored_image(photo.thumbnail).size == (400, 400)
    with photo.large.open("rb") as file:
        assert b"PhoneMaker" not in file.read()


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(image_format):
    """PNG (even with transparency) and WebP uploads become JPEG/WebP variants."""
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 300), (255, 0, 0, 0)).save(buffer, image_format)
    upload = SimpleUploadedFile("p", buffer.getvalue())

    photo = ProductPhoto(product=make_product())
    photo.set_image(upload)

    assert photo.thumbnail.name.endswith(".webp")


def test_an_iphone_heic_photo_is_accepted():
    """HEIC photos from iPhones are read and stored as the usual variants."""
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), "teal").save(buffer, "HEIF")
    upload = SimpleUploadedFile("IMG_0001.HEIC", buffer.getvalue(), "image/heic")

    photo = ProductPhoto(product=make_product())
    photo.set_image(upload)

    thumbnail = stored_image(photo.thumbnail)
    assert (thumbnail.format, thumbnail.size) == ("WEBP", (400, 400))


def test_an_outlet_photo_is_stored_as_a_webp_at_most_1200_px_wide(cipare):
    """An outlet's photo is re-encoded like a product's: WebP, proportions kept."""
    cipare.set_photo(image_upload(size=(2400, 1200)))
    cipare.save()

    photo = stored_image(cipare.photo)
    assert (photo.format, photo.size) == ("WEBP", (1200, 600))


def test_a_text_file_named_like_a_photo_is_refused():
    """A file that only pretends to be an image is refused with a reason."""
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 'hi'; ?>", "image/jpeg")

    with pytest.raises(ValidationError) as error:
        images.open_upload(fake)

    assert error.value.code == "invalid_image"


def test_a_truncated_jpeg_is_refused():
    """A damaged (cut-off) JPEG is refused instead of half-stored."""
    whole = image_upload(size=(800, 600)).read()
    truncated = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2], "image/jpeg")

    with pytest.raises(ValidationError) as error:
        images.open_upload(truncated)

    assert error.value.code == "invalid_image"


def test_a_gif_is_refused():
    """Formats other than JPEG, PNG and WebP are refused."""
    buffer = io.BytesIO()
    Image.new("P", (50, 50)).save(buffer, "GIF")

    with pytest.raises(ValidationError) as error:
        images.open_upload(SimpleUploadedFile("a.gif", buffer.getvalue()))

    assert error.value.code == "invalid_format"


def test_a_decompression_bomb_is_refused():
    """An image claiming an enormous number of pixels is refused before decoding."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")  # 100 MP, a few KB on disk

    with pytest.raises(ValidationError) as error:
        images.open_upload(SimpleUploadedFile("bomb.png", buffer.getvalue()))

    assert error.value.code == "too_many_pixels"


def test_a_photo_over_the_pixel_budget_is_refused():
    """Below Pillow's bomb limit but above the pixel budget is still refused."""
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")

    with pytest.raises(ValidationError) as error:
        images.open_upload(SimpleUploadedFile("huge.png", buffer.getvalue()))

    assert error.value.code == "too_many_pixels"


def test_a_file_over_10_mb_is_refused():
    """Files over 10 MB are refused by size, before Pillow reads them."""
    big = SimpleUploadedFile("big.jpg", b"\xff" * (10 * 1024 * 1024 + 1), "image/jpeg")

    with pytest.raises(ValidationError) as error:
        images.open_upload(big)

    assert error.value.code == "file_too_large"
