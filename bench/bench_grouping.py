"""The grouping optimiser against the Maximally Diverse Grouping Problem library (shared/data/mdgplib), and
forming 2,000 people into circles with every hard rule.

- Equal-size (ss) instances with a reference: ours in the same time the reference took, gap to it.
- n = 10 and 12: proven optimal. n = 30 and 60: the objective beside a proven upper bound.
- Different-size (ds) instances: feasible, with the objective.
- 2,000 people, circles of 6 to 8, one facilitator each, 600 "not with" pairs, a perspective cover and at most
  two per organisation: the partition after 5 s and after 30 s, every rule checked.
"""

import csv
import statistics
import time
from pathlib import Path

import numpy as np
from common import SHARED_DATA, Section, shared_data

from gathering.optimise.grouping import GroupingInstance, check_partition, solve_grouping
from gathering.optimise.mdgp import read_mdgp

DATA = SHARED_DATA / "mdgplib"
SMALL_TIME = 2.0
MID_TIME = 3.0
DS_TIME = 2.0


def _find(name: str) -> Path:
    family = name.split("_")[0]
    return DATA / family / f"{name}.txt"


def _reference_rows() -> tuple[list[list[object]], list[float]]:
    rows, gaps = [], []
    with (DATA / "reference.csv").open() as handle:
        for ref in csv.DictReader(handle):
            instance = read_mdgp(_find(ref["instance"]))
            seconds = float(ref["seconds"])
            result = solve_grouping(instance, time_limit=seconds, seed=0)
            reference = float(ref["objective"])
            gap = (reference - result.objective) / reference * 100
            gaps.append(gap)
            rows.append(
                [
                    ref["instance"],
                    f"{reference:.3f}",
                    f"{result.objective:.3f}",
                    f"{gap:.3f}%",
                    f"{seconds:.1f}",
                    "yes" if result.feasible else "NO",
                ]
            )
    return rows, gaps


def _family(pattern: str, time_limit: float) -> list:
    results = []
    for path in sorted(DATA.glob(f"*/{pattern}")):
        instance = read_mdgp(path)
        results.append((path.stem, solve_grouping(instance, time_limit=time_limit, seed=0)))
    return results


def circles_instance(n: int = 2000, seed: int = 7) -> GroupingInstance:
    rng = np.random.default_rng(seed)
    groups = n // 7
    traits = rng.random((n, 6))
    distance = np.sqrt(((traits[:, None, :] - traits[None, :, :]) ** 2).sum(-1))
    facilitators = set(rng.choice(n, groups, replace=False).tolist())
    others = [i for i in range(n) if i not in facilitators]
    not_with: set[tuple[int, int]] = set()
    while len(not_with) < 600:
        i, j = rng.choice(n, 2, replace=False)
        not_with.add((int(min(i, j)), int(max(i, j))))
    lived = set(rng.choice(others, int(0.4 * n), replace=False).tolist())
    carers = set(rng.choice(others, int(0.15 * n), replace=False).tolist()) - lived
    labels = [f"org{int(rng.integers(0, 150))}" if rng.random() < 0.6 else None for _ in range(n)]
    return GroupingInstance(
        n=n,
        sizes=[(6, 8)] * groups,
        distance=distance,
        name="circles2000",
        not_with=sorted(not_with),
        facilitators=facilitators,
        cover=[(lived, carers)],
        labels=labels,
        max_same=2,
    )


def run() -> list[Section]:
    if shared_data("mdgplib", "bench_grouping") is None:
        return []
    rows, gaps = _reference_rows()
    small = _family("*_n01[02]_*", SMALL_TIME)
    mid = _family("*_n0[36]0_*", MID_TIME)
    ds = [
        (name, r)
        for name, r in _family("*_ds_*", DS_TIME)
        if "_n01" not in name and "_n03" not in name and "_n06" not in name
    ]
    circles = circles_instance()
    began = time.perf_counter()
    quick = solve_grouping(circles, time_limit=5, seed=0)
    final = solve_grouping(circles, time_limit=30, seed=0)
    total = time.perf_counter() - began
    broken = check_partition(circles, quick.groups) + check_partition(circles, final.groups)
    proven = sum(1 for _n, r in small if r.optimal)
    mid_gaps = [(r.bound - r.objective) / r.objective * 100 for _n, r in mid if r.bound]
    notes = [
        f"ss instances in the reference's time: mean gap {statistics.mean(gaps):.3f}%, "
        f"worst {max(gaps):.3f}% (targets: mean at most 0.5%, worst at most 1%).",
        f"n = 10 and 12: {proven} of {len(small)} instances proven optimal ({SMALL_TIME:.0f} s limit each).",
        f"n = 30 and 60: {len(mid)} instances, {MID_TIME:.0f} s each, all feasible: "
        f"{all(r.feasible for _n, r in mid)}; proven upper bound above our objective by "
        f"{min(mid_gaps):.1f}% to {max(mid_gaps):.1f}% (mean {statistics.mean(mid_gaps):.1f}%).",
        f"ds instances n = 120 to 480: {len(ds)} instances, {DS_TIME:.0f} s each, all feasible: "
        f"{all(r.feasible for _n, r in ds)}.",
        f"2,000 people into {circles.g} circles of 6 to 8 with every hard rule: objective "
        f"{quick.objective:.2f} after 5 s (feasible: {quick.feasible}), {final.objective:.2f} after 30 s "
        f"(feasible: {final.feasible}); rule violations found by the checker: {len(broken)}; "
        f"both runs took {total:.1f} s.",
        "Reference: TPSDP (Yang et al., EJOR 302(3), 2022), the anticlust C implementation, run on this "
        "machine (shared/data/mdgplib/reference.csv).",
    ]
    ok = statistics.mean(gaps) <= 0.5 and max(gaps) <= 1.0 and proven == len(small) and not broken
    return [
        Section(
            title="Grouping (MDGPLIB and circles)",
            command="make bench  # bench/bench_grouping.py",
            headers=["instance", "reference", "ours", "gap", "seconds", "feasible"],
            rows=rows,
            notes=notes,
            ok=ok and quick.feasible and final.feasible,
        )
    ]
