"""Demo data for the programme app, loaded by `gathering seed-demo` (idempotent): the upcoming demo Gathering
gets a grid of 8 slots over two days (with lunch breaks) and 6 rooms, open-space proposals, 150 attendees'
interest marks, and a timetable that is already optimised and published."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from gathering.accounts.models import User
from gathering.core.demo import DemoRun, demo_step
from gathering.events.models import Event, Registration

from . import services
from .models import Interest, Programme, Room, Session, Slot

UPCOMING = "spring-gathering"
ATTENDEES = 150
# (start, end) of each slot of a day; lunch sits between the second and third.
DAY = [((10, 0), (11, 0)), ((11, 15), (12, 15)), ((13, 15), (14, 15)), ((14, 30), (15, 30))]
LUNCH = ((12, 15), (13, 15))
ROOMS = [
    ("Main hall", 80, ["step_free", "projector", "hearing_loop"], False),
    ("Garden room", 30, ["step_free", "quiet"], False),
    ("Library", 20, ["quiet", "hearing_loop"], False),
    ("Studio", 25, ["step_free", "projector"], False),
    ("Small room", 12, [], False),
    ("Online room", 40, ["online"], True),
]
# (title, format, needs, length)
SESSIONS = [
    ("What helped me in a crisis", "sharing_circle", [], 1),
    ("Open Dialogue: the first network meeting", "showcase", ["projector"], 1),
    ("Hearing Voices groups: starting one", "showcase", [], 1),
    ("Peer-run crisis houses", "talk", ["step_free"], 1),
    ("Carers' circle", "sharing_circle", ["quiet"], 1),
    ("Crisis plans written together", "workshop", [], 1),
    ("Soteria: a house, not a ward", "talk", ["projector"], 1),
    ("Listening without fixing", "workshop", ["quiet"], 1),
    ("Sanctuary cafés after dark", "talk", [], 1),
    ("Young people and A&E", "open_space", [], 1),
    ("Psychiatric advance directives", "talk", ["hearing_loop"], 1),
    ("Walking conversations", "open_space", ["step_free"], 1),
    ("Racism and coercion in crisis care", "open_space", [], 1),
    ("Police and mental health: what changes?", "open_space", [], 1),
    ("Peer support workers: pay and power", "open_space", [], 1),
    ("Self-harm: harm reduction that works", "workshop", ["quiet"], 1),
    ("Online peer support across time zones", "open_space", ["online"], 1),
    ("Trauma-informed front desks", "workshop", [], 1),
    ("Alternatives to detention", "talk", ["projector"], 1),
    ("Voices of people who hear voices", "sharing_circle", ["quiet"], 1),
    ("Funding peer-led services", "open_space", [], 1),
    ("Measuring what matters", "open_space", ["projector"], 1),
    ("Neurodivergent in crisis", "open_space", ["quiet"], 1),
    ("Crisis lines: behind the phone", "talk", ["hearing_loop"], 1),
    ("Families in Open Dialogue", "showcase", [], 1),
    ("Rural crisis support", "open_space", [], 1),
    ("Suicide bereavement circles", "sharing_circle", ["quiet"], 1),
    ("Co-producing a ward's rules", "workshop", [], 1),
    ("Housing first and mental health", "open_space", [], 1),
    ("Arts in recovery", "workshop", ["step_free"], 1),
    ("Medication: choice and withdrawal", "open_space", [], 1),
    ("Lived experience leadership", "open_space", [], 1),
    ("Online circles that feel safe", "open_space", ["online"], 1),
    ("Debriefing after restraint", "open_space", [], 1),
    ("Writing our own stories", "workshop", [], 1),
    ("What next for this network?", "open_space", [], 1),
]


def _local(event: Event, day: int, hour_minute: tuple[int, int]) -> datetime:
    zone = event.zone
    date = timezone.localtime(event.starts_at, zone).date() + timedelta(days=day)
    return datetime.combine(date, time(*hour_minute), tzinfo=zone)


def _person(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    return user or User.objects.create_user(email=email, password=None, name=name)


def _grid(programme: Programme) -> None:
    event = programme.event
    for day in range(2):
        for start, end in DAY:
            Slot.objects.get_or_create(
                programme=programme,
                starts_at=_local(event, day, start),
                defaults={"ends_at": _local(event, day, end)},
            )
        Slot.objects.get_or_create(
            programme=programme,
            starts_at=_local(event, day, LUNCH[0]),
            defaults={"ends_at": _local(event, day, LUNCH[1]), "is_break": True, "label": "Lunch"},
        )
    for position, (name, capacity, features, online) in enumerate(ROOMS):
        Room.objects.get_or_create(
            programme=programme,
            name=name,
            defaults={"capacity": capacity, "features": features, "is_online": online, "position": position},
        )


def _attendees(event: Event, count: int) -> list[User]:
    ticket = event.ticket_types.order_by("pk").first()
    people = []
    for n in range(count):
        email = f"programme{n}@demo.gathering.test"
        user = _person(email, f"Demo programme attendee {n}")
        Registration.objects.get_or_create(
            event=event,
            email=email,
            defaults={"user": user, "ticket_type": ticket, "name": user.name, "status": "confirmed"},
        )
        people.append(user)
    holding = event.registrations.filter(status__in=Registration.HOLDING).count()
    if event.capacity is not None and holding > event.capacity:
        # These attendees booked before the rush that filled the Gathering: its capacity counts their places.
        ours = event.registrations.filter(email__startswith="programme", status="confirmed").count()
        Event.objects.filter(pk=event.pk).update(capacity=event.capacity + ours)
        event.refresh_from_db(fields=["capacity"])
    return people


def seed_programme(*, people: dict[str, User], scale: int = 1) -> None:
    """people: the demo people by role (participant, facilitator, organiser, safeguarding_lead, admin)."""
    event = Event.objects.filter(slug=UPCOMING).first()
    if event is None:
        return
    programme, _created = Programme.objects.get_or_create(
        event=event,
        defaults={
            "cfp_opens_at": timezone.now() - timedelta(days=20),
            "cfp_closes_at": event.starts_at - timedelta(days=14),
        },
    )
    _grid(programme)
    hosts = [_person(f"host{n}@demo.gathering.test", f"Demo host {n}") for n in range(12)]
    sessions = []
    for n, (title, format_, needs, length) in enumerate(SESSIONS):
        session, created = Session.objects.get_or_create(
            programme=programme,
            title=title,
            defaults={
                "description": f"An open-space session proposed for {event.title}.",
                "format": format_,
                "needs": needs,
                "length": length,
                "proposer": hosts[n % len(hosts)],
            },
        )
        if created:
            session.facilitators.add(people["facilitator"] if n in (0, 7) else hosts[n % len(hosts)])
        sessions.append(session)
    attendees = _attendees(event, ATTENDEES * scale)
    rng = random.Random(20260514)  # noqa: S311 - demo data, not security
    popularity = [1 / (n + 1) ** 0.7 for n in range(len(sessions))]
    order = list(range(len(sessions)))
    rng.shuffle(order)
    marks = []
    for person in attendees:
        chosen: set[int] = set()
        wanted = rng.randint(3, 7)
        while len(chosen) < wanted:
            chosen.add(order[rng.choices(range(len(sessions)), popularity)[0]])
        for i in sorted(chosen):
            marks.append(Interest(user=person, session=sessions[i], level=2 if rng.random() < 0.3 else 1))
    for i in (0, 1, 7):
        marks.append(Interest(user=people["participant"], session=sessions[i], level=2 if i == 0 else 1))
    Interest.objects.bulk_create(marks, ignore_conflicts=True)
    if programme.published_at is None:
        organiser = people["organiser"]
        event.organisers.add(organiser)
        run = services.timetable_optimise_request(
            programme=programme, actor=organiser, time_limit=5, start=False
        )
        run = services.timetable_run_execute(run_id=run.pk)
        if run is not None and run.status == run.Status.DONE:
            services.timetable_publish(run=run, actor=organiser)


@demo_step("programme", order=30)
def seed(run: DemoRun) -> None:
    seed_programme(people=run.people, scale=run.scale)
