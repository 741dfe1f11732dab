"""Organisers create and edit Gatherings, tickets and questions; registered people hear about changes."""

import pytest

from gathering.core.models import OutboxMessage
from gathering.events.models import Event, Question, Registration, TicketType
from gathering.events.services import RegistrationInput, registration_create

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory, VenueFactory, make_staff

pytestmark = pytest.mark.django_db

NEW = {
    "title": "Summer Gathering",
    "slug": "summer-gathering",
    "summary": "A day together.",
    "kind": "gathering",
    "format": "online",
    "online_join_url": "https://meet.example.org/summer",
    "time_zone": "Europe/London",
    "starts_at": "2027-07-01T10:00",
    "ends_at": "2027-07-01T16:00",
    "offer_hours": "48",
    "status": "draft",
}


def test_organiser_creates_a_gathering_in_its_own_time_zone():
    organiser = make_staff("organiser")
    response = signed_in(organiser).post("/staff/gatherings/new/", NEW)
    assert response.status_code == 302
    event = Event.objects.get(slug="summer-gathering")
    assert list(event.organisers.all()) == [organiser]
    assert event.starts_at.isoformat() == "2027-07-01T09:00:00+00:00"  # 10:00 British Summer Time


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title"),
        ({"ends_at": "2027-07-01T09:00"}, "ends_at", "The end must be after the start."),
        ({"format": "in_person"}, "venue", "needs a venue"),
        ({"starts_at": "tomorrow"}, "starts_at", "Enter a valid date/time."),
    ],
)
def test_bad_gathering_input(changes, field, message):
    response = signed_in(make_staff("organiser")).post("/staff/gatherings/new/", {**NEW, **changes})
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert Event.objects.count() == 0


def test_participants_and_facilitators_cannot_create():
    for person in (UserFactory(), make_staff("facilitator")):
        assert signed_in(person).post("/staff/gatherings/new/", NEW).status_code == 403
    assert Event.objects.count() == 0


def test_changing_the_date_of_a_published_gathering_tells_everyone_registered():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], format="in_person", venue=VenueFactory())
    TicketTypeFactory(event=event)
    person = UserFactory()
    registration_create(
        event=event,
        user=person,
        data=RegistrationInput(ticket_type_id=event.ticket_types.get().pk, name="P", email=person.email),
    )
    form = {
        **NEW,
        "slug": event.slug,
        "title": event.title,
        "format": "in_person",
        "venue": event.venue_id,
        "status": "published",
        "capacity": "20",
        "starts_at": "2027-08-01T10:00",
        "ends_at": "2027-08-01T16:00",
    }
    response = signed_in(organiser).post(f"/staff/gatherings/{event.slug}/edit/", form)
    assert response.status_code == 302
    changed = OutboxMessage.objects.get(kind="event_changed")
    assert changed.to == [person.email]
    form["status"] = "cancelled"
    signed_in(organiser).post(f"/staff/gatherings/{event.slug}/edit/", form)
    assert OutboxMessage.objects.filter(kind="event_cancelled").count() == 1


def test_more_places_let_people_off_the_waiting_list():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], capacity=1, format="online", venue=None)
    TicketTypeFactory(event=event)
    ticket = event.ticket_types.get()
    for _ in range(2):
        person = UserFactory()
        registration_create(
            event=event,
            user=person,
            data=RegistrationInput(ticket_type_id=ticket.pk, name="P", email=person.email),
        )
    form = {
        **NEW,
        "slug": event.slug,
        "title": event.title,
        "status": "published",
        "capacity": "2",
        "starts_at": "2027-08-01T10:00",
        "ends_at": "2027-08-01T16:00",
    }
    signed_in(organiser).post(f"/staff/gatherings/{event.slug}/edit/", form)
    assert Registration.objects.filter(event=event, status="offered").count() == 1


def test_tickets_and_questions_editor():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser])
    client = signed_in(organiser)
    response = client.post(
        f"/staff/gatherings/{event.slug}/tickets/new/",
        {
            "name": "Pay what you can",
            "kind": "pay_what_you_can",
            "floor": "0",
            "price": "",
            "active": "on",
            "position": "1",
        },
    )
    assert response.status_code == 302
    assert TicketType.objects.get(event=event).kind == "pay_what_you_can"
    response = client.post(
        f"/staff/gatherings/{event.slug}/questions/new/",
        {"text": "Which workshop?", "kind": "choice", "choices_text": "Only one", "position": "1"},
    )
    assert "Give at least two choices" in response.context["form"].errors["choices_text"][0]
    client.post(
        f"/staff/gatherings/{event.slug}/questions/new/",
        {"text": "Which workshop?", "kind": "choice", "choices_text": "Morning\nAfternoon", "position": "1"},
    )
    assert Question.objects.get(event=event).choices == ["Morning", "Afternoon"]


def test_another_organiser_cannot_edit():
    event = EventFactory(organisers=[make_staff("organiser")])
    ticket = TicketTypeFactory(event=event)
    outsider = signed_in(make_staff("organiser"))
    assert outsider.get(f"/staff/gatherings/{event.slug}/edit/").status_code == 403
    assert (
        outsider.post(f"/staff/gatherings/{event.slug}/tickets/{ticket.pk}/", {"name": "Hacked"}).status_code
        == 403
    )
    ticket.refresh_from_db()
    assert ticket.name == "Standard"


def test_a_ticket_of_another_gathering_is_not_found_here():
    organiser = make_staff("organiser")
    mine = EventFactory(organisers=[organiser])
    theirs = TicketTypeFactory(event=EventFactory())
    assert signed_in(organiser).get(f"/staff/gatherings/{mine.slug}/tickets/{theirs.pk}/").status_code == 404
