"""Hypothesis mutates valid HSDS documents at random: an import either succeeds, and then what it exports is
valid HSDS, or it is refused with problems that say where; it never fails with a traceback."""

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gathering.directory.hsds import PROFILES, _quick_validator, validator
from gathering.directory.services import HsdsImportError, hsds_import_source
from gathering.directory.sources import Source, read_json

from .hsds_data import HSDS, load, schema_errors
from .test_hsds import exported

pytestmark = pytest.mark.django_db

BASES = {
    "service": [load(HSDS / profile / "examples" / "service_full.json") for profile in ("3.0", "uk")],
    "organization": [
        load(HSDS / profile / "examples" / "organization_full.json") for profile in ("3.0", "uk")
    ],
}

odd_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\ud800",
            "10:00",
            "24:00",
            "25:61",
            "2005-02-30",
            "2023-03-15T10:30:45Z",
            "x@y",
            "00000000-0000-0000-0000-000000000000",
            "3A19FF88-4620-4D17-9830-AC1D859EB5D5",
            "http://",
            "a" * 300,
        ]
    ),
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=None),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, odd_text)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(odd_text, inner, max_size=3)),
    max_leaves=6,
)


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(st.sampled_from(sorted(BASES)))
    data = copy.deepcopy(draw(st.sampled_from(BASES[kind])))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(paths(data)))
        if not path:
            continue
        *parent_path, last = path
        parent = data
        for part in parent_path:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "duplicate", "rename", "swap_id"]))
        if action == "replace":
            parent[last] = draw(values)
        elif action == "delete":
            del parent[last]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(odd_text)] = parent.pop(last)
        elif action == "swap_id" and isinstance(parent[last], dict) and "id" in parent[last]:
            # Another record's id: the same record told two ways, or a link to the wrong kind of record.
            others = [p for p in paths(data) if p and p[-1] == "id"]
            source = draw(st.sampled_from(others))
            value = data
            for part in source:
                value = value[part]
            parent[last]["id"] = value
    return kind, data


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(mutated())
def test_a_mutated_document_imports_or_is_refused_with_located_problems(case):
    kind, data = case
    with transaction.atomic():
        source = Source()
        read_json(data, "fuzz.json", kind=kind, source=source)
        try:
            hsds_import_source(source=source)
        except HsdsImportError as error:
            event("refused")
            assert error.problems
            for line in error.lines():
                assert line.startswith("fuzz.json#") and line.encode("utf-8")
        else:
            event("imported")
            out = json.loads(json.dumps(exported(kind, str(data["id"]).lower())), parse_float=Decimal)
            assert schema_errors(out, kind) == []
        transaction.set_rollback(True)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(mutated())
def test_the_quick_validator_never_passes_what_the_reference_validator_refuses(case):
    # The import passes a document the compiled validator (jsonschema-rs) finds valid without asking the
    # reference one (jsonschema); that is only sound if the compiled one is never the more lenient.
    kind, data = case
    for profile in PROFILES:
        reference = list(validator(kind, profile).iter_errors(data))
        try:
            quick = _quick_validator(kind, profile).is_valid(data)
        except ValueError:
            quick = False
        if quick:
            assert reference == [], [error.message for error in reference]
