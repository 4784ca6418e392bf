"""Requests no browser of the site's sends, answered without a server error.

HostileInputMiddleware refuses a NUL byte in the path or in any GET or POST name
or value (PostgreSQL cannot store or compare text holding one, so any lookup with
it would be a 500), and redirects a path holding repeated slashes ("//evil.example/")
to its single-slash form, so that no link built from the path (canonical, og:url,
hreflang, language switch) is a protocol-relative URL to another host.

GuardedChangeList makes the admin's changelists (every ModelAdmin's, third-party
ones included: guard_admin_changelists) treat a lookup that cannot be run, such as
a year out of range, as an invalid lookup: Django then redirects to "?e=1"."""

import re

from django.contrib.admin import ModelAdmin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import BadRequest, EmptyResultSet, FullResultSet
from django.http import HttpResponsePermanentRedirect, QueryDict
from django.utils.encoding import escape_uri_path

# A slash followed by more slashes or backslashes (browsers read "\" as "/").
REPEATED_SLASHES = re.compile(r"/[/\\]+")
# Lookups whose value the database parses and may refuse (a broken pattern).
PARSED_LOOKUPS = ("__regex", "__iregex")


def has_nul(querydict):
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in querydict.lists()
    )


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if REPEATED_SLASHES.search(request.path):
            location = escape_uri_path(REPEATED_SLASHES.sub("/", request.path))
            if request.META.get("QUERY_STRING"):
                location += "?" + request.META["QUERY_STRING"]
            return HttpResponsePermanentRedirect(location)
        if "\x00" in request.path or has_nul(request.GET):
            raise BadRequest("NUL byte in the request's address")
        if request.method == "POST" and has_nul(self.form_data(request)):
            raise BadRequest("NUL byte in the request's form data")
        return self.get_response(request)

    @staticmethod
    def form_data(request):
        try:
            return request.POST
        except OSError:
            # A connection broken while the body was read: CsrfViewMiddleware
            # answers it as it does without this middleware.
            return QueryDict()


class GuardedChangeList(ChangeList):
    """A changelist whose lookups that cannot be run are invalid lookups."""

    def get_queryset(self, request, exclude_parameters=None):
        if any(key.endswith(PARSED_LOOKUPS) for key in request.GET):
            raise IncorrectLookupParameters("Pattern lookups are not offered.")
        try:
            # The date hierarchy's bounds of a year such as 9999 or 10**20.
            queryset = super().get_queryset(request, exclude_parameters)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error
        try:
            # Lookups that fail only once compiled, such as "created_at__year=-1".
            queryset.query.get_compiler(queryset.db).as_sql()
        except (EmptyResultSet, FullResultSet):
            pass
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset


def guarded_get_changelist(model_admin, request, **kwargs):
    return GuardedChangeList


def guard_admin_changelists():
    """Every ModelAdmin that does not choose its own changelist gets the guarded
    one (called once, when the apps are ready)."""
    if ModelAdmin.get_changelist is not guarded_get_changelist:
        ModelAdmin.get_changelist = guarded_get_changelist
