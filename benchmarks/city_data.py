"""What the benchmarks share: manage.py run against a PostgreSQL database of their
own, loaded with the city-scale demo catalogue (seed_demo)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(*args, env):
    """Run a command (e.g. PYTHON, "manage.py", …) in the project, or fail."""
    subprocess.run(args, cwd=BASE_DIR, env=env, check=True)


def drop_database(name):
    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def recreate_database(name):
    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def load_city_data(database, businesses, env):
    """Empty the database, migrate it and fill it with seed_demo's businesses (about
    five products each); env must point DATABASE_URL at it."""
    recreate_database(database)
    run(PYTHON, "manage.py", "migrate", "--no-input", "-v0", env=env)
    started = time.monotonic()
    run(
        PYTHON,
        "manage.py",
        "seed_demo",
        "--businesses",
        str(businesses),
        "--force",
        env=env,
    )
    print(f"seed_demo --businesses {businesses}: {time.monotonic() - started:.0f} s")


def free_port():
    """A TCP port nobody listens on, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(database, work, **overrides):
    """The environment of the site as deployed (DEBUG off, production settings)
    against the benchmark's database, with media and collected static files under
    work; overrides add or replace variables."""
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


class RedisServer:
    """A redis-server of the benchmark's own, on a free loopback port, keeping
    nothing on disk."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            if self.cli("ping") == "PONG":
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def cli(self, *args):
        """What redis-cli prints for the command."""
        return subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True
        ).stdout.strip()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
