"""Kurator gerai enter, change and remove the closures of the outlets of their agency
(a renovation, an event: outlets.OutletClosure), on the outlet's admin page; the
agency scoping itself is in outlets/admin.py."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED_PERMISSIONS = {
    "Kurator gerai": [
        ("outlets", "view_outletclosure"),
        ("outlets", "add_outletclosure"),
        ("outlets", "change_outletclosure"),
        ("outlets", "delete_outletclosure"),
    ],
}


def create_and_add_permissions(apps, schema_editor):
    # As in 0003: on a fresh database post_migrate has not made the permissions yet.
    app_config = apps.get_app_config("outlets")
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
        for app, codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("outlets", "0012_outlet_closures"),
    ]

    operations = [
        migrations.RunPython(create_and_add_permissions, migrations.RunPython.noop),
    ]
