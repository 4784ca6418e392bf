"""An upload is decoded at most once, and only when its header fits the pixel
budget: a tiny PNG claiming a huge size costs neither time nor memory."""

import io
import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from products import images
from tests.factories import image_upload


@pytest.fixture
def decodes(monkeypatch):
    """The number of times Pillow decodes the pixels of a file (a load() with
    tiles still to read); later load() calls on a loaded image are free."""
    counted = []
    load = ImageFile.ImageFile.load

    def counting_load(image):
        if image.tile:
            counted.append(image.format)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return counted


def small_png_of_many_pixels(side=6300):
    """A PNG of side × side pixels that compresses to a few KB on disk."""
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, "PNG", optimize=True)
    return SimpleUploadedFile("poster.png", buffer.getvalue(), "image/png")


def test_a_tiny_png_of_6300_by_6300_pixels_is_refused_undecoded(decodes):
    """The attack: a 4 KB PNG of 39.7 MP (under the old 40 MP budget) that cost
    seconds and hundreds of MB per upload, decoded twice. It is refused from its
    header, in Indonesian, without decoding a pixel."""
    upload = small_png_of_many_pixels()
    assert upload.size < 50_000
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as error:
            images.open_upload(upload)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error.value.code == "too_many_pixels"
    assert error.value.messages == [
        "Resolusi foto terlalu besar. Silakan pilih foto yang lebih kecil."
    ]
    assert decodes == []
    assert peak < 50 * 1024 * 1024


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_normal_photo_is_read_and_decoded_once(decodes, monkeypatch, image_format):
    """A JPEG, PNG or WebP photo an owner uploads is opened once and its pixels decoded
    once."""
    upload = image_upload(f"photo.{image_format.lower()}", image_format, (1200, 900))
    opened = []
    open_image = Image.open

    def counting_open(*args, **kwargs):
        opened.append(args)
        return open_image(*args, **kwargs)

    monkeypatch.setattr(Image, "open", counting_open)

    image = images.open_upload(upload)

    assert image.size == (1200, 900)
    assert decodes == [image_format]
    assert len(opened) == 1


def test_phone_photos_fit_the_pixel_budget():
    """A 12 MP and a 24 MP phone photo (4032 × 3024, 5712 × 4284) are accepted."""
    assert 5712 * 4284 <= images.MAX_PIXELS < 6300 * 6300


def test_a_damaged_photo_is_still_refused():
    """Without verify(), a truncated file still fails when it is decoded."""
    data = image_upload(size=(800, 600)).read()
    damaged = SimpleUploadedFile("damaged.jpg", data[: len(data) // 2], "image/jpeg")

    with pytest.raises(ValidationError) as error:
        images.open_upload(damaged)

    assert error.value.code == "invalid_image"
