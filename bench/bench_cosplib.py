"""The timetable optimiser on the conference-scheduling library (shared/data/cosplib), every result judged by
the library's own checker on the solution workbook we wrote.

- The five instances with published solutions: the best published objective (any model, or the library's own
  hyper-heuristic run on this machine, from `reference.csv`) beside ours after 60 s and 300 s, with our proven
  lower bound. Set BENCH_TIMETABLE_LONG=0 to skip the 300 s runs.
- Every shipped instance (14) at a short budget (BENCH_COSPLIB_SECONDS, 15 s by default): the workbook must
  load in the checker, and the checker's objective and feasibility must be ours.

The checker is run through tests/optimise/cosplib_judge.py, the harness the tests use.
"""

import csv
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from common import SHARED_DATA, Section, shared_data

from gathering.optimise import cosplib

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "optimise"))
from cosplib_judge import CheckerError, Verdict, judge

DATA = SHARED_DATA / "cosplib"
PUBLISHED = ["GECCO19", "GECCO20", "N2OR", "OR60F", "OR60F2"]


def _best_published() -> dict[str, tuple[int, str]]:
    best: dict[str, tuple[int, str]] = {}
    with (DATA / "reference.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["feasible"] != "True" or row["valid"] != "True":
                continue
            value = int(row["objective"])
            if row["instance"] not in best or value < best[row["instance"]][0]:
                best[row["instance"]] = (value, row["model"].split(" (")[0])
    return best


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass
class Judged:
    """One run: our result and the checker's verdict on the workbook we wrote, or why it did not load."""

    result: cosplib.CosplibResult
    verdict: Verdict | None
    error: str = ""

    @property
    def agrees(self) -> bool:
        ours = self.result.evaluation
        return (
            self.verdict is not None
            and self.verdict["feasible"] == ours.feasible
            and self.verdict["objective"] == ours.objective
        )

    @property
    def objective(self) -> str:
        """The checker's objective, with our evaluator's beside it when they differ."""
        if self.verdict is None:
            return f"does not load ({self.error})"
        text = _number(self.verdict["objective"])
        if self.verdict["objective"] != self.result.evaluation.objective:
            text += f" (our evaluator: {self.result.evaluation.objective})"
        return text


def _judged(name: str, seconds: float) -> Judged:
    """Solve an instance (seed 0, two workers), write its solution workbook and have the checker judge it."""
    path = DATA / "instances" / f"{name}.xlsx"
    instance = cosplib.read_cosplib(path)
    result = cosplib.solve_cosplib(instance, time_limit=seconds, seed=0, workers=2)
    with tempfile.TemporaryDirectory() as folder:
        written = cosplib.write_solution(instance, result.solution, folder)
        try:
            return Judged(result, judge(path, written))
        except CheckerError as exc:
            return Judged(result, None, str(exc).strip().splitlines()[-1])


def _published_section() -> Section:
    long_runs = os.environ.get("BENCH_TIMETABLE_LONG", "1") != "0"
    best = _best_published()
    rows, wins, agree, notes = [], 0, True, []
    for name in PUBLISHED:
        published, source = best[name]
        short = _judged(name, 60)
        long = _judged(name, 300) if long_runs else None
        agree = agree and short.agrees and (long is None or long.agrees)
        verdict = short.verdict
        wins += verdict is not None and verdict["feasible"] and verdict["objective"] <= published
        rows.append(
            [
                name,
                f"{published} ({source})",
                short.objective,
                "-" if long is None else long.objective,
                f"{short.result.seconds:.1f}" + ("" if long is None else f" / {long.result.seconds:.1f}"),
                max(short.result.bound or 0, (long.result.bound or 0) if long else 0),
                "yes"
                if verdict is not None and verdict["feasible"] and short.result.evaluation.valid
                else "NO",
            ]
        )
        terms = (long or short).result.evaluation.breakdown() or "none"
        notes.append(f"- {name}: our penalty terms at {'300' if long else '60'} s: {terms}.")
    notes[:0] = [
        f"Equal or better than the best published objective within 60 s on {wins} of 5.",
        "",
        "Objectives and feasibility are the library's checker's (`shared/data/cosplib/checker/check.py`) on "
        "the solution workbook we wrote; our evaluator's figure would stand beside any that differed.",
        "",
    ]
    return Section(
        title="Timetable: CoSPLib conference-scheduling instances",
        command="python bench/run.py bench_cosplib",
        headers=[
            "instance",
            "best published",
            "ours 60 s",
            "ours 300 s",
            "seconds",
            "lower bound",
            "feasible",
        ],
        rows=rows,
        notes=notes,
        ok=wins == len(rows) and agree,
    )


def _every_instance_section(seconds: float) -> Section:
    rows, ok = [], True
    names = sorted(path.stem for path in (DATA / "instances").glob("*.xlsx"))
    for name in names:
        run = _judged(name, seconds)
        ok = ok and run.agrees
        verdict = run.verdict
        rows.append(
            [
                name,
                run.result.evaluation.objective,
                run.objective if verdict is None else _number(verdict["objective"]),
                "-" if verdict is None else ("yes" if verdict["feasible"] else "no"),
                "yes" if run.agrees else "NO",
            ]
        )
    return Section(
        title="Timetable: every shipped CoSPLib instance, judged by the library's checker",
        command="python bench/run.py bench_cosplib",
        headers=["instance", "our objective", "checker's objective", "feasible (checker)", "agree"],
        rows=rows,
        notes=[
            f"{len(names)} instances, {seconds:g} s each (seed 0, 2 workers). Each solution workbook we "
            "wrote is loaded by the library's checker, which must agree with our evaluator on the objective "
            "and on feasibility; a workbook it cannot load, or any disagreement, fails the section."
        ],
        ok=ok,
    )


def run() -> list[Section]:
    if not shared_data("cosplib", "bench_cosplib"):
        return []
    seconds = float(os.environ.get("BENCH_COSPLIB_SECONDS", "15"))
    return [_published_section(), _every_instance_section(seconds)]
