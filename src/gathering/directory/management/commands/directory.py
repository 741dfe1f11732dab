"""`gathering directory import-hsds PATH` and `gathering directory export-hsds DIR`: HSDS data in and out."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from gathering.directory import models as m
from gathering.directory import search_index
from gathering.directory.exports import hsds_export
from gathering.directory.hsds import DOCUMENT_KINDS
from gathering.directory.services import HsdsImportError, hsds_import

# Records written by one import from which PostgreSQL's statistics of the directory's tables are refreshed.
ANALYSE_AFTER = 10_000


class Command(BaseCommand):
    help = "Work with the network directory from the command line."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "import-hsds",
            help="Import Open Referral (HSDS 3.0 / UK profile) data: a JSON file of records (one, a list, or "
            "an API page with 'contents'), a folder of such files, or a tabular datapackage folder. "
            "Checked against the schemas first; one problem imports nothing.",
        )
        load.add_argument("path")
        load.add_argument(
            "--kind",
            choices=DOCUMENT_KINDS,
            help="What the records are, when file and folder names do not say so "
            "(services.json, organizations/)",
        )
        dump = sub.add_parser(
            "export-hsds",
            help="Write every service, organisation and taxonomy as an HSDS 3.0 document: "
            "DIR/services/ID.json, DIR/organizations/ID.json, DIR/taxonomies/ID.json.",
        )
        dump.add_argument("dir")
        sub.add_parser(
            "reindex",
            help="Rebuild the search's index of every listed service at each of its places from the "
            "records (kept in step by every change the application makes; for changes made around it).",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "import-hsds":
            self._import(Path(options["path"]), options.get("kind"))
        elif action == "reindex":
            with transaction.atomic():
                search_index.refresh_all()
            self.stdout.write(f"{m.SearchEntry.objects.count()} search entries written.")
        else:
            counts = hsds_export(folder=Path(options["dir"]))
            self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()) + " written.")

    def _import(self, path: Path, kind: str | None) -> None:
        try:
            result = hsds_import(path=path, kind=kind)
        except HsdsImportError as error:
            raise CommandError(
                f"Nothing was imported: {len(error.problems)} problems.\n" + "\n".join(error.lines())
            ) from None
        self.stdout.write(result.summary())
        written = sum(result.created.values()) + sum(result.updated.values())
        if written >= ANALYSE_AFTER and connection.vendor == "postgresql":
            # PostgreSQL plans queries by its statistics of each table, which its autovacuum refreshes only
            # a while after a big load: until then a search could be planned as if the tables were empty.
            with connection.cursor() as cursor:
                for model in apps.get_app_config("directory").get_models():
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
