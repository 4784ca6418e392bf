"""Throughput and latency of the public pages under gunicorn, on city-scale data.

Loads `seed_demo --businesses N` (default 10,000 businesses, about 50,000 products)
into a PostgreSQL database of its own, starts gunicorn (2 workers) with production
settings and measures each page with wrk, next to the trivial /healthz view as the
ceiling of this machine. Pages are measured twice: with the public page cache (as
deployed) and without it (every request renders).

    .venv/bin/python benchmarks/http_benchmark.py            # full run, ~5 minutes
    .venv/bin/python benchmarks/http_benchmark.py --reuse    # skip loading the data

Needs PostgreSQL on 127.0.0.1:5432 (trust auth) and Debian's wrk; uses Redis on
127.0.0.1:6379 as the shared cache when it answers, else per-process memory.
"""

import argparse
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg2
from city_data import BASE_DIR, PYTHON, load_city_data, production_env, run

PORT = 8011


def port_open(port, host="127.0.0.1"):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def sample_paths(database):
    """A public product with photos and the busiest outlet, found in the data."""
    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=database)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT p.slug FROM products_product p
               JOIN products_business b ON b.id = p.business_id
               WHERE p.status = 'approved' AND b.status = 'verified'
               AND EXISTS (SELECT 1 FROM outlets_display d WHERE d.product_id = p.id
                           AND d.status = 'approved')
               ORDER BY p.id LIMIT 1"""
        )
        (product,) = cursor.fetchone()
    connection.close()
    return [
        ("trivial view (/healthz)", "/healthz"),
        ("home", "/"),
        ("product list", "/produk/"),
        ("search dodol", "/produk/?q=dodol"),
        ("product page", f"/produk/{product}/"),
        ("outlet page", "/gerai/iwak-banten/"),
    ]


def wait_for_server(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer at {url}")


def measure(url, duration, connections):
    """requests/s, p50 and p99 latency (ms) from one wrk run."""
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-H",
            "Accept-Encoding: gzip",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{output}")

    def percentile(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return rate, percentile("50"), percentile("99")


def benchmark(env, paths, duration, connections, label):
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "serang_umkm.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        wait_for_server(base + "/healthz")
        rows = []
        for name, path in paths:
            for _ in range(3):  # warm both workers (and the page cache)
                urllib.request.urlopen(base + path, timeout=30).read()
            rows.append((name, path, *measure(base + path, duration, connections)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    ceiling = rows[0][2]
    print(f"\n### {label}\n")
    print("| page | path | req/s | share of trivial | p50 ms | p99 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for name, path, rate, p50, p99 in rows:
        print(
            f"| {name} | `{path}` | {rate:,.0f} | {rate / ceiling:.0%} "
            f"| {p50:.1f} | {p99:.1f} |"
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument("--database", default="gerai_bench")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded data")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    work = Path(tempfile.gettempdir()) / "gerai-bench"
    env = production_env(options.database, work)
    if port_open(6379):
        env["CACHE_BACKEND"] = "serang_umkm.cache.FailSoftRedisCache"
        env["CACHE_LOCATION"] = "redis://127.0.0.1:6379/7"
    if not options.reuse:
        load_city_data(options.database, options.businesses, env)
    run(PYTHON, "manage.py", "collectstatic", "--no-input", "-v0", env=env)

    paths = sample_paths(options.database)
    print(
        f"\nwrk -t2 -c{options.connections} -d{options.duration}s, gunicorn 2 workers, "
        f"cache: {env.get('CACHE_BACKEND', 'local memory').rsplit('.', 1)[-1]}"
    )
    if "CACHE_LOCATION" in env:
        subprocess.run(["redis-cli", "-n", "7", "FLUSHDB"], capture_output=True)
    benchmark(env, paths, options.duration, options.connections, "With the page cache")
    benchmark(
        {**env, "PUBLIC_PAGE_CACHE_SECONDS": "0"},
        paths,
        options.duration,
        options.connections,
        "Without the page cache (every request renders)",
    )


if __name__ == "__main__":
    main()
