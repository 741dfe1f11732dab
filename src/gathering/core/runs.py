"""Taking a background run (an optimiser run, a circle formation) for the task that will do it.

A run model has `status` (its `Status` with QUEUED, RUNNING and FAILED), `runner` (the task's id),
`attempts`, `started_at`, `finished_at`, `progress` and `message`. A queued run is taken. A running run is
taken again when its runner has stopped: either this is the same task delivered a second time because its
worker died, or the run started longer ago than any run may last. After RUN_ATTEMPTS starts such a run is
marked failed instead, with a message for the person who asked for it.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.db import models
from django.db.models import F

logger = logging.getLogger(__name__)

RUN_ATTEMPTS = 3

Run = TypeVar("Run", bound=models.Model)


def run_claim(
    model: type[Run],
    *,
    run_id: int,
    runner: str,
    now: datetime,
    longest_seconds: Callable[[Run], float],
    failed_message: str,
) -> Run | None:
    """Take run `run_id` for `runner`, or return None if it is not this runner's to do: finished, or
    running with a live runner elsewhere. `longest_seconds(run)` is how long the run may last."""
    status = model.Status
    run = model.objects.filter(pk=run_id).first()
    if run is None:
        return None
    restart = run.status == status.RUNNING
    if restart:
        orphaned = (
            run.runner == runner
            or run.started_at is None
            or (now - run.started_at).total_seconds() > longest_seconds(run)
        )
        if not orphaned:
            return None
    elif run.status != status.QUEUED:
        return None
    # A compare-and-set rather than a lock held across the decision (a short write, which SQLite's single
    # writer also allows): of two tasks claiming at once, one changes the row and the other finds it changed.
    unchanged = model.objects.filter(
        pk=run.pk, status=run.status, runner=run.runner, started_at=run.started_at
    )
    label = model._meta.verbose_name
    if restart and run.attempts >= RUN_ATTEMPTS:
        if unchanged.update(status=status.FAILED, finished_at=now, message=failed_message):
            logger.error("%s %s stopped %s times; marked failed", label, run.pk, run.attempts)
        return None
    claimed = unchanged.update(
        status=status.RUNNING, started_at=now, progress=0, runner=runner, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    if restart:
        logger.warning("%s %s: its runner stopped, starting it again", label, run.pk)
    return run


def run_progress(run: models.Model, percent: int) -> None:
    """Record how far a run is (a share of its time limit), while its runner still holds it."""
    type(run).objects.filter(
        pk=run.pk,
        status=type(run).Status.RUNNING,
        runner=run.runner,
    ).update(progress=max(0, min(99, percent)))
