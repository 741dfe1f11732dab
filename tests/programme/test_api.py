"""The programme API: sessions and the published timetable for anyone, proposing and marking interest for
people with a confirmed place, my marks; refusals say why and change nothing."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gathering.events.models import Event
from gathering.programme.models import Interest, Session

from ..conftest import token_client
from ..factories import UserFactory, make_staff
from .attendee_data import attendee, grid, mark, programme_for, publish, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return programme_for()


@pytest.fixture
def person(programme):
    return attendee(programme.event, UserFactory(name="Robin Ash", preferred_name="Robin"))


@pytest.fixture
def person_api(person):
    return token_client(person)


def sessions_url(programme) -> str:
    return f"/api/v1/events/{programme.event.slug}/sessions/"


def interest_url(programme, made) -> str:
    return f"{sessions_url(programme)}{made.pk}/interest/"


def put_level(client, programme, made, body):
    return client.put(interest_url(programme, made), body, content_type="application/json")


def propose(client, programme, body):
    return client.post(sessions_url(programme), body, content_type="application/json")


# ------------------------------------------------------------------------------------ reading sessions


def test_sessions_lists_public_sessions_in_proposal_order_with_counts(client, programme, person):
    first = session(programme, title="Hearing voices together")
    second = session(programme, title="Crisis plans", track="curated", status="accepted", format="workshop")
    session(programme, title="Curated, still under review", track="curated", status="proposed")
    session(programme, title="Withdrawn by its proposer", status="withdrawn")
    mark(person, first, Interest.Level.REALLY_WANT)
    mark(attendee(programme.event), first)
    data = client.get(sessions_url(programme)).json()
    assert data["count"] == 2
    assert [(s["id"], s["title"]) for s in data["results"]] == [
        (first.pk, "Hearing voices together"),
        (second.pk, "Crisis plans"),
    ]
    row = data["results"][0]
    assert row["interest"] == {"would_like": 1, "really_want": 1}
    assert (row["track"], row["status"], row["format"]) == ("open_space", "proposed", "open_space")
    assert row["my_interest"] is None  # nobody is signed in
    assert row["place"] is None  # not published
    assert row["url"] == f"http://testserver/gatherings/{programme.event.slug}/programme/sessions/{first.pk}/"
    assert "facilitators" not in row  # as on the proposal board, names only on a session's own record


def test_sessions_page_by_page(client, programme):
    made = [session(programme, title=f"Session {n}") for n in range(5)]
    data = client.get(sessions_url(programme), {"per_page": 2, "page": 3}).json()
    assert (data["count"], [s["id"] for s in data["results"]]) == (5, [made[4].pk])


def test_my_interest_shows_for_the_signed_in_person(programme, person):
    made = session(programme)
    mark(person, made, Interest.Level.WOULD_LIKE)
    row = token_client(person).get(sessions_url(programme)).json()["results"][0]
    assert row["my_interest"] == "would_like"
    other = token_client(attendee(programme.event)).get(sessions_url(programme)).json()["results"][0]
    assert other["my_interest"] is None


def test_published_session_has_its_room_and_times(client, programme, person):
    slots, rooms = grid(programme, slots=4, rooms=2, breaks=(1,))
    made = session(programme, title="Two slots over the break", slot=slots[0], room=rooms[1], length=2)
    made.facilitators.add(person)
    url = f"{sessions_url(programme)}{made.pk}/"
    assert client.get(url).json()["place"] is None  # placed by an organiser, but not yet published
    publish(programme)
    detail = client.get(url).json()
    assert detail["place"]["room"] == {
        "id": rooms[1].pk,
        "name": "Room B",
        "capacity": 21,
        "features": ["quiet"],
        "is_online": False,
    }
    assert detail["place"]["slots"] == [slots[0].pk, slots[2].pk]  # the break is skipped
    assert detail["place"]["ends_at"] == slots[2].ends_at.isoformat().replace("+00:00", "Z")
    assert detail["facilitators"] == ["Robin"]  # the preferred name, as on the session's page


@pytest.mark.parametrize("case", ["withdrawn", "curated proposal", "other gathering", "no such"])
def test_session_not_on_this_programme_is_not_found(client, programme, case):
    other = session(programme_for(), title="Elsewhere")
    made = {
        "withdrawn": lambda: session(programme, status="withdrawn"),
        "curated proposal": lambda: session(programme, track="curated", status="proposed"),
        "other gathering": lambda: other,
        "no such": lambda: Session(pk=999_999),
    }[case]()
    response = client.get(f"{sessions_url(programme)}{made.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_draft_gathering_has_no_programme_in_the_api(client, programme):
    Event.objects.filter(pk=programme.event.pk).update(status=Event.Status.DRAFT)
    session(programme)
    assert client.get(sessions_url(programme)).status_code == 404
    assert client.get(f"/api/v1/events/{programme.event.slug}/timetable/").status_code == 404


# ------------------------------------------------------------------------------------------ timetable


def test_timetable_is_empty_until_published(client, programme):
    slots, rooms = grid(programme)
    session(programme, slot=slots[0], room=rooms[0])
    data = client.get(f"/api/v1/events/{programme.event.slug}/timetable/").json()
    assert data == {
        "event": programme.event.slug,
        "time_zone": programme.event.time_zone,
        "published": False,
        "published_at": None,
        "slots": [],
        "rooms": [],
        "sessions": [],
    }


def test_timetable_lists_slots_rooms_and_where_each_session_runs(client, programme):
    slots, rooms = grid(programme, slots=4, rooms=2, breaks=(2,))
    short = session(programme, title="Short", slot=slots[0], room=rooms[0])
    long = session(programme, title="Long", slot=slots[1], room=rooms[1], length=2)
    session(programme, title="Not placed")
    session(programme, title="Dropped", slot=slots[3], room=rooms[0], status="withdrawn")
    publish(programme)
    data = client.get(f"/api/v1/events/{programme.event.slug}/timetable/").json()
    assert data["published"] is True
    assert [(s["id"], s["is_break"], s["label"]) for s in data["slots"]] == [
        (slots[0].pk, False, ""),
        (slots[1].pk, False, ""),
        (slots[2].pk, True, "Lunch"),
        (slots[3].pk, False, ""),
    ]
    assert [r["name"] for r in data["rooms"]] == ["Room A", "Room B"]
    placed = {s["title"]: (s["room"], s["slots"]) for s in data["sessions"]}
    assert placed == {
        "Short": (rooms[0].pk, [slots[0].pk]),
        "Long": (rooms[1].pk, [slots[1].pk, slots[3].pk]),
    }
    assert {s["id"] for s in data["sessions"]} == {short.pk, long.pk}


# ---------------------------------------------------------------------------------------- proposing


def test_confirmed_attendee_proposes_a_session(programme, person):
    response = propose(
        token_client(person),
        programme,
        {
            "title": "  Peer support  on the ward ",
            "description": "What helped.",
            "length": 2,
            "needs": ["quiet"],
        },
    )
    assert response.status_code == 201
    body = response.json()
    made = Session.objects.get(pk=body["id"])
    assert (made.title, made.length, made.needs, made.proposer) == (
        "Peer support on the ward",
        2,
        ["quiet"],
        person,
    )
    assert (body["title"], body["status"], body["facilitators"]) == (
        "Peer support on the ward",
        "proposed",
        ["Robin"],
    )


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "title", "Enter a title"),
        ({"title": "   "}, "title", "Enter a title"),
        ({"title": "x" * 121}, "title", "A title must be 120 characters or fewer"),
        ({"title": "Fine", "description": "y" * 601}, "description", "must be 600 characters or fewer"),
        ({"title": "Fine", "length": 9}, "length", "Choose a length from 1 to 4 slots"),
        ({"title": "Fine", "length": "2"}, "length", "Choose a length from 1 to 4 slots"),
        ({"title": "Fine", "needs": ["jacuzzi"]}, "needs", "unknown: jacuzzi"),
        ({"title": "Fine", "needs": "quiet"}, "needs", "Choose needs from the list"),
        ({"title": "Bell\x07"}, "title", "cannot contain control characters"),
    ],
)
def test_bad_proposal_names_the_field_and_saves_nothing(programme, person, body, field, message):
    response = propose(token_client(person), programme, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert any(message in text for text in error["fields"][field])
    assert Session.objects.count() == 0


def test_proposal_that_is_not_an_object_is_refused(programme, person):
    response = propose(token_client(person), programme, ["a", "list"])
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Send a JSON object")
    assert Session.objects.count() == 0


def test_same_title_twice_makes_one_session(programme, person):
    client = token_client(person)
    assert propose(client, programme, {"title": "Walking together"}).status_code == 201
    again = propose(client, programme, {"title": "walking together"})
    assert again.status_code == 409  # valid, but it clashes with the one already there
    assert again.json()["error"]["code"] == "conflict"
    assert again.json()["error"]["fields"]["title"] == [
        "You have already proposed a session with this title."
    ]
    assert Session.objects.count() == 1


def test_only_people_with_a_place_can_propose(client, programme):
    waiting = attendee(programme.event, status="waitlisted")
    for outsider in (UserFactory(), waiting, make_staff("facilitator")):
        response = propose(token_client(outsider), programme, {"title": "Not mine to post"})
        assert response.status_code == 403
        assert response.json()["error"]["message"] == (
            f"Only people with a confirmed place at {programme.event.title} can propose a session."
        )
    assert propose(client, programme, {"title": "Anonymous"}).status_code == 401
    assert Session.objects.count() == 0


def test_no_proposals_after_the_gathering_or_without_open_space(programme, person):
    programme.open_space = False
    programme.save(update_fields=["open_space"])
    response = propose(token_client(person), programme, {"title": "Too late"})
    assert (response.status_code, response.json()["error"]["message"]) == (
        400,
        "This Gathering does not take open-space proposals.",
    )
    programme.open_space = True
    programme.save(update_fields=["open_space"])
    Event.objects.filter(pk=programme.event.pk).update(
        starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=2)
    )
    response = propose(token_client(person), programme, {"title": "Too late"})
    assert response.status_code == 400
    assert "has ended, so its programme is closed" in response.json()["error"]["message"]
    assert Session.objects.count() == 0


def test_proposals_are_limited_per_person(programme, person):
    client = token_client(person)
    for n in range(20):
        assert propose(client, programme, {"title": f"Session {n}"}).status_code == 201
    refused = propose(client, programme, {"title": "One too many"})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert Session.objects.count() == 20
    assert client.get(sessions_url(programme)).status_code == 200  # reading is not limited by it


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.dictionaries(
        st.sampled_from(["title", "description", "length", "needs", "other"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-5, 10),
            st.text(max_size=130),
            st.lists(st.one_of(st.text(max_size=12), st.sampled_from(["quiet", "online"])), max_size=3),
            st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        ),
    )
)
def test_any_proposal_body_is_saved_whole_or_refused_with_a_message(programme, person_api, body):
    cache.clear()  # the proposal limit counts refused bodies too
    before = Session.objects.count()
    response = propose(person_api, programme, body)
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        assert Session.objects.count() == before + 1
        made = Session.objects.get(pk=response.json()["id"])
        assert 1 <= made.length <= 4 and made.title
        made.delete()
    else:
        assert Session.objects.count() == before
        assert response.json()["error"]["message"]


# ------------------------------------------------------------------------------------------ interest


def test_mark_change_and_take_back_interest(programme, person):
    made = session(programme)
    client = token_client(person)
    response = put_level(client, programme, made, {"level": "would_like"})
    assert response.status_code == 200
    assert (response.json()["my_interest"], response.json()["interest"]) == (
        "would_like",
        {"would_like": 1, "really_want": 0},
    )
    response = put_level(client, programme, made, {"level": "really_want"})
    assert response.json()["interest"] == {"would_like": 0, "really_want": 1}
    assert Interest.objects.get().level == Interest.Level.REALLY_WANT
    assert client.delete(interest_url(programme, made)).status_code == 204
    assert not Interest.objects.exists()
    assert client.delete(interest_url(programme, made)).status_code == 204  # taking back twice is fine


@pytest.mark.parametrize(
    "body", [{}, {"level": "adore"}, {"level": 2}, {"level": None}, {"level": ["really_want"]}]
)
def test_bad_interest_level_is_refused(programme, person, body):
    made = session(programme)
    response = put_level(token_client(person), programme, made, body)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["level"]
    assert not Interest.objects.exists()


def test_only_people_with_a_place_can_mark(client, programme):
    made = session(programme)
    for outsider in (UserFactory(), make_staff("facilitator")):
        response = put_level(token_client(outsider), programme, made, {"level": "would_like"})
        assert response.status_code == 403
        assert "can mark sessions you want to attend" in response.json()["error"]["message"]
    assert put_level(client, programme, made, {"level": "would_like"}).status_code == 401
    assert client.delete(interest_url(programme, made)).status_code == 401
    assert not Interest.objects.exists()


def test_taking_back_touches_only_your_own_mark(programme, person):
    made = session(programme)
    mark(person, made)
    assert token_client(UserFactory()).delete(interest_url(programme, made)).status_code == 204
    assert Interest.objects.filter(user=person).count() == 1


def test_withdrawn_session_cannot_be_marked(programme, person):
    made = session(programme, status="withdrawn")
    assert put_level(token_client(person), programme, made, {"level": "would_like"}).status_code == 404
    assert not Interest.objects.exists()


# -------------------------------------------------------------------------------------------- my marks


def test_my_interests_lists_only_my_marks_on_public_sessions(programme, person):
    shown = session(programme, title="Shown")
    gone = session(programme, title="Gone")
    mark(person, shown, Interest.Level.REALLY_WANT)
    mark(person, gone)
    Session.objects.filter(pk=gone.pk).update(status="withdrawn")
    mark(UserFactory(), shown)
    data = token_client(person).get("/api/v1/me/interests/").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert (row["session"]["id"], row["session"]["title"], row["event"], row["level"]) == (
        shown.pk,
        "Shown",
        programme.event.slug,
        "really_want",
    )
    assert token_client(UserFactory()).get("/api/v1/me/interests/").json()["count"] == 0
    assert Client().get("/api/v1/me/interests/").status_code == 401


def test_schema_documents_the_programme_endpoints(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/events/{slug}/sessions/"])
    assert {"put", "delete"} <= set(paths["/api/v1/events/{slug}/sessions/{session_id}/interest/"])
    assert {
        "/api/v1/events/{slug}/sessions/{session_id}/",
        "/api/v1/events/{slug}/timetable/",
        "/api/v1/me/interests/",
    } <= set(paths)
