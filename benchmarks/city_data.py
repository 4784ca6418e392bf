"""What the benchmarks share: manage.py run against a PostgreSQL database of their
own, loaded with the city-scale demo catalogue (seed_demo)."""

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
