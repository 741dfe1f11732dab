"""The Open Referral examples and schemas the directory tests read, and helpers to compare documents.

Read from the reference data beside the repository (`../shared/data/hsds`) when it is there, otherwise
from the copies of the examples in `tests/data/hsds` (see its README). The compiled whole-document schemas
are large and are only read from the reference data; without it, exports are checked against the
per-entity schemas the product ships, which the compiled ones are built from.
"""

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from gathering.directory.hsds import validator as entity_validator

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "hsds"
COPIES = REPO / "tests" / "data" / "hsds"
HSDS = SHARED if (SHARED / "3.0" / "examples").is_dir() else COPIES
PROFILES = ("3.0", "uk")

# What each shared example file is; files not listed are not record documents.
EXAMPLE_KINDS = {
    "location.json": "location",
    "organization_full.json": "organization",
    "organization_list.json": "organization",
    "service_at_location_full.json": "service_at_location",
    "service_at_location_list.json": "service_at_location",
    "service_full.json": "service",
    "service_list.json": "service",
    "taxonomy.json": "taxonomy",
    "taxonomy_list.json": "taxonomy",
    "taxonomy_term.json": "taxonomy_term",
    "taxonomy_term_list.json": "taxonomy_term",
}
NOT_RECORDS = {"base.json": "the API's root description", "tabular.json": "a tabular package written as JSON"}


def example_paths() -> list[tuple[str, Path]]:
    return [
        (profile, path)
        for profile in PROFILES
        for path in sorted((HSDS / profile / "examples").glob("*.json"))
        if path.name in EXAMPLE_KINDS
    ]


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def records_in(data: Any) -> list[dict[str, Any]]:
    """The records of an example: the page's contents, or the document itself."""
    return data["contents"] if isinstance(data, dict) and "contents" in data else [data]


def normalised(value: Any) -> Any:
    """A document with its lists in id order (HSDS gives lists no order) and numbers as Decimals."""
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [normalised(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)).normalize()
    return value


@cache
def compiled_validator(profile: str, kind: str) -> Draft202012Validator | None:
    path = SHARED / profile / "schema" / "compiled" / f"{kind}.json"
    if not path.exists():
        return None
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def schema_errors(document: Any, kind: str, profile: str = "3.0") -> list[str]:
    """Why `document` does not validate as `kind`: against the compiled schema when there is one (service,
    organization, service_at_location), otherwise against the per-entity schemas."""
    checker = compiled_validator(profile, kind) or entity_validator(kind, profile)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in checker.iter_errors(document)
    ]
