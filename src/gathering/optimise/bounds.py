"""A lower bound on the clash of any timetable, from which sessions can share a slot.

Clash in one slot, built up session by session: when a session joins a slot, each person who wants it adds
the lesser of its weight and the heaviest weight they already have there (the sum of weights less the
heaviest grows by exactly that). Take the sessions of a slot in a fixed order of popularity, most popular
first. Every other session joins after that slot's most popular one (its "leader"), so it adds at least its
overlap with the leader: over the people who want both, the lesser of their two weights.

So every timetable costs at least the cheapest way to choose at most one leader per slot and give every
other session a more popular leader, each leader taking no more sessions than a slot has rooms, paying
each session's overlap with its leader. That is a capacitated facility-location problem whose linear
relaxation (solved here with GLOP) is close to it, and every number below the relaxation's optimum is a
bound for the timetable's clash. A session of several slots is counted in one of them only, which can only
lower the figure.

Pure: imports nothing from Django.
"""

from __future__ import annotations

import math
from collections import defaultdict

# Beyond this many sessions the relaxation has too many pairs (n^2 / 2) to solve within a solve's time.
MAX_SESSIONS = 500


def overlaps(interests_of: list[list[tuple[int, int]]]) -> dict[tuple[int, int], int]:
    """{(i, j) with i < j: the sum over people who want both of the lesser of their two weights}."""
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for interests in interests_of:
        for a, (i, wi) in enumerate(interests):
            for j, wj in interests[a + 1 :]:
                shared[(i, j) if i < j else (j, i)] += min(wi, wj)
    return shared


def slot_sharing_bound(
    interests_of: list[list[tuple[int, int]]],
    popularity: list[int],
    slots: int,
    rooms: int,
    time_limit: float,
) -> int | None:
    """A lower bound on the clash of every timetable of `len(popularity)` sessions in `slots` slots of at
    most `rooms` sessions each; None when the relaxation is too large or not solved within `time_limit`.

    `interests_of[p]` lists person p's (session, weight); `popularity[i]` orders the sessions (higher first;
    any fixed order gives a valid bound, and leaders that draw the most people give the strongest)."""
    from ortools.linear_solver import pywraplp

    n = len(popularity)
    if n > MAX_SESSIONS:
        return None
    if n <= slots:  # every session can lead a slot of its own
        return 0
    shared = overlaps(interests_of)
    rank = {i: r for r, i in enumerate(sorted(range(n), key=lambda i: (-popularity[i], i)))}
    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    leader = [solver.NumVar(0, 1, "") for _ in range(n)]
    followers: list[list[pywraplp.Variable]] = [[] for _ in range(n)]
    objective = solver.Objective()
    for k in range(n):
        joins = []
        for ell in range(n):
            if rank[ell] >= rank[k]:
                continue
            v = solver.NumVar(0, 1, "")
            joins.append(v)
            followers[ell].append(v)
            solver.Add(v <= leader[ell])
            cost = shared.get((k, ell) if k < ell else (ell, k), 0)
            if cost:
                objective.SetCoefficient(v, cost)
        solver.Add(leader[k] + solver.Sum(joins) == 1)
    for ell in range(n):
        if followers[ell]:
            solver.Add(solver.Sum(followers[ell]) <= (rooms - 1) * leader[ell])
    solver.Add(solver.Sum(leader) <= slots)
    objective.SetMinimization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    # The clash is a whole number, so any relaxation value rounds up; 1e-3 stays clear of solver tolerance.
    return max(0, math.ceil(objective.Value() - 1e-3))
