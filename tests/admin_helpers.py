"""Helpers for tests that drive the Django admin."""

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.roles import CURATOR, VERIFIER
from outlets.models import Agency
from tests.factories import make_user


def admin_url(model, view, *args):
    """The admin URL of a model's view (changelist, add, change…)."""
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def rendered_form_data(response):
    """The POST data a browser would send back from an admin change page."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if (
                value is not None
                and value is not False
                and not field.field.widget.needs_multipart_form
            ):
                data[field.html_name] = value
                if field.field.show_hidden_initial:
                    data[field.html_initial_name] = value
    return data


def make_staff(agency_slug=None, group=None, permissions=(), **user_fields):
    """A staff member in the group, with the permissions ("app.codename"), and a
    member of the agency (by slug)."""
    user = make_user(is_staff=True, **user_fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    if agency_slug:
        Agency.objects.get(slug=agency_slug).members.add(user)
    return user


def make_curator(agency_slug):
    """A "Kurator gerai" of the agency's outlets."""
    return make_staff(agency_slug, group=CURATOR)


def make_verifier():
    """A "Verifikator" of businesses and products."""
    return make_staff(group=VERIFIER)
