"""Production settings come from the environment and pass Django's deploy checks."""

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
        CACHE_BACKEND="django.core.cache.backends.redis.RedisCache",
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
