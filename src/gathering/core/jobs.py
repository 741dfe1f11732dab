"""Periodic background jobs: a registry that apps fill from their `jobs.py`, and the claim that runs each job
once per interval, however many schedulers ask.

An app registers its jobs in `<app>/jobs.py` with `@periodic_job(name, every)` and imports that module in its
AppConfig.ready(). In production Celery beat sends the `periodic` task for each job at its interval
(gathering/celery.py builds beat's schedule from this registry) and a worker calls `job_run`. In embedded
mode `gathering jobs --loop` calls `jobs_run_due`. Either way a job is claimed on its `JobRun` row, under a
row lock, before it runs: if it ran within its interval, or is running now, the claim is refused. So two
beats, or a beat and `gathering jobs` run by hand, never run a job twice. Job functions take `now` as their
only (keyword) argument so a test, or a catch-up run, can move the clock.
"""

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from .models import JobRun
from .outbox import outbox_purge_sent

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

    def get(self, name: str) -> PeriodicJob:
        try:
            return self._jobs[name]
        except KeyError:
            raise UnknownJobError(f"No job is registered as {name!r}.") from None


class UnknownJobError(ObjectDoesNotExist):
    """A job name that nothing registered (a beat running an older or newer release than the worker)."""


registry = JobRegistry()
periodic_job = registry.periodic_job


def jobs_run_due(*, now: datetime | None = None, jobs: JobRegistry | None = None) -> list[str]:
    """Run every job whose interval has passed since it last started; return the names of those run.

    A job that raises is logged (its class and code location, never its message, which may hold personal
    data) and recorded as failed; the other jobs still run, and it is tried again after its interval.
    """
    now = now or timezone.now()
    return [job.name for job in (jobs or registry).jobs() if _run(job, now=now, early=timedelta(0))]


# Beat's messages reach a worker a little late or early (a busy queue, a restart), so a job asked for by beat
# may start up to this share of its interval before it is due: two runs are never closer than nine tenths
# of the interval, and a run that started late does not push the next one back by a whole interval.
BEAT_EARLY_SHARE = 10


def job_run(*, name: str, now: datetime | None = None, jobs: JobRegistry | None = None) -> bool:
    """Run the job registered as `name` if it is due and nobody is running it; say whether it ran.

    This is what Celery beat's `periodic` task calls: however many beats send it, the job runs once.
    """
    job = (jobs or registry).get(name)
    return _run(job, now=now or timezone.now(), early=job.every / BEAT_EARLY_SHARE)


def _run(job: PeriodicJob, *, now: datetime, early: timedelta) -> bool:
    if not _claim(job, now=now, early=early):
        return False
    succeeded, error = True, ""
    try:
        job.function(now=now)
    except Exception as exc:
        succeeded, error = False, type(exc).__name__
        frames = traceback.extract_tb(exc.__traceback__)[-3:]
        where = " < ".join(f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in reversed(frames))
        logger.error("Job %s failed with %s at %s", job.name, error, where)
    JobRun.objects.filter(name=job.name).update(
        running_since=None, last_finished_at=timezone.now(), last_succeeded=succeeded, last_error=error
    )
    return True


def _claim(job: PeriodicJob, *, now: datetime, early: timedelta) -> bool:
    """Mark the job as started by this runner, if it is due and no other runner has it; say whether it is."""
    JobRun.objects.get_or_create(name=job.name)
    with transaction.atomic():
        run = JobRun.objects.select_for_update().get(name=job.name)
        if run.last_started_at is not None and run.last_started_at + job.every - early > now:
            return False
        if run.running_since is not None and run.running_since + job.timeout > now:
            return False
        # Compare-and-set as well as the lock: SQLite has no row locks.
        return bool(
            JobRun.objects.filter(
                name=job.name, last_started_at=run.last_started_at, running_since=run.running_since
            ).update(last_started_at=now, running_since=now)
        )


# Core's own jobs. Other apps register theirs in their own jobs.py. Outbox delivery is not a job: the
# outbox sweep (core/tasks.py) needs no claim, as each message is claimed by one worker only.


@periodic_job("outbox.purge", every=timedelta(days=1))
def outbox_purge_job(*, now: datetime) -> None:
    deleted = outbox_purge_sent(older_than_days=settings.GATHERING_OUTBOX_RETENTION_DAYS, now=now)
    if deleted:
        logger.info("Outbox: deleted %s sent messages past their retention period", deleted)
