"""The public site as deployed, with seed_demo's demo catalogue, for the benchmarks
that measure pages in a browser (lighthouse.py, page_weight.py).

serve_demo_site() makes a throwaway folder with a SQLite database (migrate,
seed_demo, collectstatic: about 30 s, no PostgreSQL needed) and a Redis server of
its own as the shared cache (city_data.RedisServer), starts gunicorn as
serang_umkm/deploy/gerai-umkm.service runs it, with production settings
(city_data.production_env) on a free loopback port, and removes everything on
leaving. The shared cache matters: with a cache per worker, each worker renders
its own copy of a page, with its own ETag, and a browser's revalidation (repeat
view) misses whenever it reaches the other worker. The photos in MEDIA_ROOT are
served at MEDIA_URL next to the site, as the web server in front of a single host
serves them (README, "Media storage").

PAGES are the public pages both benchmarks measure; find_pages() turns the product
and business pages into real paths by reading the site's own links, so the same
pages can be found on any running site (its URL as the first argument).
add_arguments() and site_under_test() give both scripts the same options.
"""

import gzip
import re
import shutil
import subprocess
import tempfile
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from city_data import BASE_DIR, PYTHON, RedisServer, free_port, production_env, run
from http_benchmark import wait_for_server
from two_hosts import exec_start

# (name, path); None: found by find_pages().
PAGES = [
    ("home", "/"),
    ("list", "/produk/"),
    ("search", "/produk/?q=dodol"),
    ("product", None),
    ("outlet", "/gerai/iwak-banten/"),
    ("business", None),
    ("sign-up", "/akun/daftar/"),
]
PAGE_NAMES = [name for name, _ in PAGES]
MAX_AGE = 365 * 24 * 60 * 60


def media_application():
    """serang_umkm.wsgi with MEDIA_ROOT at MEDIA_URL (gunicorn calls this factory).
    Photos have random names that never change: cached for a year."""
    from django.conf import settings
    from whitenoise import WhiteNoise

    from serang_umkm.wsgi import application

    return WhiteNoise(
        application,
        root=settings.MEDIA_ROOT,
        prefix=settings.MEDIA_URL,
        max_age=MAX_AGE,
    )


def fetch(url):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode()


def first_link(html, prefix):
    """The first path under prefix that html links to (a page, not a query)."""
    match = re.search(rf'href="({re.escape(prefix)}[\w-]+/)"', html)
    if not match:
        raise RuntimeError(f"no link to {prefix}… found")
    return match.group(1)


def find_pages(base_url, names=PAGE_NAMES):
    """[(name, path)] of the named PAGES: the product is the first one the product
    list links to, the business the one that product's page links to."""
    found = dict(PAGES)
    if {"product", "business"} & set(names):
        found["product"] = first_link(fetch(base_url + "/produk/"), "/produk/")
        found["business"] = first_link(fetch(base_url + found["product"]), "/umkm/")
    return [(name, found[name]) for name in names]


def warm(base_url, pages, times=3):
    """Fill the public page cache of every gunicorn worker, as on a live site."""
    for _, path in pages:
        for _ in range(times):
            fetch(base_url + path)


def gunicorn_command(port, work):
    """gerai-umkm.service's gunicorn from this venv, on a loopback port, serving
    media_application()."""
    command = exec_start("gerai-umkm.service")
    command[0] = str(Path(PYTHON).with_name("gunicorn"))
    command[command.index("serang_umkm.wsgi")] = "demo_site:media_application()"
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "2"
    command[command.index("--access-logfile") + 1] = str(work / "access.log")
    return command + [
        "--pythonpath",
        f"{BASE_DIR},{BASE_DIR / 'benchmarks'}",
        # Its own control socket: the default path is per user, shared by every
        # gunicorn of this user on the machine.
        "--control-socket",
        str(work / "gunicorn.ctl"),
        "--log-level",
        "warning",
    ]


def add_arguments(parser):
    """The options both benchmarks take: a running site, the pages, the data."""
    parser.add_argument(
        "url", nargs="?", help="a running site to measure (default: start the demo)"
    )
    parser.add_argument(
        "--pages",
        default=",".join(PAGE_NAMES),
        help=f"comma-separated, among {','.join(PAGE_NAMES)} (default: all)",
    )
    parser.add_argument(
        "--businesses", type=int, help="seed_demo --businesses (default: its own)"
    )


def page_names(parser, options):
    names = [name.strip() for name in options.pages.split(",") if name.strip()]
    unknown = set(names) - set(PAGE_NAMES)
    if unknown or not names:
        parser.error(f"--pages: choose among {', '.join(PAGE_NAMES)}")
    return names


@contextmanager
def site_under_test(options):
    """Yield the base URL of options.url, or of the demo site started for the run."""
    if options.url:
        yield options.url.rstrip("/")
    else:
        with serve_demo_site(options.businesses) as base_url:
            yield base_url


@contextmanager
def serve_demo_site(businesses=None):
    """Yield the base URL of the demo site, up and its page cache warm."""
    work = Path(tempfile.mkdtemp(prefix="gerai-demo-site-"))
    env = production_env(None, work, DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    redis = server = None
    try:
        redis = RedisServer(work)
        redis.start()
        env["CACHE_BACKEND"] = "serang_umkm.cache.FailSoftRedisCache"
        env["CACHE_LOCATION"] = f"redis://127.0.0.1:{redis.port}/0"
        run(PYTHON, "manage.py", "migrate", "--no-input", "-v0", env=env)
        seed = [PYTHON, "manage.py", "seed_demo", "--force"]
        if businesses:
            seed += ["--businesses", str(businesses)]
        subprocess.run(
            seed, cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL
        )
        run(PYTHON, "manage.py", "collectstatic", "--no-input", "-v0", env=env)
        port = free_port()
        server = subprocess.Popen(gunicorn_command(port, work), cwd=work, env=env)
        base_url = f"http://127.0.0.1:{port}"
        wait_for_server(base_url + "/healthz", timeout=60)
        yield base_url
    finally:
        if server:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if redis and redis.process:
            redis.stop()
        shutil.rmtree(work, ignore_errors=True)
