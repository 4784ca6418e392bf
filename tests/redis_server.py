"""A redis-server of a test's own (Debian's), on a free loopback port."""

import shutil
import socket
import subprocess
import time

import pytest
import redis


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server process that keeps nothing on disk."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def pause(self, milliseconds):
        """Keep every client waiting (the server looks hung) for this long."""
        redis.Redis(port=self.port).execute_command("CLIENT", "PAUSE", milliseconds)


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of the test's own, stopped after it (skips without one)."""
    if shutil.which("redis-server") is None:
        pytest.skip("Debian's redis-server is needed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def use_fail_soft_redis(settings, monkeypatch, server):
    """The fail-soft Redis cache of production on the server; a failing server is
    tried again at once (not after a second), so that tests need not wait."""
    from serang_umkm import cache as fail_soft

    settings.CACHES = {
        "default": {
            "BACKEND": "serang_umkm.cache.FailSoftRedisCache",
            "LOCATION": server.url,
        }
    }
    monkeypatch.setattr(fail_soft, "RETRY_SECONDS", 0)
    monkeypatch.setattr(fail_soft, "_outages", {})
