"""iCalendar files for programmes (RFC 5545): the whole published timetable, and a person's agenda. The same
rules as events/calendar.py: a VTIMEZONE for every TZID, one UID per session, SEQUENCE raised on each move."""

from django.http import HttpRequest
from django.urls import reverse
from icalendar import Event as CalendarEvent

from gathering.events.calendar import _calendar, finish, uid_host

from .models import Programme, Session, Slot
from .selectors import Agenda, session_slots


def _vevent(
    session: Session, programme: Programme, running: list[Slot], *, request: HttpRequest, details: bool
) -> CalendarEvent:
    event = programme.event
    item = CalendarEvent()
    item.add("uid", f"programme-session-{session.pk}@{uid_host()}")
    # Both only ever rise, so their sum does too: cancelling the Gathering updates its sessions as well.
    item.add("sequence", session.calendar_sequence + event.calendar_sequence)
    item.add("summary", session.title)
    item.add("dtstart", running[0].starts_at.astimezone(event.zone))
    item.add("dtend", running[-1].ends_at.astimezone(event.zone))
    item.add("dtstamp", session.updated_at)
    if details and session.description:
        item.add("description", session.description)
    where = [session.room.name] if session.room else []
    if event.venue:
        where.append(event.venue.name)
    if where:
        item.add("location", ", ".join(where))
    url = reverse("programme:session", args=[event.slug, session.pk])
    item.add("url", request.build_absolute_uri(url))
    item.add("status", "CANCELLED" if event.status == event.Status.CANCELLED else "CONFIRMED")
    return item


def programme_ics(
    programme: Programme, sessions: list[Session], slots: list[Slot], *, request: HttpRequest
) -> bytes:
    """Every placed public session of a published programme: titles, times and rooms, with a link to each
    session's page for the rest (as on the board)."""
    cal = _calendar()
    cal.add("x-wr-calname", programme.event.title)
    for session in sessions:
        running = session_slots(session, slots)
        if running:
            cal.add_component(_vevent(session, programme, running, request=request, details=False))
    return finish(cal)


def agenda_ics(agendas: list[Agenda], *, request: HttpRequest, name: str) -> bytes:
    """The sessions a person marked or facilitates, in every published programme."""
    cal = _calendar()
    cal.add("x-wr-calname", name)
    for agenda in agendas:
        slots = list(agenda.programme.slots.all())
        for item in agenda.items:
            if item.starts_at is not None:
                running = session_slots(item.session, slots)
                cal.add_component(
                    _vevent(item.session, agenda.programme, running, request=request, details=True)
                )
    return finish(cal)
