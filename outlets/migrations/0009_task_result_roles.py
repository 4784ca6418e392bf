"""Verifikator and Kurator gerai read the results of the background tasks they start
(large bulk decisions run by `manage.py db_worker`, see products/tasks.py) in the
admin's read-only list of task results (django-tasks-db)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED_PERMISSIONS = {
    "Verifikator": [("django_tasks_database", "view_dbtaskresult")],
    "Kurator gerai": [("django_tasks_database", "view_dbtaskresult")],
}


def create_and_add_permissions(apps, schema_editor):
    # As in 0003: on a fresh database post_migrate has not made the permissions yet.
    app_config = apps.get_app_config("django_tasks_database")
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
        ("outlets", "0008_proposed_change_roles"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(create_and_add_permissions, migrations.RunPython.noop),
    ]
