"""Organisers set up a programme's grid (slots with breaks, rooms with features and unavailability) and
its settings; bad input gets a message naming the field and changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from gathering.programme import services
from gathering.programme.models import Programme, Room, Slot

from ..conftest import signed_in
from ..factories import EventFactory, UserFactory, make_staff
from .staff_data import day_start, make_programme, open_session, playable_slots

pytestmark = pytest.mark.django_db


def test_an_organiser_sets_up_the_programme_once():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser])
    client = signed_in(organiser)

    page = client.get(f"/staff/programme/{event.slug}/")
    response = client.post(f"/staff/programme/{event.slug}/create/")
    again = services.programme_create(event=event, actor=organiser)

    assert "Set up the programme" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/programme/{event.slug}/grid/"
    assert Programme.objects.filter(event=event).count() == 1
    assert again == Programme.objects.get(event=event)


def test_another_gatherings_organiser_cannot_set_up_the_programme():
    event = EventFactory(organisers=[make_staff("organiser")])

    with pytest.raises(PermissionDenied):
        services.programme_create(event=event, actor=make_staff("organiser"))

    assert not Programme.objects.exists()


def on_14_may_2030(programme) -> None:
    """The Gathering runs on 14 May 2030 (slots must fall within its dates)."""
    from datetime import datetime

    event = programme.event
    event.starts_at = datetime(2030, 5, 14, 9, tzinfo=event.zone)
    event.ends_at = datetime(2030, 5, 14, 17, tzinfo=event.zone)
    event.save(update_fields=["starts_at", "ends_at"])


def test_slots_are_added_in_the_gatherings_time_zone():
    programme, organiser = make_programme(slots=0, rooms=0)
    on_14_may_2030(programme)
    client = signed_in(organiser)

    response = client.post(
        f"/staff/programme/{programme.event.slug}/slots/new/",
        {"starts_at": "2030-05-14T10:00", "ends_at": "2030-05-14T11:00", "label": "Morning"},
    )

    assert response.status_code == 302
    slot = Slot.objects.get(programme=programme)
    assert slot.starts_at.astimezone(programme.event.zone).strftime("%Y-%m-%d %H:%M") == "2030-05-14 10:00"
    assert slot.label == "Morning"
    assert slot.is_break is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"starts_at": "", "ends_at": "2030-05-14T11:00"}, "Enter when the slot starts"),
        (
            {"starts_at": "2030-05-14T10:00", "ends_at": "2030-05-14T09:00"},
            "The slot must end after it starts",
        ),
        (
            {"starts_at": "yesterday", "ends_at": "2030-05-14T11:00"},
            "Enter a date and time, like 2026-05-14 10:30",
        ),
        ({"starts_at": "2030-05-14T10:30", "ends_at": "2030-05-14T11:30"}, "This overlaps the slot"),
    ],
)
def test_bad_slots_are_refused_with_a_message_naming_the_field(data, message):
    programme, organiser = make_programme(slots=0, rooms=0)
    on_14_may_2030(programme)
    zone = programme.event.zone
    from datetime import datetime

    start = datetime(2030, 5, 14, 10, 0, tzinfo=zone)
    Slot.objects.create(programme=programme, starts_at=start, ends_at=start + timedelta(hours=1))

    response = signed_in(organiser).post(f"/staff/programme/{programme.event.slug}/slots/new/", data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert message in body
    assert Slot.objects.filter(programme=programme).count() == 1


def test_a_room_keeps_its_features_and_unavailable_slots():
    programme, organiser = make_programme(slots=3, rooms=0)
    first, second, _third = playable_slots(programme)

    response = signed_in(organiser).post(
        f"/staff/programme/{programme.event.slug}/rooms/new/",
        {
            "name": "Garden room",
            "capacity": "25",
            "features": ["step_free", "hearing_loop"],
            "unavailable_slots": [str(first.pk), str(second.pk)],
            "position": "1",
        },
    )

    assert response.status_code == 302
    room = Room.objects.get(programme=programme)
    assert (room.name, room.capacity, room.features) == ("Garden room", 25, ["hearing_loop", "step_free"])
    assert set(room.unavailable_slots.all()) == {first, second}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "capacity": "10"}, "name", "Enter the room&#x27;s name"),
        ({"name": "Hall", "capacity": "0"}, "capacity", "A room holds at least one person"),
        ({"name": "Hall", "capacity": "many"}, "capacity", "Capacity must be a whole number"),
        (
            {"name": "Hall", "capacity": "10", "features": ["jacuzzi"]},
            "features",
            "Choose features from the list",
        ),
        ({"name": "Room 1", "capacity": "10"}, "name", "There is already a room called Room 1."),
        (
            {"name": "Hall", "capacity": "10", "unavailable_slots": ["999999"]},
            "unavailable_slots",
            "Choose slots from the list",
        ),
    ],
)
def test_bad_rooms_are_refused_with_a_message_naming_the_field(data, field, message):
    programme, organiser = make_programme(slots=1, rooms=1)

    response = signed_in(organiser).post(f"/staff/programme/{programme.event.slug}/rooms/new/", data)

    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="#id_{field}' in body
    assert message in body
    assert Room.objects.filter(programme=programme).count() == 1


def test_a_room_cannot_become_unavailable_while_a_session_is_placed_in_it():
    programme, organiser = make_programme(slots=2, rooms=1)
    slot = playable_slots(programme)[0]
    room = programme.rooms.get()
    open_session(programme, "Hearing Voices", slot=slot, room=room, status="scheduled")

    with pytest.raises(services.ProgrammeChangeError) as error:
        services.room_save(
            programme=programme,
            actor=organiser,
            room=room,
            data=services.RoomInput(name="Room 1", capacity=30, features=[], unavailable_slot_ids=[slot.pk]),
        )

    assert error.value.message_dict == {
        "unavailable_slots": ["“Hearing Voices” is placed in this room then: move it first."]
    }
    assert room.unavailable_slots.count() == 0


def test_slots_and_rooms_with_sessions_in_them_are_not_removed():
    programme, organiser = make_programme(slots=2, rooms=1)
    slot = playable_slots(programme)[0]
    room = programme.rooms.get()
    open_session(programme, slot=slot, room=room, status="scheduled")
    client = signed_in(organiser)

    slot_response = client.post(
        f"/staff/programme/{programme.event.slug}/slots/{slot.pk}/delete/", follow=True
    )
    room_response = client.post(
        f"/staff/programme/{programme.event.slug}/rooms/{room.pk}/delete/", follow=True
    )

    assert "Sessions are placed in this slot: move them before removing it." in slot_response.content.decode()
    assert "Sessions are placed in this room: move them before removing it." in room_response.content.decode()
    assert Slot.objects.filter(pk=slot.pk).exists() and Room.objects.filter(pk=room.pk).exists()


def test_settings_name_unknown_reviewers_and_save_nothing():
    programme, organiser = make_programme()
    reviewer = UserFactory(email="reviewer@example.org")
    client = signed_in(organiser)
    url = f"/staff/programme/{programme.event.slug}/settings/"
    base = {"move_cost": "50", "anonymised_review": "on", "cfp_opens_at": "2030-01-01T09:00"}

    refused = client.post(url, {**base, "reviewers": "reviewer@example.org\nnobody@example.org"})
    closes_first = client.post(url, {**base, "cfp_closes_at": "2029-12-01T09:00"})
    saved = client.post(url, {**base, "reviewers": "Reviewer@example.org"})

    assert "Nobody has an account with nobody@example.org." in refused.content.decode()
    assert "The call must close after it opens." in closes_first.content.decode()
    assert saved.status_code == 302
    programme.refresh_from_db()
    assert programme.move_cost == 50
    assert list(programme.reviewers.all()) == [reviewer]


def test_the_grid_page_lists_slots_breaks_and_rooms():
    programme, organiser = make_programme(slots=2, rooms=2, lunch_after=1)
    room = programme.rooms.first()
    room.unavailable_slots.add(playable_slots(programme)[1])

    body = signed_in(organiser).get(f"/staff/programme/{programme.event.slug}/grid/").content.decode()

    assert body.count("<td>Break</td>") == 1
    assert "Room 1" in body and "Room 2" in body
    start = day_start(programme.event)
    assert f"{start + timedelta(hours=2):%H:%M}" in body
