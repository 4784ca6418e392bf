"""The site's own 403 pages: a refused page (handler403) and a form whose CSRF token
failed (CSRF_FAILURE_VIEW), in the site's layout and language, for one visitor only
(never cached: the page cache, a browser or a proxy must not keep a refusal)."""

from django.shortcuts import render

from serang_umkm.page_cache import private_page


@private_page
def permission_denied(request, exception=None):
    """handler403: the visitor may not see this page."""
    return render(request, "403.html", status=403)


@private_page
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent from a page left open too long (its token
    expired with the session) or from a browser that blocks cookies."""
    return render(request, "403_csrf.html", status=403)
