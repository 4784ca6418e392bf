"""The medium and thumbnail variants of product photos are made again from the large
variant in the background (products/tasks.py, rebuild_photo_variants), e.g. after
their sizes changed: by a management command or an admin action."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from products import tasks
from products.models import ProductPhoto
from tests.factories import add_photo, image_upload, make_product
from tests.media import stored_files, stored_image
from tests.task_helpers import run_queued_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.media]


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Tasks run as they are queued, unless a test queues them in the database."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


@pytest.fixture
def shrink_variants(monkeypatch):
    """Call it to make the variant sizes smaller, after photos were stored."""

    def shrink():
        monkeypatch.setattr(ProductPhoto, "MEDIUM_SIDE", 600)
        monkeypatch.setattr(ProductPhoto, "THUMBNAIL_SIDE", 200)

    return shrink


def variant_names(photo):
    return {photo.large.name, photo.medium.name, photo.thumbnail.name}


def rebuild(photos):
    return tasks.rebuild_photo_variants.enqueue(
        photo_pks=[photo.pk for photo in photos]
    ).return_value


def test_rebuilt_variants_have_the_new_sizes_and_replace_the_old_files(
    shrink_variants, django_capture_on_commit_callbacks
):
    """Medium and thumbnail are made again from the large variant, at the sizes of
    now; the large variant stays, the old files are deleted once the row is
    saved."""
    photo = add_photo(make_product(), image_upload(size=(1200, 900)))
    before = variant_names(photo)
    shrink_variants()

    with django_capture_on_commit_callbacks(execute=True):
        result = rebuild([photo])

    assert result == {"selected": 1, "rebuilt": 1, "missing": 0}
    photo.refresh_from_db()
    medium = stored_image(photo.medium)
    assert (medium.format, medium.size) == ("WEBP", (600, 450))
    assert (photo.medium_width, photo.medium_height) == (600, 450)
    thumbnail = stored_image(photo.thumbnail)
    assert (thumbnail.format, thumbnail.size) == ("WEBP", (200, 200))
    large = stored_image(photo.large)
    assert (large.format, large.size) == ("JPEG", (1200, 900))
    assert variant_names(photo) & before == {photo.large.name}
    assert sorted(stored_files()) == sorted(variant_names(photo))


def test_a_photo_without_its_large_file_is_counted_and_left_alone(
    shrink_variants, django_capture_on_commit_callbacks
):
    """A photo whose large file is gone does not fail the task: it is counted as
    missing and kept as it was, and the other photos are rebuilt."""
    product = make_product()
    lost, kept = add_photo(product), add_photo(product, position=1)
    lost.large.storage.delete(lost.large.name)
    lost_medium = lost.medium.name
    shrink_variants()

    with django_capture_on_commit_callbacks(execute=True):
        result = rebuild([lost, kept])

    assert result == {"selected": 2, "rebuilt": 1, "missing": 1}
    lost.refresh_from_db()
    assert lost.medium.name == lost_medium
    assert lost.medium.storage.exists(lost_medium)
    kept.refresh_from_db()
    assert stored_image(kept.thumbnail).size == (200, 200)


def test_an_unreadable_large_file_counts_as_missing():
    """A large file that is no image any more is missing as well."""
    photo = add_photo(make_product())
    storage, name = photo.large.storage, photo.large.name
    storage.delete(name)
    storage.save(name, ContentFile(b"not a photo"))

    assert rebuild([photo]) == {"selected": 1, "rebuilt": 0, "missing": 1}


def test_the_command_queues_a_products_photos_in_batches(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    """`rebuild_photo_variants --product PK` queues that product's photos only, in
    tasks of PHOTOS_PER_REBUILD_TASK photos, for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(tasks, "PHOTOS_PER_REBUILD_TASK", 2)
    product, other = make_product(), make_product()
    photos = [add_photo(product, position=n) for n in range(3)]
    untouched = add_photo(other)
    output = io.StringIO()

    call_command("rebuild_photo_variants", "--product", product.pk, stdout=output)

    queued = DBTaskResult.objects.filter(
        task_path=tasks.rebuild_photo_variants.module_path
    ).order_by("enqueued_at", "pk")
    assert [task.args_kwargs["kwargs"]["photo_pks"] for task in queued] == [
        [photos[0].pk, photos[1].pk],
        [photos[2].pk],
    ]
    assert "3 foto" in output.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        assert run_queued_tasks() == 2
    assert [task.return_value["rebuilt"] for task in queued.all()] == [2, 1]
    assert ProductPhoto.objects.get(pk=untouched.pk).medium == untouched.medium


def test_the_command_takes_every_photo_with_all():
    """--all rebuilds the photos of every product."""
    photos = [add_photo(make_product()) for _ in range(2)]
    before = {name for photo in photos for name in variant_names(photo)}

    call_command("rebuild_photo_variants", "--all", stdout=io.StringIO())

    after = {
        name
        for photo in ProductPhoto.objects.all()
        for name in (photo.medium.name, photo.thumbnail.name)
    }
    assert not after & before


def test_the_admin_action_rebuilds_the_selected_products_photos(
    admin_client, shrink_variants, django_capture_on_commit_callbacks
):
    """The product list's action "Rebuild photo variants" queues the rebuild of
    the selected products' photos and says so."""
    product = make_product()
    photo = add_photo(product)
    other = add_photo(make_product())
    shrink_variants()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:products_product_changelist"),
            {"action": "rebuild_photo_variants", "_selected_action": [product.pk]},
            follow=True,
        )

    [message] = response.context["messages"]
    assert "1 foto" in str(message)
    photo.refresh_from_db()
    assert stored_image(photo.thumbnail).size == (200, 200)
    assert stored_image(ProductPhoto.objects.get(pk=other.pk).thumbnail).size == (
        400,
        400,
    )


def test_the_admin_action_on_products_without_photos_says_so(admin_client):
    """Products without photos give a warning and queue nothing."""
    product = make_product()

    response = admin_client.post(
        reverse("admin:products_product_changelist"),
        {"action": "rebuild_photo_variants", "_selected_action": [product.pk]},
        follow=True,
    )

    [message] = response.context["messages"]
    assert message.level_tag == "warning"
