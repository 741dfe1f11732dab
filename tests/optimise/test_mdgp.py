"""Tests for the MDGPLIB reader and the grouping solution writer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gathering.optimise.grouping import GroupingResult
from gathering.optimise.mdgp import InstanceError, read_mdgp, write_solution

# Small library instances kept in the repository (tests/data/README.md gives their source and licence).
DATA = Path(__file__).resolve().parents[1] / "data" / "mdgplib"


def _write(tmp_path: Path, text: str, name: str = "bad.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _pairs(n: int, value: str = "1") -> str:
    return "".join(f"{i} {j} {value}\n" for i in range(n) for j in range(i + 1, n))


def test_read_mdgp_library_file_gives_sizes_and_symmetric_distances() -> None:
    instance = read_mdgp(DATA / "RanReal_n010_ds_01.txt")

    assert instance.name == "RanReal_n010_ds_01"
    assert instance.n == 10
    assert instance.sizes == [(5, 6), (4, 5)]
    assert instance.distance.shape == (10, 10)
    assert instance.distance[0, 1] == 80.829
    assert instance.distance[1, 0] == 80.829
    assert instance.distance[3, 2] == 90.991
    assert np.array_equal(instance.distance, instance.distance.T)
    assert np.all(np.diag(instance.distance) == 0.0)


def test_read_mdgp_equal_size_header() -> None:
    instance = read_mdgp(DATA / "RanInt_n012_ss_01.txt")

    assert instance.n == 12
    assert instance.sizes == [(3, 3)] * 4
    assert instance.distance[0, 1] == 48.0
    assert instance.distance[11, 10] == 72.0


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("", 1, "header", "the file is empty"),
        ("ten 2 ss 2 3 2 3\n", 1, "n", "expected an integer, got 'ten'"),
        ("4 0 ss\n", 1, "g", "must be at least 1, got 0"),
        ("4 2 xs 2 2 2 2\n", 1, "type", "expected 'ss' or 'ds', got 'xs'"),
        ("4 2 ss 2 2 2\n", 1, "group sizes", "expected 4 size bounds for 2 groups, got 3"),
        ("4 2 ds 3 2 2 2\n", 1, "b1", "upper size 2 is below lower size 3"),
        ("3 1 ss 3 3\n0 1\n0 2 1\n1 2 1\n", 2, "pair", "expected 'i j d', got 2 fields"),
        ("3 1 ss 3 3\n0 1 5\n0 x 5\n1 2 1\n", 3, "j", "expected an integer, got 'x'"),
        ("3 1 ss 3 3\n0 3 5\n0 2 1\n1 2 1\n", 2, "j", "element 3 is not below n=3"),
        ("3 1 ss 3 3\n\n1 1 5\n0 2 1\n1 2 1\n", 3, "j", "a distance from element 1 to itself"),
        ("3 1 ss 3 3\n0 1 far\n0 2 1\n1 2 1\n", 2, "d", "expected a number, got 'far'"),
        ("3 1 ss 3 3\n0 1 nan\n0 2 1\n1 2 1\n", 2, "d", "distance must be finite, got 'nan'"),
        ("3 1 ss 3 3\n0 1 5\n1 0 6\n1 2 1\n", 3, "d", "pair (1, 0) given twice with different distances"),
        ("3 1 ss 3 3\n0 1 5\n1 0 5\n0 2 5\n", 4, "pair", "no distance given for pair (1, 2)"),
        ("3 1 ss 3 3\n0 1 5\n0 2 5\n", 3, "pair", "expected 3 distance lines for n=3, found 2"),
        ("100000 1 ss 1 1\n0 1 5\n", 2, "pair", "expected 4999950000 distance lines for n=100000, found 1"),
        ("3 1 ss 3 3\n0 1 5\n0 2 -1.5e\n1 2 1\n", 3, "d", "expected a number, got '-1.5e'"),
    ],
)
def test_read_mdgp_rejects_malformed_file_naming_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    path = _write(tmp_path, text)

    with pytest.raises(InstanceError) as caught:
        read_mdgp(path)

    assert caught.value.line == line
    assert caught.value.field == field
    assert caught.value.message == message
    assert str(caught.value) == f"{path}, line {line}, field {field}: {message}"


def test_read_mdgp_rejects_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(b"\xff\xfe\x00")

    with pytest.raises(InstanceError) as caught:
        read_mdgp(path)

    assert (caught.value.line, caught.value.field) == (1, "file")


def test_read_mdgp_accepts_repeated_identical_pair(tmp_path: Path) -> None:
    path = _write(tmp_path, "3 1 ss 3 3\n0 1 5\n1 0 5\n0 2 2\n1 2 7\n")

    instance = read_mdgp(path)

    assert instance.distance.tolist() == [[0.0, 5.0, 2.0], [5.0, 0.0, 7.0], [2.0, 7.0, 0.0]]


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=9),
    g=st.integers(min_value=1, max_value=3),
    data=st.data(),
)
def test_read_mdgp_round_trips_any_valid_file(
    tmp_path_factory: pytest.TempPathFactory, n: int, g: int, data: st.DataObject
) -> None:
    sizes = [tuple(sorted(data.draw(st.lists(st.integers(0, n), min_size=2, max_size=2)))) for _ in range(g)]
    values = data.draw(
        st.lists(
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, width=32),
            min_size=n * (n - 1) // 2,
            max_size=n * (n - 1) // 2,
        )
    )
    header = f"{n} {g} ds " + " ".join(f"{lo} {hi}" for lo, hi in sizes)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    body = "".join(f"{i} {j} {v!r}\n" for (i, j), v in zip(pairs, values, strict=True))
    path = tmp_path_factory.mktemp("mdgp") / "case.txt"
    path.write_text(header + " \n" + body, encoding="utf-8")

    instance = read_mdgp(path)

    assert instance.n == n
    assert instance.sizes == sizes
    for (i, j), v in zip(pairs, values, strict=True):
        assert instance.distance[i, j] == v
        assert instance.distance[j, i] == v


@given(text=st.text(max_size=60))
@settings(max_examples=60, deadline=None)
def test_read_mdgp_never_fails_with_anything_but_instance_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.txt"
    path.write_text(text, encoding="utf-8")

    try:
        instance = read_mdgp(path)
    except InstanceError as error:
        assert error.line >= 1
    else:
        assert instance.distance.shape == (instance.n, instance.n)


def test_write_solution_writes_sorted_groups_as_json(tmp_path: Path) -> None:
    result = GroupingResult(groups=[[5, 0, 9], [1, 2]], objective=3.0, seconds=0.1, feasible=True)

    target = write_solution(result, tmp_path / "out", "RanReal_n010_ss_01")

    assert target == tmp_path / "out" / "RanReal_n010_ss_01.solution.json"
    assert json.loads(target.read_text(encoding="utf-8")) == {"groups": [[0, 5, 9], [1, 2]]}


def test_read_mdgp_reads_every_pair_of_a_complete_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "4 2 ss 2 2 2 2\n" + _pairs(4, "2.5"))

    instance = read_mdgp(path)

    assert instance.distance.sum() == 2.5 * 12
