"""Our network: the partners, friends and aligned organisations in the directory, filtered by relation and
country, each with its description, logo, website and the services it lists, loaded in a fixed number of
queries whatever the directory holds."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.urls import reverse

from . import models as m
from .countries import country_code, country_name

RELATIONS = (
    m.Organization.Relation.PARTNER,
    m.Organization.Relation.FRIEND,
    m.Organization.Relation.ALIGNED,
)
PER_PAGE = 30
# On the list, each organisation shows its first few services by name, and links to the rest.
SERVICES_SHOWN = 3
SERVICES_PER_PAGE = 20


# --- Logos --------------------------------------------------------------------------------------------------


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def logo_url(organization: m.Organization) -> str:
    """Where to show the organisation's logo from, or "" when it is not shown: it needs words for people
    who cannot see it (`logo_alt`), and it must be on this site or an origin in GATHERING_LOGO_ORIGINS, so
    that no visitor's browser asks another site for it unless the operator chose so."""
    if not organization.logo_shown:
        return ""
    url = organization.logo.strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        return ""
    allowed = {_origin(settings.GATHERING_BASE_URL)} | {
        _origin(origin) for origin in settings.GATHERING_LOGO_ORIGINS
    }
    return url if _origin(url) in allowed else ""


def logo_origins(urls: Iterable[str]) -> list[str]:
    """The other sites the shown logos come from, for the page's Content-Security-Policy."""
    own = _origin(settings.GATHERING_BASE_URL)
    return sorted({_origin(url) for url in urls if _origin(url) and _origin(url) != own})


def web_address(value: str) -> str:
    """`value` when it is an http(s) address, else "": imported records may hold any URI."""
    value = value.strip()
    return value if urlsplit(value).scheme in {"http", "https"} and urlsplit(value).netloc else ""


# --- The list -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """An organisation of the network as the network pages show it."""

    organization: m.Organization
    services: list[m.Service]
    service_count: int

    @property
    def url(self) -> str:
        return reverse("network:organisation", args=[self.organization.pk])

    @property
    def logo(self) -> str:
        return logo_url(self.organization)

    @property
    def more_services(self) -> int:
        return max(0, self.service_count - len(self.services))

    @property
    def website(self) -> str:
        """The organisation's website, when it is a web address a link can safely point at."""
        return web_address(self.organization.website)


@dataclass(frozen=True)
class Network:
    page: Page
    count: int

    @property
    def logo_origins(self) -> list[str]:
        return logo_origins(member.logo for member in self.page.object_list)


def _listed_services() -> Subquery:
    counted = (
        m.Service.objects.listed()
        .filter(organization_id=OuterRef("pk"))
        .order_by()
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def network_countries() -> list[tuple[str, str]]:
    """(code, name) of every country the network's organisations have an address in (see
    `OrganizationQuerySet.in_country`), by name. One query."""
    in_network = Q(location__organization__network_relation__in=RELATIONS) | Q(
        location__service_at_locations__service__organization__network_relation__in=RELATIONS,
        location__service_at_locations__service__status__in=m.Service.LISTED,
    )
    values = m.Address.objects.filter(in_network).exclude(country="").values_list("country", flat=True)
    codes = {country_code(value) for value in values.order_by().distinct()}
    return sorted(((code, country_name(code)) for code in codes), key=lambda pair: (pair[1], pair[0]))


def network_members(*, relation: str = "", country: str = "", page_number: object = 1) -> Network:
    """One page of the network's organisations by name, with how many services each lists and its first
    few; only those with `relation` and an address in `country`, when given. Three queries."""
    organisations = m.Organization.objects.in_network(relation)
    if country:
        organisations = organisations.in_country(country)
    organisations = organisations.annotate(listed_services=_listed_services()).order_by("name", "id")
    paginator = Paginator(organisations, PER_PAGE)
    page = paginator.get_page(page_number)
    records = list(page.object_list)
    first = m.Service.objects.listed().order_by("name", "id")[:SERVICES_SHOWN]
    prefetch_related_objects(records, Prefetch("services", queryset=first, to_attr="first_services"))
    page.object_list = [
        Member(organization=record, services=record.first_services, service_count=record.listed_services)
        for record in records
    ]
    return Network(page=page, count=paginator.count)


# --- One organisation ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedService:
    service: m.Service
    town: str

    @property
    def url(self) -> str:
        return reverse("directory:service", args=[self.service.pk])


@dataclass(frozen=True)
class OrganisationPage:
    member: Member
    services: Page
    countries: list[str]

    @property
    def organization(self) -> m.Organization:
        return self.member.organization

    @property
    def logo_origins(self) -> list[str]:
        return logo_origins([self.member.logo])


def _towns(ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The town of each service's first place (by the place's name) that gives one. One query."""
    rows = (
        m.Address.objects.filter(location__service_at_locations__service_id__in=ids)
        .exclude(city="")
        .order_by("location__name", "location_id", "id")
        .values_list("location__service_at_locations__service_id", "city")
    )
    towns: dict[uuid.UUID, str] = {}
    for service_id, city in rows:
        towns.setdefault(service_id, city)
    return towns


def _countries(organization_id: uuid.UUID) -> list[str]:
    own = Q(location__organization_id=organization_id)
    offered = Q(
        location__service_at_locations__service__organization_id=organization_id,
        location__service_at_locations__service__status__in=m.Service.LISTED,
    )
    values = m.Address.objects.filter(own | offered).exclude(country="").values_list("country", flat=True)
    return sorted({country_name(value) for value in values.order_by().distinct()})


def organisation_page(organization_id: uuid.UUID, *, page_number: object = 1) -> OrganisationPage | None:
    """An organisation of the network with one page of its listed services by name (each with its town)
    and the countries it is in; None when it is not in the network. Five queries."""
    organization = m.Organization.objects.in_network().filter(pk=organization_id).first()
    if organization is None:
        return None
    services = m.Service.objects.listed().of_organization(organization.pk).order_by("name", "id")
    paginator = Paginator(services, SERVICES_PER_PAGE)
    page = paginator.get_page(page_number)
    records = list(page.object_list)
    towns = _towns([service.pk for service in records])
    page.object_list = [ListedService(service, towns.get(service.pk, "")) for service in records]
    return OrganisationPage(
        member=Member(organization=organization, services=records, service_count=paginator.count),
        services=page,
        countries=_countries(organization.pk),
    )
