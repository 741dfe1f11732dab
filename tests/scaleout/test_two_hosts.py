"""Scale-out, as docs/deployment.md lays it out (section 16, "Two or more application hosts"): two
application hosts behind nginx, one PostgreSQL, one Redis, a Celery worker on each host and one beat. A
registration rush through the balancer still confirms exactly the places there are; a signed-in person stays
signed in while the balancer sends them to one host, then the other; a periodic job runs once per interval,
not once per host.

Each host is a network namespace joined to the root namespace by a veth pair on a /30 of its own, running
gunicorn (two workers) on the host's address and a Celery worker for every queue (default and optimise); host
a also runs the one beat. nginx, in the root namespace, balances the two round-robin, sets X-Forwarded-For and
X-Forwarded-Proto as production's nginx does, and names the host that answered in an X-Upstream header.
Redis, started for the run, listens on the root ends of the veth pairs; PostgreSQL is reached through its
Unix socket, which crosses network namespaces. Where namespaces cannot be made (not root), the hosts listen
on 127.0.0.2 and 127.0.0.3 instead, and the rest is the same.

Every process runs the production settings: one SECRET_KEY and encryption key for both hosts, sessions in the
database, Redis as cache and broker, mail to an SMTP server the test runs. The database is made for the run,
migrated once from the root namespace before the hosts start, and dropped at the end.

PostgreSQL only: two hosts cannot share an SQLite file. Without nginx or redis-server (`make test-services`
installs them) the tests are skipped, except under CI=true, where that is a failure.
"""

import http.client
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from cryptography.fernet import Fernet
from django.db import connection

from gathering.celery import app

from ..core.brokers import using_broker
from ..core.test_outbox_smtp import Recorder

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
SITE = "gathering.test"
PEOPLE, PLACES, CLIENTS = 300, 30, 30
# The periodic job `scaleout.tick` (tests/scaleout/celery_app.py) is due this often.
TICK_SECONDS = 3.0
APP_PORT = 8000
IP = shutil.which("ip") or "/usr/sbin/ip"
HOST_NAMES = ("a", "b")
# The application's own variables: none of the test process's values may leak into the hosts.
APP_VARIABLES = {
    "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "CSRF_TRUSTED_ORIGINS",
    "CONN_MAX_AGE", "LOG_LEVEL", "DEFAULT_FROM_EMAIL", "EMAIL_TIMEOUT",
}  # fmt: skip
APP_PREFIXES = ("GATHERING_", "CELERY_", "SECURE_", "DJANGO_")


def unavailable(reason: str) -> None:
    """Skip: something the layout needs is missing. Under CI=true, fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return probe.getsockname()[1]


class Process:
    """One program in its own process group (its workers stop with it), its output in a log file."""

    def __init__(self, name: str, command: list[str], *, env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        with log.open("w") as output:
            self.popen = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, number: int) -> None:
        # The whole group: a pool child or gunicorn worker whose parent has gone is stopped too.
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, number)


def stop(processes: list[Process], *, grace: float = 10) -> None:
    """SIGTERM every process group at once, then SIGKILL whatever is left after `grace` seconds."""
    for process in processes:
        process.signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        with suppress(subprocess.TimeoutExpired):
            process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        process.signal(signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            process.popen.wait(timeout=5)


@dataclass
class Host:
    """One application host: where its gunicorn listens, and the root namespace's address it reaches Redis and
    the mail server at."""

    name: str
    address: str
    port: int
    gateway: str
    namespace: str | None = None

    @property
    def upstream(self) -> str:
        return f"{self.address}:{self.port}"

    def command(self, argv: list[str]) -> list[str]:
        return [IP, "netns", "exec", self.namespace, *argv] if self.namespace else argv


def ip(*argv: str) -> str:
    return subprocess.run([IP, *argv], check=True, capture_output=True, text=True, timeout=30).stdout


def network_hosts(stack: ExitStack) -> list[Host]:
    """Two hosts in network namespaces of their own, each with a veth pair to the root namespace; or, where
    namespaces cannot be made, two loopback addresses."""
    if os.geteuid() == 0 and Path(IP).exists():
        try:
            return namespace_hosts(stack)
        except subprocess.CalledProcessError as error:
            print(f"Network namespaces unavailable ({error.stderr.strip()}): hosts on loopback addresses")
    return [
        Host(name, address, free_port(address), "127.0.0.1")
        for name, address in zip(HOST_NAMES, ("127.0.0.2", "127.0.0.3"), strict=True)
    ]


def namespace_hosts(stack: ExitStack) -> list[Host]:
    tag = os.getpid()
    taken = ip("-4", "-o", "addr") + ip("-4", "route")
    # 10.231.<octet>.0/29: one /30 per host, an octet no interface or route on this machine uses.
    octet = next(
        candidate
        for candidate in ((tag + step) % 250 + 1 for step in range(250))
        if f"10.231.{candidate}." not in taken
    )
    hosts = []
    for k, name in enumerate(HOST_NAMES):
        namespace, outside, inside = f"gathering-{name}-{tag}", f"gth{tag}{name}r", f"gth{tag}{name}h"
        gateway, address = f"10.231.{octet}.{4 * k + 1}", f"10.231.{octet}.{4 * k + 2}"
        ip("netns", "add", namespace)
        stack.callback(subprocess.run, [IP, "netns", "del", namespace], capture_output=True, check=False)
        ip("link", "add", outside, "type", "veth", "peer", "name", inside, "netns", namespace)
        stack.callback(subprocess.run, [IP, "link", "del", outside], capture_output=True, check=False)
        ip("addr", "add", f"{gateway}/30", "dev", outside)
        ip("link", "set", outside, "up")
        ip("-n", namespace, "addr", "add", f"{address}/30", "dev", inside)
        ip("-n", namespace, "link", "set", inside, "up")
        ip("-n", namespace, "link", "set", "lo", "up")
        hosts.append(Host(name, address, APP_PORT, gateway, namespace))
    return hosts


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def upstream(self) -> str:
        return self.headers.get("X-Upstream", "")


def request(
    port: int, method: str, path: str, *, address: str = "127.0.0.1", headers: dict[str, str] | None = None,
    body: str | None = None, timeout: float = 60,
) -> Answer:  # fmt: skip
    """One request for the site's own host name, to nginx or (for readiness) to a host directly."""
    connection = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Host": SITE, **(headers or {})})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read().decode(errors="replace"))
    finally:
        connection.close()


@dataclass
class Layout:
    """The running site: its hosts, every process and log, and the database the test reads behind it."""

    tmp: Path
    hosts: list[Host]
    nginx_port: int
    broker_url: str
    database: dict[str, object]
    recorder: Recorder
    setup: dict[str, object] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    started_in: float = 0.0

    def request(self, method: str, path: str, **kwargs: object) -> Answer:
        return request(self.nginx_port, method, path, **kwargs)  # type: ignore[arg-type]

    def upstreams(self) -> set[str]:
        return {host.upstream for host in self.hosts}

    def query(self, sql: str, *params: object) -> list[tuple]:
        with psycopg.connect(**self.database, autocommit=True) as reader:  # type: ignore[arg-type]
            return reader.execute(sql, params).fetchall()

    def ticks(self) -> list[tuple[str, float]]:
        path = self.tmp / "ticks"
        if not path.exists():
            return []
        rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
        return sorted(((host, float(at)) for host, at in rows), key=lambda tick: tick[1])

    def tails(self, chars: int = 3000) -> str:
        logs = sorted(self.tmp.glob("*.log"))
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-chars:]}" for log in logs)


def wait_for(condition: Callable[[], object], timeout: float, layout: Layout, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f} s\n{layout.tails()}")
        time.sleep(0.2)


def database_server() -> dict[str, object]:
    """How this test process reaches the PostgreSQL server its own settings name."""
    if connection.vendor != "postgresql":
        pytest.skip("two hosts share one PostgreSQL database: shown on PostgreSQL, never on an SQLite file")
    config = connection.settings_dict
    options = config.get("OPTIONS", {})
    return {
        "host": config["HOST"] or options.get("host") or "/var/run/postgresql",
        "port": int(config["PORT"] or options.get("port") or 5432),
        "user": config["USER"] or options.get("user") or "postgres",
        "password": config["PASSWORD"] or None,
    }


def database_url(server: dict[str, object], name: str, *, socket_only: bool) -> str:
    """The hosts' DATABASE_URL. Inside a namespace only PostgreSQL's Unix socket is reachable."""
    user = urllib.parse.quote(str(server["user"]), safe="")
    if server["password"]:
        user += ":" + urllib.parse.quote(str(server["password"]), safe="")
    host, port = str(server["host"]), server["port"]
    if host.startswith("/"):
        return f"postgres://{user}@/{name}?host={host}&port={port}"
    if not socket_only:
        return f"postgres://{user}@{host}:{port}/{name}"
    for folder in ("/var/run/postgresql", "/run/postgresql", "/tmp"):  # noqa: S108
        if Path(folder, f".s.PGSQL.{port}").exists():
            return f"postgres://{user}@/{name}?host={folder}&port={port}"
    unavailable(
        f"PostgreSQL's Unix socket for port {port} was not found; hosts in namespaces connect through it"
    )
    raise AssertionError  # unreachable


def nginx_config(tmp: Path, hosts: list[Host], port: int) -> Path:
    temp = tmp / "nginx"
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / folder).mkdir(parents=True, exist_ok=True)
    # As docs/deployment.md's balancer: a host that refuses connections is left out for a while.
    servers = "\n".join(f"        server {host.upstream} max_fails=3 fail_timeout=10s;" for host in hosts)
    # As root, nginx's workers would run as nobody and could not use the private temporary folders.
    user = "user root;" if os.geteuid() == 0 else ""
    config = tmp / "nginx.conf"
    config.write_text(f"""
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format scaleout '$time_iso8601 "$request_method $uri" $status $upstream_addr $request_time';
    access_log {tmp}/nginx-access.log scaleout;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream gathering_app {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name {SITE};
        location / {{
            proxy_pass http://gathering_app;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_redirect off;
            proxy_connect_timeout 5s;
            proxy_send_timeout 35s;
            proxy_read_timeout 35s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
""")
    return config


def clean_environment() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if key not in APP_VARIABLES and not key.startswith(APP_PREFIXES)
    }


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layout]:
    server = database_server()
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if nginx is None or not Path(redis_server).exists():
        unavailable("nginx and redis-server are needed for the scale-out test: run `make test-services`")
    began = time.monotonic()
    tmp = tmp_path_factory.mktemp("scaleout")
    name = f"gathering_scaleout_{os.getpid()}"
    admin = {**server, "dbname": "postgres"}
    try:
        with psycopg.connect(**admin, autocommit=True, connect_timeout=5) as postgres:
            postgres.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            postgres.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL cannot be reached: {error}")

    with ExitStack() as stack:

        def drop_database() -> None:
            with psycopg.connect(**admin, autocommit=True) as postgres:
                postgres.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        stack.callback(drop_database)
        hosts = network_hosts(stack)
        namespaced = hosts[0].namespace is not None
        gateways = sorted({host.gateway for host in hosts})

        recorder = Recorder()
        smtp_port = free_port()
        for gateway in gateways:
            controller = Controller(recorder, hostname=gateway, port=smtp_port)
            controller.start()
            stack.callback(controller.stop)

        redis_port = free_port()
        redis_log = tmp / "redis.log"
        redis = Process(
            "redis",
            [redis_server, "--bind", *gateways, "--port", str(redis_port), "--save", "", "--appendonly", "no",
             "--protected-mode", "no", "--dir", str(tmp)],
            env=clean_environment(), log=redis_log,
        )  # fmt: skip
        processes = [redis]
        stack.callback(stop, processes)

        layout = Layout(
            tmp=tmp,
            hosts=hosts,
            nginx_port=free_port(),
            broker_url=f"redis://{gateways[0]}:{redis_port}/1",
            database={**server, "dbname": name},
            recorder=recorder,
        )
        layout.processes["redis"] = redis
        wait_for(lambda: "Ready to accept connections" in redis.output(), 20, layout, "Redis started")

        shared = {
            **clean_environment(),
            "DJANGO_SETTINGS_MODULE": "gathering.settings",
            "PYTHONPATH": str(ROOT),
            "GATHERING_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "GATHERING_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": SITE,
            "GATHERING_BASE_URL": f"https://{SITE}",
            "GATHERING_TRUSTED_PROXY_COUNT": "1",
            # Shared storage: collected static files and uploads, one folder for both hosts.
            "GATHERING_VAR_DIR": str(tmp / "var"),
            "DATABASE_URL": database_url(server, name, socket_only=namespaced),
            "DEFAULT_FROM_EMAIL": f"Gathering <no-reply@{SITE}>",
            "LOG_LEVEL": "INFO",
            "SCALEOUT_TICK_SECONDS": str(TICK_SECONDS),
            "SCALEOUT_TICKS": str(tmp / "ticks"),
        }

        def environment(host: Host) -> dict[str, str]:
            return {
                **shared,
                "REDIS_URL": f"redis://{host.gateway}:{redis_port}/0",
                "CELERY_BROKER_URL": f"redis://{host.gateway}:{redis_port}/1",
                "EMAIL_URL": f"smtp://{host.gateway}:{smtp_port}",
                "SCALEOUT_HOST": host.name,
            }

        # Migrations and static files once, from the root namespace, before any host starts.
        prepared = subprocess.run(
            [sys.executable, "-m", "tests.scaleout.prepare", str(PEOPLE), str(PLACES)],
            env=environment(hosts[0]), cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if prepared.returncode != 0:
            pytest.fail(f"preparing the database failed:\n{prepared.stderr[-5000:]}")
        layout.setup = json.loads(prepared.stdout.strip().splitlines()[-1])

        celery = [sys.executable, "-m", "celery", "-A", "tests.scaleout.celery_app"]
        for host in hosts:
            env = environment(host)
            programs = {
                f"gunicorn-{host.name}": [
                    sys.executable, "-m", "gunicorn", "gathering.wsgi", "--workers", "2",
                    "--bind", host.upstream, "--timeout", "60", "--backlog", "2048", "--no-control-socket",
                    "--log-level", "warning",
                ],
                f"worker-{host.name}": [
                    *celery, "worker", "-Q", "default,optimise", "--concurrency", "2",
                    "-n", f"host-{host.name}@%h",
                    "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
                ],
            }  # fmt: skip
            if host is hosts[0]:
                # The one beat of the site.
                schedule = str(tmp / "beat-schedule")
                programs["beat-a"] = [*celery, "beat", "--schedule", schedule, "--loglevel", "INFO"]
            for program, argv in programs.items():
                process = Process(program, host.command(argv), env=env, log=tmp / f"{program}.log")
                processes.append(process)
                layout.processes[program] = process

        config = nginx_config(tmp, hosts, layout.nginx_port)
        command = [nginx, "-p", str(tmp / "nginx"), "-e", str(tmp / "nginx-error.log"), "-c", str(config)]
        nginx_process = Process(
            "nginx", [*command, "-g", "daemon off;"], env=clean_environment(), log=tmp / "nginx.log"
        )
        processes.append(nginx_process)
        layout.processes["nginx"] = nginx_process

        def answers(address: str, port: int) -> bool:
            with suppress(OSError):
                direct = request(
                    port, "GET", "/help/", address=address, headers={"X-Forwarded-Proto": "https"}, timeout=5
                )
                return direct.status == 200
            return False

        def ready() -> bool:
            dead = [process.name for process in processes if not process.alive()]
            if dead:
                pytest.fail(f"{', '.join(dead)} stopped while starting\n{layout.tails()}")
            return (
                all(answers(host.address, host.port) for host in hosts)
                and all(" ready." in layout.processes[f"worker-{host.name}"].output() for host in hosts)
                and "beat: Starting..." in layout.processes["beat-a"].output()
                and answers("127.0.0.1", layout.nginx_port)
            )

        wait_for(ready, 90, layout, "every host, worker, beat and nginx started")
        layout.started_in = time.monotonic() - began
        print(f"layout ({'namespaces' if namespaced else 'loopback'}) started in {layout.started_in:.1f} s")
        yield layout


class Visitor:
    """A browser, as far as signing in needs one: it keeps the cookies the site sets and sends them back.

    The site's cookies are Secure (`__Host-`): in production the browser speaks HTTPS to the balancer. Here
    the test speaks plain HTTP to nginx, which tells the hosts the request came over HTTPS, as the balancer
    does, so the cookies are kept and sent by hand."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, *, form: dict[str, str] | None = None) -> Answer:
        headers = {"Cookie": "; ".join(f"{key}={value}" for key, value in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{SITE}",
                "Referer": f"https://{SITE}{path}",
            }
        answer = self.layout.request(method, path, headers=headers, body=body)
        for header in answer.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        return answer


def test_a_registration_rush_through_both_hosts_confirms_exactly_the_places(layout):
    endpoint = "/api/v1/events/rush/registrations/"
    body = json.dumps({"ticket_type": layout.setup["ticket"]})
    keys: list[str] = layout.setup["keys"]
    gate = threading.Barrier(CLIENTS)

    def attempt(n: int) -> tuple[int, str, dict[str, object]]:
        if n < CLIENTS:
            gate.wait(timeout=30)
        headers = {"Authorization": f"Token {keys[n]}", "Content-Type": "application/json"}
        try:
            answer = layout.request("POST", endpoint, headers=headers, body=body)
        except OSError as error:
            return 0, "", {"error": type(error).__name__}
        return answer.status, answer.upstream, json.loads(answer.body) if answer.status < 500 else {}

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(attempt, range(PEOPLE)))
    print(f"{PEOPLE} registrations through nginx in {time.monotonic() - began:.1f} s")

    assert Counter(status for status, _upstream, _body in results) == {201: PEOPLE}
    # Both hosts took part, each taking its turn from the balancer.
    by_host = Counter(upstream for _status, upstream, _body in results)
    assert set(by_host) == layout.upstreams()
    assert min(by_host.values()) >= PEOPLE // 4
    answered = [body for _status, _upstream, body in results]
    assert Counter(body["status"] for body in answered) == {
        "confirmed": PLACES,
        "waitlisted": PEOPLE - PLACES,
    }
    position_of = {
        body["id"]: body["waitlist_position"] for body in answered if body["status"] == "waitlisted"
    }

    # What the database holds: one registration per person, none lost, exactly the places confirmed, and the
    # waiting list in the order people joined it, with the positions each was told.
    [(total, people, confirmed)] = layout.query(
        "SELECT count(*), count(DISTINCT r.email), count(*) FILTER (WHERE r.status = 'confirmed') "
        "FROM events_registration r JOIN events_event e ON e.id = r.event_id WHERE e.slug = 'rush'"
    )
    assert (total, people, confirmed) == (PEOPLE, PEOPLE, PLACES)
    queue = [
        pk
        for (pk,) in layout.query(
            "SELECT r.id FROM events_registration r JOIN events_event e ON e.id = r.event_id "
            "WHERE e.slug = 'rush' AND r.status = 'waitlisted' "
            "ORDER BY r.waitlist_priority DESC, r.waitlisted_at, r.id"
        )
    ]
    assert [position_of[pk] for pk in queue] == list(range(1, PEOPLE - PLACES + 1))

    # Each person's email (confirmed, or on the waiting list) was sent once, by the workers of both hosts.
    wait_for(lambda: len(layout.recorder.received) >= PEOPLE, 60, layout, "every registration email sent")
    recipients = Counter(rcpt for _peer, rcpts, _content in layout.recorder.received for rcpt in rcpts)
    assert len(recipients) == PEOPLE
    assert set(recipients.values()) == {1}
    for host in layout.hosts:
        worker = layout.processes[f"worker-{host.name}"].output()
        assert re.search(r"Task gathering\.core\.tasks\.outbox_deliver\[\S+\] succeeded", worker), host.name


def test_a_signed_in_person_stays_signed_in_when_the_balancer_switches_hosts(layout):
    person = Visitor(layout)
    form = person.send("GET", "/accounts/login/")
    assert form.status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
    assert token, form.body[:2000]

    signed_in = person.send(
        "POST",
        "/accounts/login/",
        form={
            "csrfmiddlewaretoken": token.group(1),
            "login": layout.setup["email"],
            "password": layout.setup["password"],
        },
    )
    assert signed_in.status == 302, signed_in.body[:2000]
    assert "__Host-sessionid" in person.cookies
    session = person.cookies["__Host-sessionid"]

    answers = [person.send("GET", "/my/gatherings/") for _ in range(10)]

    # Every answer, from either host, is the signed-in page of the same session: nobody was sent to sign in
    # again, and no host started a session of its own.
    assert [answer.status for answer in answers] == [200] * 10
    for answer in answers:
        assert "<h1>My Gatherings</h1>" in answer.body
        assert 'href="/accounts/logout/"' in answer.body
    assert person.cookies["__Host-sessionid"] == session
    hosts = [answer.upstream for answer in answers]
    assert set(hosts) == layout.upstreams()
    assert any(host != signed_in.upstream for host in hosts)


def test_a_periodic_job_runs_once_per_interval_not_once_per_host(layout):
    beat = layout.processes["beat-a"]
    workers = [layout.processes[f"worker-{host.name}"] for host in layout.hosts]

    def counts() -> Counter[str]:
        """What beat has sent of the job so far, and what the two hosts' workers did with it."""
        logs = "".join(worker.output() for worker in workers)
        return Counter(
            sent=beat.output().count("Sending due task scaleout.tick "),
            ran=logs.count("Job scaleout.tick ran"),
            skipped=logs.count("Job scaleout.tick skipped"),
            # A message that waited longer than its interval (a worker busy with the rush's emails) is
            # dropped: the next one is already on its way.
            expired=logs.count("Discarding revoked task: gathering.core.tasks.periodic["),
            ticks=len(layout.ticks()),
        )

    def settled() -> Counter[str] | None:
        now = counts()
        return now if now["ran"] + now["skipped"] + now["expired"] >= now["sent"] else None

    wait_for(settled, 2 * TICK_SECONDS + 10, layout, "the workers took every message beat had sent")
    before = counts()
    wait_for(
        lambda: counts()["sent"] >= before["sent"] + 3, 4 * TICK_SECONDS + 10, layout, "three more intervals"
    )
    wait_for(settled, 2 * TICK_SECONDS + 10, layout, "the workers took every message beat sent")
    after = counts()
    after.subtract(before)

    # Each message beat sent was taken by one worker, on one host or the other, never by both: over three
    # intervals or more the job ran once per interval, and its own record says the same.
    assert after["sent"] >= 3
    assert after["ran"] + after["skipped"] + after["expired"] == after["sent"]
    assert after["ran"] >= after["sent"] - 1
    assert after["ticks"] == after["ran"]
    # Never two runs in one interval (since the layout started), and none missed while watching.
    ticks = [at for _host, at in layout.ticks()]
    gaps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    assert min(gaps) >= TICK_SECONDS * 0.9
    assert max(gaps[-after["ran"] :]) <= 2 * TICK_SECONDS
    [(succeeded,)] = layout.query("SELECT last_succeeded FROM core_jobrun WHERE name = 'scaleout.tick'")
    assert succeeded is True

    # Both hosts' workers are alive and answer on the broker.
    assert all(worker.alive() for worker in workers)
    with using_broker(layout.broker_url):
        replies = app.control.ping(timeout=2.0)
    assert sorted(name.split("@")[0] for reply in replies for name in reply) == ["host-a", "host-b"]
