"""What counting costs (issue #16): cached product pages with counting on and off,
and how many increments a second the flush moves from Redis to PostgreSQL.

Uses a PostgreSQL database of its own (`seed_demo --businesses N`, default 10,000
businesses, about 48,000 products), a redis-server of its own on a free loopback
port as the shared cache (serang_umkm.cache.FailSoftRedisCache), production settings
with TRUSTED_PROXIES=1, COUNTS_FLUSH_SECONDS=--flush-seconds (5) and
COUNTS_PUSH_SECONDS as deployed (--push-seconds), and one `manage.py db_worker`
running the flush_counts task all along, as deployed.

Part 1, cached product pages. Two gunicorn servers (2 workers each) run side by side,
one with COUNTS_ENABLED=1 and one with COUNTS_ENABLED=0; the --pages most popular
product pages (mix_benchmark.py's order of popularity) are warmed into the page cache
(a sample is checked for X-Page-Cache: hit), then wrk (benchmarks/counting.lua: a
browser's User-Agent, a new X-Forwarded-For address in 10.0.0.0/8 for every request,
so that every request is a new visitor and increments a count: the worst case) runs
--rounds rounds of --duration s on each server in turn, each after /healthz (the
trivial view, the reference) on the same server. Reported: medians of req/s on and
off, their ratio (target >= 0.95) and each as a share of hello; then one visitor
asking again and again (the window's "seen" key absorbs it). After each run (and
COUNTS_PUSH_SECONDS more, for the counts each process keeps before sending them)
the counts made (the day's hash in Redis plus what the flush added to the tables)
are compared with the countable responses wrk got.

Part 1b, counting's own cost: one process (a `manage.py shell`) serves one of those
pages from the page cache through Django's test Client, 1,500 requests at a time with
counting on (a new visitor each time; then one visitor reloading) and off, in turn,
--rounds + 2 times: the medians of microseconds per request, without the noise of
comparing two servers.

Part 2, the flush. The gunicorn servers stopped, a `manage.py shell` calls
serang_umkm.counting.record() (the same path as a request: kept by the process,
sent in batches by the Lua script) --rate times a second for --load-seconds s, each
time a new visitor, over every public product and verified business (80 % page
views, 10 % WhatsApp taps, 10 % business views: a new row for nearly every count,
the flush's worst case), while the db_worker flushes every --flush-seconds s.
Reported: increments made and added to PostgreSQL per second, each flush's duration
(DBTaskResult started_at to finished_at) and counts, the capacity that implies, the
backlog left in Redis (it must stay bounded) and, once drained, that the tables
gained exactly the increments made.

    .venv/bin/python benchmarks/counting_benchmark.py              # ~4 min + loading
    .venv/bin/python benchmarks/counting_benchmark.py --businesses 2000
    .venv/bin/python benchmarks/counting_benchmark.py --reuse      # keep the data
    .venv/bin/python benchmarks/counting_benchmark.py --database gerai_mix_bench --reuse

With --reuse the data is kept (migrated to this release's schema): the counts are
compared as differences, nothing is deleted. Needs PostgreSQL on 127.0.0.1:5432
(trust auth), redis-server and Debian's wrk. Exits 1 when a count was lost or made
twice (or counted with COUNTS_ENABLED=0), a flush failed, or wrk got more than
--max-errors non-2xx/3xx responses.
"""

import argparse
import datetime
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import psycopg2
import redis
from city_data import (
    BASE_DIR,
    PYTHON,
    RedisServer,
    free_port,
    load_city_data,
    production_env,
    run,
)
from http_benchmark import wait_for_server
from mix_benchmark import PHONE, database_exists
from mix_benchmark import wrk as mix_wrk

LUA = Path(__file__).resolve().parent / "counting.lua"
FLUSH_TASK = "serang_umkm.counting.flush_counts"
# Where each kind of count (serang_umkm.counting.KINDS) is kept: table, column.
COUNTERS = {
    "pv": ("products_productcount", "views"),
    "wa": ("products_productcount", "whatsapp_taps"),
    "bv": ("products_businesscount", "views"),
    "ov": ("outlets_outletcount", "views"),
    "ls": ("outlets_labelscan", "scans"),
    "sm": ("products_searchmiss", "searches"),
}
# The cache's keys (Django's default KEY_PREFIX "" and VERSION 1).
DAY_KEYS = ":1:counts:day:*"
BATCH_KEYS = ":1:counts:batch:*"
# Each wrk run of part 1 has its own 2^20 addresses of 10.0.0.0/8.
ADDRESSES_PER_RUN = 1 << 20

# A shell script (manage.py shell -c): COUNT_RATE calls a second of
# serang_umkm.counting.record() for COUNT_SECONDS s, each from a new visitor (an
# address of 2001:db8::/32), over every public product and verified business.
# Prints READY when it starts and DONE with what it made.
GENERATOR = r"""
import json, os, random, time
from products.models import Business, Product
from serang_umkm import counting

rate = float(os.environ["COUNT_RATE"])
duration = float(os.environ["COUNT_SECONDS"])
products = list(Product.objects.public().values_list("pk", flat=True))
businesses = list(Business.objects.verified().values_list("pk", flat=True))
lost = [0]
report_lost = counting.lost_counts.add

def tally(n, error):  # counts lost to an unreachable (or slow) Redis
    lost[0] += n
    report_lost(n, error)

counting.lost_counts.add = tally
rng = random.Random()
made = {"pv": 0, "wa": 0, "bv": 0}
behind = 0.0
n = 0
print("READY", flush=True)
started = time.monotonic()
while True:
    elapsed = time.monotonic() - started
    if elapsed >= duration:
        break
    due = int(elapsed * rate) + 1
    behind = max(behind, (due - n) / rate)
    while n < due:
        x = rng.random()
        if x < 0.8:
            kind, pk = "pv", rng.choice(products)
        elif x < 0.9:
            kind, pk = "wa", rng.choice(products)
        else:
            kind, pk = "bv", rng.choice(businesses)
        counting.record([f"{kind}:{pk}"], f"2001:db8:{n >> 16:x}:{n & 0xFFFF:x}::1")
        made[kind] += 1
        n += 1
    pause = n / rate - (time.monotonic() - started)
    if pause > 0:
        time.sleep(pause)
# What this process still keeps (counting.py's PendingCounts), sent now.
if hasattr(counting, "push_pending"):
    counting.push_pending()
seconds = time.monotonic() - started
print("DONE " + json.dumps({"made": made, "records": n, "seconds": seconds,
                            "lost": lost[0], "behind": behind}), flush=True)
"""


class Counts:
    """The counts made so far, by kind: added to the tables, and waiting in Redis
    (the day's hashes and batches a flush has moved aside)."""

    def __init__(self, database, redis_port):
        self.db = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=database)
        self.db.autocommit = True
        self.redis = redis.Redis(host="127.0.0.1", port=redis_port)

    def close(self):
        self.db.close()
        self.redis.close()

    def stored(self):
        totals = {}
        with self.db.cursor() as cursor:
            for kind, (table, column) in COUNTERS.items():
                cursor.execute(f'SELECT COALESCE(SUM("{column}"), 0) FROM "{table}"')
                totals[kind] = int(cursor.fetchone()[0])
        return totals

    def pending(self):
        """({kind: n} waiting in Redis, how many batches are set aside)."""
        totals = dict.fromkeys(COUNTERS, 0)
        batches = list(self.redis.scan_iter(match=BATCH_KEYS))
        for key in list(self.redis.scan_iter(match=DAY_KEYS)) + batches:
            for field, value in self.redis.hgetall(key).items():
                kind = field.decode().split(":", 1)[0]
                totals[kind] = totals.get(kind, 0) + int(value)
        return totals, len(batches)

    def settled(self, wait=0.0, tries=50):
        """Every count made ({kind: n}), read while no flush was under way: the
        Redis counts read before and after the tables, alike, and no batch. After
        a run, wait (seconds) for the counts the site's processes still keep
        (COUNTS_PUSH_SECONDS) to reach Redis."""
        time.sleep(wait)
        for _ in range(tries):
            before, batches = self.pending()
            stored = self.stored()
            after, batches_after = self.pending()
            if before == after and not batches and not batches_after:
                return {kind: stored[kind] + before[kind] for kind in COUNTERS}
            time.sleep(0.1)
        raise RuntimeError("the counts did not settle (a flush stuck half-way?)")


def total(counts):
    return sum(counts.values())


def difference(after, before):
    return {kind: after[kind] - before[kind] for kind in COUNTERS}


class Process:
    """A process of the project (gunicorn, db_worker), logging to a file of work,
    stopped on leaving."""

    def __init__(self, command, env, log, url=None):
        self.command, self.env, self.log_path, self.url = command, env, log, url

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            self.command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            if self.url:
                wait_for_server(self.url)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def tail(self, lines=40):
        return "\n".join(Path(self.log_path).read_text().splitlines()[-lines:])


def gunicorn(env, port, log):
    server = Process(
        [PYTHON, "-m", "gunicorn", "serang_umkm.wsgi", "--workers", "2"]
        + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env,
        log,
        url=f"http://127.0.0.1:{port}/healthz",
    )
    server.base = f"http://127.0.0.1:{port}"
    return server


def db_worker(env, log):
    return Process(
        [PYTHON, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
        env,
        log,
    )


def popular_products(database, n, seed=13):
    """The n most popular public product pages, in mix_benchmark.py's order."""
    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=database)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT p.slug FROM products_product p
               JOIN products_business b ON b.id = p.business_id
               WHERE p.status = 'approved' AND b.status = 'verified' ORDER BY p.id"""
        )
        slugs = [slug for (slug,) in cursor.fetchall()]
    connection.close()
    random.Random(seed).shuffle(slugs)
    return [f"/produk/{slug}/" for slug in slugs[:n]]


def fetch(url):
    """The X-Page-Cache state of a page, asked for as urllib (a bot: not counted)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return response.headers.get("X-Page-Cache", "")


def wrk(url, duration, connections, env=None, script=True):
    """mix_benchmark's wrk run with counting.lua (its "COUNT …" line)."""
    return mix_wrk(url, duration, connections, env, script=script, lua=LUA)


class Part1:
    """Cached product pages, counting on and off, with its checks."""

    def __init__(self, options, servers, counts, paths_file):
        self.options, self.servers, self.counts = options, servers, counts
        self.paths_file = paths_file
        self.runs = 0
        self.failures = []
        self.push_wait = float(options.push_seconds) + 1

    def pages(self, label, visitors="new", duration=None):
        """wrk on the product pages of the server `label`, and the counts it made."""
        env = {
            "COUNT_PATHS": str(self.paths_file),
            "COUNT_VISITORS": visitors,
            "COUNT_FIRST_ADDRESS": str(self.runs * ADDRESSES_PER_RUN % (1 << 24)),
        }
        self.runs += 1
        before = self.counts.settled()
        result = wrk(
            self.servers[label].base + "/",
            duration or self.options.duration,
            self.options.connections,
            env,
        )
        made = difference(self.counts.settled(wait=self.push_wait), before)
        result["counted"] = total(made)
        result["counted_kinds"] = {k: v for k, v in made.items() if v}
        return result

    def hello(self, label, duration=None):
        return wrk(
            self.servers[label].base + "/healthz",
            duration or self.options.hello_duration,
            self.options.connections,
            script=False,
        )

    def check_counted(self, label, visitors, result):
        """A new visitor's response counts once (a request wrk cut short at the end
        of the run may have counted without its response: up to one a
        connection); a repeating visitor at most once a page; nothing when off."""
        good, counted = result["good"], result["counted"]
        if label == "off":
            if counted:
                self.failures.append(f"{counted} counts made with COUNTS_ENABLED=0")
            return
        if set(result["counted_kinds"]) - {"pv"}:
            self.failures.append(f"counts of other kinds: {result['counted_kinds']}")
        if visitors == "one":
            if counted > self.options.pages:
                self.failures.append(
                    f"one visitor: {counted} counts for {self.options.pages} pages"
                )
            return
        if counted < good:
            self.failures.append(
                f"LOST: {good - counted} of {good} countable responses not counted"
            )
        elif counted > good + self.options.connections:
            self.failures.append(
                f"DOUBLED: {counted} counts for {good} countable responses"
            )

    def run(self):
        options = self.options
        for label in ("on", "off"):  # load the workers' code, templates, pools
            self.hello(label, duration=2)
            self.pages(label, duration=options.warmup)
        rounds = {"on": [], "off": []}
        for number in range(options.rounds):
            order = ("on", "off") if number % 2 == 0 else ("off", "on")
            for label in order:
                hello = self.hello(label)
                pages = self.pages(label)
                self.check_counted(label, "new", pages)
                rounds[label].append({"hello": hello, "pages": pages})
                print(
                    f"  round {number + 1}, counting {label}: hello "
                    f"{hello['rate']:,.0f} req/s, product pages {pages['rate']:,.0f} "
                    f"req/s ({pages['rate'] / hello['rate']:.1%} of hello), "
                    f"p50 {pages['p50']:.1f} ms, p99 {pages['p99']:.1f} ms, "
                    f"hits {pages['hits']:,}, misses {pages['misses']:,}, "
                    f"responses {pages['good']:,}, counted {pages['counted']:,}",
                    flush=True,
                )
        hello = self.hello("on")
        one = self.pages("on", visitors="one")
        self.check_counted("on", "one", one)
        one["hello"] = hello
        print(
            f"  one visitor again and again, counting on: hello {hello['rate']:,.0f} "
            f"req/s, product pages {one['rate']:,.0f} req/s, responses "
            f"{one['good']:,}, counted {one['counted']:,}",
            flush=True,
        )
        return rounds, one


# A shell script (manage.py shell -c): one process serves a page from the page
# cache again and again through Django's test Client, COUNT_AB_ROUNDS times each
# with counting on (a new visitor each request, then one visitor reloading) and
# off, in turn: counting's own cost per request, without the noise of two
# servers (Part 1's). Prints "AB {json}" with each mode's median microseconds.
IN_PROCESS = r"""
import json, os, statistics, time
from django.conf import settings
from django.test import Client
path = os.environ["COUNT_AB_PATH"]
agent = os.environ["COUNT_AB_AGENT"]
client = Client(HTTP_ACCEPT_ENCODING="gzip", HTTP_USER_AGENT=agent)
for _ in range(50):
    client.get(path, REMOTE_ADDR="198.51.100.1")
assert client.get(path)["X-Page-Cache"] == "hit"
state = {"n": 0}

def run(requests, enabled, new_visitors):
    settings.COUNTS_ENABLED = enabled
    started = time.perf_counter()
    for _ in range(requests):
        state["n"] += 1
        n = state["n"] if new_visitors else 7
        client.get(path, REMOTE_ADDR=f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}")
    return (time.perf_counter() - started) / requests * 1e6

modes = {"on, new visitors": (True, True), "on, one visitor": (True, False),
         "off": (False, True)}
times = {mode: [] for mode in modes}
for _ in range(int(os.environ["COUNT_AB_ROUNDS"])):
    for mode, (enabled, new) in modes.items():
        times[mode].append(run(1500, enabled, new))
print("AB " + json.dumps({mode: statistics.median(t) for mode, t in times.items()}))
"""


def in_process(options, env, path):
    """Counting's cost per request in one process (IN_PROCESS): {mode: µs}."""
    done = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", IN_PROCESS],
        cwd=BASE_DIR,
        env={
            **env,
            "TRUSTED_PROXIES": "0",
            "ALLOWED_HOSTS": env["ALLOWED_HOSTS"] + ",testserver",
            "COUNT_AB_PATH": path,
            "COUNT_AB_AGENT": PHONE,
            "COUNT_AB_ROUNDS": str(options.rounds + 2),
        },
        capture_output=True,
        text=True,
    )
    found = re.search(r"^AB (.*)$", done.stdout, re.M)
    if done.returncode or not found:
        raise RuntimeError(f"in-process measurement failed:\n{done.stderr[-3000:]}")
    return json.loads(found[1])


def report_in_process(times):
    off = times["off"]
    print(
        "\n### Part 1b: counting's own cost, in one process (a page from the page "
        "cache through the test Client, on and off in turn, medians)\n"
    )
    print("| counting | µs per request | off / this |")
    print("| --- | ---: | ---: |")
    for mode, micros in times.items():
        print(f"| {mode} | {micros:,.0f} | {off / micros:.3f} |")
    return off / times["on, new visitors"]


def report_part1(options, rounds, one):
    def median(label, what):
        return statistics.median(r[what]["rate"] for r in rounds[label])

    def share(label):
        return statistics.median(
            r["pages"]["rate"] / r["hello"]["rate"] for r in rounds[label]
        )

    on, off = median("on", "pages"), median("off", "pages")
    ratios = [
        a["pages"]["rate"] / b["pages"]["rate"]
        for a, b in zip(rounds["on"], rounds["off"], strict=True)
    ]
    print(
        f"\n### Part 1: {options.pages} cached product pages, every request a new "
        f"visitor (wrk -t2 -c{options.connections}, {options.rounds} rounds of "
        f"{options.duration} s each, medians)\n"
    )
    print(
        "| counting | hello /healthz req/s | product pages req/s | share of hello "
        "| p50 ms | p99 ms | cache hits | responses | counted |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label in ("on", "off"):
        runs = rounds[label]
        pages = [r["pages"] for r in runs]
        hits = sum(p["hits"] for p in pages)
        looked_up = sum(p["hits"] + p["misses"] + p["other"] for p in pages)
        print(
            f"| {label} | {median(label, 'hello'):,.0f} | "
            f"{median(label, 'pages'):,.0f} | {share(label):.1%} "
            f"| {statistics.median(p['p50'] for p in pages):.1f} "
            f"| {statistics.median(p['p99'] for p in pages):.1f} "
            f"| {hits / looked_up:.1%} | {sum(p['good'] for p in pages):,} "
            f"| {sum(p['counted'] for p in pages):,} |"
        )
    print(
        f"| on, one visitor repeating | {one['hello']['rate']:,.0f} "
        f"| {one['rate']:,.0f} | {one['rate'] / one['hello']['rate']:.1%} "
        f"| {one['p50']:.1f} | {one['p99']:.1f} "
        f"| {one['hits'] / max(1, one['hits'] + one['misses'] + one['other']):.1%} "
        f"| {one['good']:,} | {one['counted']:,} |"
    )
    verdict = "meets" if on / off >= 0.95 else "MISSES"
    print(
        f"\nCounting on / off: {on / off:.3f} (medians; per round "
        f"{', '.join(f'{r:.3f}' for r in ratios)}): {verdict} the target of 0.95. "
        f"Shares of hello: on {share('on'):.1%}, off {share('off'):.1%} "
        f"(ratio {share('on') / share('off'):.3f}). One visitor repeating / off: "
        f"{one['rate'] / off:.3f}."
    )
    return on / off


def flush_results(database, since, until):
    """The flush_counts runs that started in [since, until]: (status, started,
    finished, added, traceback)."""
    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=database)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT status, started_at, finished_at, return_value, traceback
               FROM django_tasks_database_dbtaskresult
               WHERE task_path = %s AND started_at >= %s AND started_at <= %s
               ORDER BY started_at""",
            [FLUSH_TASK, since, until],
        )
        rows = cursor.fetchall()
    connection.close()
    return [
        (
            status,
            started,
            finished,
            (value or {}).get("added", 0) if isinstance(value, dict) else 0,
            traceback,
        )
        for status, started, finished, value, traceback in rows
    ]


class Sampler(threading.Thread):
    """The counts in the tables and waiting in Redis, every half second."""

    def __init__(self, database, redis_port):
        super().__init__(daemon=True)
        self.counts = Counts(database, redis_port)
        self.samples = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            pending, _batches = self.counts.pending()
            self.samples.append(
                (time.monotonic(), total(pending), total(self.counts.stored()))
            )
            self.stopping.wait(0.5)

    def stop(self):
        self.stopping.set()
        self.join()
        self.counts.close()


def part2(options, env, counts, redis_port):
    """The flush under --rate records a second; returns (report lines, failures)."""
    failures = []
    before = counts.settled()
    generator = subprocess.Popen(
        [PYTHON, "manage.py", "shell", "-c", GENERATOR],
        cwd=BASE_DIR,
        env={
            **env,
            "COUNT_RATE": str(options.rate),
            "COUNT_SECONDS": str(options.load_seconds),
        },
        stdout=subprocess.PIPE,
        text=True,
    )
    sampler = Sampler(options.database, redis_port)
    try:
        for line in generator.stdout:  # the shell may say what it imported first
            if line.startswith("READY"):
                break
        else:
            raise RuntimeError("the load generator did not start")
        since = datetime.datetime.now(datetime.UTC)
        sampler.start()
        done = None
        for line in generator.stdout:
            if line.startswith("DONE "):
                done = json.loads(line[5:])
        generator.wait(timeout=60)
        if done is None:
            raise RuntimeError("the load generator failed")
        ended = time.monotonic()
        pending_at_end = total(counts.pending()[0])
        # Drained: nothing left in Redis, neither in the day's hash nor set aside.
        deadline = ended + 3 * options.flush_seconds + 20
        while time.monotonic() < deadline:
            pending, batches = counts.pending()
            if not total(pending) and not batches:
                break
            time.sleep(0.25)
        drained = time.monotonic() - ended
        until = datetime.datetime.now(datetime.UTC)
    finally:
        if generator.poll() is None:
            generator.terminate()
            generator.wait(timeout=10)
        if sampler.is_alive():
            sampler.stop()
    after = counts.settled()
    made = difference(after, before)
    expected = {kind: done["made"].get(kind, 0) for kind in COUNTERS}
    flushes = flush_results(options.database, since, until)

    seconds = done["seconds"]
    increments = done["records"]
    load = [s for s in sampler.samples if s[0] <= ended]
    first, last = load[0], load[-1]
    flushed_during_load = (last[2] - first[2]) / (last[0] - first[0])
    third = max(1, len(load) // 3)
    backlog_first = max(s[1] for s in load[:third])
    backlog_last = max(s[1] for s in load[-third:])
    backlog_max = max(s[1] for s in load)
    ran = [f for f in flushes if f[0] == "SUCCESSFUL" and f[1] and f[2]]
    busy = [f for f in ran if f[3]]
    durations = [(f[2] - f[1]).total_seconds() * 1000 for f in busy]
    added = [f[3] for f in busy]
    period = (
        statistics.median(
            (b[1] - a[1]).total_seconds() for a, b in zip(ran, ran[1:], strict=False)
        )
        if len(ran) > 1
        else float("nan")
    )
    capacity = sum(added) / (sum(durations) / 1000) if durations else 0
    rate = increments / seconds

    lines = [
        f"\n### Part 2: the flush (every {options.flush_seconds} s), "
        f"record() paced to {options.rate:g}/s for {options.load_seconds} s\n",
        f"- increments made: {increments:,} in {seconds:.1f} s = {rate:,.0f}/s "
        f"(at most {done['behind']:.2f} s behind the pace); kinds "
        + ", ".join(f"{k} {v:,}" for k, v in done["made"].items()),
        f"- added to PostgreSQL while the load ran: {flushed_during_load:,.0f}/s",
        f"- flushes: {len(ran)} ran (every {period:.1f} s, median), "
        f"{len(busy)} with counts: median {statistics.median(added):,.0f} counts "
        f"in {statistics.median(durations):,.0f} ms, largest {max(added):,} counts, "
        f"slowest {max(durations):,.0f} ms"
        if busy
        else f"- flushes: {len(ran)} ran, none with counts",
        f"- backlog in Redis while loaded: max {backlog_max:,} "
        f"(first third {backlog_first:,}, last third {backlog_last:,}), "
        f"{pending_at_end:,} when the load ended; drained {drained:.1f} s later",
        "- in the tables after the flush: "
        + ", ".join(f"{k} +{v:,}" for k, v in made.items() if v or expected[k])
        + f" (made: {', '.join(f'{k} {v:,}' for k, v in expected.items() if v)})",
        "",
        f"flush: {rate:,.0f} increments/s sustained over {seconds:.0f} s; each flush "
        f"of ~{statistics.median(added) if added else 0:,.0f} counts took "
        f"{statistics.median(durations) if durations else 0:,.0f} ms "
        f"(capacity ≈ {capacity:,.0f} increments/s)",
    ]
    bounded = backlog_last <= 1.5 * backlog_first + rate
    lines.append(
        f"backlog {'bounded' if bounded else 'GROWING'}; target of 1,000 "
        f"increments/s: "
        + ("met" if rate >= 1000 and bounded and capacity >= 1000 else "NOT met")
    )
    if rate < 1000:
        lines.append(
            "WARNING: the load generator made fewer than 1,000 increments/s "
            "(a busy machine?)"
        )
    if done["lost"]:
        failures.append(
            f"LOST: record() lost {done['lost']:,} counts (Redis unreachable or "
            f"slower than the cache's socket timeout)"
        )
    if made != expected:
        if total(made) > total(expected):
            failures.append(
                f"DOUBLED: {total(made):,} counts for {total(expected):,} made"
            )
        elif total(made) < total(expected) - done["lost"]:
            failures.append(
                f"LOST: {total(expected) - total(made):,} of {total(expected):,} "
                f"counts made never reached the tables"
            )
        elif not done["lost"]:
            failures.append(f"the tables gained {made} for {expected} made")
    if pending_left := total(counts.pending()[0]):
        failures.append(f"{pending_left:,} counts never flushed")
    for status, _started, _finished, _added, traceback in flushes:
        if status == "FAILED":
            failures.append(f"a flush failed:\n{traceback}")
    return lines, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument("--database", default="gerai_count_bench")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded data")
    parser.add_argument("--pages", type=int, default=300, help="product pages")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="s of pages a run")
    parser.add_argument("--hello-duration", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=3, help="s of pages first")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--flush-seconds", type=int, default=5)
    parser.add_argument(
        "--push-seconds",
        default=os.environ.get("COUNTS_PUSH_SECONDS", "1"),
        help="COUNTS_PUSH_SECONDS of the site (default: as deployed)",
    )
    parser.add_argument("--rate", type=float, default=1500, help="records a second")
    parser.add_argument("--load-seconds", type=int, default=40)
    parser.add_argument("--max-errors", type=int, default=5)
    options = parser.parse_args()
    for tool in ("wrk", "redis-server", "redis-cli"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install wrk redis-server")

    work = Path(tempfile.gettempdir()) / "gerai-count"
    work.mkdir(exist_ok=True)
    redis_server = RedisServer(work).start()
    try:
        env = production_env(
            options.database,
            work,
            CACHE_BACKEND="serang_umkm.cache.FailSoftRedisCache",
            CACHE_LOCATION=f"redis://127.0.0.1:{redis_server.port}/0",
            TRUSTED_PROXIES="1",
            COUNTS_FLUSH_SECONDS=str(options.flush_seconds),
            COUNTS_PUSH_SECONDS=str(options.push_seconds),
        )
        for name in ("PUBLIC_PAGE_CACHE_SECONDS", "COUNTS_ENABLED", "TASKS_BACKEND"):
            env.pop(name, None)
        if not (options.reuse and database_exists(options.database)):
            load_city_data(options.database, options.businesses, env)
        else:  # the data kept, at this release's schema
            run(PYTHON, "manage.py", "migrate", "--no-input", "-v0", env=env)
        run(PYTHON, "manage.py", "collectstatic", "--no-input", "-v0", env=env)
        sys.exit(benchmark(options, env, redis_server, work))
    finally:
        redis_server.stop()


def benchmark(options, env, redis_server, work):
    paths = popular_products(options.database, options.pages)
    paths_file = work / "count-paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    counts = Counts(options.database, redis_server.port)
    failures = []
    print(
        f"\n{len(paths)} product pages; gunicorn 2 workers per server; Redis on port "
        f"{redis_server.port}; db_worker flushing every {options.flush_seconds} s; "
        f"COUNTS_PUSH_SECONDS={options.push_seconds}",
        flush=True,
    )
    with ExitStack() as stack:
        worker = stack.enter_context(db_worker(env, work / "db_worker.log"))
        with ExitStack() as servers_stack:
            servers = {
                label: servers_stack.enter_context(
                    gunicorn(
                        {**env, "COUNTS_ENABLED": enabled},
                        free_port(),
                        work / f"gunicorn-{label}.log",
                    )
                )
                for label, enabled in (("on", "1"), ("off", "0"))
            }
            started = time.monotonic()
            with ThreadPoolExecutor(4) as pool:
                for server in servers.values():
                    list(pool.map(fetch, [server.base + p for p in paths]))
            sample = paths[:: max(1, len(paths) // 20)]
            print(
                f"  warmed {len(paths)} pages in {time.monotonic() - started:.0f} s",
                flush=True,
            )
            for label, server in servers.items():
                states = [fetch(server.base + p) for p in sample]
                print(
                    f"  X-Page-Cache of {len(states)} asked again, counting {label}: "
                    + ", ".join(f"{s or 'none'} {states.count(s)}" for s in set(states))
                )
                if states.count("hit") != len(states):
                    print("  WARNING: not every warmed page came from the cache")
            part1 = Part1(options, servers, counts, paths_file)
            rounds, one = part1.run()
            failures += part1.failures
        ratio = report_part1(options, rounds, one)
        own = report_in_process(in_process(options, env, paths[0]))
        errors = sum(
            r["pages"]["errors"] + r["pages"]["timeouts"] + r["pages"]["bad"]
            for runs in rounds.values()
            for r in runs
        )
        if errors > options.max_errors:
            failures.append(f"{errors} non-2xx/3xx responses or timeouts")

        print(f"\nPart 2: record() at {options.rate:g}/s ...", flush=True)
        lines, flush_failures = part2(options, env, counts, redis_server.port)
        failures += flush_failures
        print("\n".join(lines))
        if worker.process.poll() is not None:
            failures.append(f"the db_worker died:\n{worker.tail()}")
    counts.close()
    print(
        f"\nSummary: counting on/off {ratio:.3f} between two servers, {own:.3f} in "
        "one process (target >= 0.95)."
    )
    if failures:
        print("\nFAILED:\n- " + "\n- ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    main()
