"""The search's own index (`models.SearchEntry`): for each listed service at each of its places with
coordinates, a row for any approach and one for each of its approaches, with what "Find support" filters on
(its words, approach and ways-in terms, whether it is free), so a search by place and approach reads one
range of one index (approach, latitude, longitude) and the rows it points to.

The index is derived from the records and kept in step with them:
- a save or deletion of a service, organisation, location, service at a location, attribute or cost option
  rebuilds the entries of the services it touches, in the same transaction (signals below);
- writes that send no signals (the HSDS import's bulk writes, the demo) rebuild the services they wrote
  (`refresh`), inside `deferred()`, which collects what the signals name and rebuilds it once at the end.
Anything else can call `refresh_all()`; `gathering directory reindex` does.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps as global_apps
from django.db.models.signals import post_delete, post_save

from . import access, approaches
from . import models as m
from .entities import Entity
from .querysets import costs_nothing, term_key, words_text

BATCH = 2000
# The statuses the public sees (models.Service.LISTED), as values: the migration that builds the index
# passes historical models, which do not carry the class's constants.
LISTED = tuple(str(status) for status in m.Service.LISTED)
TAXONOMIES = (approaches.TAXONOMY_ID, access.TAXONOMY_ID)

_state = threading.local()


def _model(apps: Any, name: str) -> Any:
    return apps.get_model("directory", name)


def _chunks(ids: Iterable[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    batch: list[uuid.UUID] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _entries(ids: list[uuid.UUID], apps: Any) -> list[Any]:
    """The entries the services `ids` should have now. Four queries."""
    Service = _model(apps, "Service")
    SearchEntry = _model(apps, "SearchEntry")
    services = {
        pk: (name, words_text(name, alternate, description, organisation or ""))
        for pk, name, alternate, description, organisation in Service.objects.filter(
            pk__in=ids, status__in=LISTED
        ).values_list("pk", "name", "alternate_name", "description", "organization__name")
    }
    if not services:
        return []
    listed = list(services)
    terms: dict[uuid.UUID, set[str]] = defaultdict(set)
    approach_terms: dict[uuid.UUID, set[str]] = defaultdict(set)
    for link_id, term_id, taxonomy_id in (
        _model(apps, "Attribute")
        .objects.filter(
            entity=Entity.SERVICE,
            link_id__in=listed,
            taxonomy_term__taxonomy_detail_id__in=TAXONOMIES,
        )
        .values_list("link_id", "taxonomy_term_id", "taxonomy_term__taxonomy_detail_id")
    ):
        terms[link_id].add(term_key(term_id))
        if taxonomy_id == approaches.TAXONOMY_ID:
            approach_terms[link_id].add(term_key(term_id))
    free = set(
        _model(apps, "CostOption")
        .objects.filter(service_id__in=listed)
        .filter(costs_nothing())
        .values_list("service_id", flat=True)
    )
    places = (
        _model(apps, "ServiceAtLocation")
        .objects.filter(
            service_id__in=listed, location__latitude__isnull=False, location__longitude__isnull=False
        )
        .values_list("service_id", "location_id", "location__latitude", "location__longitude")
        .distinct()
    )
    entries = []
    for service_id, location_id, latitude, longitude in places:
        name, words = services[service_id]
        entries += [
            SearchEntry(
                service_id=service_id,
                location_id=location_id,
                approach=approach,
                latitude=latitude,
                longitude=longitude,
                name=name,
                terms=f" {' '.join(sorted(terms[service_id]))} " if terms[service_id] else "",
                free=service_id in free,
                words=words,
            )
            for approach in ["", *sorted(approach_terms[service_id])]
        ]
    return entries


def refresh(service_ids: Iterable[uuid.UUID], *, apps: Any = global_apps) -> None:
    """Rebuild the entries of these services (their rows are replaced; a service no longer listed, or
    gone, keeps none). Inside `deferred()`, only noted, and rebuilt when it ends."""
    pending = getattr(_state, "pending", None)
    if pending is not None and apps is global_apps:
        pending.update(service_ids)
        return
    SearchEntry = _model(apps, "SearchEntry")
    for ids in _chunks(dict.fromkeys(service_ids)):
        SearchEntry.objects.filter(service_id__in=ids).delete()
        SearchEntry.objects.bulk_create(_entries(ids, apps), batch_size=500)


def refresh_all(*, apps: Any = global_apps) -> None:
    """Rebuild the whole index."""
    _model(apps, "SearchEntry").objects.all().delete()
    ids = _model(apps, "Service").objects.order_by("pk").values_list("pk", flat=True)
    SearchEntry = _model(apps, "SearchEntry")
    for batch in _chunks(ids.iterator(chunk_size=BATCH)):
        SearchEntry.objects.bulk_create(_entries(batch, apps), batch_size=500)


@contextmanager
def deferred() -> Iterator[set[uuid.UUID]]:
    """Within the block, changes only note the services to rebuild (the set yielded, to which the caller
    may add); they are rebuilt once when the block ends without an error."""
    outer = getattr(_state, "pending", None)
    if outer is not None:
        yield outer
        return
    _state.pending = pending = set()
    try:
        yield pending
    finally:
        _state.pending = None
    refresh(pending)


# --- keeping in step ----------------------------------------------------------------------------------------


def services_of(instance: Any) -> list[uuid.UUID]:
    """The services whose entries a change to `instance` can alter."""
    name = type(instance).__name__
    if name == "Service":
        return [instance.pk]
    if name in ("ServiceAtLocation", "CostOption"):
        return [instance.service_id] if instance.service_id else []
    if name == "Attribute":
        return [instance.link_id] if instance.entity == Entity.SERVICE and instance.link_id else []
    if name == "Organization":
        return list(instance.services.values_list("pk", flat=True))
    if name == "Location":
        return list(
            _model(global_apps, "ServiceAtLocation")
            .objects.filter(location_id=instance.pk, service_id__isnull=False)
            .values_list("service_id", flat=True)
        )
    return []


def _changed(sender: type, instance: Any, raw: bool = False, **kwargs: object) -> None:
    if raw:
        return
    refresh(services_of(instance))


WATCHED = ("Service", "Organization", "Location", "ServiceAtLocation", "Attribute", "CostOption")


def connect() -> None:
    for name in WATCHED:
        model = _model(global_apps, name)
        post_save.connect(_changed, sender=model, dispatch_uid=f"directory_search_index_saved_{name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"directory_search_index_deleted_{name}")
