"""Writing the directory out as HSDS 3.0 documents, one JSON file per service, organisation and taxonomy."""

import json
from pathlib import Path
from typing import Any

from .hsds import document
from .selectors import organizations_for_export, services_for_export, taxonomies_for_export

FOLDERS = (
    ("services", "service", services_for_export),
    ("organizations", "organization", organizations_for_export),
    ("taxonomies", "taxonomy", taxonomies_for_export),
)


def write_document(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def hsds_export(*, folder: Path) -> dict[str, int]:
    """Write `folder`/services/ID.json, organizations/ID.json and taxonomies/ID.json, each a document in the
    shape of the compiled HSDS schema for its kind. Returns how many of each were written."""
    counts: dict[str, int] = {}
    for name, kind, batches in FOLDERS:
        target = folder / name
        target.mkdir(parents=True, exist_ok=True)
        counts[name] = 0
        for graph, records in batches():
            for record in records:
                write_document(target / f"{record.pk}.json", document(graph, kind, record))
                counts[name] += 1
    return counts
