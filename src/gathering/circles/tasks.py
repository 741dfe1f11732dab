"""The circles' background task: forming a series' circles, on the "optimise" queue with the timetable's runs.

The task claims the run, reports progress while the grouping optimiser works, then saves the circles and marks
the run done in one transaction (services.py). It is safe to run twice: a finished run, or one held by a live
runner, is left alone; a run whose worker died is started again when the same task comes back (acknowledged
late, it is handed out again) or, failing that, when the sweep finds it older than any run may last.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from celery import Task
from django.db import connections

from gathering.celery import app

from . import services
from .models import FormationRun

logger = logging.getLogger(__name__)

# The longest time limit the organiser's form allows (forms.FormCirclesForm), for the task's own ceiling;
# each run is sent with its own, shorter limits (services._start_in_background).
LONGEST_TIME_LIMIT = 60


@app.task(
    bind=True,
    time_limit=2 * LONGEST_TIME_LIMIT + 1 + services.RUN_MARGIN_SECONDS,
    soft_time_limit=2 * LONGEST_TIME_LIMIT + 1 + services.RUN_MARGIN_SECONDS // 2,
)
def formation_run(self: Task, run_id: int) -> None:
    # A task sent again after its worker died keeps its id: that is how the claim knows the run is orphaned.
    runner = self.request.id or f"here-{uuid.uuid4().hex}"
    run = services.formation_run_claim(run_id=run_id, runner=runner)
    if run is None:
        logger.info("Formation run %s: nothing to do (finished, or running elsewhere)", run_id)
        return
    logger.info("Formation run %s started (attempt %s)", run.pk, run.attempts)
    with _progress_reported(run) as stop_reporting:
        run = services.formation_run_perform(run=run, solved=stop_reporting)
    logger.info("Formation run %s finished (%s)", run.pk, run.status)


@contextmanager
def _progress_reported(run: FormationRun) -> Iterator[Callable[[], None]]:
    """Record the share of the time limit used, every second, while the body runs: the optimiser gives no
    progress of its own, and the organiser's page shows this. The body calls what it is given once the
    optimiser has finished, so that progress is never written at the same time as the circles."""
    stop = threading.Event()
    started = time.monotonic()

    def report() -> None:
        try:
            while not stop.wait(1.0):
                percent = int(100 * (time.monotonic() - started) / max(1.0, run.time_limit))
                services.formation_run_progress(run=run, percent=percent)
        except Exception as exc:  # progress is a courtesy: the run itself carries on
            logger.warning("Formation run %s: progress not recorded (%s)", run.pk, type(exc).__name__)
        finally:
            connections.close_all()

    def stop_reporting() -> None:
        stop.set()
        reporter.join()

    reporter = threading.Thread(target=report, name=f"formation run {run.pk} progress", daemon=True)
    reporter.start()
    try:
        yield stop_reporting
    finally:
        stop_reporting()
