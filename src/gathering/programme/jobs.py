"""The programme's periodic job: queue again the optimiser runs whose task was lost or whose runner died."""

import logging
from datetime import datetime, timedelta

from gathering.core.jobs import periodic_job

from .services import timetable_runs_sweep

logger = logging.getLogger(__name__)


@periodic_job("programme.timetable_runs", every=timedelta(minutes=1), timeout=timedelta(minutes=5))
def timetable_runs_job(*, now: datetime) -> None:
    queued = timetable_runs_sweep(now=now)
    if queued:
        logger.info("Programme: %s timetable runs queued again", queued)
