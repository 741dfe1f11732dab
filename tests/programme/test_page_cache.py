"""A programme's timetable page in the page cache: the whole page kept for people who are not signed in, and
the grid shared with signed-in people, whose own marks are filled in around it. Publishing the timetable,
changing a session or marking one shows on the next request."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gathering.programme import services
from gathering.programme.models import Interest

from ..conftest import signed_in
from ..factories import UserFactory
from .staff_data import attendee, interest, make_programme, open_session

pytestmark = pytest.mark.django_db


def _published(titles=("Peer support in a crisis", "Writing our own care plans")):
    programme, organiser = make_programme(slots=2, rooms=2)
    slots = list(programme.slots.all())
    rooms = list(programme.rooms.all())
    sessions = [
        open_session(programme, title, slot=slots[n], room=rooms[0], status="scheduled")
        for n, title in enumerate(titles)
    ]
    programme.published_at = programme.event.starts_at
    programme.save()
    return programme, organiser, sessions


def _url(programme) -> str:
    return f"/gatherings/{programme.event.slug}/programme/"


def test_a_second_anonymous_visit_reads_no_database(django_assert_num_queries):
    programme, _organiser, _sessions = _published()
    client = Client()

    # The programme with its Gathering, the sessions, their interest counts, the slots, the rooms.
    with django_assert_num_queries(5):
        first = client.get(_url(programme))
    with django_assert_num_queries(0):
        second = client.get(_url(programme))

    assert second.content == first.content
    assert "Peer support in a crisis" in second.content.decode()


def test_publishing_the_timetable_shows_at_once():
    programme, organiser = make_programme(slots=2, rooms=1)
    open_session(programme, "Peer support in a crisis")
    client = Client()
    assert "The timetable is not out yet." in client.get(_url(programme)).content.decode()

    run = services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)
    run = services.timetable_run_execute(run_id=run.pk)
    response = signed_in(organiser).post(f"/staff/programme/{programme.event.slug}/runs/{run.pk}/publish/")
    assert response.status_code == 302

    body = client.get(_url(programme)).content.decode()
    assert "The timetable is not out yet." not in body
    assert 'class="grid"' in body


def test_a_withdrawn_session_leaves_the_page_at_once():
    programme, _organiser, sessions = _published()
    proposer = attendee(programme.event)
    sessions[1].proposer = proposer
    sessions[1].save()
    sessions[1].facilitators.add(proposer)
    client = Client()
    assert "Writing our own care plans" in client.get(_url(programme)).content.decode()

    services.session_withdraw(session=sessions[1], user=proposer)

    assert "Writing our own care plans" not in client.get(_url(programme)).content.decode()


def test_marks_change_the_counts_on_the_kept_page():
    programme, _organiser, sessions = _published(titles=("Peer support in a crisis",))
    person = attendee(programme.event)
    client = Client()
    assert "0 would like" in client.get(_url(programme)).content.decode()

    services.interest_set(user=person, session=sessions[0], level=Interest.Level.WOULD_LIKE)
    assert "1 would like" in client.get(_url(programme)).content.decode()

    services.interest_remove(user=person, session=sessions[0])
    assert "0 would like" in client.get(_url(programme)).content.decode()


def test_signed_in_people_share_the_grid_and_see_only_their_own_marks():
    programme, _organiser, sessions = _published()
    keen, other = attendee(programme.event), attendee(programme.event)
    interest(keen, sessions[0], Interest.Level.REALLY_WANT)
    interest(other, sessions[1], Interest.Level.WOULD_LIKE)
    anonymous = Client().get(_url(programme)).content.decode()  # keeps the page and the grid
    assert "you really want this" not in anonymous
    assert "<!--mark:" not in anonymous

    with CaptureQueriesContext(connection) as queries:
        mine = signed_in(keen).get(_url(programme)).content.decode()
    theirs = signed_in(other).get(_url(programme)).content.decode()

    # The grid came from the cache: neither slots nor rooms were read for it.
    assert not [q for q in queries.captured_queries if "programme_slot" in q["sql"]]
    assert mine.count("you really want this") == 2  # in the table and in the list for small screens
    assert "you would like this" not in mine
    assert theirs.count("you would like this") == 2
    assert "you really want this" not in theirs
    assert "<!--mark:" not in mine + theirs
    # Their forms carry their own CSRF token, outside the shared grid.
    assert "csrfmiddlewaretoken" in mine
    assert "csrfmiddlewaretoken" not in anonymous


def test_a_new_mark_shows_in_the_grid_for_the_person_at_once():
    programme, _organiser, sessions = _published()
    person = attendee(programme.event)
    client = signed_in(person)
    assert "you would like this" not in client.get(_url(programme)).content.decode()

    response = client.post(
        f"/gatherings/{programme.event.slug}/programme/sessions/{sessions[0].pk}/interest/", {"level": "1"}
    )
    assert response.status_code == 302

    assert client.get(_url(programme)).content.decode().count("you would like this") == 2


def test_a_session_moved_on_the_grid_moves_for_everyone():
    programme, organiser, sessions = _published()
    person = UserFactory()
    rooms = list(programme.rooms.all())
    signed_in(person).get(_url(programme))
    Client().get(_url(programme))

    services.session_move(session=sessions[0], actor=organiser, slot=sessions[0].slot, room=rooms[1])

    for client in (Client(), signed_in(person)):
        body = client.get(_url(programme)).content.decode()
        assert "Peer support in a crisis</a> – Room 2" in body


def test_the_printable_board_shows_no_holes_for_marks():
    programme, _organiser, _sessions = _published()

    body = Client().get(f"/gatherings/{programme.event.slug}/programme/print/").content.decode()

    assert "Peer support in a crisis" in body
    assert "<!--mark:" not in body
