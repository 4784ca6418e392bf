"""Time of the first import of the agency's register with `manage.py import_register`.

Writes a register of --rows businesses (default 10,000) as the agency keeps it: real
kecamatan and kelurahan of Kota Serang typed in any case (some as their code), NIBs
on most rows, WhatsApp numbers in the usual forms, names drawn from the demo words.
Then, on a throwaway SQLite database, it times the command three times: the dry run,
the --commit, and the dry run of the same file again (every row matched, unchanged).
With DATABASE_URL set to a PostgreSQL server it does the same on a database of its
own there (gerai_import_bench, dropped afterwards), never on the named database.
Each time includes starting Django (about a second); peak memory is the child's.

    .venv/bin/python benchmarks/import_benchmark.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/import_benchmark.py --rows 10000
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from outlets.management.demo_data import (  # noqa: E402
    BRANDS,
    KINDS,
    MEN,
    MEN_TITLES,
    STREETS,
    WHATSAPP_PREFIXES,
    WOMEN,
    WOMEN_TITLES,
)

PYTHON = sys.executable
WILAYAH_CSV = BASE_DIR / "products" / "data" / "kota_serang_wilayah.csv"
PG_DATABASE = "gerai_import_bench"
STAFF_EMAIL = "staf.import@serangkota.go.id"
HEADER = [
    "nama_usaha",
    "nib",
    "skala",
    "kecamatan",
    "kelurahan",
    "alamat",
    "whatsapp",
    "deskripsi",
]


def spelled(text, rng):
    """The name as staff type it: mostly as is, sometimes in capitals or lower case,
    with stray spaces."""
    return rng.choice([text, text, text, text.upper(), text.lower(), f" {text} "])


def whatsapp(number, rng):
    """A unique mobile number (by number) in one of the forms staff type."""
    prefix = rng.choice(WHATSAPP_PREFIXES)
    digits = f"{number:08d}"
    return rng.choice(
        [
            f"0{prefix}{digits}",
            f"0{prefix}-{digits[:4]}-{digits[4:]}",
            f"+62 {prefix} {digits[:4]} {digits[4:]}",
            f"62{prefix}{digits}",
        ]
    )


def register_rows(count, seed=2024):
    rng = random.Random(seed)
    with WILAYAH_CSV.open(encoding="utf-8") as wilayah:
        places = list(csv.DictReader(wilayah))
    kinds = list(KINDS)
    numbers = rng.sample(range(10_000_000, 99_999_999), count)
    for index, number in enumerate(numbers):
        place = rng.choice(places)
        if rng.random() < 0.5:
            owner = f"{rng.choice(WOMEN_TITLES)} {rng.choice(WOMEN)}"
        else:
            owner = f"{rng.choice(MEN_TITLES)} {rng.choice(MEN)}"
        kind = rng.choice(kinds)
        name = rng.choice([f"{kind} {owner}", f"{kind} {rng.choice(BRANDS)}"])
        kelurahan = place["kelurahan"]
        if rng.random() < 0.05:
            kelurahan = place["kelurahan_code"]
        yield [
            name,
            f"9120{index:09d}" if rng.random() < 0.7 else "",
            spelled(rng.choices(["mikro", "kecil", "menengah"], [80, 15, 5])[0], rng),
            spelled(place["kecamatan"], rng),
            spelled(kelurahan, rng),
            f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 250)}, "
            f"RT {rng.randint(1, 12):02d}/RW {rng.randint(1, 8):02d}",
            whatsapp(number, rng),
            rng.choice(
                ["", "", f"Membuat {kind.lower()} sejak {rng.randint(1995, 2024)}."]
            ),
        ]


def write_register(path, count):
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows(register_rows(count))


def run(*args, env):
    subprocess.run(args, cwd=BASE_DIR, env=env, check=True)


def timed(*args, env, log):
    """Run a command; its wall time in seconds and peak memory in MB."""
    started = time.monotonic()
    with log.open("w") as output:
        process = subprocess.Popen(
            args, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{log.read_text()[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024


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


def benchmark(label, database_url, register, work):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": str(work / "media"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SUPERUSER_EMAIL": STAFF_EMAIL,
        "DJANGO_SUPERUSER_PASSWORD": "benchmark-only-password",
        "DJANGO_SUPERUSER_FULL_NAME": "Staf Import",
    }
    run(PYTHON, "manage.py", "migrate", "--no-input", "-v0", env=env)
    run(PYTHON, "manage.py", "createsuperuser", "--no-input", env=env)
    command = [
        PYTHON,
        "manage.py",
        "import_register",
        "businesses",
        str(register),
        "--user",
        STAFF_EMAIL,
    ]
    steps = [
        ("dry run", command),
        ("--commit", [*command, "--commit"]),
        ("dry run again (all unchanged)", command),
    ]
    print(f"\n### {label}\n")
    print("| step | seconds | peak MB | command's summary |")
    print("| --- | ---: | ---: | --- |")
    for name, args in steps:
        log = work / f"{label.split()[0].lower()}-{name.split()[0]}.log"
        seconds, megabytes = timed(*args, env=env, log=log)
        summary = log.read_text().strip().splitlines()[-2]
        print(f"| {name} | {seconds:.1f} | {megabytes:.0f} | {summary} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="gerai-import-bench-"))
    register = work / "register.csv"
    write_register(register, options.rows)
    print(f"{options.rows:,} rows in {register} ({register.stat().st_size:,} bytes)")

    benchmark("SQLite", f"sqlite:///{work / 'bench.sqlite3'}", register, work)
    server = postgres_server()
    if server:
        try:
            url = postgres_database(server, create=True)
            benchmark("PostgreSQL", url, register, work)
        finally:
            postgres_database(server, create=False)


if __name__ == "__main__":
    main()
