"""HSDS import and export: the Open Referral examples go in, come out valid and equal, and bad data is refused
with every problem named by where it is, writing nothing."""

import copy
import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gathering.directory import access
from gathering.directory import models as m
from gathering.directory.approaches import NAMESPACE, TAXONOMY_ID, TERMS, term_id
from gathering.directory.hsds import SPECS, document, validate
from gathering.directory.selectors import hsds_graph, services_for_export
from gathering.directory.services import HsdsImportError, hsds_import, hsds_import_source
from gathering.directory.sources import Source, read_json

from .hsds_data import (
    EXAMPLE_KINDS,
    HSDS,
    NOT_RECORDS,
    example_paths,
    load,
    normalised,
    records_in,
    schema_errors,
)

pytestmark = pytest.mark.django_db

SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
EXAMPLES = example_paths()


def directory_rows() -> dict[str, int]:
    """How many rows each table holds (our approaches and ways-in taxonomies aside)."""
    counts = {name: spec.model.objects.count() for name, spec in SPECS.items()}
    counts["taxonomy"] -= 2
    counts["taxonomy_term"] -= len(TERMS) + len(access.TERMS)
    return counts


def exported(kind: str, record_id: str) -> dict:
    graph = hsds_graph(**{_plural(kind): [uuid.UUID(record_id)]})
    return document(graph, kind, graph.get(kind, uuid.UUID(record_id)))


def _plural(kind: str) -> str:
    return {"taxonomy": "taxonomies"}.get(kind, kind + "s")


def import_documents(*documents: object, kind: str, label: str = "test.json") -> None:
    source = Source()
    for data in documents:
        read_json(copy.deepcopy(data), label, kind=kind, source=source)
    hsds_import_source(source=source)


def service_full() -> dict:
    return load(HSDS / "3.0" / "examples" / "service_full.json")


# --- every shared example --------------------------------------------------------------------------------


def test_every_example_file_is_either_a_record_document_or_known_not_to_be_one():
    names = {path.name for profile in ("3.0", "uk") for path in (HSDS / profile / "examples").glob("*.json")}

    assert names - set(EXAMPLE_KINDS) - set(NOT_RECORDS) == set()
    assert len(EXAMPLES) == 21


@pytest.mark.parametrize(("profile", "path"), EXAMPLES, ids=lambda value: str(value).split("/")[-1])
def test_example_imports_and_exports_valid_and_equal(profile: str, path: Path):
    kind = EXAMPLE_KINDS[path.name]
    original = load(path)

    result = hsds_import(path=path)

    assert sum(result.created.values()) > 0
    for record in records_in(original):
        out = json.loads(json.dumps(exported(kind, record["id"])), parse_float=Decimal)
        assert schema_errors(out, kind, "3.0") == []
        if profile == "uk" or kind in ("service", "service_at_location"):
            assert schema_errors(out, kind, "uk") == []
        assert normalised(out) == normalised(record)


def test_an_example_imported_twice_updates_instead_of_adding():
    path = HSDS / "3.0" / "examples" / "service_full.json"
    hsds_import(path=path)
    before = directory_rows()

    again = hsds_import(path=path)

    assert directory_rows() == before
    assert sum(again.created.values()) == 0
    assert again.updated["service"] == 1
    assert again.updated["phone"] == 1


def test_the_examples_share_records_by_id_and_hang_them_from_every_parent():
    hsds_import(path=HSDS / "3.0" / "examples" / "service_full.json")

    phone = m.Phone.objects.get()

    assert (str(phone.service_id), str(phone.organization_id), str(phone.location_id)) == (
        SERVICE_ID,
        "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
        "3a19ff88-4620-4d17-9830-ac1d859eb5d5",
    )
    assert str(phone.contact_id) == "1e7efce3-639b-4880-940c-b95cd30cdb50"
    assert str(phone.service_at_location_id) == "e94c9f38-1e8f-4564-91d4-d53501ab1765"
    assert phone.number == '"+44 1234 234567"'
    assert m.Location.objects.get().latitude == Decimal("100.0000000")


def test_attributes_link_terms_to_the_record_they_are_listed_under():
    hsds_import(path=HSDS / "uk" / "examples" / "service_full.json")

    attribute = m.Attribute.objects.get()

    assert (attribute.entity, str(attribute.link_id), attribute.link_entity) == ("service", SERVICE_ID, "")
    assert str(attribute.taxonomy_term_id) == "3f7b145d-84af-42d7-8fae-eaca714b02b2"
    assert attribute.taxonomy_term.term == "name"


def test_a_folder_of_documents_imports_together(tmp_path: Path):
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "one.json").write_text(
        json.dumps(load(HSDS / "uk" / "examples" / "service_list.json"), default=str)
    )
    (tmp_path / "taxonomy.json").write_text((HSDS / "uk" / "examples" / "taxonomy.json").read_text())

    result = hsds_import(path=tmp_path)

    assert (result.created["service"], result.created["taxonomy"], result.created["taxonomy_term"]) == (
        1,
        1,
        1,
    )


def test_the_api_description_and_unknown_files_are_told_apart(tmp_path: Path):
    (tmp_path / "base.json").write_text((HSDS / "3.0" / "examples" / "base.json").read_text())
    (tmp_path / "mystery.json").write_text(json.dumps({"id": str(uuid.uuid4()), "name": "Who knows"}))

    with pytest.raises(HsdsImportError) as raised:
        hsds_import(path=tmp_path)

    assert raised.value.problems == [
        (
            "mystery.json#",
            "cannot tell what kind of HSDS record this is: name the file after its kind (service, "
            "organization, "
            "service_at_location, location, taxonomy, taxonomy_term) or give --kind",
        )
    ]
    assert hsds_import(path=tmp_path / "base.json").notes == [
        "base.json: an HSDS API description, not a record; skipped"
    ]


# --- invalid data ------------------------------------------------------------------------------------------


def test_a_service_without_a_name_is_refused_naming_the_field_and_nothing_is_written():
    broken = service_full()
    del broken["name"]

    with pytest.raises(HsdsImportError) as raised:
        import_documents(broken, kind="service")

    assert raised.value.lines() == ["test.json#/name: name is required"]
    assert directory_rows() == dict.fromkeys(SPECS, 0)


def test_bad_uuid_and_email_are_refused_with_their_paths_all_at_once():
    broken = service_full()
    broken["service_at_locations"][0]["location"]["phones"][0]["id"] = "not-a-uuid"
    broken["organization"]["email"] = "nobody-at-example.com"
    broken["contacts"][0]["phones"][0]["languages"][0]["id"] = 12

    with pytest.raises(HsdsImportError) as raised:
        import_documents(broken, kind="service")

    assert raised.value.lines() == [
        "test.json#/contacts/0/phones/0/languages/0/id: id: 12 is not of type string",
        'test.json#/organization/email: email: "nobody-at-example.com" is not a valid email',
        'test.json#/service_at_locations/0/location/phones/0/id: id: "not-a-uuid" is not a valid uuid',
    ]
    assert directory_rows() == dict.fromkeys(SPECS, 0)


def test_a_good_document_beside_a_bad_one_is_not_imported_either():
    good = load(HSDS / "uk" / "examples" / "taxonomy.json")
    bad = service_full()
    bad["status"] = "open"

    with pytest.raises(HsdsImportError) as raised:
        import_documents({"contents": [good, bad]}, kind=None, label="page.json")

    assert raised.value.lines() == [
        'page.json#/contents/1/status: status: "open" is not one of "active", "inactive", "defunct", '
        '"temporarily closed"'
    ]
    assert directory_rows() == dict.fromkeys(SPECS, 0)


def test_values_the_schema_allows_but_the_directory_cannot_keep_are_refused_by_path():
    broken = service_full()
    broken["schedules"][0]["opens_at"] = "ten o'clock"
    broken["schedules"][0]["valid_from"] = "2005-02-30"
    broken["phones"][0]["extension"] = Decimal("1.5")
    broken["cost_options"][0]["amount"] = Decimal("1e20")
    broken["name"] = ""

    with pytest.raises(HsdsImportError) as raised:
        import_documents(broken, kind="service")

    assert raised.value.lines() == [
        "test.json#/phones/0/extension: extension: must be a whole number",
        'test.json#/schedules/0/valid_from: valid_from: "2005-02-30" is not a date like 2024-03-15',
        'test.json#/schedules/0/opens_at: opens_at: "ten o\'clock" is not a time like 09:30, 09:30:00 or '
        "09:30+01:00",
        "test.json#/name: name: This field cannot be blank.",
        "test.json#/cost_options/0/amount: amount: Ensure that there are no more than 14 digits in total.",
    ]


def test_links_to_records_that_exist_nowhere_are_refused():
    service = load(HSDS / "uk" / "examples" / "service_list.json")["contents"][0]
    del service["organization"]
    orphan = {"id": str(uuid.uuid4()), "name": "Drop-in", "status": "active"}
    service["organization_id"] = "00000000-0000-4000-8000-000000000000"

    with pytest.raises(HsdsImportError) as raised:
        import_documents(service, orphan, kind="service", label="services.json")

    assert raised.value.lines() == [
        "services.json#/organization_id: organization_id: no organization with id "
        "00000000-0000-4000-8000-000000000000 in the directory or in this import",
        "services.json#: a service must belong to an organization: give organization or organization_id",
    ]


def test_a_service_at_a_location_without_its_location_is_refused_and_nothing_is_written():
    record = load(HSDS / "3.0" / "examples" / "service_at_location_full.json")
    del record["location"]
    record.pop("location_id", None)

    with pytest.raises(HsdsImportError) as raised:
        import_documents(record, kind="service_at_location")

    assert raised.value.lines() == [
        "test.json#: a service at location must name its location: give location or location_id"
    ]
    assert directory_rows() == dict.fromkeys(SPECS, 0)


def test_the_same_record_told_two_ways_in_one_import_is_refused():
    first = load(HSDS / "uk" / "examples" / "taxonomy_term.json")
    second = {**first, "name": "another name"}

    with pytest.raises(HsdsImportError) as raised:
        import_documents({"contents": [first, second]}, kind="taxonomy_term", label="terms.json")

    assert raised.value.lines() == [
        "terms.json#/contents/1/name: name: differs from the same taxonomy_term at "
        "terms.json#/contents/0/name"
    ]


# --- re-import --------------------------------------------------------------------------------------------


def test_reimport_updates_fields_and_removes_children_no_longer_listed():
    hsds_import(path=HSDS / "3.0" / "examples" / "service_full.json")
    changed = service_full()
    changed["name"] = "Community Counselling and Support"
    del changed["alert"]
    changed["phones"] = []
    changed["service_areas"] = []
    changed["attributes"] = []
    new_phone = {"id": str(uuid.uuid4()), "number": "0800 123 4567"}
    changed["service_at_locations"][0]["phones"] = [new_phone]

    import_documents(changed, kind="service")

    service = m.Service.objects.get()
    assert (service.name, service.alert) == ("Community Counselling and Support", "")
    assert list(m.ServiceArea.objects.all()) == []
    assert list(m.Attribute.objects.all()) == []
    old_phone = m.Phone.objects.get(id="1554f2e2-a373-45db-a3fa-9fc48a61c15e")
    # Still listed under the organisation, the location and the contact; no longer under the service or
    # its service-at-location.
    assert (old_phone.service_id, old_phone.service_at_location_id) == (None, None)
    assert None not in (old_phone.organization_id, old_phone.location_id, old_phone.contact_id)
    assert m.Phone.objects.get(id=new_phone["id"]).service_at_location_id == uuid.UUID(
        "e94c9f38-1e8f-4564-91d4-d53501ab1765"
    )
    out = exported("service", SERVICE_ID)
    assert "phones" not in out and "alert" not in out
    assert [phone["id"] for phone in out["service_at_locations"][0]["phones"]] == [new_phone["id"]]


def test_a_child_no_parent_lists_any_more_is_deleted():
    hsds_import(path=HSDS / "uk" / "examples" / "service_full.json")
    changed = load(HSDS / "uk" / "examples" / "service_full.json")
    changed["contacts"] = []
    changed["funding"] = []
    changed["languages"] = []

    import_documents(changed, kind="service")

    assert (m.Contact.objects.count(), m.Funding.objects.count(), m.Language.objects.count()) == (0, 0, 0)


def test_keys_left_out_leave_children_alone():
    hsds_import(path=HSDS / "3.0" / "examples" / "service_full.json")
    before = directory_rows()

    hsds_import(path=HSDS / "3.0" / "examples" / "service_list.json")

    assert directory_rows() == before


def test_our_own_fields_survive_a_reimport():
    hsds_import(path=HSDS / "uk" / "examples" / "service_list.json")
    m.Organization.objects.update(network_relation=m.Organization.Relation.PARTNER)
    m.Service.objects.update(time_zone="Europe/Dublin")

    hsds_import(path=HSDS / "uk" / "examples" / "service_list.json")

    assert m.Organization.objects.get().network_relation == "partner"
    assert m.Service.objects.get().time_zone == "Europe/Dublin"


# --- export -----------------------------------------------------------------------------------------------


def _services(count: int, *, first: int = 0) -> None:
    """Import `count` copies of the full example service, each with ids of its own."""
    template = service_full()
    documents = []
    for number in range(first, first + count):
        text = json.dumps(template, default=str)
        for old in _ids(template):
            text = text.replace(old, str(uuid.uuid5(NAMESPACE, f"{number}:{old}")))
        documents.append(json.loads(text))
    import_documents(*documents, kind="service")


def _ids(data: object) -> set[str]:
    if isinstance(data, dict):
        own = {data["id"]} if "id" in data else set()
        return own | {i for value in data.values() for i in _ids(value)}
    if isinstance(data, list):
        return {i for value in data for i in _ids(value)}
    return set()


def _export_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        for graph, services in services_for_export():
            for service in services:
                document(graph, "service", service)
    return len(queries)


def test_export_takes_the_same_number_of_queries_for_ten_times_the_services():
    _services(3)
    few = _export_queries()
    _services(30, first=3)

    assert m.Service.objects.count() == 33
    assert _export_queries() == few


def test_our_approaches_are_a_taxonomy_with_stable_ids():
    taxonomy = m.Taxonomy.objects.get(id=TAXONOMY_ID)

    assert [(term.code, term.name) for term in taxonomy.taxonomy_terms.order_by("code")] == sorted(TERMS)
    assert m.TaxonomyTerm.objects.get(code="open-dialogue").id == term_id("open-dialogue")
    assert uuid.UUID("b9814499-4b17-5797-97f6-d45c8afa20ee") == TAXONOMY_ID
    out = exported("taxonomy", str(TAXONOMY_ID))
    assert schema_errors(out, "taxonomy", "uk") == [] and len(out["taxonomy_terms"]) == 10


def test_validate_checks_the_uk_profiles_own_fields():
    term = {"id": str(uuid.uuid4()), "name": "n", "description": "d", "term": 5}

    assert validate(term, "taxonomy_term") == [(["term"], "term: 5 is not of type string")]


def test_coordinates_and_times_out_of_any_range_are_refused():
    broken = load(HSDS / "3.0" / "examples" / "location.json")
    broken["latitude"] = Decimal("1e30")
    broken["longitude"] = Decimal("51.50735091234")
    service = service_full()
    service["last_modified"] = "9999-12-31T23:59:59-01:00"

    with pytest.raises(HsdsImportError) as raised:
        import_documents(broken, kind="location", label="location.json")
    with pytest.raises(HsdsImportError) as late:
        import_documents(service, kind="service")

    assert raised.value.lines() == ["location.json#/latitude: latitude: must be between -1000 and 1000"]
    assert late.value.lines() == [
        'test.json#/last_modified: last_modified: "9999-12-31T23:59:59-01:00" is not a date and time like '
        "2024-03-15T10:30:45Z"
    ]


def test_finer_coordinates_are_rounded_to_seven_places():
    location = load(HSDS / "3.0" / "examples" / "location.json")
    location["latitude"] = Decimal("51.50735091234")

    import_documents(location, kind="location")

    assert m.Location.objects.get().latitude == Decimal("51.5073509")
