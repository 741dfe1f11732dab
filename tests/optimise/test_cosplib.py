"""Tests for the CoSPLib adapter: reader errors, the library's objective, solution files and the solver."""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from gathering.optimise.cosplib import (
    SPLIT_SUBMISSION,
    CosplibInstance,
    CosplibSolution,
    SolutionError,
    evaluate,
    read_cosplib,
    read_solution,
    solve_cosplib,
    talk_bound,
    write_solution,
)
from gathering.optimise.instances import read_instance, solve_file
from gathering.optimise.instances import write_solution as write_any
from gathering.optimise.timetable import InstanceError

# The five library conferences with published solutions, kept in the repository with the library's
# reference.csv (tests/data/README.md gives their source and licence).
DATA = Path(__file__).resolve().parents[1] / "data" / "cosplib"


@cache
def instance(name: str) -> CosplibInstance:
    return read_cosplib(DATA / "instances" / f"{name}.xlsx")


def published() -> list[dict[str, str]]:
    with open(DATA / "reference.csv", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["model"] in ("exact", "extended")]


# ------------------------------------------------------------------------------------------ evaluator


@pytest.mark.parametrize("row", published(), ids=lambda r: f"{r['instance']}-{r['model']}")
def test_evaluate_reproduces_every_published_objective(row: dict[str, str]) -> None:
    problem = instance(row["instance"])
    solution = read_solution(problem, DATA / "solutions" / row["model"] / f"{row['instance']}Solution.xlsx")

    result = evaluate(problem, solution)

    assert result.objective == int(row["objective"])
    assert str(result.feasible) == row["feasible"]
    assert str(result.valid) == row["valid"]


def test_evaluate_breakdown_matches_the_library_terms() -> None:
    problem = instance("GECCO20")
    solution = read_solution(problem, DATA / "solutions" / "exact" / "GECCO20Solution.xlsx")

    result = evaluate(problem, solution)

    assert result.breakdown() == (
        "Tracks_Rooms|Penalty: 10;Similar Tracks: 60;Consecutive tracks: 110;Submissions order: 18;"
        "Submissions_Sessions|Penalty: 6100"
    )


def n2or_published() -> tuple[CosplibInstance, CosplibSolution]:
    problem = instance("N2OR")
    return problem, read_solution(problem, DATA / "solutions" / "exact" / "N2ORSolution.xlsx")


def test_evaluate_an_unscheduled_single_talk_costs_nothing_but_is_infeasible() -> None:
    problem, solution = n2or_published()
    s, r, t = next(
        (s, r, t)
        for s, rows in enumerate(solution.cells)
        for r, cell in enumerate(rows)
        for t, i in enumerate(cell)
        if i is not None and problem.submissions[i].required == 1
    )
    solution.cells[s][r][t] = None

    result = evaluate(problem, solution)

    assert result.feasible is False
    assert result.objective <= 2


def test_evaluate_a_missing_multi_slot_talk_costs_exactly_the_fixed_penalty() -> None:
    problem, solution = n2or_published()
    multi = next(i for i, sub in enumerate(problem.submissions) if sub.required > 1)
    for rows in solution.cells:
        for cell in rows:
            for t, i in enumerate(cell):
                if i == multi:
                    cell[t] = None

    result = evaluate(problem, solution)

    assert result.fixed == SPLIT_SUBMISSION
    assert result.feasible is False


def test_evaluate_a_talk_in_an_unnamed_room_is_still_valid() -> None:
    problem, solution = n2or_published()
    solution.tracks[0][0] = None

    result = evaluate(problem, solution)

    assert result.valid is True
    assert result.feasible is True


# ------------------------------------------------------------------------------------ reader errors


def broken_copy(tmp_path: Path, change: Callable[[Any], None]) -> Path:
    workbook = openpyxl.load_workbook(DATA / "instances" / "N2OR.xlsx")
    change(workbook)
    target = tmp_path / "N2OR.xlsx"
    workbook.save(target)
    return target


def set_cell(sheet: str, cell: str, value: Any) -> Callable[[Any], None]:
    def change(workbook: Any) -> None:
        workbook[sheet][cell] = value

    return change


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            set_cell("submissions", "C5", "two"),
            "sheet 'submissions', row 5, column C (Required Timeslots)",
            "expected an integer, found 'two'",
        ),
        (
            set_cell("submissions", "C6", 0),
            "sheet 'submissions', row 6, column C (Required Timeslots)",
            "must be an integer >= 1",
        ),
        (
            set_cell("submissions", "B3", "Astrology"),
            "sheet 'submissions', row 3, column B (Track)",
            "unknown track 'Astrology'",
        ),
        (
            set_cell("submissions", "A4", "NEW19A3729"),
            "sheet 'submissions', row 4, column A (Reference)",
            "duplicate reference 'NEW19A3729'",
        ),
        (
            set_cell("submissions", "E2", "Mars"),
            "sheet 'submissions', row 2, column E (Time Zone)",
            "expected a time zone such as GMT+2",
        ),
        (
            set_cell("submissions", "B1", "Stream"),
            "sheet 'submissions', row 1, column B",
            "the header must read 'Track'",
        ),
        (
            set_cell("sessions", "D3", "noon"),
            "sheet 'sessions', row 3, column D",
            "expected a time such as 09:30",
        ),
        (
            set_cell("parameters", "E4", "lots"),
            "sheet 'parameters', row 4, column E",
            "expected an integer, found 'lots'",
        ),
        (
            set_cell("tracks_rooms|penalty", "C4", 1.5),
            "sheet 'tracks_rooms|penalty', row 4, column C",
            "expected an integer, found 1.5",
        ),
        (
            set_cell("rooms", "A3", "Steelhouse LT"),
            "sheet 'rooms', row 3, column A",
            "duplicate name 'Steelhouse LT'",
        ),
        (lambda wb: wb.remove(wb["similar tracks"]), "workbook", "missing sheet(s): similar tracks"),
    ],
)
def test_read_cosplib_names_sheet_row_and_field(
    tmp_path: Path, change: Any, where: str, message: str
) -> None:
    path = broken_copy(tmp_path, change)

    with pytest.raises(InstanceError) as caught:
        read_cosplib(path)

    assert caught.value.path == str(path)
    assert caught.value.where == where
    assert message in caught.value.message


def test_read_cosplib_rejects_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip")

    with pytest.raises(InstanceError) as caught:
        read_cosplib(path)

    assert caught.value.where == "workbook"


def test_read_cosplib_reads_the_instance_as_published() -> None:
    problem = instance("N2OR")

    assert problem.name == "N2OR"
    assert problem.sessions == ["Wed1", "Wed2", "Thu1", "Thu2"]
    assert problem.session_slots == [2, 2, 2, 3]
    assert problem.rooms == ["Steelhouse LT", "Stafford 1", "Stafford 2", "Steelhouse 1"]
    assert len(problem.submissions) == 35
    assert sum(sub.required for sub in problem.submissions) == 36
    assert problem.weights == (0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 100000, 1, 0, 0, 0)
    assert problem.submissions[0].ref == "NEW19A3729"


# ---------------------------------------------------------------------------------- solution files


def test_write_and_read_solution_round_trip(tmp_path: Path) -> None:
    problem, solution = n2or_published()

    path = write_solution(problem, solution, tmp_path)
    again = read_solution(problem, path)

    assert path == tmp_path / "N2ORSolution.xlsx"
    assert again == solution
    assert evaluate(problem, again).objective == 2
    assert openpyxl.load_workbook(path).sheetnames == ["sol", "violations"]


def test_read_solution_names_an_unknown_track(tmp_path: Path) -> None:
    problem, solution = n2or_published()
    path = write_solution(problem, solution, tmp_path)
    workbook = openpyxl.load_workbook(path)
    workbook["sol"]["C3"] = "Astrology"
    workbook.save(path)

    with pytest.raises(SolutionError, match=r"sheet 'sol', row 3, column C: unknown track 'Astrology'"):
        read_solution(problem, path)


def test_read_solution_rejects_a_short_sheet(tmp_path: Path) -> None:
    problem, solution = n2or_published()
    path = write_solution(problem, solution, tmp_path)
    workbook = openpyxl.load_workbook(path)
    workbook["sol"].delete_rows(10, 10)
    workbook.save(path)

    with pytest.raises(SolutionError, match=r"has 9 rows; the instance needs 15"):
        read_solution(problem, path)


# ------------------------------------------------------------------------------------------ solver


def test_solve_n2or_quickly_matches_the_best_published_value() -> None:
    problem = instance("N2OR")

    result = solve_cosplib(problem, time_limit=6, seed=0, workers=1)

    assert result.evaluation.feasible is True
    assert result.evaluation.valid is True
    assert result.evaluation.objective == evaluate(problem, result.solution).objective
    assert result.evaluation.objective <= 1  # best published: 1 (library hyper-heuristic)
    assert result.bound is not None and 0 <= result.bound <= result.evaluation.objective
    assert result.seconds < 10


def test_talk_bound_is_the_cheapest_placement_of_every_talk() -> None:
    assert talk_bound(instance("N2OR")) == 0
    assert talk_bound(instance("GECCO20")) == 0


def test_solve_file_dispatches_workbooks_and_writes_the_library_format(tmp_path: Path) -> None:
    path = DATA / "instances" / "N2OR.xlsx"

    solved = solve_file(path, time_limit=4, seed=2, workers=1)
    written = write_any(solved, tmp_path)

    assert isinstance(read_instance(path), CosplibInstance)
    assert solved.name == "N2OR"
    assert written == tmp_path / "N2ORSolution.xlsx"
    assert (
        evaluate(instance("N2OR"), read_solution(instance("N2OR"), written)).objective
        == solved.result.objective
    )
    keys = {"instance", "objective", "bound", "gap", "optimal", "seconds", "feasible"}
    assert set(solved.as_json()) == keys
    assert solved.as_json()["gap"] == solved.result.objective - solved.result.bound
    assert solved.result.feasible is True
    assert len(solved.result.assignments) == 35
