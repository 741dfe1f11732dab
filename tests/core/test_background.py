"""Background work without a broker (embedded mode, as `make demo` runs): a task queued in a transaction runs
in this process once it commits, never if it rolls back; an optimiser run gets a thread of its own, so the
request that asked for it answers at once. With a broker that cannot be reached the change is kept and the
sweeps do the work later. And the Celery app's own shape: queues, late acknowledgement, beat's schedule."""

import logging
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from gathering.celery import app
from gathering.circles import services as circles_services
from gathering.circles.models import Circle, FormationRun
from gathering.core import background
from gathering.core.beat import OUTBOX_SWEEP_EVERY, RegistryScheduler, beat_schedule
from gathering.core.jobs import registry
from gathering.core.models import OutboxMessage
from gathering.core.outbox import outbox_enqueue
from gathering.core.tasks import outbox_deliver, outbox_sweep, periodic
from gathering.programme import services, tasks
from gathering.programme.models import TimetableRun

from ..circles.helpers import series_with
from ..conftest import signed_in
from ..programme.staff_data import attendee, interest, make_programme, open_session
from .brokers import closed_port, using_broker


def enqueue(to: str = "ada@example.org") -> OutboxMessage:
    return outbox_enqueue(kind="outbox_test", to=[to], template="outbox_test", context={})


def small_board():
    """A programme with four sessions, two of which the same two people want."""
    programme, organiser = make_programme(slots=2, rooms=2)
    sessions = [open_session(programme, f"Session {k + 1}") for k in range(4)]
    for _ in range(2):
        person = attendee(programme.event)
        interest(person, sessions[0], 2)
        interest(person, sessions[1], 1)
    return programme, organiser


@pytest.fixture
def embedded(settings):
    settings.GATHERING_TASKS_EAGER = True
    yield
    assert background.wait_for_threads(timeout=30), "a task thread was still running"


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_in_this_process_once_the_transaction_commits(embedded):
    with transaction.atomic():
        message = enqueue()
        assert mail.outbox == []

    # On the default queue the task runs in the committing thread: sent before the block is left.
    assert [email.to for email in mail.outbox] == [["ada@example.org"]]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_nothing_runs_when_the_transaction_rolls_back(embedded):
    programme, organiser = small_board()
    waiting = OutboxMessage.objects.create(
        kind="outbox_test", to=["ada@example.org"], subject="s", body_text="b"
    )

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("bea@example.org")
        background.after_commit(outbox_deliver, waiting.pk)
        services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)
        raise RuntimeError("the change failed")

    assert background.wait_for_threads(timeout=0)
    assert mail.outbox == []
    assert list(OutboxMessage.objects.values_list("pk", "status")) == [(waiting.pk, "pending")]
    assert not TimetableRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_task_runs_at_once(embedded):
    message = OutboxMessage.objects.create(
        kind="outbox_test", to=["ada@example.org"], subject="s", body_text="b"
    )

    background.after_commit(outbox_deliver, message.pk)

    assert [email.to for email in mail.outbox] == [["ada@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_an_optimiser_run_gets_a_thread_of_its_own_and_the_request_answers_at_once(embedded, caplog):
    programme, organiser = small_board()

    with caplog.at_level(logging.INFO, logger="gathering.programme"):
        response = signed_in(organiser).post(
            f"/staff/programme/{programme.event.slug}/optimise/", {"time_limit": "5"}
        )
        assert background.wait_for_threads(timeout=30)

    run = TimetableRun.objects.get()
    assert response.status_code == 302
    assert (run.status, run.attempts, run.progress) == ("done", 1, 100)
    [started] = [r for r in caplog.records if r.getMessage() == f"Timetable run {run.pk} started (attempt 1)"]
    [finished] = [r for r in caplog.records if r.getMessage() == f"Timetable run {run.pk} finished (done)"]
    assert started.threadName == finished.threadName == "task gathering.programme.tasks.timetable_run"


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_logged_by_its_class_and_place_only(embedded, caplog):
    with caplog.at_level(logging.ERROR, logger="gathering.core.background"):
        background.after_commit(periodic, "no.such-job")

    [record] = caplog.records
    message = record.getMessage()
    assert message.startswith("Task gathering.core.tasks.periodic failed with UnknownJobError at ")
    assert "jobs.py" in message
    assert "no.such-job" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_change_is_kept_and_the_sweeps_do_the_work(settings, caplog):
    settings.GATHERING_TASKS_EAGER = False
    programme, organiser = small_board()

    with using_broker(f"redis://127.0.0.1:{closed_port()}/0"), caplog.at_level(logging.ERROR):
        started = time.monotonic()
        with transaction.atomic():
            message = enqueue()
        response = signed_in(organiser).post(
            f"/staff/programme/{programme.event.slug}/optimise/", {"time_limit": "5"}
        )
        waited = time.monotonic() - started

    # Pages keep answering, quickly; what waits is recorded in the database.
    assert response.status_code == 302
    assert waited < 10
    assert [r.getMessage() for r in caplog.records if r.name == "gathering.core.background"] == [
        "Task gathering.core.tasks.outbox_deliver not queued (OperationalError): the sweeps will pick it up",
        "Task gathering.programme.tasks.timetable_run not queued (OperationalError): the sweeps will pick "
        "it up",
    ]
    message.refresh_from_db()
    run = TimetableRun.objects.get()
    assert (message.status, run.status) == ("pending", "queued")
    assert mail.outbox == []

    # The broker is back: the outbox sweep sends the message; the programme's sweep queues the run again.
    settings.GATHERING_TASKS_EAGER = True
    outbox_sweep()
    TimetableRun.objects.filter(pk=run.pk).update(created_at=run.created_at - services.RUN_RESEND_AFTER)
    assert services.timetable_runs_sweep() == 1
    assert background.wait_for_threads(timeout=30)

    message.refresh_from_db()
    run.refresh_from_db()
    assert (message.status, run.status) == ("sent", "done")
    assert [email.to for email in mail.outbox] == [["ada@example.org"]]


def test_optimiser_runs_have_a_queue_of_their_own_and_limits_of_their_own():
    def queue(task) -> str:
        return app.amqp.router.route({}, task.name)["queue"].name

    assert queue(tasks.timetable_run) == "optimise"
    assert {queue(outbox_deliver), queue(outbox_sweep), queue(periodic)} == {"default"}
    # The longest run (60 s) and the margin: the task's own ceiling. Each run is sent with its own.
    assert (tasks.timetable_run.time_limit, tasks.timetable_run.soft_time_limit) == (120, 90)


def test_tasks_are_acknowledged_when_done_one_at_a_time_and_sent_as_json():
    conf = app.conf
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost, conf.worker_prefetch_multiplier) == (
        True,
        True,
        1,
    )
    assert (conf.task_serializer, list(conf.accept_content)) == ("json", ["json"])
    # Longer than any optimiser run may last, or a live run would be handed to a second worker.
    assert conf.broker_transport_options["visibility_timeout"] > tasks.timetable_run.time_limit


def test_beat_sends_every_registered_job_at_its_interval_and_the_outbox_sweep(tmp_path):
    scheduler = RegistryScheduler(app=app, schedule_filename=str(tmp_path / "beat-schedule"), lazy=True)
    scheduler.setup_schedule()

    entries = {
        name: (entry.task, tuple(entry.args), entry.schedule.run_every, entry.options.get("expires"))
        for name, entry in scheduler.schedule.items()
        if not name.startswith("celery.")
    }
    expected = {
        job.name: ("gathering.core.tasks.periodic", (job.name,), job.every, job.every.total_seconds())
        for job in registry.jobs()
    }
    expected["outbox.sweep"] = ("gathering.core.tasks.outbox_sweep", (), OUTBOX_SWEEP_EVERY, 30.0)
    assert entries == expected
    assert entries["events.expire_offers"][2] == timedelta(minutes=5)
    assert set(beat_schedule()) == set(expected)
    scheduler.close()


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_formation_run_waits_and_the_sweep_starts_it(settings, caplog):
    settings.GATHERING_TASKS_EAGER = False
    series, organiser, _pool, _people = series_with(8, 2)

    with using_broker(f"redis://127.0.0.1:{closed_port()}/0"), caplog.at_level(logging.ERROR):
        started = time.monotonic()
        response = signed_in(organiser).post(f"/staff/circles/{series.slug}/form/", {"time_limit": "1"})
        waited = time.monotonic() - started

    assert response.status_code == 302
    assert waited < 10
    assert [r.getMessage() for r in caplog.records if r.name == "gathering.core.background"] == [
        "Task gathering.circles.tasks.formation_run not queued (OperationalError): the sweeps will pick it up"
    ]
    run = FormationRun.objects.get()
    assert run.status == "queued"

    # The broker is back: the circles' sweep (every minute) starts the run still queued a minute later.
    settings.GATHERING_TASKS_EAGER = True
    assert circles_services.formation_runs_sweep(now=run.created_at + timedelta(seconds=30)) == 0
    assert (
        circles_services.formation_runs_sweep(now=run.created_at + circles_services.RUN_RESEND_AFTER * 2) == 1
    )
    assert background.wait_for_threads(timeout=30)

    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 1)
    assert Circle.objects.filter(series=series).count() == 2


def _busy_database_error(tmp_path) -> Exception:
    """A real SQLite "database is locked", raised through Django's wrapper as the ORM raises it."""
    import sqlite3

    from django.db import OperationalError

    holder = sqlite3.connect(tmp_path / "busy.sqlite3", isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(tmp_path / "busy.sqlite3", timeout=0)
    try:
        other.execute("INSERT INTO t VALUES (1)")
    except sqlite3.OperationalError as cause:
        try:
            raise OperationalError(str(cause)) from cause
        except OperationalError as error:
            return error
    finally:
        holder.close()
        other.close()
    raise AssertionError("the second writer was not refused")


def test_a_task_run_here_tries_again_when_the_database_is_busy_for_a_moment(tmp_path, caplog):
    busy = _busy_database_error(tmp_path)
    calls: list[int] = []

    @app.task(name="tests.busy_then_done")
    def busy_then_done(n: int) -> None:
        calls.append(n)
        if len(calls) < 3:
            raise busy

    with caplog.at_level(logging.ERROR):
        background._run_here(busy_then_done, (7,))

    assert calls == [7, 7, 7]
    assert not caplog.records


def test_a_task_that_fails_for_another_reason_is_not_tried_again(caplog):
    calls: list[int] = []

    @app.task(name="tests.broken")
    def broken(n: int) -> None:
        calls.append(n)
        raise ValueError("not a busy database")

    with caplog.at_level(logging.ERROR):
        background._run_here(broken, (1,))

    assert calls == [1]
    assert "Task tests.broken failed with ValueError" in caplog.text
