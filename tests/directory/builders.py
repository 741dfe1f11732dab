"""Directory records for tests: a listed service with its organisation, a place at given coordinates, its
approaches and ways in, costs and opening hours, in one call."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from gathering.directory import access, approaches, geo
from gathering.directory import models as m
from gathering.directory.demo import ensure_taxonomies

_numbers = itertools.count(1)
KM_PER_DEGREE_OF_LATITUDE = geo.EARTH_RADIUS_KM * 3.141592653589793 / 180


def north_of(point: geo.Point | tuple[float, float], km: float) -> tuple[float, float]:
    """The point `km` due north of `point` (great-circle distance along the meridian)."""
    return point[0] + km / KM_PER_DEGREE_OF_LATITUDE, point[1]


def organization(name: str = "", **fields: Any) -> m.Organization:
    number = next(_numbers)
    return m.Organization.objects.create(id=uuid.uuid4(), name=name or f"Organisation {number}", **fields)


def service(
    name: str = "",
    *,
    at: tuple[float, float] | None = None,
    org: m.Organization | None = None,
    approach: Iterable[str] = (),
    ways_in: Iterable[str] = (),
    cost: Decimal | int | str | None = "",
    schedules: Iterable[dict[str, Any]] = (),
    place_schedules: Iterable[dict[str, Any]] = (),
    zone: str = m.DEFAULT_TIME_ZONE,
    place_zone: str | None = None,
    city: str = "Leeds",
    postcode: str = "LS1 4AP",
    location_name: str = "",
    online: bool = False,
    **fields: Any,
) -> m.Service:
    """A service (listed unless `status` says otherwise) offered at one place: at `at` (latitude,
    longitude) with an address in `city`, or online. `cost` "" adds no cost option, a number adds one of
    that amount. `schedules` belong to the service (read in `zone`), `place_schedules` to the service at
    that place (read in the place's zone)."""
    ensure_taxonomies()
    number = next(_numbers)
    fields.setdefault("status", m.Service.Status.ACTIVE)
    fields.setdefault("description", f"What service {number} offers.")
    record = m.Service.objects.create(
        id=uuid.uuid4(),
        organization=org or organization(),
        name=name or f"Service {number}",
        time_zone=zone,
        **fields,
    )
    location = None
    if at is not None or online:
        location = m.Location.objects.create(
            id=uuid.uuid4(),
            location_type=m.LocationType.VIRTUAL if online else m.LocationType.PHYSICAL,
            name=location_name or f"Place {number}",
            latitude=None if at is None else Decimal(f"{at[0]:.7f}"),
            longitude=None if at is None else Decimal(f"{at[1]:.7f}"),
            time_zone=place_zone or zone,
        )
        if not online:
            m.Address.objects.create(
                id=uuid.uuid4(),
                location=location,
                address_1=f"{number} Mill Street",
                city=city,
                postal_code=postcode,
                country="GB",
                address_type=m.Address.Type.PHYSICAL,
            )
    here = None
    if location is not None:
        here = m.ServiceAtLocation.objects.create(id=uuid.uuid4(), service=record, location=location)
    for code in approach:
        attach(record, approaches.term_id(code))
    for code in ways_in:
        attach(record, access.term_id(code))
    if cost != "":
        m.CostOption.objects.create(
            id=uuid.uuid4(), service=record, amount=cost, option="" if cost is None else "Per session"
        )
    for values in schedules:
        m.Schedule.objects.create(id=uuid.uuid4(), service=record, **{"freq": "WEEKLY", **values})
    for values in place_schedules:
        m.Schedule.objects.create(id=uuid.uuid4(), service_at_location=here, **{"freq": "WEEKLY", **values})
    return record


def attach(record: m.Service, term_id: uuid.UUID) -> m.Attribute:
    return m.Attribute.objects.create(
        id=uuid.uuid4(), taxonomy_term_id=term_id, link_id=record.pk, entity=m.Entity.SERVICE
    )
