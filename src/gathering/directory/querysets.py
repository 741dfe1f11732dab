"""The directory's query conditions as named QuerySet methods, for the HSDS API and the search page."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import reduce
from operator import and_, or_
from uuid import UUID

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q

from .entities import Entity
from .geo import BoundingBox

# Coordinates are stored with seven decimal places (models.COORDINATE); box edges are rounded outwards to
# that grid so that rounding never drops a stored point that lies on the edge.
_GRID = Decimal("0.0000001")


def _edge(value: float, rounding: str) -> Decimal:
    return Decimal(repr(float(value))).quantize(_GRID, rounding=rounding)


def location_in_box(box: BoundingBox, prefix: str = "") -> Q:
    """Locations (reached through `prefix`, e.g. "location__") whose coordinates are inside `box`.
    A box across the antimeridian has two longitude ranges, either of which will do."""
    condition = Q(
        **{
            f"{prefix}latitude__gte": _edge(box.min_latitude, ROUND_FLOOR),
            f"{prefix}latitude__lte": _edge(box.max_latitude, ROUND_CEILING),
        }
    )
    ranges = [
        Q(
            **{
                f"{prefix}longitude__gte": _edge(low, ROUND_FLOOR),
                f"{prefix}longitude__lte": _edge(high, ROUND_CEILING),
            }
        )
        for low, high in box.longitude_ranges()
    ]
    return condition & reduce(or_, ranges)


def _ids(ids: Iterable[UUID | str] | models.QuerySet) -> list[UUID | str] | models.QuerySet:
    """Ids for an `__in` lookup: a queryset stays a subquery, anything else becomes a list."""
    return ids if isinstance(ids, models.QuerySet) else list(ids)


def _words(words: str | Iterable[str]) -> list[str]:
    if isinstance(words, str):
        words = words.split()
    return [word for part in words for word in str(part).split() if word]


def stale_cutoff(now: datetime.datetime) -> datetime.datetime:
    """The moment twelve calendar months before `now`: a listing last checked before it needs checking
    again (on 29 February, the 28th a year earlier)."""
    try:
        return now.replace(year=now.year - 1)
    except ValueError:
        return now.replace(year=now.year - 1, day=28)


def is_stale(verified_at: datetime.datetime | None, *, now: datetime.datetime) -> bool:
    """Whether a listing last checked at `verified_at` (None: never) needs checking: more than twelve
    months ago, or never. `ServiceQuerySet.stale` is the same condition in the database."""
    return verified_at is None or verified_at < stale_cutoff(now)


def _model(name: str) -> type[models.Model]:
    """A directory model by name: the models attach these query sets, so they are looked up, not imported."""
    return apps.get_model("directory", name)


class ServiceQuerySet(models.QuerySet):
    # Fields a word may be found in; the organisation's name counts because people search by who runs it.
    SEARCHED_FIELDS = ("name", "alternate_name", "description", "organization__name")

    def listed(self) -> ServiceQuerySet:
        """The services the public sees: active ones, and temporarily closed ones, which stay listed so
        that people who know them learn they are closed for now (their `status` says so). Inactive and
        defunct services are kept for the record but never shown."""
        return self.filter(status__in=self.model.LISTED)

    def stale(self, now: datetime.datetime) -> ServiceQuerySet:
        """Services nobody in the network has checked for more than twelve months, or ever (see
        `is_stale`)."""
        return self.filter(Q(verified_at__isnull=True) | Q(verified_at__lt=stale_cutoff(now)))

    def matching(self, words: str | Iterable[str]) -> ServiceQuerySet:
        """Services in which every word appears (case-insensitively, anywhere within a word) in the name,
        the other name, the description or the organisation's name. No words: every service."""
        conditions = [
            reduce(or_, (Q(**{f"{field}__icontains": word}) for field in self.SEARCHED_FIELDS))
            for word in _words(words)
        ]
        return self.filter(reduce(and_, conditions)) if conditions else self

    def with_terms(self, term_ids: Iterable[UUID | str]) -> ServiceQuerySet:
        """Services that any of these taxonomy terms is applied to (by an attribute on the service)."""
        Attribute = _model("Attribute")

        applied = Attribute.objects.filter(entity=Entity.SERVICE, taxonomy_term_id__in=_ids(term_ids))
        return self.filter(Exists(applied.filter(link_id=OuterRef("pk"))))

    def with_taxonomy(self, taxonomy_id: UUID | str) -> ServiceQuerySet:
        """Services that any term of this taxonomy is applied to."""
        TaxonomyTerm = _model("TaxonomyTerm")

        return self.with_terms(TaxonomyTerm.objects.of_taxonomy(taxonomy_id).values("pk"))

    def of_organization(self, org_id: UUID | str) -> ServiceQuerySet:
        return self.filter(organization_id=org_id)

    def modified_after(self, moment: datetime.datetime | datetime.date) -> ServiceQuerySet:
        """Services changed on or after `moment` (HSDS's `modified_after` says "on or after"): by
        `last_modified`, the source's own time for the service, or by a change record (Metadata) for the
        service dated that day or later. Change records carry a date only, so one dated the same day
        counts: a feed reader asking for changes since a moment would rather see a service twice than miss
        it."""
        Metadata = _model("Metadata")

        if isinstance(moment, datetime.datetime):
            day = moment.date()
            by_time = Q(last_modified__gte=moment)
        else:
            day = moment
            by_time = Q(last_modified__date__gte=moment)
        changes = Metadata.objects.filter(
            entity=Entity.SERVICE, resource_id=OuterRef("pk"), last_action_date__gte=day
        )
        return self.filter(by_time | Exists(changes))

    def minimum_age_at_least(self, age: Decimal | float) -> ServiceQuerySet:
        """Services whose stated minimum age is `age` or more (none stated: left out)."""
        return self.filter(minimum_age__gte=age)

    def maximum_age_at_most(self, age: Decimal | float) -> ServiceQuerySet:
        """Services whose stated maximum age is `age` or less (none stated: left out)."""
        return self.filter(maximum_age__lte=age)

    def within_box(self, box: BoundingBox) -> ServiceQuerySet:
        """Services offered at one or more locations inside `box` (a cheap prefilter: the box is wider
        than the circle it stands for; `selectors.services_near` keeps the exact distance)."""
        ServiceAtLocation = _model("ServiceAtLocation")

        at = ServiceAtLocation.objects.filter(location_in_box(box, "location__"), service_id=OuterRef("pk"))
        return self.filter(Exists(at))


def costs_nothing() -> Q:
    """Cost options that cost nothing: an amount of 0, or an option called "Free" (a service that states
    no cost is not taken to be free). The search's condition and its index's `free` column both use it."""
    return Q(amount=0) | Q(option__iexact="free")


def term_key(term_id: UUID | str) -> str:
    """How a term stands in `SearchEntry.terms`: its id as 32 hex digits."""
    return UUID(str(term_id)).hex


def words_text(*fields: str) -> str:
    """What `SearchEntry.words` holds for these field values: each lower-cased, one to a line."""
    return "\n".join(field.lower() for field in fields if field)


class SearchEntryQuerySet(models.QuerySet):
    """The conditions of `ServiceQuerySet` (`matching`, `with_terms`) and of `search.free_to_use`, on the
    search's index: the same services, found in one table."""

    def of_approach(self, term_id: UUID | str | None) -> SearchEntryQuerySet:
        """The rows of services with this approach term, one for each place (None: the rows standing for
        any approach, one for each listed service at each place). Every search starts here: it is the
        first column of the index, then the place."""
        return self.filter(approach=term_key(term_id) if term_id else "")

    def within_box(self, box: BoundingBox) -> SearchEntryQuerySet:
        """Entries whose place is inside `box`."""
        return self.filter(location_in_box(box))

    def matching(self, words: str | Iterable[str]) -> SearchEntryQuerySet:
        """Entries of services in which every word appears (case-insensitively, anywhere within a word) in
        the name, the other name, the description or the organisation's name."""
        conditions = [Q(words__contains=word.lower()) for word in _words(words)]
        return self.filter(reduce(and_, conditions)) if conditions else self

    def with_terms(self, term_ids: Iterable[UUID | str]) -> SearchEntryQuerySet:
        """Entries of services that any of these approach or ways-in terms is applied to."""
        conditions = [Q(terms__contains=f" {term_key(term_id)} ") for term_id in term_ids]
        return self.filter(reduce(or_, conditions)) if conditions else self.none()

    def free_to_use(self) -> SearchEntryQuerySet:
        return self.filter(free=True)


class OrganizationQuerySet(models.QuerySet):
    def matching(self, words: str | Iterable[str]) -> OrganizationQuerySet:
        """Organisations whose name, other name or description holds every word (case-insensitively)."""
        conditions = [
            Q(name__icontains=word) | Q(alternate_name__icontains=word) | Q(description__icontains=word)
            for word in _words(words)
        ]
        return self.filter(reduce(and_, conditions)) if conditions else self

    def with_terms(self, term_ids: Iterable[UUID | str]) -> OrganizationQuerySet:
        """Organisations that any of these taxonomy terms is applied to, or that run a service it is
        applied to."""
        Attribute = _model("Attribute")
        Service = _model("Service")

        ids = _ids(term_ids)
        own = Attribute.objects.filter(
            entity=Entity.ORGANIZATION, taxonomy_term_id__in=ids, link_id=OuterRef("pk")
        )
        services = Service.objects.with_terms(ids).filter(organization_id=OuterRef("pk"))
        return self.filter(Exists(own) | Exists(services))

    def in_network(self, relation: str = "") -> OrganizationQuerySet:
        """Our network: organisations with a relation to it (partners, friends, aligned organisations),
        or only those with `relation`."""
        if relation:
            return self.filter(network_relation=relation)
        return self.exclude(network_relation="")

    def in_country(self, country: str) -> OrganizationQuerySet:
        """Organisations with an address in `country` (as the address gives it, in any case): at a place
        of their own, or where one of their listed services is offered."""
        Address = _model("Address")

        own = Address.objects.filter(location__organization_id=OuterRef("pk"), country__iexact=country)
        offered = Address.objects.filter(
            location__service_at_locations__service__organization_id=OuterRef("pk"),
            location__service_at_locations__service__status__in=_model("Service").LISTED,
            country__iexact=country,
        )
        return self.filter(Exists(own) | Exists(offered))


class ServiceAtLocationQuerySet(models.QuerySet):
    """Conditions on a service at a location are mostly conditions on its service: those are the
    `ServiceQuerySet` methods, applied to the service through a subquery."""

    def _of_services(self, services: models.QuerySet) -> ServiceAtLocationQuerySet:
        return self.filter(service__in=services.order_by().values("pk"))

    @staticmethod
    def _services() -> ServiceQuerySet:
        Service = _model("Service")

        return Service.objects.all()

    def listed(self) -> ServiceAtLocationQuerySet:
        """Services at locations whose service the public sees (see `ServiceQuerySet.listed`)."""
        return self._of_services(self._services().listed())

    def matching(self, words: str | Iterable[str]) -> ServiceAtLocationQuerySet:
        """Where every word appears in the service (see `ServiceQuerySet.matching`) or the location's
        name."""
        conditions = [
            reduce(
                or_,
                [Q(**{f"service__{field}__icontains": word}) for field in ServiceQuerySet.SEARCHED_FIELDS]
                + [Q(location__name__icontains=word)],
            )
            for word in _words(words)
        ]
        return self.filter(reduce(and_, conditions)) if conditions else self

    def with_terms(self, term_ids: Iterable[UUID | str]) -> ServiceAtLocationQuerySet:
        """Where the service, or this service at a location itself, has any of these taxonomy terms."""
        Attribute = _model("Attribute")

        ids = _ids(term_ids)
        on_service = Attribute.objects.filter(
            entity=Entity.SERVICE, taxonomy_term_id__in=ids, link_id=OuterRef("service_id")
        )
        on_self = Attribute.objects.filter(
            entity=Entity.SERVICE_AT_LOCATION, taxonomy_term_id__in=ids, link_id=OuterRef("pk")
        )
        return self.filter(Exists(on_service) | Exists(on_self))

    def with_taxonomy(self, taxonomy_id: UUID | str) -> ServiceAtLocationQuerySet:
        """Where the service, or this service at a location, has any term of this taxonomy."""
        TaxonomyTerm = _model("TaxonomyTerm")

        return self.with_terms(TaxonomyTerm.objects.of_taxonomy(taxonomy_id).values("pk"))

    def of_organization(self, org_id: UUID | str) -> ServiceAtLocationQuerySet:
        return self.filter(service__organization_id=org_id)

    def modified_after(self, moment: datetime.datetime | datetime.date) -> ServiceAtLocationQuerySet:
        """Where the service changed on or after `moment` (see `ServiceQuerySet.modified_after`)."""
        return self._of_services(self._services().modified_after(moment))

    def minimum_age_at_least(self, age: Decimal | float) -> ServiceAtLocationQuerySet:
        return self._of_services(self._services().minimum_age_at_least(age))

    def maximum_age_at_most(self, age: Decimal | float) -> ServiceAtLocationQuerySet:
        return self._of_services(self._services().maximum_age_at_most(age))

    def within_box(self, box: BoundingBox) -> ServiceAtLocationQuerySet:
        """Services at locations inside `box`."""
        return self.filter(location_in_box(box, "location__"))


class TaxonomyTermQuerySet(models.QuerySet):
    def matching(self, words: str | Iterable[str]) -> TaxonomyTermQuerySet:
        """Terms whose name, code or description holds every word (case-insensitively)."""
        conditions = [
            Q(name__icontains=word) | Q(code__icontains=word) | Q(description__icontains=word)
            for word in _words(words)
        ]
        return self.filter(reduce(and_, conditions)) if conditions else self

    def of_taxonomy(self, taxonomy_id: UUID | str) -> TaxonomyTermQuerySet:
        return self.filter(taxonomy_detail_id=taxonomy_id)

    def top_level(self) -> TaxonomyTermQuerySet:
        """Terms with no broader term."""
        return self.filter(parent_id__isnull=True)

    def children_of(self, parent_id: UUID | str) -> TaxonomyTermQuerySet:
        return self.filter(parent_id=parent_id)


class TaxonomyQuerySet(models.QuerySet):
    def matching(self, words: str | Iterable[str]) -> TaxonomyQuerySet:
        """Taxonomies whose name or description holds every word (case-insensitively)."""
        conditions = [Q(name__icontains=word) | Q(description__icontains=word) for word in _words(words)]
        return self.filter(reduce(and_, conditions)) if conditions else self
