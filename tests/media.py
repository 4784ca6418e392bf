"""Stored files in tests: on this host's disk, or in an S3 test bucket, and looked at
through the storage API only, so that a test passes on both.

With TEST_MEDIA_BUCKET set (.ci/run sets it, with MEDIA_ENDPOINT_URL and the keys,
for its moto server), every test stores its files in that bucket under a key prefix
of its own, removed afterwards; never in MEDIA_BUCKET, which may be a real one.
"""

import io
import os
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image
from storages.backends.s3 import S3Storage

TEST_MEDIA_BUCKET = os.environ.get("TEST_MEDIA_BUCKET", "")
S3_BACKEND = "storages.backends.s3.S3Storage"


def media_storage():
    """The default storage of one test (a STORAGES entry): on disk in MEDIA_ROOT,
    or the S3 settings of production (MEDIA_S3_OPTIONS) on the test bucket, under a
    fresh key prefix."""
    if not TEST_MEDIA_BUCKET:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options = {
        **settings.MEDIA_S3_OPTIONS,
        "bucket_name": TEST_MEDIA_BUCKET,
        "location": f"test-{uuid.uuid4().hex}",
    }
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def private_media_storage(storage, folder):
    """The "private" STORAGES entry beside storage (media_storage()): the same test
    prefix's private/ on S3, or folder on disk."""
    if storage["BACKEND"] != S3_BACKEND:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": None},
        }
    options = storage["OPTIONS"]
    private = {
        **options,
        "location": f"{options['location']}/private",
        "querystring_auth": True,
        "default_acl": "private",
    }
    return {"BACKEND": S3_BACKEND, "OPTIONS": private}


def remove_stored_media(storage):
    """Delete what a test left under its key prefix of the test bucket (files on
    disk go with the test's temporary folder)."""
    if storage["BACKEND"] == S3_BACKEND:
        options = storage["OPTIONS"]
        bucket = S3Storage(**options).bucket
        bucket.objects.filter(Prefix=f"{options['location']}/").delete()


def stored_files(folder=""):
    """The names of every file stored under folder (the whole storage when empty)."""
    try:
        directories, files = default_storage.listdir(folder)
    except FileNotFoundError:  # MEDIA_ROOT is made by the first file stored
        return []
    prefix = f"{folder}/" if folder else ""
    names = [prefix + name for name in files]
    for directory in directories:
        names += stored_files(prefix + directory)
    return names


def stored_image(field_file):
    """The stored file of an image field as a loaded Pillow image (format kept)."""
    with field_file.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
    image.load()
    return image
