"""Periodic background jobs: a registry that apps fill from their `jobs.py`, and a runner for the due ones.

An app registers its jobs in `<app>/jobs.py` with `@periodic_job(name, every)` and imports that module in its
AppConfig.ready(). `gathering jobs --loop` (a systemd service, or cron without --loop) calls `jobs_run_due`,
which runs each job whose interval has passed. Any number of runners may share the database: a runner claims
a job under a row lock before it runs it, so no job runs twice at once. Job functions take `now` as their
only (keyword) argument so a test, or a catch-up run, can move the clock.
"""

import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .models import JobRun
from .outbox import outbox_deliver_due, outbox_purge_sent

logger = logging.getLogger(__name__)

JobFunction = Callable[..., object]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    function: JobFunction
    # A run older than this is taken to have died with its runner, and the job may start again.
    timeout: timedelta


class JobRegistry:
    """Named jobs and their intervals; the project has one (`registry`), tests may make their own."""

    def __init__(self) -> None:
        self._jobs: dict[str, PeriodicJob] = {}

    def periodic_job(
        self, name: str, every: timedelta, *, timeout: timedelta = timedelta(hours=1)
    ) -> Callable[[JobFunction], JobFunction]:
        """Register the decorated function to run every `every`, called as `function(now=...)`."""
        if every <= timedelta(0):
            raise ImproperlyConfigured(f"Job {name!r} needs a positive interval.")

        def register(function: JobFunction) -> JobFunction:
            existing = self._jobs.get(name)
            if existing is not None and existing.function is not function:
                raise ImproperlyConfigured(f"Two jobs are registered as {name!r}.")
            self._jobs[name] = PeriodicJob(name=name, every=every, function=function, timeout=timeout)
            return function

        return register

    def jobs(self) -> list[PeriodicJob]:
        return sorted(self._jobs.values(), key=lambda job: job.name)


registry = JobRegistry()
periodic_job = registry.periodic_job


def jobs_run_due(*, now: datetime | None = None, jobs: JobRegistry | None = None) -> list[str]:
    """Run every job whose interval has passed since it last started; return the names of those run.

    A job that raises is logged (its class and code location, never its message, which may hold personal
    data) and recorded as failed; the other jobs still run, and it is tried again after its interval.
    """
    now = now or timezone.now()
    ran = []
    for job in (jobs or registry).jobs():
        if not _claim(job, now=now):
            continue
        ran.append(job.name)
        succeeded, error = True, ""
        try:
            job.function(now=now)
        except Exception as exc:
            succeeded, error = False, type(exc).__name__
            frames = traceback.extract_tb(exc.__traceback__)[-3:]
            where = " < ".join(
                f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in reversed(frames)
            )
            logger.error("Job %s failed with %s at %s", job.name, error, where)
        JobRun.objects.filter(name=job.name).update(
            running_since=None, last_finished_at=timezone.now(), last_succeeded=succeeded, last_error=error
        )
    return ran


def _claim(job: PeriodicJob, *, now: datetime) -> bool:
    """Mark the job as started by this runner, if it is due and no other runner has it; say whether it is."""
    JobRun.objects.get_or_create(name=job.name)
    with transaction.atomic():
        run = JobRun.objects.select_for_update().get(name=job.name)
        if run.last_started_at is not None and run.last_started_at + job.every > now:
            return False
        if run.running_since is not None and run.running_since + job.timeout > now:
            return False
        # Compare-and-set as well as the lock: SQLite has no row locks.
        return bool(
            JobRun.objects.filter(
                name=job.name, last_started_at=run.last_started_at, running_since=run.running_since
            ).update(last_started_at=now, running_since=now)
        )


# Core's own jobs. Other apps register theirs in their own jobs.py.

# One delivery run stops starting new batches after this long, well before the next run is due.
DELIVERY_RUN_BUDGET_SECONDS = 20


# A short timeout: if a runner dies mid-run, another takes over within minutes. Two runs overlapping is
# harmless here, since each message is claimed by one run only.
@periodic_job("outbox.deliver", every=timedelta(seconds=30), timeout=timedelta(minutes=2))
def outbox_deliver_job(*, now: datetime) -> None:
    started = time.monotonic()
    limit = 50
    while True:
        report = outbox_deliver_due(limit=limit, now=now)
        handled = report.sent + report.retried + report.failed
        if handled or report.reclaimed:
            logger.info(
                "Outbox: %s sent, %s to retry, %s failed, %s reclaimed",
                report.sent,
                report.retried,
                report.failed,
                report.reclaimed,
            )
        # A full batch means more may be waiting (a backlog after an outage): carry on while time allows.
        if handled < limit or time.monotonic() - started > DELIVERY_RUN_BUDGET_SECONDS:
            return


@periodic_job("outbox.purge", every=timedelta(days=1))
def outbox_purge_job(*, now: datetime) -> None:
    deleted = outbox_purge_sent(older_than_days=settings.GATHERING_OUTBOX_RETENTION_DAYS, now=now)
    if deleted:
        logger.info("Outbox: deleted %s sent messages past their retention period", deleted)
