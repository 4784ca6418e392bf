"""Settings for Gerai UMKM Kota Serang, read from the environment.

Development defaults are safe: DEBUG is off unless asked for and the database is a
local SQLite file unless DATABASE_URL is set. See README.md for every variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants
from django.utils.translation import gettext_lazy as _
from import_export.formats.base_formats import CSV, XLSX

from serang_umkm import security

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def env_list(name, default=""):
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


# Core
DEBUG = env_bool("DEBUG")
# The fallback only serves development and tests: `check --deploy` rejects it (W009).
SECRET_KEY = os.environ.get(
    "SECRET_KEY", "django-insecure-development-only-never-deploy-me"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A form whose token failed (a page left open too long, cookies blocked) answers
# with the site's own 403 page (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "serang_umkm.errors.csrf_failure"
ROOT_URLCONF = "serang_umkm.urls"
WSGI_APPLICATION = "serang_umkm.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_NAME = "Gerai UMKM Kota Serang"

# Apps
DJANGO_APPS = [
    "serang_umkm.apps.StaffAdminConfig",  # django.contrib.admin, second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "import_export",
    "csp",
    "django_tasks",
    "serang_umkm.apps.BackgroundTasksConfig",  # django-tasks-db
]
LOCAL_APPS = [
    "accounts",
    "products",
    "outlets",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # First: every response, even one from the page cache, names its request.
    "serang_umkm.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Refuses NUL bytes, redirects "//host/…" paths (serang_umkm/hostile_input.py).
    "serang_umkm.hostile_input.HostileInputMiddleware",
    # Outside the page cache, so that a cached page gets them on the way out too.
    "csp.middleware.CSPMiddleware",
    "serang_umkm.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the page cache, so that a page served from it is counted too.
    "serang_umkm.counting.CountingMiddleware",
    "serang_umkm.page_cache.PublicPageCacheMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor (staff, the admin).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Notes the signed-in user as the author of each change saved in a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its own page.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Database
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL's search settings (pg_trgm.word_similarity_threshold = 0.4, so that
# search forgives a typo, and jit = off) are stored on the database by migration
# products/0012 (ALTER DATABASE ... SET), not sent by each connection: PgBouncer in
# transaction pooling mode refuses the `options` startup parameter, and a session
# SET would leak to whichever client gets the server connection next. Every new
# session gets them, through a pooler or not (README: "Behind PgBouncer").
# A pooler in transaction mode also needs server-side cursors (QuerySet.iterator(),
# e.g. form choices, spreadsheet exports) off: such a cursor lives in one server
# session, and the pooler may send the next FETCH to another.
if env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS"):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer (not one that refuses: that fails at
    # once) fails the request after this many seconds, well inside gunicorn's 30.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )

# Cache: local memory per process by default; a shared cache in production.
CACHES = {
    "default": {
        "BACKEND": os.environ.get(
            "CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": os.environ.get("CACHE_LOCATION", "gerai-umkm"),
    }
}

# Rendered public pages for anonymous visitors, kept until what they show changes
# (serang_umkm/page_cache.py).
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "600"))
# The generation and the outlets' hours the page cache keys pages by are read from the
# cache at most this often by each process (a page served from the cache then costs
# one cache round trip); a change another process commits shows within this time.
PUBLIC_PAGE_STATE_MEMO_SECONDS = float(
    os.environ.get("PUBLIC_PAGE_STATE_MEMO_SECONDS", "1")
)

# Counting views, WhatsApp taps, label scans and searches without results
# (serang_umkm/counting.py): one count per visitor, thing and window (seconds), kept
# in the shared cache and added to the tables every COUNTS_FLUSH_SECONDS.
COUNTS_ENABLED = env_bool("COUNTS_ENABLED", default=True)
COUNT_WINDOW_SECONDS = int(os.environ.get("COUNT_WINDOW_SECONDS", str(30 * 60)))
COUNTS_FLUSH_SECONDS = int(os.environ.get("COUNTS_FLUSH_SECONDS", "60"))
# The site's address in emails sent outside a request (the monthly summaries).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")
# Each process sends its counts to Redis together, this long after the first.
COUNTS_PUSH_SECONDS = float(os.environ.get("COUNTS_PUSH_SECONDS", "1"))

# Authentication
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out person is refused before their password is checked:
    # an IP address with too many failures on any accounts, then django-axes.
    "accounts.ratelimits.SignInRateLimitBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "outlets:dashboard"
LOGOUT_REDIRECT_URL = "home"
# Staff sign in to the admin with a second factor (accounts/two_factor.py): a code
# of an authenticator app, or a recovery code; their sessions end sooner.
OTP_TOTP_ISSUER = SITE_NAME
STAFF_SESSION_SECONDS = int(os.environ.get("STAFF_SESSION_SECONDS", str(8 * 60 * 60)))
# A link to confirm a new account's email address stays valid this many seconds.
EMAIL_CONFIRMATION_TIMEOUT = 3 * 24 * 60 * 60
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
]

# The history of businesses, products and displays is a record: never reverted.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Spreadsheet import and export in the admin (django-import-export): CSV and XLSX
# only; importing needs the add permission, exporting the view permission; each
# import runs in one transaction, so a failed or dry run writes nothing.
IMPORT_FORMATS = [CSV, XLSX]
EXPORT_FORMATS = [CSV, XLSX]
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Spreadsheets often end in rows that only look empty (formatted cells).
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True

# Background tasks (django-tasks): long jobs such as large bulk decisions are queued
# in the database and run by `manage.py db_worker` (README: "Background tasks").
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A bulk decision on more objects than this runs as a background task instead of
# in the web request (gunicorn gives a request 30 s).
BULK_DECISIONS_IN_REQUEST = int(os.environ.get("BULK_DECISIONS_IN_REQUEST", "200"))
# The admin's spreadsheet imports are previewed and written by background tasks
# (products/imports.py): a job records its progress every IMPORT_PROGRESS_EVERY
# rows, and one without progress for IMPORT_JOB_STALE_AFTER lost its worker (it is
# given up; nothing of it was written) and no longer holds back other imports.
IMPORT_PROGRESS_EVERY = 250
IMPORT_JOB_STALE_AFTER = timedelta(minutes=10)

# Failed sign-ins: django-axes locks an email address on one IP address for an hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# How many proxies (load balancer, nginx) stand in front of gunicorn and append to
# X-Forwarded-For; 0 when gunicorn faces visitors directly.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "accounts.views.client_ip"
AXES_USERNAME_CALLABLE = "accounts.views.axes_username"
# Rate limits of the account pages (accounts/ratelimits.py, django-ratelimit, in the
# cache; they fail open while the cache is down): "<count>/<period>", per visitor IP
# address (client_ip) or per email address typed. README: "Accounts and security".
ACCOUNT_RATE_LIMITS = {
    # Failed sign-ins from one IP address, whatever the account (password spraying).
    "login_failures_ip": "20/h",
    "signup_ip": "10/h",
    # Sign-ups with one address: each one emails the address (a confirmation
    # link, or a warning to its owner when it already has an account).
    "signup_email": "3/h",
    "password_reset_ip": "10/h",
    "password_reset_email": "3/h",
    "resend_ip": "10/h",
    "resend_email": "3/h",
}
RATELIMIT_FAIL_OPEN = True

# Internationalisation
LANGUAGE_CODE = "id"
LANGUAGES = [
    ("id", _("Indonesian")),
    ("en", _("English")),
]
# The project's catalogue, then Indonesian for third-party apps that ship none
# (django-import-export).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "third_party"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
PRIVATE_MEDIA_ROOT = Path(
    os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media")
)
# With several hosts, uploads go to a bucket of S3-compatible object storage that all
# of them share (django-storages); without MEDIA_BUCKET, to this host's MEDIA_ROOT.
MEDIA_BUCKET = os.environ.get("MEDIA_BUCKET", "")
# The options of that bucket's storage (tests/media.py reuses them for a test
# bucket). Photos are public and stored under random names that never change: plain
# URLs without expiring signatures, served by the bucket or a CDN in front of it
# (MEDIA_CUSTOM_DOMAIN), cached for a year and never overwritten.
MEDIA_S3_OPTIONS = {
    "bucket_name": MEDIA_BUCKET,
    "endpoint_url": os.environ.get("MEDIA_ENDPOINT_URL") or None,
    "region_name": os.environ.get("MEDIA_REGION") or None,
    "access_key": os.environ.get("MEDIA_ACCESS_KEY_ID") or None,
    "secret_key": os.environ.get("MEDIA_SECRET_ACCESS_KEY") or None,
    "custom_domain": os.environ.get("MEDIA_CUSTOM_DOMAIN") or None,
    "location": os.environ.get("MEDIA_LOCATION", ""),
    "querystring_auth": False,
    "file_overwrite": False,
    "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
}
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": MEDIA_S3_OPTIONS}
        if MEDIA_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    # Files not for the public (uploaded registers hold owners' phone numbers): in
    # the bucket under private/, which its public-read policy must not cover, with
    # signed URLs that expire; on disk in PRIVATE_MEDIA_ROOT, which is never served.
    "private": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **MEDIA_S3_OPTIONS,
                "location": "/".join(
                    filter(None, [MEDIA_S3_OPTIONS["location"], "private"])
                ),
                "custom_domain": None,
                "querystring_auth": True,
                "default_acl": "private",
                "object_parameters": {},
            },
        }
        if MEDIA_BUCKET
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads above this stay on disk instead of in memory while they are checked.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Email: printed to the console unless an SMTP host is configured.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# Seconds the worker waits for the mail server before the attempt counts as failed
# (and is tried again later, see accounts/tasks.py).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Gerai UMKM Kota Serang <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Forms
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security: strict unless DEBUG; HTTPS is terminated by the proxy in front of gunicorn.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles and fonts from this site only,
# with no inline script, handler or style anywhere (admin included); images also
# from the map tiles and, with S3 media, the bucket or its CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [
            csp_constants.SELF,
            "data:",
            security.MAP_TILE_ORIGIN,
            *security.media_origins(MEDIA_URL, MEDIA_BUCKET, MEDIA_S3_OPTIONS),
        ],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
        "form-action": [csp_constants.SELF],
        "base-uri": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
    },
}
# Geolocation for this site only (distance to the outlets); no camera, microphone,
# payment or USB for anyone (serang_umkm.security.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
# /.well-known/security.txt (RFC 9116): where to report a vulnerability.
SECURITY_CONTACT = os.environ.get(
    "SECURITY_CONTACT", "mailto:keamanan@serangkota.go.id"
)
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Logging: everything to the console, where gunicorn and the host collect it; each
# line names its request (X-Request-ID). LOG_FORMAT=json writes one JSON object per
# line, for a log collector.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "serang_umkm.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "serang_umkm.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes reports every successful sign-in at INFO; failures are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}

# /readyz reports the task queue as failing when a due task has waited this long
# (seconds): no worker is taking it.
READYZ_MAX_TASK_WAIT = int(os.environ.get("READYZ_MAX_TASK_WAIT", "300"))

# Errors (and a sample of traces) go to Sentry when SENTRY_DSN is set; nothing
# personal is sent (no cookies, addresses or request bodies).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )
