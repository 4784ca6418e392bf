"""Image uploads made safe and small: every picture the site shows is re-encoded here.

An upload is opened with Pillow (so files that only pretend to be images fail), checked
against a pixel budget (decompression bombs), turned upright by its EXIF orientation,
stripped of all metadata (phone GPS included) by re-encoding, and resized into the
variants that pages show. The original bytes are never stored.
"""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

# iPhones take photos as HEIC; pillow-heif teaches Pillow to read them.
register_heif_opener()

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# 25 megapixels covers the photos phones take by default (12 MP, 24 MP on recent
# iPhones); their 48-200 MP full-resolution modes, and anything larger, are refused
# before decoding: decoding 25 MP takes some 100 MB of memory, and the largest
# variant kept is 1600 pixels wide anyway.
MAX_PIXELS = 25_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO", "HEIF"}


def open_upload(upload):
    """Return the upload as an upright RGB Pillow image, or raise ValidationError."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than 10 MB. Please choose a smaller photo."),
            code="file_too_large",
        )
    too_many_pixels = ValidationError(
        _("The photo has too many pixels. Please choose a smaller photo."),
        code="too_many_pixels",
    )
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check (Image.MAX_IMAGE_PIXELS) stays as a backstop.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            # Opening reads the header only: format and size are known before any
            # pixel is decoded, and the pixels are decoded once, by load().
            image = Image.open(upload)
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    _("Only JPEG, PNG, WebP and HEIC photos are accepted."),
                    code="invalid_format",
                )
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise too_many_pixels
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The file is not a readable image, or it is damaged."),
            code="invalid_image",
        ) from None
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    return image


def fit_within(image, longest_side):
    """A copy no larger than longest_side on either side, proportions kept."""
    copy = image.copy()
    copy.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    return copy


def square(image, side):
    """A centred square crop of the given side."""
    return ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)


def encode(image, image_format="WEBP", quality=80):
    """The image encoded without any metadata, as a ContentFile with a random name."""
    buffer = io.BytesIO()
    options = {"quality": quality}
    if image_format == "JPEG":
        options.update(optimize=True, progressive=True)
    else:
        options.update(method=4)
    image.save(buffer, image_format, **options)
    extension = "jpg" if image_format == "JPEG" else image_format.lower()
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
