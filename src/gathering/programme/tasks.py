"""The programme's background task: an optimiser run, on the "optimise" queue with a worker of its own.

The task claims the run, reports progress while the solver works, then stores the result (services.py). It is
safe to run twice: a run that is finished, or held by a live runner, is left alone; a run whose worker died
is started again when the same task comes back (acknowledged late, it is handed out again) or, failing that,
when the sweep finds it older than any run may last.
"""

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from celery import Task
from django.db import connections

from gathering.celery import app

from . import services
from .models import TimetableRun

logger = logging.getLogger(__name__)


@app.task(
    bind=True,
    # The longest run; each run is sent with its own, shorter limits (services._start_in_background).
    time_limit=max(services.RUN_TIME_LIMIT_CHOICES) + services.RUN_MARGIN_SECONDS,
    soft_time_limit=max(services.RUN_TIME_LIMIT_CHOICES) + services.RUN_MARGIN_SECONDS // 2,
)
def timetable_run(self: Task, run_id: int) -> None:
    # A task sent again after its worker died keeps its id: that is how the claim knows the run is orphaned.
    runner = self.request.id or f"here-{uuid.uuid4().hex}"
    run = services.timetable_run_claim(run_id=run_id, runner=runner)
    if run is None:
        logger.info("Timetable run %s: nothing to do (finished, or running elsewhere)", run_id)
        return
    logger.info("Timetable run %s started (attempt %s)", run.pk, run.attempts)
    with _progress_reported(run):
        fields = services.timetable_run_solve(run=run)
    services.timetable_run_store(run=run, fields=fields)


@contextmanager
def _progress_reported(run: TimetableRun) -> Iterator[None]:
    """Record the share of the time limit used, every second, while the body runs: the solver gives no
    progress of its own, and the organiser's page shows this."""
    stop = threading.Event()
    started = time.monotonic()

    def report() -> None:
        try:
            while not stop.wait(1.0):
                percent = int(100 * (time.monotonic() - started) / max(1, run.time_limit))
                services.timetable_run_progress(run=run, percent=percent)
        except Exception as exc:  # progress is a courtesy: the run itself carries on
            logger.warning("Timetable run %s: progress not recorded (%s)", run.pk, type(exc).__name__)
        finally:
            connections.close_all()

    reporter = threading.Thread(target=report, name=f"timetable run {run.pk} progress", daemon=True)
    reporter.start()
    try:
        yield
    finally:
        stop.set()
        # Before the result is stored, so that the two never write at once.
        reporter.join()
