"""The staff roles: their names and, in one table, the permissions each one carries.

A role is an auth Group of staff accounts. The roles live here, in accounts, because
they describe staff accounts (as the staff sign-in and session rules in two_factor.py
do) and span every app: they name permissions of accounts, products, outlets and the
task results, by string only, so the module imports none of those apps and the one-way
dependencies (outlets -> products -> accounts) stay as they are.

After every `migrate` (and every test database flush) sync_roles() runs, as Django
creates permissions: a post_migrate receiver (connected in AccountsConfig.ready()) that
creates a role's group when it is missing and gives each group the permissions of
ROLES it lacks. It never removes anything: a permission an administrator gave a role by
hand stays, and a permission taken out of ROLES stays on the groups that have it until
someone removes it in the admin.

Grant a permission to a role, or add a role, by editing ROLES (and, for a new role, a
name constant), not with a new data migration: the next `migrate` applies it everywhere
(README: "Adding a staff role or permission"). The data migrations that made the groups
until now (outlets 0003, 0005, 0008, 0009 and 0011) stay as they landed; ROLES
holds what they grant together.
"""

import sys

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, router

#: Verifies businesses and reviews products, registers businesses on an owner's behalf
#: (by hand or by importing the agency's register) and reviews proposed changes.
VERIFIER = "Verifikator"
#: Curates the displays of the outlets of their agency (the agency scoping is in
#: outlets/admin.py, through Agency.members), their opening hours and closures.
CURATOR = "Kurator gerai"

#: Each role's permissions, as "app_label.codename".
ROLES = {
    VERIFIER: frozenset(
        {
            "accounts.view_outgoingemail",
            "accounts.view_user",
            "django_tasks_database.view_dbtaskresult",
            "products.add_business",
            "products.add_certification",
            "products.add_product",
            "products.add_productphoto",
            "products.change_business",
            "products.change_certification",
            "products.change_product",
            "products.change_productphoto",
            "products.change_proposedchange",
            "products.delete_certification",
            "products.delete_productphoto",
            "products.view_business",
            "products.view_category",
            "products.view_certification",
            "products.view_kecamatan",
            "products.view_kelurahan",
            "products.view_product",
            "products.view_productphoto",
            "products.view_proposedchange",
        }
    ),
    CURATOR: frozenset(
        {
            "accounts.view_outgoingemail",
            "django_tasks_database.view_dbtaskresult",
            "outlets.add_display",
            "outlets.add_outletclosure",
            "outlets.change_display",
            "outlets.change_openinghours",
            "outlets.change_outlet",
            "outlets.change_outletclosure",
            "outlets.delete_outletclosure",
            "outlets.view_display",
            "outlets.view_openinghours",
            "outlets.view_outlet",
            "outlets.view_outletclosure",
            "products.view_business",
            "products.view_product",
        }
    ),
}


def sync_roles(apps=global_apps, using=DEFAULT_DB_ALIAS, roles=None):
    """Create the groups of `roles` (default ROLES) that are missing and add the
    permissions they lack; never remove a group or a permission. `apps` is the app
    registry (post_migrate passes the migrated state's). Return the permissions the
    table names that are not in the database, which are left out (a typo, or a model
    that a partial `migrate` has not created yet)."""
    roles = ROLES if roles is None else roles
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    if not router.allow_migrate_model(using, Group):
        return set()
    wanted = set().union(*roles.values())
    permissions = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using)
        .filter(codename__in={name.partition(".")[2] for name in wanted})
        .values_list("pk", "content_type__app_label", "codename")
        if f"{app_label}.{codename}" in wanted
    }
    groups = dict(
        Group.objects.using(using).filter(name__in=roles).values_list("name", "pk")
    )
    for name in roles.keys() - groups.keys():
        groups[name] = Group.objects.using(using).create(name=name).pk
    Grant = Group.permissions.through
    granted = set(
        Grant.objects.using(using)
        .filter(group_id__in=groups.values())
        .values_list("group_id", "permission_id")
    )
    Grant.objects.using(using).bulk_create(
        [
            Grant(group_id=groups[name], permission_id=permissions[permission])
            for name, role_permissions in roles.items()
            for permission in sorted(role_permissions & permissions.keys())
            if (groups[name], permissions[permission]) not in granted
        ]
    )
    return wanted - permissions.keys()


def sync_roles_after_migrate(
    sender, apps=global_apps, using=DEFAULT_DB_ALIAS, verbosity=1, **kwargs
):
    """post_migrate receiver. post_migrate is sent once per app, in INSTALLED_APPS
    order, and auth's create_permissions (connected before this receiver: auth comes
    before accounts) makes each app's permissions on its turn; so the roles are synced
    once, on the last app's turn, when every app's permissions exist."""
    models_apps = [
        config for config in global_apps.get_app_configs() if config.models_module
    ]
    if sender is not models_apps[-1]:
        return
    try:
        missing = sync_roles(apps=apps, using=using)
    except LookupError:  # auth is not migrated (a partial migrate)
        return
    if missing and verbosity >= 1:
        names = ", ".join(sorted(missing))
        (kwargs.get("stdout") or sys.stdout).write(
            f"Staff roles: permissions not in the database, not granted: {names}\n"
        )
