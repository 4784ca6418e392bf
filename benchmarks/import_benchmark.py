"""Time of importing the agency's register as the Dinas keeps it, the way staff do
it in the admin: an upload becomes an import job, its preview (a dry run listing
every row error) and, once confirmed, its import run as the background tasks run
them (products/imports.py run_preview and run_commit), with "data register Dinas:
langsung terverifikasi" on, so every imported business is verified through the
decision path.

The register is tests/messy_register.py's: --businesses businesses on a sheet with
titles, a merged two-level header, numbers stored as numbers, placeholder NIBs,
prefixed and mistyped kelurahan, section, totals and signature rows and copied rows,
and --products products on a sheet "PRODUK", 10 % of them for businesses without
an NIB. Nobody edits it: every valid row must go in.

On a throwaway SQLite database, and with DATABASE_URL naming a PostgreSQL server on
a database of its own there (gerai_import_bench, dropped afterwards), never on the
named database. Times exclude starting Django and building the register.

    .venv/bin/python benchmarks/import_benchmark.py --businesses 2000 --products 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/import_benchmark.py      # 10,000 + 10,000
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_DATABASE = "gerai_import_bench"
STAFF_EMAIL = "staf.import@serangkota.go.id"

# Run by `manage.py shell` on the benchmark's database; prints one JSON line.
STEPS = """
import json, time
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, reset_queries
from accounts.models import User
from products import imports
from products.models import Business, ImportJob, Product
from tests.messy_register import build_register

started = time.monotonic()
register = build_register(businesses={businesses}, products={products}, seed=11)
built = time.monotonic() - started
user = User.objects.get(email="{email}")
report = {{"build_seconds": built, "bytes": len(register.content)}}
for kind in ("businesses", "products"):
    upload = SimpleUploadedFile("DATA UMKM 2025.xlsx", register.content)
    job = imports.create_job(kind, upload, "xlsx", user, verify_businesses=True)
    started = time.monotonic()
    imports.run_preview(job.pk)
    preview_seconds = time.monotonic() - started
    job.refresh_from_db()
    assert job.may_be_confirmed, job.preview.get("errors", [])[:3]
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CONFIRMED)
    started = time.monotonic()
    imports.run_commit(job.pk)
    commit_seconds = time.monotonic() - started
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED, job.message
    expected = register.businesses if kind == "businesses" else register.products
    report[kind] = {{
        "preview_seconds": preview_seconds,
        "commit_seconds": commit_seconds,
        "rows": job.result["rows"],
        "new": job.result["new"],
        "invalid": job.result["invalid"],
        "valid_expected": len(expected("valid")),
        "invalid_expected": len(expected("invalid")),
        "verified": job.result.get("verified", 0),
    }}
report["businesses_stored"] = Business.objects.count()
report["businesses_verified"] = Business.objects.filter(status="verified").count()
report["products_stored"] = Product.objects.count()
print("REPORT " + json.dumps(report))
"""


def run(*args, env, capture=False):
    finished = subprocess.run(
        args, cwd=BASE_DIR, env=env, capture_output=capture, text=True
    )
    if finished.returncode:
        output = (finished.stdout or "") + (finished.stderr or "")
        raise SystemExit(f"{args[:3]} failed:\n{output[-4000:]}")
    return finished


def postgres_server():
    """Connection settings of the PostgreSQL server DATABASE_URL names, if any."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    config = dj_database_url.parse(url)
    return {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"] or "postgres",
        "password": config["PASSWORD"] or "",
    }


def postgres_database(server, create):
    """Create (or drop) the benchmark's own database on the server."""
    import psycopg2

    connection = psycopg2.connect(dbname="postgres", **server)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
        if create:
            cursor.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    connection.close()
    password = f":{server['password']}" if server["password"] else ""
    return (
        f"postgres://{server['user']}{password}@{server['host']}:{server['port']}"
        f"/{PG_DATABASE}"
    )


def benchmark(label, database_url, work, options):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": str(work / "media"),
        "PRIVATE_MEDIA_ROOT": str(work / "private"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SUPERUSER_EMAIL": STAFF_EMAIL,
        "DJANGO_SUPERUSER_PASSWORD": "benchmark-only-password",
        "DJANGO_SUPERUSER_FULL_NAME": "Staf Import",
        # The tasks run here, in this process, as the worker would run them.
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }
    run(PYTHON, "manage.py", "migrate", "--no-input", "-v0", env=env)
    run(PYTHON, "manage.py", "createsuperuser", "--no-input", env=env)
    script = STEPS.format(
        businesses=options.businesses, products=options.products, email=STAFF_EMAIL
    )
    output = run(
        PYTHON, "manage.py", "shell", "-c", script, env=env, capture=True
    ).stdout
    report = json.loads(output.split("REPORT ", 1)[1])
    print(f"\n### {label}\n")
    print(
        f"Register: {options.businesses:,} businesses + {options.products:,} "
        f"products ({report['bytes']:,} bytes, built in "
        f"{report['build_seconds']:.1f} s).\n"
    )
    print(
        "| sheet | preview s | import s | rows | imported | with errors | "
        "valid rows expected | rows with errors expected | verified |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind in ("businesses", "products"):
        step = report[kind]
        print(
            f"| {kind} | {step['preview_seconds']:.1f} | {step['commit_seconds']:.1f} "
            f"| {step['rows']:,} | {step['new']:,} | {step['invalid']:,} "
            f"| {step['valid_expected']:,} | {step['invalid_expected']:,} "
            f"| {step['verified']:,} |"
        )
    print(
        f"\nStored: {report['businesses_stored']:,} businesses "
        f"({report['businesses_verified']:,} verified), "
        f"{report['products_stored']:,} products."
    )
    for kind in ("businesses", "products"):
        step = report[kind]
        if step["new"] != step["valid_expected"]:
            raise SystemExit(f"{kind}: not every valid row went in")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--skip-sqlite", action="store_true")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="gerai-import-bench-"))
    if not options.skip_sqlite:
        benchmark("SQLite", f"sqlite:///{work / 'bench.sqlite3'}", work, options)
    server = postgres_server()
    if server:
        try:
            url = postgres_database(server, create=True)
            benchmark("PostgreSQL", url, work, options)
        finally:
            postgres_database(server, create=False)


if __name__ == "__main__":
    main()
