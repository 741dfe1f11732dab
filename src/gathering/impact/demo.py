"""Demo data for the impact figures, loaded by `gathering seed-demo` after every other app's step: the
network's history a year and more back, so that its figures are complete.

Four Gatherings (two last year, two the year before) with a spread of outcomes, every kind of ticket,
answers given with consent, bursaries, feedback and a programme; the first cohort of two courses, with
self-assessments before and after; a series of online listening circles with meetings, attendance and
feedback; people who come back from one to the next; one small evening Gathering whose figures stay hidden;
and last year's annual report, written but not published. Every count here that the figures should show is
at least five (disclosure.py hides smaller ones). Found by slug and email, so running it again adds nothing.

Where things fall matters as much as how many there are: a small count hides the figures beside it in its
quarter and year too. The other demos' activities fall around today (two hundred days back to six weeks
ahead), with small and zero counts, so ours are placed by calendar year, last year and the one before,
and none in the last quarter of last year, which those activities reach in early January. The small
Gathering sits beside the events demo's past Gathering, which is hidden with it.
"""

import dataclasses
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from gathering.accounts.models import User
from gathering.accounts.roles import PARTICIPANT
from gathering.circles import models as circles
from gathering.circles import services as circle_services
from gathering.core.demo import DemoRun, demo_step
from gathering.core.regions import Region
from gathering.events.models import (
    BursaryApplication,
    BursaryFund,
    Event,
    FeedbackResponse,
    Registration,
    TicketType,
)
from gathering.learning import services as learning_services
from gathering.learning.models import Cohort, CohortSession, Course
from gathering.programme.models import Programme, Room, Session, Slot

from .disclosure import THRESHOLD
from .models import AnnualReport
from .selectors import figures_changed

ZONE = zoneinfo.ZoneInfo("Europe/London")
EMAIL = "impact-person-{n}@demo.gathering.test"
# The events demo's past Gathering: the small Gathering meets on its evening, in the same quarter, so that
# the figure hidden beside the small one's (secondary suppression) is that Gathering's, not one of ours.
MANCHESTER = "manchester-gathering-2025"
# The other demos' past activities, and how many of the people who came gave feedback.
OTHERS_FEEDBACK = ((MANCHESTER, 10), ("trauma-informed-practice-autumn", 7))
S = Registration.Status
K = TicketType.Kind
NE, NW, YH, EM, WM = (
    Region.NORTH_EAST,
    Region.NORTH_WEST,
    Region.YORKSHIRE_HUMBER,
    Region.EAST_MIDLANDS,
    Region.WEST_MIDLANDS,
)
EE, LONDON, SE, SW = Region.EAST_OF_ENGLAND, Region.LONDON, Region.SOUTH_EAST, Region.SOUTH_WEST
WALES, SCOT, NI, ABROAD = Region.WALES, Region.SCOTLAND, Region.NORTHERN_IRELAND, Region.OUTSIDE_UK

# How people came to a Gathering, answered with consent: a cycle, so that each answer is given by many.
EVENT_PERSPECTIVES = (
    [Registration.Perspective.LIVED_EXPERIENCE],
    [Registration.Perspective.FAMILY_CARER],
    [Registration.Perspective.SERVICES],
    [Registration.Perspective.LIVED_EXPERIENCE, Registration.Perspective.SERVICES],
    [Registration.Perspective.FAMILY_CARER, Registration.Perspective.LIVED_EXPERIENCE],
    [Registration.Perspective.OTHER],
)
CIRCLE_PERSPECTIVES = (
    ["lived_experience"],
    ["family_carer"],
    ["practitioner"],
    ["service_designer"],
    ["lived_experience", "practitioner"],
    ["family_carer", "lived_experience"],
)
# The tickets with a place, in turn: every kind is held by at least five people.
PLACE_KINDS = (K.PAY_WHAT_YOU_CAN, K.FIXED, K.SUPPORTED, K.SOLIDARITY)
PAY_WHAT_YOU_CAN = (0, 500, 1000, 1500, 3000)
SOLIDARITY = (6000, 7500, 10000)
FEEDBACK_COMMENTS = (
    "The quiet room made the whole day possible for me.",
    "I was listened to as a person, not a diagnosis.",
    "Too much to take in after lunch: shorter sessions, please.",
    "Hearing from families changed how I think about my own team.",
)
SESSION_TITLES = (
    "What helped me in a crisis",
    "Peer-run crisis houses",
    "Carers' circle",
    "Crisis plans written together",
    "Listening without fixing",
    "Sanctuary cafés after dark",
    "Alternatives to detention",
    "Funding peer-led services",
    "Measuring what matters",
    "Trauma-informed front desks",
    "Housing first and mental health",
    "Writing our own stories",
)


@dataclass(frozen=True)
class Outcomes:
    """How a Gathering's registrations ended, at scale 1."""

    came: int
    no_show: int  # a place with payment due, never taken up
    waiting: int  # still on the waiting list when it happened
    cancelled: int
    expired: int  # offered a place from the waiting list, not taken up
    from_list: int  # of those who came, how many had waited for a place


GATHERING_OUTCOMES = Outcomes(came=40, no_show=6, waiting=6, cancelled=5, expired=2, from_list=6)
COHORT_OUTCOMES = Outcomes(came=30, no_show=5, waiting=5, cancelled=4, expired=1, from_list=5)


@dataclass(frozen=True)
class GatheringSpec:
    slug: str
    title: str
    summary: str
    kind: str
    years_back: int  # 1: last year
    day: tuple[int, int]  # (month, day)
    hours: tuple[time, time]
    place: str
    outcomes: str
    themes: str
    price: int  # the fixed ticket, in pence
    slots: tuple[tuple[time, time], ...]
    regions: tuple[str, ...]  # where the people with a place live, in turn ("": did not say)


DAY_SLOTS = (
    (time(10, 30), time(11, 30)),
    (time(11, 45), time(12, 45)),
    (time(13, 45), time(14, 45)),
    (time(15, 0), time(16, 0)),
)
GATHERINGS = (
    GatheringSpec(
        slug="leeds-gathering",
        title="Leeds Gathering",
        summary="A day of open-space sessions on crisis care that people can trust.",
        kind=Event.Kind.GATHERING,
        years_back=2,
        day=(5, 16),
        hours=(time(10, 0), time(16, 30)),
        place="Leeds city centre",
        outcomes="Know what peer-led crisis support there is in Yorkshire\nPractise listening without fixing",
        themes="Crisis care people can trust; peer support",
        price=3500,
        slots=DAY_SLOTS,
        regions=("", NE, NW, YH, YH, YH, NE, NW, YH, YH),
    ),
    GatheringSpec(
        slug="families-and-crisis-evening",
        title="Families and crisis: an evening online",
        summary="An online evening for families, carers and the people who work with them.",
        kind=Event.Kind.ONLINE_SESSION,
        years_back=2,
        day=(11, 12),
        hours=(time(18, 0), time(20, 30)),
        place="",
        outcomes="Know where families can find support in a crisis\nHear how Open Dialogue includes families",
        themes="Families and carers; Open Dialogue",
        price=1000,
        slots=((time(18, 15), time(19, 10)), (time(19, 25), time(20, 20))),
        regions=("", NW, LONDON, SE, EE, WM, LONDON, SE, EE, WM),
    ),
    GatheringSpec(
        slug="bristol-gathering",
        title="Bristol Gathering",
        summary="Listening circles and open-space sessions on care without coercion.",
        kind=Event.Kind.GATHERING,
        years_back=1,
        day=(6, 13),
        hours=(time(10, 0), time(16, 30)),
        place="Bristol, near Temple Meads",
        outcomes="Know three alternatives to detention\nPlan a change with people who use services",
        themes="Care without coercion; co-production",
        price=3500,
        slots=DAY_SLOTS,
        regions=("", WALES, SE, SW, SW, SW, WALES, SE, SW, SW),
    ),
    GatheringSpec(
        slug="glasgow-gathering",
        title="Glasgow Gathering",
        summary="A day on peer support, hearing voices and what makes a service feel safe.",
        kind=Event.Kind.GATHERING,
        years_back=1,
        day=(9, 19),
        hours=(time(10, 0), time(16, 30)),
        place="Glasgow, the Merchant City",
        outcomes="Describe the values of peer support\nKnow how to start a Hearing Voices group",
        themes="Peer support; Hearing Voices groups",
        price=3000,
        slots=DAY_SLOTS,
        regions=("", NI, NE, SCOT, SCOT, SCOT, NI, NE, SCOT, SCOT),
    ),
)


@dataclass(frozen=True)
class CohortSpec:
    course: str  # the learning demo's course slug
    slug: str
    title: str
    years_back: int
    day: tuple[int, int]  # the first of four weekly sessions
    regions: tuple[str, ...]


COHORTS = (
    CohortSpec(
        course="co-production-in-practice",
        slug="co-production-in-practice-first-cohort",
        title="Co-production in practice: first cohort",
        years_back=2,
        day=(9, 7),
        regions=("", NW, EM, LONDON, NW, EM, LONDON),
    ),
    CohortSpec(
        course="trauma-informed-practice",
        slug="trauma-informed-practice-first-cohort",
        title="Trauma-informed practice: first cohort",
        years_back=1,
        day=(2, 2),
        regions=("", LONDON, ABROAD, EE, LONDON, ABROAD, EE),
    ),
)

SERIES_SLUG = "evening-listening-circles-online"
SERIES_REGIONS = ("", NW, WALES, SCOT, ABROAD, NW)
SMALL_SLUG = "small-evening-gathering"

REPORT_ACTIVITIES = (
    "This year we met in person in Bristol in June and in Glasgow in September. At both Gatherings people "
    "with lived experience of mental distress, family members and carers, and people who work in or design "
    "services spent the day together as equals: in listening circles in the morning, and in open-space "
    "sessions that the people in the room proposed and ran.\n\n"
    "We also ran our first cohort of Trauma-informed practice online, in four weekly sessions. Most of the "
    "people who took part work on wards or in community teams, and each of them left with one change to "
    "make their service feel safer. Their confidence in what the course sets out to teach rose between the "
    "start and the end.\n\n"
    "Places were pay what you can, and supported places and bursaries meant that money did not keep "
    "anyone away. Many people came back to us after a first Gathering, which tells us the network is "
    "becoming a place people return to."
)
REPORT_CONSULTATION = (
    "We asked everyone who came to each Gathering and course for anonymous feedback, including whether they "
    "felt safe, and we read every comment. People told us the quiet room and the group agreement made the "
    "day possible for them; some told us the afternoons were too full.\n\n"
    "Our planning group, half of whom have lived experience, read the feedback with us after each "
    "Gathering. Because of it we now keep the afternoon shorter, start every day with a listening circle, "
    "and ask family members and carers to help plan the programme."
)
REPORT_OTHER = (
    "Thank you to the volunteers who welcomed people at the door, to the venues that opened their quiet "
    "rooms, and to everyone who paid a solidarity price so that someone else could come.\n\n"
    "Everything in this report counts people together: where a number is small enough that someone could "
    "be recognised, we leave it out."
)


# ---------------------------------------------------------------- people


class People:
    """The demo people of the impact history, by number: who comes when, so that some come back.

    The plan is worked out in the same order every time, whatever is already in the database, so that
    numbers and people stay the same from one run to the next."""

    def __init__(self) -> None:
        self._next = 1
        self._had_place: list[int] = []
        self._users: dict[int, User] = {}

    def plan(self, *, places: int, others: int) -> list[int]:
        """Numbers for `places` people with a place (one in three came before, when anyone did) and then
        `others` without (all new)."""
        coming_back = places // 3
        earlier = self._had_place
        back = earlier[:: max(1, len(earlier) // max(1, coming_back))][:coming_back]
        numbers = []
        for i in range(places):
            if i % 3 == 1 and back:
                numbers.append(back.pop(0))
            else:
                numbers.append(self._new())
                self._had_place.append(numbers[-1])
        return numbers + [self._new() for _ in range(others)]

    def _new(self) -> int:
        self._next += 1
        return self._next - 1

    def users(self, numbers: list[int]) -> list[User]:
        """The accounts of these people, made (without a password) when missing."""
        missing = [n for n in numbers if n not in self._users]
        if missing:
            emails = {EMAIL.format(n=n): n for n in missing}
            for user in User.objects.filter(email__in=list(emails)):
                self._users[emails[user.email]] = user
            made = []
            for n in missing:
                if n not in self._users:
                    user = User.objects.create_user(
                        email=EMAIL.format(n=n), password=None, name=f"Demo person {n}"
                    )
                    self._users[n] = user
                    made.append(user)
            if made:
                Group.objects.get(name=PARTICIPANT.group_name).user_set.add(*made)
        return [self._users[n] for n in numbers]


# ---------------------------------------------------------------- helpers


def _when(years_back: int, month: int, day: int, at: time) -> datetime:
    return datetime.combine(date(timezone.localdate().year - years_back, month, day), at, tzinfo=ZONE)


def _answers(total: int, weights: tuple[int, int, int, int, int]) -> list[int]:
    """`total` answers on the scale 1 to 5, lowest first: at least five of each when there are enough for
    that (so that every count, and the mean, shows), the rest in the proportions of `weights`."""
    least = THRESHOLD if total >= 5 * THRESHOLD else 0
    rest = total - 5 * least
    counts = [least + rest * weight // sum(weights) for weight in weights]
    for i in range(total - sum(counts)):
        counts[4 - i % 5] += 1
    return [value for value, count in enumerate(counts, start=1) for _ in range(count)]


def _scaled(outcomes: Outcomes, scale: int) -> Outcomes:
    return Outcomes(*(scale * value for value in dataclasses.astuple(outcomes)))


def _places(outcomes: Outcomes) -> int:
    return outcomes.came + outcomes.no_show


def _others(outcomes: Outcomes) -> int:
    return outcomes.waiting + outcomes.cancelled + outcomes.expired


def _tickets(event: Event, price: int) -> dict[str, TicketType]:
    specs = (
        ("Pay what you can", K.PAY_WHAT_YOU_CAN, {"suggested_minor": [500, 1500, 3000]}),
        ("Standard", K.FIXED, {"price_minor": price}),
        ("Supported place", K.SUPPORTED, {"invitation_code": "SUPPORTED"}),
        ("Solidarity", K.SOLIDARITY, {"price_minor": SOLIDARITY[0]}),
    )
    found = {}
    for position, (name, kind, fields) in enumerate(specs):
        found[kind] = TicketType.objects.get_or_create(
            event=event, name=name, defaults={"kind": kind, "position": position, **fields}
        )[0]
    return found


def _register(
    event: Event, people: list[User], outcomes: Outcomes, price: int, regions: tuple[str, ...]
) -> None:
    """The registrations, with exact statuses: past Gatherings are recorded as they ended, not replayed
    through the services (which would offer freed places and expire offers)."""
    tickets = _tickets(event, price)
    statuses = (
        [S.CONFIRMED] * outcomes.came
        + [S.PENDING_PAYMENT] * outcomes.no_show
        + [S.WAITLISTED] * outcomes.waiting
        + [S.CANCELLED] * outcomes.cancelled
        + [S.EXPIRED] * outcomes.expired
    )
    before = event.starts_at - timedelta(days=30)
    answered = 0
    for i, (status, person) in enumerate(zip(statuses, people, strict=True)):
        if status == S.CONFIRMED:
            kind = PLACE_KINDS[i % len(PLACE_KINDS)]
        elif status == S.PENDING_PAYMENT:
            kind = (K.FIXED, K.PAY_WHAT_YOU_CAN)[i % 2]
        else:
            kind = K.PAY_WHAT_YOU_CAN
        amount = 0
        if status in Registration.HOLDING:
            amount = {
                K.FIXED: price,
                K.PAY_WHAT_YOU_CAN: PAY_WHAT_YOU_CAN[i % len(PAY_WHAT_YOU_CAN)]
                or (500 if status == S.PENDING_PAYMENT else 0),
                K.SUPPORTED: 0,
                K.SOLIDARITY: SOLIDARITY[i % len(SOLIDARITY)],
            }[kind]
        perspectives = None
        if status in Registration.HOLDING and i % 3 != 2:
            perspectives = EVENT_PERSPECTIVES[answered % len(EVENT_PERSPECTIVES)]
            answered += 1
        waited = (
            (status == S.CONFIRMED and i < outcomes.from_list)
            or status in (S.WAITLISTED, S.EXPIRED)
            or (status == S.CANCELLED and statuses.index(S.CANCELLED) == i)
        )
        Registration.objects.create(
            event=event,
            ticket_type=tickets[kind],
            user=person,
            name=person.name,
            email=person.email,
            region=regions[i % len(regions)],
            status=status,
            amount_minor=amount,
            payment=Registration.Payment.INVOICE if amount else Registration.Payment.NONE,
            paid_at=before if amount and status == S.CONFIRMED else None,
            perspectives=perspectives,
            special_category_consent_at=before if perspectives else None,
            on_attendee_list=i % 2 == 0,
            waitlisted_at=before + timedelta(days=5) if waited else None,
            checked_in_at=(
                event.starts_at + timedelta(minutes=i % 45) if status == S.CONFIRMED and i % 8 != 7 else None
            ),
            cancelled_at=event.starts_at - timedelta(days=3) if status == S.CANCELLED else None,
        )


def _bursaries(
    event: Event, people: list[User], *, awarded: int, declined: int, other: int, organiser: User
) -> None:
    statuses = (
        [BursaryApplication.Status.AWARDED_FULL, BursaryApplication.Status.AWARDED_PARTIAL] * awarded
    )[:awarded]
    statuses += [BursaryApplication.Status.DECLINED] * declined
    statuses += (
        [
            BursaryApplication.Status.SUBMITTED,
            BursaryApplication.Status.WITHDRAWN,
            BursaryApplication.Status.WAITLISTED,
        ]
        * other
    )[:other]
    decided = event.starts_at - timedelta(days=21)
    awards = 0
    for i, (status, person) in enumerate(zip(statuses, people, strict=False)):
        requested = (3000, 4500, 6000, 8000)[i % 4]
        amount = 0
        if status == BursaryApplication.Status.AWARDED_FULL:
            amount = requested
        elif status == BursaryApplication.Status.AWARDED_PARTIAL:
            amount = requested // 2
        awards += amount
        deciding = status in (*BursaryApplication.AWARDED, BursaryApplication.Status.DECLINED)
        BursaryApplication.objects.create(
            event=event,
            user=person,
            name=person.name,
            email=person.email,
            support=[["ticket", "travel"], ["travel"], ["ticket", "carer"], ["travel", "accommodation"]][
                i % 4
            ],
            amount_requested_minor=requested,
            circumstances="Travelling some distance; I live on a low income.",
            status=status,
            amount_awarded_minor=amount,
            decided_at=decided if deciding else None,
            decided_by=organiser if deciding else None,
        )
    BursaryFund.objects.get_or_create(event=event, defaults={"total_minor": awards, "open": False})


def _feedback(event: Event, total: int, weights: tuple[int, int, int, int, int]) -> None:
    if event.feedback_responses.exists():
        return
    outcomes = len(event.outcomes)
    FeedbackResponse.objects.bulk_create(
        FeedbackResponse(
            event=event,
            felt_safe=felt_safe,
            outcome_ratings={str(n): max(1, min(5, felt_safe + (i + n) % 3 - 1)) for n in range(outcomes)},
            comment=FEEDBACK_COMMENTS[i // 7] if i % 7 == 0 and i // 7 < len(FEEDBACK_COMMENTS) else "",
        )
        for i, felt_safe in enumerate(_answers(total, weights))
    )
    # Feedback keeps the day it came in: the day after the Gathering.
    event.feedback_responses.update(received_on=event.ends_at.date() + timedelta(days=1))


def _programme(event: Event, spec: GatheringSpec, offset: int) -> None:
    """A published timetable: seven sessions that ran, five that did not (declined, withdrawn, or proposed
    and never placed)."""
    programme, created = Programme.objects.get_or_create(
        event=event,
        defaults={
            "cfp_opens_at": event.starts_at - timedelta(days=60),
            "cfp_closes_at": event.starts_at - timedelta(days=21),
            "published_at": event.starts_at - timedelta(days=14),
        },
    )
    if not created:
        return
    day = event.starts_at.astimezone(ZONE).date()
    slots = [
        Slot.objects.create(
            programme=programme,
            starts_at=datetime.combine(day, start, tzinfo=ZONE),
            ends_at=datetime.combine(day, end, tzinfo=ZONE),
        )
        for start, end in spec.slots
    ]
    online = spec.kind == Event.Kind.ONLINE_SESSION
    rooms_needed = -(-7 // len(slots))
    rooms = [
        Room.objects.create(
            programme=programme,
            name=f"Breakout room {n + 1}" if online else ("Main hall", "Garden room", "Library", "Studio")[n],
            capacity=30,
            is_online=online,
            position=n,
        )
        for n in range(rooms_needed)
    ]
    titles = [SESSION_TITLES[(offset + n) % len(SESSION_TITLES)] for n in range(12)]
    for n, title in enumerate(titles[:7]):
        Session.objects.create(
            programme=programme,
            title=title,
            status=Session.Status.SCHEDULED,
            slot=slots[n // len(rooms)],
            room=rooms[n % len(rooms)],
        )
    not_run = (
        Session.Status.DECLINED,
        Session.Status.DECLINED,
        Session.Status.WITHDRAWN,
        Session.Status.PROPOSED,
        Session.Status.ACCEPTED,
    )
    for title, status in zip(titles[7:], not_run, strict=True):
        track = Session.Track.CURATED if status == Session.Status.ACCEPTED else Session.Track.OPEN_SPACE
        Session.objects.create(programme=programme, title=title, status=status, track=track)


# ---------------------------------------------------------------- activities


def _gathering(spec: GatheringSpec, index: int, people: People, organiser: User, scale: int) -> Event:
    starts_at = _when(spec.years_back, *spec.day, spec.hours[0])
    online = spec.kind == Event.Kind.ONLINE_SESSION
    outcomes = _scaled(GATHERING_OUTCOMES, scale)
    event, _created = Event.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "title": spec.title,
            "summary": spec.summary,
            "kind": spec.kind,
            "format": Event.Format.ONLINE if online else Event.Format.IN_PERSON,
            "place": spec.place,
            "online_join_url": "https://meet.example.org/families-evening" if online else "",
            "starts_at": starts_at,
            "ends_at": _when(spec.years_back, *spec.day, spec.hours[1]),
            "time_zone": "Europe/London",
            "status": Event.Status.PUBLISHED,
            "capacity": _places(outcomes),
            "learning_outcomes": spec.outcomes,
            "themes": spec.themes,
        },
    )
    event.organisers.add(organiser)
    numbers = people.plan(places=_places(outcomes), others=_others(outcomes))
    if not event.registrations.exists():
        _register(event, people.users(numbers), outcomes, spec.price, spec.regions)
    if not event.bursary_applications.exists():
        _bursaries(
            event,
            people.users(numbers[: 16 * scale]),
            awarded=6 * scale,
            declined=5 * scale,
            other=5 * scale,
            organiser=organiser,
        )
    _feedback(event, 34 * scale, (1, 1, 2, 4, 4))
    _programme(event, spec, offset=3 * index)
    return event


def _cohort(spec: CohortSpec, people: People, organiser: User, facilitator: User, scale: int) -> None:
    course = Course.objects.filter(slug=spec.course).first()
    outcomes = _scaled(COHORT_OUTCOMES, scale)
    numbers = people.plan(places=_places(outcomes), others=_others(outcomes))
    if course is None:
        return
    first = _when(spec.years_back, *spec.day, time(10, 0))
    days = [first + timedelta(weeks=n) for n in range(4)]
    event, _created = Event.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "title": spec.title,
            "summary": course.summary,
            "kind": Event.Kind.TRAINING,
            "format": Event.Format.ONLINE,
            "online_join_url": "https://meet.example.org/first-cohort",
            "starts_at": days[0],
            "ends_at": days[-1] + timedelta(hours=2, minutes=30),
            "time_zone": "Europe/London",
            "status": Event.Status.PUBLISHED,
            "capacity": _places(outcomes),
        },
    )
    event.organisers.add(organiser)
    course.organisers.add(organiser)
    course.facilitators.add(facilitator)
    cohort = Cohort.objects.filter(event=event).first()
    if cohort is None:
        cohort = learning_services.cohort_save(actor=organiser, cohort=Cohort(course=course, event=event))
    if not cohort.sessions.exists():
        for number, starts_at in enumerate(days, start=1):
            learning_services.session_save(
                actor=organiser,
                session=CohortSession(
                    cohort=cohort,
                    title=f"Session {number}",
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=2, minutes=30),
                    online_link="https://meet.example.org/first-cohort",
                ),
            )
    event.refresh_from_db()
    if not event.registrations.exists():
        _register(event, people.users(numbers), outcomes, 4500, spec.regions)
    if not event.bursary_applications.exists():
        _bursaries(
            event,
            people.users(numbers[: 15 * scale]),
            awarded=5 * scale,
            declined=5 * scale,
            other=5 * scale,
            organiser=organiser,
        )
    _feedback(event, 28 * scale, (1, 1, 2, 3, 3))
    _learning(cohort, facilitator)


def _learning(cohort: Cohort, facilitator: User) -> None:
    """Attendance at each session, and every learner's self-assessment before and after, lowest first: the
    least confident at the start are the least confident at the end, but everyone moves up."""
    if cohort.event.registrations.filter(self_assessments__isnull=False).exists():
        return
    learners = list(
        Registration.objects.filter(event=cohort.event, status=S.CONFIRMED)
        .select_related("user")
        .order_by("pk")
    )
    sessions = list(cohort.sessions.order_by("starts_at"))
    for index, session in enumerate(sessions):
        present = [r.pk for n, r in enumerate(learners) if (n + index) % 9 != 0]
        learning_services.attendance_record(
            actor=facilitator, session=session, present=present, now=session.starts_at
        )
    outcomes = list(cohort.course.outcomes.order_by("position"))
    ratings = len(learners) * len(outcomes)
    before = _answers(ratings, (3, 5, 6, 4, 2))
    after = _answers(ratings, (2, 3, 5, 6, 6))
    width = len(outcomes)
    for n, registration in enumerate(learners):
        for stage, answers, at in (
            ("before", before, sessions[0].starts_at - timedelta(days=2)),
            ("after", after, sessions[-1].starts_at + timedelta(hours=3)),
        ):
            mine = answers[n * width : (n + 1) * width]
            learning_services.self_assessment_save(
                user=registration.user,
                registration=registration,
                stage=stage,
                ratings={outcome.pk: rating for outcome, rating in zip(outcomes, mine, strict=True)},
                now=at,
            )


def _series(people: People, organiser: User, facilitator: User, scale: int) -> None:
    """Online listening circles over three weeks: five circles of six, every meeting held, attendance
    marked, anonymous feedback after each."""
    count, size, meetings = 5 * scale, 6, 3
    numbers = people.plan(places=count * size, others=0)
    first = _when(2, 2, 3, time(19, 0))
    series, created = circles.CircleSeries.objects.get_or_create(
        slug=SERIES_SLUG,
        defaults={
            "name": "Evening listening circles online",
            "purpose": (
                "Small online circles where people with lived experience, carers and people who work in or "
                "design services listen to each other's experience of crisis care."
            ),
            "format": circles.CircleSeries.Format.ONLINE,
            "schedule": "Weekly, 19:00 to 20:30, for three weeks",
            "first_meets_at": first,
            "meeting_count": meetings,
            "every_days": 7,
            "time_zone": "Europe/London",
            "online_link": "https://meet.example.org/evening-circles",
            "rounds": circle_services.DEFAULT_ROUNDS,
            "status": circles.CircleSeries.Status.PUBLISHED,
        },
    )
    series.organisers.add(organiser)
    if created:
        series.agreements.create(version=1, text=circle_services.DEFAULT_AGREEMENT)
    if series.circles.exists():
        return
    agreement = series.agreements.order_by("-version").first()
    others = list(
        User.objects.filter(
            email__startswith="circle-facilitator", email__endswith="@demo.gathering.test"
        ).order_by("pk")
    )
    leaders = [facilitator, *others]
    series.facilitators.add(*leaders)
    users = people.users(numbers)
    marks, answers = [], []
    for number in range(count):
        circle = circles.Circle.objects.create(
            series=series, number=number + 1, facilitator=leaders[number % len(leaders)]
        )
        members = []
        for seat in range(size):
            n = number * size + seat
            left = seat == size - 1 and number % 2 == 0  # one in some circles left after the first meeting
            members.append(
                circles.CircleMembership.objects.create(
                    series=series,
                    user=users[n],
                    circle=circle,
                    perspectives=None if n % 7 == 6 else CIRCLE_PERSPECTIVES[n % len(CIRCLE_PERSPECTIVES)],
                    perspectives_consent_at=None if n % 7 == 6 else first - timedelta(days=10),
                    agreement=agreement,
                    agreed_at=first - timedelta(days=10),
                    region=SERIES_REGIONS[n % len(SERIES_REGIONS)],
                    listed=seat % 3 != 0,
                    status=circles.CircleMembership.Status.LEFT
                    if left
                    else circles.CircleMembership.Status.ACTIVE,
                    ended_at=first + timedelta(days=2) if left else None,
                )
            )
        for week in range(meetings):
            meeting = circles.Meeting.objects.create(circle=circle, starts_at=first + timedelta(weeks=week))
            for seat, membership in enumerate(members):
                if week > 0 and membership.status == circles.CircleMembership.Status.LEFT:
                    continue
                present = (seat + week + number) % 5 != 0
                marks.append(circles.Attendance(meeting=meeting, membership=membership, present=present))
                if present and (seat + week) % 4 != 3:
                    answers.append(meeting)
    circles.Attendance.objects.bulk_create(marks)
    safe = _answers(len(answers), (1, 1, 2, 4, 5))
    heard = _answers(len(answers), (1, 1, 3, 4, 4))
    circles.Feedback.objects.bulk_create(
        circles.Feedback(
            meeting=meeting, felt_safe=safe[i], felt_heard=heard[i], come_again=max(safe[i], heard[i])
        )
        for i, meeting in enumerate(answers)
    )


def _small(people: People, organiser: User) -> None:
    """Four registrations: every figure of it is hidden, and one figure beside each is hidden with it."""
    numbers = people.plan(places=3, others=1)
    manchester = Event.objects.filter(slug=MANCHESTER).first()
    if manchester is not None:
        day = manchester.starts_at.astimezone(ZONE).date()
    else:
        day = timezone.localdate() - timedelta(days=200)
    event, _created = Event.objects.get_or_create(
        slug=SMALL_SLUG,
        defaults={
            "title": "Small evening gathering",
            "summary": "An evening conversation over food for a handful of people, after the Gathering.",
            "kind": Event.Kind.GATHERING,
            "format": Event.Format.IN_PERSON,
            "venue": manchester.venue if manchester is not None else None,
            "place": "" if manchester is not None and manchester.venue else "Manchester",
            "starts_at": datetime.combine(day, time(18, 30), tzinfo=ZONE),
            "ends_at": datetime.combine(day, time(20, 30), tzinfo=ZONE),
            "time_zone": "Europe/London",
            "status": Event.Status.PUBLISHED,
            "capacity": 6,
        },
    )
    event.organisers.add(organiser)
    if not event.registrations.exists():
        ticket = TicketType.objects.get_or_create(event=event, name="Free", defaults={"kind": K.FIXED})[0]
        for i, person in enumerate(people.users(numbers)):
            status = S.CONFIRMED if i < 3 else S.CANCELLED
            Registration.objects.create(
                event=event,
                ticket_type=ticket,
                user=person,
                name=person.name,
                email=person.email,
                status=status,
                checked_in_at=event.starts_at if status == S.CONFIRMED else None,
                cancelled_at=event.starts_at - timedelta(days=1) if status == S.CANCELLED else None,
                perspectives=[Registration.Perspective.LIVED_EXPERIENCE] if i == 0 else None,
                special_category_consent_at=event.starts_at - timedelta(days=7) if i == 0 else None,
            )
    _feedback(event, 2, (0, 0, 0, 1, 1))


def _feedback_for_others(scale: int) -> None:
    """Feedback from most of the people who came to the other demos' past activities, which have none: an
    activity with no answers at all shows zeros, and zeros hide the figures around them too."""
    for slug, count in OTHERS_FEEDBACK:
        event = Event.objects.filter(slug=slug).first()
        if event is not None and event.is_past:
            _feedback(event, count * scale, (1, 1, 2, 3, 3))


def _report(organiser: User) -> None:
    AnnualReport.objects.get_or_create(
        year=timezone.localdate().year - 1,
        defaults={
            "activities": REPORT_ACTIVITIES,
            "consultation": REPORT_CONSULTATION,
            "other": REPORT_OTHER,
            "updated_by": organiser,
        },
    )


def seed_impact(*, people: dict[str, User], scale: int = 1) -> None:
    """people: the demo people by role (organiser, facilitator, ...). In the order things happened, so that
    the people who come back are planned the same way every time."""
    organiser, facilitator = people["organiser"], people["facilitator"]
    crowd = People()
    _series(crowd, organiser, facilitator, scale)
    leeds, online, bristol, glasgow = GATHERINGS
    _gathering(leeds, 0, crowd, organiser, scale)
    _cohort(COHORTS[0], crowd, organiser, facilitator, scale)
    _gathering(online, 1, crowd, organiser, scale)
    _cohort(COHORTS[1], crowd, organiser, facilitator, scale)
    _gathering(bristol, 2, crowd, organiser, scale)
    _gathering(glasgow, 3, crowd, organiser, scale)
    _small(crowd, organiser)
    _feedback_for_others(scale)
    _report(organiser)
    # Bulk writes send no signals: the figures are marked out of date once, here.
    figures_changed()


@demo_step("impact", order=100)
def seed(run: DemoRun) -> None:
    seed_impact(people=run.people, scale=run.scale)
