"""Demo Gatherings: one past with attendance, one upcoming in person nearly full with a waiting list, one
online. Idempotent: found by slug, and registrations by email."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from gathering.accounts.models import User
from gathering.core.demo import DemoRun, demo_step
from gathering.core.regions import Region

from .models import (
    BursaryApplication,
    BursaryFund,
    Event,
    EventResource,
    Question,
    Registration,
    TicketType,
    Venue,
)
from .services import RegistrationInput, registration_create

VENUE = {
    "name": "Friends Meeting House",
    "address": "6 Mount Street\nManchester",
    "postcode": "M2 5NS",
    "step_free_route": "Level entrance on Mount Street; lifts to every floor.",
    "accessible_toilets": "On every floor, with grab rails and an emergency cord.",
    "hearing_loop": "In the Main Hall and the Garden Room.",
    "quiet_room": "The Library on the first floor is kept quiet all day.",
    "seating": "Chairs with and without arms; sofas in the café.",
    "lighting": "Daylight in most rooms; no flashing lights or music.",
    "parking": "Two blue badge spaces behind the building; NCP car park on Lower Mosley Street.",
    "public_transport": "St Peter's Square tram stop, 2 minutes; Oxford Road station, 10 minutes.",
}


# Where demo attendees live, taken in turn: most from the North West around the Manchester venue, fewer from
# further away, a few not saying. Enough in each of the larger groups for the impact figures to show them.
REGIONS = (
    Region.NORTH_WEST,
    Region.NORTH_WEST,
    Region.YORKSHIRE_HUMBER,
    Region.NORTH_WEST,
    "",
    Region.WEST_MIDLANDS,
    Region.NORTH_WEST,
    Region.YORKSHIRE_HUMBER,
    Region.LONDON,
    Region.NORTH_WEST,
    Region.NORTH_EAST,
    Region.WALES,
    Region.NORTH_WEST,
    Region.SCOTLAND,
    Region.EAST_MIDLANDS,
    Region.OUTSIDE_UK,
)


def _at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _event(slug: str, **fields: object) -> Event:
    event, _created = Event.objects.update_or_create(slug=slug, defaults=fields)
    return event


def seed_events(*, organiser: User, participant: User, scale: int = 1) -> None:
    venue, _ = Venue.objects.update_or_create(
        name=VENUE["name"], defaults={**VENUE, "address": "6 Mount Street\nManchester"}
    )
    past = _event(
        "manchester-gathering-2025",
        title="Manchester Gathering 2025",
        summary="A day of open-space sessions on crisis support without coercion.",
        description=(
            "People with lived experience, carers and practitioners met to share what helps in a crisis."
        ),
        format=Event.Format.IN_PERSON,
        venue=venue,
        starts_at=_at(-200, 10),
        ends_at=_at(-200, 17),
        status=Event.Status.PUBLISHED,
        capacity=120,
        learning_outcomes="Understand peer-led crisis alternatives\nHear from Open Dialogue teams",
    )
    upcoming = _event(
        "spring-gathering",
        title="Spring Gathering",
        summary="Listening circles and open-space sessions on compassionate crisis care.",
        description=(
            "A day to **listen, share and plan**, together.\n\n"
            "- Listening circles in the morning\n- Open-space sessions after lunch\n- A quiet room all day"
        ),
        format=Event.Format.IN_PERSON,
        venue=venue,
        starts_at=_at(40, 10),
        # Two days: the programme's demo grid has slots on both (slots must fall within the dates).
        ends_at=_at(41, 17),
        status=Event.Status.PUBLISHED,
        capacity=30 * scale,
        learning_outcomes=(
            "Know three peer-led alternatives to A&E in a crisis\nPractise listening without fixing"
        ),
    )
    online = _event(
        "online-hearing-voices-evening",
        title="Hearing Voices: an evening online",
        summary="An online session on Hearing Voices groups, with time for questions.",
        format=Event.Format.ONLINE,
        venue=None,
        starts_at=_at(14, 18),
        ends_at=_at(14, 20),
        status=Event.Status.PUBLISHED,
        capacity=None,
        online_join_url="https://meet.example.org/hearing-voices-evening",
    )
    for event in (past, upcoming, online):
        event.organisers.add(organiser)
    seed_bursaries(event=upcoming)
    past.attendance_recorded = 12 * scale
    past.themes = "Crisis support without coercion; peer respites"
    past.save(update_fields=["attendance_recorded", "themes"])
    EventResource.objects.get_or_create(
        event=past,
        title="Report from the day",
        defaults={"url": "https://example.org/manchester-2025-report", "kind": EventResource.Kind.REPORT},
    )

    tickets = {}
    for event in (past, upcoming):
        tickets[event.slug] = [
            TicketType.objects.update_or_create(event=event, name=name, defaults=defaults)[0]
            for name, defaults in (
                (
                    "Pay what you can",
                    {
                        "kind": TicketType.Kind.PAY_WHAT_YOU_CAN,
                        "floor_minor": 0,
                        "suggested_minor": [500, 1500, 3000],
                        "position": 1,
                    },
                ),
                (
                    "Supported place",
                    {
                        "kind": TicketType.Kind.SUPPORTED,
                        "invitation_code": "SUPPORTED-2026",
                        "quantity": 5 * scale,
                        "position": 2,
                    },
                ),
                ("Solidarity", {"kind": TicketType.Kind.SOLIDARITY, "price_minor": 6000, "position": 3}),
            )
        ]
    online_ticket, _ = TicketType.objects.update_or_create(
        event=online, name="Free", defaults={"kind": TicketType.Kind.FIXED, "price_minor": 0}
    )
    Question.objects.update_or_create(
        event=upcoming,
        text="Would you like to help host a listening circle?",
        defaults={"kind": Question.Kind.YES_NO, "required": False, "sensitive": False, "position": 1},
    )

    # The upcoming Gathering: nearly full, with a waiting list behind it.
    pwyc = tickets[upcoming.slug][0]
    wanted = upcoming.capacity + 4 * scale
    for n in range(wanted):
        email = f"attendee{n}@demo.gathering.test"
        if Registration.objects.filter(event=upcoming, email=email).exists():
            continue
        if (
            n == upcoming.capacity - 2
            and not Registration.objects.filter(event=upcoming, user=participant).exists()
        ):
            continue  # leave the demo participant room to register themselves
        registration_create(
            notify=False,
            event=upcoming,
            user=None,
            data=RegistrationInput(
                ticket_type_id=pwyc.pk,
                name=f"Demo attendee {n}",
                email=email,
                amount_minor=0,
                region=REGIONS[n % len(REGIONS)],
                special_category_consent=n % 3 == 0,
                perspectives=["lived_experience"] if n % 3 == 0 else [],
                access_needs=["quiet_space"] if n % 6 == 0 else [],
            ),
        )
    # The past Gathering's attendance, recorded directly: its registration closed long ago.
    for n in range(12 * scale):
        Registration.objects.get_or_create(
            event=past,
            email=f"past{n}@demo.gathering.test",
            defaults={
                "ticket_type": tickets[past.slug][0],
                "name": f"Past attendee {n}",
                "region": REGIONS[n % len(REGIONS)],
                "status": "confirmed",
                "checked_in_at": past.starts_at + timedelta(minutes=n),
            },
        )
    if not Registration.objects.filter(event=online, user=participant).live().exists():
        registration_create(
            notify=False,
            event=online,
            user=participant,
            data=RegistrationInput(
                ticket_type_id=online_ticket.pk, name=participant.name, email=participant.email
            ),
        )


def seed_bursaries(*, event: Event) -> None:
    BursaryFund.objects.get_or_create(event=event, defaults={"total_minor": 150_000})
    for n, (support, amount, circumstances) in enumerate(
        (
            (["ticket", "travel"], 4500, "Travelling from Whitby by train; I am on Universal Credit."),
            (["ticket", "carer"], 0, "I would need my support worker with me for the day."),
            (["travel", "childcare"], 6000, ""),
        )
    ):
        BursaryApplication.objects.get_or_create(
            event=event,
            email=f"applicant{n}@demo.gathering.test",
            defaults={
                "name": f"Demo applicant {n}",
                "support": support,
                "amount_requested_minor": amount,
                "circumstances": circumstances,
            },
        )


@demo_step("events", order=20)
def seed(run: DemoRun) -> None:
    seed_events(organiser=run.people["organiser"], participant=run.people["participant"], scale=run.scale)
