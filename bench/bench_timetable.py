"""The timetable optimiser at the scale of a large Gathering (the conference-scheduling library is measured
in bench_cosplib.py).

- Native scale: 300 sessions, 2,000 people with 8 interests each, 12 slots over two days, 25 rooms: the
  schedule after 1 s, 10 s and 60 s, every hard rule checked, with the lower bound.
"""

from collections import defaultdict

from common import Section

from gathering.optimise.timetable import check, generate_instance, solve_timetable


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
    return [_native_section()]
