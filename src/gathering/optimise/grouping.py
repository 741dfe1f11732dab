"""Diverse grouping: split people into groups that maximise within-group distance under hard rules."""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np

_EPS = 1e-7
# Search settings, tuned on RanReal n=240 and n=480: tabu tenure range (a fraction of n, capped), steps
# without a new best before a restart (times n), and the number of random swaps in a restart kick.
_TENURE_MIN = 0.06
_TENURE_SPAN = 0.04
_TENURE_CAP = 14
_STALL = 30.0
_KICK_MIN = 0.05
_KICK_MAX = 0.17
_INCREMENTAL_MIN_N = 360


@dataclass
class GroupingInstance:
    """People (0..n-1), group size bounds, a symmetric distance matrix and optional hard rules.

    Hard rules, all optional:
    - `not_with`: pairs that must never share a group.
    - `fixed`: element -> group index it must stay in.
    - `facilitators`: every group gets at least one and at most ceil(|F| / g) of them.
    - `cover`: pairs of perspective sets; for each set with at least g members every group gets at least
      one, and a scarcer set is spread at most one per group so that as many groups as possible get one.
    - `labels` with `max_same`: at most `max_same` elements with the same label (say, organisation) in a
      group; None means no label.
    `initial` (group per element, -1 for newcomers) with `move_cost` makes the objective prefer keeping
    people where they were: each person moved costs `move_cost`.
    """

    n: int
    sizes: list[tuple[int, int]]
    distance: np.ndarray
    name: str = "grouping"
    not_with: list[tuple[int, int]] = field(default_factory=list)
    fixed: dict[int, int] = field(default_factory=dict)
    facilitators: set[int] = field(default_factory=set)
    cover: list[tuple[set[int], set[int]]] = field(default_factory=list)
    labels: list[str | None] | None = None
    max_same: int = 2
    initial: list[int] | None = None
    move_cost: float = 0.0

    @property
    def g(self) -> int:
        return len(self.sizes)


@dataclass
class GroupingResult:
    """Best partition found; `objective` is diversity minus move cost, maximised."""

    groups: list[list[int]]
    objective: float
    seconds: float
    feasible: bool
    bound: float | None = None
    optimal: bool = False
    diversity: float = 0.0
    moved: int = 0
    violations: list[str] = field(default_factory=list)


@dataclass
class _CountRule:
    """Per-group count bounds on a set of elements (facilitators, perspective sets)."""

    members: np.ndarray  # bool[n]
    lo: int
    hi: int
    text: str


def _count_rules(instance: GroupingInstance) -> list[_CountRule]:
    n, g = instance.n, instance.g
    rules: list[_CountRule] = []
    if instance.facilitators:
        mask = np.zeros(n, dtype=bool)
        mask[sorted(instance.facilitators)] = True
        rules.append(_CountRule(mask, 1, max(1, math.ceil(len(instance.facilitators) / g)), "facilitators"))
    for number, pair in enumerate(instance.cover, start=1):
        for side, members in zip("ab", pair, strict=True):
            if not members:
                continue
            mask = np.zeros(n, dtype=bool)
            mask[sorted(members)] = True
            text = f"perspective set {number}{side}"
            # A set too small to reach every group is spread out instead, so the most groups get one.
            rules.append(_CountRule(mask, 1, n, text) if len(members) >= g else _CountRule(mask, 0, 1, text))
    return rules


def _label_ids(instance: GroupingInstance) -> tuple[np.ndarray, list[str]]:
    ids = np.full(instance.n, -1, dtype=np.int64)
    names: list[str] = []
    if instance.labels is None:
        return ids, names
    index: dict[str, int] = {}
    for i, label in enumerate(instance.labels):
        if label is not None:
            ids[i] = index.setdefault(label, len(index))
    names = list(index)
    return ids, names


def _pairs_inside(groups: list[list[int]], distance: np.ndarray) -> float:
    total = 0.0
    for group in groups:
        idx = np.asarray(group, dtype=np.int64)
        total += float(distance[np.ix_(idx, idx)].sum()) / 2.0
    return total


def diversity(instance: GroupingInstance, groups: list[list[int]]) -> float:
    """Sum over groups of the distances between all pairs inside the group."""
    return _pairs_inside(groups, np.asarray(instance.distance, dtype=np.float64))


def check_partition(instance: GroupingInstance, groups: list[list[int]]) -> list[str]:
    """Human-readable violations of the hard rules by `groups`; empty when every rule holds."""
    n, g = instance.n, instance.g
    problems: list[str] = []
    if len(groups) != g:
        problems.append(f"expected {g} groups, got {len(groups)}")
    where = np.full(n, -1, dtype=np.int64)
    for k, group in enumerate(groups):
        for i in group:
            if not 0 <= i < n:
                problems.append(f"group {k} holds unknown element {i}")
            elif where[i] >= 0:
                problems.append(f"element {i} is in group {where[i]} and group {k}")
            else:
                where[i] = k
    missing = np.flatnonzero(where < 0)
    if missing.size:
        problems.append(f"{missing.size} element(s) in no group, e.g. {int(missing[0])}")
    if problems:
        return problems
    for k, (group, (lo, hi)) in enumerate(zip(groups, instance.sizes, strict=True)):
        if not lo <= len(group) <= hi:
            problems.append(f"group {k} has {len(group)} members, outside {lo}-{hi}")
    for i, k in sorted(instance.fixed.items()):
        if where[i] != k:
            problems.append(f"element {i} must be in group {k} but is in group {where[i]}")
    for i, j in instance.not_with:
        if where[i] == where[j]:
            problems.append(f"elements {i} and {j} must not be together but share group {where[i]}")
    for rule in _count_rules(instance):
        counts = np.bincount(where[rule.members], minlength=g)
        for k in range(g):
            if counts[k] < rule.lo:
                problems.append(f"group {k} has {counts[k]} of the {rule.text}, needs at least {rule.lo}")
            elif counts[k] > rule.hi:
                problems.append(f"group {k} has {counts[k]} of the {rule.text}, at most {rule.hi} allowed")
    ids, names = _label_ids(instance)
    if names:
        has = ids >= 0
        table = np.zeros((len(names), g), dtype=np.int64)
        np.add.at(table, (ids[has], where[has]), 1)
        for label, k in np.argwhere(table > instance.max_same):
            problems.append(
                f"group {k} has {table[label, k]} people labelled {names[label]!r}, "
                f"at most {instance.max_same} allowed"
            )
    return problems


# ---------------------------------------------------------------------------------------------------
# Infeasibility explanations
# ---------------------------------------------------------------------------------------------------


def _size_reasons(instance: GroupingInstance) -> list[str]:
    n, g = instance.n, instance.g
    reasons: list[str] = []
    if g == 0:
        return ["there are no groups to form"]
    lo_sum = sum(lo for lo, _ in instance.sizes)
    hi_sum = sum(hi for _, hi in instance.sizes)
    if lo_sum <= n <= hi_sum:
        return reasons
    los = {lo for lo, _ in instance.sizes}
    his = {hi for _, hi in instance.sizes}
    if len(los) == 1 and len(his) == 1:
        lo, hi = los.pop(), his.pop()
        counts = [k for k in range(1, n + 1) if k * lo <= n <= k * hi]
        hint = f"form {counts[0]} to {counts[-1]} groups" if counts else "change the group sizes"
        reasons.append(
            f"{n} people cannot form groups of {lo}-{hi} into {g} groups "
            f"(that needs {lo_sum} to {hi_sum} people); {hint}, or change the sizes"
        )
    else:
        reasons.append(
            f"{n} people do not fit the group sizes: they need {lo_sum} to {hi_sum} people; "
            "change the sizes or the number of groups"
        )
    return reasons


def _rule_reasons(instance: GroupingInstance) -> list[str]:
    n, g = instance.n, instance.g
    reasons: list[str] = []
    named = (
        [i for pair in instance.not_with for i in pair] + list(instance.fixed) + list(instance.facilitators)
    )
    named += [i for pair in instance.cover for side in pair for i in side]
    bad = sorted({i for i in named if not 0 <= i < n})
    if bad:
        return [f"rules name unknown element(s) {bad[:5]}; people are numbered 0 to {n - 1}"]
    if instance.labels is not None and len(instance.labels) != n:
        return [f"{len(instance.labels)} labels given for {n} people"]
    for i, k in sorted(instance.fixed.items()):
        if not 0 <= k < g:
            reasons.append(f"element {i} is fixed to group {k}, which does not exist")
    for i, j in instance.not_with:
        if i == j:
            reasons.append(f"element {i} is asked not to be with themself; remove that request")
        elif i in instance.fixed and j in instance.fixed and instance.fixed[i] == instance.fixed[j]:
            reasons.append(
                f"elements {i} and {j} are both fixed to group {instance.fixed[i]} "
                "but must not be together; unfix one or drop the request"
            )
    fixed_count = np.bincount([k for k in instance.fixed.values() if 0 <= k < g], minlength=g)
    for k in np.flatnonzero(fixed_count > np.array([hi for _, hi in instance.sizes])):
        reasons.append(
            f"{fixed_count[k]} people are fixed to group {k}, more than its size {instance.sizes[k][1]}"
        )
    facilitators = instance.facilitators
    if facilitators and len(facilitators) < g:
        reasons.append(
            f"only {len(facilitators)} facilitators for {g} groups, and every group needs one: "
            f"recruit {g - len(facilitators)} more or form {len(facilitators)} groups"
        )
    elif facilitators:
        partners: dict[int, set[int]] = {}
        for i, j in instance.not_with:
            partners.setdefault(i, set()).add(j)
            partners.setdefault(j, set()).add(i)
        for i in sorted(partners):
            if i not in facilitators and facilitators <= partners[i]:
                reasons.append(
                    f"element {i} asked not to be with any of the facilitators, but every group "
                    "has one: relax one of their 'not with' requests"
                )
        pinned = [instance.fixed[f] for f in facilitators if f in instance.fixed]
        cap = math.ceil(len(facilitators) / g)
        if any(pinned.count(k) > cap for k in set(pinned)):
            reasons.append(f"more than {cap} facilitator(s) are fixed to the same group; unfix some")
    clique = _greedy_not_with_clique(instance)
    if len(clique) > g:
        reasons.append(
            f"{len(clique)} people (e.g. {clique[:6]}) all asked not to be with each other, but "
            f"there are only {g} groups: relax some of their 'not with' requests"
        )
    ids, names = _label_ids(instance)
    if names:
        counts = np.bincount(ids[ids >= 0], minlength=len(names))
        for label in np.flatnonzero(counts > instance.max_same * g):
            reasons.append(
                f"{counts[label]} people are labelled {names[label]!r} but at most "
                f"{instance.max_same} per group in {g} groups allows {instance.max_same * g}: "
                "raise the limit or add groups"
            )
    needing = [rule for rule in _count_rules(instance) if rule.lo >= 1]
    smallest = min(hi for _, hi in instance.sizes)
    disjoint = not (np.sum([rule.members for rule in needing], axis=0) > 1).any() if needing else True
    if disjoint and len(needing) > smallest:
        names_needed = ", ".join(rule.text for rule in needing)
        reasons.append(
            f"every group needs one of each of {len(needing)} separate sets ({names_needed}) but a group "
            f"may hold only {smallest}: relax the perspective cover or allow larger groups"
        )
    return reasons


def _greedy_not_with_clique(instance: GroupingInstance) -> list[int]:
    if not instance.not_with:
        return []
    partners: dict[int, set[int]] = {}
    for i, j in instance.not_with:
        if i != j:
            partners.setdefault(i, set()).add(j)
            partners.setdefault(j, set()).add(i)
    best: list[int] = []
    # Cliques larger than the number of groups are rare and small; a greedy pass from each vertex
    # (most-connected first) finds the obvious ones without an exponential search.
    for start in sorted(partners, key=lambda v: -len(partners[v]))[:200]:
        clique = [start]
        candidates = set(partners[start])
        while candidates:
            pick = max(candidates, key=lambda v: len(partners[v] & candidates))
            clique.append(pick)
            candidates &= partners[pick]
        if len(clique) > len(best):
            best = clique
    return sorted(best)


_RELAXATIONS = (
    ("not_with", list, "the 'not with' requests"),
    ("cover", list, "the perspective cover"),
    ("labels", type(None), "the organisation limit"),
    ("facilitators", set, "the facilitator rule"),
    ("fixed", dict, "the fixed places"),
)


def explain_infeasible(instance: GroupingInstance, *, time_limit: float = 5.0) -> list[str]:
    """Reasons why no partition meets every hard rule, with what to relax; empty if one was found."""
    reasons = _size_reasons(instance) + _rule_reasons(instance)
    if reasons:
        return reasons
    result = solve_grouping(instance, time_limit=time_limit, seed=0)
    if result.feasible:
        return []
    reasons = list(result.violations) or ["no partition meeting every rule was found in the time allowed"]
    # Say which single family of rules, dropped alone, would make the groups possible.
    share = time_limit / len(_RELAXATIONS)
    for attribute, empty, text in _RELAXATIONS:
        if not getattr(instance, attribute):
            continue
        relaxed = dataclasses.replace(instance, **{attribute: empty()})
        if solve_grouping(relaxed, time_limit=share, seed=0).feasible:
            reasons.append(f"without {text} the groups can be formed: relax {text} first")
    return reasons


# ---------------------------------------------------------------------------------------------------
# Search state with incremental sums
# ---------------------------------------------------------------------------------------------------


class _Model:
    """Instance data in array form for the search."""

    def __init__(self, instance: GroupingInstance) -> None:
        n, g = instance.n, instance.g
        self.instance = instance
        self.n, self.g = n, g
        self.d = np.ascontiguousarray(instance.distance, dtype=np.float64)
        self.neg2d = (-2.0 * self.d).astype(np.float32)
        self.lo = np.array([lo for lo, _ in instance.sizes], dtype=np.int64)
        self.hi = np.array([hi for _, hi in instance.sizes], dtype=np.int64)
        self.movable = np.ones(n, dtype=bool)
        for i in instance.fixed:
            self.movable[i] = False
        self.any_fixed = bool(instance.fixed)
        self.unary = np.zeros((n, g), dtype=np.float64)
        self.initial = np.full(n, -1, dtype=np.int64)
        if instance.initial is not None:
            self.initial = np.asarray(instance.initial, dtype=np.int64)
            if instance.move_cost:
                has = self.initial >= 0
                self.unary[np.flatnonzero(has), self.initial[has]] = instance.move_cost
        self.has_unary = bool(self.unary.any())
        self.nw: np.ndarray | None = None
        if instance.not_with:
            self.nw = np.zeros((n, n), dtype=np.int16)
            for i, j in instance.not_with:
                if i != j:
                    self.nw[i, j] = self.nw[j, i] = 1
        self.label, names = _label_ids(instance)
        self.n_labels = len(names)
        self.max_same = instance.max_same
        self.rules = _count_rules(instance)
        self.rule_mat = (
            np.array([r.members for r in self.rules], dtype=np.int32)
            if self.rules
            else np.zeros((0, n), np.int32)
        )
        self.rule_lo = np.array([r.lo for r in self.rules], dtype=np.int64)
        self.rule_hi = np.array([r.hi for r in self.rules], dtype=np.int64)
        self.constrained = self.nw is not None or self.n_labels > 0 or bool(self.rules) or self.any_fixed
        self.variable_sizes = bool((self.lo != self.hi).any())


class _State:
    """A complete assignment with, per element, its summed distance to every group (delta in O(1))."""

    def __init__(self, model: _Model, grp: np.ndarray) -> None:
        self.model = model
        self.set(grp)

    def set(self, grp: np.ndarray) -> None:
        m = self.model
        self.grp = np.asarray(grp, dtype=np.int64).copy()
        self.sizes = np.bincount(self.grp, minlength=m.g)
        # Column sums per group after sorting by group: O(n^2) work, unlike a dense n x n x g product.
        order = np.argsort(self.grp, kind="stable")
        starts = np.concatenate(([0], np.cumsum(self.sizes)[:-1]))
        self.S = np.zeros((m.n, m.g), dtype=np.float64)
        self.C = None
        filled = self.sizes > 0
        if filled.any():
            self.S[:, filled] = np.add.reduceat(m.d[:, order], starts[filled], axis=1)
        if m.nw is not None:
            self.C = np.zeros((m.n, m.g), dtype=np.int16)
            if filled.any():
                self.C[:, filled] = np.add.reduceat(m.nw[:, order], starts[filled], axis=1, dtype=np.int16)
        onehot = np.zeros((m.n, m.g), dtype=np.int32)
        onehot[np.arange(m.n), self.grp] = 1
        self.cnt_label = np.zeros((m.n_labels, m.g), dtype=np.int64)
        has = m.label >= 0
        np.add.at(self.cnt_label, (m.label[has], self.grp[has]), 1)
        self.cnt_rule = m.rule_mat @ onehot
        self.score = float(
            0.5 * self.S[np.arange(m.n), self.grp].sum() + m.unary[np.arange(m.n), self.grp].sum()
        )

    def gains(self) -> np.ndarray:
        """Gain of moving each element to each group (n x g); zero for its own group."""
        m = self.model
        value = self.S + m.unary if m.has_unary else self.S
        return value - value[np.arange(m.n), self.grp][:, None]

    def apply_swap(self, i: int, j: int) -> None:
        m = self.model
        a, b = int(self.grp[i]), int(self.grp[j])
        value = self.S + m.unary if m.has_unary else self.S
        delta = value[i, b] - value[i, a] + value[j, a] - value[j, b] - 2.0 * m.d[i, j]
        self.score += float(delta)
        column = m.d[:, j] - m.d[:, i]
        self.S[:, a] += column
        self.S[:, b] -= column
        if self.C is not None:
            ncol = m.nw[:, j] - m.nw[:, i]
            self.C[:, a] += ncol
            self.C[:, b] -= ncol
        li, lj = m.label[i], m.label[j]
        if li != lj:
            if li >= 0:
                self.cnt_label[li, a] -= 1
                self.cnt_label[li, b] += 1
            if lj >= 0:
                self.cnt_label[lj, b] -= 1
                self.cnt_label[lj, a] += 1
        if m.rules:
            rcol = m.rule_mat[:, j] - m.rule_mat[:, i]
            self.cnt_rule[:, a] += rcol
            self.cnt_rule[:, b] -= rcol
        self.grp[i], self.grp[j] = b, a

    def apply_move(self, i: int, b: int) -> None:
        m = self.model
        a = int(self.grp[i])
        value = self.S + m.unary if m.has_unary else self.S
        self.score += float(value[i, b] - value[i, a])
        self.S[:, a] -= m.d[:, i]
        self.S[:, b] += m.d[:, i]
        self.sizes[a] -= 1
        self.sizes[b] += 1
        if self.C is not None:
            self.C[:, a] -= m.nw[:, i]
            self.C[:, b] += m.nw[:, i]
        if m.label[i] >= 0:
            self.cnt_label[m.label[i], a] -= 1
            self.cnt_label[m.label[i], b] += 1
        if m.rules:
            self.cnt_rule[:, a] -= m.rule_mat[:, i]
            self.cnt_rule[:, b] += m.rule_mat[:, i]
        self.grp[i] = b

    # -- feasibility masks: moves that keep every hard rule satisfied ---------------------------------

    def swap_mask(self, rows: np.ndarray) -> np.ndarray | None:
        """Allowed swaps between `rows` and every element (rows x n), or None when all are allowed."""
        m = self.model
        if not m.constrained:
            return None
        grp = self.grp
        g_rows = grp[rows]
        ok = np.ones((rows.size, m.n), dtype=bool)
        if m.any_fixed:
            ok &= m.movable[rows][:, None] & m.movable[None, :]
        if self.C is not None:
            own = m.nw[rows]
            ok &= (self.C[rows][:, grp] - own) == 0
            ok &= (self.C[:, g_rows].T - own) == 0
        if m.n_labels:
            lab = m.label
            # Unlabelled elements index a sentinel row of zeros, so they always have room.
            table = np.vstack([self.cnt_label, np.zeros((1, m.g), dtype=self.cnt_label.dtype)])
            room_r = table[lab[rows]] < m.max_same
            room_c = table[lab[:, None], g_rows[None, :]] < m.max_same
            same = lab[rows][:, None] == lab[None, :]
            ok &= same | (room_r[:, grp] & room_c.T)
        for r in range(len(m.rules)):
            mem = m.rule_mat[r].astype(bool)
            leave = self.cnt_rule[r] - 1 >= m.rule_lo[r]
            enter = self.cnt_rule[r] + 1 <= m.rule_hi[r]
            mi = mem[rows][:, None]
            mj = mem[None, :]
            out_i = mi & ~mj & (leave[g_rows][:, None] & enter[grp][None, :])
            out_j = mj & ~mi & (leave[grp][None, :] & enter[g_rows][:, None])
            ok &= (mi == mj) | out_i | out_j
        return ok

    def move_mask(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Allowed single-element moves (rows x g, all rows by default), sizes and rules included."""
        m = self.model
        rows = np.arange(m.n) if rows is None else rows
        own = self.grp[rows]
        ok = (self.sizes[own] > m.lo[own])[:, None] & (self.sizes < m.hi)[None, :]
        ok[np.arange(rows.size), own] = False
        if m.any_fixed:
            ok &= m.movable[rows][:, None]
        if self.C is not None:
            ok &= self.C[rows] == 0
        if m.n_labels:
            lab = m.label[rows]
            has = lab >= 0
            ok[has] &= self.cnt_label[lab[has]] < m.max_same
        for r in range(len(m.rules)):
            mem = m.rule_mat[r, rows].astype(bool)
            leave = self.cnt_rule[r] - 1 >= m.rule_lo[r]
            enter = self.cnt_rule[r] + 1 <= m.rule_hi[r]
            ok[mem] &= leave[own[mem]][:, None] & enter[None, :]
        return ok


# ---------------------------------------------------------------------------------------------------
# Construction and repair
# ---------------------------------------------------------------------------------------------------


def _target_sizes(
    model: _Model, rng: np.random.Generator, prefer: np.ndarray | None = None
) -> np.ndarray | None:
    if model.n < int(model.lo.sum()) or model.n > int(model.hi.sum()):
        return None
    # Start from the preferred sizes (the old groups when re-forming) clipped to the bounds, then add or
    # remove one person at a time where there is most room, keeping the groups even.
    sizes = model.lo.copy() if prefer is None else np.clip(prefer, model.lo, model.hi)
    while int(sizes.sum()) < model.n:
        room = np.flatnonzero(sizes < model.hi)
        sizes[room[np.argmin(sizes[room] + rng.random(room.size))]] += 1
    while int(sizes.sum()) > model.n:
        room = np.flatnonzero(sizes > model.lo)
        sizes[room[np.argmax(sizes[room] + rng.random(room.size))]] -= 1
    return sizes


def _violation_of_group(model: _Model, members: list[int], k: int) -> int:
    """Number of broken rules inside one group (sizes excluded)."""
    total = 0
    idx = np.asarray(members, dtype=np.int64)
    if model.nw is not None and idx.size:
        total += int(model.nw[np.ix_(idx, idx)].sum()) // 2
    if model.n_labels and idx.size:
        labs = model.label[idx]
        labs = labs[labs >= 0]
        if labs.size:
            total += int(np.maximum(np.bincount(labs) - model.max_same, 0).sum())
    for r in range(len(model.rules)):
        c = int(model.rule_mat[r, idx].sum()) if idx.size else 0
        total += max(0, model.rule_lo[r] - c) + max(0, c - model.rule_hi[r])
    for i in members:
        fixed = model.instance.fixed.get(i)
        if fixed is not None and fixed != k:
            total += 1
    return total


def _construct(model: _Model, rng: np.random.Generator) -> np.ndarray | None:
    """Greedy placement: pinned people, then scarce rule members, then the rest where they fit best."""
    n, g = model.n, model.g
    old = model.initial
    keep = (old >= 0) & (old < g)
    pinned = np.bincount(list(model.instance.fixed.values()), minlength=g)
    prefer = np.maximum(np.bincount(old[keep], minlength=g), pinned) if keep.any() or pinned.any() else None
    target = _target_sizes(model, rng, prefer)
    if target is None:
        return None
    grp = np.full(n, -1, dtype=np.int64)
    sizes = np.zeros(g, dtype=np.int64)
    conflicts = np.zeros((n, g), dtype=np.int64)
    label_count = np.zeros((max(model.n_labels, 1), g), dtype=np.int64)
    rule_count = np.zeros((len(model.rules), g), dtype=np.int64)
    div = np.zeros((n, g), dtype=np.float64)

    def place(i: int, k: int) -> None:
        grp[i] = k
        sizes[k] += 1
        if model.nw is not None:
            conflicts[:, k] += model.nw[:, i]
        if model.label[i] >= 0:
            label_count[model.label[i], k] += 1
        if model.rules:
            rule_count[:, k] += model.rule_mat[:, i]
        div[:, k] += model.d[:, i]

    def penalty(i: int) -> np.ndarray:
        pen = conflicts[i].astype(np.float64) * 4.0
        if model.label[i] >= 0:
            pen += (label_count[model.label[i]] >= model.max_same) * 2.0
        for r in np.flatnonzero(model.rule_mat[:, i]):
            pen += (rule_count[r] >= model.rule_hi[r]) * 2.0
        return pen

    for i, k in model.instance.fixed.items():
        place(i, k)
    # When re-forming, everyone stays in their old group while it has room; the repair and the search
    # then move as few people as the rules and the objective require.
    for i in rng.permutation(np.flatnonzero(keep)):
        if grp[i] < 0 and sizes[old[i]] < target[old[i]]:
            place(int(i), int(old[i]))
    # Scarcest rules first: each group below its lower count takes one member of the rule.
    order = sorted(range(len(model.rules)), key=lambda r: int(model.rule_mat[r].sum()))
    for r in order:
        members = [int(i) for i in rng.permutation(np.flatnonzero(model.rule_mat[r])) if grp[i] < 0]
        for i in members:
            need = (rule_count[r] < max(model.rule_lo[r], 1)) & (sizes < target)
            if not need.any():
                break
            score = penalty(i) * 1e9 - rng.random(g)
            score[~need] = np.inf
            place(i, int(np.argmin(score)))
    rest = [int(i) for i in rng.permutation(n) if grp[i] < 0]
    # Most-constrained people first (many "not with" partners or a label), then by random order.
    if model.nw is not None or model.n_labels:
        weight = (model.nw.sum(axis=1) if model.nw is not None else 0) + (model.label >= 0)
        rest.sort(key=lambda i: -int(np.asarray(weight)[i]))
    for i in rest:
        open_ = sizes < target
        if not open_.any():
            open_ = sizes < model.hi
        score = penalty(i) * 1e9 - div[i] - rng.random(g) * 1e-6
        score[~open_] = np.inf
        place(i, int(np.argmin(score)))
    return grp


def _total_violation(model: _Model, grp: np.ndarray) -> tuple[int, list[list[int]]]:
    groups = [[] for _ in range(model.g)]
    for i, k in enumerate(grp):
        groups[int(k)].append(i)
    return sum(_violation_of_group(model, groups[k], k) for k in range(model.g)), groups


def _repair(model: _Model, grp: np.ndarray, rng: np.random.Generator, deadline: float) -> bool:
    """Min-conflicts swaps and moves until no rule is broken or time runs out; edits grp in place."""
    total, groups = _total_violation(model, grp)
    if total == 0:
        return True
    group_viol = [_violation_of_group(model, groups[k], k) for k in range(model.g)]
    sizes = np.array([len(x) for x in groups])
    while total > 0 and time.perf_counter() < deadline:
        # Any member of a group that breaks a rule may be the culprit; sampling keeps each step cheap.
        bad_groups = [k for k in range(model.g) if group_viol[k] > 0]
        a = int(rng.choice(bad_groups))
        i = int(rng.choice(groups[a]))
        if not model.movable[i]:
            continue
        best: tuple[float, int, int] | None = None
        others = rng.permutation(model.n)[: min(model.n, 120)]
        for j in others:
            j = int(j)
            b = int(grp[j])
            if b == a or not model.movable[j]:
                continue
            new_a = [x for x in groups[a] if x != i] + [j]
            new_b = [x for x in groups[b] if x != j] + [i]
            change = (
                _violation_of_group(model, new_a, a)
                + _violation_of_group(model, new_b, b)
                - group_viol[a]
                - group_viol[b]
            )
            key = change + rng.random() * 0.5
            if best is None or key < best[0]:
                best = (key, j, b)
        for b in range(model.g):
            if b == a or sizes[a] <= model.lo[a] or sizes[b] >= model.hi[b]:
                continue
            new_a = [x for x in groups[a] if x != i]
            new_b = [*groups[b], i]
            change = (
                _violation_of_group(model, new_a, a)
                + _violation_of_group(model, new_b, b)
                - group_viol[a]
                - group_viol[b]
            )
            key = change + rng.random() * 0.5
            if best is None or key < best[0]:
                best = (key, -1, b)
        if best is None:
            continue
        # Accept sideways and slightly worse steps now and then, to walk off plateaus.
        if best[0] > 1.0 and rng.random() > 0.1:
            continue
        _, j, b = best
        groups[a].remove(i)
        groups[b].append(i)
        grp[i] = b
        if j >= 0:
            groups[b].remove(j)
            groups[a].append(j)
            grp[j] = a
        else:
            sizes[a] -= 1
            sizes[b] += 1
        total -= group_viol[a] + group_viol[b]
        group_viol[a] = _violation_of_group(model, groups[a], a)
        group_viol[b] = _violation_of_group(model, groups[b], b)
        total += group_viol[a] + group_viol[b]
    return total == 0


# ---------------------------------------------------------------------------------------------------
# Tabu search with perturbation
# ---------------------------------------------------------------------------------------------------


class _Best:
    """The best assignment seen so far and its score."""

    def __init__(self, state: _State) -> None:
        self.grp = state.grp.copy()
        self.score = state.score

    def offer(self, state: _State) -> bool:
        if state.score > self.score + _EPS:
            self.grp = state.grp.copy()
            self.score = state.score
            return True
        return False


def _tenure(n: int) -> tuple[int, int]:
    low = max(1, min(int(_TENURE_MIN * n), _TENURE_CAP))
    return low, low + max(2, min(int(_TENURE_SPAN * n), 10))


def _tabu_search(
    state: _State, best: _Best, rng: np.random.Generator, deadline: float, *, max_stall: int
) -> None:
    """Best-improvement tabu search over swap and move neighbourhoods, evaluated as whole matrices.

    An element may not return to a group it left for a few steps. Setting those entries of the gain matrix
    (n x g) to -inf removes every tabu swap and move at no extra cost, since a swap's delta adds the two
    elements' gains; the element's own group is -inf too, which removes same-group swaps.
    """
    m = state.model
    n, g = m.n, m.g
    until = np.zeros((n, g), dtype=np.int64)
    max_neg2d = float(m.neg2d.max())
    # Large instances evaluate a random block of rows per step: the step stays cheap and the search still
    # sees every element within a few steps.
    block = n if n <= 700 else (128 if m.constrained else 384)
    tenure_lo, tenure_hi = _tenure(n)
    it = 0
    stall = 0
    neg_inf = np.float32(-np.inf)
    arange_n = np.arange(n)
    check_every = 16
    while stall < max_stall:
        if it % check_every == 0 and time.perf_counter() >= deadline:
            break
        it += 1
        grp = state.grp
        if block == n:
            rows = arange_n
            raw_r = state.gains().astype(np.float32)
            raw_r[arange_n, grp] = neg_inf
            gains_r = np.where(until >= it, neg_inf, raw_r)
            P = gains_r[:, grp]
            delta = P + P.T
            delta += m.neg2d
            top = float(raw_r.max())
        else:
            # Only the sampled rows' gains and the gains into the sampled rows' groups are needed,
            # so the step costs O(block x (n + g)) however many groups there are.
            rows = rng.choice(n, size=block, replace=False)
            value = state.S + m.unary if m.has_unary else state.S
            own = value[arange_n, grp]
            cols = grp[rows]
            raw_r = (value[rows] - own[rows][:, None]).astype(np.float32)
            raw_r[np.arange(block), cols] = neg_inf
            gains_r = np.where(until[rows] >= it, neg_inf, raw_r)
            raw_c = (value[:, cols] - own[:, None]).astype(np.float32)
            gains_c = np.where(until[:, cols] >= it, neg_inf, raw_c)
            delta = gains_r[:, grp] + gains_c.T
            delta += m.neg2d[rows]
            top = max(float(raw_r.max()), float(raw_c.max()))
        allowed = state.swap_mask(rows)
        if allowed is not None:
            delta = np.where(allowed, delta, neg_inf)
        k = int(np.argmax(delta))
        choice_val = float(delta.flat[k])
        kind = "swap"
        i_best, j_best = int(rows[k // n]), k % n
        # Aspiration: a tabu swap that beats the best solution is taken anyway. The full evaluation is
        # skipped when even the two best raw gains cannot reach the best score.
        need = best.score + 1e-6 - state.score - max_neg2d
        # Only rows whose best gain, plus the best gain anywhere, could reach the best score.
        hopeful = (
            np.flatnonzero(raw_r.max(axis=1).astype(np.float64) + top > need) if 2.0 * top > need else ()
        )
        if len(hopeful):
            if block == n:
                asp = raw_r[hopeful][:, grp] + raw_r[:, grp[hopeful]].T
            else:
                asp = raw_r[hopeful][:, grp] + raw_c[:, hopeful].T
            asp += m.neg2d[rows[hopeful]]
            if allowed is not None:
                asp = np.where(allowed[hopeful], asp, neg_inf)
            ka = int(np.argmax(asp))
            val = float(asp.flat[ka])
            if val > choice_val and state.score + val > best.score + 1e-6:
                choice_val, i_best, j_best = val, int(rows[hopeful[ka // n]]), ka % n
        if m.variable_sizes:
            ok = state.move_mask(rows)
            mv = np.where(ok, gains_r, neg_inf)
            km = int(np.argmax(mv))
            mval = float(mv.flat[km])
            if state.score + top > best.score + 1e-6:
                mva = np.where(ok, raw_r, neg_inf)
                kma = int(np.argmax(mva))
                if float(mva.flat[kma]) > mval and state.score + float(mva.flat[kma]) > best.score + 1e-6:
                    km, mval = kma, float(mva.flat[kma])
            if mval > choice_val:
                choice_val = mval
                kind = "move"
                i_best, j_best = int(rows[km // g]), km % g
        if not np.isfinite(choice_val):
            break
        if kind == "swap":
            a, b = int(grp[i_best]), int(grp[j_best])
            state.apply_swap(i_best, j_best)
            until[i_best, a] = it + rng.integers(tenure_lo, tenure_hi + 1)
            until[j_best, b] = it + rng.integers(tenure_lo, tenure_hi + 1)
        else:
            a = int(grp[i_best])
            state.apply_move(i_best, j_best)
            until[i_best, a] = it + rng.integers(tenure_lo, tenure_hi + 1)
        if best.offer(state):
            stall = 0
        else:
            stall += 1


def _tabu_search_incremental(
    state: _State, best: _Best, rng: np.random.Generator, deadline: float, *, max_stall: int
) -> None:
    """The same tabu search for instances without hard rules, keeping the swap-delta matrix between steps.

    A step changes the gains of every element into the two groups involved, and all gains of their
    members, so only the rows and columns of those members (plus elements whose tabu just expired) of
    the n x n delta matrix are recomputed; each row's best entry is kept too, so choosing a swap does
    not scan the whole matrix. That is about g / 4 times less work per step than a full evaluation.
    """
    m = state.model
    n, g = m.n, m.g
    until = np.zeros((n, g), dtype=np.int64)
    expiring: dict[int, list[tuple[int, int]]] = {}
    tenure_lo, tenure_hi = _tenure(n)
    neg_inf = np.float32(-np.inf)
    arange_n = np.arange(n)
    max_neg2d = float(m.neg2d.max())
    it = 0
    stall = 0

    def masked_gains() -> tuple[np.ndarray, np.ndarray]:
        raw = state.gains().astype(np.float32)
        raw[arange_n, state.grp] = neg_inf
        return raw, np.where(until >= it, neg_inf, raw)

    it = 1
    raw, gm = masked_gains()
    P = gm[:, state.grp]
    delta = P + P.T
    delta += m.neg2d
    row_arg = np.argmax(delta, axis=1)
    row_max = delta[arange_n, row_arg]
    while stall < max_stall:
        if it % 16 == 0 and time.perf_counter() >= deadline:
            break
        grp = state.grp
        r = int(np.argmax(row_max))
        choice_val, i_best, j_best = float(row_max[r]), r, int(row_arg[r])
        kind = "swap"
        top = float(raw.max())
        need = best.score + 1e-6 - state.score - max_neg2d
        hopeful = np.flatnonzero(raw.max(axis=1).astype(np.float64) + top > need) if 2.0 * top > need else ()
        if len(hopeful):
            asp = raw[hopeful][:, grp] + raw[:, grp[hopeful]].T
            asp += m.neg2d[hopeful]
            ka = int(np.argmax(asp))
            val = float(asp.flat[ka])
            if val > choice_val and state.score + val > best.score + 1e-6:
                choice_val, i_best, j_best = val, int(hopeful[ka // n]), ka % n
        if m.variable_sizes:
            ok = state.move_mask()
            mv = np.where(ok, gm, neg_inf)
            km = int(np.argmax(mv))
            mval = float(mv.flat[km])
            if state.score + top > best.score + 1e-6:
                mva = np.where(ok, raw, neg_inf)
                kma = int(np.argmax(mva))
                if float(mva.flat[kma]) > mval and state.score + float(mva.flat[kma]) > best.score + 1e-6:
                    km, mval = kma, float(mva.flat[kma])
            if mval > choice_val:
                choice_val, kind = mval, "move"
                i_best, j_best = divmod(km, g)
        if not np.isfinite(choice_val):
            break
        a = int(grp[i_best])
        if kind == "swap":
            b = int(grp[j_best])
            state.apply_swap(i_best, j_best)
            changes = [(i_best, a), (j_best, b)]
        else:
            b = j_best
            state.apply_move(i_best, b)
            changes = [(i_best, a)]
        for x, k in changes:
            until[x, k] = it + rng.integers(tenure_lo, tenure_hi + 1)
            expiring.setdefault(int(until[x, k]) + 1, []).append((x, k))
        if best.offer(state):
            stall = 0
        else:
            stall += 1
        it += 1
        grp = state.grp
        # Rows to refresh: members of the two groups touched, and elements whose tabu ends now.
        touched = (grp == a) | (grp == b)
        for x, k in expiring.pop(it, []):
            if until[x, k] == it - 1:
                touched[x] = True
        rows = np.flatnonzero(touched)
        raw, gm = masked_gains()
        fresh = gm[rows][:, grp] + gm[:, grp[rows]].T
        fresh += m.neg2d[rows]
        delta[rows] = fresh
        delta[:, rows] = fresh.T
        # Rows outside `rows` changed only in the columns `rows`: their best entry either stays, is
        # beaten by a new value there, or was there and must be found again.
        col_arg = np.argmax(fresh, axis=0)
        col_max = fresh[col_arg, arange_n]
        stale = touched[row_arg]
        up = col_max > row_max
        row_max = np.where(up, col_max, row_max)
        row_arg = np.where(up, rows[col_arg], row_arg)
        redo = np.flatnonzero(touched | (stale & ~up))
        row_arg[redo] = np.argmax(delta[redo], axis=1)
        row_max[redo] = delta[redo, row_arg[redo]]


def _perturb(state: _State, rng: np.random.Generator, strength: int) -> None:
    """Random feasible swaps (and moves where sizes allow) to leave the current basin."""
    m = state.model
    done = 0
    tries = 0
    while done < strength and tries < strength * 20:
        tries += 1
        i = int(rng.integers(m.n))
        if m.variable_sizes and rng.random() < 0.3:
            ok = state.move_mask(np.array([i]))[0]
            if ok.any():
                state.apply_move(i, int(rng.choice(np.flatnonzero(ok))))
                done += 1
            continue
        mask = state.swap_mask(np.array([i]))
        options = state.grp != state.grp[i]
        if mask is not None:
            options &= mask[0]
        if options.any():
            state.apply_swap(i, int(rng.choice(np.flatnonzero(options))))
            done += 1


def _random_assignment(model: _Model, rng: np.random.Generator) -> np.ndarray | None:
    target = None
    if model.variable_sizes and (model.d >= 0).all():
        # With non-negative distances more pairs means more diversity, so start from the sizes with the
        # most pairs; the move neighbourhood still rebalances them.
        target = _pair_sizes(model)
    if target is None:
        target = _target_sizes(model, rng)
    if target is None:
        return None
    return rng.permutation(np.repeat(np.arange(model.g), target))


def _metaheuristic(model: _Model, grp: np.ndarray, rng: np.random.Generator, deadline: float) -> _Best:
    """Iterated tabu search: tabu walks from the best solution, restarted after a random kick."""
    state = _State(model, grp)
    best = _Best(state)
    if model.g == 1:
        return best  # one group: nothing to choose
    n = model.n
    max_stall = max(200, int(_STALL * n))
    strength_lo = max(2, int(n * _KICK_MIN))
    strength_hi = max(3, int(n * _KICK_MAX))
    # Without hard rules the incremental variant pays off once n^2 dominates numpy's per-call overhead.
    search = _tabu_search_incremental if (not model.constrained and n >= _INCREMENTAL_MIN_N) else _tabu_search
    while time.perf_counter() < deadline:
        search(state, best, rng, deadline, max_stall=max_stall)
        if time.perf_counter() >= deadline:
            break
        state.set(best.grp)
        _perturb(state, rng, int(rng.integers(strength_lo, strength_hi + 1)))
        best.offer(state)
    return best


# ---------------------------------------------------------------------------------------------------
# Exact model (CP-SAT) and bounds
# ---------------------------------------------------------------------------------------------------


_CPSAT_MAX_N = 200
_PROVED_INFEASIBLE = (
    "the rules cannot all be met together (checked exhaustively), though each size and count allows it; "
    "relax 'not with' requests, the perspective cover, the organisation limit or the fixed places"
)


def _cpsat_feasible(model: _Model, time_limit: float) -> tuple[str, np.ndarray | None]:
    """A partition meeting every hard rule, from CP-SAT; the status says INFEASIBLE when none exists."""
    from ortools.sat.python import cp_model

    n, g = model.n, model.g
    inst = model.instance
    cp = cp_model.CpModel()
    x = [[cp.new_bool_var(f"x{i}_{k}") for k in range(g)] for i in range(n)]
    for i in range(n):
        cp.add_exactly_one(x[i])
    for k in range(g):
        cp.add(sum(x[i][k] for i in range(n)) >= int(model.lo[k]))
        cp.add(sum(x[i][k] for i in range(n)) <= int(model.hi[k]))
    for i, k in inst.fixed.items():
        cp.add(x[i][k] == 1)
    for i, j in inst.not_with:
        if i != j:
            for k in range(g):
                cp.add_bool_or([x[i][k].negated(), x[j][k].negated()])
    for r in range(len(model.rules)):
        members = np.flatnonzero(model.rule_mat[r])
        for k in range(g):
            total = sum(x[int(i)][k] for i in members)
            cp.add(total >= int(model.rule_lo[r]))
            cp.add(total <= int(min(model.rule_hi[r], len(members))))
    for lab in range(model.n_labels):
        members = np.flatnonzero(model.label == lab)
        if members.size > model.max_same:
            for k in range(g):
                cp.add(sum(x[int(i)][k] for i in members) <= model.max_same)
    # Groups with the same size bounds and nothing pinned are interchangeable: order them by their
    # smallest member so an infeasibility proof need not visit mirror images.
    if not inst.fixed:
        classes: dict[tuple[int, int], list[int]] = {}
        for k in range(g):
            classes.setdefault((int(model.lo[k]), int(model.hi[k])), []).append(k)
        for ks in classes.values():
            for prev, k in itertools.pairwise(ks):
                for i in range(n):
                    cp.add(x[i][k] <= sum(x[j][prev] for j in range(i)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    status = solver.solve(cp)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return name, None
    grp = np.array([next(k for k in range(g) if solver.value(x[i][k])) for i in range(n)], dtype=np.int64)
    return name, grp


_DP_MAX_N = 14


def _subset_dp(model: _Model, deadline: float) -> np.ndarray | None:
    """Exact optimum for tiny instances by dynamic programming over subsets, groups taken in order.

    best[mask] is the best score with groups 0..k-1 holding exactly the elements in mask; group k then
    takes any allowed subset of the rest. About 3^n steps in all, done as one vector step per subset.
    Returns None if no partition meets the rules or time ran out.
    """
    n, g = model.n, model.g
    full = (1 << n) - 1
    masks = np.arange(1 << n, dtype=np.int64)
    bits = (masks[:, None] >> np.arange(n)) & 1  # (2^n, n) membership table
    members = bits.astype(np.float64)
    size = bits.sum(axis=1)
    # Within-subset diversity: sum over members of their distances to the subset, halved.
    inside = 0.5 * np.einsum("si,ij,sj->s", members, model.d, members)
    valid_all = np.ones(1 << n, dtype=bool)
    if model.nw is not None:
        valid_all &= np.einsum("si,ij,sj->s", members, model.nw.astype(np.float64), members) == 0
    if model.n_labels:
        for lab in range(model.n_labels):
            valid_all &= bits[:, model.label == lab].sum(axis=1) <= model.max_same
    for r in range(len(model.rules)):
        c = bits[:, model.rule_mat[r].astype(bool)].sum(axis=1)
        valid_all &= (c >= model.rule_lo[r]) & (c <= model.rule_hi[r])
    best = np.full(1 << n, -np.inf)
    best[0] = 0.0
    choices: list[np.ndarray] = []
    for k in range(g):
        valid = valid_all & (size >= model.lo[k]) & (size <= model.hi[k])
        for i, fk in model.instance.fixed.items():
            valid &= bits[:, i] == 1 if fk == k else bits[:, i] == 0
        gain = inside + (members @ model.unary[:, k] if model.has_unary else 0.0)
        nxt = np.full(1 << n, -np.inf)
        choice = np.zeros(1 << n, dtype=np.int64)
        reachable = np.flatnonzero(best > -np.inf)
        for sub in np.flatnonzero(valid):
            if time.perf_counter() > deadline:
                return None
            base = reachable[(reachable & sub) == 0]
            target = base | sub
            value = best[base] + gain[sub]
            better = value > nxt[target]
            nxt[target[better]] = value[better]
            choice[target[better]] = sub
        best = nxt
        choices.append(choice)
    if best[full] == -np.inf:
        return None
    grp = np.zeros(n, dtype=np.int64)
    mask = full
    for k in range(g - 1, -1, -1):
        sub = int(choices[k][mask])
        grp[bits[sub].astype(bool)] = k
        mask &= ~sub
    return grp


def _pair_sizes(model: _Model) -> np.ndarray | None:
    """A feasible size vector with the most within-group pairs (a convex maximum, found by DP)."""
    n, g = model.n, model.g
    if g * n * int((model.hi - model.lo).max(initial=0) + 1) > 5_000_000:
        return None
    neg = -(10**18)
    best = np.full(n + 1, neg, dtype=np.int64)
    best[0] = 0
    choice = np.zeros((g, n + 1), dtype=np.int64)
    for k, (lo, hi) in enumerate(zip(model.lo, model.hi, strict=True)):
        nxt = np.full(n + 1, neg, dtype=np.int64)
        for s in range(int(lo), int(min(hi, n)) + 1):
            shifted = np.full(n + 1, neg, dtype=np.int64)
            shifted[s:] = best[: n + 1 - s]
            ok = shifted > neg
            shifted[ok] += s * (s - 1) // 2
            better = shifted > nxt
            nxt[better] = shifted[better]
            choice[k, better] = s
        best = nxt
    if best[n] == neg:
        return None
    sizes = np.zeros(g, dtype=np.int64)
    rest = n
    for k in range(g - 1, -1, -1):
        sizes[k] = choice[k, rest]
        rest -= sizes[k]
    return sizes


def _max_pairs(model: _Model) -> int:
    """Most within-group pairs any feasible size vector allows."""
    sizes = _pair_sizes(model)
    if sizes is None:
        return int(sum(min(h, model.n) * (min(h, model.n) - 1) // 2 for h in model.hi))
    return int((sizes * (sizes - 1) // 2).sum())


def _upper_bound(model: _Model, time_limit: float) -> float | None:
    """Upper bound on the score from a relaxation.

    Each element has at most (largest size - 1) partners and there are at most P within-group pairs, so
    the best fractional b-matching (pair weights z in [0, 1], sum of z at each element at most the degree,
    sum of all z at most P) bounds the diversity; triangle inequalities z_ij + z_jk - z_ik <= 1, valid for
    any partition, are added in rounds while they cut. Move costs add at most `move_cost` per element.
    Without an LP (large n), the star bound (each element's largest distances, halved) is used.
    """
    n = model.n
    deg = int(min(model.hi.max(initial=1), n)) - 1
    d = model.d
    unary = float(model.unary.max(axis=1).sum()) if model.has_unary else 0.0
    if deg <= 0:
        return unary
    if (d < 0).any():
        return None
    top = -np.partition(-d, deg - 1, axis=1)[:, :deg] if deg < n else d
    star = float(top.sum()) / 2.0
    if n > 60:
        return star + unary
    from ortools.linear_solver import pywraplp

    start = time.perf_counter()
    solver = pywraplp.Solver.CreateSolver("GLOP")
    iu, ju = np.triu_indices(n, 1)
    z = [solver.NumVar(0.0, 1.0, "") for _ in range(iu.size)]
    index = np.zeros((n, n), dtype=np.int64)
    index[iu, ju] = np.arange(iu.size)
    index[ju, iu] = np.arange(iu.size)
    # Every element has between (smallest size - 1) and (largest size - 1) partners.
    deg_lo = max(0, int(model.lo.min(initial=0)) - 1)
    for i in range(n):
        solver.Add(solver.Sum([z[int(index[i, j])] for j in range(n) if j != i]) <= deg)
        if deg_lo:
            solver.Add(solver.Sum([z[int(index[i, j])] for j in range(n) if j != i]) >= deg_lo)
    solver.Add(solver.Sum(z) <= _max_pairs(model))
    solver.Maximize(solver.Sum([float(d[a, b]) * z[k] for k, (a, b) in enumerate(zip(iu, ju, strict=True))]))
    value = star
    for _round in range(30):
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            break
        value = min(value, solver.Objective().Value())
        if time.perf_counter() - start > time_limit:
            break
        sol = np.zeros((n, n))
        vals = np.array([v.solution_value() for v in z])
        sol[iu, ju] = vals
        sol[ju, iu] = vals
        # violation[i, j, k] = z_ij + z_jk - z_ik - 1 with j the middle vertex.
        viol = sol[:, :, None] + sol[None, :, :] - sol[:, None, :] - 1.0
        ii, jj, kk = np.nonzero(viol > 1e-6)
        keep = (ii != jj) & (jj != kk) & (ii < kk)
        ii, jj, kk = ii[keep], jj[keep], kk[keep]
        if ii.size == 0:
            break
        order = np.argsort(-viol[ii, jj, kk])[: 4 * n]
        for a, b, c in zip(ii[order], jj[order], kk[order], strict=True):
            solver.Add(z[int(index[a, b])] + z[int(index[b, c])] - z[int(index[a, c])] <= 1.0)
    return value + unary


# ---------------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------------


def _groups_of(grp: np.ndarray, g: int) -> list[list[int]]:
    groups: list[list[int]] = [[] for _ in range(g)]
    for i, k in enumerate(grp):
        groups[int(k)].append(i)
    return groups


def _validate(instance: GroupingInstance) -> None:
    d = np.asarray(instance.distance)
    if d.shape != (instance.n, instance.n):
        raise ValueError(f"distance matrix is {d.shape}, expected ({instance.n}, {instance.n})")
    if not np.allclose(d, d.T):
        raise ValueError("distance matrix must be symmetric")
    if not np.isfinite(d).all():
        raise ValueError("distance matrix must be finite")
    if instance.initial is not None and (
        len(instance.initial) != instance.n or any(not -1 <= k < instance.g for k in instance.initial)
    ):
        raise ValueError("initial must give a group index (or -1 for a newcomer) for every element")


def _result(
    model: _Model,
    grp: np.ndarray | None,
    start: float,
    *,
    bound: float | None = None,
    optimal: bool = False,
    violations: list[str] | None = None,
) -> GroupingResult:
    """The result for an assignment (None: no partition, with `violations` saying why)."""
    seconds = time.perf_counter() - start
    if grp is None:
        return GroupingResult(
            groups=[], objective=0.0, seconds=seconds, feasible=False, violations=violations or []
        )
    inst = model.instance
    groups = _groups_of(grp, model.g)
    div = _pairs_inside(groups, model.d)
    moved = int(((model.initial >= 0) & (model.initial != grp)).sum())
    broken = check_partition(inst, groups)
    return GroupingResult(
        groups=groups,
        objective=div - inst.move_cost * moved,
        seconds=seconds,
        feasible=not broken,
        bound=bound,
        optimal=optimal and not broken,
        diversity=div,
        moved=moved,
        violations=broken,
    )


def solve_grouping(instance: GroupingInstance, *, time_limit: float, seed: int = 0) -> GroupingResult:
    """Best partition found within `time_limit` seconds; proven optimal on small instances."""
    start = time.perf_counter()
    deadline = start + max(0.0, time_limit)
    _validate(instance)
    model = _Model(instance)
    reasons = _size_reasons(instance) + _rule_reasons(instance)
    if reasons:
        return _result(model, None, start, violations=reasons)
    rng = np.random.default_rng(seed)
    # Move costs are kept relative to the old assignment, so the score offset is the full "stay" bonus.
    stay_all = float(instance.move_cost * (model.initial >= 0).sum())

    if model.n <= _DP_MAX_N:
        exact = _subset_dp(model, deadline)
        if exact is not None:
            score = _State(model, exact).score
            return _result(model, exact, start, bound=score - stay_all, optimal=True)
        if time.perf_counter() < deadline:
            return _result(model, None, start, violations=[_PROVED_INFEASIBLE])

    grp: np.ndarray | None = None
    if model.constrained or instance.initial is not None:
        grp = _construct(model, rng)
        repair_deadline = min(deadline, start + max(0.5, 0.5 * time_limit))
        if grp is not None and not _repair(model, grp, rng, repair_deadline):
            grp = None
    else:
        grp = _random_assignment(model, rng)
    if grp is None and model.n <= _CPSAT_MAX_N:
        status, grp = _cpsat_feasible(model, max(0.1, deadline - time.perf_counter()))
        if status == "INFEASIBLE":
            return _result(model, None, start, violations=[_PROVED_INFEASIBLE])
    if grp is None:
        return _result(
            model,
            None,
            start,
            violations=[
                "no partition meeting every rule was found in the time allowed; "
                "relax some rules or allow more time"
            ],
        )

    bound: float | None = None
    if model.n <= 1000:
        ub = _upper_bound(model, max(0.0, min(10.0, 0.25 * time_limit)))
        bound = None if ub is None else ub - stay_all
    best = _metaheuristic(model, grp, rng, deadline)
    result = _result(model, best.grp, start, bound=bound)
    # The search can meet the bound exactly (tiny or degenerate instances): then it is optimal.
    result.optimal = result.feasible and bound is not None and result.objective >= bound - 1e-6
    return result
