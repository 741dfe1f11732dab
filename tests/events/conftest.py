"""Shared by the organisers' page tests: a Gathering with two ticket types, and registering people for it."""

import pytest

from gathering.events.services import RegistrationInput, registration_create

from ..factories import EventFactory, TicketTypeFactory, UserFactory


@pytest.fixture
def staff_event(organiser):
    """A Gathering of 10 places run by `organiser`, with a free "Standard" and a £30 "Solidarity" ticket."""
    event = EventFactory(capacity=10, organisers=[organiser])
    TicketTypeFactory(event=event, name="Standard")
    TicketTypeFactory(event=event, name="Solidarity", kind="solidarity", price_minor=3000)
    return event


def register(event, name, ticket="Standard", **extra):
    """A new person registered for `event` with the named ticket, through the registration service."""
    person = UserFactory(name=name)
    ticket_type = event.ticket_types.get(name=ticket)
    data = RegistrationInput(ticket_type_id=ticket_type.pk, name=name, email=person.email, **extra)
    return registration_create(event=event, user=person, data=data).registration
