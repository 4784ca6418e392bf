"""What operators see: the readiness probe names what failed, every response and log
line carries a request id, logs can be JSON, and errors reach Sentry when it is
configured."""

import gzip
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from botocore.config import Config
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.tasks import send_queued_email
from serang_umkm import observability
from serang_umkm.observability import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_ready_when_everything_answers(client):
    """With the database, cache, storage and tasks all answering, the readiness probe
    says "ready", lists each check as passing, and is never cached."""
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "cache", "storage", "tasks"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-store" in response["Cache-Control"]


def test_an_unreachable_cache_makes_the_host_unready_and_says_so(client, settings):
    """Pages still render without Redis (fail-soft), but the probe tells the
    operator: 503, naming the cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "serang_umkm.cache.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"]["ok"] is False
    assert "ConnectionError" in checks["cache"]["error"]
    assert checks["database"]["ok"] and checks["storage"]["ok"]
    assert client.get("/").status_code == 200


def test_a_queue_no_worker_takes_makes_the_host_unready(client, settings):
    """A task due for longer than READYZ_MAX_TASK_WAIT means no db_worker runs."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.READYZ_MAX_TASK_WAIT = 300
    send_queued_email.enqueue(0)
    assert client.get("/readyz").status_code == 200

    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=6))
    response = client.get("/readyz")

    assert response.status_code == 503
    assert "db_worker" in response.json()["checks"]["tasks"]["error"]


def test_an_unreachable_media_storage_makes_the_host_unready(client, settings):
    """The S3 server the photos live on cannot be reached."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "gerai-media",
                "endpoint_url": f"http://127.0.0.1:{closed_port()}",
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "client_config": Config(
                    connect_timeout=1, retries={"total_max_attempts": 1}
                ),
            },
        },
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False
    assert "127.0.0.1" in response.json()["checks"]["storage"]["error"]


def test_every_response_names_its_request(client):
    """The id nginx sends is kept; without one (or with a hostile one) a fresh id is
    made; a page served from the page cache carries its own request's id."""
    from_proxy = client.get("/", HTTP_X_REQUEST_ID="4f9c0a1b2c3d4e5f")
    made = client.get("/")
    hostile = client.get("/", HTTP_X_REQUEST_ID="x\n[ERROR] forged line")

    assert from_proxy["X-Request-ID"] == "4f9c0a1b2c3d4e5f"
    assert len(made["X-Request-ID"]) == 32
    assert "\n" not in hostile["X-Request-ID"]
    assert hostile["X-Request-ID"] != made["X-Request-ID"]


def test_json_log_lines_carry_the_request_id():
    """A JSON log line gives the message with its arguments filled in, its level and the
    id of the request it came from."""
    record = logging.LogRecord(
        "outlets", logging.ERROR, __file__, 1, "Outlet %s is full", ("Cipare",), None
    )
    token = observability.request_id.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        observability.request_id.reset(token)

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "Outlet Cipare is full"
    assert line["level"] == "ERROR"
    assert line["request_id"] == "abc123"


class SentryIngest(BaseHTTPRequestHandler):
    """Stands in for Sentry's ingest endpoint and keeps what it was sent."""

    received = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_an_error_is_sent_to_sentry_when_a_dsn_is_set():
    """With SENTRY_DSN set, an error in a process of the app reaches the Sentry
    endpoint."""
    server = HTTPServer(("127.0.0.1", 0), SentryIngest)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SentryIngest.received.clear()
    dsn = f"http://publickey@127.0.0.1:{server.server_port}/1"
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('products').error('Import failed', "
        "exc_info=ZeroDivisionError('boom')); "
        "import sentry_sdk; sentry_sdk.flush(5)"
    )
    try:
        process = subprocess.run(
            [sys.executable, "-c", script],
            cwd=BASE_DIR,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "serang_umkm.settings",
                "SENTRY_DSN": dsn,
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.shutdown()

    assert process.returncode == 0, process.stderr
    assert SentryIngest.received, "nothing reached the Sentry endpoint"
    path, body = SentryIngest.received[0]
    assert path.startswith("/api/1/")
    assert b"ZeroDivisionError" in body
    assert b"Import failed" in body
