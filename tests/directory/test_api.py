"""The HSDS API at /api/hsds/: every answer about every shared example is what HSDS's openapi.json (and the UK
profile's) describes, checked against their own schemas; each filter keeps what it should and drops what it
should not; bad input gets a specific message; CORS is open; the number of queries does not grow with the
directory; and no query string makes it fail."""

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from django.core.cache import cache as django_cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from gathering.directory import models as m
from gathering.directory.approaches import TAXONOMY_ID, term_id
from gathering.directory.geo import Point, bounding_box, distance_km
from gathering.directory.selectors import services_near
from gathering.directory.services import hsds_import

from ..conftest import signed_in
from .builders import north_of, organization, service
from .hsds_data import HSDS, SHARED, example_paths, schema_errors

pytestmark = pytest.mark.django_db

API = "/api/hsds"
EXAMPLES = example_paths()
# The centre of the SW1A postcode district (data/gb_outcode_centroids.csv).
SW1A = Point(51.50197, -0.13386)
PEER_RESPITE = term_id("peer-respite")

# Where each profile's openapi.json says its schemas live: the files in the reference data are those.
SCHEMA_BASE = {
    "3.0": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/",
    "uk": "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/",
}
PAGE_FIELDS = ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty")


# --- the schemas' own word --------------------------------------------------------------------------------


@cache
def _registry(profile: str) -> Registry:
    folder = SHARED / profile / "schema"
    return Registry().with_resources(
        (
            SCHEMA_BASE[profile] + path.relative_to(folder).as_posix(),
            Resource.from_contents(json.loads(path.read_text("utf-8")), default_specification=DRAFT202012),
        )
        for path in folder.rglob("*.json")
    )


@cache
def operation_validator(profile: str, path: str) -> Draft202012Validator | None:
    """A validator, with format checking, for the answer the profile's openapi.json gives GET `path`; its
    references resolve to the reference data's schema files. None when the profile has no such path."""
    openapi = SHARED / profile / "schema" / "openapi.json"
    if not openapi.exists() or path not in json.loads(openapi.read_text("utf-8"))["paths"]:
        return None
    escaped = path.replace("~", "~0").replace("/", "~1")
    pointer = f"/paths/{escaped}/get/responses/200/content/application~1json/schema"
    return Draft202012Validator(
        {"$ref": f"{SCHEMA_BASE[profile]}openapi.json#{pointer}"},
        registry=_registry(profile),
        format_checker=FormatChecker(),
    )


def answer_errors(path: str, body: Any, kind: str | None, *, full_items: bool = False) -> list[str]:
    """Why `body`, the answer to GET `path` (as openapi.json writes it), is not what HSDS 3.0 and the UK
    profile describe: each profile's openapi.json for the path, or, where a profile's openapi.json has no
    such path (the UK profile has no /organizations) or the reference data is absent, the schemas of the
    records' kind. Pages must carry every field of the page wrapper; `full_items` also checks each item of
    a page against the full compiled schema of its kind."""
    page = isinstance(body, dict) and "contents" in body
    items = body["contents"] if page else [body]
    errors = [f"page has no {name}" for name in PAGE_FIELDS if page and name not in body]
    for profile in ("3.0", "uk"):
        checker = operation_validator(profile, path)
        if checker is not None:
            errors += [f"{profile} {list(e.absolute_path)}: {e.message}" for e in checker.iter_errors(body)]
        elif kind is not None:
            listed = page and (SHARED / profile / "schema" / "compiled" / f"{kind}_list.json").exists()
            for item in items:
                errors += schema_errors(item, f"{kind}_list" if listed else kind, profile)
        if full_items:
            for item in items:
                errors += [f"{profile} full: {error}" for error in schema_errors(item, kind, profile)]
    return errors


# --- records ------------------------------------------------------------------------------------------------


def north(km: float) -> tuple[float, float]:
    """A point `km` north of the SW1A centre."""
    return north_of(SW1A, km)


def another_place(record: m.Service, at: tuple[float, float]) -> m.ServiceAtLocation:
    """`record` offered at one more place (the builders give a service one)."""
    location = m.Location.objects.create(
        id=uuid.uuid4(),
        location_type=m.LocationType.PHYSICAL,
        name=f"{record.name}, second place",
        latitude=Decimal(f"{at[0]:.7f}"),
        longitude=Decimal(f"{at[1]:.7f}"),
    )
    return m.ServiceAtLocation.objects.create(id=uuid.uuid4(), service=record, location=location)


def get(client, path: str, **params: Any) -> Any:
    response = client.get(f"{API}{path}", params)
    assert response.status_code == 200, (path, params, response.content[:400])
    return response.json()


def names(client, path: str, **params: Any) -> list[str]:
    contents = get(client, path, per_page=200, **params)["contents"]
    return [item["service"]["name"] if "service" in item else item["name"] for item in contents]


def refused(client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}{path}", params)
    assert response.status_code == 400, (path, params, response.content[:400])
    return response.json()["error"]


# --- every shared example ------------------------------------------------------------------------------


LISTS = (
    ("services", "service"),
    ("organizations", "organization"),
    ("service_at_locations", "service_at_location"),
    ("taxonomies", "taxonomy"),
    ("taxonomy_terms", "taxonomy_term"),
)


def every_answer(client) -> list[tuple[str, str | None, str, Any, bool]]:
    """(openapi path, kind, url, body, full items) for every GET the API answers about what it holds."""
    answers = []

    def fetch(path: str, kind: str | None, url: str, *, full_items: bool = False) -> Any:
        # The sweep makes more requests than a minute's anonymous allowance; the limit is tested below.
        django_cache.clear()
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:400])
        if response.streaming:
            lines = b"".join(response.streaming_content).decode().splitlines()
            body = {"contents": [json.loads(line) for line in lines]}
            answers.extend((f"{path}/{{id}}", kind, f"{url} line", item, False) for item in body["contents"])
            return body
        body = response.json()
        answers.append((path, kind, url, body, full_items))
        return body

    fetch("/", None, f"{API}/")
    for plural, kind in LISTS:
        page = fetch(f"/{plural}", kind, f"{API}/{plural}?per_page=200")
        assert page["total_items"] == len(page["contents"])
        for item in page["contents"]:
            fetch(f"/{plural}/{{id}}", kind, f"{API}/{plural}/{item['id']}")
        if kind in ("service", "organization", "service_at_location"):
            fetch(f"/{plural}", kind, f"{API}/{plural}?full=true", full_items=True)
            streamed = fetch(f"/{plural}", kind, f"{API}/{plural}?format=ndjson&full=true")
            assert [item["id"] for item in streamed["contents"]] == [item["id"] for item in page["contents"]]
    for item in get(client, "/organizations")["contents"]:
        fetch("/organizations/{id}", "organization", f"{API}/organizations/{item['id']}?full_service=true")
    return answers


@pytest.mark.parametrize(("profile", "path"), EXAMPLES, ids=[f"{p}/{path.name}" for p, path in EXAMPLES])
def test_every_answer_about_an_imported_example_is_valid_hsds(client, profile, path):
    hsds_import(path=path)

    answers = every_answer(client)

    problems = {
        url: errors
        for openapi_path, kind, url, body, full_items in answers
        for errors in [
            # Both openapi.json files point /service_at_locations/{id} at compiled/service.json while
            # describing a "fully nested service_at_location": its answer is checked against
            # compiled/service_at_location.json.
            schema_errors(body, kind, "3.0") + schema_errors(body, kind, "uk")
            if openapi_path == "/service_at_locations/{id}"
            else answer_errors(openapi_path, body, kind, full_items=full_items)
        ]
        if errors
    }
    assert problems == {}
    assert len(answers) > 10


def test_the_api_root_names_version_profile_and_an_openapi_description_that_is_served(client):
    root = get(client, "/")

    assert root == {
        "version": "3.0",
        "profile": "https://openreferraluk.org/",
        "openapi_url": "http://testserver/api/hsds/openapi.json",
    }
    assert answer_errors("/", root, None) == []
    description = client.get(root["openapi_url"]).json()
    assert description["info"]["title"] == "Gathering network directory: HSDS API"
    assert description["servers"] == [{"url": "http://testserver/api/hsds"}]
    assert set(description["paths"]) >= {"/services", "/services/{id}", "/service_at_locations"}


def test_a_list_shows_one_to_one_fields_and_a_record_everything(client):
    hsds_import(path=HSDS / "3.0" / "examples" / "service_full.json")
    service_id = "ac148810-d857-441c-9679-408f346de14b"

    listed = get(client, "/services")["contents"][0]
    full = get(client, f"/services/{service_id}")

    assert "phones" not in listed and "service_at_locations" not in listed
    assert listed["organization"]["id"] == full["organization"]["id"]
    assert "locations" not in listed["organization"]
    assert full["phones"] and full["service_at_locations"] and full["organization"]["locations"]
    assert {key: value for key, value in full.items() if key in listed} == listed | {
        "organization": full["organization"],
        "program": full["program"],
    }


def test_an_organisation_lists_its_services_simply_unless_asked_for_full_services(client):
    hsds_import(path=HSDS / "3.0" / "examples" / "organization_full.json")
    org_id = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"

    simple = get(client, f"/organizations/{org_id}")["services"]
    full = get(client, f"/organizations/{org_id}", full_service="true")["services"]

    assert [s["id"] for s in simple] == [s["id"] for s in full]
    assert "phones" not in simple[0] and "organization" not in simple[0]
    assert full[0]["phones"] and "organization" not in full[0]
    assert "contents" not in get(client, "/organizations")["contents"][0]
    assert "services" not in get(client, "/organizations")["contents"][0]
    assert "services" in get(client, "/organizations", full="true")["contents"][0]


# --- filters -------------------------------------------------------------------------------------------


def test_only_active_and_temporarily_closed_services_are_shown(client):
    org = organization()
    for status in m.Service.Status.values:
        service(f"Status {status}", org=org, status=status, at=north(1))
    hidden = m.Service.objects.get(status=m.Service.Status.DEFUNCT)
    sal = hidden.service_at_locations.get()

    assert names(client, "/services") == ["Status active", "Status temporarily closed"]
    assert names(client, "/service_at_locations") == ["Status active", "Status temporarily closed"]
    # HSDS gives nested lists no order.
    assert sorted(s["name"] for s in get(client, f"/organizations/{org.pk}")["services"]) == [
        "Status active",
        "Status temporarily closed",
    ]
    for path in (f"/services/{hidden.pk}", f"/service_at_locations/{sal.pk}"):
        response = client.get(f"{API}{path}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_search_needs_every_word_in_any_of_the_searched_fields_in_any_case(client):
    org = organization("Harbour Hearing Voices Network")
    service("Peer respite house", org=org, description="A calm house by the sea")
    service("Crisis cafe", alternate_name="Evening sanctuary", description="Open late, by the sea")
    service("Listening line", description="Someone to talk to")

    assert names(client, "/services", search="SEA") == ["Crisis cafe", "Peer respite house"]
    assert names(client, "/services", search="sea calm") == ["Peer respite house"]
    assert names(client, "/services", search="sanctuary") == ["Crisis cafe"]
    assert names(client, "/services", search="harbour voices") == ["Peer respite house"]
    assert names(client, "/services", search="sea nowhere") == []
    assert names(client, "/organizations", search="harbour") == ["Harbour Hearing Voices Network"]
    assert names(client, "/taxonomy_terms", search="voices") == ["Hearing Voices"]
    assert names(client, "/taxonomies", search="approaches") == ["Gathering approaches"]


def test_taxonomy_term_and_taxonomy_filters_keep_services_tagged_with_them(client):
    service("Respite", approach=["peer-respite"], at=north(1))
    service("Voices group", approach=["hearing-voices"])
    untagged = service("Untagged")
    # A term on the organisation is not a term on its services.
    m.Attribute.objects.create(
        id=uuid.uuid4(),
        taxonomy_term_id=PEER_RESPITE,
        link_id=untagged.organization_id,
        entity=m.Entity.ORGANIZATION,
    )

    assert names(client, "/services", taxonomy_term_id=str(PEER_RESPITE)) == ["Respite"]
    assert names(client, "/service_at_locations", taxonomy_term_id=str(PEER_RESPITE)) == ["Respite"]
    assert names(client, "/services", taxonomy_id=str(TAXONOMY_ID)) == ["Respite", "Voices group"]
    assert names(client, "/services", taxonomy_id=str(uuid.uuid4())) == []


def test_organization_filter_keeps_that_organisations_services(client):
    ours, theirs = organization("Ours"), organization("Theirs")
    service("Our group", org=ours, at=north(1))
    service("Their group", org=theirs, at=north(1))

    assert names(client, "/services", organization_id=str(ours.pk)) == ["Our group"]
    assert names(client, "/service_at_locations", organization_id=str(theirs.pk)) == ["Their group"]


def test_modified_after_is_on_or_after_by_last_modified_or_a_change_record(client):
    moment = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    service("Before", last_modified=datetime(2024, 5, 1, 8, 59, tzinfo=UTC))
    service("Exactly then", last_modified=moment)
    service("Never said")
    changed = service("Changed that day", last_modified=datetime(2020, 1, 1, tzinfo=UTC))
    m.Metadata.objects.create(
        id=uuid.uuid4(),
        resource_id=changed.pk,
        entity=m.Entity.SERVICE,
        last_action_date=date(2024, 5, 1),
        last_action_type="update",
    )

    assert names(client, "/services", modified_after="2024-05-01T09:00:00Z") == [
        "Changed that day",
        "Exactly then",
    ]
    assert names(client, "/services", modified_after="2024-05-01T10:00:00+01:00") == [
        "Changed that day",
        "Exactly then",
    ]
    assert names(client, "/services", modified_after="2024-05-02") == []
    assert names(client, "/services", modified_after="2024-05-01") == [
        "Before",
        "Changed that day",
        "Exactly then",
    ]


def test_uk_age_filters_compare_the_services_stated_ages(client):
    service("Young people", minimum_age=Decimal(12), maximum_age=Decimal(25), at=north(1))
    service("Adults", minimum_age=Decimal(18))
    service("Anyone")

    assert names(client, "/services", minimum_age="16") == ["Adults"]
    assert names(client, "/services", minimum_age="12") == ["Adults", "Young people"]
    assert names(client, "/services", maximum_age="25") == ["Young people"]
    assert names(client, "/service_at_locations", maximum_age="24.5") == []


def test_postcode_and_proximity_keep_services_within_that_many_metres_nearest_first(client):
    service("Three km", at=north(3))
    service("One km", at=north(1))
    service("Twenty km", at=north(20))
    service("Nowhere on the map", online=True)
    another_place(service("Two places", at=north(30)), north(2))

    near = {"postcode": "SW1A 1AA", "proximity": "5000"}
    assert names(client, "/services", **near) == ["One km", "Two places", "Three km"]
    assert names(client, "/service_at_locations", **near) == ["One km", "Two places", "Three km"]
    assert names(client, "/services", postcode="sw1a", proximity="25000") == [
        "One km",
        "Two places",
        "Three km",
        "Twenty km",
    ]
    # A postcode alone orders everything by distance; what has no place on the map comes last.
    assert names(client, "/services", postcode="SW1A1AA") == [
        "One km",
        "Two places",
        "Three km",
        "Twenty km",
        "Nowhere on the map",
    ]
    page = get(client, "/services", per_page=2, page=2, **near)
    assert (page["total_items"], [s["name"] for s in page["contents"]]) == (3, ["Three km"])


def test_services_near_measures_the_great_circle_across_the_antimeridian():
    east = service("East of the line", at=(-17.0, 179.95))
    service("Far away", at=(-17.0, 170.0))
    point = Point(-17.0, -179.95)

    found = services_near(m.Service.objects.listed(), point, 15)

    assert bounding_box(point, 15).crosses_antimeridian
    assert [(s.name, round(d, 3)) for s, d, _at in found] == [
        ("East of the line", round(distance_km(point, (-17.0, 179.95)), 3))
    ]
    assert found[0][2] == east.service_at_locations.get().location


def test_taxonomy_term_filters_by_taxonomy_parent_and_top_level(client):
    taxonomy = m.Taxonomy.objects.create(id=uuid.uuid4(), name="Needs", description="What people need")
    broad = m.TaxonomyTerm.objects.create(
        id=uuid.uuid4(), name="Housing", description="A home", taxonomy_detail=taxonomy
    )
    m.TaxonomyTerm.objects.create(
        id=uuid.uuid4(), name="Shelter", description="Tonight", parent_id=broad.pk, taxonomy_detail=taxonomy
    )

    assert names(client, "/taxonomy_terms", taxonomy_id=str(taxonomy.pk)) == ["Housing", "Shelter"]
    assert names(client, "/taxonomy_terms", parent_id=str(broad.pk)) == ["Shelter"]
    assert names(client, "/taxonomy_terms", taxonomy_id=str(taxonomy.pk), top_only="true") == ["Housing"]
    top = names(client, "/taxonomy_terms", top_only="true")
    assert "Housing" in top and "Peer respite" in top and "Shelter" not in top


# --- pages ---------------------------------------------------------------------------------------------


def test_pages_say_where_they_are_and_a_page_past_the_last_is_empty(client):
    for number in range(5):
        service(f"Service {number}")

    first = get(client, "/services", per_page=2)
    last = get(client, "/services", per_page=2, page=3)
    past = get(client, "/services", per_page=2, page=4)

    assert {k: first[k] for k in PAGE_FIELDS} == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    assert [s["name"] for s in last["contents"]] == ["Service 4"]
    assert (last["size"], last["first_page"], last["last_page"]) == (1, False, True)
    assert (past["size"], past["empty"], past["last_page"], past["contents"]) == (0, True, True, [])
    assert get(client, "/services", page=1_000_000)["empty"] is True
    assert get(client, "/services", per_page=200)["size"] == 5


def test_an_empty_directory_is_one_empty_page(client):
    page = get(client, "/services")

    assert {k: page[k] for k in PAGE_FIELDS} == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
    }


def test_ndjson_gives_every_record_a_line_without_pages(client):
    for number in range(3):
        service(f"Service {number}")

    response = client.get(f"{API}/services", {"format": "ndjson", "per_page": 1})

    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["Service 0", "Service 1", "Service 2"]


# --- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field", "code", "message"),
    [
        (
            "/services",
            {"postcode": "E99 9AA"},
            "postcode",
            "unknown_district",
            "We don't know the postcode district “E99”: check it, or send a nearby one.",
        ),
        (
            "/service_at_locations",
            {"postcode": "BT1 1AA", "proximity": "5000"},
            "postcode",
            "outside_coverage",
            "Postcodes in Northern Ireland can't be searched from yet: send one in Great Britain.",
        ),
        (
            "/services",
            {"postcode": "not a postcode 123"},
            "postcode",
            "malformed_postcode",
            "“not a postcode 123” isn't a UK postcode: send a full postcode, like SW1A 1AA, or the first "
            "part of one, like SW1A.",
        ),
        *(
            (
                "/service_at_locations",
                {"postcode": "SW1A 1AA", "proximity": value},
                "proximity",
                code,
                "proximity is a distance in metres from 1000 to 200000 (1 to 200 km), like 5000.",
            )
            for value, code in (
                ("999", "radius_out_of_range"),
                ("200001", "radius_out_of_range"),
                ("5km", "radius_not_a_number"),
                ("-5", "radius_not_a_number"),
            )
        ),
        (
            "/services",
            {"proximity": "5000"},
            "proximity",
            "proximity_without_postcode",
            "proximity needs a postcode to measure from.",
        ),
        (
            "/services",
            {"organization_id": "42"},
            "organization_id",
            "invalid_uuid",
            "“42” isn't an id: ids are UUIDs, like 3fa85f64-5717-4562-b3fc-2c963f66afa6.",
        ),
        (
            "/taxonomy_terms",
            {"parent_id": "{3fa85f64-5717-4562-b3fc-2c963f66afa6}"},
            "parent_id",
            "invalid_uuid",
            "“{3fa85f64-5717-4562-b3fc-2c963f66afa6}” isn't an id: ids are UUIDs, like "
            "3fa85f64-5717-4562-b3fc-2c963f66afa6.",
        ),
        *(
            (
                "/services",
                {"modified_after": value},
                "modified_after",
                "invalid_datetime",
                "modified_after must be a date and time like 2024-01-31T09:30:00Z (an offset's + written as "
                "%2B) or a date like 2024-01-31.",
            )
            for value in ("yesterday", "2024-02-30", "2024-01-01T10:00:00 01:00")
        ),
        *(
            (
                "/organizations",
                {"per_page": value},
                "per_page",
                "invalid_per_page",
                "per_page must be a whole number from 1 to 200.",
            )
            for value in ("0", "201", "ten", "1.5")
        ),
        (
            "/taxonomies",
            {"page": "0"},
            "page",
            "invalid_page",
            "page must be a whole number from 1 to 1000000.",
        ),
        ("/services", {"full": "yes"}, "full", "invalid_boolean", "full must be true or false."),
        ("/services", {"format": "csv"}, "format", "invalid_format", "format must be one of: json, ndjson."),
        (
            "/services",
            {"minimal": "true"},
            "minimal",
            "unsupported",
            "minimal isn't offered: use modified_after to find what changed.",
        ),
        (
            "/service_at_locations",
            {"day": "MO"},
            "day",
            "unsupported_parameter",
            "Filtering by day isn't offered yet: leave it out.",
        ),
        (
            "/services",
            {"minimum_age": "-1"},
            "minimum_age",
            "invalid_age",
            "minimum_age must be an age in years, like 18 or 2.5.",
        ),
        (
            "/services",
            {"search": " ".join(["word"] * 11)},
            "search",
            "too_many_words",
            "Search for at most 10 words at a time.",
        ),
        (
            "/services",
            {"search": "nul\x00"},
            "search",
            "invalid_text",
            "search must be plain text of at most 200 characters.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_specific_message(client, path, params, field, code, message):
    error = refused(client, path, **params)

    assert error == {"code": code, "message": message, "fields": {field: [message]}}


def test_a_bad_or_unknown_id_in_the_path_is_a_400_or_a_404_saying_so(client):
    assert refused(client, "/services/not-an-id")["code"] == "invalid_uuid"
    missing = uuid.uuid4()
    for plural, name in (("services", "service"), ("taxonomy_terms", "taxonomy term")):
        response = client.get(f"{API}/{plural}/{missing}")
        assert response.status_code == 404
        assert response.json()["error"] == {
            "code": "not_found",
            "message": f"No {name} has the id {missing}.",
            "fields": {},
        }


def test_only_get_head_and_options_are_answered(client):
    response = client.post(f"{API}/services", {}, content_type="application/json")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert client.head(f"{API}/services").status_code == 200


# --- open to anyone ---------------------------------------------------------------------------------------


def test_anyone_may_call_it_without_a_key_and_a_bad_key_or_a_session_changes_nothing(client, participant):
    service("Open to all")

    assert names(client, "/services") == ["Open to all"]
    response = client.get(f"{API}/services", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 200
    assert names(signed_in(participant), "/services") == ["Open to all"]


def test_every_answer_may_be_read_by_a_page_on_any_origin(client):
    for url in (f"{API}/", f"{API}/services", f"{API}/services/{uuid.uuid4()}", f"{API}/services?page=0"):
        response = client.get(url, HTTP_ORIGIN="https://example.org")
        assert response["Access-Control-Allow-Origin"] == "*", url
        assert response["Cross-Origin-Resource-Policy"] == "cross-origin", url
    assert client.head(f"{API}/services")["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_allows_reading_with_any_header_from_any_origin(client):
    response = client.options(
        f"{API}/service_at_locations",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="X-Requested-With, Accept-Language",
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "X-Requested-With, Accept-Language"
    assert response["Access-Control-Max-Age"] == "86400"
    assert response.content == b""


def test_cors_is_only_for_the_hsds_api(client):
    response = client.get("/api/v1/events/", HTTP_ORIGIN="https://example.org")

    assert "Access-Control-Allow-Origin" not in response


def test_anonymous_callers_are_throttled_like_the_rest_of_the_api_but_not_for_preflights(client):
    for _ in range(60):
        client.options(f"{API}/services", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    for _ in range(60):
        assert client.get(f"{API}/").status_code == 200

    response = client.get(f"{API}/")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_our_own_openapi_schema_leaves_the_hsds_api_to_hsds(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert not [path for path in schema["paths"] if path.startswith("/api/hsds")]


# --- queries -------------------------------------------------------------------------------------------


def _directory(count: int, *, first: int = 0) -> None:
    org = organization(f"Network {first}")
    for number in range(first, first + count):
        service(f"Service {number:03}", org=org, at=north(1 + number % 4), approach=["peer-respite"])


LIST_QUERIES = {
    # a count, the page's ids, then its records with what the list shape nests
    "/services": 3,
    "/service_at_locations": 3,
    "/services?postcode=SW1A&proximity=10000": 3,  # services in the box, their places, the page's records
    "/services?postcode=SW1A": 2,  # ids with distances, the page's records
    "/service_at_locations?postcode=SW1A&proximity=10000": 2,
    "/organizations": 3,
    f"/services?taxonomy_term_id={PEER_RESPITE}&search=service": 3,
}


@pytest.mark.parametrize("url", LIST_QUERIES)
def test_a_list_takes_the_same_few_queries_however_many_services(client, django_assert_num_queries, url):
    _directory(3)
    with django_assert_num_queries(LIST_QUERIES[url]):
        small = client.get(f"{API}{url}&per_page=200" if "?" in url else f"{API}{url}?per_page=200")
    _directory(30, first=3)
    with django_assert_num_queries(LIST_QUERIES[url]):
        large = client.get(f"{API}{url}&per_page=200" if "?" in url else f"{API}{url}?per_page=200")

    assert small.json()["total_items"] < large.json()["total_items"]


@pytest.mark.parametrize(
    "url",
    [
        "/services?full=true",
        "/service_at_locations?full=true",
        "/organizations?full_service=true",
        "/services?format=ndjson&full=true",
    ],
)
def test_full_documents_take_the_same_queries_however_many_services(client, django_assert_num_queries, url):
    def read() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{API}{url}")
            if response.streaming:
                b"".join(response.streaming_content)
        return len(queries)

    _directory(3)
    few = read()
    _directory(30, first=3)
    with django_assert_num_queries(few):
        response = client.get(f"{API}{url}")
        if response.streaming:
            assert len(b"".join(response.streaming_content).splitlines()) == 33


# --- anything at all ---------------------------------------------------------------------------------------

PARAMETERS = (
    "search",
    "page",
    "per_page",
    "format",
    "full",
    "full_service",
    "minimal",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "modified_after",
    "postcode",
    "proximity",
    "minimum_age",
    "maximum_age",
    "top_only",
    "parent_id",
    "day",
    "sort_by",
)
odd_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "true",
            "0",
            "-1",
            "1e400",
            "9" * 40,
            "SW1A 1AA",
            "GIR 0AA",
            "2024-13-01",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "ndjson",
            "%",
            "_",
            "\x00",
            str(PEER_RESPITE),
            "a " * 30,
        ]
    ),
)


@pytest.fixture
def some_services() -> None:
    service("Peer respite house", approach=["peer-respite"], at=north(2), minimum_age=Decimal(18))
    service("Crisis cafe", online=True, last_modified=datetime(2024, 5, 1, tzinfo=UTC))
    another_place(service("Listening line", at=north(40)), north(90))
    service("Closed for now", status=m.Service.Status.TEMPORARILY_CLOSED)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(
        ["/", *(f"/{plural}" for plural, _ in LISTS), "/services/x", f"/taxonomy_terms/{PEER_RESPITE}"]
    ),
    params=st.dictionaries(st.sampled_from(PARAMETERS), odd_values, max_size=5),
)
def test_no_query_string_makes_the_api_fail(client, some_services, path, params):
    django_cache.clear()
    response = client.get(f"{API}{path}", params)

    assert response.status_code in (200, 400, 404), (path, params, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code != 200:
        assert json.loads(body)["error"]["message"]
    elif not response.streaming:
        assert isinstance(json.loads(body), dict)
