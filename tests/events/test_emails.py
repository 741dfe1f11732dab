"""Registration emails go through the outbox, in the same transaction, once each, with the help line."""

import pytest
from django.core import mail

from gathering.core.models import OutboxMessage
from gathering.events.services import RegistrationInput, registration_cancel, registration_create

from ..factories import EventFactory, TicketTypeFactory, UserFactory

pytestmark = pytest.mark.django_db


def register(event, person, **extra):
    ticket = event.ticket_types.first()
    data = RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email, **extra)
    return registration_create(event=event, user=person, data=data).registration


def test_confirmation_has_calendar_ticket_qr_and_help_line(django_capture_on_commit_callbacks):
    event = EventFactory(title="Harvest Gathering", capacity=5)
    TicketTypeFactory(event=event)
    person = UserFactory(name="Kim")
    with django_capture_on_commit_callbacks(execute=True):
        register(event, person)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert message.subject == "Your place at Harvest Gathering is confirmed"
    assert "Samaritans free on 116 123" in message.body
    names = sorted(name for name, _content, _type in message.attachments)
    assert names == [f"{event.slug}.ics", "ticket-qr.png"]
    qr = next(content for name, content, _type in message.attachments if name == "ticket-qr.png")
    assert qr[:8] == b"\x89PNG\r\n\x1a\n"


def test_registering_again_sends_nothing_more():
    event = EventFactory(capacity=5)
    TicketTypeFactory(event=event)
    person = UserFactory()
    register(event, person)
    register(event, person)
    assert OutboxMessage.objects.filter(kind="registration_confirmed").count() == 1


def test_waitlist_then_offer_emails():
    event = EventFactory(capacity=1, offer_hours=24)
    TicketTypeFactory(event=event)
    holder, waiting = UserFactory(), UserFactory()
    held = register(event, holder)
    register(event, waiting)
    joined = OutboxMessage.objects.get(kind="waitlist_joined")
    assert joined.to == [waiting.email]
    assert "waiting list at number 1" in joined.body_text
    registration_cancel(registration=held, user=holder)
    offered = OutboxMessage.objects.get(kind="place_offered")
    assert offered.to == [waiting.email]
    assert "Please accept or decline it by" in offered.body_text
    assert OutboxMessage.objects.get(kind="registration_cancelled").to == [holder.email]


def test_a_failed_registration_writes_no_email():
    event = EventFactory(capacity=5, status="cancelled")
    TicketTypeFactory(event=event)
    with pytest.raises(Exception, match="closed"):
        register(event, UserFactory())
    assert OutboxMessage.objects.count() == 0


def test_reminders_seven_days_and_one_day_before_once_each():
    from django.utils import timezone

    from gathering.events.jobs import reminders_job

    start = timezone.now() + timezone.timedelta(days=6, hours=12)
    event = EventFactory(starts_at=start, ends_at=start + timezone.timedelta(hours=6), capacity=5)
    TicketTypeFactory(event=event)
    keen, quiet = UserFactory(), UserFactory(email_reminders=False)
    register(event, keen)
    register(event, quiet)
    now = timezone.now()
    reminders_job(now=now)
    reminders_job(now=now + timezone.timedelta(hours=1))
    assert list(OutboxMessage.objects.filter(kind="reminder_7d").values_list("to", flat=True)) == [
        [keen.email]
    ]
    reminders_job(now=now + timezone.timedelta(days=6))
    assert OutboxMessage.objects.filter(kind="reminder_1d").count() == 1


def test_unanswered_offers_expire_with_one_warning_first():
    from django.utils import timezone

    from gathering.events.jobs import expire_offers_job

    event = EventFactory(capacity=1, offer_hours=48)
    TicketTypeFactory(event=event)
    holder, waiting = UserFactory(), UserFactory()
    held = register(event, holder)
    queued = register(event, waiting)
    registration_cancel(registration=held, user=holder)
    now = timezone.now()
    expire_offers_job(now=now + timezone.timedelta(hours=40))
    expire_offers_job(now=now + timezone.timedelta(hours=41))
    assert OutboxMessage.objects.filter(kind="offer_ending").count() == 1
    expire_offers_job(now=now + timezone.timedelta(hours=49))
    queued.refresh_from_db()
    assert queued.status == "expired"


def test_bank_transfer_instructions_carry_a_reference(settings):
    settings.GATHERING_BANK_TRANSFER_DETAILS = "Sort code 00-00-00, account 12345678."
    event = EventFactory(capacity=5)
    ticket = TicketTypeFactory(event=event, kind="solidarity", price_minor=3000)
    person = UserFactory()
    data = RegistrationInput(ticket_type_id=ticket.pk, name="P", email=person.email, payment="invoice")
    registration = registration_create(event=event, user=person, data=data).registration
    body = OutboxMessage.objects.get(kind="registration_confirmed").body_text
    assert f"reference G{event.pk}-{registration.pk}" in body
    assert "Sort code 00-00-00" in body
