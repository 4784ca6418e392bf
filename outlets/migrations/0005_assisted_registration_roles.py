"""Verifikator may also register businesses and their products on an owner's behalf
(assisted registration, by hand or by importing the agency's register) and hand them
over to the owner's account, which they find through the user autocomplete."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED_PERMISSIONS = {
    "Verifikator": [
        ("products", "add_business"),
        ("products", "add_product"),
        ("products", "add_productphoto"),
        ("products", "change_productphoto"),
        ("products", "delete_productphoto"),
        ("products", "add_certification"),
        ("products", "change_certification"),
        ("products", "delete_certification"),
        ("products", "view_kecamatan"),
        ("accounts", "view_user"),
    ],
}


def create_and_add_permissions(apps, schema_editor):
    # As in 0003: on a fresh database post_migrate has not made the permissions yet.
    for label in ("accounts", "products"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    add_permissions(apps)


def add_permissions(apps):
    """Give the groups the added permissions (which must exist already)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ADDED_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in codenames
            ]
        )


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ADDED_PERMISSIONS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label__in={app for app, _ in codenames},
                    codename__in=[codename for _, codename in codenames],
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("outlets", "0004_history"),
        ("products", "0006_assisted_registration"),
    ]

    operations = [
        migrations.RunPython(create_and_add_permissions, remove_permissions),
    ]
