"""The traffic a city site really gets, on city-scale data, as ratios to /healthz.

Issue #13 ("fast on a real day"). Loads `seed_demo --businesses N` (default 10,000
businesses, about 48,000 products) into a PostgreSQL database of its own, starts a
redis-server of its own on a free loopback port as the shared cache
(serang_umkm.cache.FailSoftRedisCache) and gunicorn (2 workers) with production
settings, then runs a mix of public pages with wrk (benchmarks/mix.lua):

    55% product pages   over every public product, by popularity (Zipf, s=1)
    15% searches        realistic words, typos included ("dodool", "kripik")
    10% category lists  /produk/?kategori=…&urut=…&page=N
     5% outlet pages    the outlets and their list
    10% business pages  over every verified business (Zipf, s=1)
     5% home page

while an owner saves an edit every 5 s (product.save() in a `manage.py shell`, so
the page cache's invalidation signals run): a description, then a price, in turn.
The mix runs with the public page cache as deployed and without it
(PUBLIC_PAGE_CACHE_SECONDS=0), next to the trivial /healthz view measured by the
same server: machines are noisy, only the ratios count. Then pages served from the
cache (cache on), each kind of page alone (cache off), and where an uncached page's
time goes (SQL, templates, the rest), measured with Django's test Client in a shell.

    .venv/bin/python benchmarks/mix_benchmark.py                    # ~6 min + loading
    .venv/bin/python benchmarks/mix_benchmark.py --businesses 2000  # quicker
    .venv/bin/python benchmarks/mix_benchmark.py --reuse            # keep the data

Needs PostgreSQL on 127.0.0.1:5432 (trust auth), redis-server and Debian's wrk.
Exits 1 when the mix got more than --max-errors non-2xx/3xx responses.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
from city_data import (
    BASE_DIR,
    PYTHON,
    RedisServer,
    load_city_data,
    production_env,
    run,
)
from http_benchmark import wait_for_server

PORT = 8031
PHONE = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/126.0 Mobile Safari/537.36"
)
LUA = Path(__file__).resolve().parent / "mix.lua"
MIX = "product=55,search=15,category=10,outlet=5,business=10,home=5"
# What residents type, most frequent first (the Zipf curve follows this order),
# with the typos and spellings they really use.
SEARCH_TERMS = [
    "dodol",
    "emping",
    "batik",
    "kopi",
    "sate bandeng",
    "keripik",
    "kerupuk",
    "rabeg",
    "jahe",
    "dodool",
    "kripik",
    "sambal",
    "abon",
    "emping melinjo",
    "kue jojorong",
    "gula aren",
    "tas anyaman",
    "batik banten",
    "sambel",
    "madu",
    "kopi robusta",
    "jamu",
    "sabun",
    "krupuk udang",
    "bandeng presto",
    "kastengel",
    "temulawak",
    "gerabah",
    "oleh oleh",
    "emping pedas manis",
    "bttik",
    "sirup",
]
SORTS = [
    "terbaru",
    "harga",
    "-harga",
    "nama",
]  # ProductFilterForm's urut, besides relevan
# Each kind of page alone, cache off: (name, fixed path or None, MIX_WEIGHTS).
KINDS = [
    ("home", "/", None),
    ("product list", "/produk/", None),
    ("search dodol", "/produk/?q=dodol", None),
    ("search with typo dodool", "/produk/?q=dodool", None),
    ("category list (sorted, paged)", None, "category=1"),
    ("product page (Zipf)", None, "product=1"),
    ("outlet pages", None, "outlet=1"),
    ("business page (Zipf)", None, "business=1"),
]

# A shell script (manage.py shell -c) that fetches sample pages with Django's test
# Client and splits their time into SQL, templates and the rest.
PROFILE = r"""
import json, os, statistics, time
from django.db import connections
from django.template import base as template_base
from django.test import Client

clock = time.perf_counter
state = {"sql": 0.0, "queries": 0, "template": 0.0, "sql_in_template": 0.0,
         "depth": 0}

def timed_query(execute, sql, params, many, context):
    started = clock()
    try:
        return execute(sql, params, many, context)
    finally:
        spent = clock() - started
        state["sql"] += spent
        state["queries"] += 1
        if state["depth"]:
            state["sql_in_template"] += spent

original_render = template_base.Template._render

def timed_render(self, context):
    # Only the outermost template is timed ({% extends %} and {% include %} nest).
    state["depth"] += 1
    started = clock()
    try:
        return original_render(self, context)
    finally:
        state["depth"] -= 1
        if not state["depth"]:
            state["template"] += clock() - started

template_base.Template._render = timed_render
client = Client(HTTP_ACCEPT_ENCODING="gzip")
samples = json.load(open(os.environ["MIX_PROFILE_PATHS"]))
results = {}
for kind, paths in samples.items():
    for path in paths[:2]:  # warm the template loader and the connection
        client.get(path)
    rows = []
    for path in paths:
        for key in ("sql", "template", "sql_in_template"):
            state[key] = 0.0
        state["queries"] = 0
        with connections["default"].execute_wrapper(timed_query):
            started = clock()
            response = client.get(path)
            total = clock() - started
        assert response.status_code == 200, (path, response.status_code)
        rows.append((total, state["sql"], state["template"] - state["sql_in_template"],
                     state["queries"]))
    mean = lambda i: statistics.fmean(row[i] for row in rows)
    results[kind] = {
        "n": len(rows), "total": mean(0) * 1000, "sql": mean(1) * 1000,
        "templates": mean(2) * 1000, "queries": mean(3),
        "p90_total": sorted(r[0] for r in rows)[int(len(rows) * 0.9) - 1] * 1000,
    }
print("PROFILE " + json.dumps(results))
"""

# A shell script (manage.py shell -c): an owner saving a small edit to a random
# public product every MIX_EDIT_SECONDS, through the ORM (product.save(), so the
# signals that make the cached pages stale run): a reworded description and a new
# price in turn.
EDITOR = r"""
import os, random, time
from django.utils import timezone
from products.models import Product

interval = float(os.environ["MIX_EDIT_SECONDS"])
pks = list(Product.objects.public().values_list("pk", flat=True))
rng = random.Random()
edits = 0
while True:
    product = Product.objects.select_related("business").get(pk=rng.choice(pks))
    if edits % 2:  # a new price: the lists show it
        product.price += 500 if product.price < 1_000_000 else -500
    else:  # a reworded description: only the product's page and search show it
        base = product.description.split(" [diperbarui ")[0]
        product.description = f"{base} [diperbarui {timezone.localtime():%H:%M:%S}]"
    product.save()
    edits += 1
    print(f"EDIT {edits} {product.slug}", flush=True)
    time.sleep(interval)
"""


def database_exists(name):
    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    connection.close()
    return found


def write_mix_data(database, path, seed=13):
    """The lists mix.lua draws from, read from the database: public products and
    verified businesses in a shuffled (fixed) order of popularity, search words,
    categories, outlets. Returns the counts and the sample paths for profiling."""
    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=database)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT p.slug FROM products_product p
               JOIN products_business b ON b.id = p.business_id
               WHERE p.status = 'approved' AND b.status = 'verified' ORDER BY p.id"""
        )
        products = [slug for (slug,) in cursor.fetchall()]
        cursor.execute(
            "SELECT slug FROM products_business WHERE status = 'verified' ORDER BY id"
        )
        businesses = [slug for (slug,) in cursor.fetchall()]
        cursor.execute("SELECT slug FROM products_category ORDER BY id")
        categories = [slug for (slug,) in cursor.fetchall()]
        cursor.execute("SELECT slug FROM outlets_outlet ORDER BY id")
        outlets = [f"/gerai/{slug}/" for (slug,) in cursor.fetchall()] + ["/gerai/"]
    connection.close()
    rng = random.Random(seed)
    rng.shuffle(products)  # popularity has nothing to do with the order of entry
    rng.shuffle(businesses)
    with open(path, "w") as out:
        for kind, values in [
            ("product", products),
            ("business", businesses),
            ("search", SEARCH_TERMS),
            ("category", categories),
            ("outlet", outlets),
        ]:
            for value in values:
                out.write(f"{kind}\t{value}\n")

    def spread(values, n=20):
        """The most popular few and a sample of the long tail."""
        return values[:5] + rng.sample(values[5:], min(n - 5, len(values) - 5))

    samples = {
        "home": ["/"] * 10,
        "product list": ["/produk/"] * 10,
        "search dodol": ["/produk/?q=dodol"] * 10,
        "search with typo dodool": ["/produk/?q=dodool"] * 10,
        "category list (sorted, paged)": [
            f"/produk/?kategori={rng.choice(categories)}&urut={rng.choice(SORTS)}"
            f"&page={rng.choice([1, 1, 2, 3, 8])}"
            for _ in range(20)
        ],
        "product page": [f"/produk/{slug}/" for slug in spread(products)],
        "outlet page": [p for p in outlets if p != "/gerai/"] * 4,
        "business page": [f"/umkm/{slug}/" for slug in spread(businesses)],
    }
    counts = {"products": len(products), "businesses": len(businesses)}
    return counts, samples


def wrk(url, duration, connections, env=None, script=True, weights=MIX, lua=LUA):
    """One wrk run: requests/s, p50, p99 (ms), non-2xx/3xx, timeouts and, with a
    script (the mix's, or lua), the counts it prints on its line "MIX …" or
    "COUNT …" (cache hits and misses)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    command += ["--timeout", "10s", "-H", "Accept-Encoding: gzip"]
    # A phone's browser, as residents' are: their pages are counted
    # (serang_umkm/counting.py), wrk's own name is a bot's.
    command += ["-H", f"User-Agent: {PHONE}"]
    if script:
        command += ["-s", str(lua)]
    output = subprocess.run(
        command + [url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {}), "MIX_WEIGHTS": weights},
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)

    def percentile(label):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    result = {
        "rate": rate,
        "p50": percentile("50"),
        "p99": percentile("99"),
        "errors": int(errors.group(1)) if errors else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
        "output": output,
    }
    counts = re.search(r"^(?:MIX|COUNT) (.*)$", output, re.M)
    if counts:
        result.update(
            {k: int(v) for k, v in (item.split("=") for item in counts[1].split())}
        )
    return result


class Server:
    def __init__(self, env):
        self.env = env
        self.base = f"http://127.0.0.1:{PORT}"

    def __enter__(self):
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "serang_umkm.wsgi", "--workers", "2"]
            + ["--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"],
            cwd=BASE_DIR,
            env=self.env,
        )
        wait_for_server(self.base + "/healthz")
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


class Editor:
    """An owner saving an edit every few seconds, in a shell of its own."""

    def __init__(self, env, interval):
        self.env = {**env, "MIX_EDIT_SECONDS": str(interval)}

    def __enter__(self):
        self.log = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "shell", "-c", EDITOR],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
        )
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.seek(0)
        self.edits = self.log.read().count("EDIT ")
        self.log.close()


def crawl(server, data_path, connections):
    """Ask once for every product and business page mix.lua draws from, as a
    search engine following the sitemap would: (pages, seconds, failures)."""
    paths = []
    for line in Path(data_path).read_text().splitlines():
        kind, value = line.split("\t", 1)
        if kind in ("product", "business"):
            prefix = "/produk/" if kind == "product" else "/umkm/"
            paths.append(f"{prefix}{value}/")

    def fetch(path):
        request = urllib.request.Request(
            server.base + path, headers={"Accept-Encoding": "gzip"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
            return True
        except OSError:
            return False

    started = time.monotonic()
    with ThreadPoolExecutor(connections) as pool:
        failures = sum(not ok for ok in pool.map(fetch, paths))
    return len(paths), time.monotonic() - started, failures


def trivial_view(server, options):
    """wrk on /healthz for --hello-duration: what the ratios are to."""
    return wrk(
        server.base + "/healthz",
        options.hello_duration,
        options.connections,
        script=False,
    )


def one_address(server, path, options):
    """wrk on one address for --kind-duration, after asking for it three times (a
    page cache, when on, then has it)."""
    for _ in range(3):
        urllib.request.urlopen(server.base + path).read()
    return wrk(
        server.base + path, options.kind_duration, options.connections, script=False
    )


def run_mix(server, env, options, label, high_connections, crawl_first=False):
    """Warm-up (with --crawl, every product and business page once first), then
    the measured mix at --connections (and, when high_connections, a shorter run
    at that many), with the editor saving all along."""
    lua_env = {"MIX_DATA": env["MIX_DATA"]}
    if crawl_first:
        pages, seconds, failures = crawl(server, env["MIX_DATA"], options.connections)
        print(
            f"  crawled {pages:,} pages in {seconds:.0f} s "
            f"({pages / seconds:,.0f} pages/s, {failures} failed)",
            flush=True,
        )
    with Editor(env, options.edit_every) as editor:
        wrk(server.base + "/", options.warmup, options.connections, lua_env)
        mix = wrk(server.base + "/", options.duration, options.connections, lua_env)
        high = None
        if high_connections:
            high = wrk(
                server.base + "/",
                options.high_duration,
                high_connections,
                lua_env,
            )
    mix["edits"] = editor.edits
    print(
        f"  {label}: {mix['rate']:,.0f} req/s, p50 {mix['p50']:.1f} ms, "
        f"p99 {mix['p99']:.1f} ms, hits {mix.get('hits')}, misses "
        f"{mix.get('misses')}, errors {mix['errors']}, edits {editor.edits}",
        flush=True,
    )
    return mix, high


def profile(env, samples, work):
    path = work / "profile-paths.json"
    path.write_text(json.dumps(samples))
    done = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", PROFILE],
        cwd=BASE_DIR,
        env={
            **env,
            "PUBLIC_PAGE_CACHE_SECONDS": "0",
            "ALLOWED_HOSTS": env["ALLOWED_HOSTS"] + ",testserver",
            "MIX_PROFILE_PATHS": str(path),
        },
        capture_output=True,
        text=True,
    )
    found = re.search(r"^PROFILE (.*)$", done.stdout, re.M)
    if done.returncode or not found:
        print(f"\nProfiling failed:\n{done.stderr[-3000:]}")
        return None
    return json.loads(found[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument("--database", default="gerai_mix_bench")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded data")
    parser.add_argument("--duration", type=int, default=25, help="seconds of mix")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of warm-up")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--high-connections", type=int, default=64)
    parser.add_argument("--high-duration", type=int, default=15)
    parser.add_argument("--hello-duration", type=int, default=10)
    parser.add_argument("--kind-duration", type=int, default=6, help="0: skip")
    parser.add_argument("--edit-every", type=float, default=5.0, help="seconds")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--crawl",
        action="store_true",
        help="before the mix with the cache, ask for every product and business "
        "page once (as a search engine does): the long tail warm",
    )
    parser.add_argument("--max-errors", type=int, default=5)
    options = parser.parse_args()
    for tool in ("wrk", "redis-server", "redis-cli"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install wrk redis-server")

    work = Path(tempfile.gettempdir()) / "gerai-mix"
    work.mkdir(exist_ok=True)
    redis = RedisServer(work).start()
    try:
        env = production_env(
            options.database,
            work,
            CACHE_BACKEND="serang_umkm.cache.FailSoftRedisCache",
            CACHE_LOCATION=f"redis://127.0.0.1:{redis.port}/0",
            MIX_DATA=str(work / "mix-data.tsv"),
        )
        env.pop("PUBLIC_PAGE_CACHE_SECONDS", None)
        if not (options.reuse and database_exists(options.database)):
            load_city_data(options.database, options.businesses, env)
        else:  # the data kept, at this release's schema
            run(PYTHON, "manage.py", "migrate", "--no-input", "-v0", env=env)
        run(PYTHON, "manage.py", "collectstatic", "--no-input", "-v0", env=env)
        counts, samples = write_mix_data(options.database, env["MIX_DATA"])
        sys.exit(benchmark(options, env, redis, counts, samples, work))
    finally:
        redis.stop()


def benchmark(options, env, redis, counts, samples, work):
    print(
        f"\n{counts['products']:,} public products, {counts['businesses']:,} verified "
        f"businesses; wrk -t2 -c{options.connections}, {options.warmup} s warm-up + "
        f"{options.duration} s; gunicorn 2 workers; Redis page cache on port "
        f"{redis.port}; an edit every {options.edit_every:g} s",
        flush=True,
    )
    results = {}
    for label, extra in [("on", {}), ("off", {"PUBLIC_PAGE_CACHE_SECONDS": "0"})]:
        redis.cli("FLUSHALL")
        server_env = {**env, **extra}
        with Server(server_env) as server:
            for _ in range(3):
                urllib.request.urlopen(server.base + "/healthz", timeout=30).read()
            hello = trivial_view(server, options)
            print(f"  hello (cache {label}): {hello['rate']:,.0f} req/s", flush=True)
            mix, high = run_mix(
                server,
                server_env,
                options,
                f"mix, cache {label}",
                options.high_connections if label == "on" else 0,
                crawl_first=options.crawl and label == "on",
            )
            kinds = []
            if label == "on" and options.kind_duration:
                # A page-cache hit: the most popular product page and the home
                # page, asked for again and again.
                for name, path in [
                    ("product page from the cache", samples["product page"][0]),
                    ("home page from the cache", "/"),
                ]:
                    result = one_address(server, path, options)
                    kinds.append((name, path, result))
                    print(f"  {name}: {result['rate']:,.0f} req/s", flush=True)
            if label == "off" and options.kind_duration:
                for name, path, weights in KINDS:
                    if path:
                        result = one_address(server, path, options)
                    else:
                        result = wrk(
                            server.base + "/",
                            options.kind_duration,
                            options.connections,
                            {"MIX_DATA": env["MIX_DATA"]},
                            weights=weights,
                        )
                    kinds.append((name, path or weights, result))
                    print(f"  {name}: {result['rate']:,.0f} req/s", flush=True)
            # The machine is noisy: hello again after the mix, and the mean of both.
            after = trivial_view(server, options)
            print(f"  hello again: {after['rate']:,.0f} req/s", flush=True)
            hello = {
                **hello,
                "rate": (hello["rate"] + after["rate"]) / 2,
                "before": hello["rate"],
                "after": after["rate"],
            }
            results[label] = {"hello": hello, "mix": mix, "high": high, "kinds": kinds}
    pages = None
    if not options.no_profile:
        pages = profile(env, samples, work)
    report(options, results, pages)

    failures = sum(
        max(r["errors"], r.get("bad", 0))
        for label in results.values()
        for r in [label["mix"]] + ([label["high"]] if label["high"] else [])
    )
    if failures > options.max_errors:
        print(f"\nFAILED: {failures} non-2xx/3xx responses in the mix")
        for label in results.values():
            print(label["mix"]["output"])
        return 1
    return 0


def report(options, results, pages):
    print(f"\n### The mix (an edit every {options.edit_every:g} s)\n")
    print(
        "| run | connections | req/s | share of hello | p50 ms | p99 ms "
        "| cache hits | misses | hit rate | edits | errors |"
    )
    print(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for label in ("on", "off"):
        hello = results[label]["hello"]
        rows = [
            (
                f"hello /healthz (mean of {hello['before']:,.0f} before and "
                f"{hello['after']:,.0f} after)",
                options.connections,
                hello,
            )
        ]
        rows.append(
            (f"mix, page cache {label}", options.connections, results[label]["mix"])
        )
        if results[label]["high"]:
            rows.append(
                (
                    f"mix, page cache {label}",
                    options.high_connections,
                    results[label]["high"],
                )
            )
        for name, connections, r in rows:
            hits, misses = r.get("hits"), r.get("misses")
            looked_up = (hits or 0) + (misses or 0)
            rate = f"{hits / looked_up:.0%}" if looked_up else "–"
            print(
                f"| {name} | {connections} | {r['rate']:,.0f} "
                f"| {r['rate'] / hello['rate']:.1%} | {r['p50']:.1f} | {r['p99']:.1f} "
                f"| {'–' if hits is None else hits} "
                f"| {'–' if misses is None else misses} | {rate} "
                f"| {r.get('edits', '–')} | {r['errors'] + r['timeouts']} |"
            )
    for label, title in [
        ("on", "Pages served from the cache (one address, asked again and again)"),
        ("off", "Each kind of page alone, page cache off"),
    ]:
        kinds = results[label]["kinds"]
        if not kinds:
            continue
        hello = results[label]["hello"]["rate"]
        print(f"\n### {title}\n")
        print("| page | path or draw | req/s | share of hello | p50 ms | p99 ms |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        for name, what, r in kinds:
            print(
                f"| {name} | `{what}` | {r['rate']:,.0f} | {r['rate'] / hello:.1%} "
                f"| {r['p50']:.1f} | {r['p99']:.1f} |"
            )
    if pages:
        print("\n### Where an uncached page's time goes (test Client, mean ms)\n")
        print(
            "| page | samples | total | SQL | queries | templates | other | p90 total |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, p in pages.items():
            other = p["total"] - p["sql"] - p["templates"]
            print(
                f"| {name} | {p['n']} | {p['total']:.1f} | {p['sql']:.1f} "
                f"| {p['queries']:.0f} | {p['templates']:.1f} | {other:.1f} "
                f"| {p['p90_total']:.1f} |"
            )
        print(
            "\nTemplates: rendering time less the SQL run while rendering (lazy "
            "querysets are counted as SQL). Other: views, forms, middleware, gzip."
        )


if __name__ == "__main__":
    main()
