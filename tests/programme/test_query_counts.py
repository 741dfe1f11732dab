"""Every attendees' and public programme page does the same number of SQL queries with 1x and 10x the
data: sessions, facilitators, interest marks, slots and rooms."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gathering.events.services import calendar_feed_renew
from gathering.programme.models import Interest, Room, Session, Slot

from ..conftest import signed_in
from ..factories import UserFactory, make_staff
from .attendee_data import attendee, programme_for, publish

pytestmark = pytest.mark.django_db

PAGES = [
    "/gatherings/{slug}/programme/",
    "/gatherings/{slug}/programme/board/",
    "/gatherings/{slug}/programme/print/",
    "/gatherings/{slug}/programme/now/?key={key}",
    "/gatherings/{slug}/programme/now/",
    "/gatherings/{slug}/programme/programme.ics",
    "/gatherings/{slug}/programme/sessions/{session}/",
    "/my/programme/",
    "/calendar/programme.ics?key={feed}",
    "/api/v1/events/{slug}/sessions/",
    "/api/v1/events/{slug}/sessions/{session}/",
    "/api/v1/events/{slug}/timetable/",
    "/api/v1/me/interests/",
]


def grow(programme, person, n):
    """n more slots, rooms and placed sessions with facilitators, marked by the person and by others."""
    start = programme.event.starts_at - timedelta(hours=2)
    for _ in range(n):
        k = Slot.objects.filter(programme=programme).count()
        slot = Slot.objects.create(
            programme=programme,
            starts_at=start + timedelta(hours=k),
            ends_at=start + timedelta(hours=k + 1),
            is_break=k % 4 == 3,
        )
        room = Room.objects.create(programme=programme, name=f"Room {k}", capacity=10, features=["quiet"])
        for length in (1, 2):
            session = Session.objects.create(
                programme=programme, title=f"Session {k}-{length}", slot=slot, room=room, length=length
            )
            session.facilitators.add(UserFactory(), person if length == 2 else UserFactory())
            Interest.objects.create(session=session, user=person, level=length)
            Interest.objects.create(session=session, user=UserFactory(), level=1)
        Session.objects.create(programme=programme, title=f"Withdrawn {k}", status="withdrawn")
        # Another programme the person takes part in, for My programme and the personal feed.
        other = programme_for(published_at=timezone.now())
        attendee(other.event, person)
        other_slot = Slot.objects.create(
            programme=other,
            starts_at=other.event.starts_at,
            ends_at=other.event.starts_at + timedelta(hours=1),
        )
        mine = Session.objects.create(programme=other, title=f"Elsewhere {k}", slot=other_slot)
        Interest.objects.create(session=mine, user=person, level=2)


@pytest.mark.parametrize("published", [True, False], ids=["published", "not published"])
@pytest.mark.parametrize("template", PAGES)
def test_constant_queries(django_assert_max_num_queries, template, published):
    programme = programme_for()
    organiser = make_staff("organiser")
    programme.event.organisers.add(organiser)
    person = attendee(programme.event)
    feed = calendar_feed_renew(user=person)
    if published:
        publish(programme)
    grow(programme, person, 1)
    first = programme.sessions.order_by("pk").first()
    url = template.format(slug=programme.event.slug, key=programme.display_key, session=first.pk, feed=feed)
    if "/now/" in url and "key" not in url:
        client = signed_in(organiser)
    elif url.startswith(("/my/", "/api/v1/me/")) or "/sessions/" in url:
        client = signed_in(person)
    else:
        client = Client()
    expected = 404 if (url.endswith("programme/programme.ics") and not published) else 200
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == expected
    grow(programme, person, 10)
    with django_assert_max_num_queries(40) as large:
        assert client.get(url).status_code == expected
    assert len(large.captured_queries) == len(small.captured_queries)
