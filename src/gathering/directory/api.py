"""The HSDS API at /api/hsds/: the directory as Open Referral's HSDS 3.0 API describes it
(schemas/3.0/openapi.json, served at /api/hsds/openapi.json), with the UK profile's parameters where we can
answer them (the UK profile's openapi.json). Read-only, open to anyone without a key, callable from any web
page (CORS `*`), throttled like the rest of the API.

Documents come from `hsds.document`, the serializer export uses: the list shape (`compact`) in lists and
the full shape for one record. Bad parameters are refused with the API's error body and a message saying
what to send instead.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar

from django.db import models
from django.http import HttpResponse, StreamingHttpResponse
from django.http.request import QueryDict
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gathering.api.throttling import AnonRateThrottle

from . import geo
from . import models as m
from .hsds import SCHEMA_DIR, ValueProblem, document, parse_uuid
from .selectors import PublicGraph, hsds_graph, hsds_list_graph, ids_by_distance, ids_near, services_near

HSDS_VERSION = "3.0"
# What `GET /` names as the API's profile: the Open Referral UK profile, whose fields the documents carry
# and whose parameters the lists take.
PROFILE_URL = "https://openreferraluk.org/"
OPENAPI_FILE = SCHEMA_DIR / "3.0" / "openapi.json"

PER_PAGE = 50
MOST_PER_PAGE = 200
LAST_PAGE = 1_000_000
# Rows an ndjson answer reads and writes at a time (each batch takes the same number of queries).
STREAM_BATCH = 200
# Words a search may hold: each is matched against several fields, and databases cap a query's size.
MOST_WORDS = 10
LONGEST_TEXT = 200

PLURAL = {
    "service": "services",
    "organization": "organizations",
    "service_at_location": "service_at_locations",
    "taxonomy": "taxonomies",
    "taxonomy_term": "taxonomy_terms",
}
NAMES = {
    "service": "service",
    "organization": "organisation",
    "service_at_location": "service at a location",
    "taxonomy": "taxonomy",
    "taxonomy_term": "taxonomy term",
}


class BadParameter(exceptions.ValidationError):
    """A query parameter we cannot use: the error body's `message` says why and what to send instead,
    `fields` names the parameter, and `code` names the case."""

    def __init__(self, name: str, message: str, code: str = "invalid") -> None:
        super().__init__({"non_field_errors": [message], name: [message]})
        self.default_code = code


def _shown(value: str) -> str:
    shown = " ".join(value.split())
    return shown if len(shown) <= 40 else shown[:39] + "…"


class Query:
    """The query string of one request, read one named parameter at a time. An empty value counts as
    absent, as a form would send it."""

    def __init__(self, params: QueryDict) -> None:
        self.params = params

    def text(self, name: str) -> str | None:
        value = self.params.get(name)
        if value is None or not value.strip():
            return None
        if "\x00" in value or len(value) > LONGEST_TEXT:
            raise BadParameter(
                name, f"{name} must be plain text of at most {LONGEST_TEXT} characters.", "invalid_text"
            )
        return value.strip()

    def words(self, name: str) -> list[str]:
        words = (self.text(name) or "").split()
        if len(words) > MOST_WORDS:
            raise BadParameter(name, f"Search for at most {MOST_WORDS} words at a time.", "too_many_words")
        return words

    def uuid(self, name: str) -> uuid.UUID | None:
        value = self.text(name)
        return None if value is None else parse_id(value, name)

    def boolean(self, name: str) -> bool:
        value = self.text(name)
        if value is None:
            return False
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise BadParameter(name, f"{name} must be true or false.", "invalid_boolean")

    def whole(self, name: str, *, default: int, most: int) -> int:
        value = self.text(name)
        if value is None:
            return default
        if not (value.isascii() and value.isdigit() and len(value) <= len(str(most))) or not (
            1 <= int(value) <= most
        ):
            raise BadParameter(name, f"{name} must be a whole number from 1 to {most}.", f"invalid_{name}")
        return int(value)

    def age(self, name: str) -> Decimal | None:
        value = self.text(name)
        if value is None:
            return None
        if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,2})?", value):
            raise BadParameter(name, f"{name} must be an age in years, like 18 or 2.5.", "invalid_age")
        return Decimal(value)

    def moment(self, name: str) -> datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            moment = parse_datetime(value)
            if moment is not None:
                # A time without an offset is in UTC, as HSDS writes `last_modified`.
                moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
        except (ValueError, OverflowError):
            moment = None
        if moment is None:
            raise BadParameter(
                name,
                f"{name} must be a date and time like 2024-01-31T09:30:00Z (an offset's + written as %2B) "
                "or a date like 2024-01-31.",
                "invalid_datetime",
            )
        return moment

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.text(name)
        if value is None:
            return choices[0]
        if value.lower() not in choices:
            raise BadParameter(name, f"{name} must be one of: {', '.join(choices)}.", f"invalid_{name}")
        return value.lower()

    def place(self) -> tuple[geo.Point, float | None] | None:
        """Where `postcode` is and how far `proximity` reaches from it (None: no limit), or None."""
        postcode, proximity = self.text("postcode"), self.text("proximity")
        if postcode is None:
            if proximity is not None:
                raise BadParameter(
                    "proximity", "proximity needs a postcode to measure from.", "proximity_without_postcode"
                )
            return None
        try:
            place = geo.postcode_district_place(postcode)
        except geo.PlaceError as error:
            raise BadParameter("postcode", postcode_message(error), error.code) from None
        if proximity is None:
            return place.point, None
        return place.point, parse_proximity_km(proximity)

    def refuse(self, name: str, message: str) -> None:
        if self.text(name) is not None:
            raise BadParameter(name, message, "unsupported_parameter")


def parse_id(value: str, name: str = "id") -> uuid.UUID:
    try:
        return parse_uuid(value)
    except ValueProblem:
        raise BadParameter(
            name,
            f"“{_shown(value)}” isn't an id: ids are UUIDs, like 3fa85f64-5717-4562-b3fc-2c963f66afa6.",
            "invalid_uuid",
        ) from None


def postcode_message(error: geo.PlaceError) -> str:
    """geo's messages, for a caller who can send a postcode but not a town (the search page takes both)."""
    if error.code == "outside_coverage":
        return f"Postcodes in {error.params['region']} can't be searched from yet: send one in Great Britain."
    if error.code == "unknown_district" and error.params.get("district") not in (None, "GIR"):
        district = error.params["district"]
        return f"We don't know the postcode district “{district}”: check it, or send a nearby one."
    if error.code == "malformed_postcode":
        return (
            f"“{error.params.get('value', '')}” isn't a UK postcode: send a full postcode, like SW1A 1AA, or "
            "the first part of one, like SW1A."
        )
    return error.message


def parse_proximity_km(value: str) -> float:
    """`proximity` is in metres: "Return services that exist within meters from the centroid of the
    provided postcode" (components.parameters.proximity in schemas/3.0/openapi.json and in the UK
    profile's openapi.json). The range is the search page's, 1 to 200 km."""
    low, high = geo.MIN_RADIUS_KM * 1000, geo.MAX_RADIUS_KM * 1000
    message = f"proximity is a distance in metres from {low} to {high} (1 to 200 km), like 5000."
    if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,6})?", value):
        raise BadParameter("proximity", message, "radius_not_a_number")
    metres = float(value)
    if not low <= metres <= high:
        raise BadParameter("proximity", message, "radius_out_of_range")
    return metres / 1000


# --- answers ---------------------------------------------------------------------------------------------


@dataclass
class Rows:
    """The records a list answers with, in order: a queryset, or ids already put in order by distance."""

    queryset: models.QuerySet | None = None
    ids: list[uuid.UUID] | None = None

    def count(self) -> int:
        return len(self.ids) if self.ids is not None else self.queryset.count()

    def slice(self, start: int, stop: int) -> list[uuid.UUID]:
        if self.ids is not None:
            return self.ids[start:stop]
        return list(self.queryset.values_list("pk", flat=True)[start:stop])

    def all(self) -> list[uuid.UUID]:
        return self.ids if self.ids is not None else list(self.queryset.values_list("pk", flat=True))


def documents(
    kind: str, ids: list[uuid.UUID], *, full: bool, compact_keys: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    """The HSDS documents of these records in this order: full, or in the list shape."""
    if not ids:
        return []
    if full:
        graph = PublicGraph(hsds_graph(**{PLURAL[kind]: ids}))
        records = [graph.get(kind, pk) for pk in ids]
        return [document(graph, kind, record, compact_keys=compact_keys) for record in records if record]
    graph = hsds_list_graph(kind, ids)
    records = [graph.get(kind, pk) for pk in ids]
    return [document(graph, kind, record, compact=True) for record in records if record]


def page_of(rows: Rows, kind: str, *, page: int, per_page: int, **shape: Any) -> dict[str, Any]:
    """One page in HSDS's page wrapper (components.schemas.Page in schemas/3.0/openapi.json). `size` is
    the number of records on this page and `empty` says this page has none, as the Page schema describes
    them; a page past the last is empty rather than an error, so a reader can stop on `last_page` or on
    `empty`."""
    total = rows.count()
    total_pages = math.ceil(total / per_page)
    start = (page - 1) * per_page
    contents = documents(kind, rows.slice(start, start + per_page), **shape) if start < total else []
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def ndjson(rows: Rows, kind: str, **shape: Any) -> StreamingHttpResponse:
    """Every record, one JSON document a line, without pages (`format=ndjson`, components.parameters.format
    in schemas/3.0/openapi.json)."""
    ids = rows.all()

    def lines() -> Iterator[bytes]:
        for start in range(0, len(ids), STREAM_BATCH):
            for item in documents(kind, ids[start : start + STREAM_BATCH], **shape):
                yield json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"

    return StreamingHttpResponse(lines(), content_type="application/x-ndjson; charset=utf-8")


# --- views -----------------------------------------------------------------------------------------------


class JsonOnly(BaseContentNegotiation):
    """Always JSON. DRF would read `format` in the query as a renderer's name; here it is HSDS's own
    parameter, and an `Accept` header asking for something else still gets JSON rather than a 406."""

    def select_parser(self, request: Request, parsers: list) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        return renderers[0], renderers[0].media_type


ALLOWED_METHODS = "GET, HEAD, OPTIONS"
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")


# The contract of these views is HSDS's openapi.json (served at /api/hsds/openapi.json), not our schema at
# /api/schema/, so they are left out of it.
@extend_schema(exclude=True)
class HsdsView(APIView):
    """Open to anyone: no authentication (a stale token or session must not turn a public read into a
    401), the anonymous throttle, JSON only, and CORS for any origin on every answer."""

    authentication_classes: ClassVar[list] = []
    permission_classes: ClassVar[list] = [AllowAny]
    throttle_classes: ClassVar[list] = [AnonRateThrottle]
    renderer_classes: ClassVar[list] = [JSONRenderer]
    content_negotiation_class = JsonOnly

    def check_throttles(self, request: Request) -> None:
        # A browser's preflight comes before each cross-origin request it is not sure about; counting it
        # would halve the allowance of a web page calling the API.
        if request.method != "OPTIONS":
            super().check_throttles(request)

    def options(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """A CORS preflight (or a plain OPTIONS): which methods and headers a page on any origin may use."""
        response = HttpResponse(status=204)
        response["Allow"] = ALLOWED_METHODS
        response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        asked = request.headers.get("Access-Control-Request-Headers", "")
        names = [name.strip() for name in asked.split(",") if name.strip()]
        if names and all(_HEADER_NAME.fullmatch(name) for name in names):
            # Nothing here reads headers or credentials, so any header a page wants to send is harmless.
            response["Access-Control-Allow-Headers"] = ", ".join(names)
        response["Access-Control-Max-Age"] = "86400"
        response["Vary"] = "Access-Control-Request-Headers"
        return response

    def finalize_response(self, request: Request, response: HttpResponse, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        # Public data: pages on other sites may load it (the site-wide default is same-origin).
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response


class RootView(HsdsView):
    def get(self, request: Request) -> Response:
        return Response(
            {
                "version": HSDS_VERSION,
                "profile": PROFILE_URL,
                "openapi_url": request.build_absolute_uri(reverse("hsds:openapi")),
            }
        )


@cache
def _openapi() -> dict[str, Any]:
    return json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))


class OpenApiView(HsdsView):
    """HSDS's openapi.json as shipped, with its placeholders for the API's own details filled in."""

    def get(self, request: Request) -> Response:
        description = dict(_openapi())
        description["info"] = {
            "title": "Gathering network directory: HSDS API",
            "version": HSDS_VERSION,
            "description": "The network directory as Open Referral's Human Services Data Specification "
            "3.0 describes it, with the Open Referral UK profile's fields. Read-only, no key needed.",
            "license": {
                "name": "This description adapts HSDS's openapi.json: CC BY-SA 4.0",
                "url": "https://creativecommons.org/licenses/by-sa/4.0/",
            },
        }
        description["servers"] = [{"url": request.build_absolute_uri(reverse("hsds:root")).rstrip("/")}]
        return Response(description)


class ListView(HsdsView):
    """A paginated list of one kind of record (or every record as ndjson), filtered by the parameters the
    HSDS openapi.json gives the path."""

    kind: ClassVar[str]

    def rows(self, query: Query) -> Rows:
        raise NotImplementedError

    def shape(self, query: Query) -> dict[str, Any]:
        return {"full": False}

    def get(self, request: Request) -> HttpResponse:
        query = Query(request.query_params)
        output = query.choice("format", ("json", "ndjson"))
        page = query.whole("page", default=1, most=LAST_PAGE)
        per_page = query.whole("per_page", default=PER_PAGE, most=MOST_PER_PAGE)
        shape = self.shape(query)
        rows = self.rows(query)
        if output == "ndjson":
            return ndjson(rows, self.kind, **shape)
        return Response(page_of(rows, self.kind, page=page, per_page=per_page, **shape))


class ServiceFilters(ListView):
    """`/services` and `/service_at_locations` take the same filters, all about the service."""

    # How a record reaches its locations, for distances.
    location_path: ClassVar[str]

    def base(self) -> models.QuerySet:
        raise NotImplementedError

    def shape(self, query: Query) -> dict[str, Any]:
        return {"full": query.boolean("full")}

    def rows(self, query: Query) -> Rows:
        # The UK profile's openapi.json also lists start_time, end_time and day (opening times): not
        # answered yet, and refused rather than ignored so that nobody takes an unfiltered list for a
        # filtered one.
        for name in ("start_time", "end_time", "day"):
            query.refuse(name, f"Filtering by {name} isn't offered yet: leave it out.")
        words = query.words("search")
        term, taxonomy = query.uuid("taxonomy_term_id"), query.uuid("taxonomy_id")
        organization, since = query.uuid("organization_id"), query.moment("modified_after")
        youngest, oldest = query.age("minimum_age"), query.age("maximum_age")
        place = query.place()
        records = self.base().matching(words)
        if term is not None:
            records = records.with_terms([term])
        if taxonomy is not None:
            records = records.with_taxonomy(taxonomy)
        if organization is not None:
            records = records.of_organization(organization)
        if since is not None:
            records = records.modified_after(since)
        # The UK profile's openapi.json: minimum_age "Return services with a minimum age of at least the
        # specified value", maximum_age "... with a maximum age of at equal to or below the specified value".
        if youngest is not None:
            records = records.minimum_age_at_least(youngest)
        if oldest is not None:
            records = records.maximum_age_at_most(oldest)
        if place is None:
            return Rows(queryset=records)
        return Rows(ids=[pk for pk, _distance in self.nearest(records, *place)])

    def nearest(
        self, records: models.QuerySet, point: geo.Point, radius_km: float | None
    ) -> list[tuple[uuid.UUID, float | None]]:
        # With a postcode and no proximity, everything is listed nearest first (no location: last).
        # HSDS would also keep only services whose service_area holds the postcode; areas served are
        # free text or shapes the directory does not read yet, so that part is not applied.
        if radius_km is None:
            return ids_by_distance(records, point, location=self.location_path)
        return ids_near(records, point, radius_km, location=self.location_path)


class ServiceListView(ServiceFilters):
    kind = "service"
    location_path = "service_at_locations__location__"

    def base(self) -> models.QuerySet:
        return m.Service.objects.listed()

    def rows(self, query: Query) -> Rows:
        # HSDS 3.0's openapi.json gives /services `minimal` (just ids and modification dates) in a shape
        # the compiled schemas do not describe; asking with modified_after does the same job.
        if query.boolean("minimal"):
            raise BadParameter(
                "minimal", "minimal isn't offered: use modified_after to find what changed.", "unsupported"
            )
        return super().rows(query)

    def nearest(
        self, records: models.QuerySet, point: geo.Point, radius_km: float | None
    ) -> list[tuple[uuid.UUID, float | None]]:
        if radius_km is None:
            return super().nearest(records, point, radius_km)
        return [(service.pk, distance) for service, distance, _at in services_near(records, point, radius_km)]


class ServiceAtLocationListView(ServiceFilters):
    kind = "service_at_location"
    location_path = "location__"

    def base(self) -> models.QuerySet:
        return m.ServiceAtLocation.objects.listed()


class OrganizationListView(ListView):
    kind = "organization"

    def shape(self, query: Query) -> dict[str, Any]:
        return _organization_shape(query, full=query.boolean("full"))

    def rows(self, query: Query) -> Rows:
        return Rows(queryset=m.Organization.objects.matching(query.words("search")))


def _organization_shape(query: Query, *, full: bool) -> dict[str, Any]:
    # schemas/3.0/openapi.json, /organizations/{id}: a "fully nested organization with service array that
    # contains simple information"; `full_service`: "... service array that contains full service
    # information" (and a full organisation, in a list too).
    full_service = query.boolean("full_service")
    compact_keys = frozenset() if full_service else frozenset({"services"})
    return {"full": full or full_service, "compact_keys": compact_keys}


class TaxonomyListView(ListView):
    kind = "taxonomy"

    def rows(self, query: Query) -> Rows:
        return Rows(queryset=m.Taxonomy.objects.matching(query.words("search")))


class TaxonomyTermListView(ListView):
    kind = "taxonomy_term"

    def rows(self, query: Query) -> Rows:
        words, taxonomy, parent = query.words("search"), query.uuid("taxonomy_id"), query.uuid("parent_id")
        top_only = query.boolean("top_only")
        terms = m.TaxonomyTerm.objects.matching(words)
        if taxonomy is not None:
            terms = terms.of_taxonomy(taxonomy)
        if parent is not None:
            terms = terms.children_of(parent)
        # schemas/3.0/openapi.json describes top_only as "Only retrieve taxonomy terms that have not child
        # terms"; the name says top-level terms, which is what it gives: terms with no broader term.
        if top_only:
            terms = terms.top_level()
        return Rows(queryset=terms)


class DetailView(HsdsView):
    """One record, fully nested (the compiled schema of its kind)."""

    kind: ClassVar[str]

    def compact_keys(self, query: Query) -> frozenset[str]:
        return frozenset()

    def shown(self, graph: PublicGraph, record: models.Model) -> bool:
        return True

    def get(self, request: Request, record_id: str) -> Response:
        query = Query(request.query_params)
        pk = parse_id(record_id)
        compact_keys = self.compact_keys(query)
        graph = PublicGraph(hsds_graph(**{PLURAL[self.kind]: [pk]}))
        record = graph.get(self.kind, pk)
        if record is None or not self.shown(graph, record):
            raise exceptions.NotFound(f"No {NAMES[self.kind]} has the id {pk}.")
        return Response(document(graph, self.kind, record, compact_keys=compact_keys))


class ServiceDetailView(DetailView):
    kind = "service"


class ServiceAtLocationDetailView(DetailView):
    # Both openapi.json files point this path's answer at compiled/service.json, while describing it as
    # a "fully nested service_at_location"; the answer is that, in the shape of
    # compiled/service_at_location.json (which nests the full service).
    kind = "service_at_location"

    def shown(self, graph: PublicGraph, record: models.Model) -> bool:
        return graph.get("service", record.service_id) is not None


class OrganizationDetailView(DetailView):
    kind = "organization"

    def compact_keys(self, query: Query) -> frozenset[str]:
        return _organization_shape(query, full=True)["compact_keys"]


class TaxonomyDetailView(DetailView):
    kind = "taxonomy"


class TaxonomyTermDetailView(DetailView):
    kind = "taxonomy_term"
