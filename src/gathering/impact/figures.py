"""Each activity's figures as counted from the database, before disclosure control hides the small ones.

An *activity* is a published Gathering of kind gathering or online session (kind GATHERING), a published
Gathering of kind training (COHORT, one run of a course), or a circle series that is not a draft (SERIES).
Drafts and cancelled Gatherings are left out; a Gathering of kind "circle series" is not an activity itself,
its circles count through their series. An activity starts on the local date of its start: the Gathering's
`starts_at` in its own time zone; a series' `first_meets_at` in the series' time zone, else its first
meeting, else the day it was created. Activities are ordered by that date, then by key.

A *place* at a Gathering is a registration whose status holds one (confirmed, confirmed with payment due,
or a place offered: `Registration.HOLDING`); in a series, a membership taking part or that left (not one
removed by a facilitator). A *person* is their account; a registration made without an account is the
account with the same email address (case ignored) if there is one, else that email address in lower case.
An erased person's rows keep no address (each has its own), so each counts as someone new.

The tables (measures.py has their labels), for each activity:

- registrations: every registration, in one of: attended (`Registration.objects.attended()`: confirmed, or
  checked in with a place), not_attended (a place, not in attended), waitlisted (still on the waiting
  list), cancelled (cancelled, or an offer that expired).
- waiting_list: registrations that joined the waiting list (`waitlisted_at` set). offered: they left it by
  an offer (now confirmed, payment due, offered, or the offer expired). never_offered: still waiting, or
  cancelled. Cancelling, accepting and expiring all clear `offer_expires_at`, so nothing shows whether a
  cancelled registration was ever offered a place: it counts as never offered, and "offered" is a lower
  bound. A bursary award that gives a waiting person a place takes them off the list (`waitlisted_at` is
  cleared), so they are not in this table.
- returning: the people with a place. first_time: this activity is their first with the network, the
  earliest (by start date, then key) of all activities, Gatherings and series, where they had a place;
  returning: they had a place at an earlier one.
- lived_experience, family_carer, services: the people with a place who answered how they come, with
  consent for that special-category answer (`special_category_consent_at`, or `perspectives_consent_at`
  in a series) and at least one answer. yes: the answer includes lived experience; family or carer; working
  in or designing services (in a series: practitioner or service designer). no: otherwise. One answer per
  person: their latest registration or membership in the activity.
- places: the places (same as above) by the kind of their ticket; money: the amounts they pay.
- bursaries: every application: awarded (in full or in part), not_awarded (declined), other (waiting for a
  decision, on the bursary waiting list, withdrawn); money: the amounts awarded.
- sessions (Gatherings of kind GATHERING): sessions of its programme, except those merged into another
  (none without a programme). run: placed in a slot and scheduled, or placed in a slot and in play once the
  Gathering is over; not_run: the rest (proposed, accepted but never placed, declined, withdrawn, waiting).
- circles: the series' circles. meetings: meetings of its circles that have started by `now`.
  circle_attendance: attendance marks, present or absent.
- confidence_before, confidence_after (cohorts): every rating (1 to 5) of a learning outcome in a
  self-assessment of that stage by a registration of the cohort's Gathering.
- felt_safe: the answers 1 to 5 to "I felt safe" in the Gathering's feedback (no answer: left out), or in
  the feedback after the series' meetings; felt_heard: "I felt heard" in a series' feedback.

Each table has every category of the catalogue (zeros too), and its total is the sum of its categories; a
table without categories has its total only. Money is in minor units (pence), 0 in tables without money.
"""

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from gathering.accounts.models import User
from gathering.circles.models import (
    Attendance,
    CircleMembership,
    CircleSeries,
    Feedback,
)
from gathering.circles.models import Perspective as CirclePerspective
from gathering.core.regions import region_from_text
from gathering.events.models import BursaryApplication, Event, FeedbackResponse, Registration
from gathering.learning.models import OutcomeRating, SelfAssessment
from gathering.programme.models import Session, in_play_q

from . import measures

Cell = tuple[int, int]  # (count, money in minor units; 0 when the table has no money)
Figures = dict[str, dict[str, Cell]]  # table key -> {category key or measures.TOTAL: cell}

# The kinds of Gathering that are activities, and what kind of activity each is.
EVENT_KINDS = {
    Event.Kind.GATHERING: measures.GATHERING,
    Event.Kind.ONLINE_SESSION: measures.GATHERING,
    Event.Kind.TRAINING: measures.COHORT,
}
# Memberships of people who had a place in a series: taking part, or left; not removed.
HAD_PLACE_IN_SERIES = (CircleMembership.Status.ACTIVE, CircleMembership.Status.LEFT)

# Which answers mean "yes" in each perspectives table: (a Gathering's answers, a series' answers).
PERSPECTIVE_TABLES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "lived_experience": (
        frozenset({Registration.Perspective.LIVED_EXPERIENCE}),
        frozenset({CirclePerspective.LIVED_EXPERIENCE}),
    ),
    "family_carer": (
        frozenset({Registration.Perspective.FAMILY_CARER}),
        frozenset({CirclePerspective.FAMILY_CARER}),
    ),
    "services": (
        frozenset({Registration.Perspective.SERVICES}),
        frozenset({CirclePerspective.PRACTITIONER, CirclePerspective.SERVICE_DESIGNER}),
    ),
}

NOT_GIVEN = "not_given"  # the area table's category for people who did not say where they live
EVENT_PREFIX = "event:"
SERIES_PREFIX = "series:"

Person = tuple[str, object]  # ("user", id), ("email", address) or ("membership", id) for an erased member


@dataclass(frozen=True)
class Activity:
    key: str  # "event:<id>" or "series:<id>"
    kind: str  # measures.GATHERING / COHORT / SERIES
    title: str
    slug: str  # the event's slug or the series' slug
    starts_on: date  # the local date it starts
    course_slug: str | None  # for cohorts: the course's slug
    course_title: str | None

    @property
    def rank(self) -> tuple[date, str]:
        """Where it comes in the network's history: by start date, then key."""
        return (self.starts_on, self.key)


def _zone(name: str) -> zoneinfo.ZoneInfo:
    # A series' time zone is free text: one the system does not know falls back to the site's.
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _event_activity_q(prefix: str = "") -> Q:
    """The Gatherings that are activities, as a filter; `prefix` reaches the event through a relation."""
    return Q(**{f"{prefix}status": Event.Status.PUBLISHED, f"{prefix}kind__in": list(EVENT_KINDS)})


def _series_activity_q(prefix: str = "") -> Q:
    return ~Q(**{f"{prefix}status": CircleSeries.Status.DRAFT})


def activities() -> list[Activity]:
    """Every activity that happened or is happening, ordered by start date then key. Two queries."""
    found = []
    events = Event.objects.filter(_event_activity_q()).values(
        "pk",
        "kind",
        "title",
        "slug",
        "starts_at",
        "time_zone",
        "cohort__course__slug",
        "cohort__course__title",
    )
    for event in events:
        cohort = EVENT_KINDS[event["kind"]] == measures.COHORT
        found.append(
            Activity(
                key=f"{EVENT_PREFIX}{event['pk']}",
                kind=EVENT_KINDS[event["kind"]],
                title=event["title"],
                slug=event["slug"],
                starts_on=event["starts_at"].astimezone(_zone(event["time_zone"])).date(),
                course_slug=event["cohort__course__slug"] if cohort else None,
                course_title=event["cohort__course__title"] if cohort else None,
            )
        )
    series_rows = (
        CircleSeries.objects.filter(_series_activity_q())
        .annotate(first_meeting=Min("circles__meetings__starts_at"))
        .values("pk", "name", "slug", "first_meets_at", "first_meeting", "created_at", "time_zone")
    )
    for series in series_rows:
        start = series["first_meets_at"] or series["first_meeting"] or series["created_at"]
        found.append(
            Activity(
                key=f"{SERIES_PREFIX}{series['pk']}",
                kind=measures.SERIES,
                title=series["name"],
                slug=series["slug"],
                starts_on=start.astimezone(_zone(series["time_zone"])).date(),
                course_slug=None,
                course_title=None,
            )
        )
    found.sort(key=lambda activity: activity.rank)
    return found


def _pk(activity: Activity) -> int:
    return int(activity.key.partition(":")[2])


def _account_of_address() -> Subquery:
    """The account whose email is the registration's (case ignored): a registration made without signing in
    belongs to that person, as their own pages already say (events/erasure.py)."""
    return Subquery(
        User.objects.annotate(address=Lower("email"))
        .filter(address=Lower(OuterRef("email")))
        .values("pk")[:1]
    )


def _person(account: int | None, email: str) -> Person:
    if account is not None:
        return ("user", account)
    return ("email", email.strip().lower())


def _member(user_id: int | None, membership_id: int) -> Person:
    return ("user", user_id) if user_id is not None else ("membership", membership_id)


class _Tally:
    """Counts and amounts by (activity key, table, category), turned into each activity's Figures."""

    def __init__(self) -> None:
        self._cells: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])

    def add(self, key: str, table: str, category: str, count: int = 1, money: int = 0) -> None:
        cell = self._cells[(key, table, category)]
        cell[0] += count
        cell[1] += money or 0

    def figures(self, activity: Activity) -> Figures:
        figures: Figures = {}
        for table in measures.TABLES:
            if activity.kind not in table.applies_to:
                continue
            if table.categories:
                cells = {
                    category: self._cell(activity.key, table, category) for category in table.category_keys
                }
                cells[measures.TOTAL] = (
                    sum(count for count, _money in cells.values()),
                    sum(money for _count, money in cells.values()),
                )
            else:
                cells = {measures.TOTAL: self._cell(activity.key, table, measures.TOTAL)}
            figures[table.key] = cells
        return figures

    def _cell(self, key: str, table: measures.Table, category: str) -> Cell:
        count, money = self._cells.get((key, table.key, category), (0, 0))
        return (count, money if table.money else 0)


def figures_for(activities: Sequence[Activity], *, now: datetime | None = None) -> dict[str, Figures]:
    """The raw figures of each activity, by key, for the tables that apply to its kind.

    A constant number of queries whatever the number of activities: 15 when Gatherings and series are both
    asked for, fewer when only one sort is (none for an empty list). First-timers are found across the whole
    network, so every call reads who had a place anywhere."""
    if not activities:
        return {}
    now = now or timezone.now()
    tally = _Tally()
    events = {_pk(a): a for a in activities if a.key.startswith(EVENT_PREFIX)}
    series = {_pk(a): a for a in activities if a.key.startswith(SERIES_PREFIX)}
    _count_returning(tally, activities)
    if events:
        _count_registrations(tally, events)
        _count_event_perspectives(tally, events)
        _count_bursaries(tally, events)
        _count_sessions(tally, events, now)
        _count_confidence(tally, events)
        _count_event_feedback(tally, events)
    if series:
        _count_circles(tally, series, now)
        _count_circle_attendance(tally, series)
        _count_circle_feedback(tally, series)
        _count_member_perspectives(tally, series)
        _count_member_areas(tally, series)
    return {activity.key: tally.figures(activity) for activity in activities}


def _count_returning(tally: _Tally, wanted: Sequence[Activity]) -> None:
    """First-timers and returning people: reads every place in the network (four queries, with the list of
    activities), since anyone's first place may be anywhere."""
    rank = {activity.key: activity.rank for activity in activities()}
    first: dict[Person, tuple[date, str]] = {}
    people: dict[str, set[Person]] = defaultdict(set)

    def seen(person: Person, key: str) -> None:
        if key not in rank:
            return
        people[key].add(person)
        if person not in first or rank[key] < first[person]:
            first[person] = rank[key]

    places = (
        Registration.objects.filter(_event_activity_q("event__"), status__in=Registration.HOLDING)
        .annotate(account=Coalesce("user_id", _account_of_address()))
        .values_list("event_id", "account", "email")
    )
    for event_id, account, email in places:
        seen(_person(account, email), f"{EVENT_PREFIX}{event_id}")
    memberships = CircleMembership.objects.filter(
        _series_activity_q("series__"), status__in=HAD_PLACE_IN_SERIES
    ).values_list("series_id", "user_id", "pk")
    for series_id, user_id, membership_id in memberships:
        seen(_member(user_id, membership_id), f"{SERIES_PREFIX}{series_id}")
    for activity in wanted:
        for person in people.get(activity.key, ()):
            tally.add(
                activity.key,
                "returning",
                "first_time" if first[person] == rank[activity.key] else "returning",
            )


def _count_registrations(tally: _Tally, events: dict[int, Activity]) -> None:
    """The registrations, waiting list and places tables: one query."""
    registrations = (
        Registration.objects.filter(event_id__in=list(events))
        .select_related("ticket_type")
        .only(
            "event", "status", "checked_in_at", "waitlisted_at", "amount_minor", "region", "ticket_type__kind"
        )
    )
    for registration in registrations:
        key = events[registration.event_id].key
        status = registration.status
        if registration.attended:
            category = "attended"
        elif registration.holds_place:
            category = "not_attended"
        elif status == Registration.Status.WAITLISTED:
            category = "waitlisted"
        else:
            category = "cancelled"
        tally.add(key, "registrations", category)
        if registration.waitlisted_at is not None:
            never = status in {Registration.Status.WAITLISTED, Registration.Status.CANCELLED}
            tally.add(key, "waiting_list", "never_offered" if never else "offered")
        if registration.holds_place:
            tally.add(key, "places", registration.ticket_type.kind, money=registration.amount_minor)
            tally.add(key, "area", region_from_text(registration.region) or NOT_GIVEN)


def _count_perspectives(tally: _Tally, key: str, answers: Iterable[object], circles: bool) -> None:
    for answer in answers:
        if not isinstance(answer, list) or not answer:
            continue
        given = {str(value) for value in answer}
        for table, (event_values, circle_values) in PERSPECTIVE_TABLES.items():
            yes = given & (circle_values if circles else event_values)
            tally.add(key, table, "yes" if yes else "no")


def _count_event_perspectives(tally: _Tally, events: dict[int, Activity]) -> None:
    """Decrypts the answers of people with a place who consented: one query."""
    rows = (
        Registration.objects.filter(
            event_id__in=list(events),
            status__in=Registration.HOLDING,
            special_category_consent_at__isnull=False,
            perspectives__isnull=False,
        )
        .annotate(account=Coalesce("user_id", _account_of_address()))
        .order_by("pk")
        .values_list("event_id", "account", "email", "perspectives")
    )
    latest: dict[int, dict[Person, object]] = defaultdict(dict)
    for event_id, account, email, perspectives in rows:
        latest[event_id][_person(account, email)] = perspectives
    for event_id, answers in latest.items():
        _count_perspectives(tally, events[event_id].key, answers.values(), circles=False)


def _count_bursaries(tally: _Tally, events: dict[int, Activity]) -> None:
    rows = (
        BursaryApplication.objects.filter(event_id__in=list(events))
        .values("event_id", "status")
        .annotate(n=Count("pk"), awarded=Sum("amount_awarded_minor"))
        .order_by()
    )
    for row in rows:
        if row["status"] in BursaryApplication.AWARDED:
            category, money = "awarded", row["awarded"]
        elif row["status"] == BursaryApplication.Status.DECLINED:
            category, money = "not_awarded", 0
        else:
            category, money = "other", 0
        tally.add(events[row["event_id"]].key, "bursaries", category, row["n"], money)


def _count_sessions(tally: _Tally, events: dict[int, Activity], now: datetime) -> None:
    over = Q(programme__event__ends_at__lte=now)
    run = Q(slot__isnull=False) & (Q(status=Session.Status.SCHEDULED) | (over & in_play_q()))
    rows = (
        Session.objects.filter(programme__event_id__in=list(events))
        .exclude(status=Session.Status.MERGED)
        .values("programme__event_id")
        .annotate(total=Count("pk"), run=Count("pk", filter=run))
        .order_by()
    )
    for row in rows:
        key = events[row["programme__event_id"]].key
        tally.add(key, "sessions", "run", row["run"])
        tally.add(key, "sessions", "not_run", row["total"] - row["run"])


def _count_confidence(tally: _Tally, events: dict[int, Activity]) -> None:
    tables = {
        SelfAssessment.Stage.BEFORE: "confidence_before",
        SelfAssessment.Stage.AFTER: "confidence_after",
    }
    rows = (
        OutcomeRating.objects.filter(assessment__registration__event_id__in=list(events))
        .values("assessment__registration__event_id", "assessment__stage", "rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        table = tables.get(row["assessment__stage"])
        if table is not None:
            tally.add(
                events[row["assessment__registration__event_id"]].key, table, str(row["rating"]), row["n"]
            )


def _count_event_feedback(tally: _Tally, events: dict[int, Activity]) -> None:
    rows = (
        FeedbackResponse.objects.filter(event_id__in=list(events), felt_safe__isnull=False)
        .values("event_id", "felt_safe")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        tally.add(events[row["event_id"]].key, "felt_safe", str(row["felt_safe"]), row["n"])


def _count_circles(tally: _Tally, series: dict[int, Activity], now: datetime) -> None:
    rows = (
        CircleSeries.objects.filter(pk__in=list(series))
        .annotate(
            n_circles=Count("circles", distinct=True),
            n_meetings=Count(
                "circles__meetings", filter=Q(circles__meetings__starts_at__lte=now), distinct=True
            ),
        )
        .values("pk", "n_circles", "n_meetings")
    )
    for row in rows:
        key = series[row["pk"]].key
        tally.add(key, "circles", measures.TOTAL, row["n_circles"])
        tally.add(key, "meetings", measures.TOTAL, row["n_meetings"])


def _count_circle_attendance(tally: _Tally, series: dict[int, Activity]) -> None:
    rows = (
        Attendance.objects.filter(meeting__circle__series_id__in=list(series))
        .values("meeting__circle__series_id", "present")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        key = series[row["meeting__circle__series_id"]].key
        tally.add(key, "circle_attendance", "present" if row["present"] else "absent", row["n"])


def _count_circle_feedback(tally: _Tally, series: dict[int, Activity]) -> None:
    rows = (
        Feedback.objects.filter(meeting__circle__series_id__in=list(series))
        .values("meeting__circle__series_id", "felt_safe", "felt_heard")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        key = series[row["meeting__circle__series_id"]].key
        tally.add(key, "felt_safe", str(row["felt_safe"]), row["n"])
        tally.add(key, "felt_heard", str(row["felt_heard"]), row["n"])


def _count_member_perspectives(tally: _Tally, series: dict[int, Activity]) -> None:
    """Decrypts the answers of members who consented: one query."""
    rows = (
        CircleMembership.objects.filter(
            series_id__in=list(series),
            status__in=HAD_PLACE_IN_SERIES,
            perspectives_consent_at__isnull=False,
            perspectives__isnull=False,
        )
        .order_by("pk")
        .values_list("series_id", "user_id", "pk", "perspectives")
    )
    latest: dict[int, dict[Person, object]] = defaultdict(dict)
    for series_id, user_id, membership_id, perspectives in rows:
        latest[series_id][_member(user_id, membership_id)] = perspectives
    for series_id, answers in latest.items():
        _count_perspectives(tally, series[series_id].key, answers.values(), circles=True)


def _count_member_areas(tally: _Tally, series: dict[int, Activity]) -> None:
    """Where the members with a place live, as a region (free text of older rows read as a region when it
    names one): one query."""
    rows = CircleMembership.objects.filter(
        series_id__in=list(series), status__in=HAD_PLACE_IN_SERIES
    ).values_list("series_id", "region")
    for series_id, region in rows:
        tally.add(series[series_id].key, "area", region_from_text(region) or NOT_GIVEN)
