"""Test data for the attendees' side of the programme: a Gathering with a programme, its grid, people with
confirmed places, and sessions."""

from datetime import timedelta

from django.utils import timezone

from gathering.events.models import Registration
from gathering.programme.models import Interest, Programme, Room, Session, Slot

from ..factories import EventFactory, TicketTypeFactory, UserFactory


def programme_for(event=None, **fields) -> Programme:
    event = event or EventFactory()
    return Programme.objects.create(event=event, **fields)


def attendee(event, user=None, status: str = Registration.Status.CONFIRMED):
    """A person with a place at `event` (confirmed unless `status` says otherwise)."""
    user = user or UserFactory()
    ticket = event.ticket_types.first() or TicketTypeFactory(event=event)
    Registration.objects.create(
        event=event, ticket_type=ticket, user=user, name=user.name, email=user.email, status=status
    )
    return user


def grid(
    programme: Programme,
    *,
    slots: int = 4,
    rooms: int = 2,
    breaks: tuple[int, ...] = (2,),
    after_hours: int = 0,
):
    """Hour-long slots from the start of the Gathering (or `after_hours` later; the ones numbered in
    `breaks` are breaks), and rooms with different access features."""
    start = programme.event.starts_at + timedelta(hours=after_hours)
    made_slots = [
        Slot.objects.create(
            programme=programme,
            starts_at=start + timedelta(hours=i),
            ends_at=start + timedelta(hours=i + 1),
            is_break=i in breaks,
            label="Lunch" if i in breaks else "",
        )
        for i in range(slots)
    ]
    made_rooms = [
        Room.objects.create(
            programme=programme,
            name=f"Room {chr(65 + i)}",
            capacity=20 + i,
            features=["step_free", "hearing_loop"] if i % 2 == 0 else ["quiet"],
            position=i,
        )
        for i in range(rooms)
    ]
    return made_slots, made_rooms


def session(programme: Programme, *, facilitators=(), **fields) -> Session:
    fields.setdefault("title", f"Session {Session.objects.count() + 1}")
    fields.setdefault("description", "We talk about what helps.")
    made = Session.objects.create(programme=programme, **fields)
    made.facilitators.add(*facilitators)
    return made


def publish(programme: Programme) -> None:
    programme.published_at = timezone.now()
    programme.save(update_fields=["published_at"])


def mark(user, made: Session, level: int = Interest.Level.WOULD_LIKE) -> Interest:
    return Interest.objects.create(user=user, session=made, level=level)
