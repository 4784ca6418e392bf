"""What residents see when a service fails under load: Redis stopped, PostgreSQL
restarted, a mail server that hangs.

Loads the city-scale demo catalogue into a PostgreSQL database of its own (as
http_benchmark.py does), starts a Redis server of its own on a free port, gunicorn (2
workers, production settings, the fail-soft Redis cache) and, for the mail fault, a
db_worker. Load comes from wrk (a mix of public pages, for throughput and 5xx counts)
and from a prober that records every response's time and status (for the error
window and the time to recover).

    .venv/bin/python benchmarks/fault_benchmark.py           # ~4 minutes + loading
    .venv/bin/python benchmarks/fault_benchmark.py --reuse   # keep the loaded data

It restarts the machine's PostgreSQL cluster (pg_ctlcluster) twice: run it when
nothing else uses that server. Needs Debian's wrk and redis-server.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

from city_data import (
    BASE_DIR,
    PYTHON,
    RedisServer,
    load_city_data,
    production_env,
    run,
)
from http_benchmark import sample_paths, wait_for_server

PORT = 8021
# The page generation's key in Redis (Django's key prefix and version, then
# serang_umkm.page_cache.GENERATION_KEY).
GENERATION_KEY = ":1:public-pages:generation"


class HangingSmtp:
    """Accepts connections and never answers, like a mail server that hung."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:
                return


class Gunicorn:
    def __init__(self, env, workers=2):
        self.env = env
        self.workers = workers
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "serang_umkm.wsgi"]
            + ["--workers", str(self.workers), "--bind", f"127.0.0.1:{PORT}"]
            + ["--log-level", "warning", "--timeout", "30"],
            cwd=BASE_DIR,
            env=self.env,
        )
        wait_for_server(f"http://127.0.0.1:{PORT}/healthz")
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(paths, duration, connections=16):
    """wrk over the paths in turn: (requests/s, non-2xx/3xx responses, socket
    errors)."""
    script = Path(tempfile.gettempdir()) / "gerai-fault-mix.lua"
    quoted = ", ".join(f'"{path}"' for path in paths)
    script.write_text(
        f"paths = {{{quoted}}}\ncounter = 0\n"
        "request = function()\n  counter = counter + 1\n"
        "  return wrk.format('GET', paths[(counter % #paths) + 1],\n"
        "    {['Accept-Encoding'] = 'gzip'})\nend\n"
    )
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", str(script)]
        + [f"http://127.0.0.1:{PORT}/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: (.*)", output)
    return rate, int(bad.group(1)) if bad else 0, sockets.group(1) if sockets else ""


class Prober:
    """Threads requesting the paths in turn, each response noted as (time, ok)."""

    def __init__(self, paths, threads=2):
        self.paths = paths
        self.records = []
        self.stale = 0  # pages served as last rendered, rendering having failed
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self.loop, args=(i,), daemon=True)
            for i in range(threads)
        ]

    def loop(self, offset):
        connection = HTTPConnection("127.0.0.1", PORT, timeout=35)
        counter = offset
        while not self.stopping.is_set():
            path = self.paths[counter % len(self.paths)]
            counter += 1
            started = time.monotonic()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("X-Page-Cache") == "stale":
                    self.stale += 1
            except OSError:
                status = 0
                connection.close()
                connection = HTTPConnection("127.0.0.1", PORT, timeout=35)
            self.records.append((started, status))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def summary(self, fault_ended):
        """(responses, failures, error window s, recovery s after the fault ended)."""
        failures = [t for t, status in self.records if not 200 <= status < 400]
        if not failures:
            return len(self.records), 0, 0.0, 0.0
        last_failure = max(failures)
        after = [t for t, status in self.records if t > last_failure]
        recovered = min(after) if after else float("nan")
        return (
            len(self.records),
            len(failures),
            last_failure - min(failures),
            max(0.0, recovered - fault_ended),
        )


def in_background(seconds, action):
    """Run action after seconds, in a thread; returns the thread."""

    def later():
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=later)
    thread.start()
    return thread


def redis_fault(env, paths, redis, rounds=2, seconds=10):
    print("\n### Redis stopped for 5 s under load (page cache on)\n")
    with Gunicorn(env):
        wrk(paths, 3)  # warm the page cache
        cached_rate, _, _ = wrk(paths, 8)
        times = {}

        def stop():
            times["stopped"] = time.monotonic()
            redis.stop()

        with Prober(paths) as prober:
            in_background(2, stop).join()
            _, down_bad, down_sockets = wrk(paths, 5)
            redis.start()
            times["started"] = time.monotonic()
            time.sleep(3)
        after_rate, after_bad, _ = wrk(paths, 8)
    responses, failures, window, _ = prober.summary(times["started"])

    # Throughput while Redis is down against rendering every page with the page cache
    # off, alternately (this machine is noisy), over longer runs.
    down_rates, uncached_rates = [], []
    for _ in range(rounds):
        with Gunicorn({**env, "PUBLIC_PAGE_CACHE_SECONDS": "0"}):
            wrk(paths, 2)
            uncached_rates.append(wrk(paths, seconds)[0])
        with Gunicorn(env):
            wrk(paths, 2)
            redis.stop()
            try:
                rate, bad, _ = wrk(paths, seconds)
            finally:
                redis.start()
            down_rates.append(rate)
            down_bad += bad
    down_rate = sum(down_rates) / rounds
    uncached_rate = sum(uncached_rates) / rounds

    print("| measure | value |")
    print("| --- | ---: |")
    print(f"| 5xx or failed responses while Redis was down (wrk) | {down_bad} |")
    print(f"| failed responses seen by the prober (of {responses}) | {failures} |")
    print(f"| error window | {window:.1f} s |")
    print(f"| req/s with the page cache (Redis up) | {cached_rate:,.0f} |")
    print(f"| req/s after Redis is back | {after_rate:,.0f} ({after_bad} errors) |")
    print(
        f"| req/s while Redis is down ({rounds} × {seconds} s) | "
        + ", ".join(f"{rate:,.0f}" for rate in down_rates)
        + " |"
    )
    print(
        f"| req/s rendering every page, cache off ({rounds} × {seconds} s) | "
        + ", ".join(f"{rate:,.0f}" for rate in uncached_rates)
        + " |"
    )
    print(f"| down / uncached (means) | {down_rate / uncached_rate:.2f} |")
    if down_sockets:
        print(f"| wrk socket errors while down | {down_sockets} |")


def postgres_restart(env, paths, redis, page_cache):
    if page_cache:
        print("\n### PostgreSQL restarted under load, page cache on (as deployed), and")
        print("### an edit every 0.25 s throughout, so cached pages keep going stale\n")
    else:
        print("\n### PostgreSQL restarted under load, page cache off (every request")
        print("### reads the database)\n")
    cluster = os.listdir("/etc/postgresql")[0]
    times = {}

    def edits():
        """Owners' edits, every 0.25 s from before the restart to a second after:
        each makes every cached page stale, so pages must be rendered again."""
        while "up" not in times or time.monotonic() < times["up"] + 1:
            subprocess.run(
                ["redis-cli", "-p", str(redis.port), "INCR", GENERATION_KEY],
                capture_output=True,
                check=True,
            )
            time.sleep(0.25)

    def restart():
        if page_cache:
            editor = threading.Thread(target=edits)
            editor.start()
            time.sleep(0.5)
        times["stopping"] = time.monotonic()
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
            check=True,
        )
        while subprocess.run(
            ["pg_isready", "-q", "-h", "127.0.0.1"], check=False
        ).returncode:
            time.sleep(0.05)
        times["up"] = time.monotonic()
        if page_cache:
            editor.join()

    with Gunicorn({**env, "PUBLIC_PAGE_CACHE_SECONDS": "600" if page_cache else "0"}):
        wrk(paths, 3)
        with Prober(paths) as prober:
            restarter = in_background(3, restart)
            rate, bad, sockets = wrk(paths, 12)
            restarter.join()
            time.sleep(1)
        after_rate, after_bad, _ = wrk(paths, 5)
    responses, failures, window, recovery = prober.summary(times["up"])
    print("| measure | value |")
    print("| --- | ---: |")
    down = times["up"] - times["stopping"]
    print(f"| PostgreSQL down (restart until pg_isready) | {down:.1f} s |")
    print(f"| 5xx or failed responses during the run (wrk) | {bad} |")
    print(f"| failed responses seen by the prober (of {responses}) | {failures} |")
    print(f"| error window (first to last failure) | {window:.1f} s |")
    print(f"| pages served as last rendered (prober) | {prober.stale} |")
    print(f"| recovery after PostgreSQL answered | {recovery:.2f} s |")
    print(f"| req/s over the run | {rate:,.0f} |")
    print(
        f"| req/s afterwards, same gunicorn | {after_rate:,.0f} ({after_bad} errors) |"
    )


def sign_up(number):
    """Sign up one owner through the real form: (seconds, status of the POST)."""
    connection = HTTPConnection("127.0.0.1", PORT, timeout=35)
    connection.request("GET", "/akun/daftar/")
    page = connection.getresponse()
    body = page.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "full_name": f"Pemilik Uji {number}",
            "email": f"uji{number}-{time.time_ns()}@example.com",
            "whatsapp": f"0812{number:08d}",
            "password1": "kopi-susu-gula-aren",
            "password2": "kopi-susu-gula-aren",
        }
    )
    started = time.monotonic()
    connection.request(
        "POST",
        "/akun/daftar/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
        },
    )
    response = connection.getresponse()
    response.read()
    return time.monotonic() - started, response.status


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def smtp_hang(env, paths, signups):
    print("\n### The mail server hangs (accepts, never answers) while owners sign up\n")
    smtp = HangingSmtp()
    mail_env = {
        **env,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "10",
    }
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"],
        cwd=BASE_DIR,
        env=mail_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with Gunicorn(mail_env), Prober(paths) as prober:
            results = []
            threads = [
                threading.Thread(
                    target=lambda offset=offset: results.extend(
                        sign_up(n) for n in range(offset, signups, 2)
                    )
                )
                for offset in range(2)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    seconds = [s for s, _ in results]
    redirected = sum(1 for _, status in results if status == 302)
    print("| measure | value |")
    print("| --- | ---: |")
    print(f"| sign-ups answered with the inbox page | {redirected} of {len(results)} |")
    print(f"| sign-up POST p50 | {percentile(seconds, 0.5) * 1000:.0f} ms |")
    print(f"| sign-up POST p99 | {percentile(seconds, 0.99) * 1000:.0f} ms |")
    responses, failures, _, _ = prober.summary(time.monotonic())
    print(f"| pages requested meanwhile, failed | {responses}, {failures} |")
    print(
        f"| connections the worker opened to the hung server | {len(smtp.accepted)} |"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument("--database", default="gerai_bench")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded data")
    parser.add_argument("--signups", type=int, default=40)
    parser.add_argument(
        "--only", choices=["redis", "postgres", "smtp"], action="append"
    )
    options = parser.parse_args()
    for tool in ("wrk", "redis-server", "redis-cli"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install wrk redis-server")

    work = Path(tempfile.mkdtemp(prefix="gerai-fault-"))
    redis = RedisServer(work)
    redis.start()
    env = production_env(
        options.database,
        work,
        LOG_LEVEL="CRITICAL",
        CACHE_BACKEND="serang_umkm.cache.FailSoftRedisCache",
        CACHE_LOCATION=f"redis://127.0.0.1:{redis.port}/0",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    try:
        if not options.reuse:
            load_city_data(options.database, options.businesses, env)
        run(PYTHON, "manage.py", "collectstatic", "--no-input", "-v0", env=env)
        paths = [path for _, path in sample_paths(options.database)[1:]]
        paths += ["/produk/?q=emping", "/produk/?q=dodool", "/produk/?page=3"]
        print(f"Mix of {len(paths)} public pages; wrk -t2 -c16; gunicorn 2 workers")
        only = options.only or ["redis", "postgres", "smtp"]
        if "redis" in only:
            redis_fault(env, paths, redis)
        if "postgres" in only:
            postgres_restart(env, paths, redis, page_cache=True)
            postgres_restart(env, paths, redis, page_cache=False)
        if "smtp" in only:
            smtp_hang(env, paths, options.signups)
    finally:
        if redis.process.poll() is None:
            redis.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
