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
from .geo import Point, bounding_box, distance_km
from .hsds import SPECS
from .querysets import location_in_box

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


class PublicGraph:
    """A loaded graph seen as the public sees it: services that are not listed (inactive, defunct) are left
    out of the documents built from it, such as an organisation's `services`."""

    def __init__(self, graph: HsdsGraph) -> None:
        self._graph = graph

    @staticmethod
    def _shown(entity: str, record: models.Model | None) -> bool:
        return record is not None and (entity != "service" or record.is_listed)

    def get(self, entity: str, record_id: uuid.UUID | None) -> models.Model | None:
        record = self._graph.get(entity, record_id)
        return record if self._shown(entity, record) else None

    def children(self, entity: str, link_attname: str, record_id: uuid.UUID) -> list[models.Model]:
        return [
            record
            for record in self._graph.children(entity, link_attname, record_id)
            if self._shown(entity, record)
        ]

    def attached(self, entity: str, attached_to: str, record_id: uuid.UUID) -> list[models.Model]:
        return self._graph.attached(entity, attached_to, record_id)


# What the list shape of each document kind nests (hsds.document(..., compact=True)), loaded with it.
_LIST_RELATED = {
    "service": ("organization", "program"),
    "service_at_location": ("location", "service__organization", "service__program"),
    "organization": (),
    "taxonomy": (),
    "taxonomy_term": ("taxonomy_detail",),
}


def _add_service(graph: HsdsGraph, services: Iterable[m.Service]) -> None:
    services = graph.add("service", services)
    graph.add("organization", [service.organization for service in services])
    graph.add("program", [service.program for service in services if service.program_id])


def hsds_list_graph(kind: str, ids: Iterable[uuid.UUID]) -> HsdsGraph:
    """Records of `kind` with the single records their list shape nests (a service's organisation and
    programme; a service at a location's location and service), in one query however many."""
    graph = HsdsGraph()
    records = list(SPECS[kind].model.objects.filter(pk__in=list(ids)).select_related(*_LIST_RELATED[kind]))
    if kind == "service":
        _add_service(graph, records)
        return graph
    graph.add(kind, records)
    if kind == "service_at_location":
        graph.add("location", [record.location for record in records])
        _add_service(graph, [record.service for record in records])
    elif kind == "taxonomy_term":
        graph.add("taxonomy", [record.taxonomy_detail for record in records if record.taxonomy_detail_id])
    return graph


def _on_the_map(latitude: object, longitude: object) -> Point | None:
    """A stored location's point, or None when it has no coordinates or they are off the globe."""
    if latitude is None or longitude is None:
        return None
    point = Point(float(latitude), float(longitude))
    return point if -90 <= point.latitude <= 90 and -180 <= point.longitude <= 180 else None


def ids_by_distance(
    queryset: models.QuerySet, point: Point | tuple[float, float], *, location: str
) -> list[tuple[uuid.UUID, float | None]]:
    """The ids of `queryset`'s records with their distance in km from `point` to the nearest of their
    locations (reached through `location`: "location__" from a service at a location,
    "service_at_locations__location__" from a service), nearest first; records with no location on the
    map come last, with None. Ties keep the queryset's order. One query."""
    nearest: dict[uuid.UUID, float | None] = {}
    rows = queryset.values_list("pk", f"{location}latitude", f"{location}longitude")
    for pk, latitude, longitude in rows:
        where = _on_the_map(latitude, longitude)
        distance = None if where is None else distance_km(point, where)
        known = nearest.get(pk)
        if pk not in nearest or (distance is not None and (known is None or distance < known)):
            nearest[pk] = distance
    return sorted(nearest.items(), key=lambda item: (item[1] is None, item[1] or 0.0))


def ids_near(
    queryset: models.QuerySet, point: Point | tuple[float, float], radius_km: float, *, location: str
) -> list[tuple[uuid.UUID, float]]:
    """Like `ids_by_distance`, keeping only the records within `radius_km` (the bounding box is the
    database's prefilter; `queryset` needs a `within_box` method). One query."""
    in_box = queryset.within_box(bounding_box(point, radius_km))
    return [
        (pk, distance)
        for pk, distance in ids_by_distance(in_box, point, location=location)
        if distance is not None and distance <= radius_km
    ]


def services_near(
    queryset: models.QuerySet, point: Point | tuple[float, float], radius_km: float
) -> list[tuple[m.Service, float, m.Location]]:
    """The services of `queryset` offered at a location within `radius_km` of `point` by great-circle
    distance, each with the distance to its nearest such location and that location, nearest first (then
    by name). The database keeps the services with a location in the bounding box; the exact distance is
    measured here. Two queries, plus whatever `queryset` prefetches."""
    box = bounding_box(point, radius_km)
    in_box = queryset.within_box(box)
    services = {service.pk: service for service in in_box}
    nearest: dict[uuid.UUID, tuple[float, m.Location]] = {}
    # A subquery rather than a list of ids: a wide radius over a big directory holds thousands.
    places = m.ServiceAtLocation.objects.filter(
        location_in_box(box, "location__"), service__in=in_box.order_by().values("pk")
    ).select_related("location")
    for place in places.order_by("location_id"):
        location = place.location
        distance = distance_km(point, (float(location.latitude), float(location.longitude)))
        known = place.service_id in services
        if (
            known
            and distance <= radius_km
            and (place.service_id not in nearest or distance < nearest[place.service_id][0])
        ):
            nearest[place.service_id] = (distance, location)
    found = [(services[pk], distance, location) for pk, (distance, location) in nearest.items()]
    return sorted(found, key=lambda row: (row[1], row[0].name, str(row[0].pk)))


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
