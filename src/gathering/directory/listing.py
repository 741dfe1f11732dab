"""What a service's public page shows: the listing with everything hanging from it, loaded in a fixed
number of queries, and put the way people need it (opening hours in words, open now, each place with its
address, phones and access)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from . import access, approaches
from . import models as m
from .hours import ScheduleGroup, describe, in_week_order, next_opening, open_state, safe_zone


@dataclass(frozen=True)
class Place:
    """One place the service is offered at, with what is said about it there."""

    location: m.Location
    addresses: list[m.Address]
    phones: list[m.Phone]
    hours: list[str]
    accessibility: list[m.Accessibility]

    @property
    def point(self) -> tuple[float, float] | None:
        if self.location.latitude is None or self.location.longitude is None:
            return None
        return float(self.location.latitude), float(self.location.longitude)

    @property
    def online(self) -> bool:
        return self.location.location_type == m.LocationType.VIRTUAL


@dataclass(frozen=True)
class ServicePage:
    service: m.Service
    approaches: list[m.TaxonomyTerm]
    ways_in: list[m.TaxonomyTerm]
    phones: list[m.Phone]
    hours: list[str]
    places: list[Place]
    open_now: bool | None
    opens_next: datetime | None
    zone: str

    @property
    def opens_next_zone(self) -> str:
        """The time zone `opens_next` is given in (that of the place whose opening it is)."""
        return getattr(self.opens_next.tzinfo, "key", self.zone) if self.opens_next else self.zone

    @property
    def organization(self) -> m.Organization:
        return self.service.organization

    @property
    def free(self) -> bool:
        return any(option.amount == 0 or option.option.strip().lower() == "free" for option in self.costs)

    @property
    def costs(self) -> list[m.CostOption]:
        return list(self.service.cost_options.all())

    @property
    def languages(self) -> list[str]:
        return sorted({language.name or language.code for language in self.service.languages.all()} - {""})


def _service_queryset():
    places = m.ServiceAtLocation.objects.select_related("location").prefetch_related(
        "location__addresses", "location__accessibility", "location__phones", "phones", "schedules"
    )
    return (
        m.Service.objects.listed()
        .select_related("organization", "program")
        .prefetch_related(
            "phones",
            "schedules",
            "languages",
            "cost_options",
            "service_areas",
            "required_documents",
            Prefetch("service_at_locations", queryset=places.order_by("location__name", "location_id")),
        )
    )


def _terms(service_id: uuid.UUID) -> tuple[list[m.TaxonomyTerm], list[m.TaxonomyTerm]]:
    applied = (
        m.Attribute.objects.filter(
            entity=m.Entity.SERVICE,
            link_id=service_id,
            taxonomy_term__taxonomy_detail_id__in=(approaches.TAXONOMY_ID, access.TAXONOMY_ID),
        )
        .select_related("taxonomy_term")
        .order_by("taxonomy_term__name")
    )
    terms = {attribute.taxonomy_term_id: attribute.taxonomy_term for attribute in applied}.values()
    approach_order = {approaches.term_id(code): index for index, (code, _name) in enumerate(approaches.TERMS)}
    access_order = {access.term_id(code): index for index, code in enumerate(access.CODES)}
    return (
        sorted((t for t in terms if t.pk in approach_order), key=lambda t: approach_order[t.pk]),
        sorted((t for t in terms if t.pk in access_order), key=lambda t: access_order[t.pk]),
    )


def _words(schedules: list[m.Schedule]) -> list[str]:
    return [text for text in (describe(schedule) for schedule in in_week_order(schedules)) if text]


def service_page(service_id: uuid.UUID, *, at: datetime) -> ServicePage | None:
    """The page of a listed service, or None when there is no such service or it is not listed."""
    service = _service_queryset().filter(pk=service_id).first()
    if service is None:
        return None
    approach_terms, ways_in = _terms(service.pk)
    zone = safe_zone(service.time_zone)
    own_schedules = list(service.schedules.all())
    groups: list[ScheduleGroup] = [(own_schedules, zone)] if own_schedules else []
    places = []
    phones = list(service.phones.all())
    for at_place in service.service_at_locations.all():
        location = at_place.location
        schedules = [s for s in at_place.schedules.all() if s.service_id in (None, service.pk)]
        place_only = [s for s in schedules if s.pk not in {own.pk for own in own_schedules}]
        if place_only:
            groups.append((place_only, location.time_zone))
        place_phones = {phone.pk: phone for phone in [*at_place.phones.all(), *location.phones.all()]}
        places.append(
            Place(
                location=location,
                addresses=[a for a in location.addresses.all() if a.address_type != m.Address.Type.VIRTUAL],
                phones=[phone for pk, phone in place_phones.items() if pk not in {p.pk for p in phones}],
                hours=_words(place_only),
                accessibility=list(location.accessibility.all()),
            )
        )
    return ServicePage(
        service=service,
        approaches=approach_terms,
        ways_in=ways_in,
        phones=phones,
        hours=_words(own_schedules),
        places=places,
        open_now=open_state(groups, at),
        opens_next=next_opening(groups, at),
        zone=zone,
    )
