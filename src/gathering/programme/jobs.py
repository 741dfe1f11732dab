"""The programme's background job: run queued timetable optimisations (and fail runs whose runner died)."""

import logging
from datetime import datetime, timedelta

from gathering.core.jobs import periodic_job

from .services import timetable_runs_execute_queued

logger = logging.getLogger(__name__)


# Runs are short (a minute at most), so a runner that died is taken over after a few minutes.
@periodic_job("programme.timetable_runs", every=timedelta(seconds=5), timeout=timedelta(minutes=5))
def timetable_runs_job(*, now: datetime) -> None:
    ran = timetable_runs_execute_queued(now=now)
    if ran:
        logger.info("Programme: %s timetable runs finished", ran)
