"""Celery beat's schedule, read from the periodic job registry (core/jobs.py) when beat starts.

`CELERY_BEAT_SCHEDULER` names `RegistryScheduler`; by the time beat builds its schedule Django is set up and
every app has registered its jobs. Each job is sent as the `periodic` task (core/tasks.py), which claims the
job's JobRun row, so two beats (or a beat and `gathering jobs`) never run a job twice in one interval.
"""

from datetime import timedelta
from typing import Any

from celery.beat import PersistentScheduler

from .jobs import registry

# Outbox delivery needs no lock: each message is claimed by one worker, so two sweeps at once are harmless.
OUTBOX_SWEEP_EVERY = timedelta(seconds=30)


def beat_schedule() -> dict[str, dict[str, Any]]:
    """One beat entry per registered periodic job, at its interval, plus the outbox sweep.

    Each entry expires after one interval: a message that waited that long (workers down) is dropped, as
    the next one is already on its way, rather than piling up.
    """
    schedule: dict[str, dict[str, Any]] = {
        "outbox.sweep": {
            "task": "gathering.core.tasks.outbox_sweep",
            "schedule": OUTBOX_SWEEP_EVERY,
            "options": {"expires": OUTBOX_SWEEP_EVERY.total_seconds()},
        }
    }
    for job in registry.jobs():
        schedule[job.name] = {
            "task": "gathering.core.tasks.periodic",
            "schedule": job.every,
            "args": [job.name],
            "options": {"expires": job.every.total_seconds()},
        }
    return schedule


class RegistryScheduler(PersistentScheduler):
    """Celery beat's own scheduler, its schedule read from the job registry when beat starts (by then
    Django is set up and every app has registered its jobs)."""

    def setup_schedule(self) -> None:
        self.app.conf.beat_schedule = beat_schedule()
        super().setup_schedule()
