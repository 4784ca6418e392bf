"""Shared fixtures for the whole suite; factories live in tests/factories.py."""

import os
from importlib import import_module
from pathlib import Path

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses
# to run next to one unless told it is safe (tests only, never in settings).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.apps import apps as django_apps  # noqa: E402
from django.conf import settings as django_settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.utils import translation  # noqa: E402
from django.utils.functional import empty  # noqa: E402

from accounts.roles import sync_roles  # noqa: E402
from outlets.models import Outlet  # noqa: E402
from products.models import private_storage_object  # noqa: E402
from serang_umkm.counting import recently_seen  # noqa: E402
from serang_umkm.page_cache import StateMemo  # noqa: E402
from tests.admin_helpers import make_verifier  # noqa: E402
from tests.media import (  # noqa: E402
    media_storage,
    private_media_storage,
    remove_stored_media,
)
from tests.redis_server import redis_server  # noqa: E402, F401 - a fixture

REFERENCE_DATA_MIGRATIONS = [
    "products.migrations.0002_kelurahan_and_categories",
    "outlets.migrations.0002_real_agencies_and_outlets",
]


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    """The live server and the test client speak plain HTTP; production redirects
    to HTTPS. For the whole session (before the live server's middleware reads it),
    the settings each test changes being _test_settings'."""
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        yield


@pytest.fixture(autouse=True)
def _fresh_state():
    """Each test starts with an empty cache and in Indonesian: a request to /en/ in
    an earlier test leaves English active in the thread, and reverse() follows it."""
    cache.clear()
    recently_seen.forget()
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """The settings of every test: fast passwords, files and emails of its own,
    tasks run on commit, the page cache off (tests of it turn it on)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Files go to a folder of the test's own, or to a key prefix of its own in the
    # S3 test bucket when TEST_MEDIA_BUCKET is set (tests/media.py).
    settings.MEDIA_ROOT = tmp_path / "media"
    storage = media_storage()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage,
        "private": private_media_storage(storage, tmp_path / "private-media"),
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    private_storage_object._wrapped = empty  # read the test's "private" storage
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Background tasks (emails, bulk decisions) run when their transaction commits;
    # tests of the queue itself use the database backend and a worker.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    # Query counts measure a page's own rendering; tests/test_page_cache.py turns
    # the page cache on where it is the subject.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    # Tests change the cache under the page cache's feet: its state is read each
    # time (tests/test_page_cache.py tests the memo).
    settings.PUBLIC_PAGE_STATE_MEMO_SECONDS = 0
    StateMemo.forget()
    yield
    remove_stored_media(storage)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium instead of a downloaded browser (no downloads here)."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation([event.violatedDirective, event.blockedURI,
    event.sourceFile + ":" + event.lineNumber, event.sample].join(" "));
});
"""


@pytest.fixture(autouse=True)
def _no_csp_violations(request, monkeypatch):
    """A browser test fails if any page it opened broke the Content-Security-Policy:
    every context made from the browser (the page fixture's, and those tests make
    with browser.new_context()) reports securitypolicyviolation events and the
    console's "Content Security Policy" errors."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    browser = request.getfixturevalue("browser")
    violations = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.expose_binding(
            "__cspViolation", lambda source, text: violations.append(text)
        )
        context.add_init_script(CSP_LISTENER)
        context.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and violations.append(message.text)
            ),
        )
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield violations
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


@pytest.fixture
def reference_data(transactional_db):
    """What the data migrations create (kelurahan, categories, agencies, outlets),
    and the staff roles, put back for transactional tests: each of them ends by
    emptying the database (permissions and roles come back through post_migrate;
    sync_roles() makes sure of the roles, cheaply, whatever ran before)."""
    for migration in REFERENCE_DATA_MIGRATIONS:
        import_module(migration).load(django_apps, None)
    sync_roles()


@pytest.fixture
def cipare(db):
    return Outlet.objects.get(slug="gerai-umkm-cipare")


@pytest.fixture
def kasemen(db):
    return Outlet.objects.get(slug="gerai-umkm-kasemen")


@pytest.fixture
def iwak_banten(db):
    return Outlet.objects.get(slug="iwak-banten")


AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"


@pytest.fixture
def axe_violations():
    """Run axe-core (WCAG 2 A and AA rules, and heading-order: headings that skip a
    level mislead a screen reader's outline) in a Playwright page; return
    violations."""
    source = AXE_SOURCE.read_text()

    def run(page):
        # The page as it settles: a colour still fading in (a button's transition
        # after a press) would be measured midway.
        page.evaluate(
            "() => Promise.all(document.getAnimations().map((a) => a.finished))"
        )
        page.evaluate(source)
        result = page.evaluate(
            """() => axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]},
                rules: {"heading-order": {enabled: true}}
            })"""
        )
        return [
            (violation["id"], [node["target"] for node in violation["nodes"]])
            for violation in result["violations"]
        ]

    return run


@pytest.fixture
def offline_map_tiles(page):
    """Map tiles cannot load here (no internet), as on a bad mobile connection."""
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    return page


@pytest.fixture
def requests_commit(client, django_capture_on_commit_callbacks, monkeypatch):
    """Each request of the test client ends as in production, as if its transaction
    committed: what it queued for after the commit (emails) runs then. (The test's
    own transaction never commits.)"""
    request = client.request

    def committing_request(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return request(**kwargs)

    monkeypatch.setattr(client, "request", committing_request)


@pytest.fixture
def database_queue(settings):
    """Background tasks queued in the database, as in production (the suite's
    default is the immediate backend); tests/task_helpers.py runs the queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _staff_verified_on_force_login(request, monkeypatch):
    """A staff member signed in with Client.force_login() counts as verified by a
    second factor (a recovery-code device of their own), as the admin requires
    (accounts/two_factor.py); tests of the sign-in itself, marked second_factor,
    go through the real form instead."""
    if request.node.get_closest_marker("second_factor"):
        return
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    original = Client._login

    def login_verified(self, user, backend=None):
        original(self, user, backend)
        if user.is_staff:
            device, _ = StaticDevice.objects.get_or_create(
                user=user, name="tests", defaults={"confirmed": True}
            )
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "_login", login_verified)


@pytest.fixture
def verifikator(db):
    """A Verifikator UMKM (staff who verify businesses and products)."""
    return make_verifier()


@pytest.fixture
def verifikator_client(client, verifikator):
    """The test client, signed in as the Verifikator."""
    client.force_login(verifikator)
    return client


@pytest.fixture
def page_cache_on(settings):
    """The public page cache as deployed (the suite runs with it off)."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
