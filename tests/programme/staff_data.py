"""Builders for organisers' tests: a programme with a small grid, confirmed attendees and their interest."""

from datetime import datetime, timedelta

from django.utils import timezone

from gathering.events.models import Registration
from gathering.programme.models import Interest, Programme, Room, Session, Slot

from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff


def day_start(event, days: int = 0) -> datetime:
    local = timezone.localtime(event.starts_at, event.zone).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return local + timedelta(days=days)


def make_programme(*, slots: int = 3, rooms: int = 2, organiser=None, lunch_after: int | None = None):
    """A Gathering with its organiser and a programme: `slots` hour-long slots on its day and `rooms` rooms
    (the first big and step-free, the rest small). With `lunch_after`, a break follows that many slots."""
    organiser = organiser or make_staff("organiser")
    event = EventFactory(organisers=[organiser])
    programme = Programme.objects.create(event=event)
    start = day_start(event)
    made = 0
    at = start
    while made < slots:
        if lunch_after is not None and made == lunch_after:
            Slot.objects.create(
                programme=programme, starts_at=at, ends_at=at + timedelta(hours=1), is_break=True
            )
            at += timedelta(hours=1)
        Slot.objects.create(programme=programme, starts_at=at, ends_at=at + timedelta(hours=1))
        at += timedelta(hours=1)
        made += 1
    for n in range(rooms):
        Room.objects.create(
            programme=programme,
            name=f"Room {n + 1}",
            capacity=30 if n == 0 else 10,
            features=["step_free"] if n == 0 else [],
            position=n,
        )
    return programme, organiser


def attendee(event, user=None):
    """A person with a confirmed place at the Gathering."""
    user = user or UserFactory()
    ticket = event.ticket_types.first() or TicketTypeFactory(event=event)
    Registration.objects.create(
        event=event, user=user, ticket_type=ticket, name=user.name, email=user.email, status="confirmed"
    )
    return user


def open_session(programme, title: str = "Peer support in a crisis", *, facilitators=(), **fields) -> Session:
    session = Session.objects.create(programme=programme, title=title, **fields)
    session.facilitators.add(*facilitators)
    return session


def interest(user, session, level: int = 1) -> Interest:
    return Interest.objects.create(user=user, session=session, level=level)


def playable_slots(programme) -> list[Slot]:
    return list(programme.slots.filter(is_break=False))
