"""The bridge between a cohort and the grouping optimiser (the one listening circles use): builds a grouping
instance from the people with a confirmed place, so that each breakout group mixes the ways people come
(lived experience, carers, people who work in services), and returns the groups as registrations. It only
reads: `services.breakouts_form` saves what it returns."""

import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from gathering.events.models import Registration
from gathering.optimise.grouping import GroupingInstance, solve_grouping

from .models import Cohort

# Seconds the optimiser may take: a cohort is a few dozen people at most.
TIME_LIMIT = 2.0


class Infeasible(Exception):
    """No grouping could be made; `reasons` say why, in organisers' words."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(reasons)
        self.reasons = reasons


@dataclass(frozen=True)
class Plan:
    instance: GroupingInstance
    people: list[Registration]


def _distance(people: list[Registration]) -> np.ndarray:
    """How different two people's perspectives are (Jaccard distance), so that the optimiser, maximising
    the distance within groups, mixes them. Someone who gave none (or did not consent) is halfway from all."""
    sets = [set(person.perspectives or []) for person in people]
    n = len(people)
    distance = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a, b = sets[i], sets[j]
            value = 0.5 if not a or not b else 1 - len(a & b) / len(a | b)
            distance[i, j] = distance[j, i] = value
    return distance


def group_sizes(people: int, size: int) -> list[tuple[int, int]]:
    """As many groups as needed for groups of at most `size`, as even as they can be."""
    count = max(1, math.ceil(people / size))
    return [(people // count, math.ceil(people / count))] * count


def build_plan(cohort: Cohort, *, size: int) -> Plan:
    people = list(
        Registration.objects.filter(
            event_id=cohort.event_id, status__in=Registration.CONFIRMED_PLACE
        ).order_by("pk")
    )
    instance = GroupingInstance(
        n=len(people),
        sizes=group_sizes(len(people), size),
        distance=_distance(people),
        name=f"cohort-{cohort.pk}",
    )
    return Plan(instance=instance, people=people)


def form(cohort: Cohort, *, size: int, time_limit: float = TIME_LIMIT) -> list[list[Registration]]:
    """The breakout groups for the cohort, each a list of registrations."""
    plan = build_plan(cohort, size=size)
    if len(plan.people) < 2:
        raise Infeasible([_("Breakout groups need at least two people with a confirmed place.")])
    result = solve_grouping(plan.instance, time_limit=time_limit, seed=cohort.pk)
    if not result.feasible:
        raise Infeasible(result.violations or [_("The groups could not be formed. Try another group size.")])
    return [[plan.people[i] for i in sorted(group)] for group in result.groups]
