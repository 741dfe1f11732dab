"""`gathering directory import-hsds PATH` and `gathering directory export-hsds DIR`: HSDS data in and out."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gathering.directory.exports import hsds_export
from gathering.directory.hsds import DOCUMENT_KINDS
from gathering.directory.services import HsdsImportError, hsds_import


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

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "import-hsds":
            self._import(Path(options["path"]), options.get("kind"))
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
