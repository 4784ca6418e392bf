"""Image uploads in forms: the one field and file inputs every form with an image
upload uses (owner product photos and business logo, the admin's photo, logo and
outlet photo forms).

The rules themselves are images.py's (formats, size, pixel budget, decoding): the
fields check an upload with images.open_upload, which decodes it once and keeps the
image on the upload for the model's setter (set_image, set_logo, set_photo) to
re-encode; the inputs' accept attribute and the help texts are worded from the same
constants, when they are rendered. This module holds the form side only, so that
images.py stays the Pillow pipeline that models, tasks and commands use as well.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from . import images


def accept():
    """The accept attribute of an image file input: the MIME types of
    images.UPLOAD_FORMATS."""
    return ",".join(
        mime_type for kind in images.UPLOAD_FORMATS for mime_type in kind.mime_types
    )


def _help_text(template, extra):
    return template % {
        "formats": images.format_names(),
        "size": images.size_text(),
        **extra,
    }


_lazy_help_text = lazy(_help_text, str)


def help_text(template, **extra):
    """A help text from a translatable template naming %(formats)s (as
    images.format_names words them) and %(size)s (images.size_text), plus any extra
    parameters; worded when it is rendered, in the language of the request."""
    return _lazy_help_text(template, extra)


class AcceptsImages:
    """A file input offering only the formats of images.UPLOAD_FORMATS."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        return {"accept": accept(), **super().build_attrs(base_attrs, extra_attrs)}


class ImageInput(AcceptsImages, forms.ClearableFileInput):
    pass


class MultipleImageInput(AcceptsImages, forms.FileInput):
    allow_multiple_selected = True


class ImageField(forms.FileField):
    """An image upload, checked (and decoded, once) by images.open_upload; an
    unchanged or cleared value is left as FileField leaves it."""

    widget = ImageInput

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if isinstance(upload, UploadedFile):
            images.open_upload(upload)
        return upload

    @classmethod
    def replacing(cls, field):
        """This field in place of a model form's field (e.g. the admin's
        forms.ImageField, which would open the file once more), keeping its
        label, help text, widget and whether it is required."""
        field.widget.attrs["accept"] = accept()  # Not forms.ImageField's image/*.
        return cls(
            label=field.label,
            required=field.required,
            help_text=field.help_text,
            widget=field.widget,
            initial=field.initial,
        )


class MultipleImageField(forms.FileField):
    """Several image files at once, each checked by images.open_upload; the errors
    name the file they are about."""

    widget = MultipleImageInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        uploads = [super(MultipleImageField, self).clean(u) for u in uploads]
        errors = []
        for upload in uploads:
            try:
                images.open_upload(upload)
            except ValidationError as error:
                errors.extend(
                    ValidationError(
                        _("%(file)s: %(error)s"),
                        params={"file": upload.name, "error": message},
                    )
                    for message in error.messages
                )
        if errors:
            raise ValidationError(errors)
        return uploads
