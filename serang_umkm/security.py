"""Security headers Django does not send by itself, and /.well-known/security.txt.

The Content-Security-Policy itself comes from django-csp (CONTENT_SECURITY_POLICY in
settings); media_origins() names the hosts its img-src allows for uploaded photos.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

# The openstreetmap.org tiles drawn by static/js/outlet-map.js.
MAP_TILE_ORIGIN = "https://tile.openstreetmap.org"


def origin_of(url):
    """scheme://host[:port] of an absolute URL, or "" for a relative one."""
    parts = urlsplit(url or "")
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def media_origins(media_url, bucket="", s3_options=None):
    """The origins uploaded photos are served from when they are not on this host:
    an absolute MEDIA_URL, and the S3 bucket's CDN (custom_domain), endpoint (path
    style, as django-storages addresses a custom endpoint) or AWS's own host."""
    options = s3_options or {}
    origins = [origin_of(media_url)]
    if options.get("custom_domain"):
        origins.append(f"https://{options['custom_domain']}")
    elif options.get("endpoint_url"):
        origins.append(origin_of(options["endpoint_url"]))
    elif bucket:
        origins.append(f"https://{bucket}.s3.amazonaws.com")
        if options.get("region_name"):
            origins.append(
                f"https://{bucket}.s3.{options['region_name']}.amazonaws.com"
            )
    return list(dict.fromkeys(origin for origin in origins if origin))


class PermissionsPolicyMiddleware:
    """Permissions-Policy (settings.PERMISSIONS_POLICY) and
    Cross-Origin-Resource-Policy (settings.CROSS_ORIGIN_RESOURCE_POLICY) on every
    response, cached pages included (it sits outside the page cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        resource_policy = getattr(settings, "CROSS_ORIGIN_RESOURCE_POLICY", "")
        if resource_policy:
            response.headers.setdefault("Cross-Origin-Resource-Policy", resource_policy)
        return response


@require_GET
def security_txt(request):
    """RFC 9116: whom to tell about a vulnerability. Expires a year from now, so the
    file never goes stale; Canonical names this host's own address of it."""
    contact = settings.SECURITY_CONTACT
    expires = (timezone.now() + datetime.timedelta(days=365)).replace(microsecond=0)
    canonical = request.build_absolute_uri("/.well-known/security.txt")
    lines = [
        f"Contact: {contact}",
        f"Expires: {expires.astimezone(datetime.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: id, en",
        f"Canonical: {canonical}",
    ]
    response = HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
