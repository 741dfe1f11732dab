"""Writes to the directory: importing HSDS data (all or nothing), and the changes people report."""

from __future__ import annotations

import gc
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q

from . import models as m
from . import search_index
from .hsds import GENERIC_ID, SPECS, Listing, Record, Spec, flatten, printable, validate
from .sources import Source, read_path

if TYPE_CHECKING:
    from gathering.accounts.models import User

# Our own fields on HSDS tables: an import never changes them.
OWN_FIELDS = {"network_relation", "time_zone", "verified_at", "logo_alt"}
# The order records are written in, so that a record's links point at records already written.
WRITE_ORDER = (
    "taxonomy",
    "taxonomy_term",
    "organization",
    "program",
    "location",
    "service",
    "service_at_location",
    "contact",
    "phone",
    "language",
    "schedule",
    "address",
    "accessibility",
    "service_area",
    "cost_option",
    "funding",
    "required_document",
    "organization_identifier",
    "attribute",
    "metadata",
)
# Records that hang from several parents: once no parent lists them, they are deleted. The order lets a
# deleted contact's phones, and a deleted phone's languages, be found in the same sweep.
SHARED_CHILDREN = ("contact", "phone", "language", "schedule", "funding")
# Records that stand on their own: dropped from a list, they are detached, not deleted (other records
# may use them: a location can host services of other organisations).
DETACHED_ONLY = {"location", "program", "taxonomy_term"}
CHUNK = 2000
NOWHERE = "in the directory or in this import"


class HsdsImportError(Exception):
    """The data was not imported. `problems` are (where, what) pairs: every problem found, not the first."""

    def __init__(self, problems: list[tuple[Any, str]]) -> None:
        super().__init__(f"{len(problems)} problems")
        # Places read lazily (hsds.Spot) are put into words here.
        self.problems = [(str(where), what) for where, what in problems]

    def lines(self) -> list[str]:
        return [printable(f"{where}: {what}") for where, what in self.problems]


@dataclass
class ImportResult:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    removed: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{entity}: {self.created[entity]} new, {self.updated[entity]} updated"
            for entity in WRITE_ORDER
            if self.created[entity] or self.updated[entity]
        ]
        lines = parts or ["nothing to import"]
        if self.removed:
            lines.append(f"{self.removed} records no longer listed were removed")
        return "\n".join([*lines, *self.notes])


def hsds_import(*, path: Path, kind: str | None = None) -> ImportResult:
    """Import the HSDS data at `path` (see sources.read_path), all or nothing."""
    return hsds_import_source(source=read_path(path, kind=kind))


# From this many documents and table rows, an import pauses the cyclic garbage collector while it runs.
BIG_IMPORT = 1000


def hsds_import_source(*, source: Source) -> ImportResult:
    """Check every document and table row against the schemas, then write them all in one transaction,
    updating records by id and removing children no longer listed. Raises HsdsImportError with every
    problem found, having written nothing."""
    size = len(source.documents) + sum(len(table.rows) for table in source.tables)
    with _collector_paused(size >= BIG_IMPORT):
        return _import(source)


@contextmanager
def _collector_paused(pause: bool) -> Iterator[None]:
    """A big import makes millions of objects that live until it ends and form no cycles; the collector's
    passes over them, again and again as they grow, took a quarter of its time. Paused while it runs (the
    objects are freed by reference counting all the same), and back on after."""
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _import(source: Source) -> ImportResult:
    problems = list(source.problems)
    # Whether every document and row could be read: links are only checked then.
    readable = not problems
    records: list[Record] = []
    listings: list[Listing] = []
    for document in source.documents:
        found = validate(document.data, document.kind)
        if found:
            problems += [(document.where(parts), message) for parts, message in found]
            readable = False
            continue
        flat = flatten(document.data, document.kind, document.where)
        records += flat.records
        listings += flat.listings
        problems += flat.problems
        # Its records hold all it says: the parsed document can go, so a big import holds one copy.
        document.data = None
    table_records: dict[str, list[Record]] = {}
    for table in source.tables:
        rows = table_records.setdefault(table.entity, [])
        for row, where in zip(table.rows, table.where, strict=True):
            found = validate(row, table.entity, tabular=True)
            if found:
                problems += [(where(parts), message) for parts, message in found]
                readable = False
                continue
            flat = flatten(row, table.entity, where)
            problems += flat.problems
            for record in flat.records:
                problems += _generic_from_row(record, row, where)
                rows.append(record)
        table.rows = []
    records += [record for rows in table_records.values() for record in rows]
    merged = _merge(records, problems)
    listings += _table_listings(table_records, merged)
    with transaction.atomic(), search_index.deferred() as touched:
        existing = _existing(merged)
        if readable:
            # Links are checked once every record could be read: a record refused above would otherwise
            # show again as a missing target of each link to it.
            problems += _check_links(merged, existing)
        instances = _instances(merged, existing, problems)
        if problems:
            raise HsdsImportError(_unique(problems))
        result = ImportResult(notes=list(source.notes))
        for entity in WRITE_ORDER:
            batch = instances.get(entity, [])
            if not batch:
                continue
            model = SPECS[entity].model
            model.objects.bulk_create(
                batch,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=_written_fields(model),
            )
            result.updated[entity] = sum(1 for instance in batch if instance.pk in existing[entity])
            result.created[entity] = len(batch) - result.updated[entity]
        result.removed = _apply_listings(listings)
        touched.update(_services_touched(merged))
    return result


def _services_touched(merged: dict[str, dict[uuid.UUID, Record]]) -> set[uuid.UUID]:
    """The services whose search entries the records just written can change (search_index.py)."""
    touched = set(merged.get("service", {}))
    lookups = (
        (m.ServiceAtLocation, "location", "location_id__in", "service_id"),
        (m.ServiceAtLocation, "service_at_location", "pk__in", "service_id"),
        (m.Service, "organization", "organization_id__in", "pk"),
        (m.CostOption, "cost_option", "pk__in", "service_id"),
        (m.Attribute, "attribute", "pk__in", "link_id"),
    )
    for model, entity, lookup, column in lookups:
        for chunk in _chunks(merged.get(entity, {})):
            touched.update(
                pk for pk in model.objects.filter(**{lookup: chunk}).values_list(column, flat=True) if pk
            )
    return touched


def _unique(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(problems))


def _generic_from_row(record: Record, row: dict[str, Any], where: Any) -> list[tuple[str, str]]:
    """In a table, an attribute names the table of its link_id in link_entity (metadata: resource_type)."""
    column = {"attribute": "link_entity", "metadata": "resource_type"}.get(record.entity)
    if column is None:
        return []
    named = row.get(column)
    if named not in m.Entity.values:
        tables = ", ".join(m.Entity.values)
        return [
            (where([column]), f"{column}: must name the table {GENERIC_ID[record.entity]} is in ({tables})")
        ]
    record.generic_entity = named
    return []


def _merge(records: list[Record], problems: list[tuple[str, str]]) -> dict[str, dict[uuid.UUID, Record]]:
    """One record per table and id. The same record may be written in several places (a phone listed
    under a service and its location); what the places say must agree."""
    merged: dict[str, dict[uuid.UUID, Record]] = defaultdict(dict)
    for record in records:
        first = merged[record.entity].get(record.id)
        if first is None:
            merged[record.entity][record.id] = record
            continue
        for store, first_store in ((record.values, first.values), (record.links, first.links)):
            for name, value in store.items():
                if name in first_store and first_store[name] != value:
                    problems.append(
                        (
                            record.sources.get(name, record.where),
                            f"{name}: differs from the same {record.entity} at "
                            f"{first.sources.get(name, first.where)}",
                        )
                    )
                else:
                    first_store[name] = value
                    if name in record.sources:
                        first.sources.setdefault(name, record.sources[name])
        if record.generic_entity and first.generic_entity and record.generic_entity != first.generic_entity:
            problems.append((record.where, f"the same {record.entity} is also listed at {first.where}"))
        first.generic_entity = first.generic_entity or record.generic_entity
    return merged


def _table_listings(
    table_records: dict[str, list[Record]], merged: dict[str, dict[uuid.UUID, Record]]
) -> list[Listing]:
    """A table states all the rows of its kind for the records in the package: rows of it that used to
    hang from one of those records, and are no longer in it, are removed like children dropped from a
    document's list."""
    listings: list[Listing] = []
    package = {entity: {record.id for record in rows} for entity, rows in table_records.items()}
    for parent, ids in package.items():
        spec = SPECS[parent]
        for nest in spec.nests:
            if not nest.many or nest.target not in table_records:
                continue
            children: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
            for child in table_records[nest.target]:
                record = merged[nest.target][child.id]
                if nest.link is None:
                    if record.generic_entity == parent:
                        children[record.links.get(GENERIC_ID[nest.target])].add(child.id)
                elif record.links.get(nest.link) is not None:
                    children[record.links[nest.link]].add(child.id)
            listings += [Listing(parent, pk, nest.key, children.get(pk, set())) for pk in ids]
    return listings


def _chunks(ids: Iterable[Any]) -> Iterable[list[Any]]:
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _existing(merged: dict[str, dict[uuid.UUID, Record]]) -> dict[str, dict[uuid.UUID, models.Model]]:
    existing: dict[str, dict[uuid.UUID, models.Model]] = defaultdict(dict)
    for entity, records in merged.items():
        model = SPECS[entity].model
        for chunk in _chunks(records):
            existing[entity].update(model.objects.select_for_update().in_bulk(chunk))
    return existing


def _known(entity: str, ids: set[uuid.UUID], merged: dict[str, dict[uuid.UUID, Record]]) -> set[uuid.UUID]:
    known = ids & set(merged.get(entity, {}))
    missing = ids - known
    model = SPECS[entity].model
    for chunk in _chunks(missing):
        known |= set(model.objects.filter(id__in=chunk).values_list("id", flat=True))
    return known


def _check_links(
    merged: dict[str, dict[uuid.UUID, Record]], existing: dict[str, dict[uuid.UUID, models.Model]]
) -> list[tuple[str, str]]:
    """Every link names a record in this import or already in the directory; every record that must
    belong to something does."""
    problems: list[tuple[str, str]] = []
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
    for entity, records in merged.items():
        spec = SPECS[entity]
        for record in records.values():
            for link in spec.links:
                if link.field in record.links:
                    wanted[link.target].add(record.links[link.field])
            if entity in GENERIC_ID and record.generic_entity and GENERIC_ID[entity] in record.links:
                wanted[record.generic_entity].add(record.links[GENERIC_ID[entity]])
    known = {entity: _known(entity, ids, merged) for entity, ids in wanted.items()}
    for entity, records in merged.items():
        spec = SPECS[entity]
        for record in records.values():
            for link in spec.links:
                target = record.links.get(link.field)
                if target is not None and target not in known[link.target]:
                    problems.append(
                        (
                            record.sources.get(link.field, record.where),
                            f"{link.field}: no {link.target} with id {target} {NOWHERE}",
                        )
                    )
            problems += _belongs(spec, record, existing[entity].get(record.id), known)
    return problems


def _belongs(
    spec: Spec, record: Record, current: models.Model | None, known: dict[str, set[uuid.UUID]]
) -> list[tuple[str, str]]:
    if spec.name in GENERIC_ID:
        generic = GENERIC_ID[spec.name]
        target = record.links.get(generic)
        if target is None:
            return [(record.where, f"{_article(spec.name)} must be listed under the record it describes")]
        if record.generic_entity is None:
            # A table row that did not say which table its record is in: already reported.
            return []
        if target not in known[record.generic_entity]:
            return [
                (
                    record.sources.get(generic, record.where),
                    f"{generic}: no {record.generic_entity} with id {target} {NOWHERE}",
                )
            ]
        return []
    missing = [
        name
        for name in spec.needs_all
        if record.links.get(name) is None
        and (current is None or getattr(current, spec.link(name).attname) is None)
    ]
    if missing:
        given = [nest.key for nest in spec.nests if not nest.held_by_child and nest.link in missing]
        return [
            (
                record.where,
                f"{_article(spec.name)} must name its {spec.link(missing[0]).target}: "
                f"give {' or '.join([*given, *missing])}",
            )
        ]
    if not spec.needs_one_of:
        return []
    for name in spec.needs_one_of:
        if record.links.get(name) is not None:
            return []
        if current is not None and getattr(current, spec.link(name).attname) is not None:
            return []
    nested = [nest.key for nest in spec.nests if not nest.held_by_child and nest.link in spec.needs_one_of]
    options = " or ".join([*nested, *spec.needs_one_of])
    return [(record.where, f"{_article(spec.name)} must belong to {_owners(spec)}: give {options}")]


def _article(entity: str) -> str:
    words = entity.replace("_", " ")
    return ("an " if words[0] in "aeiou" else "a ") + words


def _owners(spec: Spec) -> str:
    return " or ".join(_article(spec.link(name).target) for name in spec.needs_one_of)


def _written_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in OWN_FIELDS]


def _instances(
    merged: dict[str, dict[uuid.UUID, Record]],
    existing: dict[str, dict[uuid.UUID, models.Model]],
    problems: list[tuple[str, str]],
) -> dict[str, list[models.Model]]:
    """The rows to write: each record's fields as the document gives them (absent fields emptied), its
    links as given or as they were, and our own fields untouched. Field rules (lengths, ranges, digits)
    are checked here, so a value the database would refuse is reported instead."""
    instances: dict[str, list[models.Model]] = defaultdict(list)
    for entity, records in merged.items():
        spec = SPECS[entity]
        model = spec.model
        # Links are checked against the records they name (_check_links), not field by field.
        foreign_keys = [f.name for f in model._meta.concrete_fields if f.is_relation]
        if entity in GENERIC_ID:
            foreign_keys += ["entity", GENERIC_ID[entity]]
        for record in records.values():
            instance = existing[entity].get(record.id) or model(id=record.id)
            for name in spec.fields:
                model_field = model._meta.get_field(name)
                setattr(instance, name, record.values.get(name, model_field.get_default()))
            for link in spec.links:
                if link.field in record.links:
                    setattr(instance, link.attname, record.links[link.field])
            if entity in GENERIC_ID:
                instance.entity = record.generic_entity or ""
                setattr(instance, GENERIC_ID[entity], record.links.get(GENERIC_ID[entity]))
            try:
                instance.clean_fields(exclude=foreign_keys)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    where = record.sources.get(name, record.where)
                    problems += [(where, f"{name}: {message}") for message in messages]
                continue
            instances[entity].append(instance)
    return instances


def _apply_listings(listings: list[Listing]) -> int:
    """Detach or delete the children each listed record no longer lists; then delete shared children
    left with no parent, and attributes and metadata of records that are gone. Returns how many rows
    were deleted."""
    groups: dict[tuple[str, str], dict[uuid.UUID, set[uuid.UUID]]] = defaultdict(dict)
    for listing in listings:
        groups[(listing.entity, listing.key)].setdefault(listing.id, set()).update(listing.children)
    deleted = 0
    changed = False
    for (entity, key), listed in groups.items():
        nest = SPECS[entity].nest(key)
        target = SPECS[nest.target]
        if nest.link is None:
            attname = GENERIC_ID[nest.target]
            scope = Q(entity=entity)
        else:
            attname = target.link(nest.link).attname
            scope = Q()
        dropped: list[uuid.UUID] = []
        for chunk in _chunks(listed):
            rows = target.model.objects.filter(scope, **{f"{attname}__in": chunk}).values_list("id", attname)
            dropped += [pk for pk, parent in rows if pk not in listed[parent]]
        if not dropped:
            continue
        changed = True
        model_field = target.model._meta.get_field(attname)
        for chunk in _chunks(dropped):
            rows = target.model.objects.filter(id__in=chunk)
            if (
                nest.link is not None
                and model_field.null
                and (nest.target in SHARED_CHILDREN or nest.target in DETACHED_ONLY)
            ):
                rows.update(**{attname: None})
            else:
                deleted += rows.delete()[0]
    if changed:
        deleted += _sweep()
    return deleted


def _sweep() -> int:
    deleted = 0
    for entity in SHARED_CHILDREN:
        spec = SPECS[entity]
        orphans = spec.model.objects.filter(**{link.attname: None for link in spec.links})
        deleted += orphans.delete()[0]
    for generic in ("attribute", "metadata"):
        model = SPECS[generic].model
        attname = GENERIC_ID[generic]
        for entity in m.Entity.values:
            target = SPECS[entity].model
            gone = model.objects.filter(entity=entity).exclude(
                Exists(target.objects.filter(pk=OuterRef(attname)))
            )
            deleted += gone.delete()[0]
    return deleted


def change_report_create(*, service: m.Service, details: str, reply_email: str = "") -> m.ChangeReport:
    """Keep what someone says is wrong with a listing, for the organisers. Anyone may send one (the form is
    rate-limited per address); nothing else changes until an organiser has checked it."""
    report = m.ChangeReport(service=service, details=details.strip(), reply_email=reply_email.strip())
    report.full_clean()
    with transaction.atomic():
        report.save()
    return report


APPROACH_PAGE_FIELDS = ("summary", "what_it_is", "first_contact", "evidence")


def approach_page_update(*, code: str, actor: User, **text: str) -> tuple[m.ApproachPage, list[str]]:
    """Change the words of an approach's page (`text`: any of APPROACH_PAGE_FIELDS, in Markdown but the
    one-line summary). For organisers and administrators, in a session that passed the second factor
    (their permission is withheld otherwise). The page is made if it is missing. Returns the page and the
    fields that changed; a change is written with an audit entry naming them, and no change writes
    nothing."""
    from django.core.exceptions import PermissionDenied

    from gathering.privacy.models import AuditEntry
    from gathering.privacy.services import audit_record

    from . import approaches

    if not actor.has_perm("accounts.organise"):
        raise PermissionDenied
    unknown = set(text) - set(APPROACH_PAGE_FIELDS)
    if unknown:
        raise ValueError(f"Not a field of an approach page: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        term = m.TaxonomyTerm.objects.get(pk=approaches.term_id(code), code=code)
        page = m.ApproachPage.objects.select_for_update().filter(term=term).first()
        if page is None:
            page = m.ApproachPage(term=term)
        values = {name: value.strip().replace("\r\n", "\n") for name, value in text.items()}
        changed = [name for name, value in values.items() if getattr(page, name) != value]
        creating = page._state.adding
        if not changed and not creating:
            return page, []
        for name in changed:
            setattr(page, name, values[name])
        page.updated_by = actor
        page.full_clean()
        if creating:
            page.save(force_insert=True)
        else:
            page.save(update_fields=[*changed, "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CHANGED,
            subject=page,
            detail=f"approach page {code}: {'created; ' if creating else ''}{', '.join(changed)}",
        )
    return page, changed
