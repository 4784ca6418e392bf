"""Production settings come from the environment and pass Django's deploy checks."""

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings


def run_deploy_check(**environment):
    ignored = {"SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in ignored}
    env.update(
        DEBUG="0",
        ALLOWED_HOSTS="gerai-umkm.example.go.id",
        SITE_URL="https://gerai-umkm.example.go.id",
        CACHE_BACKEND="serang_umkm.cache.FailSoftRedisCache",
        CACHE_LOCATION="redis://127.0.0.1:6379/1",
    )
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_the_deploy_check():
    """With DEBUG off and a real secret, `check --deploy` reports nothing."""
    result = run_deploy_check(SECRET_KEY=secrets.token_urlsafe(50))

    assert result.returncode == 0, result.stderr


def test_a_site_url_left_at_localhost_fails_the_deploy_check():
    """The monthly summaries' links would lead to a developer's machine."""
    result = run_deploy_check(
        SECRET_KEY=secrets.token_urlsafe(50), SITE_URL="http://localhost:8000"
    )

    assert result.returncode != 0
    assert "products.W001" in result.stderr + result.stdout


def test_the_development_secret_fails_the_deploy_check():
    """Forgetting SECRET_KEY in production is caught by the deploy check."""
    result = run_deploy_check()

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_a_per_process_cache_fails_the_deploy_check():
    """Production with the default local-memory cache would serve stale pages from
    the workers that did not see a change: the deploy check says so."""
    result = run_deploy_check(
        SECRET_KEY=secrets.token_urlsafe(50),
        CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache",
    )

    assert result.returncode != 0
    assert "outlets.W001" in result.stderr


def test_defaults_are_indonesian_in_jakarta_time():
    """The site speaks Indonesian and keeps time in WIB by default."""
    assert settings.LANGUAGE_CODE == "id"
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert settings.DEBUG is False


def test_a_cache_that_raises_when_redis_is_down_fails_the_deploy_check():
    """Django's own Redis cache raises while Redis is unreachable, so every cached
    page would answer 500: the deploy check asks for the fail-soft one."""
    result = run_deploy_check(
        SECRET_KEY=secrets.token_urlsafe(50),
        CACHE_BACKEND="django.core.cache.backends.redis.RedisCache",
    )

    assert result.returncode != 0
    assert "outlets.W002" in result.stderr


def default_storage_with(**environment):
    """STORAGES["default"] of a process started with the environment."""
    ignored = {"MEDIA_BUCKET", "MEDIA_ENDPOINT_URL", "MEDIA_CUSTOM_DOMAIN"}
    env = {key: value for key, value in os.environ.items() if key not in ignored}
    env.update(DJANGO_SETTINGS_MODULE="serang_umkm.settings", **environment)
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_media_stay_on_disk_unless_a_bucket_is_set():
    """Without MEDIA_BUCKET, uploads go to this host's MEDIA_ROOT."""
    assert default_storage_with() == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_a_media_bucket_puts_uploads_in_s3_as_public_immutable_files():
    """MEDIA_BUCKET turns on the S3 storage, configured by the MEDIA_* variables:
    plain URLs (the photos are public), no overwriting, cached for a year."""
    storage = default_storage_with(
        MEDIA_BUCKET="gerai-media",
        MEDIA_ENDPOINT_URL="https://s3.example.go.id",
        MEDIA_CUSTOM_DOMAIN="media.gerai-umkm.example.go.id",
    )

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "gerai-media"
    assert options["endpoint_url"] == "https://s3.example.go.id"
    assert options["custom_domain"] == "media.gerai-umkm.example.go.id"
    assert options["querystring_auth"] is False
    assert options["file_overwrite"] is False
    assert "max-age=31536000" in options["object_parameters"]["CacheControl"]


def test_production_with_a_media_bucket_passes_the_deploy_check():
    """The S3 storage needs no connection to start: the deploy check passes."""
    result = run_deploy_check(
        SECRET_KEY=secrets.token_urlsafe(50), MEDIA_BUCKET="gerai-media"
    )

    assert result.returncode == 0, result.stderr
