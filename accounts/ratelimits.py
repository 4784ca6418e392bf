"""Rate limits on the account pages that send an email or check a password, kept in
the cache by django-ratelimit (settings.ACCOUNT_RATE_LIMITS, README "Accounts and
security").

- sign-up, new confirmation link and password reset: per visitor IP address (the one
  client_ip() finds behind TRUSTED_PROXIES) and, for the last two, per address typed,
  so nobody floods an inbox or the mail server;
- sign-in: failed sign-ins per IP address, whatever the account, so one address
  cannot try one password on many accounts (password spraying). django-axes locks one
  email address on one IP address after AXES_FAILURE_LIMIT failures; its IP-only
  lockout parameter cannot have a limit of its own, and a successful sign-in would
  reset it (AXES_RESET_ON_SUCCESS resets every attempt matching any parameter),
  so the IP rule lives here.

The limits fail open: when the cache cannot be reached (FailSoftRedisCache skips
writes and incr() raises CacheUnavailable) nothing is limited, and an unexpected
error of the cache is logged and ignored rather than answering 500. The sign-in
lockout of django-axes, in the database, still holds then.
"""

import logging

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


def visitor_ip(group, request):
    """The key of the per-IP limits: the visitor's own address."""
    from .views import client_ip

    return client_ip(request) or ""


def over_limit(request, rule, value=None, increment=True):
    """Whether the request goes over the limit `rule` of ACCOUNT_RATE_LIMITS (a
    "<count>/<period>" rate), counted per IP address, or per `value` (e.g. the
    normalised email address) when one is given; counts this request unless
    increment is False. False when the cache fails (fail open)."""
    rate = settings.ACCOUNT_RATE_LIMITS.get(rule)
    if not rate:
        return False
    key = visitor_ip if value is None else (lambda group, request: value)
    try:
        usage = get_usage(
            request,
            group=f"accounts.{rule}",
            key=key,
            rate=rate,
            method=get_usage.ALL,
            increment=increment,
        )
    except Exception:
        logger.exception("Rate limit %s could not be checked; not limiting", rule)
        return False
    if not usage:
        return False
    if not increment:
        # Asked before the attempt: the limit is how many may be made.
        return usage["count"] >= usage["limit"]
    return usage["should_limit"]


def over_any_limit(request, rules):
    """Count the request against every (rule, value) pair of `rules` and say
    whether it went over any of them (each is counted, so the first over does not
    hide the others)."""
    results = [over_limit(request, rule, value) for rule, value in rules]
    return any(results)


class SignInRateLimitBackend:
    """First of AUTHENTICATION_BACKENDS: refuses, before any password is checked,
    a sign-in from an IP address with too many failed sign-ins (rule
    "login_failures_ip"); the sign-in page then answers 429. Signs nobody in, and
    has no get_user(): force_login() and sessions use the next backends."""

    def authenticate(self, request, **credentials):
        if request is None:
            return None
        if over_limit(request, "login_failures_ip", increment=False):
            request.sign_in_rate_limited = True
            raise PermissionDenied("Too many failed sign-ins from this IP address")
        return None


@receiver(user_login_failed, dispatch_uid="accounts.count_failed_sign_in")
def count_failed_sign_in(sender, credentials, request=None, **kwargs):
    """Each failed sign-in counts towards the IP address's limit."""
    if request is not None:
        over_limit(request, "login_failures_ip")
