"""Capacity and the waiting list: never oversold, never a duplicate, no free place while someone waits."""

import pytest
from django.utils import timezone

from gathering.events.models import Registration
from gathering.events.services import (
    RegistrationInput,
    registration_cancel,
    registration_create,
    registration_offer_accept,
    waitlist_expire_offers,
)

from ..factories import EventFactory, TicketTypeFactory, UserFactory

pytestmark = pytest.mark.django_db


def register(event, ticket, n: int, **extra):
    user = UserFactory(email=f"p{n}-{event.pk}@example.org")
    data = RegistrationInput(ticket_type_id=ticket.pk, name=f"Person {n}", email=user.email, **extra)
    return registration_create(event=event, user=user, data=data)


def test_places_then_waiting_list_in_order():
    event = EventFactory(capacity=2)
    ticket = TicketTypeFactory(event=event)
    results = [register(event, ticket, n) for n in range(4)]
    assert [r.registration.status for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [r.waitlist_position for r in results] == [None, None, 1, 2]


def test_same_email_gets_the_existing_registration_back():
    event = EventFactory(capacity=5)
    ticket = TicketTypeFactory(event=event)
    first = register(event, ticket, 1)
    again = registration_create(
        event=event,
        user=first.registration.user,
        data=RegistrationInput(
            ticket_type_id=ticket.pk, name="Other", email=first.registration.email.upper()
        ),
    )
    assert again.created is False
    assert again.registration.pk == first.registration.pk
    assert Registration.objects.count() == 1


def test_cancelling_offers_the_place_to_the_first_in_the_queue():
    event = EventFactory(capacity=1, offer_hours=48)
    ticket = TicketTypeFactory(event=event)
    holder = register(event, ticket, 1).registration
    first_waiting = register(event, ticket, 2).registration
    second_waiting = register(event, ticket, 3).registration
    registration_cancel(registration=holder, user=holder.user)
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == "offered"
    assert 47 * 3600 < (first_waiting.offer_expires_at - timezone.now()).total_seconds() <= 48 * 3600
    assert second_waiting.status == "waitlisted"
    registration_offer_accept(registration=first_waiting, user=first_waiting.user)
    first_waiting.refresh_from_db()
    assert first_waiting.status == "confirmed"


def test_an_unanswered_offer_expires_and_passes_on():
    event = EventFactory(capacity=1, offer_hours=48)
    ticket = TicketTypeFactory(event=event)
    holder = register(event, ticket, 1).registration
    first = register(event, ticket, 2).registration
    second = register(event, ticket, 3).registration
    registration_cancel(registration=holder, user=holder.user)
    assert waitlist_expire_offers(now=timezone.now() + timezone.timedelta(hours=47)) == 0
    assert waitlist_expire_offers(now=timezone.now() + timezone.timedelta(hours=49)) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("expired", "offered")


def test_ticket_type_quantity_is_respected_inside_the_event_capacity():
    event = EventFactory(capacity=10)
    limited = TicketTypeFactory(event=event, name="Supported", quantity=1)
    open_ticket = TicketTypeFactory(event=event, name="Standard")
    assert register(event, limited, 1).registration.status == "confirmed"
    assert register(event, limited, 2).registration.status == "waitlisted"
    assert register(event, open_ticket, 3).registration.status == "confirmed"


def test_no_place_stays_free_while_someone_waits():
    event = EventFactory(capacity=3)
    ticket = TicketTypeFactory(event=event)
    regs = [register(event, ticket, n).registration for n in range(6)]
    for reg in regs[:3]:
        registration_cancel(registration=reg, user=reg.user)
        holding = Registration.objects.filter(event=event, status__in=Registration.HOLDING).count()
        waiting = Registration.objects.filter(event=event, status="waitlisted").count()
        assert holding == 3 or waiting == 0


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "x" * 250 + "@example.org"])
def test_an_invalid_email_is_refused_and_nothing_is_written(email):
    from gathering.events.services import RegistrationError

    event = EventFactory(capacity=2)
    ticket = TicketTypeFactory(event=event)
    with pytest.raises(RegistrationError) as refused:
        registration_create(
            event=event, user=None, data=RegistrationInput(ticket_type_id=ticket.pk, name="P", email=email)
        )
    assert "email" in refused.value.message_dict
    assert Registration.objects.count() == 0
