"""Image uploads made safe and small: every picture the site shows is re-encoded here.

An upload is opened with Pillow (so files that only pretend to be images fail), checked
against a pixel budget (decompression bombs), turned upright by its EXIF orientation,
stripped of all metadata (phone GPS included) by re-encoding, and resized into the
variants that pages show. The original bytes are never stored.

The rules an upload meets (UPLOAD_FORMATS, MAX_UPLOAD_BYTES, MAX_PIXELS) live here
alone: the messages below, and the file inputs and help texts of every form
(products/uploads.py), are worded from them.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.formats import number_format
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


@dataclass(frozen=True)
class UploadFormat:
    """A kind of image owners may upload: its name in help texts and messages, the
    MIME types a file input offers for it, and the Pillow formats read as it."""

    name: str
    mime_types: tuple
    pillow_formats: tuple


UPLOAD_FORMATS = (
    # MPO: a JPEG with extra frames, as some phone cameras save them.
    UploadFormat("JPEG", ("image/jpeg",), ("JPEG", "MPO")),
    UploadFormat("PNG", ("image/png",), ("PNG",)),
    UploadFormat("WebP", ("image/webp",), ("WEBP",)),
    UploadFormat("HEIC", ("image/heic", "image/heif"), ("HEIF",)),
)


def format_names(joined_by=None):
    """The names of UPLOAD_FORMATS as a sentence lists them, e.g. "JPEG, PNG, WebP
    or HEIC" (joined_by: a "%(items)s … %(last)s" pattern; "or" by default)."""
    names = [kind.name for kind in UPLOAD_FORMATS]
    if len(names) == 1:
        return names[0]
    if joined_by is None:
        # Translators: a list of image formats, e.g. "JPEG, PNG, WebP or HEIC".
        joined_by = _("%(items)s or %(last)s")
    return joined_by % {"items": ", ".join(names[:-1]), "last": names[-1]}


def size_text(size=None):
    """A size in bytes (MAX_UPLOAD_BYTES by default) as people read it: "10 MB"."""
    megabytes = (MAX_UPLOAD_BYTES if size is None else size) / (1024 * 1024)
    decimals = 0 if megabytes.is_integer() else 1
    return f"{number_format(megabytes, decimal_pos=decimals)} MB"


# The attribute of an upload that keeps its image once decoded (see open_upload).
DECODED_IMAGE = "decoded_image"
# The longest side an upload's image is kept at: the largest any variant has
# (ProductPhoto.LARGE_SIDE; outlet photos 1200, logos 256).
KEPT_SIDE = 1600


def open_upload(upload):
    """Return the upload as an upright RGB Pillow image, or raise ValidationError.

    The file is decoded once: the image is kept on the upload, and opening the same
    upload again (the form checks it, the model's setter then re-encodes it) returns
    that image. It is shared, so callers make copies rather than change it."""
    decoded = getattr(upload, DECODED_IMAGE, None)
    if decoded is not None:
        return decoded
    image = decode_upload(upload)
    # Kept no larger than any variant is made (a form holds up to five photos
    # between its check and the save: 25 MP each would be 375 MB).
    image.thumbnail((KEPT_SIDE, KEPT_SIDE), Image.Resampling.LANCZOS)
    setattr(upload, DECODED_IMAGE, image)
    return image


def decode_upload(upload):
    """The upright RGB image of an upload, decoded from its bytes, or
    ValidationError when the upload breaks a rule of this module."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)s. Please choose a smaller photo."),
            code="file_too_large",
            params={"size": size_text()},
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
            if image.format not in accepted_pillow_formats():
                raise ValidationError(
                    _("Only %(formats)s photos are accepted."),
                    code="invalid_format",
                    # Translators: a list of image formats, e.g. "JPEG, PNG and WebP".
                    params={"formats": format_names(_("%(items)s and %(last)s"))},
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


def accepted_pillow_formats():
    """The Pillow formats of UPLOAD_FORMATS."""
    return {name for kind in UPLOAD_FORMATS for name in kind.pillow_formats}


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
