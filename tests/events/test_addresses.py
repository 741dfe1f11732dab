"""Addresses keep their lines and access needs read as a list, on pages and in plain-text emails."""

import re

import pytest
from django.core import mail

from gathering.events.services import RegistrationInput, registration_create

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory, VenueFactory, make_staff

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    """What a reader sees: tags become spaces only where the browser would break or separate."""
    html = re.sub(r"<br\s*/?>|</(p|li|dd|dt|div|address)>", "\n", html)
    return re.sub(r"<[^>]+>", "", html)


def test_confirmation_email_keeps_the_address_lines(django_capture_on_commit_callbacks):
    venue = VenueFactory(
        name="Friends Meeting House", address="6 Mount Street\r\nManchester", postcode="M2 5NS"
    )
    event = EventFactory(venue=venue, capacity=5)
    ticket = TicketTypeFactory(event=event)
    person = UserFactory(name="Kim")
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(
            event=event,
            user=person,
            data=RegistrationInput(ticket_type_id=ticket.pk, name="Kim", email=person.email),
        )
    body = mail.outbox[0].body.replace("\r\n", "\n")
    assert "Friends Meeting House\n6 Mount Street\nManchester\nM2 5NS\n" in body
    assert "StreetManchester" not in body


def test_event_page_shows_the_address_on_separate_lines(client):
    venue = VenueFactory(
        name="Friends Meeting House", address="6 Mount Street\nManchester", postcode="M2 5NS"
    )
    event = EventFactory(venue=venue)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "<address>Friends Meeting House<br>6 Mount Street<br>Manchester<br>M2 5NS</address>" in html


def test_check_in_lists_access_needs_with_commas():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], capacity=5)
    ticket = TicketTypeFactory(event=event)
    person = UserFactory(name="Dana")
    registration_create(
        event=event,
        user=person,
        data=RegistrationInput(
            ticket_type_id=ticket.pk,
            name="Dana",
            email=person.email,
            access_needs=["step_free", "bsl"],
            access_needs_other="Wheelchair user;",
            special_category_consent=True,
            share_access_with_venue=True,
        ),
    )
    html = (
        signed_in(organiser).post(f"/staff/gatherings/{event.slug}/check-in/", {"q": "Dana"}).content.decode()
    )
    text = visible_text(html)
    assert (
        "Access needs (shared with the venue team): "
        "Step-free access, A British Sign Language interpreter, Wheelchair user\n" in text
    )
