"""`gathering events import-past FILE.csv`: enter the history of past Gatherings, all or nothing."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gathering.events.archive import COLUMNS, ImportError, import_past


class Command(BaseCommand):
    help = "Work with Gatherings from the command line."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        past = sub.add_parser(
            "import-past",
            help=f"Import past Gatherings from a CSV with the columns {', '.join(COLUMNS)}; "
            "links are 'Title|https://...' separated by ';'. One bad row imports nothing.",
        )
        past.add_argument("file")

    def handle(self, *args: Any, action: str, file: str, **options: Any) -> None:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        try:
            events = import_past(text)
        except ImportError as error:
            raise CommandError("Nothing was imported:\n" + "\n".join(error.problems)) from None
        self.stdout.write(f"Imported {len(events)} past Gatherings.")
