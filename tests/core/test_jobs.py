"""Periodic jobs: each runs when its interval has passed and not before, once at a time, and one failing job
does not stop the others; however many schedulers ask (beats, `gathering jobs`), a job runs once."""

import io
import logging
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from gathering.core.jobs import JobRegistry, UnknownJobError, job_run, jobs_run_due, registry
from gathering.core.models import JobRun, OutboxMessage
from gathering.core.outbox import outbox_enqueue


@pytest.fixture
def jobs() -> JobRegistry:
    return JobRegistry()


@pytest.mark.django_db
def test_a_job_runs_when_its_interval_has_passed_and_not_before(jobs):
    calls = []

    @jobs.periodic_job("test.tick", every=timedelta(minutes=10))
    def tick(*, now):
        calls.append(now)

    start = timezone.now()
    assert jobs_run_due(now=start, jobs=jobs) == ["test.tick"]
    assert jobs_run_due(now=start + timedelta(minutes=9, seconds=59), jobs=jobs) == []
    assert jobs_run_due(now=start + timedelta(minutes=10), jobs=jobs) == ["test.tick"]
    assert calls == [start, start + timedelta(minutes=10)]

    run = JobRun.objects.get(name="test.tick")
    assert (run.last_started_at, run.running_since, run.last_succeeded, run.last_error) == (
        start + timedelta(minutes=10),
        None,
        True,
        "",
    )


@pytest.mark.django_db
def test_each_job_keeps_its_own_schedule(jobs):
    @jobs.periodic_job("test.often", every=timedelta(seconds=30))
    def often(*, now):
        pass

    @jobs.periodic_job("test.daily", every=timedelta(days=1))
    def daily(*, now):
        pass

    start = timezone.now()
    assert jobs_run_due(now=start, jobs=jobs) == ["test.daily", "test.often"]
    assert jobs_run_due(now=start + timedelta(seconds=30), jobs=jobs) == ["test.often"]
    assert jobs_run_due(now=start + timedelta(days=1), jobs=jobs) == ["test.daily", "test.often"]


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others_and_its_message_is_not_logged(jobs, caplog):
    ran = []

    @jobs.periodic_job("test.a-broken", every=timedelta(minutes=1))
    def broken(*, now):
        raise ValueError("could not process ada@example.org, Ada Lovelace")

    @jobs.periodic_job("test.b-healthy", every=timedelta(minutes=1))
    def healthy(*, now):
        ran.append(now)

    start = timezone.now()
    with caplog.at_level(logging.ERROR, logger="gathering.core.jobs"):
        assert jobs_run_due(now=start, jobs=jobs) == ["test.a-broken", "test.b-healthy"]

    assert ran == [start]
    broken_run = JobRun.objects.get(name="test.a-broken")
    assert (broken_run.last_succeeded, broken_run.last_error, broken_run.running_since) == (
        False,
        "ValueError",
        None,
    )
    [record] = caplog.records
    assert record.getMessage().startswith("Job test.a-broken failed with ValueError at ")
    assert "test_jobs.py" in record.getMessage()
    assert "ada@" not in caplog.text and "Lovelace" not in caplog.text

    # A failed job is tried again at its next interval, like any other.
    assert jobs_run_due(now=start + timedelta(minutes=1), jobs=jobs) == ["test.a-broken", "test.b-healthy"]


@pytest.mark.django_db
def test_a_job_still_running_elsewhere_is_left_alone_until_its_run_times_out(jobs):
    @jobs.periodic_job("test.slow", every=timedelta(minutes=1), timeout=timedelta(minutes=30))
    def slow(*, now):
        pass

    start = timezone.now()
    JobRun.objects.create(name="test.slow", last_started_at=start, running_since=start)

    assert jobs_run_due(now=start + timedelta(minutes=5), jobs=jobs) == []
    # The other runner must have died: its run is older than the job's timeout.
    assert jobs_run_due(now=start + timedelta(minutes=31), jobs=jobs) == ["test.slow"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runners_at_once_run_a_job_once(jobs):
    if connection.vendor != "postgresql":
        # The in-memory test database fails concurrent writers with "table is locked" instead of making
        # them wait as the real SQLite file does; the row lock is what this test is about.
        pytest.skip("concurrent runners are shown on PostgreSQL (DATABASE_URL)")
    runs = []
    barrier = threading.Barrier(2)
    results = []

    @jobs.periodic_job("test.once", every=timedelta(minutes=1))
    def once(*, now):
        runs.append(now)
        time.sleep(0.3)

    def runner():
        try:
            barrier.wait()
            results.append(jobs_run_due(jobs=jobs))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(runs) == 1
    assert sorted(results) == [[], ["test.once"]]


@pytest.mark.django_db
def test_a_job_asked_for_by_beat_runs_once_per_interval_whoever_asks(jobs):
    calls = []

    @jobs.periodic_job("test.tick", every=timedelta(minutes=10))
    def tick(*, now):
        calls.append(now)

    start = timezone.now()
    # Two beats send the job at nearly the same moment: the first runs it, the second finds it done.
    assert job_run(name="test.tick", now=start, jobs=jobs) is True
    assert job_run(name="test.tick", now=start + timedelta(seconds=1), jobs=jobs) is False
    # `gathering jobs` by hand, half an interval later: not due either.
    assert jobs_run_due(now=start + timedelta(minutes=5), jobs=jobs) == []
    # Beat's next message may arrive a little early: up to a tenth of the interval is allowed.
    assert job_run(name="test.tick", now=start + timedelta(minutes=8, seconds=59), jobs=jobs) is False
    assert job_run(name="test.tick", now=start + timedelta(minutes=9), jobs=jobs) is True

    assert calls == [start, start + timedelta(minutes=9)]


@pytest.mark.django_db
def test_a_job_still_running_is_not_started_again_by_beat(jobs):
    @jobs.periodic_job("test.slow", every=timedelta(minutes=1), timeout=timedelta(minutes=30))
    def slow(*, now):
        pass

    start = timezone.now()
    JobRun.objects.create(name="test.slow", last_started_at=start, running_since=start)

    assert job_run(name="test.slow", now=start + timedelta(minutes=5), jobs=jobs) is False
    assert job_run(name="test.slow", now=start + timedelta(minutes=31), jobs=jobs) is True


def test_beat_asking_for_an_unknown_job_is_refused(jobs):
    with pytest.raises(UnknownJobError):
        job_run(name="test.nowhere", jobs=jobs)


def test_registering_two_jobs_under_one_name_is_refused(jobs):
    jobs.periodic_job("test.same", every=timedelta(minutes=1))(lambda *, now: None)
    with pytest.raises(ImproperlyConfigured):
        jobs.periodic_job("test.same", every=timedelta(minutes=1))(lambda *, now: None)
    with pytest.raises(ImproperlyConfigured):
        jobs.periodic_job("test.never", every=timedelta(0))


def test_core_registers_the_outbox_purge_and_leaves_delivery_to_the_sweep():
    intervals = {job.name: job.every for job in registry.jobs()}
    assert intervals["outbox.purge"] == timedelta(days=1)
    # Delivery needs no claim (each message is claimed on its own): it is the outbox sweep, not a job.
    assert "outbox.deliver" not in intervals


@pytest.mark.django_db
def test_the_jobs_command_delivers_the_outbox(settings):
    settings.GATHERING_TASKS_EAGER = False
    with transaction.atomic():
        outbox_enqueue(kind="outbox_test", to=["ada@example.org"], template="outbox_test", context={})

    out = io.StringIO()
    call_command("jobs", verbosity=2, stdout=out)

    assert "outbox.sweep" in out.getvalue()
    assert [email.to for email in mail.outbox] == [["ada@example.org"]]
    assert OutboxMessage.objects.get().status == "sent"

    # Run again straight away: not due, nothing more sent.
    call_command("jobs", stdout=io.StringIO())
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_outbox_sweep_works_through_a_backlog_in_batches(settings):
    settings.GATHERING_TASKS_EAGER = False
    with transaction.atomic():
        for n in range(120):
            outbox_enqueue(
                kind="outbox_test", to=[f"person{n}@example.org"], template="outbox_test", context={}
            )

    call_command("jobs", stdout=io.StringIO())
    assert len(mail.outbox) == 120


def test_the_jobs_command_lists_the_jobs():
    out = io.StringIO()
    call_command("jobs", "--list", stdout=out)
    assert out.getvalue().splitlines()[0] == "outbox.sweep                   every 0:00:30"
    assert "outbox.purge                   every 1 day, 0:00:00" in out.getvalue()
