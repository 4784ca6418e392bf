"""The two staff roles as groups: Verifikator verifies businesses and reviews products;
Kurator gerai curates the displays of the outlets of their agency (the agency scoping
itself is in outlets/admin.py, through Agency.members)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Verifikator": [
        ("products", "view_business"),
        ("products", "change_business"),
        ("products", "view_product"),
        ("products", "change_product"),
        ("products", "view_productphoto"),
        ("products", "view_certification"),
        ("products", "view_kelurahan"),
        ("products", "view_category"),
    ],
    "Kurator gerai": [
        ("outlets", "view_display"),
        ("outlets", "add_display"),
        ("outlets", "change_display"),
        ("outlets", "view_outlet"),
        ("outlets", "change_outlet"),
        ("outlets", "view_openinghours"),
        ("outlets", "change_openinghours"),
        ("products", "view_product"),
        ("products", "view_business"),
    ],
}


def create_groups(apps, schema_editor):
    # Permissions are made by post_migrate, after every migration; a fresh database
    # has none yet, so make them now for the apps the roles need.
    for label in ("products", "outlets"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    add_roles(apps)


def add_roles(apps):
    """The groups and their permissions (which must exist already)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in codenames
        ]
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("outlets", "0002_real_agencies_and_outlets"),
        ("products", "0004_product_owner_edits"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_groups),
    ]
