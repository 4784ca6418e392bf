"""The staff roles of accounts/roles.py: after every migrate each role's group exists
with the permissions of the one table, ROLES; the sync only ever adds."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from accounts import roles
from accounts.roles import CURATOR, ROLES, VERIFIER, sync_roles

pytestmark = pytest.mark.django_db


def permissions_of(name):
    """The role's permissions, as "app_label.codename"."""
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def permission(name):
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def migrate():
    """`manage.py migrate` with nothing left to apply: only post_migrate runs; what it
    printed."""
    out = io.StringIO()
    call_command("migrate", verbosity=1, interactive=False, stdout=out)
    return out.getvalue()


def test_after_migrate_each_role_has_exactly_the_permissions_of_the_table():
    """The test database is migrated: the groups are the roles of ROLES, each with
    exactly the permissions the table names (every one of which exists)."""
    assert set(ROLES) == {VERIFIER, CURATOR}
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLES)
    for name, granted in ROLES.items():
        assert permissions_of(name) == granted


def test_a_permission_staff_added_by_hand_survives_the_next_migrate():
    """The sync adds and never removes: a permission an administrator gave a role by
    hand stays, next to the table's."""
    Group.objects.get(name=CURATOR).permissions.add(
        permission("outlets.delete_display")
    )

    migrate()

    assert permissions_of(CURATOR) == ROLES[CURATOR] | {"outlets.delete_display"}
    assert permissions_of(VERIFIER) == ROLES[VERIFIER]


def test_a_permission_taken_from_a_role_by_hand_comes_back_on_migrate():
    """A table permission removed from a group in the admin is granted again."""
    Group.objects.get(name=VERIFIER).permissions.remove(
        permission("products.change_product")
    )

    migrate()

    assert permissions_of(VERIFIER) == ROLES[VERIFIER]


def test_a_role_deleted_by_hand_comes_back_on_migrate():
    """A role's group deleted in the admin is made again, with its permissions."""
    Group.objects.filter(name=VERIFIER).delete()

    output = migrate()

    assert permissions_of(VERIFIER) == ROLES[VERIFIER]
    assert permissions_of(CURATOR) == ROLES[CURATOR]
    assert "Staff roles" not in output


def test_a_permission_added_to_the_table_reaches_the_existing_group(monkeypatch):
    """A permission added to ROLES is granted to the role's existing group by the next
    sync, migrate's and a direct call's alike; nothing else changes."""
    group = Group.objects.get(name=CURATOR)
    monkeypatch.setitem(
        roles.ROLES, CURATOR, ROLES[CURATOR] | {"outlets.delete_display"}
    )

    migrate()

    assert Group.objects.get(name=CURATOR).pk == group.pk
    assert "outlets.delete_display" in permissions_of(CURATOR)
    assert permissions_of(VERIFIER) == ROLES[VERIFIER]

    monkeypatch.setitem(
        roles.ROLES, VERIFIER, ROLES[VERIFIER] | {"products.delete_business"}
    )
    assert sync_roles() == set()
    assert "products.delete_business" in permissions_of(VERIFIER)


def test_a_new_role_in_the_table_becomes_a_group_on_migrate(monkeypatch):
    """A role added to ROLES is a group with its permissions after the next migrate."""
    monkeypatch.setitem(roles.ROLES, "Pengamat", frozenset({"outlets.view_outlet"}))

    migrate()

    assert permissions_of("Pengamat") == {"outlets.view_outlet"}


def test_a_permission_made_by_the_same_migrate_is_granted_by_it():
    """The roles are synced after auth has made every app's permissions: a permission
    row missing before migrate (as on a fresh database) is made and granted in one
    run, even one of the last app to migrate (outlets)."""
    permission("outlets.delete_outletclosure").delete()
    permission("accounts.view_user").delete()

    migrate()

    assert permissions_of(CURATOR) == ROLES[CURATOR]
    assert permissions_of(VERIFIER) == ROLES[VERIFIER]


def test_a_permission_not_in_the_database_is_left_out_and_named(monkeypatch):
    """A table permission that does not exist (a typo) is granted to no one and
    named by migrate's output; the rest is still synced."""
    existing = ROLES[CURATOR]
    monkeypatch.setitem(roles.ROLES, CURATOR, existing | {"outlets.approve_display"})
    Group.objects.filter(name=CURATOR).delete()

    output = migrate()

    assert permissions_of(CURATOR) == existing
    assert "outlets.approve_display" in output
    assert sync_roles() == {"outlets.approve_display"}


def test_a_sync_with_nothing_to_do_is_cheap(django_assert_max_num_queries):
    """Run after every migrate and test flush, a sync that changes nothing reads the
    permissions, the groups and their grants, and writes nothing."""
    with django_assert_max_num_queries(3):
        assert sync_roles() == set()
