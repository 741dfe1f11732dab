"""The timetable optimiser against the conference-scheduling library (shared/data/cosplib) and at the scale
of a large Gathering.

- The five CoSPLib instances with published solutions: the best published objective (any model, or the
  library's own hyper-heuristic run on this machine, from `reference.csv`) beside ours after 60 s and 300 s,
  with our proven lower bound. Set BENCH_TIMETABLE_LONG=0 to skip the 300 s runs.
- Native scale: 300 sessions, 2,000 people with 8 interests each, 12 slots over two days, 25 rooms: the
  schedule after 1 s, 10 s and 60 s, every hard rule checked, with the lower bound.
"""

import csv
import os
from collections import defaultdict

from common import SHARED_DATA, Section, shared_data

from gathering.optimise import cosplib
from gathering.optimise.timetable import check, generate_instance, solve_timetable

DATA = SHARED_DATA / "cosplib"
INSTANCES = ["GECCO19", "GECCO20", "N2OR", "OR60F", "OR60F2"]


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


def _solve(name: str, seconds: float) -> cosplib.CosplibResult:
    instance = cosplib.read_cosplib(DATA / "instances" / f"{name}.xlsx")
    return cosplib.solve_cosplib(instance, time_limit=seconds, seed=0, workers=2)


def _cosplib_section() -> Section:
    long_runs = os.environ.get("BENCH_TIMETABLE_LONG", "1") != "0"
    best = _best_published()
    rows, wins, notes = [], 0, []
    for name in INSTANCES:
        published, source = best[name]
        short = _solve(name, 60)
        long = _solve(name, 300) if long_runs else None
        ours = short.evaluation.objective
        wins += short.evaluation.feasible and ours <= published
        rows.append(
            [
                name,
                f"{published} ({source})",
                ours,
                "-" if long is None else long.evaluation.objective,
                f"{short.seconds:.1f}" + ("" if long is None else f" / {long.seconds:.1f}"),
                max(short.bound or 0, (long.bound or 0) if long else 0),
                "yes" if short.evaluation.feasible and short.evaluation.valid else "NO",
            ]
        )
        terms = (long or short).evaluation.breakdown() or "none"
        notes.append(f"- {name}: our penalty terms at {'300' if long else '60'} s: {terms}.")
    notes.insert(0, f"Equal or better than the best published objective within 60 s on {wins} of 5.")
    notes.insert(1, "")
    return Section(
        title="Timetable: CoSPLib conference-scheduling instances",
        command="python bench/run.py bench_timetable",
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
        ok=wins >= 3,
    )


def _native_section() -> Section:
    instance = generate_instance(1)
    rows, ok = [], True
    for budget in (1.0, 10.0, 60.0):
        result = solve_timetable(instance, time_limit=budget, seed=0, workers=2)
        problems = check(instance, result.assignments) if result.feasible else ["not feasible"]
        # Budget: a feasible timetable within 10 s, the final one within 60 s.
        first = result.first_feasible
        ok = ok and (budget < 10 or (not problems and first is not None and first < 10))
        rows.append(
            [
                f"{budget:.0f} s",
                "yes" if not problems else "NO",
                f"{first:.2f}" if first is not None else "-",
                result.objective,
                result.terms.get("clash", "-"),
                result.terms.get("overflow", "-"),
                result.bound,
                f"{result.seconds:.1f}",
            ]
        )
    people = len({i.person for i in instance.interests})
    per_person: dict[str, int] = defaultdict(int)
    for interest in instance.interests:
        per_person[interest.person] += 1
    return Section(
        title="Timetable: a large Gathering",
        command="python bench/run.py bench_timetable",
        headers=[
            "budget",
            "feasible",
            "first feasible after (s)",
            "objective",
            "clash",
            "overflow",
            "lower bound",
            "seconds",
        ],
        rows=rows,
        notes=[
            f"{len(instance.sessions)} sessions, {people} people with "
            f"{sum(per_person.values()) / people:.0f} interests each, {len(instance.slots)} slots, "
            f"{len(instance.rooms)} rooms (`generate_instance(1)`); every hard rule checked on each result."
        ],
        ok=ok,
    )


def run() -> list[Section]:
    # The native-scale section needs no library, so a clone without ../shared/data still measures it.
    library = [_cosplib_section()] if shared_data("cosplib", "bench_timetable (CoSPLib section)") else []
    return [*library, _native_section()]
