"""iCal feeds: the whole published programme (public) and a person's private programme feed, which shares
the private, revocable key of their Gatherings feed."""

import pytest
from icalendar import Calendar

from gathering.events.models import CalendarFeed
from gathering.events.services import calendar_feed_renew

from ..conftest import signed_in
from .attendee_data import attendee, grid, mark, programme_for, publish, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    made = programme_for()
    slots, rooms = grid(made, slots=4, rooms=2)
    session(made, title="Hearing voices", slot=slots[0], room=rooms[0], length=2, description="Private notes")
    session(made, title="Open dialogue", slot=slots[3], room=rooms[1])
    session(made, title="Not placed")
    session(made, title="Withdrawn", slot=slots[1], room=rooms[1], status="withdrawn")
    session(made, title="Curated draft", slot=slots[1], room=rooms[0], track="curated")
    return made


def events_in(body: bytes) -> dict[str, object]:
    return {str(item["summary"]): item for item in Calendar.from_ical(body).walk("VEVENT")}


def test_whole_programme_feed(client, programme):
    url = f"/gatherings/{programme.event.slug}/programme/programme.ics"
    assert client.get(url).status_code == 404  # not published yet
    publish(programme)
    response = client.get(url)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    found = events_in(response.content)
    assert sorted(found) == ["Hearing voices", "Open dialogue"]
    voices = found["Hearing voices"]
    first, second = programme.slots.order_by("starts_at")[:2]
    assert voices.decoded("dtstart") == first.starts_at.replace(microsecond=0)
    assert voices.decoded("dtend") == second.ends_at.replace(microsecond=0)  # two slots long
    assert str(voices["dtstart"].params["TZID"]) == "Europe/London"
    assert str(voices["location"]) == f"Room A, {programme.event.venue.name}"
    assert str(voices["url"]).endswith(f"/programme/sessions/{voices_pk(programme)}/")
    assert "description" not in voices


def voices_pk(programme):
    return programme.sessions.get(title="Hearing voices").pk


def test_personal_feed_has_my_marks_and_facilitation_only(client, programme):
    publish(programme)
    person, other = attendee(programme.event), attendee(programme.event)
    mark(person, programme.sessions.get(title="Hearing voices"), 2)
    programme.sessions.get(title="Open dialogue").facilitators.add(person)
    mark(other, programme.sessions.get(title="Open dialogue"), 1)
    unpublished = programme_for()
    slots, rooms = grid(unpublished)
    mark(person, session(unpublished, title="Not out yet", slot=slots[0], room=rooms[0]))
    key = calendar_feed_renew(user=person)
    response = client.get(f"/calendar/programme.ics?key={key}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    found = events_in(response.content)
    assert sorted(found) == ["Hearing voices", "Open dialogue"]
    assert str(found["Hearing voices"]["description"]) == "Private notes"
    assert person.email not in response.content.decode()
    other_key = calendar_feed_renew(user=other)
    assert sorted(events_in(client.get(f"/calendar/programme.ics?key={other_key}").content)) == [
        "Open dialogue"
    ]


@pytest.mark.parametrize("query", ["", "?key=", "?key=not-a-key"])
def test_personal_feed_without_a_valid_key_is_not_found(client, query):
    assert client.get(f"/calendar/programme.ics{query}").status_code == 404


def test_renewing_the_key_revokes_the_old_address_for_both_feeds(client, programme):
    person = attendee(programme.event)
    old = calendar_feed_renew(user=person)
    browser = signed_in(person)
    response = browser.post("/my/programme/calendar/")
    assert response.status_code == 302 and response["Location"] == "/my/programme/"
    new = CalendarFeed.objects.get(user=person).token
    assert new != old
    assert client.get(f"/calendar/programme.ics?key={old}").status_code == 404
    assert client.get(f"/calendar/feed.ics?key={old}").status_code == 404
    assert client.get(f"/calendar/programme.ics?key={new}").status_code == 200
    html = browser.get("/my/programme/").content.decode()
    assert f"/calendar/programme.ics?key={new}" in html


def test_an_inactive_persons_feed_is_not_found(client, programme):
    person = attendee(programme.event)
    key = calendar_feed_renew(user=person)
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert client.get(f"/calendar/programme.ics?key={key}").status_code == 404


def test_renewing_needs_sign_in_and_a_post(client):
    assert client.post("/my/programme/calendar/")["Location"].startswith("/accounts/login/")
    assert CalendarFeed.objects.count() == 0
