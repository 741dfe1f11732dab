"""Demo learning programmes, loaded by `gathering seed-demo` (idempotent): three courses; one cohort completed
(with attendance and both self-assessments, enough people for the change to show), one running, one open for
enrolment. The running cohort has breakout groups. The demo participant is in the completed and the running
cohorts; the demo facilitator facilitates every course. Found by slug and email, so running it again adds
nothing."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from gathering.accounts.models import User
from gathering.accounts.roles import PARTICIPANT
from gathering.core.demo import DemoRun, demo_step
from gathering.events.models import BursaryFund, Event, Registration, TicketType, Venue
from gathering.events.services import RegistrationInput, registration_create

from . import services
from .models import Attendance, Cohort, CohortSession, Course, CourseMaterial, SelfAssessment

COURSES = (
    {
        "slug": "trauma-informed-practice",
        "title": "Trauma-informed practice",
        "summary": "What trauma-informed services do differently, and how to begin in your own team.",
        "description": (
            "Four online sessions for small groups. We start from what people who use services say makes "
            "them feel safe, and end with **one change** each participant takes back to their team."
        ),
        "audience": "Ward and community staff, peer workers, commissioners",
        "format": Course.Format.ONLINE,
        "cpd_hours": Decimal("8.0"),
        "outcomes": [
            "Recognise how past trauma can shape a person's experience of services",
            "Use language that offers choice and avoids blame",
            "Plan one change to make your service feel safer",
        ],
        "material": ("Reading list", "https://www.england.nhs.uk/ltphimenu/mental-health/"),
    },
    {
        "slug": "co-production-in-practice",
        "title": "Co-production in practice",
        "summary": "Designing and reviewing services with the people who use them, as equals.",
        "description": (
            "Two sessions online and two together in Manchester. Each participant brings a real piece of "
            "work to co-produce with people with lived experience."
        ),
        "audience": "Service managers, designers and people with lived experience who want to co-produce",
        "format": Course.Format.BLENDED,
        "cpd_hours": Decimal("10.0"),
        "outcomes": [
            "Explain what makes co-production different from consultation",
            "Share power in a meeting you run",
            "Pay and support people with lived experience fairly",
        ],
        "material": ("Co-production principles", "https://www.scie.org.uk/co-production/what-how/"),
    },
    {
        "slug": "peer-support-foundations",
        "title": "Peer support foundations",
        "summary": "The values and skills of peer support, for people starting out in a peer role.",
        "description": "Three in-person days in a group of no more than twelve.",
        "audience": "People with lived experience starting a peer support role",
        "format": Course.Format.IN_PERSON,
        "cpd_hours": Decimal("15.0"),
        "outcomes": [
            "Describe the values of peer support",
            "Use your own experience with purpose and care",
            "Look after your own wellbeing in a peer role",
        ],
        "material": ("Peer support values", "https://www.mind.org.uk/information-support/"),
    },
)


def _at(days: int, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, 0)))


def _learner(n: int) -> User:
    email = f"learner{n}@demo.gathering.test"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, name=f"Demo learner {n}")
        user.groups.add(Group.objects.get(name=PARTICIPANT.group_name))
    return user


def _course(spec: dict, *, organiser: User, facilitator: User) -> Course:
    course = Course.objects.filter(slug=spec["slug"]).first()
    if course is None:
        course = Course(
            slug=spec["slug"],
            title=spec["title"],
            summary=spec["summary"],
            description=spec["description"],
            audience=spec["audience"],
            format=spec["format"],
            cpd_hours=spec["cpd_hours"],
            status=Course.Status.PUBLISHED,
        )
        services.course_save(actor=organiser, course=course, outcomes=spec["outcomes"], creating=True)
        title, url = spec["material"]
        services.material_save(actor=organiser, material=CourseMaterial(course=course, title=title, url=url))
    course.facilitators.add(facilitator)
    return course


def _cohort(
    course: Course,
    *,
    slug: str,
    title: str,
    organiser: User,
    days: list[int],
    venue: Venue | None,
    capacity: int,
) -> Cohort:
    """A cohort with a session on each of `days` (relative to today), 10:00 to 12:30."""
    event, _created = Event.objects.get_or_create(
        slug=slug,
        defaults={
            "title": title,
            "summary": course.summary,
            "kind": Event.Kind.TRAINING,
            "format": Event.Format.ONLINE if venue is None else Event.Format.IN_PERSON,
            "venue": venue,
            "online_join_url": "https://meet.example.org/demo-course" if venue is None else "",
            "starts_at": _at(days[0], 10),
            "ends_at": _at(days[-1], 12) + timedelta(minutes=30),
            "status": Event.Status.PUBLISHED,
            "capacity": capacity,
        },
    )
    event.organisers.add(organiser)
    if not event.ticket_types.exists():
        TicketType.objects.create(
            event=event,
            name="Pay what you can",
            kind=TicketType.Kind.PAY_WHAT_YOU_CAN,
            suggested_minor=[2500],
        )
        TicketType.objects.create(
            event=event,
            name="Supported place",
            kind=TicketType.Kind.SUPPORTED,
            invitation_code="LEARN",
            position=1,
        )
    BursaryFund.objects.get_or_create(event=event, defaults={"total_minor": 50_000})
    cohort = Cohort.objects.filter(event=event).first()
    if cohort is None:
        cohort = services.cohort_save(actor=organiser, cohort=Cohort(course=course, event=event))
    if not cohort.sessions.exists():
        for number, day in enumerate(days, start=1):
            services.session_save(
                actor=organiser,
                session=CohortSession(
                    cohort=cohort,
                    title=f"Session {number}",
                    starts_at=_at(day, 10),
                    ends_at=_at(day, 12) + timedelta(minutes=30),
                    place="" if venue is None else venue.name,
                    online_link="https://meet.example.org/demo-course" if venue is None else "",
                ),
            )
    return cohort


def _place(cohort: Cohort, user: User, *, past: bool) -> Registration:
    existing = Registration.objects.filter(event=cohort.event, email=user.email).live().first()
    if existing is not None:
        return existing
    ticket = cohort.event.ticket_types.order_by("position", "pk").first()
    if past:
        # Registration closed when the cohort ended: its places are recorded directly, as in the archive.
        return Registration.objects.create(
            event=cohort.event,
            ticket_type=ticket,
            user=user,
            name=user.name,
            email=user.email,
            status=Registration.Status.CONFIRMED,
        )
    data = RegistrationInput(ticket_type_id=ticket.pk, name=user.name, email=user.email, amount_minor=0)
    return registration_create(event=cohort.event, user=user, data=data, notify=False).registration


def _assess(registration: Registration, stage: str, rating: int, at: datetime, reflection: str = "") -> None:
    if SelfAssessment.objects.filter(registration=registration, stage=stage).exists():
        return
    outcomes = registration.event.cohort.course.outcomes.all()
    services.self_assessment_save(
        user=registration.user,
        registration=registration,
        stage=stage,
        ratings={outcome.pk: min(5, rating + outcome.position % 2) for outcome in outcomes},
        reflection=reflection,
        now=at,
    )


def _attend(
    cohort: Cohort, facilitator: User, registrations: list[Registration], missed: dict[int, set[int]]
) -> None:
    """Everyone at every session that has started, except `missed` {registration index: session indexes}."""
    now = timezone.now()
    for index, session in enumerate(cohort.sessions.order_by("starts_at")):
        if session.starts_at > now or Attendance.objects.filter(session=session).exists():
            continue
        present = [r.pk for n, r in enumerate(registrations) if index not in missed.get(n, set())]
        services.attendance_record(actor=facilitator, session=session, present=present, now=session.starts_at)


def seed_learning(*, people: dict[str, User], scale: int = 1) -> None:
    organiser, facilitator, participant = people["organiser"], people["facilitator"], people["participant"]
    trauma, coproduction, peer = (
        _course(spec, organiser=organiser, facilitator=facilitator) for spec in COURSES
    )
    venue = Venue.objects.order_by("pk").first()

    # Completed: four weekly sessions, the last a fortnight ago; the demo participant and 8 x scale others.
    size = 8 * scale
    done = _cohort(
        trauma,
        slug="trauma-informed-practice-autumn",
        title="Trauma-informed practice: autumn cohort",
        organiser=organiser,
        days=[-35, -28, -21, -14],
        venue=None,
        capacity=max(16, size + 1),
    )
    learners = [_place(done, participant, past=True)] + [
        _place(done, _learner(n), past=True) for n in range(1, size + 1)
    ]
    sessions = list(done.sessions.order_by("starts_at"))
    # Three have not completed: two missed two of the four sessions, one missed one (75%, under 80%).
    _attend(done, facilitator, learners, missed={3: {1, 2}, 6: {0, 3}, 4: {2}})
    for n, registration in enumerate(learners):
        _assess(registration, "before", 1 + n % 3, sessions[0].starts_at - timedelta(days=2))
        _assess(registration, "after", 3 + n % 3, sessions[-1].starts_at + timedelta(hours=1))

    # Running: two sessions held, two to come.
    running = _cohort(
        coproduction,
        slug="co-production-in-practice-winter",
        title="Co-production in practice: winter cohort",
        organiser=organiser,
        days=[-8, -1, 6, 13],
        venue=None,
        capacity=14,
    )
    running_learners = [_place(running, participant, past=False)] + [
        _place(running, _learner(100 + n), past=False) for n in range(1, 7)
    ]
    first = running.sessions.order_by("starts_at").first()
    _attend(running, facilitator, running_learners, missed={2: {1}})
    for n, registration in enumerate(running_learners[1:]):
        _assess(registration, "before", 2 + n % 2, first.starts_at - timedelta(days=1))
    if not running.breakout_groups.exists():
        services.breakouts_form(actor=organiser, cohort=running, size=4)

    # Open for enrolment: in person, three days, starting in six weeks, with bursaries.
    upcoming = _cohort(
        peer,
        slug="peer-support-foundations-summer",
        title="Peer support foundations: summer cohort",
        organiser=organiser,
        days=[42, 49, 56],
        venue=venue,
        capacity=12,
    )
    for n in range(1, 4):
        _place(upcoming, _learner(200 + n), past=False)


@demo_step("learning", order=45)
def seed(run: DemoRun) -> None:
    seed_learning(people=run.people, scale=run.scale)
