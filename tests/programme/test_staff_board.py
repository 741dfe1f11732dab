"""Organisers' board actions and the timetable editor: pin, merge (interest moves, counted once), move by
slot and room with hard rules checked and the clash named, take off the board; and constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gathering.core.models import OutboxMessage
from gathering.programme import services
from gathering.programme.models import Interest, Session
from gathering.programme.timetabling import load_instance

from ..conftest import signed_in
from ..factories import UserFactory
from .staff_data import attendee, interest, make_programme, open_session, playable_slots

pytestmark = pytest.mark.django_db


def test_merge_moves_interest_and_counts_people_in_both_once():
    programme, organiser = make_programme()
    host, other_host = UserFactory(), UserFactory()
    keep = open_session(programme, "Peer respite", facilitators=[host])
    fold = open_session(programme, "Peer-run crisis houses", facilitators=[other_host])
    both, only_fold, only_keep = (attendee(programme.event) for _ in range(3))
    interest(both, keep, 1)
    interest(both, fold, 2)
    interest(only_fold, fold, 1)
    interest(only_keep, keep, 2)

    response = signed_in(organiser).post(
        f"/staff/programme/{programme.event.slug}/sessions/{fold.pk}/merge/", {"into": str(keep.pk)}
    )

    assert response.status_code == 302
    fold.refresh_from_db()
    assert (fold.status, fold.merged_into) == ("merged", keep)
    assert dict(Interest.objects.filter(session=keep).values_list("user_id", "level")) == {
        both.pk: 2,
        only_fold.pk: 1,
        only_keep.pk: 2,
    }
    assert not Interest.objects.filter(session=fold).exists()
    assert set(keep.facilitators.all()) == {host, other_host}
    assert [s.id for s in load_instance(programme).instance.sessions] == [f"s{keep.pk}"]


def test_merging_into_itself_or_another_gathering_is_refused():
    programme, organiser = make_programme()
    elsewhere, _other = make_programme()
    session = open_session(programme)
    foreign = open_session(elsewhere)

    with pytest.raises(services.ProgrammeChangeError) as itself:
        services.session_merge(session=session, into=session, actor=organiser)
    with pytest.raises(services.ProgrammeChangeError) as other:
        services.session_merge(session=session, into=foreign, actor=organiser)

    assert itself.value.messages == ["Choose a different session to merge into."]
    assert other.value.messages == ["Choose a session of the same Gathering."]
    session.refresh_from_db()
    assert session.status == "proposed"


def test_a_move_that_puts_two_sessions_in_one_room_names_the_clash_and_changes_nothing():
    programme, organiser = make_programme(slots=2, rooms=1)
    first, second = playable_slots(programme)
    room = programme.rooms.get()
    open_session(programme, "Already there", slot=first, room=room, status="scheduled")
    moving = open_session(programme, "Newcomer", slot=second, room=room, status="scheduled")

    response = signed_in(organiser).post(
        f"/staff/programme/{programme.event.slug}/sessions/{moving.pk}/move/",
        {"slot": str(first.pk), "room": str(room.pk)},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "“Newcomer” cannot go there: room" in body
    assert "Room 1" in body and "“Already there”" in body
    moving.refresh_from_db()
    assert moving.slot == second


def test_a_move_checks_facilitators_needs_and_room_unavailability():
    programme, organiser = make_programme(slots=2, rooms=2)
    first, second = playable_slots(programme)
    big, small = programme.rooms.order_by("position")
    host = UserFactory(name="Sam Host")
    open_session(programme, "Morning circle", slot=first, room=big, status="scheduled", facilitators=[host])
    busy_host = open_session(programme, "Second circle", facilitators=[host])
    needs_step_free = open_session(programme, "Walk and talk", needs=["step_free"])
    small.unavailable_slots.add(second)
    plain = open_session(programme, "Plain")

    def refusal(session, slot, room):
        with pytest.raises(services.ProgrammeChangeError) as error:
            services.session_move(session=session, actor=organiser, slot=slot, room=room)
        return error.value.messages[0]

    assert "facilitator 'Sam Host' runs 2 sessions in slot" in refusal(busy_host, first, small)
    assert "needs step_free, which room 'Room 2' lacks" in refusal(needs_step_free, second, small)
    assert "when the room is unavailable" in refusal(plain, second, small)
    assert not Session.objects.filter(slot=second).exists()


def test_moving_a_published_session_tells_its_facilitators():
    programme, organiser = make_programme(slots=2, rooms=1)
    first, second = playable_slots(programme)
    room = programme.rooms.get()
    host = UserFactory(email="host@example.org")
    session = open_session(
        programme, "Moving", slot=first, room=room, status="scheduled", facilitators=[host]
    )
    programme.published_at = programme.event.starts_at
    programme.save()

    services.session_move(session=session, actor=organiser, slot=second, room=room)

    message = OutboxMessage.objects.get(kind="session_moved")
    assert message.to == ["host@example.org"]
    assert message.subject == "New time or room for “Moving”"


def test_the_editor_moves_a_session_without_javascript_and_with_htmx():
    programme, organiser = make_programme(slots=2, rooms=2)
    first, second = playable_slots(programme)
    big, small = programme.rooms.order_by("position")
    session = open_session(programme, "Editable", slot=first, room=big, status="scheduled")
    client = signed_in(organiser)
    editor = f"/staff/programme/{programme.event.slug}/timetable/"

    page = client.get(editor).content.decode()
    plain = client.post(
        f"/staff/programme/{programme.event.slug}/sessions/{session.pk}/move/",
        {"slot": str(second.pk), "room": str(small.pk), "next": "timetable"},
    )
    enhanced = client.post(
        f"/staff/programme/{programme.event.slug}/sessions/{session.pk}/move/",
        {"slot": str(first.pk), "room": str(small.pk), "next": "timetable"},
        headers={"HX-Request": "true"},
        follow=True,
    )

    assert 'hx-post="/staff/programme/' in page and 'name="slot"' in page
    assert plain.status_code == 302
    assert plain["Location"] == f"{editor}#session-{session.pk}"
    assert '<div id="timetable">' in enhanced.content.decode()
    assert "“Editable” moved." in enhanced.content.decode()
    session.refresh_from_db()
    assert (session.slot, session.room) == (first, small)


def test_pin_needs_a_place_and_drop_takes_a_session_off_the_timetable():
    programme, organiser = make_programme()
    slot = playable_slots(programme)[0]
    room = programme.rooms.first()
    unplaced = open_session(programme, "Nowhere yet")
    placed = open_session(programme, "Placed", slot=slot, room=room, status="scheduled")
    client = signed_in(organiser)

    refused = client.post(
        f"/staff/programme/{programme.event.slug}/sessions/{unplaced.pk}/pin/", {"pinned": "1"}, follow=True
    )
    client.post(f"/staff/programme/{programme.event.slug}/sessions/{placed.pk}/pin/", {"pinned": "1"})
    placed.refresh_from_db()
    pinned_in_model = load_instance(programme).instance.sessions
    client.post(f"/staff/programme/{programme.event.slug}/sessions/{placed.pk}/drop/")

    assert "Place the session in a slot and room before pinning it." in refused.content.decode()
    assert placed.pinned is True
    assert [s.pinned for s in pinned_in_model if s.id == f"s{placed.pk}"] == [(f"t{slot.pk}", f"r{room.pk}")]
    placed.refresh_from_db()
    assert (placed.status, placed.slot, placed.room, placed.pinned) == ("withdrawn", None, None, False)


def grow(programme, n: int) -> None:
    slots = playable_slots(programme)
    rooms = list(programme.rooms.all())
    for k in range(n):
        session = open_session(
            programme,
            f"Session {Session.objects.count()}",
            facilitators=[UserFactory()],
            slot=slots[k % len(slots)],
            room=rooms[(k // len(slots)) % len(rooms)],
            status="scheduled",
        )
        interest(attendee(programme.event), session, 2)
        proposal = Session.objects.create(
            programme=programme, title=f"Proposal {k}", track="curated", proposer=UserFactory()
        )
        proposal.reviews.create(reviewer=UserFactory(), score=3)


STAFF_PAGES = ["", "grid/", "timetable/", "reviews/", "settings/"]


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_pages_make_the_same_number_of_queries_at_1x_and_10x(page):
    programme, organiser = make_programme(slots=10, rooms=2)
    client = signed_in(organiser)
    url = f"/staff/programme/{programme.event.slug}/{page}"

    grow(programme, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(programme, 9)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200

    assert len(large) == len(small)


def test_the_programme_list_makes_the_same_number_of_queries_for_more_gatherings():
    _programme, organiser = make_programme()
    client = signed_in(organiser)
    client.get("/staff/programme/")
    with CaptureQueriesContext(connection) as small:
        client.get("/staff/programme/")
    for _ in range(5):
        make_programme(organiser=organiser)
    with CaptureQueriesContext(connection) as large:
        body = client.get("/staff/programme/").content.decode()

    assert len(large) == len(small)
    assert body.count("Not published yet") == 6
