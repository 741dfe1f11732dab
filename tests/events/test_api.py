"""The Gatherings API: browse, register (confirmed / waitlisted / pending_payment), mine, cancel, organisers'
list; the wrong people get 403/404 and see nothing."""

import pytest

from gathering.events.models import Registration

from ..conftest import signed_in, token_client
from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = EventFactory(capacity=1, title="Autumn Gathering")
    TicketTypeFactory(event=event, name="Free")
    TicketTypeFactory(event=event, name="Solidarity", kind="solidarity", price_minor=4000)
    return event


def post(client, event, body):
    return client.post(f"/api/v1/events/{event.slug}/registrations/", body, content_type="application/json")


def test_events_are_public(client, event):
    EventFactory(status="draft", title="Secret draft")
    data = client.get("/api/v1/events/").json()
    assert [e["title"] for e in data["results"]] == ["Autumn Gathering"]
    detail = client.get(f"/api/v1/events/{event.slug}/").json()
    assert [t["name"] for t in detail["ticket_types"]] == ["Free", "Solidarity"]
    assert client.get("/api/v1/events/no-such/").status_code == 404


def test_register_confirmed_then_waitlisted_then_same_again(event):
    free = event.ticket_types.get(name="Free")
    first, second = UserFactory(), UserFactory()
    response = post(token_client(first), event, {"ticket_type": free.pk})
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["waitlist_position"]) == ("confirmed", None)
    client = token_client(second)
    response = post(client, event, {"ticket_type": free.pk})
    assert (response.status_code, response.json()["status"], response.json()["waitlist_position"]) == (
        201,
        "waitlisted",
        1,
    )
    again = post(client, event, {"ticket_type": free.pk})
    assert again.status_code == 200
    assert again.json()["id"] == response.json()["id"]
    assert Registration.objects.count() == 2


def test_solidarity_ticket_is_pending_payment():
    event = EventFactory(capacity=10)
    ticket = TicketTypeFactory(event=event, kind="solidarity", price_minor=4000)
    response = post(
        token_client(UserFactory()), event, {"ticket_type": ticket.pk, "amount": 5000, "payment": "invoice"}
    )
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["amount_minor"]) == ("pending_payment", 5000)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"ticket_type": 999999}, "ticket_type", "Choose one of the tickets on offer"),
        ({}, "ticket_type", "This field is required."),
        ({"ticket_type": "x"}, "ticket_type", "A valid integer is required."),
        ({"ticket_type": "SOL", "amount": -1}, "amount", "Ensure this value is greater than or equal to 0."),
        (
            {"ticket_type": "SOL", "amount": 100, "payment": "invoice"},
            "amount_minor",
            "A solidarity ticket is at least",
        ),
        ({"ticket_type": "SOL", "amount": 10**9 + 1}, "amount", "Ensure this value is less than or equal to"),
        ({"ticket_type": "FREE", "access_needs": ["bsl"]}, "special_category_consent", "tick the box"),
        (
            {"ticket_type": "FREE", "dietary_needs": "x" * 2001},
            "dietary_needs",
            "no more than 2000 characters",
        ),
        ({"ticket_type": "FREE", "answers": {"12345": "x"}}, "answers", "not part of this Gathering"),
    ],
)
def test_bad_registration_input(event, body, field, message):
    ids = {
        "SOL": event.ticket_types.get(name="Solidarity").pk,
        "FREE": event.ticket_types.get(name="Free").pk,
    }
    if body.get("ticket_type") in ids:
        body = {**body, "ticket_type": ids[body["ticket_type"]]}
    response = post(token_client(UserFactory()), event, body)
    assert response.status_code == 400
    error = response.json()["error"]
    detail = error["fields"].get(field) or [error["message"]]
    assert any(message in text for text in (detail if isinstance(detail, list) else [detail]))
    assert Registration.objects.count() == 0


def test_closed_registration_is_refused(event):
    event.status = "cancelled"
    event.save()
    response = post(token_client(UserFactory()), event, {"ticket_type": event.ticket_types.first().pk})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Registration for this Gathering is closed."


def test_my_registrations_and_cancel(event):
    person = UserFactory()
    client = token_client(person)
    created = post(client, event, {"ticket_type": event.ticket_types.get(name="Free").pk}).json()
    mine = client.get("/api/v1/me/registrations/").json()
    assert [r["id"] for r in mine["results"]] == [created["id"]]
    assert client.delete(f"/api/v1/me/registrations/{created['id']}/").status_code == 204
    assert Registration.objects.get(pk=created["id"]).status == "cancelled"
    assert client.get("/api/v1/me/registrations/").json()["count"] == 0


def test_someone_elses_registration_cannot_be_cancelled(event):
    owner, intruder = UserFactory(), UserFactory()
    created = post(token_client(owner), event, {"ticket_type": event.ticket_types.get(name="Free").pk}).json()
    response = token_client(intruder).delete(f"/api/v1/me/registrations/{created['id']}/")
    assert response.status_code == 404
    assert Registration.objects.get(pk=created["id"]).status == "confirmed"
    assert token_client(intruder).get("/api/v1/me/registrations/").json()["count"] == 0


def test_organisers_list_only_their_own_event(event):
    organiser = make_staff("organiser")
    event.organisers.add(organiser)
    other_organiser = make_staff("organiser")
    EventFactory(organisers=[other_organiser])
    participant = UserFactory(name="Jamie Lee")
    post(token_client(participant), event, {"ticket_type": event.ticket_types.get(name="Free").pk})
    url = f"/api/v1/events/{event.slug}/registrations/"
    data = signed_in(organiser).get(url).json()
    assert data["counts"]["confirmed"] == 1
    assert [r["name"] for r in data["results"]] == ["Jamie Lee"]
    for outsider in (other_organiser, participant, make_staff("facilitator")):
        response = signed_in(outsider).get(url)
        assert response.status_code == 403
        assert "Jamie" not in response.content.decode()


def test_anonymous_cannot_register(client, event):
    response = post(client, event, {"ticket_type": event.ticket_types.first().pk})
    assert response.status_code == 401
    assert Registration.objects.count() == 0


def test_schema_documents_the_event_endpoints(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {
        "/api/v1/events/",
        "/api/v1/events/{slug}/",
        "/api/v1/events/{slug}/registrations/",
        "/api/v1/me/registrations/",
        "/api/v1/me/registrations/{registration_id}/",
    } <= set(paths)
