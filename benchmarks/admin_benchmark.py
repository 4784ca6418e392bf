"""Speed and SQL of the staff admin pages on city-scale data.

Loads `seed_demo --businesses N` (default 10,000 businesses, about 48,000 products)
into a PostgreSQL database of its own, then runs Django in a child process with
production settings (DEBUG off) and requests each admin page through
django.test.Client, signed in (force_login) as three demo accounts: the superuser, the
Dinas Koperasi staff member (Verifikator, and curator of Cipare and Kasemen) and the
Disparpora staff member (curator of Iwak Banten). For each page it reports the median
and slowest wall time of --requests requests after one warm-up, the number of SQL
queries, the most repeats of one statement shape (1 means no N+1) and the response
size. Pages not built yet (no URL to reverse) are listed as "not present". Last, it
runs EXPLAIN ANALYZE on the slowest statements of the slowest pages, of the pages
spending the most time in SQL and of the CSV exports.

    .venv/bin/python benchmarks/admin_benchmark.py            # full run, ~3 minutes
    .venv/bin/python benchmarks/admin_benchmark.py --reuse    # skip loading the data

Loading takes under a minute (migrate, seed_demo, collectstatic); measuring takes
about 2.5 minutes, most of it the CSV exports of every product. The report is
Markdown on stdout, progress on stderr. Needs PostgreSQL on 127.0.0.1:5432 (trust
auth, user postgres); drops and recreates only the database given by --database.
"""

import argparse
import gzip
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psycopg2
from city_data import BASE_DIR, PYTHON, load_city_data, run

WORK = Path(tempfile.gettempdir()) / "gerai-admin-bench"
# Databases of the site, of the other benchmark and of the tests: never dropped here.
PROTECTED_DATABASES = re.compile(r"^(gerai_bench|gerai_umkm.*|test.*|postgres)$")
# The session option of serang_umkm.settings, so EXPLAIN plans as the site does.
PG_OPTIONS = "-c pg_trgm.word_similarity_threshold=0.4 -c jit=off"
DEMO_DOMAIN = "demo.gerai-umkm.test"
USERS = {
    "superuser": f"admin@{DEMO_DOMAIN}",
    "Dinkopukmperindag staff": f"staf.dinkopukmperindag@{DEMO_DOMAIN}",
    "Disparpora staff": f"staf.disparpora@{DEMO_DOMAIN}",
}
SLOW_QUERIES_KEPT = 5
# A CSV export of every product takes seconds: fewer timed requests.
EXPORT_REQUESTS = 3
PLAN_LINES = 28


# The measuring child process (Django is only imported there).


def statement_shape(sql):
    """The SQL with its literals taken out, to spot one query repeated per row."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\((\?, )+\?\)", "(?)", sql)


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def export_form_data(html):
    """What the export form posts by default (hidden inputs, ticked fields) and CSV,
    the first of settings.EXPORT_FORMATS."""
    data = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        name = re.search(r'\bname="([^"]+)"', tag)
        kind = re.search(r'\btype="([^"]+)"', tag)
        if not name or not kind:
            continue
        value = re.search(r'\bvalue="([^"]*)"', tag)
        if kind.group(1) == "hidden" or (
            kind.group(1) == "checkbox" and re.search(r"\bchecked\b", tag)
        ):
            data[name.group(1)] = value.group(1) if value else "on"
    data["format"] = "0"
    return data


def sample_objects():
    """The objects and filter values the pages open, found in the data."""
    from django.db.models import Count

    from outlets.models import Display, Outlet
    from products.models import Business, Product

    words = Counter(
        word
        for name in Business.objects.values_list("name", flat=True)
        for word in name.lower().split()
        if len(word) >= 4 and word.isalpha()
    )
    cipare = Outlet.objects.get(slug="gerai-umkm-cipare")
    return {
        "businesses": Business.objects.count(),
        "products": Product.objects.count(),
        "displays": Display.objects.count(),
        "word": words.most_common(1)[0][0],
        "kecamatan": Business.objects.values("kelurahan__kecamatan")
        .annotate(count=Count("pk"))
        .order_by("-count")[0]["kelurahan__kecamatan"],
        "category": Product.objects.values("category")
        .annotate(count=Count("pk"))
        .order_by("-count")[0]["category"],
        "cipare": cipare.pk,
        "iwak_banten": Outlet.objects.get(slug="iwak-banten").pk,
        "business": Business.objects.filter(owner__isnull=False)
        .annotate(count=Count("products"))
        .order_by("-count", "pk")[0]
        .pk,
        "held_business": Business.objects.filter(owner__isnull=True)
        .order_by("pk")[0]
        .pk,
        "product": Product.objects.annotate(
            photo_count=Count("photos", distinct=True),
            certification_count=Count("certifications", distinct=True),
        )
        .order_by("-photo_count", "-certification_count", "pk")[0]
        .pk,
        "display": Display.objects.filter(outlet=cipare, status="requested")
        .order_by("created_at")
        .values_list("pk", flat=True)
        .first(),
    }


def admin_pages(sample):
    """(name, path, POST data or None) of each page; path None when not present."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    def url(name, *args, query=None):
        try:
            path = reverse(name, args=args)
        except NoReverseMatch:
            return None
        return f"{path}?{urlencode(query)}" if query else path

    def autocomplete(app_label, model_name, field_name, term):
        query = {
            "term": term,
            "app_label": app_label,
            "model_name": model_name,
            "field_name": field_name,
        }
        return url("admin:autocomplete", query=query)

    business = "admin:products_business_changelist"
    product = "admin:products_product_changelist"
    display = "admin:outlets_display_changelist"
    pages = [
        ("admin index", url("admin:index")),
        ("staff dashboard (ringkasan)", url("staff_dashboard")),
        ("businesses", url(business)),
        ("businesses: waiting queue", url(business, query={"queue": "waiting"})),
        (
            f"businesses: search {sample['word']!r}",
            url(business, query={"q": sample["word"]}),
        ),
        (
            "businesses: one kecamatan",
            url(
                business, query={"kelurahan__kecamatan__id__exact": sample["kecamatan"]}
            ),
        ),
        (
            "businesses: held by staff",
            url(
                business,
                query={"assisted_registration__exact": 1, "owner__isempty": 1},
            ),
        ),
        ("products", url(product)),
        ("products: waiting queue", url(product, query={"queue": "waiting"})),
        ("products: search 'keripik'", url(product, query={"q": "keripik"})),
        (
            "products: one category",
            url(product, query={"category__id__exact": sample["category"]}),
        ),
        ("displays", url(display)),
        ("displays: waiting queue", url(display, query={"queue": "waiting"})),
        (
            "displays: rotation at Cipare",
            url(
                display,
                query={"queue": "rotation", "outlet__id__exact": sample["cipare"]},
            ),
        ),
        ("outlet change: Cipare", url("admin:outlets_outlet_change", sample["cipare"])),
        (
            "outlet change: Iwak Banten",
            url("admin:outlets_outlet_change", sample["iwak_banten"]),
        ),
        ("business change", url("admin:products_business_change", sample["business"])),
        (
            "business change: held by staff",
            url("admin:products_business_change", sample["held_business"]),
        ),
        ("product change", url("admin:products_product_change", sample["product"])),
        ("product history", url("admin:products_product_history", sample["product"])),
        ("display change", url("admin:outlets_display_change", sample["display"])),
        (
            "autocomplete business 'sari'",
            autocomplete("products", "product", "business", "sari"),
        ),
        (
            "autocomplete product 'keripik'",
            autocomplete("outlets", "display", "product", "keripik"),
        ),
        (
            "autocomplete user 'siti'",
            autocomplete("products", "business", "owner", "siti"),
        ),
    ]
    pages = [(name, path, None) for name, path in pages]
    for label, model in [
        ("business", "products_business"),
        ("product", "products_product"),
        ("display", "outlets_display"),
    ]:
        export = url(f"admin:{model}_export")
        pages += [
            (f"{label} export page", export, None),
            (f"{label} export, all rows as CSV", export, "export"),
            (f"{label} import page", url(f"admin:{model}_import"), None),
        ]
    return pages


class QueryTimer:
    """An execute wrapper timing each statement to the microsecond (the captured
    queries of Django round to the millisecond)."""

    def __init__(self):
        self.ms = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms.append((time.perf_counter() - started) * 1000)


def measure_page(client, path, post, requests):
    """Times, status, size and the queries of one page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data = None
    if post == "export":
        data = export_form_data(client.get(path).content.decode())
        requests = min(requests, EXPORT_REQUESTS)

    def send():
        if data is None:
            return client.get(path)
        return client.post(path, data)

    send()  # warm-up
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = send()
        body_of(response)
        times.append((time.perf_counter() - started) * 1000)
    # A last request with every query recorded (CaptureQueriesContext sets
    # connection.force_debug_cursor, so DEBUG can stay off).
    timer = QueryTimer()
    with connection.execute_wrapper(timer), CaptureQueriesContext(connection) as got:
        response = send()
        body = body_of(response)
    captured = got.captured_queries
    if len(timer.ms) != len(captured):  # cannot pair them: rounded times
        timer.ms = [float(query["time"]) * 1000 for query in captured]
    queries = [
        {"sql": query["sql"], "ms": ms}
        for query, ms in zip(captured, timer.ms, strict=True)
    ]
    shapes = Counter(statement_shape(query["sql"]) for query in queries)
    shape, repeats = shapes.most_common(1)[0] if shapes else ("", 0)
    return {
        "status": response.status_code,
        "median_ms": statistics.median(times),
        "max_ms": max(times),
        "requests": requests,
        "queries": len(queries),
        "repeats": repeats,
        "repeated": next(
            (q["sql"] for q in queries if statement_shape(q["sql"]) == shape), ""
        )
        if repeats > 1
        else "",
        "sql_ms": sum(timer.ms),
        "bytes": len(body),
        "gzip_bytes": len(gzip.compress(body)),
        "slow_queries": sorted(queries, key=lambda query: -query["ms"])[
            :SLOW_QUERIES_KEPT
        ],
    }


def worker(results_path, requests):
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serang_umkm.settings")
    import django

    django.setup()
    # Refusals (403) are expected for the staff without a permission: not logged.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.contrib.auth import get_user_model
    from django.test import Client

    sample = sample_objects()
    pages = admin_pages(sample)
    results = {"sample": sample, "rows": []}
    for label, email in USERS.items():
        user = get_user_model().objects.get(email=email)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for name, path, post in pages:
            row = {"user": label, "page": name, "path": path}
            if path is not None:
                row.update(measure_page(client, path, post, requests))
            results["rows"].append(row)
            print(f"  {label}: {name}", file=sys.stderr, flush=True)
    Path(results_path).write_text(json.dumps(results))


# Reporting, in the parent process.


def print_table(rows):
    for user in USERS:
        print(f"\n### {user}\n")
        print(
            "| page | status | median ms | max ms | queries | most repeats "
            "| SQL ms | KB (gzip) |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for row in rows:
            if row["user"] != user:
                continue
            if row["path"] is None:
                print(f"| {row['page']} | not present | | | | | | |")
                continue
            print(
                f"| {row['page']} | {row['status']} | {row['median_ms']:.1f} "
                f"| {row['max_ms']:.1f} | {row['queries']} | {row['repeats']} "
                f"| {row['sql_ms']:.1f} | {row['bytes'] / 1024:.1f} "
                f"({row['gzip_bytes'] / 1024:.1f}) |"
            )


def print_repeats(rows):
    """The statement each page sends most often, where it sends one more than once."""
    print("\n## Statements sent more than once by one request (N+1 suspects)\n")
    repeated = [row for row in rows if row["path"] and row["repeats"] > 1]
    if not repeated:
        print("None: every page sends each statement once.")
    for row in repeated:
        print(
            f"- {row['page']} ({row['user']}): {row['repeats']} times "
            f"`{shorten(row['repeated'], 400)}`"
        )


def split_top_level(text, separator=","):
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and text.startswith(separator, index):
            parts.append(text[start:index])
            start = index + len(separator)
    return [*parts, text[start:]]


def select_of(sql):
    """The SELECT of a statement, without the DECLARE … CURSOR FOR of a server-side
    cursor (QuerySet.iterator()); None for other statements."""
    sql = re.sub(r"^DECLARE\s.*?\sCURSOR\s.*?FOR\s+", "", sql.strip(), flags=re.S)
    return sql if re.match(r"(SELECT|WITH)\b", sql, flags=re.I) else None


def shorten(sql, limit=1200):
    """The statement with its plain selected columns replaced by …, keeping the
    computed ones (subqueries, aggregates); cut at limit characters."""
    match = re.match(r"SELECT (DISTINCT )?", sql)
    if match:
        rest = sql[match.end() :]
        columns = split_top_level(rest, " FROM ")[0]
        tail = rest[len(columns) :]
        kept = [column.strip() for column in split_top_level(columns) if "(" in column]
        sql = f"{match.group(0)}{', '.join(['…', *kept])}{tail}"
    return sql if len(sql) <= limit else sql[:limit] + " …"


def explain(database, sql):
    connection = psycopg2.connect(
        host="127.0.0.1", user="postgres", dbname=database, options=PG_OPTIONS
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [line for (line,) in cursor.fetchall()]
    finally:
        connection.rollback()
        connection.close()
    if len(lines) > PLAN_LINES:
        lines = [*lines[: PLAN_LINES - 3], "  …", *lines[-2:]]
    return [line if len(line) <= 160 else line[:157] + "…" for line in lines]


def is_export(row):
    return row["page"].endswith("as CSV")


def pages_to_explain(rows, count):
    """The count slowest pages by median time and the count with the most time in
    SQL (each page once, as measured for the user it was slowest for), then the CSV
    exports, downloads rather than pages, which would otherwise take every place."""
    measured = [row for row in rows if row["path"] and row["status"] == 200]
    chosen = {}
    for key in ("median_ms", "sql_ms"):
        slowest = {}
        for row in sorted(measured, key=lambda row: -row[key]):
            if not is_export(row):
                slowest.setdefault(row["page"], row)
        for row in list(slowest.values())[:count]:
            chosen.setdefault(row["page"], row)
    for row in sorted(measured, key=lambda row: -row["median_ms"]):
        if is_export(row):
            chosen.setdefault(row["page"], row)
    return list(chosen.values())


def print_slow_queries(rows, database, pages, per_page=2):
    print(
        f"\n## Slowest statements of the {pages} slowest pages, of the {pages} pages "
        "with the most time in SQL and of the CSV exports (EXPLAIN ANALYZE)"
    )
    for row in pages_to_explain(rows, pages):
        print(
            f"\n### {row['page']} ({row['user']}): median {row['median_ms']:.1f} ms, "
            f"{row['queries']} queries, {row['sql_ms']:.1f} ms in SQL\n"
        )
        print(f"`{row['path']}`")
        selects = [
            (query["ms"], select_of(query["sql"]))
            for query in row["slow_queries"]
            if select_of(query["sql"])
        ]
        # The slowest statement, and the next ones if they took a millisecond.
        selects = selects[:1] + [item for item in selects[1:per_page] if item[0] >= 1]
        for ms, sql in selects:
            print(f"\n{ms:.1f} ms in the request:\n")
            print("```sql")
            print(shorten(sql))
            print("```\n")
            print("```")
            print("\n".join(explain(database, sql)))
            print("```")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument("--database", default="gerai_admin_bench")
    parser.add_argument("--requests", type=int, default=7, help="timed, per page")
    parser.add_argument(
        "--explain", type=int, default=4, help="slowest pages to explain"
    )
    parser.add_argument("--reuse", action="store_true", help="keep the loaded data")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # results file (child)
    options = parser.parse_args()
    if options.worker:
        worker(options.worker, options.requests)
        return
    if PROTECTED_DATABASES.match(options.database):
        sys.exit(f"{options.database} is not a benchmark database: choose another.")

    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{options.database}",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": str(WORK / "media"),
        "STATIC_ROOT": str(WORK / "static"),
        "CACHE_BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DEBUG", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if not options.reuse:
        load_city_data(options.database, options.businesses, env)
    # With DEBUG off, templates need the manifest of the collected static files.
    run(PYTHON, "manage.py", "collectstatic", "--no-input", "-v0", env=env)

    results_path = WORK / "results.json"
    started = time.monotonic()
    subprocess.run(
        [
            PYTHON,
            __file__,
            "--worker",
            str(results_path),
            "--requests",
            str(options.requests),
        ],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    results = json.loads(results_path.read_text())
    print(
        f"\nMeasured in {time.monotonic() - started:.0f} s: {options.requests} "
        f"requests per page ({EXPORT_REQUESTS} per CSV export) after one warm-up, "
        "django.test.Client in one process, "
        f"DEBUG off, PostgreSQL database {options.database}. Samples: "
        + ", ".join(f"{key}={value}" for key, value in results["sample"].items())
    )
    print(
        "'queries' counts one request; 'most repeats' is the largest number of "
        "queries of one shape (literals aside): 1 means no N+1. 'SQL ms' is the "
        "time the statements of one request took to execute (rows a server-side "
        "cursor fetches later are not in it)."
    )
    print_table(results["rows"])
    print_repeats(results["rows"])
    print_slow_queries(results["rows"], options.database, options.explain)


if __name__ == "__main__":
    main()
