"""HSDS tabular datapackages (a folder of CSV files and datapackage.json): imported row by row, problems named
by file, row and column, and a package states every row of its tables for the records it holds."""

import csv
import json
import shutil
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from gathering.directory import models as m
from gathering.directory.services import HsdsImportError, hsds_import

from .hsds_data import COPIES, HSDS, load, schema_errors
from .test_hsds import exported

pytestmark = pytest.mark.django_db

PACKAGE = COPIES / "tabular"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    folder = tmp_path / "package"
    shutil.copytree(PACKAGE, folder)
    return folder


def rewrite(path: Path, change) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    rows = change(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


def test_a_datapackage_imports_and_exports_as_a_valid_service_document(package: Path):
    result = hsds_import(path=package)

    assert result.created["service"] == result.created["phone"] == result.created["metadata"] == 1
    assert result.notes == [
        "meta_table_descriptions.csv: 1 rows of meta_table_description are not kept by the directory; skipped"
    ]
    out = exported("service", SERVICE_ID)
    assert schema_errors(json.loads(json.dumps(out), parse_float=Decimal), "service") == []
    with (package / "services.csv").open(encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert {key: str(value) for key, value in out.items() if key in row} == {
        key: value for key, value in row.items() if key not in ("organization_id", "program_id")
    }
    assert out["organization"]["id"] == row["organization_id"] and out["program"]["id"] == row["program_id"]
    assert (
        out["attributes"][0]["taxonomy_term"]["taxonomy_detail"]["id"]
        == "5c4d79d7-cc55-470e-9f1f-8cad074e4892"
    )
    location = out["service_at_locations"][0]["location"]
    assert location["external_identifier"] == "10092008082"
    assert location["metadata"][0]["resource_type"] == "location"


def test_the_example_tables_as_json_are_refused_for_their_dangling_links_with_row_and_column():
    with pytest.raises(HsdsImportError) as raised:
        hsds_import(path=HSDS / "3.0" / "examples" / "tabular.json")

    nowhere = "in the directory or in this import"
    tables = ", ".join(m.Entity.values)
    assert raised.value.lines() == [
        "tabular.json#/attributes.csv/0/link_entity: link_entity: must name the table link_id is in "
        f"({tables})",
        "tabular.json#/locations.csv/0/organization_id: organization_id: no organization with id "
        f"985e4a42-bd9f-4edc-911d-0243a4640aca {nowhere}",
        "tabular.json#/contacts.csv/0/organization_id: organization_id: no organization with id "
        f"ae67a707-5893-4225-b0b1-320ab9cb596b {nowhere}",
        "tabular.json#/contacts.csv/0/service_at_location_id: service_at_location_id: no service_at_location "
        f"with id 93eaf18d-1cd2-4ec7-bffb-3c9172ee5070 {nowhere}",
        "tabular.json#/taxonomy_terms.csv/0/taxonomy_id: taxonomy_id: no taxonomy with id "
        f"07ff6aee-a219-438c-b694-d2fcb6c5373b {nowhere}",
        "tabular.json#/metadata.csv/0/resource_id: resource_id: no location with id "
        f"38960354-e7d2-4cfa-a368-820f729d6ccf {nowhere}",
    ]
    assert m.Service.objects.count() == 0


def test_bad_cells_are_named_by_file_row_and_column(package: Path):
    def spoil(rows):
        rows[0]["email"] = "no at sign"
        rows[0]["minimum_age"] = "twelve"
        rows.append(
            {**rows[0], "id": str(uuid.uuid4()), "name": "", "minimum_age": "", "organization_id": ""}
        )
        return rows

    rewrite(package / "services.csv", spoil)

    with pytest.raises(HsdsImportError) as raised:
        hsds_import(path=package)

    assert raised.value.lines() == [
        "services.csv, row 2, column minimum_age: minimum_age: 'twelve' is not a number",
        'services.csv, row 2, column email: email: "no at sign" is not a valid email',
        'services.csv, row 3, column email: email: "no at sign" is not a valid email',
        "services.csv, row 3, column name: name is required",
        "services.csv, row 3, column organization_id: organization_id is required",
    ]
    assert m.Organization.objects.count() == 0


def test_a_package_reimported_without_a_row_removes_it(package: Path):
    hsds_import(path=package)
    rewrite(package / "phones.csv", lambda rows: [])
    rewrite(package / "languages.csv", lambda rows: [{**rows[0], "phone_id": ""}])

    result = hsds_import(path=package)

    assert list(m.Phone.objects.all()) == []
    assert m.Language.objects.get().phone_id is None
    assert result.removed == 1
    assert "phones" not in exported("service", SERVICE_ID)


def test_a_package_file_outside_its_folder_is_refused(package: Path):
    data = load(package / "datapackage.json")
    data["resources"].append({"name": "elsewhere", "path": "../services.csv"})
    (package / "datapackage.json").write_text(json.dumps(data))
    shutil.copy(package / "services.csv", package.parent / "services.csv")

    with pytest.raises(HsdsImportError) as raised:
        hsds_import(path=package)

    assert raised.value.lines() == ["datapackage.json: ../services.csv: no such file in the package's folder"]
