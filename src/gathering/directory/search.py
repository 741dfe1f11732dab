"""The public search of the directory ("Find support"): what a person asked for, the services that match
it, and one page of them with what the results list shows, in a fixed number of queries.

With a place, the search's own index (search_index.py) narrows the services by place (through a bounding
box), words, approach, ways in and cost in one table, and `near` keeps those within the radius by
great-circle distance; without one, the services themselves are filtered. "Open now" is decided here from
the schedules, in each place's own time zone. Nothing a person typed is stored or logged: the
place is turned into a point (a postcode only ever by its district) and forgotten with the request.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import CharField, Exists, FloatField, OuterRef, QuerySet, prefetch_related_objects
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import Truncator

from . import access, approaches, geo
from . import models as m
from .hours import ScheduleGroup, open_state
from .querysets import costs_nothing

PER_PAGE = 20
RADIUS_CHOICES = (5, 10, 25, 50, 100)
DEFAULT_RADIUS_KM = 25
APPROACH_NAMES = dict(approaches.TERMS)
APPROACH_ORDER = {code: index for index, (code, _name) in enumerate(approaches.TERMS)}


def now() -> datetime:
    """The moment "open now" means."""
    return timezone.now()


@dataclass(frozen=True)
class Criteria:
    """What a person asked for, already checked: `place` is where distances are measured from (None: the
    whole directory, no distances), `approach` an approach's code, `access` codes of ways in (any will do)."""

    words: str = ""
    place: geo.Place | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    approach: str = ""
    access: tuple[str, ...] = ()
    free: bool = False
    open_now: bool = False

    @property
    def filtered(self) -> bool:
        """Whether anything narrows the search beyond the place and its radius."""
        return bool(self.words or self.approach or self.access or self.free or self.open_now)


@dataclass
class Result:
    """One service in the results: how far its nearest place is (with a place to measure from), the
    place shown for it, its approaches' names and whether it is open now (None: unknown)."""

    service: m.Service
    distance_km: float | None = None
    location: m.Location | None = None
    approaches: list[str] = field(default_factory=list)
    open_now: bool | None = None

    @cached_property
    def service_url(self) -> str:
        return reverse("directory:service", args=[self.service.pk])

    @property
    def distance_label(self) -> str:
        """The distance as shown: one decimal place under 10 km ("4.2"), whole kilometres beyond ("12")."""
        if self.distance_km is None:
            return ""
        places = 1 if self.distance_km < 10 else 0
        return number_format(round(self.distance_km, places), places)

    @cached_property
    def summary(self) -> str:
        """A line of the description: its first paragraph, cut at a word within 200 characters."""
        first = self.service.description.strip().split("\n", 1)[0]
        return Truncator(" ".join(first.split())).chars(200)

    @cached_property
    def town(self) -> str:
        if self.location is None:
            return ""
        return next((address.city for address in self.location.addresses.all() if address.city), "")

    @property
    def point(self) -> tuple[float, float] | None:
        location = self.location
        if location is None or location.latitude is None or location.longitude is None:
            return None
        return float(location.latitude), float(location.longitude)


@dataclass(frozen=True)
class Results:
    criteria: Criteria
    page: Page
    count: int


# --- Conditions the search needs beyond ServiceQuerySet's --------------------------------------------------


def free_to_use(queryset: QuerySet[m.Service]) -> QuerySet[m.Service]:
    """Services with a cost option that costs nothing: an amount of 0, or an option called "Free". A
    service that states no cost is not taken to be free."""
    free = m.CostOption.objects.filter(costs_nothing(), service_id=OuterRef("pk"))
    return queryset.filter(Exists(free))


def town_places() -> Iterator[tuple[str, float, float]]:
    """(town, latitude, longitude) of every located place in the directory whose address names a town,
    for `geo.town_place`. Queried only when read, so a postcode search costs nothing here."""
    addresses = (
        m.Address.objects.exclude(city="")
        .filter(location__latitude__isnull=False, location__longitude__isnull=False)
        .values_list("city", "location__latitude", "location__longitude")
    )
    for city, latitude, longitude in addresses.iterator(chunk_size=2000):
        yield city, float(latitude), float(longitude)


# --- The search ---------------------------------------------------------------------------------------------


def matching_services(criteria: Criteria) -> QuerySet[m.Service]:
    """The listed services that match everything but the place and "open now"."""
    services = m.Service.objects.listed().matching(criteria.words)
    if criteria.approach:
        services = services.with_terms([approaches.term_id(criteria.approach)])
    if criteria.access:
        services = services.with_terms([access.term_id(code) for code in criteria.access])
    if criteria.free:
        services = free_to_use(services)
    return services


def schedule_groups(
    services: QuerySet[m.Service] | Sequence[m.Service],
) -> dict[uuid.UUID, list[ScheduleGroup]]:
    """For each service (given as objects, or as a queryset read as a subquery), its schedules grouped by
    the time zone they are read in: the service's own in the service's zone, those of each place it is
    offered at in that place's zone. Two queries."""
    if isinstance(services, QuerySet):
        zones = {}
        ids = services.order_by().values("pk")
    else:
        zones = {service.pk: service.time_zone for service in services}
        ids = list(zones)
    # The service's own schedules and those of the service at each place, read apart: each through its own
    # index (asked for both at once, the database would walk every schedule).
    related = m.Schedule.objects.select_related("service", "service_at_location__location").order_by()
    at_places = m.ServiceAtLocation.objects.filter(service_id__in=ids).values("pk")
    found = {schedule.pk: schedule for schedule in related.filter(service_id__in=ids)}
    found.update((schedule.pk, schedule) for schedule in related.filter(service_at_location_id__in=at_places))
    schedules = [found[pk] for pk in sorted(found)]
    grouped: dict[uuid.UUID, dict[str, list[m.Schedule]]] = defaultdict(lambda: defaultdict(list))
    for schedule in schedules:
        at = schedule.service_at_location
        if at is not None:
            grouped[at.service_id][at.location.time_zone].append(schedule)
        if schedule.service_id is not None and (at is None or at.service_id != schedule.service_id):
            zone = zones.get(schedule.service_id) or schedule.service.time_zone
            grouped[schedule.service_id][zone].append(schedule)
    return {pk: [(items, zone) for zone, items in by_zone.items()] for pk, by_zone in grouped.items()}


def _approach_names(ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    applied = m.Attribute.objects.filter(
        entity=m.Entity.SERVICE, link_id__in=ids, taxonomy_term__taxonomy_detail_id=approaches.TAXONOMY_ID
    ).values_list("link_id", "taxonomy_term__code", "taxonomy_term__name")
    names: dict[uuid.UUID, list[tuple[int, str]]] = defaultdict(list)
    for link_id, code, name in applied:
        names[link_id].append((APPROACH_ORDER.get(code, len(APPROACH_ORDER)), name))
    return {pk: [name for _order, name in sorted(set(found))] for pk, found in names.items()}


def _first_places(ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, m.Location]:
    """Where each service is shown on the map without a place to measure from: its first located place."""
    places = (
        m.ServiceAtLocation.objects.filter(service_id__in=ids, location__latitude__isnull=False)
        .select_related("location")
        .order_by("location__name", "location_id")
    )
    first: dict[uuid.UUID, m.Location] = {}
    for place in places:
        first.setdefault(place.service_id, place.location)
    return first


def matching_entries(criteria: Criteria, place: geo.Place) -> QuerySet[m.SearchEntry]:
    """The search index's entries (search_index.py) inside the bounding box of `place` and the radius that
    match everything but the exact distance and "open now": the same conditions as `matching_services`."""
    box = geo.bounding_box(place.point, criteria.radius_km)
    approach = approaches.term_id(criteria.approach) if criteria.approach else None
    entries = m.SearchEntry.objects.of_approach(approach).within_box(box).matching(criteria.words)
    if criteria.access:
        entries = entries.with_terms([access.term_id(code) for code in criteria.access])
    if criteria.free:
        entries = entries.free_to_use()
    return entries


@dataclass(frozen=True)
class Near:
    """A service within the radius: how far its nearest place is, and that place (their ids as the
    database gave them as text, turned into UUIDs when asked for)."""

    service_key: str
    distance_km: float
    location_key: str

    @property
    def service_id(self) -> uuid.UUID:
        return uuid.UUID(self.service_key)

    @property
    def location_id(self) -> uuid.UUID:
        return uuid.UUID(self.location_key)


def near(criteria: Criteria, place: geo.Place) -> list[Near]:
    """Every service matching `criteria` with a place within the radius of `place` by great-circle distance,
    with its nearest such place, nearest first (then by name, then by id). One query, of the search's
    index."""
    point = place.point
    # Ids read as text and turned into UUIDs only for the page shown, and coordinates as floats, straight
    # from the cursor: for the thousands of rows a wide search can find, converting every value costs more
    # than the query.
    entries = matching_entries(criteria, place).values_list(
        Cast("service_id", CharField()),
        Cast("location_id", CharField()),
        Cast("latitude", FloatField()),
        Cast("longitude", FloatField()),
        "name",
    )
    sql, params = entries.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    radius = criteria.radius_km
    distance_km = geo.distance_km
    nearest: dict[str, tuple[float, str]] = {}
    names: dict[str, str] = {}
    for service_id, location_id, latitude, longitude, name in rows:
        distance = distance_km(point, (latitude, longitude))
        if distance > radius:
            continue
        kept = nearest.get(service_id)
        # Two places as near: the first by id, the same whichever order the database answers in.
        if kept is None or distance < kept[0] or (distance == kept[0] and _hex(location_id) < _hex(kept[1])):
            nearest[service_id] = (distance, location_id)
            names[service_id] = name
    order = sorted(nearest, key=lambda pk: (nearest[pk][0], names[pk], _hex(pk)))
    return [Near(pk, nearest[pk][0], nearest[pk][1]) for pk in order]


def _hex(text: str) -> str:
    """A UUID as the database gave it as text (32 hex digits, or with hyphens) as 32 hex digits."""
    return text.replace("-", "").lower()


def _results_near(rows: Sequence[Near]) -> list[Result]:
    """The page's results from their entries: the services (with their organisations) and places read in
    two queries."""
    ids = [(row.service_id, row.location_id) for row in rows]
    services = m.Service.objects.select_related("organization").in_bulk([service for service, _at in ids])
    places = m.Location.objects.in_bulk([at for _service, at in ids])
    return [
        Result(services[service], row.distance_km, places[at])
        for row, (service, at) in zip(rows, ids, strict=True)
    ]


def search(criteria: Criteria, *, page_number: object = 1, at: datetime | None = None) -> Results:
    """One page of the services matching `criteria`, nearest first with a place, else by name."""
    at = at or now()
    rows: list[Near] | list[Result] | QuerySet[m.Service]
    if criteria.place is not None:
        rows = near(criteria, criteria.place)
        if criteria.open_now:
            entries = matching_entries(criteria, criteria.place)
            candidates = m.Service.objects.filter(pk__in=entries.values("service_id"))
            groups = schedule_groups(candidates)
            rows = [row for row in rows if open_state(groups.get(row.service_id, []), at)]
    else:
        services = matching_services(criteria).select_related("organization")
        if criteria.open_now:
            groups = schedule_groups(services)
            rows = [
                Result(service)
                for service in services.order_by("name", "id")
                if open_state(groups.get(service.pk, []), at)
            ]
        else:
            rows = services.order_by("name", "id")
    paginator = Paginator(rows, PER_PAGE)
    page = paginator.get_page(page_number)
    if isinstance(rows, QuerySet):
        page.object_list = [Result(service) for service in page.object_list]
    elif criteria.place is not None:
        page.object_list = _results_near(page.object_list)
    results: list[Result] = list(page.object_list)
    ids = [row.service.pk for row in results]
    names = _approach_names(ids)
    if criteria.place is None:
        first = _first_places(ids)
        for row in results:
            row.location = first.get(row.service.pk)
    prefetch_related_objects([row.location for row in results if row.location is not None], "addresses")
    page_groups = schedule_groups([row.service for row in results])
    for row in results:
        row.approaches = names.get(row.service.pk, [])
        row.open_now = open_state(page_groups.get(row.service.pk, []), at)
    page.object_list = results
    return Results(criteria=criteria, page=page, count=paginator.count)
