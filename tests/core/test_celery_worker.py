"""Background work in real Celery workers on Redis: an email and an optimiser run queued after a commit are
done by a worker (the run on its own queue, with its own time limits); a worker killed in the middle of a run
leaves it to a new worker, which finishes it once; two beats sending one periodic job get it run once.

Each worker is `celery -A gathering worker` in another process, started and stopped by the test. It must see
the test's rows, so these tests commit (`django_db(transaction=True)`) and run on PostgreSQL, where CI runs
them too; SQLite's test database lives in this process's memory. Redis is the one on 127.0.0.1:6379, and the
tests use its database 13 alone, emptied before and after. Without Redis they are skipped, except under
CI=true, where that is a failure.
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection, transaction

from gathering.core.models import JobRun, OutboxMessage
from gathering.core.outbox import outbox_enqueue
from gathering.core.tasks import periodic
from gathering.programme import services
from gathering.programme.models import TimetableRun

from ..programme.staff_data import attendee, interest, make_programme, open_session
from .brokers import REDIS_HOST, REDIS_PORT, closed_port, require_redis, using_broker
from .test_outbox_smtp import Recorder

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

REDIS_DB = 13
BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
# A task whose worker died is handed out again after this many seconds (300 in production).
VISIBILITY_TIMEOUT = 2


class Worker:
    """One `celery -A gathering worker` process (in its own process group), logging to a file."""

    def __init__(self, name: str, queues: str, *, concurrency: int, env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        command = [
            sys.executable, "-m", "celery", "-A", "gathering", "worker",
            "-Q", queues, "--concurrency", str(concurrency), "--pool", "prefork",
            "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel", "INFO",
        ]  # fmt: skip
        with log.open("w") as output:
            self.process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )

    def output(self) -> str:
        return self.log.read_text()

    def wait_until_ready(self, timeout: float = 30) -> None:
        wait_for(lambda: f"{self.name}@" in self.output() and " ready." in self.output(), timeout, self)

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: a crash, not a shutdown."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def wait_for(condition: Callable[[], object], timeout: float, *workers: Worker) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {worker.name}\n{worker.output()[-3000:]}" for worker in workers)
            pytest.fail(f"not done within {timeout} s\n{logs}")
        time.sleep(0.1)


def count(text: str, line: str) -> int:
    return sum(1 for row in text.splitlines() if row.endswith(line))


@pytest.fixture
def broker(settings) -> Iterator[redis.Redis]:
    """Redis database 13 as this process's broker, empty; tasks are sent there, not run in-process."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "a worker is another process: shown on PostgreSQL, as SQLite's test database is in memory"
        )
    require_redis()
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    client.flushdb()
    settings.GATHERING_TASKS_EAGER = False
    with using_broker(BROKER_URL):
        yield client
    client.flushdb()
    client.close()


@pytest.fixture
def smtp_port() -> Iterator[tuple[int, Recorder]]:
    recorder = Recorder()
    port = closed_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, recorder
    controller.stop()


@pytest.fixture
def start_worker(broker, tmp_path, smtp_port) -> Iterator[Callable[..., Worker]]:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    database_url = f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    unwanted = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "GATHERING_ENV"}
    env = {
        **{key: value for key, value in os.environ.items() if key not in unwanted},
        "DJANGO_SETTINGS_MODULE": "gathering.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port[0]}",
        "LOG_LEVEL": "INFO",
    }
    workers: list[Worker] = []

    def start(name: str, queues: str, *, concurrency: int = 1) -> Worker:
        worker = Worker(name, queues, concurrency=concurrency, env=env, log=tmp_path / f"{name}.log")
        workers.append(worker)
        worker.wait_until_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


def board():
    """A programme with four sessions, two of which the same two people want."""
    programme, organiser = make_programme(slots=2, rooms=2)
    sessions = [open_session(programme, f"Session {k + 1}") for k in range(4)]
    for _ in range(2):
        person = attendee(programme.event)
        interest(person, sessions[0], 2)
        interest(person, sessions[1], 1)
    return programme, organiser


def test_an_email_queued_after_the_commit_is_sent_by_a_worker_once(start_worker, smtp_port):
    _port, recorder = smtp_port
    worker = start_worker("mail", "default")

    with transaction.atomic():
        message = outbox_enqueue(
            kind="outbox_test", to=["ada@example.org"], template="outbox_test", context={}
        )

    wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).status == "sent", 15, worker)
    assert [rcpt for _peer, rcpt, _content in recorder.received] == [["ada@example.org"]]
    assert worker.output().count("Task gathering.core.tasks.outbox_deliver[") == 2  # received, succeeded


def test_an_optimiser_run_goes_to_its_own_queue_with_its_own_limits(broker, start_worker):
    programme, organiser = board()

    run = services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)

    # Before any worker takes it: the message waits on the "optimise" queue, with the run's time limits.
    [raw] = broker.lrange("optimise", 0, -1)
    message = json.loads(raw)
    assert message["headers"]["task"] == "gathering.programme.tasks.timetable_run"
    assert message["headers"]["timelimit"] == [5 + 60, 5 + 30]  # hard, soft
    assert broker.llen("default") == 0

    worker = start_worker("optimiser", "optimise")
    wait_for(lambda: TimetableRun.objects.get(pk=run.pk).status == "done", 20, worker)
    run.refresh_from_db()
    assert (run.attempts, run.progress, run.runner) == (1, 100, message["headers"]["id"])
    assert count(worker.output(), f"Timetable run {run.pk} finished (done)") == 1


def test_a_run_whose_worker_is_killed_is_finished_once_by_a_new_worker(start_worker):
    programme, organiser = board()
    db = connection.settings_dict
    # Hold the sessions table, so the worker is surely in the middle of the run (loading the board) when
    # it is killed: a lock in another connection, as an organiser's long edit could hold it.
    holder = psycopg.connect(
        dbname=db["NAME"], host=db["HOST"], port=db["PORT"], user=db["USER"], password=db.get("PASSWORD")
    )
    holder.execute("LOCK TABLE programme_session IN ACCESS EXCLUSIVE MODE")
    first = start_worker("first", "optimise")

    run = services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)

    def waiting_for_the_lock() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
                ['%"programme_session"%'],
            )
            return cursor.fetchone()[0] > 0

    wait_for(waiting_for_the_lock, 15, first)
    claimed = TimetableRun.objects.get(pk=run.pk)
    assert (claimed.status, claimed.attempts) == ("running", 1)
    first.kill()
    holder.rollback()
    holder.close()

    # The task was never acknowledged: once its visibility timeout has passed, Redis hands it out again.
    time.sleep(VISIBILITY_TIMEOUT)
    second = start_worker("second", "optimise")
    wait_for(lambda: TimetableRun.objects.get(pk=run.pk).status == "done", 30, first, second)

    run.refresh_from_db()
    # The same task (same id) came back, found the run it had started orphaned, and started it again.
    assert (run.attempts, run.runner) == (2, claimed.runner)
    logs = first.output() + second.output()
    assert count(first.output(), f"Timetable run {run.pk} started (attempt 1)") == 1
    assert count(second.output(), f"Timetable run {run.pk} started (attempt 2)") == 1
    assert count(logs, f"Timetable run {run.pk} finished (done)") == 1
    assert count(first.output(), f"Timetable run {run.pk} finished (done)") == 0


def test_two_beats_sending_one_periodic_job_get_it_run_once(start_worker):
    worker = start_worker("periodic", "default", concurrency=2)

    # What each of two beats sends when the job is due: the same message, at the same moment.
    periodic.apply_async(args=["outbox.purge"])
    periodic.apply_async(args=["outbox.purge"])

    wait_for(lambda: worker.output().count("Task gathering.core.tasks.periodic[") >= 4, 15, worker)
    assert count(worker.output(), "Job outbox.purge ran") == 1
    skipped = "Job outbox.purge skipped: it ran within its interval or is running elsewhere"
    assert count(worker.output(), skipped) == 1
    job = JobRun.objects.get(name="outbox.purge")
    assert (job.last_succeeded, job.running_since) == (True, None)
