"""Reading HSDS data from files: JSON documents (single, lists, API pages) and tabular datapackages (CSV)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .hsds import DOCUMENT_KINDS, SCHEMA_DIR, pointer

# Plural and other spellings of a kind in file and folder names.
KIND_NAMES = {
    "service_at_locations": "service_at_location",
    "taxonomy_terms": "taxonomy_term",
    "taxonomies": "taxonomy",
    "organizations": "organization",
    "organisations": "organization",
    "organisation": "organization",
    "locations": "location",
    "services": "service",
}
# Tables HSDS defines that the directory does not keep.
SKIPPED_TABLES = {"meta_table_description"}


@dataclass
class Document:
    """One HSDS document (a service, an organisation, ...) and how to name places in it."""

    kind: str
    data: Any
    where: Callable[[list[Any]], str]


@dataclass
class Table:
    """The rows of one HSDS table from a tabular datapackage, with JSON types by the schema's hints."""

    entity: str
    rows: list[dict[str, Any]]
    where: list[Callable[[list[Any]], str]]


@dataclass
class Source:
    documents: list[Document] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def kind_from_name(name: str) -> str | None:
    """The kind of document a file or folder name announces ("service_full.json" is a service)."""
    stem = name.lower().replace("-", "_").split(".")[0]
    for spelling, kind in KIND_NAMES.items():
        if stem == spelling or stem.startswith(spelling + "_"):
            return kind
    for kind in sorted(DOCUMENT_KINDS, key=len, reverse=True):
        if stem == kind or stem.startswith(kind + "_"):
            return kind
    return None


ORGANIZATION_KEYS = {
    "services",
    "locations",
    "programs",
    "organization_identifiers",
    "website",
    "tax_status",
    "tax_id",
    "year_incorporated",
    "legal_status",
    "logo",
    "parent_organization_id",
}
TERM_KEYS = {
    "taxonomy_detail",
    "term",
    "parent_id",
    "taxonomy_id",
    "term_uri",
    "code",
    "taxonomy",
    "language",
}


def kind_from_shape(data: dict[str, Any]) -> str | None:
    """The kind of a document told by its fields, when its file's name does not say."""
    if "location_type" in data:
        return "location"
    if "status" in data:
        return "service"
    if isinstance(data.get("service"), dict) or isinstance(data.get("location"), dict):
        return "service_at_location"
    if "service_id" in data and "location_id" in data:
        return "service_at_location"
    if TERM_KEYS & data.keys():
        return "taxonomy_term"
    if "taxonomy_terms" in data or "version" in data:
        return "taxonomy"
    if ORGANIZATION_KEYS & data.keys():
        return "organization"
    return None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in JSON")


def _load_json(path: Path, label: str, source: Source) -> Any:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            return json.load(handle, parse_float=Decimal, parse_constant=_reject_constant)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        source.problems.append((label, f"cannot be read as JSON: {error}"))
        return None


def _locator(label: str, prefix: list[Any]) -> Callable[[list[Any]], str]:
    return lambda parts: f"{label}#{pointer([*prefix, *parts])}"


def read_json(data: Any, label: str, *, kind: str | None, source: Source) -> None:
    """Split one parsed JSON file into documents: a document, a list of them, an HSDS API page, or the
    tables of a tabular package written as JSON ({"services.csv": [rows], ...})."""
    if isinstance(data, dict) and data and all(isinstance(key, str) and key.endswith(".csv") for key in data):
        _read_tabular_json(data, label, source)
        return
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        items, prefix = data["contents"], ["contents"]
    elif isinstance(data, list):
        items, prefix = data, []
    elif isinstance(data, dict) and "id" not in data and ("openapi_url" in data or "version" in data):
        source.notes.append(f"{label}: an HSDS API description, not a record; skipped")
        return
    else:
        items, prefix = [data], None
    for index, item in enumerate(items):
        parts = [] if prefix is None else [*prefix, index]
        where = _locator(label, parts)
        if not isinstance(item, dict):
            source.problems.append((where([]), "must be an HSDS record (a JSON object)"))
            continue
        item_kind = kind or kind_from_shape(item)
        if item_kind is None:
            source.problems.append(
                (
                    where([]),
                    "cannot tell what kind of HSDS record this is: name the file after its kind "
                    f"({', '.join(DOCUMENT_KINDS)}) or give --kind",
                )
            )
            continue
        source.documents.append(Document(item_kind, item, where))


def _table_entity(name: str) -> str | None:
    return _table_files().get(Path(name).name.lower()) or _table_files().get(Path(name).stem.lower() + ".csv")


def _table_files() -> dict[str, str]:
    files: dict[str, str] = {}
    for profile in ("3.0", "uk"):
        for path in (SCHEMA_DIR / profile).glob("*.json"):
            schema = json.loads(path.read_text(encoding="utf-8"))
            if "path" not in schema:  # openapi.json describes the API, not a table
                continue
            files.setdefault(schema["path"], path.stem)
            files.setdefault(schema["name"] + ".csv", path.stem)
    return files


def _column_types(entity: str) -> dict[str, str]:
    types: dict[str, str] = {}
    for profile in ("3.0", "uk"):
        path = SCHEMA_DIR / profile / f"{entity}.json"
        if path.exists():
            for name, spec in json.loads(path.read_text(encoding="utf-8"))["properties"].items():
                types.setdefault(name, spec.get("type", "string"))
    return types


def _typed_row(
    entity: str, row: dict[str, Any], where: Callable[[list[Any]], str], source: Source
) -> dict[str, Any]:
    """A row with the JSON types the schema gives its columns: CSV cells are text, empty means absent. A
    cell that cannot be read is reported and left out, so the rest of the row is still checked."""
    types = _column_types(entity)
    typed: dict[str, Any] = {}
    for column, value in row.items():
        if column is None or value is None or value == "":
            continue
        kind = types.get(column)
        if kind is None or kind in ("array", "object"):
            continue
        if kind == "number" and isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                source.problems.append((where([column]), f"{column}: {value!r} is not a number"))
                continue
            typed[column] = number
        elif kind == "string" and not isinstance(value, str):
            typed[column] = str(value)
        else:
            typed[column] = value
    return typed


def _add_table(
    entity: str, rows: list[tuple[dict[str, Any], Callable[[list[Any]], str]]], label: str, source: Source
) -> None:
    if entity in SKIPPED_TABLES:
        source.notes.append(f"{label}: {len(rows)} rows of {entity} are not kept by the directory; skipped")
        return
    table = Table(entity, [], [])
    for row, where in rows:
        table.rows.append(_typed_row(entity, row, where, source))
        table.where.append(where)
    source.tables.append(table)


def _read_tabular_json(data: dict[str, Any], label: str, source: Source) -> None:
    for name, rows in data.items():
        entity = _table_entity(name)
        where_table = _locator(label, [name])
        if entity is None:
            source.problems.append((where_table([]), f"{name} is not an HSDS table"))
            continue
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            source.problems.append((where_table([]), f"{name} must be a list of rows (JSON objects)"))
            continue
        _add_table(
            entity, [(row, _locator(label, [name, index])) for index, row in enumerate(rows)], label, source
        )


def _row_locator(label: str, number: int) -> Callable[[list[Any]], str]:
    def where(parts: list[Any]) -> str:
        return f"{label}, row {number}" + (f", column {parts[0]}" if parts else "")

    return where


def read_datapackage(folder: Path, source: Source, *, base: Path) -> None:
    """The CSV tables a tabular datapackage lists (or, when it lists none, the HSDS tables in its folder)."""
    label = str((folder / "datapackage.json").relative_to(base))
    package = _load_json(folder / "datapackage.json", label, source)
    if package is None:
        return
    resources = package.get("resources") if isinstance(package, dict) else None
    if resources is None:
        paths = sorted(path.name for path in folder.glob("*.csv"))
    elif isinstance(resources, list) and all(
        isinstance(r, dict) and isinstance(r.get("path"), str) for r in resources
    ):
        paths = [resource["path"] for resource in resources]
    else:
        source.problems.append((label, "resources must be a list of objects with a path"))
        return
    root = folder.resolve()
    for relative in paths:
        file = (folder / relative).resolve()
        name = str(file.relative_to(base.resolve())) if file.is_relative_to(base.resolve()) else relative
        if not file.is_relative_to(root) or not file.is_file():
            source.problems.append((label, f"{relative}: no such file in the package's folder"))
            continue
        entity = _table_entity(file.name)
        if entity is None:
            source.problems.append((name, "not an HSDS table (the file name says which, e.g. services.csv)"))
            continue
        try:
            with file.open(encoding="utf-8-sig", newline="") as handle:
                rows = [
                    (dict(row), _row_locator(name, number))
                    for number, row in enumerate(csv.DictReader(handle), start=2)
                ]
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            source.problems.append((name, f"cannot be read as CSV: {error}"))
            continue
        _add_table(entity, rows, name, source)


def read_path(path: Path, *, kind: str | None = None) -> Source:
    """Everything HSDS under `path`: a JSON file, a datapackage folder, or a folder of JSON files."""
    source = Source()
    if path.is_file():
        data = _load_json(path, path.name, source)
        if data is not None:
            read_json(data, path.name, kind=kind or kind_from_name(path.name), source=source)
        return source
    if not path.is_dir():
        source.problems.append((str(path), "no such file or folder"))
        return source
    if (path / "datapackage.json").is_file():
        read_datapackage(path, source, base=path)
        return source
    files = sorted(path.rglob("*.json"))
    if not files:
        source.problems.append((str(path), "holds no .json files and no datapackage.json"))
    for file in files:
        label = str(file.relative_to(path))
        data = _load_json(file, label, source)
        if data is None:
            continue
        hint = kind or kind_from_name(file.name) or kind_from_name(file.parent.name)
        read_json(data, label, kind=hint, source=source)
    return source
