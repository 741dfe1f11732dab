"""Tests for the diverse grouping optimiser: hard rules, optimality, explanations and re-forming."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gathering.optimise.grouping import (
    GroupingInstance,
    check_partition,
    diversity,
    explain_infeasible,
    solve_grouping,
)
from gathering.optimise.mdgp import read_mdgp

# Small library instances kept in the repository (tests/data/README.md gives their source and licence).
DATA = Path(__file__).resolve().parents[1] / "data" / "mdgplib"


def _distances(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.integers(0, 100, size=(n, n)).astype(float), 1)
    return upper + upper.T


def _brute_force(instance: GroupingInstance) -> tuple[float, int]:
    """Best diversity over every assignment meeting the rules, and how many such assignments exist."""
    best, count = -np.inf, 0
    for labels in itertools.product(range(instance.g), repeat=instance.n):
        groups = [[i for i, k in enumerate(labels) if k == group] for group in range(instance.g)]
        if not check_partition(instance, groups):
            count += 1
            best = max(best, diversity(instance, groups))
    return best, count


def test_solve_grouping_proves_optimum_on_library_n10() -> None:
    instance = read_mdgp(DATA / "RanReal_n010_ss_01.txt")

    result = solve_grouping(instance, time_limit=5.0)

    # Every split of 10 into two groups of 5, for comparison.
    best = max(
        diversity(instance, [list(first), [i for i in range(10) if i not in first]])
        for first in itertools.combinations(range(10), 5)
    )
    assert result.optimal is True
    assert result.feasible is True
    assert result.objective == pytest.approx(best, abs=1e-9)
    assert result.objective == pytest.approx(1427.845, abs=1e-9)
    assert result.bound == pytest.approx(result.objective, abs=1e-9)
    assert sorted(len(group) for group in result.groups) == [5, 5]


def test_solve_grouping_proves_optimum_on_library_n12_different_sizes() -> None:
    instance = read_mdgp(DATA / "RanInt_n012_ds_05.txt")

    result = solve_grouping(instance, time_limit=5.0)

    assert result.optimal is True
    assert result.objective == 1199.0
    assert check_partition(instance, result.groups) == []


def test_solve_grouping_gives_valid_bound_on_n30() -> None:
    instance = read_mdgp(DATA / "RanReal_n030_ss_01.txt")

    result = solve_grouping(instance, time_limit=1.5, seed=3)

    assert result.feasible is True
    assert result.bound is not None
    assert result.objective <= result.bound
    assert result.objective == pytest.approx(diversity(instance, result.groups), abs=1e-9)


def test_check_partition_names_each_broken_rule() -> None:
    instance = GroupingInstance(
        n=6,
        sizes=[(3, 3), (3, 3)],
        distance=np.zeros((6, 6)),
        not_with=[(0, 1)],
        fixed={5: 0},
        facilitators={2, 3},
        labels=["a", "a", "a", None, None, None],
        max_same=2,
    )

    problems = check_partition(instance, [[0, 1, 2], [3, 4, 5]])

    assert problems == [
        "element 5 must be in group 0 but is in group 1",
        "elements 0 and 1 must not be together but share group 0",
        "group 0 has 3 people labelled 'a', at most 2 allowed",
    ]


def test_check_partition_reports_structure_errors() -> None:
    instance = GroupingInstance(n=4, sizes=[(2, 2), (2, 2)], distance=np.zeros((4, 4)))

    assert check_partition(instance, [[0, 1], [1, 7]]) == [
        "element 1 is in group 0 and group 1",
        "group 1 holds unknown element 7",
        "2 element(s) in no group, e.g. 2",
    ]
    assert check_partition(instance, [[0, 1, 2], [3]]) == [
        "group 0 has 3 members, outside 2-2",
        "group 1 has 1 members, outside 2-2",
    ]


def test_explain_infeasible_when_sizes_cannot_fit() -> None:
    instance = GroupingInstance(n=60, sizes=[(6, 8)] * 3, distance=np.zeros((60, 60)))

    reasons = explain_infeasible(instance)
    result = solve_grouping(instance, time_limit=1.0)

    assert reasons == [
        "60 people cannot form groups of 6-8 into 3 groups (that needs 18 to 24 people); "
        "form 8 to 10 groups, or change the sizes"
    ]
    assert result.feasible is False
    assert result.violations == reasons


def test_explain_infeasible_when_someone_refuses_every_facilitator() -> None:
    instance = GroupingInstance(
        n=8,
        sizes=[(4, 4), (4, 4)],
        distance=_distances(8, 1),
        facilitators={0, 1},
        not_with=[(5, 0), (1, 5)],
    )

    assert explain_infeasible(instance) == [
        "element 5 asked not to be with any of the facilitators, but every group has one: "
        "relax one of their 'not with' requests"
    ]


def test_explain_infeasible_counts_facilitators_labels_and_cliques() -> None:
    instance = GroupingInstance(
        n=9,
        sizes=[(3, 3)] * 3,
        distance=_distances(9, 2),
        facilitators={0, 1},
        labels=["x"] * 7 + [None, None],
        not_with=[(2, 3), (2, 4), (2, 5), (3, 4), (3, 5), (4, 5)],
    )

    assert explain_infeasible(instance) == [
        "only 2 facilitators for 3 groups, and every group needs one: recruit 1 more or form 2 groups",
        "4 people (e.g. [2, 3, 4, 5]) all asked not to be with each other, but there are only 3 groups: "
        "relax some of their 'not with' requests",
        "7 people are labelled 'x' but at most 2 per group in 3 groups allows 6: "
        "raise the limit or add groups",
    ]


def test_explain_infeasible_falls_back_to_exhaustive_proof() -> None:
    # A five-cycle of "not with" requests cannot be split into two groups, yet no three people all
    # refuse each other, so only an exhaustive search shows it.
    cycle = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)]
    instance = GroupingInstance(n=6, sizes=[(3, 3), (3, 3)], distance=_distances(6, 3), not_with=cycle)

    reasons = explain_infeasible(instance)

    assert _brute_force(instance)[1] == 0
    assert reasons == [
        "the rules cannot all be met together (checked exhaustively), though each size and count allows it; "
        "relax 'not with' requests, the perspective cover, the organisation limit or the fixed places",
        "without the 'not with' requests the groups can be formed: relax the 'not with' requests first",
    ]


def test_solve_grouping_proves_infeasible_beyond_exhaustive_size() -> None:
    # Sixteen people are too many to enumerate, so the repair gives up and CP-SAT proves the five-cycle
    # of "not with" requests cannot be split into two groups.
    cycle = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)]
    instance = GroupingInstance(n=16, sizes=[(8, 8), (8, 8)], distance=_distances(16, 7), not_with=cycle)

    result = solve_grouping(instance, time_limit=1.0)

    assert result.feasible is False
    assert result.groups == []
    assert result.violations == [
        "the rules cannot all be met together (checked exhaustively), though each size and count allows it; "
        "relax 'not with' requests, the perspective cover, the organisation limit or the fixed places"
    ]


def test_explain_infeasible_is_empty_for_a_feasible_instance() -> None:
    instance = GroupingInstance(n=8, sizes=[(4, 4), (4, 4)], distance=_distances(8, 4), not_with=[(0, 1)])

    assert explain_infeasible(instance, time_limit=1.0) == []


def test_reforming_after_dropouts_moves_as_few_people_as_possible() -> None:
    # 24 people were in 3 circles of 8; people 16 and 17 dropped out, leaving circle 2 with 6 people.
    old = [0] * 8 + [1] * 8 + [2] * 6
    instance = GroupingInstance(
        n=22,
        sizes=[(7, 8)] * 3,
        distance=_distances(22, 5),
        initial=old,
        move_cost=10_000.0,
    )

    result = solve_grouping(instance, time_limit=1.0, seed=1)

    assert result.feasible is True
    assert result.moved == 1
    assert result.objective == pytest.approx(diversity(instance, result.groups) - 10_000.0, abs=1e-6)
    assert sorted(len(group) for group in result.groups) == [7, 7, 8]


def test_reforming_keeps_everyone_when_nobody_needs_to_move() -> None:
    old = [0] * 4 + [1] * 4 + [-1, -1]
    instance = GroupingInstance(
        n=10, sizes=[(5, 5)] * 2, distance=_distances(10, 6), initial=old, move_cost=1e6
    )

    result = solve_grouping(instance, time_limit=1.0)

    assert result.moved == 0
    assert result.optimal is True
    assert [i for i in range(8) if i not in result.groups[old[i]]] == []


def _hidden_partition_instance(data: st.DataObject, n_max: int) -> GroupingInstance:
    """A random instance built around a hidden valid partition, so a feasible answer exists."""
    g = data.draw(st.integers(2, 6), label="g")
    size = data.draw(st.integers(2, 6), label="size")
    n = min(g * size, n_max)
    g = max(2, n // size)
    n = g * size
    seed = data.draw(st.integers(0, 10_000), label="seed")
    rng = np.random.default_rng(seed)
    hidden = rng.permutation(np.repeat(np.arange(g), size))
    by_group = [np.flatnonzero(hidden == k) for k in range(g)]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if hidden[i] != hidden[j]]
    not_with = [pairs[k] for k in rng.choice(len(pairs), size=min(len(pairs), n // 2), replace=False)]
    facilitators = {int(rng.choice(members)) for members in by_group} if data.draw(st.booleans()) else set()
    cover = []
    if data.draw(st.booleans()):
        side_a = {int(rng.choice(members)) for members in by_group}
        side_b = {int(by_group[0][-1])}
        cover = [(side_a, side_b)]
    labels = None
    if data.draw(st.booleans()):
        labels = [
            f"org{(int(hidden[i]) * 7 + rank) % 3}" if rank < 2 else None
            for i, rank in ((i, int(np.flatnonzero(by_group[hidden[i]] == i)[0])) for i in range(n))
        ]
    fixed = {int(by_group[0][0]): 0} if data.draw(st.booleans()) else {}
    return GroupingInstance(
        n=n,
        sizes=[(size, size + 1)] * (g - 1) + [(size - 1, size)],
        distance=_distances(n, seed),
        not_with=not_with,
        fixed=fixed,
        facilitators=facilitators,
        cover=cover,
        labels=labels,
        max_same=2,
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_solve_grouping_partitions_meet_every_hard_rule(data: st.DataObject) -> None:
    instance = _hidden_partition_instance(data, n_max=30)

    result = solve_grouping(instance, time_limit=0.2, seed=data.draw(st.integers(0, 3)))

    assert result.feasible is True
    assert check_partition(instance, result.groups) == []
    assert result.objective == pytest.approx(diversity(instance, result.groups), abs=1e-6)
    if result.bound is not None:
        assert result.objective <= result.bound + 1e-6


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(3, 7),
    g=st.integers(1, 3),
    lo=st.integers(1, 3),
    extra=st.integers(0, 2),
    seed=st.integers(0, 1000),
    n_not_with=st.integers(0, 5),
    use_labels=st.booleans(),
)
def test_solve_grouping_matches_brute_force_on_tiny_instances(
    n: int, g: int, lo: int, extra: int, seed: int, n_not_with: int, use_labels: bool
) -> None:
    rng = np.random.default_rng(seed)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = rng.choice(len(pairs), size=min(n_not_with, len(pairs)), replace=False)
    instance = GroupingInstance(
        n=n,
        sizes=[(lo, lo + extra)] * g,
        distance=_distances(n, seed),
        not_with=[pairs[k] for k in chosen],
        labels=[["a", "b", None][int(v)] for v in rng.integers(0, 3, size=n)] if use_labels else None,
        max_same=1,
    )

    result = solve_grouping(instance, time_limit=2.0)
    best, count = _brute_force(instance)

    assert result.feasible is (count > 0)
    if count:
        assert result.optimal is True
        assert result.objective == pytest.approx(best, abs=1e-9)
        assert check_partition(instance, result.groups) == []
    else:
        assert result.groups == []
        assert result.violations != []


def test_solve_grouping_circles_with_every_rule_at_scale() -> None:
    rng = np.random.default_rng(11)
    n, g = 300, 40
    points = rng.random((n, 4))
    distance = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    facilitators = set(range(g))
    lived = set(range(g, g + 120))
    carers = set(range(g + 120, g + 160))
    not_with = [(int(i), int((i * 7 + 3) % n)) for i in range(0, n, 3) if (i * 7 + 3) % n != i]
    labels = [f"org{i % 60}" if i % 2 else None for i in range(n)]
    instance = GroupingInstance(
        n=n,
        sizes=[(6, 8)] * g,
        distance=distance,
        not_with=not_with,
        facilitators=facilitators,
        cover=[(lived, carers)],
        labels=labels,
        max_same=2,
    )

    result = solve_grouping(instance, time_limit=2.0, seed=0)

    assert check_partition(instance, result.groups) == []
    assert result.feasible is True
    assert all(6 <= len(group) <= 8 for group in result.groups)
    assert [len(set(group) & facilitators) for group in result.groups] == [1] * g
    assert result.seconds < 5.0
