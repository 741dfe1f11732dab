"""Reads of the directory: the records an HSDS document needs, loaded in a fixed number of queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q

from . import models as m
from .hsds import SPECS

# How many documents are loaded together when exporting: bounds memory, and each batch takes the same
# number of queries whatever it holds.
BATCH = 500


class HsdsGraph:
    """Records loaded for writing HSDS documents, and their neighbours looked up without queries."""

    def __init__(self) -> None:
        self._records: dict[str, dict[uuid.UUID, models.Model]] = defaultdict(dict)
        self._children: dict[tuple[str, str, uuid.UUID], list[models.Model]] = defaultdict(list)
        self._attached: dict[tuple[str, str, uuid.UUID], list[models.Model]] = defaultdict(list)

    def add(self, entity: str, records: Iterable[models.Model]) -> list[models.Model]:
        added = []
        known = self._records[entity]
        spec = SPECS[entity]
        for record in records:
            if record.pk in known:
                continue
            known[record.pk] = record
            added.append(record)
            for link in spec.links:
                target = getattr(record, link.attname)
                if target is not None:
                    self._children[(entity, link.attname, target)].append(record)
            if entity in ("attribute", "metadata"):
                target = record.link_id if entity == "attribute" else record.resource_id
                self._attached[(entity, record.entity, target)].append(record)
        return added

    def ids(self, entity: str) -> set[uuid.UUID]:
        return set(self._records[entity])

    def all_ids(self) -> set[uuid.UUID]:
        return {pk for records in self._records.values() for pk in records}

    def get(self, entity: str, record_id: uuid.UUID | None) -> models.Model | None:
        return None if record_id is None else self._records[entity].get(record_id)

    def children(self, entity: str, link_attname: str, record_id: uuid.UUID) -> list[models.Model]:
        return sorted(self._children.get((entity, link_attname, record_id), []), key=_order)

    def attached(self, entity: str, attached_to: str, record_id: uuid.UUID) -> list[models.Model]:
        return sorted(self._attached.get((entity, attached_to, record_id), []), key=_order)


def _order(record: models.Model) -> str:
    return str(record.pk)


def _any_of(**conditions: set[uuid.UUID]) -> Q | None:
    parts = [Q(**{f"{name}__in": ids}) for name, ids in conditions.items() if ids]
    return reduce(or_, parts) if parts else None


def _load(graph: HsdsGraph, entity: str, condition: Q | None) -> list[models.Model]:
    if condition is None:
        return []
    return graph.add(entity, SPECS[entity].model.objects.filter(condition))


def hsds_graph(
    *,
    services: Iterable[uuid.UUID] = (),
    organizations: Iterable[uuid.UUID] = (),
    service_at_locations: Iterable[uuid.UUID] = (),
    locations: Iterable[uuid.UUID] = (),
    taxonomies: Iterable[uuid.UUID] = (),
    taxonomy_terms: Iterable[uuid.UUID] = (),
) -> HsdsGraph:
    """Everything the HSDS documents of these records show, in about twenty queries however many."""
    graph = HsdsGraph()
    organizations, services, service_at_locations = (
        set(organizations),
        set(services),
        set(service_at_locations),
    )
    # The records documents are built around, then what hangs from them.
    _load(graph, "organization", _any_of(id=organizations))
    _load(graph, "service", _any_of(id=services, organization_id=organizations))
    _load(graph, "service_at_location", _any_of(id=service_at_locations, service_id=graph.ids("service")))
    named = [graph.get("service_at_location", pk) for pk in service_at_locations]
    _load(graph, "service", _any_of(id={sal.service_id for sal in named if sal is not None}))
    service_records = [graph.get("service", pk) for pk in graph.ids("service")]
    _load(graph, "organization", _any_of(id={record.organization_id for record in service_records}))
    orgs = graph.ids("organization")
    _load(
        graph,
        "program",
        _any_of(
            id={record.program_id for record in service_records if record.program_id}, organization_id=orgs
        ),
    )
    sal_ids = graph.ids("service_at_location")
    _load(
        graph,
        "location",
        _any_of(
            id=set(locations) | {graph.get("service_at_location", pk).location_id for pk in sal_ids},
            organization_id=orgs,
        ),
    )
    service_ids, location_ids = graph.ids("service"), graph.ids("location")
    everywhere = {
        "organization_id": orgs,
        "service_id": service_ids,
        "service_at_location_id": sal_ids,
        "location_id": location_ids,
    }
    _load(graph, "contact", _any_of(**everywhere))
    _load(graph, "phone", _any_of(**everywhere, contact_id=graph.ids("contact")))
    _load(
        graph,
        "language",
        _any_of(service_id=service_ids, location_id=location_ids, phone_id=graph.ids("phone")),
    )
    _load(
        graph,
        "schedule",
        _any_of(service_id=service_ids, location_id=location_ids, service_at_location_id=sal_ids),
    )
    for entity in ("service_area", "cost_option", "required_document"):
        _load(graph, entity, _any_of(service_id=service_ids))
    _load(graph, "funding", _any_of(organization_id=orgs, service_id=service_ids))
    for entity in ("address", "accessibility"):
        _load(graph, entity, _any_of(location_id=location_ids))
    _load(graph, "organization_identifier", _any_of(organization_id=orgs))
    # Taxonomies, their terms, and the attributes that apply terms to everything loaded so far.
    _load(graph, "taxonomy_term", _any_of(id=set(taxonomy_terms), taxonomy_detail_id=set(taxonomies)))
    _load(graph, "attribute", _any_of(link_id=graph.all_ids()))
    attributes = [graph.get("attribute", pk) for pk in graph.ids("attribute")]
    _load(graph, "taxonomy_term", _any_of(id={a.taxonomy_term_id for a in attributes if a.taxonomy_term_id}))
    terms = [graph.get("taxonomy_term", pk) for pk in graph.ids("taxonomy_term")]
    _load(
        graph,
        "taxonomy",
        _any_of(id=set(taxonomies) | {t.taxonomy_detail_id for t in terms if t.taxonomy_detail_id}),
    )
    _load(graph, "metadata", _any_of(resource_id=graph.all_ids()))
    return graph


def _batches(queryset: models.QuerySet) -> Iterator[list[uuid.UUID]]:
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def services_for_export() -> Iterator[tuple[HsdsGraph, list[m.Service]]]:
    """Every service with what its HSDS document shows, a batch at a time."""
    for ids in _batches(m.Service.objects.all()):
        graph = hsds_graph(services=ids)
        yield graph, [graph.get("service", pk) for pk in ids]


def organizations_for_export() -> Iterator[tuple[HsdsGraph, list[m.Organization]]]:
    """Every organisation with its services and what their HSDS documents show, a batch at a time."""
    for ids in _batches(m.Organization.objects.all()):
        graph = hsds_graph(organizations=ids)
        yield graph, [graph.get("organization", pk) for pk in ids]


def taxonomies_for_export() -> Iterator[tuple[HsdsGraph, list[m.Taxonomy]]]:
    """Every taxonomy with its terms, a batch at a time."""
    for ids in _batches(m.Taxonomy.objects.all()):
        graph = hsds_graph(taxonomies=ids)
        yield graph, [graph.get("taxonomy", pk) for pk in ids]
