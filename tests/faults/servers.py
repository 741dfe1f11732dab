"""Real components for the fault tests, started and stopped by the tests on 127.0.0.1: a private redis-server,
a database of the test's own (PostgreSQL, or an SQLite file), gunicorn with production settings, and a small
HTTP client that keeps cookies, speaks through "nginx" (the forwarded headers production trusts) and times
every request against a hard timeout. Every process runs in a process group of its own, and is ended with
its group."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg
import pytest
import redis
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = "/usr/bin/redis-server"
# Any valid Fernet key: the data made here is thrown away with its database.
ENCRYPTION_KEY = "W7dXwEwYq7dwvbZQ2W8eKx3k9yYkqgN1dFh1pV6Rz0E="
# Variables of the calling shell that would change what the server under test runs against.
UNWANTED = {
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "GATHERING_ENV",
    "GATHERING_VAR_DIR",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "CONN_MAX_AGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def unavailable(reason: str) -> None:
    """Skip the test for want of a component; under CI=true, fail it instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = log.read_text()[-3000:] if log is not None and log.exists() else ""
            pytest.fail(f"{what}: not within {timeout} s\n{tail}")
        time.sleep(0.1)


def end_group(process: subprocess.Popen, *, grace: float = 10, sig: int = signal.SIGTERM) -> None:
    """Signal the process's group to stop (SIGTERM unless `sig` says otherwise), then SIGKILL whatever is
    left of it after `grace` seconds."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # whatever the group left behind
    process.wait(timeout=10)


# ---------------------------------------------------------------- Redis


class RedisServer:
    """A redis-server of the test's own on a free port. It keeps nothing on disk: stopping it loses its data,
    as a Redis without persistence would."""

    def __init__(self, directory: Path) -> None:
        if not Path(REDIS_SERVER).exists():
            unavailable(f"{REDIS_SERVER} is not installed")
        self.directory, self.port = directory, free_port()
        self.log = directory / "redis.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.directory), "--logfile", str(self.log), "--daemonize", "no",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL)
        wait_for(self.answers, 10, "redis-server answering", self.log)

    def answers(self) -> bool:
        try:
            return bool(self.client(0).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            end_group(self.process)
            self.process = None

    def client(self, db: int) -> redis.Redis:
        return redis.Redis(
            host="127.0.0.1", port=self.port, db=db, socket_timeout=2, socket_connect_timeout=2
        )

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


@contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------- the database


def postgres_params() -> dict[str, Any]:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db.get("PASSWORD") or None,
    }


def postgres_url(name: str) -> str:
    params = postgres_params()
    credentials = params["user"] + (f":{params['password']}" if params["password"] else "")
    return f"postgres://{credentials}@{params['host']}:{params['port']}/{name}"


def uses_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **postgres_params())
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL cannot be reached ({type(error).__name__})")
        raise


@contextmanager
def database_template(directory: Path) -> Iterator[tuple[str, str]]:
    """An empty database to migrate once, for `fresh_database` to copy: on PostgreSQL a database of its own
    on the test's server (no other database is touched), otherwise an SQLite file. Yields its name or path,
    and its DATABASE_URL; gone afterwards."""
    if not uses_postgres():
        path = directory / "template.sqlite3"
        yield str(path), f"sqlite:///{path}"
        return
    name = f"gathering_fault_template_{os.getpid()}"
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name, postgres_url(name)
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(purpose: str, directory: Path, template: str) -> Iterator[str]:
    """A new database for one test, a copy of the migrated `template`, as a DATABASE_URL; gone afterwards."""
    if not uses_postgres():
        path = directory / "gathering.sqlite3"
        shutil.copyfile(template, path)
        if Path(f"{template}-wal").exists():  # what the last writer left in the write-ahead log
            shutil.copyfile(f"{template}-wal", f"{path}-wal")
        yield f"sqlite:///{path}"
        return
    name = f"gathering_fault_{purpose}_{os.getpid()}"
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield postgres_url(name)
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------- gathering commands


def production_env(*, database_url: str, redis_port: int, var_dir: Path, email_port: int) -> dict[str, str]:
    """What production demands (GATHERING_ENV=production refuses to start without it), on loopback: the
    cache in Redis database 0, the broker in database 1, mail to `email_port`."""
    clean = {key: value for key, value in os.environ.items() if key not in UNWANTED}
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "gathering.settings",
        "GATHERING_ENV": "production",
        "SECRET_KEY": "fault-tests-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "GATHERING_ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/1",
        "EMAIL_URL": f"smtp://127.0.0.1:{email_port}",
        "EMAIL_TIMEOUT": "5",
        "GATHERING_VAR_DIR": str(var_dir),
        "GATHERING_BASE_URL": "https://127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }


def gathering(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "gathering", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"gathering {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result


@contextmanager
def gathering_in_background(*args: str, env: dict[str, str], log: Path) -> Iterator[None]:
    """Run a `gathering` command while the block runs; at its end wait for the command, and fail if it did."""
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gathering", *args],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield
        if process.wait(timeout=180) != 0:
            pytest.fail(f"gathering {' '.join(args)} failed:\n{log.read_text()[-3000:]}")
    finally:
        end_group(process, grace=0)


def gathering_call(name: str, *, env: dict[str, str], **kwargs: object) -> Any:
    """Run `tests.faults.scenario.<name>(**kwargs)` against the server's database; its result."""
    call = {**env, "GATHERING_FAULTS_CALL": json.dumps([name, kwargs])}
    result = gathering("shell", "-c", "from tests.faults.scenario import main; main()", env=call)
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- gunicorn


class Gunicorn:
    """`gunicorn gathering.wsgi` as deployed (sync workers), on a free port, logging to a file."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int) -> None:
        self.env, self.log, self.workers = env, log, workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "gathering.wsgi", "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers), "--timeout", "30", "--graceful-timeout", "5",
            "--no-control-socket", "--log-level", "warning",
        ]  # fmt: skip
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(lambda: len(self.worker_pids()) == self.workers, 30, "gunicorn's workers", self.log)
        wait_for(self._answers, 30, "gunicorn answering", self.log)

    def _answers(self) -> bool:
        try:
            return Browser(self.port, timeout=5).get("/help/").status == 200
        except OSError:
            return False

    def worker_pids(self) -> set[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()} if children.exists() else set()

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        if self.process is not None:
            # SIGQUIT: gunicorn's quick shutdown; nothing is in flight once a test is done with it.
            end_group(self.process, sig=signal.SIGQUIT)
            self.process = None


@contextmanager
def gunicorn(env: dict[str, str], log: Path, *, workers: int) -> Iterator[Gunicorn]:
    server = Gunicorn(env, log, workers=workers)
    try:
        server.start()
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------- a client


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class Browser:
    """One person's browser behind nginx: HTTPS as far as Django knows (X-Forwarded-Proto), from `address`
    (X-Forwarded-For, the one proxy production trusts), with its cookies. Every request has a hard timeout."""

    port: int
    address: str = "192.0.2.10"
    timeout: float = 10
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Reply:
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            **({"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}),
            **(headers or {}),
        }
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body or None, headers=sent)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        seconds = time.monotonic() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, text, seconds)

    def get(self, path: str, *, token: str | None = None) -> Reply:
        headers = {"Authorization": f"Token {token}"} if token else None
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, data: dict[str, str], *, page: Reply | None = None) -> Reply:
        """Submit the form on `page` (by default, the page at `path`, fetched first) as a browser would: to
        `path`, with the form's CSRF token and the Origin header."""
        page = page or self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no form on {path} ({page.status})"
        body = urlencode({"csrfmiddlewaretoken": token.group(1), **data}, doseq=True).encode()
        return self.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://127.0.0.1:{self.port}",
            },
        )

    def post_json(self, path: str, data: object, *, token: str) -> Reply:
        return self.request(
            "POST",
            path,
            body=json.dumps(data).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        )
