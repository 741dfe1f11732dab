"""iCalendar files for Gatherings (RFC 5545), made with the icalendar library, and the HTTP answer that
serves any of our calendars.

Every calendar carries a VTIMEZONE for each TZID it uses (a client without its own time zone database, such
as one built on ical.js, otherwise reads the times as floating). A thing keeps one UID wherever it appears
(download, feed, email), and its SEQUENCE rises with each change of time, place or status, so calendar apps
update the entry they have instead of adding a second one.
"""

import hashlib
from collections.abc import Iterable
from datetime import date, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from .models import Event, Registration

# How a person's own place reads in their calendar: only a place that is theirs is CONFIRMED.
_PLACE_STATUS = {
    Registration.Status.CONFIRMED: "CONFIRMED",
    Registration.Status.PENDING_PAYMENT: "CONFIRMED",
    Registration.Status.WAITLISTED: "TENTATIVE",
    Registration.Status.OFFERED: "TENTATIVE",
    Registration.Status.CANCELLED: "CANCELLED",
    Registration.Status.EXPIRED: "CANCELLED",
}


def uid_host() -> str:
    """The domain in our UIDs: the site's, from its configured address, never the host a request came in
    on, so the same thing has the same UID in a download, a feed and an email."""
    return urlsplit(settings.GATHERING_BASE_URL).hostname or "gathering.localhost"


def _calendar(*, method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//{settings.GATHERING_SITE_NAME}//Gathering//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    return cal


def finish(cal: Calendar) -> bytes:
    """The calendar as bytes, with a VTIMEZONE for every time zone its events use, covering their years."""
    moments = [
        component.decoded(name)
        for component in cal.walk("VEVENT")
        for name in ("dtstart", "dtend")
        if name in component
    ]
    if moments:
        first, last = min(moments), max(moments)
        cal.add_missing_timezones(
            first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 1, 12, 31)
        )
    return cal.to_ical()


def _vevent(
    event: Event, *, request: HttpRequest | None, registration: Registration | None = None
) -> CalendarEvent:
    item = CalendarEvent()
    item.add("uid", f"event-{event.pk}@{uid_host()}")
    item.add("sequence", event.calendar_sequence)
    item.add("summary", event.title)
    item.add("dtstart", event.starts_at.astimezone(event.zone))
    item.add("dtend", event.ends_at.astimezone(event.zone))
    item.add("dtstamp", event.updated_at)
    item.add("description", event.summary)
    if event.venue:
        item.add("location", f"{event.venue.name}, {event.venue.address.replace(chr(10), ', ')}")
    if request is not None:
        item.add("url", request.build_absolute_uri(event.get_absolute_url()))
    else:
        item.add("url", f"{settings.GATHERING_BASE_URL}{event.get_absolute_url()}")
    if event.status == Event.Status.CANCELLED:
        status = "CANCELLED"
    elif registration is not None:
        status = _PLACE_STATUS.get(registration.status, "TENTATIVE")
    else:
        status = "CONFIRMED"
    item.add("status", status)
    return item


def event_ics(
    event: Event,
    *,
    request: HttpRequest | None = None,
    registration: Registration | None = None,
    method: str | None = None,
) -> bytes:
    """One Gathering; with `registration`, as that person's place stands. Emailed files pass
    method="PUBLISH" (and the same method= in the attachment's content type, RFC 6047)."""
    cal = _calendar(method=method)
    cal.add_component(_vevent(event, request=request, registration=registration))
    return finish(cal)


def registrations_ics(
    registrations: list[Registration], *, request: HttpRequest | None = None, name: str = ""
) -> bytes:
    """One calendar with every Gathering the person has a place at (or is waiting for)."""
    cal = _calendar()
    if name:
        cal.add("x-wr-calname", name)
    for registration in registrations:
        cal.add_component(_vevent(registration.event, request=request, registration=registration))
    return finish(cal)


def calendar_response(
    request: HttpRequest,
    body: bytes,
    *,
    changed: Iterable[datetime | None],
    filename: str = "",
    private: bool = False,
) -> HttpResponse:
    """Serve a calendar, answering If-None-Match and If-Modified-Since with 304 Not Modified so calendar apps
    that poll a feed fetch it again only when it changed. The ETag is a hash of the body; Last-Modified is
    the latest of `changed` (the update times of everything in it)."""
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    response["ETag"] = etag
    times = [moment for moment in changed if moment is not None]
    last_modified = int(max(times).timestamp()) if times else None
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
