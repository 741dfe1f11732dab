"""Registration tells the truth first: a full Gathering says "Join the waiting list" on its page, its form
and the check-your-answers page; changing ticket keeps the person's place or waiting-list position."""

import pytest

from gathering.events.models import Registration
from gathering.events.services import RegistrationInput, registration_create

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory

pytestmark = pytest.mark.django_db


def register(event, person, ticket=None):
    ticket = ticket or event.ticket_types.first()
    data = RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email)
    return registration_create(event=event, user=person, data=data).registration


@pytest.fixture
def full_event():
    """Places left on the Gathering, but none of its one ticket: the service would queue the next person."""
    event = EventFactory(capacity=10)
    TicketTypeFactory(event=event, quantity=1)
    register(event, UserFactory())
    return event


def test_full_gathering_page_says_join_the_waiting_list(full_event):
    html = signed_in(UserFactory()).get(f"/gatherings/{full_event.slug}/").content.decode()

    assert "Join the waiting list</a>" in html
    assert ">Register</a>" not in html


def test_full_gathering_form_says_join_the_waiting_list(full_event):
    html = signed_in(UserFactory()).get(f"/gatherings/{full_event.slug}/register/").content.decode()

    assert f"<h1>Join the waiting list for {full_event.title}</h1>" in html
    assert "This Gathering is full" in html


def test_full_gathering_check_your_answers_says_join_the_waiting_list(full_event):
    data = {"ticket_type": full_event.ticket_types.first().pk, "name": "Robin Ash"}

    html = signed_in(UserFactory()).post(f"/gatherings/{full_event.slug}/register/", data).content.decode()

    assert "Check your answers before joining the waiting list" in html
    assert ">Join the waiting list</button>" in html
    assert "Confirm and register" not in html


def test_gathering_with_places_says_register():
    event = EventFactory(capacity=10)
    TicketTypeFactory(event=event)
    client = signed_in(UserFactory())

    page = client.get(f"/gatherings/{event.slug}/").content.decode()
    form = client.get(f"/gatherings/{event.slug}/register/").content.decode()
    data = {"ticket_type": event.ticket_types.first().pk, "name": "Robin Ash"}
    check = client.post(f"/gatherings/{event.slug}/register/", data).content.decode()

    assert ">Register</a>" in page
    assert f"<h1>Register for {event.title}</h1>" in form
    assert "Confirm and register" in check
    assert "waiting list" not in check


# ------------------------------------------------------------------------------------------ changing ticket


@pytest.fixture
def two_tickets():
    event = EventFactory(capacity=1)
    first = TicketTypeFactory(event=event, name="Community")
    second = TicketTypeFactory(event=event, name="Peer supporter")
    return event, first, second


def edit_data(registration, **changes):
    return {"ticket_type": registration.ticket_type_id, "name": registration.name, **changes}


def test_confirmed_person_changing_ticket_keeps_their_place(two_tickets):
    event, first, second = two_tickets
    person = UserFactory()
    registration = register(event, person, first)
    register(event, UserFactory(), first)  # waiting: the Gathering is full

    response = signed_in(person).post(
        f"/my/gatherings/{registration.pk}/edit/", edit_data(registration, ticket_type=second.pk)
    )

    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.status, registration.ticket_type_id) == ("confirmed", second.pk)
    assert Registration.objects.filter(event=event, status="waitlisted").count() == 1


def test_edit_page_offers_the_tickets_and_says_the_place_is_kept(two_tickets):
    event, first, _second = two_tickets
    person = UserFactory()
    registration = register(event, person, first)

    html = signed_in(person).get(f"/my/gatherings/{registration.pk}/edit/").content.decode()

    assert 'name="ticket_type"' in html
    assert "Changing ticket keeps your place" in html


def test_changing_to_a_ticket_with_no_places_left_keeps_the_old_ticket_and_place():
    event = EventFactory(capacity=10)
    first = TicketTypeFactory(event=event, name="Community")
    second = TicketTypeFactory(event=event, name="Peer supporter", quantity=1)
    register(event, UserFactory(), second)
    person = UserFactory()
    registration = register(event, person, first)

    response = signed_in(person).post(
        f"/my/gatherings/{registration.pk}/edit/", edit_data(registration, ticket_type=second.pk)
    )

    assert response.status_code == 200
    assert "There are no places left with that ticket" in response.content.decode()
    registration.refresh_from_db()
    assert (registration.status, registration.ticket_type_id) == ("confirmed", first.pk)


def test_waitlisted_person_changing_ticket_keeps_their_position(two_tickets):
    event, first, second = two_tickets
    register(event, UserFactory(), first)
    earlier, person = UserFactory(), UserFactory()
    register(event, earlier, first)
    registration = register(event, person, first)
    waitlisted_at = registration.waitlisted_at

    signed_in(person).post(
        f"/my/gatherings/{registration.pk}/edit/", edit_data(registration, ticket_type=second.pk)
    )

    registration.refresh_from_db()
    assert (registration.status, registration.ticket_type_id) == ("waitlisted", second.pk)
    assert registration.waitlisted_at == waitlisted_at
    html = signed_in(person).get("/my/gatherings/").content.decode()
    assert "number 2 on the waiting list" in html


def test_changing_to_a_paid_ticket_keeps_the_place_with_payment_due(two_tickets):
    event, first, _second = two_tickets
    paid = TicketTypeFactory(event=event, name="Waged", price_minor=2500)
    person = UserFactory()
    registration = register(event, person, first)

    signed_in(person).post(
        f"/my/gatherings/{registration.pk}/edit/",
        edit_data(registration, ticket_type=paid.pk, payment="on_the_day"),
    )

    registration.refresh_from_db()
    assert (registration.status, registration.ticket_type_id, registration.amount_minor) == (
        "pending_payment",
        paid.pk,
        2500,
    )


def test_changing_to_a_supported_place_needs_the_invitation_code(two_tickets):
    event, first, _second = two_tickets
    supported = TicketTypeFactory(event=event, name="Supported", kind="supported", invitation_code="WELCOME")
    person = UserFactory()
    registration = register(event, person, first)
    client = signed_in(person)

    response = client.post(
        f"/my/gatherings/{registration.pk}/edit/", edit_data(registration, ticket_type=supported.pk)
    )

    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.ticket_type_id == first.pk
    client.post(
        f"/my/gatherings/{registration.pk}/edit/",
        edit_data(registration, ticket_type=supported.pk, invitation_code="WELCOME"),
    )
    registration.refresh_from_db()
    assert (registration.status, registration.ticket_type_id) == ("confirmed", supported.pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_simultaneous_changes_to_a_ticket_with_one_place_left_give_it_to_one_person():
    """Twenty people with a place switch at once to a ticket with one place left: one gets it, everyone keeps
    their place. SQLite serialises writers, so this is shown on PostgreSQL only."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    from gathering.events.services import RegistrationError, registration_update

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is shown on PostgreSQL (DATABASE_URL); SQLite serialises every write")
    people_count = 20
    event = EventFactory(capacity=people_count)
    first = TicketTypeFactory(event=event, name="Community")
    limited = TicketTypeFactory(event=event, name="Peer supporter", quantity=1)
    people = [UserFactory(email=f"switch{n}@example.org") for n in range(people_count)]
    registrations = [register(event, person, first) for person in people]
    barrier = threading.Barrier(people_count)

    def attempt(n):
        try:
            barrier.wait()
            registration = registrations[n]
            data = RegistrationInput(
                ticket_type_id=limited.pk, name=registration.name, email=registration.email
            )
            try:
                registration_update(registration=registration, user=people[n], data=data)
            except RegistrationError:
                return False
            return True
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=people_count) as pool:
        outcomes = list(pool.map(attempt, range(people_count)))

    assert outcomes.count(True) == 1
    statuses = list(Registration.objects.filter(event=event).values_list("status", "ticket_type_id"))
    assert all(status == "confirmed" for status, _ticket in statuses)
    assert sum(1 for _status, ticket in statuses if ticket == limited.pk) == 1
