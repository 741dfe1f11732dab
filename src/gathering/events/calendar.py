"""iCalendar files for Gatherings (RFC 5545), made with the icalendar library."""

from django.conf import settings
from django.http import HttpRequest
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from .models import Event


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//{settings.GATHERING_SITE_NAME}//Gathering//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    return cal


def _vevent(event: Event, *, request: HttpRequest | None) -> CalendarEvent:
    item = CalendarEvent()
    host = request.get_host() if request else "gathering.localhost"
    item.add("uid", f"event-{event.pk}@{host}")
    item.add("summary", event.title)
    item.add("dtstart", event.starts_at.astimezone(event.zone))
    item.add("dtend", event.ends_at.astimezone(event.zone))
    item.add("dtstamp", event.updated_at)
    item.add("description", event.summary)
    if event.venue:
        item.add("location", f"{event.venue.name}, {event.venue.address.replace(chr(10), ', ')}")
    if request is not None:
        item.add("url", request.build_absolute_uri(event.get_absolute_url()))
    item.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    return item


def event_ics(event: Event, *, request: HttpRequest | None = None) -> bytes:
    cal = _calendar()
    cal.add_component(_vevent(event, request=request))
    return cal.to_ical()


def registrations_ics(registrations: list, *, request: HttpRequest | None = None, name: str = "") -> bytes:
    """One calendar with every Gathering the person has a place at (or is waiting for)."""
    cal = _calendar()
    if name:
        cal.add("x-wr-calname", name)
    for registration in registrations:
        cal.add_component(_vevent(registration.event, request=request))
    return cal.to_ical()
