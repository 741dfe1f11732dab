"""Every iCalendar file we produce (download, personal feeds, programme feed, emailed attachment), read by two
independent parsers as an outside judge: the icalendar library, and vobject with each TZID resolved only from
the file's own VTIMEZONE, as ical.js does, never from the reader's time zone database."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.core import mail
from django.test import Client
from django.utils import timezone
from vobject.icalendar import stringToDateTime

from gathering.events.services import (
    RegistrationInput,
    calendar_feed_renew,
    event_save,
    registration_create,
)
from gathering.programme import services as programme_services

from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff
from ..programme.attendee_data import grid, mark, programme_for, publish, session

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


# ------------------------------------------------------------------------------------------ the two readers


def read_icalendar(body: bytes) -> dict[str, dict[str, object]]:
    """{uid: {start, end, sequence, status}} as the icalendar library reads it, instants in UTC."""
    found = {}
    for item in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        start, end = item.decoded("dtstart"), item.decoded("dtend")
        assert start.tzinfo is not None and end.tzinfo is not None, "a floating time"
        found[str(item["uid"])] = {
            "start": start.astimezone(UTC),
            "end": end.astimezone(UTC),
            "sequence": int(item.get("sequence", 0)),
            "status": str(item.get("status", "")),
        }
    return found


def _instant(prop, zones: dict[str, object]) -> datetime:
    value = stringToDateTime(prop.value)
    tzid = prop.params.get("TZID", [None])[0]
    if tzid is None:
        assert value.tzinfo is not None, "a floating time"  # only UTC (a trailing Z) may stand alone
        return value.astimezone(UTC)
    assert tzid in zones, f"TZID={tzid} is used but the file has no VTIMEZONE for it"
    return value.replace(tzinfo=zones[tzid]).astimezone(UTC)


def read_vobject(body: bytes) -> dict[str, dict[str, object]]:
    """The same, as vobject reads it, with every TZID taken from the file's own VTIMEZONE rules (read
    untransformed, so that vobject cannot fill a missing one in from its own time zone database)."""
    calendar = vobject.readOne(body.decode(), transform=False)
    rules = vobject.readOne(body.decode()).contents.get("vtimezone", [])
    zones = {str(zone.tzid.value): zone.gettzinfo() for zone in rules}
    found = {}
    for item in calendar.contents.get("vevent", []):
        found[item.uid.value] = {
            "start": _instant(item.dtstart, zones),
            "end": _instant(item.dtend, zones),
            "sequence": int(item.sequence.value) if "sequence" in item.contents else 0,
            "status": item.status.value if "status" in item.contents else "",
        }
    return found


def judged(body: bytes) -> dict[str, dict[str, object]]:
    """What both readers agree the file says; a file they read differently fails here."""
    first, second = read_icalendar(body), read_vobject(body)
    assert first == second
    return first


def tzids_used_and_defined(body: bytes) -> tuple[set[str], set[str]]:
    calendar = icalendar.Calendar.from_ical(body)
    return calendar.get_used_tzids(), {str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")}


# ------------------------------------------------------------------------------------------ test data


def hearing_voices_evening():
    """The online evening at 19:00 London time, in summer (BST): 18:00 UTC, 14:00 in New York."""
    start = datetime(timezone.now().year + 1, 6, 10, 19, 0, tzinfo=LONDON)
    organiser = make_staff("organiser")
    event = EventFactory(
        title="Hearing Voices evening",
        format="online",
        venue=None,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=1,
        organisers=[organiser],
    )
    TicketTypeFactory(event=event)
    return event, organiser


def register(event, person):
    data = RegistrationInput(
        ticket_type_id=event.ticket_types.get().pk, name=person.name, email=person.email, amount_minor=0
    )
    return registration_create(event=event, user=person, data=data).registration


def calendar_parts(message) -> list:
    return [part for part in message.message().walk() if part.get_content_type() == "text/calendar"]


def emailed_calendar(message) -> bytes:
    (part,) = calendar_parts(message)
    return part.get_payload(decode=True)


@pytest.fixture
def evening(django_capture_on_commit_callbacks):
    """The evening, a person with its one place (and the confirmation email), and a person waiting."""
    event, organiser = hearing_voices_evening()
    person, waiting = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        register(event, person)
        register(event, waiting)
    return event, organiser, person, waiting


def placed_programme(event):
    made = programme_for(event)
    slots, rooms = grid(made, slots=4, rooms=2)
    talk = session(made, title="What the voices say", slot=slots[0], room=rooms[0], status="scheduled")
    publish(made)
    return made, slots, rooms, talk


def every_calendar(evening) -> dict[str, bytes]:
    event, _organiser, person, _waiting = evening
    _made, _slots, _rooms, talk = placed_programme(event)
    mark(person, talk)
    key = calendar_feed_renew(user=person)
    return {
        "download": Client().get(f"/gatherings/{event.slug}/calendar.ics").content,
        "personal feed": Client().get(f"/calendar/feed.ics?key={key}").content,
        "programme": Client().get(f"/gatherings/{event.slug}/programme/programme.ics").content,
        "programme feed": Client().get(f"/calendar/programme.ics?key={key}").content,
        "email": emailed_calendar(mail.outbox[0]),
    }


# ------------------------------------------------------------------------------------------ time zones


def test_every_calendar_defines_each_time_zone_it_uses(evening):
    for name, body in every_calendar(evening).items():
        used, defined = tzids_used_and_defined(body)
        assert used == {"Europe/London"}, name
        assert defined == {"Europe/London"}, name


def test_both_parsers_read_the_same_instants_and_new_york_sees_two_in_the_afternoon(evening):
    event = evening[0]
    for name, body in every_calendar(evening).items():
        read = judged(body)
        assert read, name
        if name in {"download", "personal feed", "email"}:
            (only,) = read.values()
            assert only["start"] == datetime(event.starts_at.year, 6, 10, 18, 0, tzinfo=UTC), name
            assert only["end"] == datetime(event.starts_at.year, 6, 10, 20, 0, tzinfo=UTC), name
            assert only["start"].astimezone(NEW_YORK).strftime("%H:%M") == "14:00", name
            assert only["end"].astimezone(NEW_YORK).strftime("%H:%M") == "16:00", name
        else:
            (talk,) = read.values()
            assert talk["start"] == datetime(event.starts_at.year, 6, 10, 18, 0, tzinfo=UTC), name
            assert talk["start"].astimezone(NEW_YORK).strftime("%H:%M") == "14:00", name


# ------------------------------------------------------------------------------------------ identity


def test_uid_is_the_same_in_the_download_the_feed_and_the_email(evening):
    calendars = every_calendar(evening)
    uids = {name: set(judged(calendars[name])) for name in ("download", "personal feed", "email")}
    assert uids["download"] == uids["personal feed"] == uids["email"]
    assert len(uids["download"]) == 1
    assert set(judged(calendars["programme"])) == set(judged(calendars["programme feed"]))


def test_a_changed_gathering_keeps_its_uid_raises_sequence_and_emails_the_new_file(
    evening, django_capture_on_commit_callbacks
):
    event, organiser, person, _waiting = evening
    (before,) = judged(Client().get(f"/gatherings/{event.slug}/calendar.ics").content).items()
    mail.outbox.clear()
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        event_save(actor=organiser, event=event, creating=False)

    (after,) = judged(Client().get(f"/gatherings/{event.slug}/calendar.ics").content).items()
    assert after[0] == before[0]
    assert after[1]["sequence"] > before[1]["sequence"]
    assert after[1]["start"] == before[1]["start"] + timedelta(hours=1)
    (changed,) = [message for message in mail.outbox if person.email in message.to]
    assert judged(emailed_calendar(changed)) == {after[0]: {**after[1], "status": "CONFIRMED"}}


def test_a_moved_session_keeps_its_uid_and_raises_sequence(evening):
    event, organiser, _person, _waiting = evening
    _made, slots, rooms, talk = placed_programme(event)
    url = f"/gatherings/{event.slug}/programme/programme.ics"
    (before,) = judged(Client().get(url).content).items()

    programme_services.session_move(session=talk, actor=organiser, slot=slots[1], room=rooms[1])

    (after,) = judged(Client().get(url).content).items()
    assert after[0] == before[0]
    assert after[1]["sequence"] > before[1]["sequence"]
    assert after[1]["start"] == before[1]["start"] + timedelta(hours=1)


# ------------------------------------------------------------------------------------------ email and status


def test_emailed_calendar_says_publish_in_the_file_and_in_its_content_type(evening):
    message = mail.outbox[0]
    (part,) = calendar_parts(message)
    assert part.get_param("method") == "PUBLISH"
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert str(calendar["method"]) == "PUBLISH"
    assert vobject.readOne(part.get_payload(decode=True).decode()).method.value == "PUBLISH"


def test_a_place_on_the_waiting_list_is_tentative_in_the_feed(evening):
    _event, _organiser, person, waiting = evening
    statuses = {}
    for who in (person, waiting):
        key = calendar_feed_renew(user=who)
        ((_uid, item),) = judged(Client().get(f"/calendar/feed.ics?key={key}").content).items()
        statuses[who.email] = item["status"]
    assert statuses == {person.email: "CONFIRMED", waiting.email: "TENTATIVE"}


# ------------------------------------------------------------------------------------------ conditional GET


def feed_urls(evening) -> dict[str, str]:
    event, _organiser, person, _waiting = evening
    _made, _slots, _rooms, talk = placed_programme(event)
    mark(person, talk)
    key = calendar_feed_renew(user=person)
    return {
        "download": f"/gatherings/{event.slug}/calendar.ics",
        "personal feed": f"/calendar/feed.ics?key={key}",
        "programme": f"/gatherings/{event.slug}/programme/programme.ics",
        "programme feed": f"/calendar/programme.ics?key={key}",
    }


def test_feeds_answer_if_none_match_and_if_modified_since_with_not_modified(evening):
    event, organiser, _person, _waiting = evening
    urls = feed_urls(evening)
    client = Client()
    for name, url in urls.items():
        first = client.get(url)
        assert first.status_code == 200, name
        etag, modified = first["ETag"], first["Last-Modified"]
        again = client.get(url, headers={"if-none-match": etag})
        assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag), name
        assert client.get(url, headers={"if-modified-since": modified}).status_code == 304, name
        assert client.get(url, headers={"if-none-match": '"something-else"'}).status_code == 200, name
        earlier = format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True)
        assert client.get(url, headers={"if-modified-since": earlier}).status_code == 200, name

    tags = {name: client.get(url)["ETag"] for name, url in urls.items()}
    event.starts_at += timedelta(minutes=30)
    event.ends_at += timedelta(minutes=30)
    event_save(actor=organiser, event=event, creating=False)
    for name in ("download", "personal feed"):
        changed = client.get(urls[name], headers={"if-none-match": tags[name]})
        assert changed.status_code == 200, name
        assert changed["ETag"] != tags[name], name
