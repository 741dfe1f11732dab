"""HSDS 3.0 documents to and from the directory's records: the one serializer for export and the HSDS API.

`SPECS` says, for each HSDS table, which fields it stores, which `*_id` fields link it to other tables and
which keys nest other records in a document. `validate` checks a document against the shipped schemas
(HSDS 3.0 and the UK profile). `flatten` turns a checked document into flat `Record`s for the import to
write, and `document` turns loaded records (a `Graph`, see selectors.py) back into the nested shape of the
compiled schemas (`service`, `organization`, `service_at_location`, `location`, `taxonomy`,
`taxonomy_term`).

Documents nest records instead of naming them: a record's link to the record it is nested in is never
written, and neither is a link whose record is written nested beside it (a service carries its
`organization`, not `organization_id`). Empty text, empty lists and absent numbers are left out.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import jsonschema_rs
from django.db import models
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from . import models as m

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

SCHEMA_DIR = Path(__file__).parent / "schemas"
PROFILES = ("3.0", "uk")

# The kinds of document that stand alone: what `import-hsds` reads and the HSDS API answers with.
DOCUMENT_KINDS = ("service", "organization", "service_at_location", "location", "taxonomy", "taxonomy_term")

# The compiled schemas nest a few records that the per-entity schemas do not name; a document's root
# may carry them, and they are checked against the nested record's own schema.
ROOT_EXTRAS = {
    "organization": {"services": ("service", True)},
    "service_at_location": {"service": ("service", False)},
    "taxonomy": {"taxonomy_terms": ("taxonomy_term", True)},
}


@dataclass(frozen=True)
class Link:
    """An HSDS `*_id` field held by a record: the model attribute it is stored in and the table it names."""

    field: str
    attname: str
    target: str


@dataclass(frozen=True)
class Nest:
    """A key that nests records in a document. `link` is the `*_id` field that joins them: held by the
    nested record (a service's phones carry `service_id`) or, when `held_by_child` is False, by the
    record they are nested in (a service holds `organization_id`). Attributes and metadata have no link
    field: they point at any record with `link_id`/`resource_id` and an entity."""

    key: str
    target: str
    many: bool
    link: str | None
    held_by_child: bool = True


@dataclass(frozen=True)
class Spec:
    name: str
    model: type[models.Model]
    fields: tuple[str, ...]
    links: tuple[Link, ...] = ()
    nests: tuple[Nest, ...] = ()
    # Records that must always hang from one of these links (checked on import).
    needs_one_of: tuple[str, ...] = ()
    # Links every record must have besides (checked on import): a service at a location names both.
    needs_all: tuple[str, ...] = ()

    def link(self, name: str) -> Link:
        return next(link for link in self.links if link.field == name)

    def nest(self, key: str) -> Nest:
        return next(nest for nest in self.nests if nest.key == key)


def _generic() -> tuple[Nest, ...]:
    return (Nest("attributes", "attribute", True, None), Nest("metadata", "metadata", True, None))


def _links(**targets: str) -> tuple[Link, ...]:
    return tuple(Link(name, name, target) for name, target in targets.items())


SPECS: dict[str, Spec] = {
    spec.name: spec
    for spec in (
        Spec(
            "organization",
            m.Organization,
            (
                "name",
                "alternate_name",
                "description",
                "email",
                "website",
                "tax_status",
                "tax_id",
                "year_incorporated",
                "legal_status",
                "logo",
                "uri",
                "parent_organization_id",
            ),
            nests=(
                Nest("funding", "funding", True, "organization_id"),
                Nest("contacts", "contact", True, "organization_id"),
                Nest("phones", "phone", True, "organization_id"),
                Nest("locations", "location", True, "organization_id"),
                Nest("programs", "program", True, "organization_id"),
                Nest("organization_identifiers", "organization_identifier", True, "organization_id"),
                Nest("services", "service", True, "organization_id"),
                *_generic(),
            ),
        ),
        Spec(
            "program",
            m.Program,
            ("name", "alternate_name", "description"),
            _links(organization_id="organization"),
            _generic(),
        ),
        Spec(
            "service",
            m.Service,
            (
                "name",
                "alternate_name",
                "description",
                "url",
                "email",
                "status",
                "interpretation_services",
                "application_process",
                "fees_description",
                "wait_time",
                "fees",
                "accreditations",
                "eligibility_description",
                "minimum_age",
                "maximum_age",
                "assured_date",
                "assurer_email",
                "licenses",
                "alert",
                "last_modified",
            ),
            _links(organization_id="organization", program_id="program"),
            (
                Nest("phones", "phone", True, "service_id"),
                Nest("schedules", "schedule", True, "service_id"),
                Nest("service_areas", "service_area", True, "service_id"),
                Nest("service_at_locations", "service_at_location", True, "service_id"),
                Nest("languages", "language", True, "service_id"),
                Nest("organization", "organization", False, "organization_id", held_by_child=False),
                Nest("funding", "funding", True, "service_id"),
                Nest("cost_options", "cost_option", True, "service_id"),
                Nest("program", "program", False, "program_id", held_by_child=False),
                Nest("required_documents", "required_document", True, "service_id"),
                Nest("contacts", "contact", True, "service_id"),
                *_generic(),
            ),
            needs_one_of=("organization_id",),
        ),
        Spec(
            "location",
            m.Location,
            (
                "location_type",
                "url",
                "name",
                "alternate_name",
                "description",
                "transportation",
                "latitude",
                "longitude",
                "external_identifier",
                "external_identifier_type",
            ),
            _links(organization_id="organization"),
            (
                Nest("languages", "language", True, "location_id"),
                Nest("addresses", "address", True, "location_id"),
                Nest("contacts", "contact", True, "location_id"),
                Nest("accessibility", "accessibility", True, "location_id"),
                Nest("phones", "phone", True, "location_id"),
                Nest("schedules", "schedule", True, "location_id"),
                *_generic(),
            ),
        ),
        Spec(
            "service_at_location",
            m.ServiceAtLocation,
            ("description",),
            _links(service_id="service", location_id="location"),
            (
                Nest("contacts", "contact", True, "service_at_location_id"),
                Nest("phones", "phone", True, "service_at_location_id"),
                Nest("schedules", "schedule", True, "service_at_location_id"),
                Nest("location", "location", False, "location_id", held_by_child=False),
                Nest("service", "service", False, "service_id", held_by_child=False),
                *_generic(),
            ),
            needs_one_of=("service_id",),
            needs_all=("location_id",),
        ),
        Spec(
            "address",
            m.Address,
            (
                "attention",
                "address_1",
                "address_2",
                "city",
                "region",
                "state_province",
                "postal_code",
                "country",
                "address_type",
            ),
            _links(location_id="location"),
            _generic(),
            needs_one_of=("location_id",),
        ),
        Spec(
            "phone",
            m.Phone,
            ("number", "extension", "type", "description"),
            _links(
                location_id="location",
                service_id="service",
                organization_id="organization",
                contact_id="contact",
                service_at_location_id="service_at_location",
            ),
            (Nest("languages", "language", True, "phone_id"), *_generic()),
            needs_one_of=(
                "location_id",
                "service_id",
                "organization_id",
                "contact_id",
                "service_at_location_id",
            ),
        ),
        Spec(
            "contact",
            m.Contact,
            ("name", "title", "department", "email"),
            _links(
                organization_id="organization",
                service_id="service",
                service_at_location_id="service_at_location",
                location_id="location",
            ),
            (Nest("phones", "phone", True, "contact_id"), *_generic()),
            needs_one_of=("organization_id", "service_id", "service_at_location_id", "location_id"),
        ),
        Spec(
            "schedule",
            m.Schedule,
            (
                "valid_from",
                "valid_to",
                "dtstart",
                "timezone",
                "until",
                "count",
                "wkst",
                "freq",
                "interval",
                "byday",
                "byweekno",
                "bymonthday",
                "byyearday",
                "description",
                "opens_at",
                "closes_at",
                "schedule_link",
                "attending_type",
                "notes",
            ),
            _links(
                service_id="service", location_id="location", service_at_location_id="service_at_location"
            ),
            _generic(),
            needs_one_of=("service_id", "location_id", "service_at_location_id"),
        ),
        Spec(
            "service_area",
            m.ServiceArea,
            ("name", "description", "extent", "extent_type", "uri", "service_area"),
            _links(service_id="service"),
            _generic(),
            needs_one_of=("service_id",),
        ),
        Spec(
            "language",
            m.Language,
            ("name", "code", "note"),
            _links(service_id="service", location_id="location", phone_id="phone"),
            _generic(),
            needs_one_of=("service_id", "location_id", "phone_id"),
        ),
        Spec(
            "accessibility",
            m.Accessibility,
            ("description", "details", "url", "accessibility"),
            _links(location_id="location"),
            _generic(),
            needs_one_of=("location_id",),
        ),
        Spec(
            "cost_option",
            m.CostOption,
            ("valid_from", "valid_to", "option", "currency", "amount", "amount_description"),
            _links(service_id="service"),
            _generic(),
            needs_one_of=("service_id",),
        ),
        Spec(
            "funding",
            m.Funding,
            ("source",),
            _links(organization_id="organization", service_id="service"),
            _generic(),
            needs_one_of=("organization_id", "service_id"),
        ),
        Spec(
            "required_document",
            m.RequiredDocument,
            ("document", "uri"),
            _links(service_id="service"),
            _generic(),
            needs_one_of=("service_id",),
        ),
        Spec(
            "organization_identifier",
            m.OrganizationIdentifier,
            ("identifier_scheme", "identifier_type", "identifier"),
            _links(organization_id="organization"),
            _generic(),
            needs_one_of=("organization_id",),
        ),
        Spec(
            "taxonomy",
            m.Taxonomy,
            ("name", "description", "uri", "version"),
            nests=(
                Nest("taxonomy_terms", "taxonomy_term", True, "taxonomy_id"),
                Nest("metadata", "metadata", True, None),
            ),
        ),
        Spec(
            "taxonomy_term",
            m.TaxonomyTerm,
            ("code", "name", "description", "parent_id", "taxonomy", "language", "term_uri", "term"),
            (Link("taxonomy_id", "taxonomy_detail_id", "taxonomy"),),
            (
                Nest("taxonomy_detail", "taxonomy", False, "taxonomy_id", held_by_child=False),
                Nest("metadata", "metadata", True, None),
            ),
        ),
        Spec(
            "attribute",
            m.Attribute,
            ("link_type", "link_entity", "value"),
            _links(taxonomy_term_id="taxonomy_term"),
            (
                Nest("taxonomy_term", "taxonomy_term", False, "taxonomy_term_id", held_by_child=False),
                Nest("metadata", "metadata", True, None),
            ),
        ),
        Spec(
            "metadata",
            m.Metadata,
            (
                "resource_type",
                "last_action_date",
                "last_action_type",
                "field_name",
                "previous_value",
                "replacement_value",
                "updated_by",
            ),
        ),
    )
}

# Attributes and metadata point at a record of any table through these fields.
GENERIC_ID = {"attribute": "link_id", "metadata": "resource_id"}

# Pairs of keys that lead back where a document came from: a service nested in an organisation does not
# nest the organisation again. Each side is left out when written inside the other.
REVERSE = {
    ("organization", "services"): ("service", "organization"),
    ("service", "organization"): ("organization", "services"),
    ("service", "service_at_locations"): ("service_at_location", "service"),
    ("service_at_location", "service"): ("service", "service_at_locations"),
    ("taxonomy", "taxonomy_terms"): ("taxonomy_term", "taxonomy_detail"),
    ("taxonomy_term", "taxonomy_detail"): ("taxonomy", "taxonomy_terms"),
}


# --- schemas -------------------------------------------------------------------------------------------


@cache
def _registry(profile: str) -> Registry:
    resources = []
    for path in sorted((SCHEMA_DIR / profile).glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        # The schemas refer to each other by file name ("phone.json"): register them under those names,
        # so every $ref resolves from the shipped files and nothing is fetched.
        resources.append((path.name, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def _entity_schema(kind: str, profile: str = "3.0") -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / profile / f"{kind}.json").read_text(encoding="utf-8"))


def _wrapper(kind: str, profile: str, *, tabular: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    schema["allOf"] = [{"$ref": f"{kind}.json"}]
    if tabular:
        # In a table, a record names the records it belongs to with these columns.
        schema["required"] = _entity_schema(kind, profile).get("tabular_required", [])
    elif kind in ROOT_EXTRAS:
        schema["properties"] = {
            key: {"type": "array", "items": {"$ref": f"{target}.json"}}
            if many
            else {"$ref": f"{target}.json"}
            for key, (target, many) in ROOT_EXTRAS[kind].items()
        }
    return schema


@cache
def validator(kind: str, profile: str = "3.0", *, tabular: bool = False) -> Draft202012Validator:
    """A Draft 2020-12 validator, with format checking, for a whole document (or one tabular row) of
    `kind` under `profile` ("3.0" or "uk")."""
    return Draft202012Validator(
        _wrapper(kind, profile, tabular=tabular), registry=_registry(profile), format_checker=FormatChecker()
    )


@cache
def _quick_validator(kind: str, profile: str, *, tabular: bool = False) -> jsonschema_rs.Validator:
    """The same schema in jsonschema-rs (compiled, about a hundred times faster), to pass a valid document
    quickly. Formats are checked by the very functions `validator` uses, so the two never disagree on a
    format; the messages of an invalid document come from `validator`."""
    checker = FormatChecker()
    resources = [
        (path.name, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted((SCHEMA_DIR / profile).glob("*.json"))
    ]
    return jsonschema_rs.Draft202012Validator(
        _wrapper(kind, profile, tabular=tabular),
        registry=jsonschema_rs.Registry(resources),
        validate_formats=True,
        formats={name: _format_check(checker, name) for name in checker.checkers},
    )


def _format_check(checker: FormatChecker, name: str) -> Any:
    def conforms(value: str) -> bool:
        return checker.conforms(value, name)

    return conforms


def _quickly_valid(document: Any, kind: str, profiles: list[str], *, tabular: bool) -> bool:
    """Whether jsonschema-rs passes the document under every profile. False is no verdict: text it cannot
    take (a lone surrogate) or a document it refuses goes to the reference validator, which decides."""
    try:
        return all(
            _quick_validator(kind, profile, tabular=tabular).is_valid(document) for profile in profiles
        )
    except (ValueError, TypeError, OverflowError):
        return False


def pointer(parts: Any) -> str:
    """A JSON pointer (RFC 6901) for a path given as keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def printable(text: str) -> str:
    """Text safe to print and store: characters that are not valid Unicode shown as escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _shorten(value: Any) -> str:
    text = printable(json.dumps(value, ensure_ascii=False, default=str))
    return text if len(text) <= 60 else text[:57] + "..."


def _message(error: ValidationError) -> tuple[list[Any], str]:
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = re.match(r"'(.*)' is a required property", error.message)
        name = missing.group(1) if missing else "?"
        return [*path, name], f"{name} is required"
    name = str(path[-1]) if path else "document"
    if error.validator == "format":
        return path, f"{name}: {_shorten(error.instance)} is not a valid {error.validator_value}"
    if error.validator == "type":
        return path, f"{name}: {_shorten(error.instance)} is not of type {error.validator_value}"
    if error.validator == "enum":
        allowed = ", ".join(json.dumps(value) for value in error.validator_value)
        return path, f"{name}: {_shorten(error.instance)} is not one of {allowed}"
    return path, f"{name}: {error.message}"


def validate(document: Any, kind: str, *, tabular: bool = False) -> list[tuple[list[Any], str]]:
    """Every problem with `document` as HSDS 3.0 and as the UK profile: (path, message) pairs, the path
    as keys and indexes into the document. The reference validator (jsonschema) judges; a document the
    compiled one passes under both profiles is not read twice."""
    profiles = [
        profile for profile in PROFILES if not tabular or (SCHEMA_DIR / profile / f"{kind}.json").exists()
    ]
    if _quickly_valid(document, kind, profiles, tabular=tabular):
        return []
    problems: list[tuple[list[Any], str]] = []
    for profile in profiles:
        for error in validator(kind, profile, tabular=tabular).iter_errors(document):
            problem = _message(error)
            if problem not in problems:
                problems.append(problem)
    return sorted(problems, key=lambda problem: (pointer(problem[0]), problem[1]))


# --- values ----------------------------------------------------------------------------------------------

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A clock time as HSDS publishers write it: hours and minutes, seconds and a fraction if given, then an
# optional UTC offset; "24:00" is the end of a day.
TIME = re.compile(
    r"(?:(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?|24:00(?::00)?)(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?"
)
CLOCK_TIMES = ("opens_at", "closes_at")
INT_LIMIT = 2**31 - 1
# Coordinates keep seven decimal places; finer digits are rounded (a centimetre is enough to find a door).
COORDINATES = ("latitude", "longitude")


class ValueProblem(ValueError):
    """A value that cannot be stored: the message names what is wrong, the caller names where."""


def _model_field(spec: Spec, name: str) -> models.Field:
    return spec.model._meta.get_field(name)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem("must be text")
    if "\x00" in value:
        raise ValueProblem("must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueProblem("must be valid Unicode text") from None
    return value


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueProblem("must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueProblem("must be a finite number")
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueProblem("must be a finite number")
    return number


def parse_value(spec: Spec, name: str, value: Any) -> Any:
    """The stored form of one HSDS field's value, or ValueProblem."""
    model_field = _model_field(spec, name)
    if isinstance(model_field, models.UUIDField):
        return parse_uuid(value)
    if isinstance(model_field, models.DateTimeField):
        text = _text(value)
        try:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                raise ValueProblem("needs a time zone offset or Z")
            return moment.astimezone(UTC)
        except (ValueError, OverflowError) as error:
            if isinstance(error, ValueProblem):
                raise
            raise ValueProblem(f"{_shorten(text)} is not a date and time like 2024-03-15T10:30:45Z") from None
    if isinstance(model_field, models.DateField):
        text = _text(value)
        if not DATE.fullmatch(text):
            raise ValueProblem(f"{_shorten(text)} is not a date like 2024-03-15")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueProblem(f"{_shorten(text)} is not a date like 2024-03-15") from None
    if isinstance(model_field, models.DecimalField):
        number = _number(value)
        if name in COORDINATES:
            if abs(number) >= 1000:
                raise ValueProblem("must be between -1000 and 1000")
            number = number.quantize(Decimal(1).scaleb(-model_field.decimal_places))
        return number
    if isinstance(model_field, models.IntegerField):
        number = _number(value)
        if number != number.to_integral_value():
            raise ValueProblem("must be a whole number")
        if abs(number) > INT_LIMIT:
            raise ValueProblem(f"must be at most {INT_LIMIT}")
        return int(number)
    text = _text(value)
    if name in CLOCK_TIMES and not TIME.fullmatch(text):
        raise ValueProblem(f"{_shorten(value)} is not a time like 09:30, 09:30:00 or 09:30+01:00")
    return text


def parse_uuid(value: Any) -> uuid.UUID:
    if not isinstance(value, str):
        raise ValueProblem("must be a UUID")
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise ValueProblem(f"{_shorten(value)} is not a valid uuid") from None
    if len(value) != 36:
        raise ValueProblem(f"{_shorten(value)} is not a valid uuid")
    return parsed


def _number_out(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _datetime_out(value: datetime) -> str:
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        fraction = f"{value.microsecond:06d}"
        text += "." + (fraction[:3] if fraction.endswith("000") else fraction)
    return text + "Z"


def value_out(value: Any) -> Any:
    """The JSON form of a stored value (None for nothing to write)."""
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return _number_out(value)
    if isinstance(value, datetime):
        return _datetime_out(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- documents in: flattening ----------------------------------------------------------------------------


class Spot:
    """Where something was read (file and JSON pointer, or file, row and column), put into words only when
    a message needs it: naming every record's and value's place up front took a tenth of a big import.
    Equal to, and hashed as, those words."""

    __slots__ = ("_parts", "_where")

    def __init__(self, where: Where, parts: list[Any]) -> None:
        self._where = where
        self._parts = tuple(parts)

    def __str__(self) -> str:
        return self._where(list(self._parts))

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"Spot({str(self)!r})"


@dataclass
class Record:
    """One HSDS record read from a document: its stored values by model attribute name, its links by HSDS
    field name, and where it was read (file and JSON pointer, or file, row and column)."""

    entity: str
    id: uuid.UUID
    where: str | Spot
    values: dict[str, Any] = field(default_factory=dict)
    links: dict[str, uuid.UUID] = field(default_factory=dict)
    # Where each value and link came from, for messages.
    sources: dict[str, str | Spot] = field(default_factory=dict)
    # For attributes and metadata: the table their link_id/resource_id points at.
    generic_entity: str | None = None


@dataclass
class Listing:
    """The records a document lists under one key of one record: re-importing removes the others."""

    entity: str
    id: uuid.UUID
    key: str
    children: set[uuid.UUID]


class Where(Protocol):
    def __call__(self, parts: list[Any]) -> str: ...


@dataclass
class Flattened:
    records: list[Record] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


def _followed(spec: Spec, *, root: bool) -> tuple[Nest, ...]:
    extras = ROOT_EXTRAS.get(spec.name, {})
    schema_keys = _schema_nests(spec.name)
    return tuple(nest for nest in spec.nests if nest.key in schema_keys or (root and nest.key in extras))


@cache
def _schema_nests(entity: str) -> frozenset[str]:
    """The nesting keys the per-entity schemas check for this table, in either profile."""
    keys: set[str] = set()
    for profile in PROFILES:
        path = SCHEMA_DIR / profile / f"{entity}.json"
        if path.exists():
            properties = json.loads(path.read_text(encoding="utf-8"))["properties"]
            keys |= {key for key, value in properties.items() if "$ref" in value or "items" in value}
    if entity == "taxonomy":
        # Only the UK profile nests terms in a taxonomy, and only at a document's root, where it is checked.
        keys.discard("taxonomy_terms")
    return frozenset(keys)


def flatten(document: Mapping[str, Any], kind: str, where: Where) -> Flattened:
    """The records of one validated document of `kind`. `where(parts)` names a place in it for messages."""
    out = Flattened()
    _flatten(out, document, SPECS[kind], [], where, container=None, root=True)
    return out


def _flatten(
    out: Flattened,
    data: Mapping[str, Any],
    spec: Spec,
    path: list[Any],
    where: Where,
    *,
    container: tuple[Spec, uuid.UUID, Nest] | None,
    root: bool = False,
) -> uuid.UUID | None:
    try:
        record_id = parse_uuid(data.get("id"))
    except ValueProblem as problem:
        out.problems.append((where([*path, "id"]), f"id: {problem}"))
        return None
    record = Record(spec.name, record_id, Spot(where, path))
    for name in spec.fields:
        if name in data:
            try:
                record.values[name] = parse_value(spec, name, data[name])
            except ValueProblem as problem:
                out.problems.append((where([*path, name]), f"{name}: {problem}"))
                continue
            record.sources[name] = Spot(where, [*path, name])
    for link in spec.links:
        if link.field in data:
            try:
                record.links[link.field] = parse_uuid(data[link.field])
            except ValueProblem as problem:
                out.problems.append((where([*path, link.field]), f"{link.field}: {problem}"))
                continue
            record.sources[link.field] = Spot(where, [*path, link.field])
    generic = GENERIC_ID.get(spec.name)
    if generic and generic in data:
        try:
            given = parse_uuid(data[generic])
        except ValueProblem as problem:
            out.problems.append((where([*path, generic]), f"{generic}: {problem}"))
        else:
            record.links[generic] = given
            record.sources[generic] = Spot(where, [*path, generic])
    if container is not None:
        _link_to_container(out, record, container, path, where)
    out.records.append(record)
    for nest in _followed(spec, root=root):
        if nest.key not in data:
            continue
        value = data[nest.key]
        if nest.many:
            listed: set[uuid.UUID] = set()
            for index, item in enumerate(value):
                child = _flatten(
                    out,
                    item,
                    SPECS[nest.target],
                    [*path, nest.key, index],
                    where,
                    container=(spec, record_id, nest),
                )
                if child is not None:
                    listed.add(child)
            out.listings.append(Listing(spec.name, record_id, nest.key, listed))
        else:
            child = _flatten(
                out, value, SPECS[nest.target], [*path, nest.key], where, container=(spec, record_id, nest)
            )
            if child is not None:
                _set_link(out, record, nest.link or "", child, Spot(where, [*path, nest.key]))
    return record_id


def _link_to_container(
    out: Flattened, record: Record, container: tuple[Spec, uuid.UUID, Nest], path: list[Any], where: Where
) -> None:
    parent, parent_id, nest = container
    if nest.link is None:
        record.generic_entity = parent.name
        _set_link(out, record, GENERIC_ID[record.entity], parent_id, Spot(where, path))
    elif nest.held_by_child:
        _set_link(out, record, nest.link, parent_id, Spot(where, path))


def _set_link(out: Flattened, record: Record, name: str, target: uuid.UUID, source: str | Spot) -> None:
    given = record.links.get(name)
    if given is not None and given != target:
        out.problems.append(
            (record.sources.get(name, source), f"{name}: {given} does not match the record it is nested with")
        )
        return
    record.links[name] = target
    record.sources.setdefault(name, source)


# --- documents out ---------------------------------------------------------------------------------------


class Graph(Protocol):
    """Loaded records and the ways to reach their neighbours (selectors.hsds_graph builds one)."""

    def get(self, entity: str, record_id: uuid.UUID | None) -> models.Model | None: ...

    def children(self, entity: str, link_attname: str, record_id: uuid.UUID) -> list[models.Model]: ...

    def attached(self, entity: str, attached_to: str, record_id: uuid.UUID) -> list[models.Model]: ...


@cache
def _required(entity: str) -> frozenset[str]:
    return frozenset(_entity_schema(entity).get("required", []))


def document(
    graph: Graph,
    kind: str,
    record: models.Model,
    *,
    compact: bool = False,
    compact_keys: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The HSDS document for one record, in the shape of the compiled schema for `kind`.

    `compact` gives the shape of an API list instead (`service_list`, `organization_list`,
    `service_at_location_list` in the compiled schemas; HSDS's openapi.json: "listings ... that only have
    one-to-one fields in them"): the record's own fields and the single records it nests (a service's
    `organization` and `program`), each compact too, and no lists. Keys in `compact_keys` keep their list
    but nest its records compact: an organisation's `services` on `/organizations/{id}` ("service array
    that contains simple information", openapi.json)."""
    return _document(
        graph, SPECS[kind], record, skip=frozenset(), root=True, compact=compact, compact_keys=compact_keys
    )


def _document(
    graph: Graph,
    spec: Spec,
    record: models.Model,
    *,
    skip: frozenset[str],
    root: bool,
    compact: bool = False,
    compact_keys: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": str(record.pk)}
    required = _required(spec.name)
    for name in spec.fields:
        value = value_out(getattr(record, name))
        if value is not None:
            out[name] = value
        elif name in required and getattr(record, name) == "":
            out[name] = ""
    nested_links = {nest.link for nest in spec.nests if not nest.held_by_child}
    if root:
        for link in spec.links:
            value = getattr(record, link.attname)
            if value is not None and link.field not in nested_links:
                out[link.field] = str(value)
    for nest in spec.nests:
        if nest.key in skip or (compact and nest.many):
            continue
        reverse = REVERSE.get((spec.name, nest.key))
        inner_skip = frozenset({reverse[1]}) if reverse else frozenset()
        target = SPECS[nest.target]
        if not nest.many:
            child = graph.get(nest.target, getattr(record, spec.link(nest.link or "").attname))
            if child is not None:
                out[nest.key] = _document(graph, target, child, skip=inner_skip, root=False, compact=compact)
            continue
        if nest.link is None:
            children = graph.attached(nest.target, spec.name, record.pk)
        elif nest.key in ROOT_EXTRAS.get(spec.name, {}) and not root:
            continue
        else:
            children = graph.children(nest.target, target.link(nest.link).attname, record.pk)
        if children:
            inner_compact = compact or nest.key in compact_keys
            out[nest.key] = [
                _document(graph, target, child, skip=inner_skip, root=False, compact=inner_compact)
                for child in children
            ]
    return out
