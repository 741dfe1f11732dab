"""`gathering jobs [--loop] [--interval SECONDS]`: embedded mode's scheduler, in place of Celery beat.

Each round sweeps the email outbox and runs the periodic jobs that are due, in this process, with the same
code a Celery worker runs for beat. `make demo` starts it beside the web server. With a broker, run Celery
beat instead (docs/deployment.md); running this as well does no harm, as each job is claimed before it runs.
"""

import logging
import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from gathering.core.beat import OUTBOX_SWEEP_EVERY
from gathering.core.jobs import jobs_run_due, registry
from gathering.core.tasks import outbox_sweep

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Sweep the email outbox and run the periodic jobs that are due (offers, reminders, purges...), "
        "without a broker. With --loop, keep running until stopped; without it, run once. Several runners "
        "may run at once."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--loop", action="store_true", help="Keep running until stopped (SIGTERM/SIGINT)."
        )
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between checks with --loop (default 5)."
        )
        parser.add_argument(
            "--list", action="store_true", dest="show_list", help="List the registered jobs and exit."
        )

    def handle(self, *args: Any, loop: bool, interval: float, show_list: bool, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        if show_list:
            self.stdout.write(f"{'outbox.sweep':<30} every {OUTBOX_SWEEP_EVERY}")
            for job in registry.jobs():
                self.stdout.write(f"{job.name:<30} every {job.every}")
            return
        if interval <= 0:
            raise CommandError("--interval must be more than 0 seconds.")
        if not loop:
            self._report(self._run_round())
            return

        stopping = threading.Event()

        def stop(signum: int, frame: object) -> None:
            # Finish the job in hand, then leave: a half-done delivery batch would wait 15 minutes.
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping.is_set():
            # A long-running process must not keep a connection the database has closed.
            close_old_connections()
            try:
                self._report(self._run_round())
            except Exception as exc:
                # The database may be away for a moment; try again next round rather than exit.
                logger.error("Running due jobs failed with %s", type(exc).__name__)
            stopping.wait(interval)

    def _run_round(self) -> list[str]:
        outbox_sweep()
        return ["outbox.sweep", *jobs_run_due()]

    def _report(self, names: list[str]) -> None:
        if names and self.verbosity >= 2:
            self.stdout.write("Ran: " + ", ".join(names))
