"""Gathering's Celery app as the scale-out test's hosts run it: the same app and tasks, with one more periodic
job, `scaleout.tick`, due every SCALEOUT_TICK_SECONDS, that appends the host that ran it and the time to the
file SCALEOUT_TICKS. Workers and beat load it with `celery -A tests.scaleout.celery_app`."""

import os
from datetime import datetime, timedelta

import django

django.setup()

from gathering.celery import app  # noqa: E402
from gathering.core.jobs import periodic_job  # noqa: E402

__all__ = ["app"]


@periodic_job("scaleout.tick", every=timedelta(seconds=float(os.environ["SCALEOUT_TICK_SECONDS"])))
def tick(*, now: datetime) -> None:
    # One short append: lines from the two hosts' workers cannot interleave.
    with open(os.environ["SCALEOUT_TICKS"], "a") as ticks:
        ticks.write(f"{os.environ['SCALEOUT_HOST']} {now.timestamp():.3f}\n")
