"""Helpers for tests that drive the Django admin."""

from django.urls import reverse


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
    return data
