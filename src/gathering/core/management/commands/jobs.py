"""`gathering jobs [--loop] [--interval SECONDS]`: run the periodic jobs that are due, once or for ever."""

import logging
import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from gathering.core.jobs import jobs_run_due, registry

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the periodic jobs that are due (outbox delivery, purges...). With --loop, keep running: "
        "for a systemd service. Without it, run once: for cron. Several runners may run at once."
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
            for job in registry.jobs():
                self.stdout.write(f"{job.name:<30} every {job.every}")
            return
        if interval <= 0:
            raise CommandError("--interval must be more than 0 seconds.")
        if not loop:
            self._report(jobs_run_due())
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
                self._report(jobs_run_due())
            except Exception as exc:
                # The database may be away for a moment; try again next round rather than exit.
                logger.error("Running due jobs failed with %s", type(exc).__name__)
            stopping.wait(interval)

    def _report(self, names: list[str]) -> None:
        if names and self.verbosity >= 2:
            self.stdout.write("Ran: " + ", ".join(names))
