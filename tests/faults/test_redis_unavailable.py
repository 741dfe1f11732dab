"""Redis stopped under a real gunicorn with production settings: the site keeps serving, nothing is lost.

Redis here is a redis-server of the test's own, holding the cache (database 0) and the broker's queues
(database 1), and keeping nothing on disk, so stopping it loses what it held, as a crash would. gunicorn (2
workers) runs against a database of the test's own (PostgreSQL when the tests run on it, otherwise an SQLite
file) and a mail server in this process (aiosmtpd).

While Redis is down: public pages, signing in, a signed-in page, registering by the form and by the API all
answer, each within a few seconds (the cache falls back to each process's memory; queueing an email's task
gives up at once and is logged); sign-in limits still refuse wrong passwords, counted in each process (the
sixth wrong password for one account from one address, in one process, is refused: so never before the
sixth, and by the eleventh with two processes). Redis comes back on the same port, empty: the same gunicorn
processes use it again without a restart, and queue tasks on it again. A Celery worker then started, with
the outbox sweep that beat sends every 30 seconds, delivers every email exactly once, including the ones
whose task was never queued or was lost with Redis; a second sweep sends nothing more.
"""

import re
from collections import Counter
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from gathering.core.tasks import outbox_sweep

from ..core.brokers import using_broker
from ..core.test_celery_worker import Worker
from ..core.test_outbox_smtp import Recorder
from ..factories import PASSWORD
from .servers import (
    Browser,
    Reply,
    free_port,
    fresh_database,
    gathering_call,
    gunicorn,
    production_env,
    redis_server,
    wait_for,
)

WORKERS = 2
# Each request must answer within this while Redis is down (Browser's hard timeout is 10 s).
QUICK = 5.0
PUBLIC = ["/", "/gatherings/", "/gatherings/fault-day/", "/help/", "/accounts/login/", "/api/v1/events/"]
TOO_MANY = "Too many failed login attempts"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Recorder]]:
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, recorder
    controller.stop()


def sign_in(browser: Browser, email: str, password: str = PASSWORD) -> Reply:
    return browser.post_form("/accounts/login/", {"login": email, "password": password})


def register(browser: Browser, setup: dict) -> Reply:
    """Register by the form, sending the confirmed answers, as the check-your-answers page does."""
    form = {
        "ticket_type": str(setup["ticket"]),
        "name": "Fault Person",
        "on_attendee_list": "on",
        "confirm": "1",
    }
    return browser.post_form(f"/gatherings/{setup['slug']}/register/", form)


def test_pages_sign_in_and_registration_keep_serving_while_redis_is_down(tmp_path, prepared, smtp):
    smtp_port, mail = smtp
    setup = prepared.data
    with (
        fresh_database("redis", tmp_path, prepared.template) as database_url,
        redis_server(tmp_path) as redis,
    ):
        env = production_env(
            database_url=database_url, redis_port=redis.port, var_dir=prepared.var_dir, email_port=smtp_port
        )
        emails, keys = setup["emails"], setup["keys"]
        api_register = f"/api/v1/events/{setup['slug']}/registrations/"
        broker = redis.client(1)

        with gunicorn(env, tmp_path / "gunicorn.log", workers=WORKERS) as web:
            workers = web.worker_pids()

            # Redis up: signing in and registering, the email's task queued for a worker.
            ada = Browser(web.port, address="192.0.2.1")
            assert (sign_in(ada, emails[0]).status, ada.get("/account/").status) == (302, 200)
            reply = register(ada, setup)
            assert (reply.status, reply.headers["location"]) == (302, "/my/gatherings/")
            assert broker.llen("default") == 1

            redis.stop()

            visitor = Browser(web.port, address="192.0.2.2")
            for path in PUBLIC * WORKERS:
                reply = visitor.get(path)
                assert (path, reply.status) == (path, 200)
                assert reply.seconds < QUICK, (path, reply.seconds)

            bea = Browser(web.port, address="192.0.2.3")
            reply = sign_in(bea, emails[1])
            assert (reply.status, reply.headers["location"]) == (302, "/account/")
            assert bea.get("/account/").status == 200
            reply = register(bea, setup)
            assert (reply.status, reply.headers["location"]) == (302, "/my/gatherings/")
            assert reply.seconds < QUICK
            my = bea.get("/my/gatherings/")
            assert my.status == 200
            assert "Fault day" in my.text
            assert ada.get("/my/gatherings/").status == 200

            reply = visitor.post_json(api_register, {"ticket_type": setup["ticket"]}, token=keys[2])
            assert (reply.status, reply.json()["status"]) == (201, "confirmed")
            assert reply.seconds < QUICK

            # Sign-in limits hold in each process: five wrong passwords per account and address in each.
            guesser = Browser(web.port, address="198.51.100.9")
            refused, reply = [], None
            for attempt in range(5 * WORKERS + 1):
                # Each time sent again from the page that said the password was wrong, as a person would.
                reply = guesser.post_form(
                    "/accounts/login/", {"login": emails[3], "password": "not-the-password"}, page=reply
                )
                assert reply.status == 200
                assert reply.seconds < QUICK
                if TOO_MANY in reply.text:
                    refused.append(attempt)
            assert refused, "no wrong password was refused"
            assert 5 <= refused[0] <= 5 * WORKERS

            log = web.output()
            unreachable = "Cache unreachable (ConnectionError): limits are counted in this process's memory"
            assert 1 <= log.count(unreachable) <= WORKERS
            assert "Task gathering.core.tasks.outbox_deliver not queued (OperationalError)" in log
            assert not re.search(r"fault\d@example\.org", log)

            # Redis is back on the same port, empty: the task queued for Ada's email was lost with it. The
            # same processes use Redis again, without a restart.
            redis.start()
            assert broker.llen("default") == 0
            wait_for(
                lambda: visitor.get("/api/v1/events/").status == 200 and redis.client(0).dbsize() > 0,
                15,
                "the cache used again",
            )
            reply = visitor.post_json(api_register, {"ticket_type": setup["ticket"]}, token=keys[4])
            assert reply.status == 201
            assert broker.llen("default") == 1  # its email's task, queued again
            assert web.worker_pids() == workers

        # A worker, and the sweep beat sends: every email, each waiting in the outbox, is sent exactly once.
        worker = Worker("mail", "default", concurrency=1, env=env, log=tmp_path / "worker.log")
        try:
            worker.wait_until_ready()
            with using_broker(redis.url(1)):
                outbox_sweep.apply_async()  # what beat sends every 30 seconds
                wait_for(lambda: len(mail.received) >= 4, 30, "the emails delivered", tmp_path / "worker.log")
                outbox_sweep.apply_async()
                wait_for(
                    lambda: worker.output().count("Task gathering.core.tasks.outbox_sweep[") >= 4,
                    30,
                    "the second sweep done",
                    tmp_path / "worker.log",
                )
        finally:
            worker.stop()

        recipients = Counter(address for _peer, rcpt_tos, _content in mail.received for address in rcpt_tos)
        assert recipients == Counter([emails[0], emails[1], emails[2], emails[4]])
        sent = gathering_call("outbox", env=env)
        assert [(message["status"], message["attempts"]) for message in sent] == [("sent", 0)] * 4
