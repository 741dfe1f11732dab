"""Production settings: refuse to start without secrets, and pass Django's deployment checklist."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "GATHERING_ENV": "production",
    "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-0123456789-XYZ",
    "ALLOWED_HOSTS": "gathering.example.org",
    "DATABASE_URL": "sqlite:////tmp/gathering-check.sqlite3",
    "EMAIL_URL": "smtp://mail.example.org:587/?tls=True",
    "GATHERING_ENCRYPTION_KEYS": "W7dXwEwYq7dwvbZQ2W8eKx3k9yYkqgN1dFh1pV6Rz0E=",
    # Only the cache settings are built from it: nothing connects to Redis while the checks run.
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def gathering(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    unwanted = {
        "DATABASE_URL",
        "SECRET_KEY",
        "GATHERING_ENV",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    clean = {k: v for k, v in os.environ.items() if k not in unwanted}
    return subprocess.run(
        [sys.executable, "-m", "gathering", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**clean, **env},
    )


def test_deploy_check_passes_with_production_settings(tmp_path):
    result = gathering(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "GATHERING_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "GATHERING_ENCRYPTION_KEYS", "REDIS_URL", "EMAIL_URL"]
)
def test_production_refuses_to_start_without(missing, tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = gathering("check", env={**env, "GATHERING_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr or f"Set {missing}" in result.stderr


@pytest.mark.parametrize("email_url", ["", "consolemail://", "memorymail://", "dummymail://"])
def test_production_refuses_to_print_or_drop_emails(email_url, tmp_path):
    # Every email (names, addresses) went to the log when EMAIL_URL was unset, and the deploy check passed.
    result = gathering(
        "check", env={**PRODUCTION_ENV, "EMAIL_URL": email_url, "GATHERING_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "Set EMAIL_URL to your mail server" in result.stderr


def test_production_refuses_an_empty_redis_url(tmp_path):
    # Each gunicorn worker would count sign-in failures and used codes on its own (fault 8 of issue 11).
    result = gathering("check", env={**PRODUCTION_ENV, "REDIS_URL": "", "GATHERING_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "Set REDIS_URL" in result.stderr


def test_production_refuses_to_run_background_work_in_process(tmp_path):
    # An optimiser run would take a web worker's CPU, and die with it at the next restart.
    result = gathering(
        "check", env={**PRODUCTION_ENV, "CELERY_BROKER_URL": "", "GATHERING_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "Set CELERY_BROKER_URL (or REDIS_URL)" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "memory:// True"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/3"}, "redis://127.0.0.1:6379/3 False"),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/3", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/4"},
            "redis://127.0.0.1:6379/4 False",
        ),
    ],
)
def test_the_broker_is_redis_unless_there_is_none_and_tasks_run_in_process(env, expected, tmp_path):
    script = "from django.conf import settings as s; print(s.CELERY_BROKER_URL, s.GATHERING_TASKS_EAGER)"
    result = gathering("shell", "-c", script, env={**env, "GATHERING_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_development_runs_without_redis(tmp_path):
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = gathering("shell", "-c", script, env={"GATHERING_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "django.core.cache.backends.locmem.LocMemCache"


def test_unknown_environment_name_is_refused(tmp_path):
    result = gathering("check", env={"GATHERING_ENV": "staging", "GATHERING_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "GATHERING_ENV must be 'development' or 'production'" in result.stderr


def test_passwords_are_hashed_with_argon2():
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_redis_url_gives_a_shared_cache(tmp_path):
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    script = "from django.core.cache import cache; cache.set('check', 42); print('value', cache.get('check'))"
    result = gathering(
        "shell",
        "-c",
        script,
        env={"REDIS_URL": "redis://127.0.0.1:6379/3", "GATHERING_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "value 42"
