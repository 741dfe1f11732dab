"""`gathering optimise`: the interface the benchmarks rely on (DESIGN.md section 5), run as a real process."""

import json
import subprocess
import sys
from pathlib import Path

# Small library instances kept in the repository (tests/data/README.md gives their source and licence).
DATA = Path(__file__).resolve().parents[1] / "data"
MDGP = DATA / "mdgplib" / "RanReal_n010_ss_01.txt"


def gathering(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gathering", "optimise", *args], capture_output=True, text=True, check=False
    )


def test_grouping_prints_one_json_line_and_writes_the_solution(tmp_path):
    result = gathering(
        "grouping", str(MDGP), "--time-limit", "2", "--json", "--write-solution", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip())
    assert {"instance", "objective", "seconds", "feasible"} <= set(line)
    assert line["instance"] == "RanReal_n010_ss_01" and line["feasible"] is True
    groups = json.loads((tmp_path / "RanReal_n010_ss_01.solution.json").read_text())["groups"]
    assert sorted(i for group in groups for i in group) == list(range(10))


def test_a_missing_file_is_named_and_the_rest_still_run(tmp_path):
    result = gathering("grouping", str(tmp_path / "nope.txt"), str(MDGP), "--time-limit", "1", "--json")
    assert result.returncode == 2
    assert "nope.txt" in result.stderr
    assert json.loads(result.stdout.strip())["instance"] == "RanReal_n010_ss_01"


def test_bad_time_limit_is_refused():
    result = gathering("grouping", str(MDGP), "--time-limit", "0")
    assert result.returncode == 2
    assert "--time-limit must be more than 0 seconds" in result.stderr


COSPLIB_N2OR = DATA / "cosplib" / "instances" / "N2OR.xlsx"


def test_timetable_solves_a_cosplib_workbook_and_writes_its_solution_workbook(tmp_path):
    from gathering.optimise import cosplib

    result = gathering(
        "timetable", str(COSPLIB_N2OR), "--time-limit", "3", "--json", "--write-solution", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip())
    assert line["instance"] == "N2OR" and line["feasible"] is True
    written = list(tmp_path.glob("*.xlsx"))
    assert len(written) == 1
    # The written workbook is a CoSPLib solution our evaluator reads back to the objective we printed.
    instance = cosplib.read_cosplib(COSPLIB_N2OR)
    assert (
        cosplib.evaluate(instance, cosplib.read_solution(instance, written[0])).objective == line["objective"]
    )


def test_timetable_names_the_problem_in_a_bad_native_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"slots": [], "rooms": []}')
    result = gathering("timetable", str(bad), "--time-limit", "1", "--json")
    assert result.returncode == 2
    assert "bad.json" in result.stderr
