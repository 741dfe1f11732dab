"""Periodic jobs: each runs when its interval has passed and not before, once at a time, and one failing job
does not stop the others."""

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

from gathering.core.jobs import JobRegistry, jobs_run_due, registry
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


def test_registering_two_jobs_under_one_name_is_refused(jobs):
    jobs.periodic_job("test.same", every=timedelta(minutes=1))(lambda *, now: None)
    with pytest.raises(ImproperlyConfigured):
        jobs.periodic_job("test.same", every=timedelta(minutes=1))(lambda *, now: None)
    with pytest.raises(ImproperlyConfigured):
        jobs.periodic_job("test.never", every=timedelta(0))


def test_core_registers_outbox_delivery_and_purge():
    intervals = {job.name: job.every for job in registry.jobs()}
    assert intervals["outbox.deliver"] == timedelta(seconds=30)
    assert intervals["outbox.purge"] == timedelta(days=1)


@pytest.mark.django_db
def test_the_jobs_command_delivers_the_outbox(settings):
    settings.GATHERING_TASKS_EAGER = False
    with transaction.atomic():
        outbox_enqueue(kind="outbox_test", to=["ada@example.org"], template="outbox_test", context={})

    out = io.StringIO()
    call_command("jobs", verbosity=2, stdout=out)

    assert "outbox.deliver" in out.getvalue()
    assert [email.to for email in mail.outbox] == [["ada@example.org"]]
    assert OutboxMessage.objects.get().status == "sent"

    # Run again straight away: not due, nothing more sent.
    call_command("jobs", stdout=io.StringIO())
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_outbox_delivery_job_works_through_a_backlog_in_batches(settings):
    settings.GATHERING_TASKS_EAGER = False
    with transaction.atomic():
        for n in range(120):
            outbox_enqueue(
                kind="outbox_test", to=[f"person{n}@example.org"], template="outbox_test", context={}
            )

    assert "outbox.deliver" in jobs_run_due()
    assert len(mail.outbox) == 120


def test_the_jobs_command_lists_the_jobs():
    out = io.StringIO()
    call_command("jobs", "--list", stdout=out)
    assert "outbox.deliver" in out.getvalue()
    assert "outbox.purge" in out.getvalue()
