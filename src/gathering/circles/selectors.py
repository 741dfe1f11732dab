"""Reads for circle pages: series lists, a person's circles, facilitator and organiser views, explanations
of each formed circle, and feedback aggregates (only from five responses)."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gathering.accounts.models import User
from gathering.core.regions import region_key

from .formation import build_plan
from .models import (
    Circle,
    CircleInvitation,
    CircleMembership,
    CircleSeries,
    Feedback,
    Meeting,
    NotWithRequest,
    Perspective,
)

MIN_RESPONSES = 5


def series_public() -> QuerySet[CircleSeries]:
    return CircleSeries.objects.exclude(status=CircleSeries.Status.DRAFT).select_related("event")


def series_open(*, limit: int) -> list[CircleSeries]:
    """Series people can join now, from the list page's public series."""
    return list(series_public().filter(status=CircleSeries.Status.OPEN).order_by("name", "pk")[:limit])


def series_managed_by(*, user: User) -> QuerySet[CircleSeries]:
    rows = CircleSeries.objects.select_related("event").annotate(
        active=Count(
            "memberships", filter=Q(memberships__status=CircleMembership.Status.ACTIVE), distinct=True
        ),
        circle_total=Count("circles", distinct=True),
    )
    if not user.has_perm("accounts.manage_roles"):
        rows = rows.filter(Q(organisers=user) | Q(event__organisers=user)).distinct()
    return rows.order_by("name", "pk")


def memberships_for_user(*, user: User) -> QuerySet[CircleMembership]:
    return (
        CircleMembership.objects.filter(user=user)
        .select_related("series", "series__event", "circle", "circle__facilitator")
        .order_by("-joined_at", "-pk")
    )


def circle_members(*, circle: Circle) -> list[CircleMembership]:
    return list(CircleMembership.objects.active().filter(circle=circle).select_related("user").order_by("pk"))


def circles_facilitated_by(*, user: User) -> QuerySet[Circle]:
    return (
        Circle.objects.filter(facilitator=user)
        .select_related("series")
        .annotate(active=Count("memberships", filter=Q(memberships__status=CircleMembership.Status.ACTIVE)))
        .order_by("series__name", "number")
    )


def meetings_for(*, circle: Circle) -> list[Meeting]:
    return list(circle.meetings.order_by("starts_at", "pk"))


def series_members(*, series: CircleSeries) -> QuerySet[CircleMembership]:
    return (
        CircleMembership.objects.filter(series=series)
        .select_related("user", "circle", "agreement")
        .order_by("status", "pk")
    )


def not_with_requests(*, series: CircleSeries) -> QuerySet[NotWithRequest]:
    return NotWithRequest.objects.filter(series=series).select_related("requester").order_by("pk")


@dataclass
class Explanation:
    """Why a circle looks as it does, for the organiser."""

    circle: Circle
    members: list[CircleMembership]
    perspectives: list[tuple[str, int]]
    organisations: int
    most_from_one: int
    regions: int
    rules: list[tuple[str, bool]] = field(default_factory=list)


def circle_explanations(*, series: CircleSeries) -> tuple[list[Explanation], list[CircleMembership]]:
    """Each circle with its mix and the rules it meets; and the active people in no circle yet."""
    circles = list(
        Circle.objects.filter(series=series)
        .select_related("facilitator")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=CircleMembership.objects.active().select_related("user").order_by("pk"),
                to_attr="active_members",
            )
        )
        .order_by("number")
    )
    if not circles:
        return [], list(CircleMembership.objects.active().filter(series=series).select_related("user"))
    plan = build_plan(series, circles=circles)
    where = {m.pk: i for i, m in enumerate(plan.members)}
    facilitator_index = {user.pk: len(plan.members) + k for k, user in enumerate(plan.facilitators)}
    cover_counts = [
        sum(1 for m in plan.members if side in (m.perspectives or []))
        for side in (series.cover_a, series.cover_b)
    ]
    labels = dict(Perspective.choices)
    explanations = []
    for circle in circles:
        members = circle.active_members
        inside = {where[m.pk] for m in members if m.pk in where}
        if circle.facilitator_id in facilitator_index:
            inside.add(facilitator_index[circle.facilitator_id])
        views = Counter(p for m in members for p in (m.perspectives or []))
        organisations = Counter(
            " ".join(m.organisation.lower().split()) for m in members if m.organisation.strip()
        )
        broken_pairs = sum(1 for i, j in plan.instance.not_with if i in inside and j in inside)
        size_ok = series.size_min <= len(members) <= series.size_max
        rules = [
            (_size_text(series, len(members)), size_ok),
            (
                _("Led by a facilitator") if circle.facilitator_id else _("No facilitator yet"),
                bool(circle.facilitator_id),
            ),
            (
                _("Every 'not with' request is respected")
                if not broken_pairs
                else _("%(n)s 'not with' requests are broken") % {"n": broken_pairs},
                not broken_pairs,
            ),
            (
                _("At most %(n)s people from one organisation") % {"n": series.max_per_organisation},
                max(organisations.values(), default=0) <= series.max_per_organisation,
            ),
        ]
        for side, total in zip((series.cover_a, series.cover_b), cover_counts, strict=True):
            has = views.get(side, 0) > 0
            needed = total >= len(circles)
            text = (
                _("Includes: %(p)s") % {"p": labels[side]}
                if has
                else _("No one with: %(p)s (only %(n)s joined, too few for every circle)")
                % {"p": labels[side], "n": total}
            )
            rules.append((text, has or not needed))
        explanations.append(
            Explanation(
                circle=circle,
                members=members,
                perspectives=[(labels[key], count) for key, count in views.most_common()],
                organisations=len(organisations),
                most_from_one=max(organisations.values(), default=0),
                regions=len({region_key(m.region) for m in members if m.region.strip()}),
                rules=rules,
            )
        )
    unassigned = [m for m in plan.members if m.circle_id is None]
    return explanations, unassigned


def _size_text(series: CircleSeries, size: int) -> str:
    return _("%(n)s members (the series allows %(lo)s to %(hi)s)") % {
        "n": size,
        "lo": series.size_min,
        "hi": series.size_max,
    }


@dataclass
class FeedbackSummary:
    responses: int
    felt_safe: float | None = None
    felt_heard: float | None = None
    come_again: float | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.responses >= MIN_RESPONSES


def feedback_summary(*, series: CircleSeries | None = None, circle: Circle | None = None) -> FeedbackSummary:
    """Averages (and comments, shuffled by their order of arrival only) from five responses or more."""
    rows = Feedback.objects.all()
    rows = (
        rows.filter(meeting__circle=circle)
        if circle is not None
        else rows.filter(meeting__circle__series=series)
    )
    figures = rows.aggregate(
        responses=Count("pk"), safe=Avg("felt_safe"), heard=Avg("felt_heard"), again=Avg("come_again")
    )
    summary = FeedbackSummary(responses=figures["responses"])
    if not summary.shown:
        return summary
    summary.felt_safe = round(figures["safe"], 1)
    summary.felt_heard = round(figures["heard"], 1)
    summary.come_again = round(figures["again"], 1)
    summary.comments = sorted(text for text in rows.values_list("comment", flat=True) if text)
    return summary


def invitations_for(*, series: CircleSeries) -> list[CircleInvitation]:
    return list(series.invitations.select_related("invited_by").order_by("email"))
