"""PostgreSQL connections terminated under load, against a real gunicorn with production settings.

gunicorn (3 workers, persistent connections with health checks, as production runs) serves a Gathering with
12 places while client threads register 30 people through the API and load public pages. Meanwhile the test
terminates every connection to the server's database with `pg_terminate_backend`, four times: three times
while a table the requests need is locked, so that requests are surely in the middle of a query, one of them
in the middle of a registration's transaction (its registration, consent and audit entry written, its email
not yet); and once whenever it happens to be. The PostgreSQL server is never restarted and no other database
is touched: the test's database is its own, made for it and dropped after.

Every response is a success or the calm 503 page ("Sorry, we could not reach our records", with the crisis
numbers on it) or, for the API, the 503 error body; never a server error or a dropped connection. Every
registration is whole: its email, consent and audit entry exist with it, and none of them without it. Then,
with nothing restarted (the same gunicorn worker processes), every request succeeds again, and sending each
registration again registers each person exactly once: 12 places confirmed, 18 on the waiting list.
"""

import itertools
import threading
import time
from collections.abc import Callable
from functools import partial

import psycopg
import pytest

from .conftest import PEOPLE, PLACES
from .servers import (
    Browser,
    Reply,
    free_port,
    fresh_database,
    gathering_call,
    gunicorn,
    postgres_params,
    production_env,
    redis_server,
    uses_postgres,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not uses_postgres(),
        reason="terminating connections is shown on PostgreSQL (DATABASE_URL=postgres://...)",
    ),
]

WORKERS = 3
CLIENTS = 4
# The table each round locks before terminating, so that requests are waiting inside it; None: no lock.
ROUNDS = ("core_outboxmessage", "events_event", "accounts_apitoken", None)
UNAVAILABLE = "Sorry, we could not reach our records"


def pages(slug: str) -> list[str]:
    return ["/", "/gatherings/", f"/gatherings/{slug}/", f"/api/v1/events/{slug}/", "/help/"]


def verdict(reply: Reply, path: str) -> str:
    """How a reply is judged: ok, unavailable (the calm 503), or what was wrong with it."""
    if reply.status in {200, 201}:
        return "ok"
    if reply.status == 503 and path.startswith("/api/"):
        body = reply.json()
        return (
            "unavailable"
            if body["error"]["code"] == "unavailable" and body["error"]["fields"] == {}
            else "body"
        )
    if reply.status == 503:
        calm = UNAVAILABLE in reply.text and "116 123" in reply.text and ">Get help now</a>" in reply.text
        return "unavailable" if calm and "Traceback" not in reply.text else "page"
    return f"status {reply.status}"


class Load:
    """Client threads registering people and loading pages until told to stop; every reply judged."""

    def __init__(self, port: int, setup: dict) -> None:
        self.port, self.setup = port, setup
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.next_person = 0
        self.outcomes: dict[str, int] = {"ok": 0, "unavailable": 0}
        self.wrong: list[str] = []
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True) for n in range(CLIENTS)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def take_person(self) -> int:
        with self.lock:
            person, self.next_person = self.next_person, (self.next_person + 1) % PEOPLE
        return person

    def send(self, path: str, request: Callable[[], Reply]) -> None:
        try:
            reply = request()
        except OSError as error:  # refused, reset or timed out: never acceptable
            outcome = type(error).__name__
        else:
            outcome = verdict(reply, path)
        with self.lock:
            if outcome in self.outcomes:
                self.outcomes[outcome] += 1
            else:
                self.wrong.append(f"{path}: {outcome}")

    def run(self, n: int) -> None:
        browser = Browser(self.port, address=f"192.0.2.{n + 1}")
        slug, register = self.setup["slug"], f"/api/v1/events/{self.setup['slug']}/registrations/"
        body = {"ticket_type": self.setup["ticket"], "on_attendee_list": True}
        paths = pages(slug)
        for step in itertools.count():
            if self.stop.is_set():
                return
            key = self.setup["keys"][self.take_person()]
            self.send(register, partial(browser.post_json, register, body, token=key))
            path = paths[step % len(paths)]
            # The API is read as a client application reads it, with its token: anonymous reads are held to
            # 60 a minute for each address, and four clients on a fast machine ask for more than that.
            token = key if path.startswith("/api/") else None
            self.send(path, partial(browser.get, path, token=token))


def terminate_round(database: str, table: str | None) -> tuple[int, int]:
    """Terminate every connection to `database` but this one, while holding `table` locked so that requests
    wait on it; return how many requests were waiting, and how many connections were terminated."""
    params = postgres_params()
    with (
        psycopg.connect(dbname=database, autocommit=False, **params) as holder,
        psycopg.connect(dbname="postgres", autocommit=True, **params) as monitor,
    ):
        waiting = 0
        if table is not None:
            holder.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
            deadline = time.monotonic() + 10
            while waiting == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
                waiting = monitor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                    [database],
                ).fetchone()[0]
        terminated = holder.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ).fetchall()
        holder.rollback()
    return waiting, sum(1 for (ok,) in terminated if ok)


def test_requests_fail_calmly_write_nothing_half_and_recover_when_connections_are_terminated(
    tmp_path, prepared
):
    setup = prepared.data
    with (
        fresh_database("pg", tmp_path, prepared.template) as database_url,
        redis_server(tmp_path) as redis,
    ):
        database = database_url.rsplit("/", 1)[1]
        # Mail goes nowhere: emails wait in the outbox, which is part of what is checked.
        env = production_env(
            database_url=database_url, redis_port=redis.port, var_dir=prepared.var_dir, email_port=free_port()
        )

        with gunicorn(env, tmp_path / "gunicorn.log", workers=WORKERS) as web:
            workers = web.worker_pids()
            load = Load(web.port, setup)
            load.start()
            rounds = []
            try:
                time.sleep(0.5)
                for table in ROUNDS:
                    rounds.append(terminate_round(database, table))
                    time.sleep(0.7)
            finally:
                load.finish()

            assert load.wrong == [], f"{load.wrong[:10]} (of {len(load.wrong)})\n{web.output()[-3000:]}"
            # Requests were caught mid-query, a registration among them in the middle of its transaction
            # (only a registration writes to the outbox), and met the calm page; the rest went on.
            assert rounds[0][0] >= 1
            assert all(terminated >= 1 for _waiting, terminated in rounds)
            assert load.outcomes["unavailable"] >= 1
            assert load.outcomes["ok"] >= 1

            written = gathering_call("registrations", env=env)
            whole = {"email_in_outbox": True, "consent": True, "consent_audited": True}
            assert [
                row for row in written["registrations"] if {key: row[key] for key in whole} != whole
            ] == []
            assert written["emails_without_registration"] == []
            assert written["consents_without_registration"] == []
            assert written["audit_entries_without_consent"] == []

            # Recovery with nothing restarted: every page and every registration succeeds again.
            assert web.worker_pids() == workers
            browser = Browser(web.port)
            for path in pages(setup["slug"]) * WORKERS:
                reply = browser.get(path)
                assert (path, reply.status) == (path, 200)
            statuses = []
            for key in setup["keys"]:
                reply = browser.post_json(
                    f"/api/v1/events/{setup['slug']}/registrations/",
                    {"ticket_type": setup["ticket"], "on_attendee_list": True},
                    token=key,
                )
                assert reply.status in {200, 201}, reply.text
                statuses.append(reply.json()["status"])
            assert sorted(statuses) == sorted(["confirmed"] * PLACES + ["waitlisted"] * (PEOPLE - PLACES))
            assert web.worker_pids() == workers

        written = gathering_call("registrations", env=env)
        assert sorted(row["email"] for row in written["registrations"]) == sorted(setup["emails"])
        assert all(row["email_in_outbox"] and row["consent_audited"] for row in written["registrations"])
        assert written["emails_without_registration"] == []
