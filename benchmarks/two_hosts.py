"""Two web hosts behind nginx on one machine, sharing PostgreSQL, Redis and an S3
server: proof that a host keeps no state of its own.

Starts, on free loopback ports: moto's S3 server (a public-read bucket), a Redis
server, two gunicorn "hosts" (separate processes and working directories, each with
its own STATIC_ROOT and MEDIA_ROOT) run as serang_umkm/deploy/gerai-umkm.service
runs them, a db_worker as in gerai-umkm-worker.service, and nginx with
serang_umkm/deploy/nginx.conf in front of both. Then, in Chromium (Playwright):

1. an owner signs in through host 1 and is signed in on host 2;
2. the owner changes a product's price and adds a photo through host 1: host 2's
   public page (cached before) shows the new price at once, and the photo, which is
   fetched from the S3 server; nothing is stored in either host's MEDIA_ROOT;
3. through nginx, both hosts answer, and each logs the request with nginx's id.

    .venv/bin/python benchmarks/two_hosts.py      # ~1 minute; exit status 1 on failure

Needs PostgreSQL on 127.0.0.1:5432 (trust), Debian's nginx, redis-server and chromium.
"""

import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3
import psycopg2
from city_data import (
    BASE_DIR,
    PYTHON,
    drop_database,
    free_port,
    recreate_database,
    run,
)
from PIL import Image
from playwright.sync_api import sync_playwright

DEPLOY = BASE_DIR / "serang_umkm" / "deploy"
# A database of this run's own (two runs at once must not share one).
DATABASE = f"gerai_two_hosts_{os.getpid()}"
BUCKET = "gerai-media"
PASSWORD = "serang-demo-2026"  # seed_demo's demo accounts


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers at {url}")


def exec_start(unit):
    """The command line of a systemd unit's ExecStart, as a list."""
    text = (DEPLOY / unit).read_text()
    return shlex.split(re.search(r"^ExecStart=(.+)$", text, re.M).group(1))


def gunicorn_command(port, log):
    """gerai-umkm.service's gunicorn, from this venv, bound to a loopback port."""
    command = exec_start("gerai-umkm.service")
    command[0] = str(Path(PYTHON).with_name("gunicorn"))
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "2"
    command[command.index("--access-logfile") + 1] = str(log)
    # The access log names the request id nginx sent; each host has its own
    # control socket (the default path is per user, so the two would share it).
    return command + [
        "--pythonpath",
        str(BASE_DIR),
        "--control-socket",
        str(Path(log).with_name("gunicorn.ctl")),
        "--access-logformat",
        '%(h)s "%(r)s" %(s)s %({x-request-id}i)s',
    ]


def nginx_config(work, nginx_port, host_ports):
    """serang_umkm/deploy/nginx.conf with loopback addresses, inside the main
    context nginx needs to run unprivileged in work."""
    site = (DEPLOY / "nginx.conf").read_text()
    site = site.replace("10.0.0.11:8000", f"127.0.0.1:{host_ports[0]}")
    site = site.replace("10.0.0.12:8000", f"127.0.0.1:{host_ports[1]}")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{nginx_port};")
    site = site.replace("server_name gerai-umkm.serangkota.go.id;", "server_name _;")
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / "nginx" / folder).mkdir(parents=True, exist_ok=True)
        os.chmod(work / "nginx" / folder, 0o777)
    temp = "\n".join(
        f"    {name}_temp_path {work}/nginx/{folder};"
        for name, folder in [
            ("client_body", "body"),
            ("proxy", "proxy"),
            ("fastcgi", "fastcgi"),
            ("uwsgi", "uwsgi"),
            ("scgi", "scgi"),
        ]
    )
    config = work / "nginx" / "nginx.conf"
    config.write_text(
        f"pid {work}/nginx/nginx.pid;\nerror_log {work}/nginx/error.log warn;\n"
        f"events {{ worker_connections 256; }}\nhttp {{\n"
        f"    access_log {work}/nginx/access.log;\n{temp}\n{site}\n}}\n"
    )
    return config


def start_s3(work, env):
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("moto_server")),
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        stdout=open(work / "moto.log", "w"),
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    wait_for(endpoint)
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=BUCKET)
    public = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                # As README's "Media storage": the photos, not private/.
                "Resource": [
                    f"arn:aws:s3:::{BUCKET}/{folder}/*"
                    for folder in ("logos", "products", "outlets")
                ],
            }
        ],
    }
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(public))
    env.update(
        MEDIA_BUCKET=BUCKET,
        MEDIA_ENDPOINT_URL=endpoint,
        MEDIA_REGION="us-east-1",
        MEDIA_ACCESS_KEY_ID="testing",
        MEDIA_SECRET_ACCESS_KEY="testing",
    )
    return process


def start_redis(work, env):
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(work)],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        ping = subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True
        )
        if ping.stdout.strip() == b"PONG":
            break
        time.sleep(0.05)
    env.update(
        CACHE_BACKEND="serang_umkm.cache.FailSoftRedisCache",
        CACHE_LOCATION=f"redis://127.0.0.1:{port}/0",
    )
    return process


def owner_and_product():
    """A demo owner's public product on display: (owner email, product slug)."""
    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=DATABASE)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT u.email, p.slug FROM products_product p
               JOIN products_business b ON b.id = p.business_id
               JOIN accounts_user u ON u.id = b.owner_id
               WHERE p.status = 'approved' AND b.status = 'verified'
               AND u.email LIKE 'pemilik%%'
               AND EXISTS (SELECT 1 FROM outlets_display d WHERE d.product_id = p.id
                           AND d.status = 'approved')
               ORDER BY p.id LIMIT 1"""
        )
        row = cursor.fetchone()
    connection.close()
    return row


def photo_file(work):
    path = work / "foto-kemasan.jpg"
    Image.new("RGB", (1200, 900), (180, 90, 40)).save(path, "JPEG", quality=85)
    return path


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, ok, what):
        print(("✔ " if ok else "✘ ") + what)
        self.failed += not ok


def prove(checks, hosts, nginx, work):
    host1, host2 = hosts
    email, slug = owner_and_product()
    product_path = f"/produk/{slug}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            + ["--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        # 1. A sign-in through host 1 holds on host 2 (cookies ignore the port).
        owner = browser.new_context(base_url=host1)
        page = owner.new_page()
        page.goto(f"{host1}/akun/masuk/")
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(f"{host2}/dasbor/")
        checks.check(
            page.url == f"{host2}/dasbor/" and "/akun/keluar/" in page.content(),
            f"signed in through host 1, signed in on host 2 ({page.url})",
        )

        # 2. host 2's page is cached; the owner changes it through host 1.
        resident = browser.new_context()
        before = resident.request.get(f"{host2}{product_path}")
        again = resident.request.get(f"{host2}{product_path}")
        checks.check(
            again.headers.get("x-page-cache") == "hit",
            "host 2 serves the product page from the shared page cache",
        )
        page.goto(f"{host1}/dasbor/produk/{slug}/ubah/")
        form = page.locator("form:has(input[name=price])")
        new_price = "98765"
        form.locator("input[name=price]").fill(new_price)
        form.locator("input[name=photos]").set_input_files(str(photo_file(work)))
        form.locator("button[type=submit]").last.click()
        page.wait_for_load_state()
        after = resident.request.get(f"{host2}{product_path}")
        html = after.text()
        checks.check(
            "98.765" in html and "98.765" not in before.text(),
            "the new price shows on host 2 at once",
        )
        photos = set(re.findall(r'src="(http://127\.0\.0\.1:\d+/[^"]+)"', html))
        new_photos = photos - set(re.findall(r'src="([^"]+)"', before.text()))
        checks.check(
            bool(new_photos) and all(BUCKET in url for url in new_photos),
            f"host 2's page shows the new photo from the S3 server ({len(new_photos)})",
        )
        sizes = []
        for url in new_photos:
            with urllib.request.urlopen(url, timeout=10) as response:
                sizes.append(Image.open(io.BytesIO(response.read())).size)
        checks.check(
            (800, 600) in sizes,
            f"the photo uploaded through host 1 is served to host 2's page ({sizes})",
        )
        browser.close()

    leftovers = [
        path
        for host in ("host1", "host2")
        for path in (work / host / "media").rglob("*")
    ]
    checks.check(not leftovers, "nothing was stored in either host's MEDIA_ROOT")

    # 3. Through nginx.
    ids = []
    for _ in range(12):
        with urllib.request.urlopen(f"{nginx}/healthz", timeout=10) as response:
            ids.append(response.headers["X-Request-ID"])
    time.sleep(0.5)
    logs = [(work / host / "access.log").read_text() for host in ("host1", "host2")]
    served = [sum(id_ in log for id_ in ids) for log in logs]
    checks.check(
        all(count > 0 for count in served) and sum(served) == len(ids),
        f"nginx spreads requests over both hosts ({served[0]} + {served[1]}), "
        "each logged with nginx's request id",
    )


def main():
    for tool in ("nginx", "redis-server"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is missing: apt-get install nginx redis-server")
    work = Path(tempfile.mkdtemp(prefix="gerai-two-hosts-"))
    os.chmod(work, 0o755)
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "DEBUG": "0",
        "SECRET_KEY": "two-hosts-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "TRUSTED_PROXIES": "1",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    processes = []
    checks = Checks()
    try:
        processes.append(start_s3(work, env))
        processes.append(start_redis(work, env))
        recreate_database(DATABASE)
        run(PYTHON, "manage.py", "migrate", "--no-input", "-v0", env=env)
        run(PYTHON, "manage.py", "seed_demo", "--businesses", "12", "--force", env=env)
        host_ports = [free_port(), free_port()]
        for number, port in enumerate(host_ports, start=1):
            folder = work / f"host{number}"
            folder.mkdir()
            host_env = {
                **env,
                "STATIC_ROOT": str(folder / "static"),
                "MEDIA_ROOT": str(folder / "media"),
            }
            run(PYTHON, "manage.py", "collectstatic", "--no-input", "-v0", env=host_env)
            processes.append(
                subprocess.Popen(
                    gunicorn_command(port, folder / "access.log"),
                    cwd=folder,
                    env=host_env,
                )
            )
        worker = exec_start("gerai-umkm-worker.service")
        worker[0] = PYTHON
        processes.append(subprocess.Popen(worker, cwd=BASE_DIR, env=env))
        nginx_port = free_port()
        config = nginx_config(work, nginx_port, host_ports)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        processes.append(
            subprocess.Popen(
                [
                    nginx,
                    "-c",
                    str(config),
                    "-p",
                    str(work / "nginx"),
                    "-g",
                    "daemon off;",
                ]
            )
        )
        hosts = [f"http://127.0.0.1:{port}" for port in host_ports]
        for url in [*hosts, f"http://127.0.0.1:{nginx_port}"]:
            wait_for(url + "/healthz")
        prove(checks, hosts, f"http://127.0.0.1:{nginx_port}", work)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
        drop_database(DATABASE)
    print(
        "All checks passed." if not checks.failed else f"{checks.failed} checks failed."
    )
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
