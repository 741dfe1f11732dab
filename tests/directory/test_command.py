"""`gathering directory import-hsds PATH` and `export-hsds DIR` from the command line."""

import gc
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gathering.directory import models as m
from gathering.directory import services
from gathering.directory.access import TAXONOMY_ID as ACCESS_TAXONOMY_ID
from gathering.directory.approaches import TAXONOMY_ID
from gathering.directory.sources import Source, read_json

from .hsds_data import HSDS, normalised, schema_errors

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("directory", *args, stdout=out)
    return out.getvalue()


def read_folder(folder: Path) -> dict[str, object]:
    return {
        str(path.relative_to(folder)): json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        for path in sorted(folder.rglob("*.json"))
    }


def test_import_prints_what_it_did():
    out = run("import-hsds", str(HSDS / "uk" / "examples" / "service_list.json"))

    assert out == "organization: 1 new, 0 updated\nservice: 1 new, 0 updated\n"


def test_a_refused_import_lists_every_problem_and_writes_nothing(tmp_path: Path):
    bad = tmp_path / "services.json"
    bad.write_text(
        json.dumps([{"id": "nope", "name": "A", "status": "active"}, {"name": "B", "status": "gone"}])
    )

    with pytest.raises(CommandError) as raised:
        run("import-hsds", str(bad))

    assert str(raised.value).splitlines() == [
        "Nothing was imported: 3 problems.",
        'services.json#/0/id: id: "nope" is not a valid uuid',
        "services.json#/1/id: id is required",
        'services.json#/1/status: status: "gone" is not one of "active", "inactive", "defunct", '
        '"temporarily closed"',
    ]
    assert m.Service.objects.count() == 0


def test_kind_tells_what_an_unnamed_file_holds(tmp_path: Path):
    file = tmp_path / "export.json"
    file.write_text((HSDS / "3.0" / "examples" / "taxonomy.json").read_text())

    out = run("import-hsds", str(file), "--kind", "taxonomy")

    assert out == "taxonomy: 1 new, 0 updated\n"


def test_export_writes_valid_documents_that_import_back_to_the_same_export(tmp_path: Path):
    for name in ("service_full.json", "organization_full.json"):
        run("import-hsds", str(HSDS / "3.0" / "examples" / name))

    out = run("export-hsds", str(tmp_path / "first"))

    assert out == "1 services, 1 organizations, 3 taxonomies written.\n"
    first = read_folder(tmp_path / "first")
    assert sorted(first) == [
        "organizations/d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610.json",
        "services/ac148810-d857-441c-9679-408f346de14b.json",
        *sorted(
            [
                "taxonomies/5c4d79d7-cc55-470e-9f1f-8cad074e4892.json",
                f"taxonomies/{TAXONOMY_ID}.json",
                f"taxonomies/{ACCESS_TAXONOMY_ID}.json",
            ]
        ),
    ]
    for name, data in first.items():
        kind = {"organizations": "organization", "services": "service", "taxonomies": "taxonomy"}[
            name.split("/")[0]
        ]
        assert schema_errors(data, kind) == []
        assert schema_errors(data, kind, "uk") == []
    expected = json.loads((HSDS / "3.0" / "examples" / "service_full.json").read_text(), parse_float=Decimal)
    assert normalised(first["services/ac148810-d857-441c-9679-408f346de14b.json"]) == normalised(expected)

    for model in (m.Attribute, m.Metadata, m.ServiceAtLocation, m.Service):
        model.objects.all().delete()
    for model in (m.Phone, m.Contact, m.Language, m.Schedule, m.Funding, m.Location, m.Program):
        model.objects.all().delete()
    m.Organization.objects.all().delete()
    m.TaxonomyTerm.objects.exclude(taxonomy_detail_id__in=[TAXONOMY_ID, ACCESS_TAXONOMY_ID]).delete()
    m.Taxonomy.objects.exclude(id__in=[TAXONOMY_ID, ACCESS_TAXONOMY_ID]).delete()
    run("import-hsds", str(tmp_path / "first"))
    run("export-hsds", str(tmp_path / "second"))

    assert read_folder(tmp_path / "second") == first


def test_reindex_rebuilds_the_search_index_from_the_records():
    run("import-hsds", str(HSDS / "3.0" / "examples" / "service_full.json"))
    kept = sorted(m.SearchEntry.objects.values_list("service_id", "location_id", "approach", "words"))
    assert kept
    m.SearchEntry.objects.all().delete()

    out = run("reindex")

    assert f"{len(kept)} search entries written" in out
    assert sorted(m.SearchEntry.objects.values_list("service_id", "location_id", "approach", "words")) == kept


def test_a_big_import_pauses_the_garbage_collector_and_turns_it_back_on(monkeypatch):
    seen = []
    real = services._import

    def watching(source):
        seen.append(gc.isenabled())
        return real(source)

    monkeypatch.setattr(services, "_import", watching)
    monkeypatch.setattr(services, "BIG_IMPORT", 1)
    run("import-hsds", str(HSDS / "3.0" / "examples" / "service_full.json"))
    bad = json.loads((HSDS / "3.0" / "examples" / "service_full.json").read_text())
    bad["status"] = "sometimes"
    source = Source()
    read_json(bad, "bad.json", kind="service", source=source)
    with pytest.raises(services.HsdsImportError):
        services.hsds_import_source(source=source)

    # Paused while each ran, back on after each, a refused import included.
    assert seen == [False, False]
    assert gc.isenabled()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statistics are PostgreSQL's")
def test_a_big_import_refreshes_postgresqls_statistics_of_the_directory(monkeypatch):
    from gathering.directory.management.commands import directory

    monkeypatch.setattr(directory, "ANALYSE_AFTER", 1)
    run("import-hsds", str(HSDS / "3.0" / "examples" / "service_full.json"))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'directory_service' "
            "AND last_analyze IS NOT NULL"
        )
        assert cursor.fetchone()[0] == 1
