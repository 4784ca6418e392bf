"""What operators see: a request id on every response and log line, JSON logs, and
the readiness probe.

- RequestIdMiddleware takes the id nginx (or the load balancer) sent in X-Request-ID,
  or makes one, answers with it, and notes it for the log lines of the request, so
  one resident's failing request can be followed from the proxy's log to the app's.
- LOG_FORMAT=json makes every log line one JSON object (JsonFormatter).
- /readyz (ready) checks what a host needs to serve everything: the database, the
  cache, the media storage and a worker taking the task queue; it answers 503 naming
  what failed. /healthz stays the liveness probe: the process answers.
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

request_id = contextvars.ContextVar("request_id", default="-")

# What an id from the proxy may look like (nginx's $request_id is 32 hex digits);
# anything else is replaced, so a visitor cannot write into the logs.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that responses from the page cache carry it too."""

    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get(self.header, "")
        current = sent if VALID_REQUEST_ID.match(sent) else uuid.uuid4().hex
        token = request_id.set(current)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[self.header] = current
        return response


class RequestIdFilter(logging.Filter):
    """Gives every log record the id of the request it was logged in ("-" outside
    requests: the worker, commands)."""

    def filter(self, record):
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and the
    traceback when there is one."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# Readiness


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache():
    """The cache answers (a fail-soft cache is asked directly: it would hide it)."""
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()
        return
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, 1, 10)
    if cache.get(key) != 1:
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def check_storage():
    """The media storage answers (a missing file is fine; an error is not)."""
    default_storage.exists("readyz-probe")


def check_tasks():
    """A worker takes the queue: nothing due has waited longer than
    READYZ_MAX_TASK_WAIT seconds."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    if not isinstance(task_backends["default"], DatabaseBackend):
        return
    now = timezone.now()
    limit = now - timedelta(seconds=settings.READYZ_MAX_TASK_WAIT)
    # Due since it was queued, or since the time it was deferred to (a retry).
    overdue = DBTaskResult.objects.ready().filter(
        Q(run_after=get_date_max(), enqueued_at__lt=limit) | Q(run_after__lt=limit)
    )
    if count := overdue.count():
        raise RuntimeError(
            f"{count} due tasks have waited over {settings.READYZ_MAX_TASK_WAIT} s: "
            "is a db_worker running?"
        )


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "tasks": check_tasks,
}


@never_cache
def ready(request):
    """Readiness probe: 200 when every check passes, else 503; the JSON body names
    each check, its time in ms and, when it failed, why."""
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"}
            logging.getLogger(__name__).warning("Not ready: %s: %s", name, error)
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    ok = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ready" if ok else "unavailable", "checks": results},
        status=200 if ok else 503,
    )
