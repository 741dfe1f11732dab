"""The bridge between a listening-circle series in the database and the grouping optimiser: builds the
grouping instance from the series' active members, its facilitators and "not with" requests, calls
`gathering.optimise.grouping`, and says what a result or a refusal means in the organiser's words. It only
reads: `services.py` saves what it returns."""

import math
import re
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

from gathering.accounts.models import User
from gathering.core.regions import region_key
from gathering.optimise.grouping import (
    GroupingInstance,
    GroupingResult,
    check_partition,
    explain_infeasible,
    solve_grouping,
)

from .models import Circle, CircleMembership, CircleSeries, NotWithRequest, Perspective

# Seconds the optimiser may take when an organiser forms circles; a few seconds is plenty for hundreds.
DEFAULT_TIME_LIMIT = 3.0
# What moving one person costs when re-forming: more than any diversity a move could gain, so the optimiser
# moves someone only when a rule needs it.
MOVE_COST = 1000.0


class Infeasible(Exception):
    """No arrangement meets the rules; `reasons` say what cannot be met and what to relax."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(reasons)
        self.reasons = reasons


def time_limit_default() -> float:
    return float(getattr(settings, "GATHERING_CIRCLES_TIME_LIMIT", DEFAULT_TIME_LIMIT))


@dataclass
class Plan:
    """The people to group and the instance built from them; element i is people[i]."""

    instance: GroupingInstance
    members: list[CircleMembership]
    facilitators: list[User]
    unmatched_requests: int = 0

    @property
    def size(self) -> int:
        return len(self.members) + len(self.facilitators)

    def label(self, i: int) -> str:
        if i < len(self.members):
            user = self.members[i].user
            return user.name if user else _("a former member")
        return _("%(name)s (facilitator)") % {"name": self.facilitators[i - len(self.members)].name}


def _perspectives(membership: CircleMembership) -> set[str]:
    return set(membership.perspectives or [])


def _organisation(membership: CircleMembership) -> str | None:
    text = " ".join(membership.organisation.lower().split())
    return text or None


def _codes(values: list[str | None]) -> np.ndarray:
    index: dict[str | None, int] = {}
    return np.array([index.setdefault(value, len(index)) for value in values], dtype=np.int64)


def _distance(members: list[CircleMembership], facilitators: int) -> np.ndarray:
    """Dissimilarity of every pair: perspectives (Jaccard), region and organisation, each 0 to 1. Not saying
    counts as an answer of its own, so people who left a question empty are spread out like everyone else.
    Facilitators are 0 from everyone: there is exactly one per circle, so they do not change the choice."""
    n = len(members)
    distance = np.zeros((n + facilitators, n + facilitators), dtype=np.float64)
    views = np.array(
        [[value in _perspectives(m) for value in Perspective.values] for m in members], dtype=np.float64
    ).reshape(n, len(Perspective.values))
    shared = views @ views.T
    sizes = views.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - shared
    part = np.where(union > 0, 1.0 - shared / np.maximum(union, 1.0), 0.0)
    for codes in (
        _codes([region_key(m.region) or None for m in members]),
        _codes([_organisation(m) for m in members]),
    ):
        part += codes[:, None] != codes[None, :]
    np.fill_diagonal(part, 0.0)
    distance[:n, :n] = part
    return distance


def _match_requests(
    series: CircleSeries, members: list[CircleMembership], facilitators: list[User]
) -> tuple[list[tuple[int, int]], int]:
    """'Not with' pairs as element indices; requests naming nobody in the formation are counted apart."""
    by_key: dict[str, int] = {}
    for i, membership in enumerate(members):
        if membership.user is not None:
            by_key.setdefault(membership.user.email.lower(), i)
            by_key.setdefault(" ".join(membership.user.name.lower().split()), i)
    for k, user in enumerate(facilitators, start=len(members)):
        by_key.setdefault(user.email.lower(), k)
        by_key.setdefault(" ".join(user.name.lower().split()), k)
    requester_index = {m.user_id: i for i, m in enumerate(members) if m.user_id}
    pairs: set[tuple[int, int]] = set()
    unmatched = 0
    for request in NotWithRequest.objects.filter(series=series).order_by("pk"):
        i = requester_index.get(request.requester_id)
        if i is None:
            continue
        j = by_key.get(" ".join(request.named.lower().split()))
        if j is None or j == i:
            unmatched += 1
            continue
        pairs.add((min(i, j), max(i, j)))
    return sorted(pairs), unmatched


def _active_members(series: CircleSeries) -> list[CircleMembership]:
    return list(CircleMembership.objects.active().filter(series=series).select_related("user").order_by("pk"))


def _choose_facilitators(series: CircleSeries, count: int, keep: list[User]) -> list[User]:
    """`count` facilitators from the pool: those already leading a circle first, then the pool in order."""
    pool = list(series.facilitators.order_by("pk"))
    pool_ids = {user.pk for user in pool}
    chosen = [user for user in keep if user.pk in pool_ids]
    for user in pool:
        if len(chosen) >= count:
            break
        if user not in chosen:
            chosen.append(user)
    return chosen[:count]


def circle_count(series: CircleSeries, members: int) -> int:
    """The fewest circles that hold everyone within the largest circle size."""
    return max(1, math.ceil(members / series.size_max))


def _plan_for(
    series: CircleSeries, members: list[CircleMembership], facilitators: list[User], g: int
) -> Plan:
    m = len(members)
    instance = GroupingInstance(
        n=m + len(facilitators),
        sizes=[(series.size_min + 1, series.size_max + 1)] * g,
        distance=_distance(members, len(facilitators)),
        name=series.slug,
        facilitators=set(range(m, m + len(facilitators))),
        cover=[
            (
                {i for i, member in enumerate(members) if series.cover_a in _perspectives(member)},
                {i for i, member in enumerate(members) if series.cover_b in _perspectives(member)},
            )
        ],
        labels=[_organisation(member) for member in members] + [None] * len(facilitators),
        max_same=series.max_per_organisation,
    )
    instance.not_with, unmatched = _match_requests(series, members, facilitators)
    return Plan(instance=instance, members=members, facilitators=facilitators, unmatched_requests=unmatched)


def build_plan(
    series: CircleSeries, *, circles: list[Circle] | None = None, count: int | None = None
) -> Plan:
    """The grouping instance for the series' active members (one facilitator per circle, counted on top of
    the circle size). With `circles`, each person's current circle is their starting group (re-forming)."""
    members = _active_members(series)
    if circles is None:
        g = count or circle_count(series, len(members))
        return _plan_for(series, members, _choose_facilitators(series, g, []), g)
    keep = [circle.facilitator for circle in circles if circle.facilitator is not None]
    plan = _plan_for(series, members, _choose_facilitators(series, len(circles), keep), len(circles))
    index = {circle.pk: k for k, circle in enumerate(circles)}
    by_facilitator = {circle.facilitator_id: k for k, circle in enumerate(circles) if circle.facilitator_id}
    plan.instance.initial = [index.get(m.circle_id, -1) for m in members] + [
        by_facilitator.get(user.pk, -1) for user in plan.facilitators
    ]
    plan.instance.move_cost = MOVE_COST
    return plan


def humanise(reason: str, plan: Plan, series: CircleSeries) -> str:
    """Turns the optimiser's element and group numbers into people's names, circles and perspectives."""
    n = plan.size

    def person(match: re.Match) -> str:
        i = int(match.group(1))
        return plan.label(i) if 0 <= i < n else match.group(0)

    text = re.sub(
        r"\[([\d, ]+)\]",
        lambda m: ", ".join(plan.label(int(x)) for x in m.group(1).split(",") if x.strip().isdigit()),
        reason,
    )
    text = re.sub(
        r"\belements (\d+) and (\d+)",
        lambda m: f"{plan.label(int(m.group(1)))} and {plan.label(int(m.group(2)))}",
        text,
    )
    text = re.sub(r"\belement (\d+)", person, text)
    text = re.sub(r"\bgroup (\d+)", lambda m: _("circle %(n)s") % {"n": int(m.group(1)) + 1}, text)
    text = text.replace("perspective set 1a", str(Perspective(series.cover_a).label))
    text = text.replace("perspective set 1b", str(Perspective(series.cover_b).label))
    text = text.replace("people labelled", "people from").replace("groups", "circles")
    text = text.replace("group", "circle").replace("elements", "people").replace("element", "person")
    return text[:1].upper() + text[1:]


def _size_problem(series: CircleSeries, people: int, g: int) -> str | None:
    """The size rule in the organiser's terms (circle sizes count participants, not the facilitator)."""
    lo, hi = series.size_min, series.size_max
    if g * lo <= people <= g * hi:
        return None
    counts = [k for k in range(1, people + 1) if k * lo <= people <= k * hi]
    if not counts:
        return _(
            "%(n)s people have joined, but circles of %(lo)s to %(hi)s need at least %(lo)s: lower the "
            "smallest circle size to %(n)s or fewer, or wait for more people to join."
        ) % {"n": people, "lo": lo, "hi": hi}
    return _(
        "%(n)s people cannot make %(g)s circles of %(lo)s to %(hi)s (that needs %(min)s to %(max)s people): "
        "form %(first)s to %(last)s circles, or change the circle sizes."
    ) % {
        "n": people,
        "g": g,
        "lo": lo,
        "hi": hi,
        "min": g * lo,
        "max": g * hi,
        "first": counts[0],
        "last": counts[-1],
    }


def _facilitator_problem(plan: Plan) -> str | None:
    missing = plan.instance.g - len(plan.facilitators)
    if missing <= 0:
        return None
    return _(
        "%(g)s circles need %(g)s facilitators but the series' pool has %(f)s: add %(missing)s more "
        "facilitators to the pool, or form fewer circles."
    ) % {"g": plan.instance.g, "f": len(plan.facilitators), "missing": missing}


def solve(
    plan: Plan, series: CircleSeries, *, time_limit: float | None = None, seed: int = 0
) -> GroupingResult:
    """The best arrangement in the time allowed. On infeasible input raises Infeasible, saying what cannot
    be met and what to relax (in the organiser's terms first, then by the optimiser's own explanation)."""
    time_limit = time_limit_default() if time_limit is None else time_limit
    problem = _size_problem(series, len(plan.members), plan.instance.g) or _facilitator_problem(plan)
    if problem:
        raise Infeasible([problem])
    result = solve_grouping(plan.instance, time_limit=time_limit, seed=seed)
    if result.feasible:
        return result
    reasons = explain_infeasible(plan.instance, time_limit=time_limit) or result.violations
    if not reasons:
        reasons = ["no arrangement meeting every rule was found in the time allowed; allow more time"]
    raise Infeasible([humanise(reason, plan, series) for reason in reasons])


def swap_problems(series: CircleSeries, circles: list[Circle], moves: dict[int, int]) -> list[str]:
    """The rules the series' circles would break, in the organiser's words, once each membership in `moves`
    ({membership id: circle id}) has moved; empty when every rule still holds."""
    ids = {circle.pk for circle in circles}
    members = [m for m in _active_members(series) if m.circle_id in ids or m.pk in moves]
    for membership in members:
        membership.circle_id = moves.get(membership.pk, membership.circle_id)
    facilitators = [circle.facilitator for circle in circles if circle.facilitator is not None]
    plan = _plan_for(series, members, facilitators, len(circles))
    index = {circle.pk: k for k, circle in enumerate(circles)}
    groups: list[list[int]] = [[] for _ in circles]
    for i, membership in enumerate(members):
        groups[index[membership.circle_id]].append(i)
    for k, circle in enumerate(circles):
        if circle.facilitator is not None:
            groups[k].append(len(members) + facilitators.index(circle.facilitator))
    return [humanise(reason, plan, series) for reason in check_partition(plan.instance, groups)]
