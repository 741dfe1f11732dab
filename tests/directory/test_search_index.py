"""The search's own index (search_index.py) finds exactly what the conditions on the services themselves
find, and follows every kind of change: saves and deletions through the models, the HSDS import's bulk
writes, and a rebuild from nothing."""

import json
import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gathering.directory import access, approaches, geo, search, search_index
from gathering.directory import models as m
from gathering.directory.selectors import services_near
from gathering.directory.services import hsds_import

from . import builders

pytestmark = pytest.mark.django_db

LS1 = geo.outcode_centroids()["LS1"]
APPROACHES = [code for code, _name in approaches.TERMS]
WAYS_IN = [term[0] for term in access.TERMS]
WORDS = ["voices", "peer", "calm", "Harbour", "network meetings", "zzz"]


def by_conditions(criteria: search.Criteria) -> list[uuid.UUID]:
    """What the search found before it had an index: the conditions on the services, then the exact
    distance to their places (selectors.services_near)."""
    services = search.matching_services(criteria)
    return [
        service.pk for service, _d, _at in services_near(services, criteria.place.point, criteria.radius_km)
    ]


def by_index(criteria: search.Criteria) -> list[uuid.UUID]:
    return [row.service_id for row in search.near(criteria, criteria.place)]


def entries() -> set[tuple]:
    return set(
        m.SearchEntry.objects.values_list(
            "service_id", "location_id", "approach", "latitude", "longitude", "name", "terms", "free", "words"
        )
    )


directory = st.lists(
    st.fixed_dictionaries(
        {
            "km": st.floats(min_value=0, max_value=60),
            "approach": st.lists(st.sampled_from(APPROACHES), max_size=3, unique=True),
            "ways_in": st.lists(st.sampled_from(WAYS_IN), max_size=3, unique=True),
            "cost": st.sampled_from(["", 0, 12, None]),
            "status": st.sampled_from(["active", "active", "temporarily closed", "inactive", "defunct"]),
            "description": st.sampled_from(["Peer support for voices.", "A calm room.", "Network meetings."]),
            "org": st.sampled_from(["Harbour Trust", "Northern Lights", ""]),
            "second_place_km": st.none() | st.floats(min_value=0, max_value=60),
        }
    ),
    min_size=1,
    max_size=8,
)
criteria_strategy = st.fixed_dictionaries(
    {
        "words": st.sampled_from(["", *WORDS]),
        "radius_km": st.sampled_from(search.RADIUS_CHOICES),
        "approach": st.sampled_from(["", *APPROACHES]),
        "access": st.lists(st.sampled_from(WAYS_IN), max_size=2, unique=True).map(tuple),
        "free": st.booleans(),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(services=directory, asked=st.lists(criteria_strategy, min_size=1, max_size=6))
def test_the_index_finds_exactly_what_the_conditions_on_the_services_find(services, asked):
    m.Service.objects.all().delete()
    for number, spec in enumerate(services):
        organisation = builders.organization(spec["org"] or f"Organisation {number}")
        record = builders.service(
            f"Service {number}",
            at=builders.north_of(LS1, spec["km"]),
            org=organisation,
            approach=spec["approach"],
            ways_in=spec["ways_in"],
            cost=spec["cost"],
            status=spec["status"],
            description=spec["description"],
        )
        if spec["second_place_km"] is not None:
            latitude, longitude = builders.north_of(LS1, spec["second_place_km"])
            place = m.Location.objects.create(
                id=uuid.uuid4(),
                location_type="physical",
                latitude=Decimal(f"{latitude:.7f}"),
                longitude=Decimal(f"{longitude:.7f}"),
            )
            m.ServiceAtLocation.objects.create(id=uuid.uuid4(), service=record, location=place)
    place = geo.Place(point=LS1, label="LS1", kind="postcode_district")
    for fields in asked:
        criteria = search.Criteria(place=place, **fields)
        assert by_index(criteria) == by_conditions(criteria), fields


def _leeds(name="Leeds Harbour", **fields):
    return builders.service(
        name,
        at=builders.north_of(LS1, 3),
        org=builders.organization("Harbour Trust"),
        approach=["open-dialogue"],
        ways_in=["phone"],
        cost=0,
        **fields,
    )


def _found(**fields) -> list[str]:
    criteria = search.Criteria(place=geo.Place(point=LS1, label="LS1", kind="postcode_district"), **fields)
    return [m.Service.objects.get(pk=row.service_id).name for row in search.near(criteria, criteria.place)]


def test_a_service_no_longer_listed_leaves_the_index_and_comes_back():
    service = _leeds()
    assert _found(approach="open-dialogue") == ["Leeds Harbour"]

    service.status = m.Service.Status.INACTIVE
    service.save()
    assert _found() == []
    assert not m.SearchEntry.objects.filter(service=service).exists()

    service.status = m.Service.Status.ACTIVE
    service.save()
    assert _found(approach="open-dialogue") == ["Leeds Harbour"]


def test_a_renamed_organisation_is_found_by_its_new_name():
    service = _leeds()
    organisation = service.organization
    organisation.name = "Lighthouse Collective"
    organisation.save()

    assert _found(words="lighthouse") == ["Leeds Harbour"]
    assert _found(words="harbour trust") == []


def test_a_place_moved_away_is_no_longer_near():
    service = _leeds()
    location = service.service_at_locations.get().location
    latitude, longitude = builders.north_of(LS1, 80)
    location.latitude, location.longitude = Decimal(f"{latitude:.7f}"), Decimal(f"{longitude:.7f}")
    location.save()

    assert _found(radius_km=25) == []
    assert _found(radius_km=100) == ["Leeds Harbour"]


def test_terms_and_costs_taken_away_or_added_change_what_is_found():
    service = _leeds()
    m.Attribute.objects.get(link_id=service.pk, taxonomy_term_id=approaches.term_id("open-dialogue")).delete()
    assert _found(approach="open-dialogue") == []
    builders.attach(service, approaches.term_id("soteria"))
    assert _found(approach="soteria") == ["Leeds Harbour"]

    m.CostOption.objects.filter(service=service).delete()
    assert _found(free=True) == []
    m.CostOption.objects.create(id=uuid.uuid4(), service=service, option="Free")
    assert _found(free=True) == ["Leeds Harbour"]


def test_a_service_taken_from_a_place_or_deleted_leaves_no_entry():
    service = _leeds()
    service.service_at_locations.get().delete()
    assert not m.SearchEntry.objects.filter(service=service).exists()

    other = _leeds("Leeds Lighthouse")
    other.delete()
    assert not m.SearchEntry.objects.exists()


def test_an_import_writes_the_index_once_and_a_reimport_without_a_place_takes_it_away(tmp_path):
    builders.ensure_taxonomies()
    organisation = str(uuid.uuid4())
    service = {
        "id": str(uuid.uuid4()),
        "organization_id": organisation,
        "name": "Imported Crisis Café",
        "status": "active",
        "description": "A calm place in the evening.",
        "attributes": [{"id": str(uuid.uuid4()), "taxonomy_term_id": str(approaches.term_id("crisis-cafe"))}],
        "service_at_locations": [
            {
                "id": str(uuid.uuid4()),
                "location": {
                    "id": str(uuid.uuid4()),
                    "location_type": "physical",
                    "latitude": round(LS1.latitude, 7),
                    "longitude": round(LS1.longitude, 7),
                },
            }
        ],
    }
    (tmp_path / "organizations").mkdir()
    (tmp_path / "organizations" / "a.json").write_text(
        json.dumps({"id": organisation, "name": "Imported Trust", "description": "Made up."})
    )
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "a.json").write_text(json.dumps([service]))
    hsds_import(path=tmp_path)
    assert _found(words="calm", approach="crisis-cafe") == ["Imported Crisis Café"]

    service["service_at_locations"] = []
    (tmp_path / "services" / "a.json").write_text(json.dumps([service]))
    hsds_import(path=tmp_path)
    assert _found() == []
    assert m.Service.objects.filter(name="Imported Crisis Café").exists()


def test_a_rebuild_from_nothing_gives_the_rows_kept_up_change_by_change():
    for number in range(4):
        service = builders.service(
            f"Service {number}",
            at=builders.north_of(LS1, number * 7),
            approach=APPROACHES[number : number + 2],
            ways_in=WAYS_IN[:number],
            cost=number % 2,
        )
    service.status = m.Service.Status.TEMPORARILY_CLOSED
    service.save()
    kept = entries()

    search_index.refresh_all()

    assert entries() == kept
    # One row for any approach and one for each approach, at each place.
    assert len(kept) == 4 + sum(len(APPROACHES[n : n + 2]) for n in range(4))


def test_changes_inside_deferred_are_rebuilt_once_at_the_end_and_not_after_an_error():
    service = _leeds()
    with search_index.deferred():
        service.name = "Leeds Harbour House"
        service.save()
        # Not yet: the block rebuilds when it ends.
        assert m.SearchEntry.objects.filter(name="Leeds Harbour").exists()
    assert set(m.SearchEntry.objects.values_list("name", flat=True)) == {"Leeds Harbour House"}

    with pytest.raises(RuntimeError), search_index.deferred():
        service.name = "Renamed"
        service.save()
        raise RuntimeError
    assert set(m.SearchEntry.objects.values_list("name", flat=True)) == {"Leeds Harbour House"}
