"""The attendees' and public programme pages: the timetable and board, session pages, proposing, marking
interest with and without HTMX, withdrawing, the agenda with its clashes, the printable board and the venue
display."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gathering.events.models import Registration
from gathering.programme.models import Interest, Session

from ..conftest import signed_in
from ..factories import EventFactory, UserFactory, make_staff
from .attendee_data import attendee, grid, mark, programme_for, publish, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    made = programme_for()
    slots, rooms = grid(made, slots=4, rooms=2)
    host = UserFactory(name="Robin Full Name", preferred_name="Robin")
    session(made, title="Hearing voices", slot=slots[0], room=rooms[0], length=2, facilitators=[host])
    session(made, title="Open dialogue", slot=slots[1], room=rooms[1])
    session(made, title="Board only", description="Not placed yet")
    session(made, title="Curated draft", track="curated", status="proposed")
    session(made, title="Withdrawn idea", status="withdrawn")
    session(made, title="Declined idea", track="curated", status="declined")
    session(made, title="Merged idea", status="merged")
    return made


def url(programme, suffix=""):
    return f"/gatherings/{programme.event.slug}/programme/{suffix}"


def sid(title):
    return Session.objects.get(title=title).pk


HIDDEN = ["Curated draft", "Withdrawn idea", "Declined idea", "Merged idea"]


def test_before_publication_the_timetable_says_so_and_shows_the_board(client, programme):
    html = client.get(url(programme)).content.decode()
    assert "The timetable is not out yet." in html
    assert "Proposal board" in html
    for title in ("Hearing voices", "Open dialogue", "Board only"):
        assert title in html
    for title in HIDDEN:
        assert title not in html
    assert "<table" not in html


def test_published_timetable_is_a_table_with_headers_and_a_list_by_time(client, programme):
    publish(programme)
    html = client.get(url(programme)).content.decode()
    assert "The timetable is not out yet." not in html
    assert '<th scope="col">Room A</th>' in html and '<th scope="col">Room B</th>' in html
    assert html.count('<th scope="row">') == 4
    assert "Lunch" in html  # the break row
    assert '<ol class="grid-list">' in html
    # Hearing voices runs for two slots: its second slot is marked as a continuation.
    assert html.count("(continued)") == 2  # once in the table, once in the list
    for title in HIDDEN:
        assert title not in html


def test_times_are_shown_in_the_gatherings_time_zone(client, programme):
    event = programme.event
    event.time_zone = "America/New_York"
    event.starts_at = timezone.now().replace(month=1, day=10, hour=15, minute=0, second=0, microsecond=0)
    event.starts_at = event.starts_at.replace(year=timezone.now().year + 1)
    event.ends_at = event.starts_at + timedelta(hours=8)
    event.save()
    first = programme.slots.order_by("starts_at").first()
    programme.slots.exclude(pk=first.pk).delete()
    first.starts_at, first.ends_at = event.starts_at, event.starts_at + timedelta(hours=1)
    first.save()
    publish(programme)
    html = client.get(url(programme, f"sessions/{sid('Hearing voices')}/")).content.decode()
    assert "10:00" in html and "EST" in html  # 15:00 UTC


def test_session_page(client, programme):
    publish(programme)
    html = client.get(url(programme, f"sessions/{sid('Hearing voices')}/")).content.decode()
    assert "<h1>Hearing voices</h1>" in html
    assert "Robin" in html and "Robin Full Name" not in html  # the preferred name
    assert "Room A" in html
    assert "Step-free room, Hearing loop" in html  # the room's access features
    assert 'href="/help/concern/?from=session:' in html
    assert "Sign in to mark sessions you want to attend" in html


@pytest.mark.parametrize("title", HIDDEN)
def test_sessions_off_the_programme_are_not_found(client, programme, title):
    publish(programme)
    assert client.get(url(programme, f"sessions/{sid(title)}/")).status_code == 404


def test_unpublished_gatherings_have_no_programme_pages(client):
    programme = programme_for(EventFactory(status="draft"))
    for suffix in ("", "board/", "print/", "propose/"):
        assert client.get(url(programme, suffix)).status_code in {302, 404}
    assert client.get(url(programme)).status_code == 404


def test_propose_in_thirty_seconds(programme):
    person = attendee(programme.event)
    client = signed_in(person)
    page = client.get(url(programme, "propose/")).content.decode()
    assert 'name="title"' in page and 'name="needs"' in page
    response = client.post(url(programme, "propose/"), {"title": "Walking and talking", "length": "1"})
    made = Session.objects.get(title="Walking and talking")
    assert response.status_code == 302
    assert response["Location"] == url(programme, f"sessions/{made.pk}/")
    assert made.proposer == person and made.status == "proposed"
    assert "Walking and talking" in client.get(url(programme, "board/")).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "length": "1"}, "Enter a title"),
        ({"title": "x" * 121, "length": "1"}, "Ensure this value has at most 120 characters"),
        ({"title": "Ok", "length": "9"}, "Choose a length from 1 to 4 slots"),
        ({"title": "Ok", "length": "1", "needs": ["sauna"]}, "Choose needs from the list"),
        ({"title": "Bell\x07", "length": "1"}, "A title cannot contain control characters"),
    ],
)
def test_bad_proposals_get_an_error_summary_and_nothing_is_saved(programme, data, message):
    client = signed_in(attendee(programme.event))
    before = Session.objects.count()
    response = client.post(url(programme, "propose/"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert message.lower() in html.lower()
    assert Session.objects.count() == before


def test_people_without_a_confirmed_place_are_told_plainly(programme):
    for person in (UserFactory(), attendee(programme.event, status=Registration.Status.WAITLISTED)):
        client = signed_in(person)
        html = client.get(url(programme, "propose/")).content.decode()
        assert "Only people with a confirmed place" in html
        client.post(url(programme, "propose/"), {"title": "Sneaky", "length": "1"})
    assert not Session.objects.filter(title="Sneaky").exists()


def test_proposals_are_rate_limited(programme):
    client = signed_in(attendee(programme.event))
    codes = [
        client.post(url(programme, "propose/"), {"title": f"Idea {i}", "length": "1"}).status_code
        for i in range(21)
    ]
    assert codes[:20] == [302] * 20
    assert codes[20] == 429


def test_marking_interest_without_javascript(programme):
    person = attendee(programme.event)
    client = signed_in(person)
    target = sid("Open dialogue")
    board = url(programme, "board/")
    response = client.post(url(programme, f"sessions/{target}/interest/"), {"level": "2", "next": board})
    assert response.status_code == 302 and response["Location"] == board
    assert Interest.objects.get(user=person).level == 2
    html = client.get(board).content.decode()
    assert "Your mark on “Open dialogue” is saved." in html
    assert re.search(r'value="0"[^>]*aria-pressed="true">Really want', html)
    client.post(url(programme, f"sessions/{target}/interest/"), {"level": "0", "next": board})
    assert not Interest.objects.exists()


def test_marking_interest_with_htmx_swaps_the_form(programme):
    person = attendee(programme.event)
    client = signed_in(person)
    target = sid("Open dialogue")
    response = client.post(
        url(programme, f"sessions/{target}/interest/"), {"level": "1", "next": "/"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div class="interest">') and "<html" not in html
    assert "1 would like · 0 really want" in html
    assert 'aria-pressed="true">Would like' in html


def test_the_next_address_must_be_on_this_site(programme):
    client = signed_in(attendee(programme.event))
    target = sid("Open dialogue")
    response = client.post(
        url(programme, f"sessions/{target}/interest/"), {"level": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == url(programme, f"sessions/{target}/")


def test_marking_is_refused_clearly_for_people_without_a_place(programme):
    client = signed_in(UserFactory())
    target = sid("Open dialogue")
    response = client.post(url(programme, f"sessions/{target}/interest/"), {"level": "1"}, follow=True)
    assert "Only people with a confirmed place" in response.content.decode()
    htmx = client.post(url(programme, f"sessions/{target}/interest/"), {"level": "1"}, HTTP_HX_REQUEST="true")
    assert "Only people with a confirmed place" in htmx.content.decode()
    assert not Interest.objects.exists()
    board = client.get(url(programme, "board/")).content.decode()
    assert "aria-pressed" not in board
    assert "People with a confirmed place at this Gathering can mark sessions" in board


def test_marking_a_hidden_session_is_not_found(programme):
    client = signed_in(attendee(programme.event))
    response = client.post(url(programme, f"sessions/{sid('Withdrawn idea')}/interest/"), {"level": "1"})
    assert response.status_code == 404


def test_anonymous_people_are_asked_to_sign_in_to_mark(client, programme):
    response = client.post(url(programme, f"sessions/{sid('Open dialogue')}/interest/"), {"level": "1"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_withdraw_own_proposal(programme):
    person = attendee(programme.event)
    client = signed_in(person)
    client.post(url(programme, "propose/"), {"title": "Changed my mind", "length": "1"})
    made = Session.objects.get(title="Changed my mind")
    page = client.get(url(programme, f"sessions/{made.pk}/withdraw/"))
    assert "Withdraw “Changed my mind”?" in page.content.decode()
    response = client.post(url(programme, f"sessions/{made.pk}/withdraw/"))
    assert response["Location"] == "/my/programme/"
    made.refresh_from_db()
    assert made.status == "withdrawn"
    assert "“Changed my mind” is withdrawn." in client.get("/my/programme/").content.decode()
    assert "Changed my mind" not in client.get(url(programme, "board/")).content.decode()


def test_nobody_else_can_withdraw(programme):
    made = session(programme, title="Theirs", proposer=attendee(programme.event))
    for person in (attendee(programme.event), make_staff("organiser")):
        client = signed_in(person)
        assert client.get(url(programme, f"sessions/{made.pk}/withdraw/")).status_code == 404
        assert client.post(url(programme, f"sessions/{made.pk}/withdraw/")).status_code == 404
    made.refresh_from_db()
    assert made.status == "proposed"


def test_agenda_lists_marks_and_facilitation_and_spells_out_clashes(programme):
    publish(programme)
    person = attendee(programme.event)
    Session.objects.get(title="Open dialogue").facilitators.add(person)
    mark(person, Session.objects.get(title="Hearing voices"), 2)
    mark(person, Session.objects.get(title="Board only"), 1)
    html = signed_in(person).get("/my/programme/").content.decode()
    assert "2 sessions in your programme overlap others" in html
    assert html.count("<strong>Clash:</strong> at the same time as") == 2
    assert "at the same time as “Open dialogue”" in html
    assert "at the same time as “Hearing voices”" in html
    assert "You facilitate" in html and "Really want" in html and "Would like" in html
    assert "Not in the timetable yet" in html  # Board only is marked but not placed


def test_agenda_is_only_ever_your_own(programme):
    publish(programme)
    owner, other = attendee(programme.event), attendee(programme.event)
    mark(owner, Session.objects.get(title="Hearing voices"), 2)
    html = signed_in(other).get("/my/programme/").content.decode()
    assert "Hearing voices" not in html
    assert "You have not marked or proposed any sessions yet." in html


def test_agenda_needs_sign_in(client):
    assert client.get("/my/programme/")["Location"].startswith("/accounts/login/")


def test_print_board(client, programme):
    html = client.get(url(programme, "print/")).content.decode()
    assert "The timetable is not out yet" in html
    publish(programme)
    html = client.get(url(programme, "print/")).content.decode()
    assert "board-print.css" in html and "Hearing voices" in html


def test_now_and_next_with_the_display_key_needs_no_sign_in_and_refreshes(client, programme):
    publish(programme)
    first = programme.slots.order_by("starts_at").first()
    programme.event.starts_at = timezone.now() - timedelta(minutes=10)
    programme.event.save(update_fields=["starts_at"])
    shift = timezone.now() - timedelta(minutes=10) - first.starts_at
    for slot in programme.slots.order_by("-starts_at"):
        slot.starts_at += shift
        slot.ends_at += shift
        slot.save()
    response = client.get(url(programme, f"now/?key={programme.display_key}"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="60">' in html
    now_block = html.split("<h2>Now")[1].split("<h2>Next")[0]
    assert "Hearing voices" in now_block and "Room A" in now_block
    next_block = html.split("<h2>Next")[1]
    assert "Hearing voices" in next_block and "(continued)" in next_block
    assert "Open dialogue" in next_block
    assert programme.display_key not in html.split("<main")[1]  # the key is not repeated on the screen


def test_now_and_next_without_the_key(client, programme):
    publish(programme)
    assert client.get(url(programme, "now/?key=wrong"))["Location"].startswith("/accounts/login/")
    assert signed_in(attendee(programme.event)).get(url(programme, "now/")).status_code == 404
    organiser = make_staff("organiser")
    programme.event.organisers.add(organiser)
    html = signed_in(organiser).get(url(programme, "now/")).content.decode()
    assert "http-equiv" not in html
    assert f"now/?key={programme.display_key}" in html


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.dictionaries(
        st.sampled_from(["title", "description", "length", "needs", "csrfmiddlewaretoken", "other"]),
        st.one_of(st.text(max_size=300), st.lists(st.text(max_size=20), max_size=3)),
        max_size=5,
    )
)
def test_any_proposal_form_input_is_saved_whole_or_refused_clearly(programme, data):
    client = signed_in(attendee(programme.event))
    before = Session.objects.count()
    response = client.post(url(programme, "propose/"), data)
    if response.status_code == 302:
        assert Session.objects.count() == before + 1
    else:
        assert response.status_code == 200
        assert 'class="error-summary"' in response.content.decode()
        assert Session.objects.count() == before


def test_the_timetable_shows_your_own_marks_in_words(programme):
    publish(programme)
    person = attendee(programme.event)
    mark(person, Session.objects.get(title="Open dialogue"), 2)
    html = signed_in(person).get(url(programme)).content.decode()
    assert html.count('<span class="tag">you really want this</span>') == 2  # the table and the list
    other = signed_in(attendee(programme.event)).get(url(programme)).content.decode()
    assert "you really want this" not in other
