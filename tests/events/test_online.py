"""Online and hybrid Gatherings: the joining link reaches people with a confirmed place (confirmation, My
Gatherings, reminders at the configured hours, once each) and nobody else; the wording follows the format; the
form asks nothing an online or free Gathering does not need."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from gathering.core.models import OutboxMessage
from gathering.events.forms import EventForm, RegistrationForm
from gathering.events.jobs import online_reminders_job
from gathering.events.models import Registration
from gathering.events.services import RegistrationInput, registration_cancel, registration_create

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = "https://meet.example.org/hearing-voices-evening"
DETAILS = "Meeting ID 123 456, passcode 7890"


def online_event(**fields):
    fields = {
        "format": "online",
        "venue": None,
        "online_join_url": LINK,
        "online_join_details": DETAILS,
        **fields,
    }
    event = EventFactory(**fields)
    TicketTypeFactory(event=event)
    return event


def register(event, person):
    ticket = event.ticket_types.first()
    data = RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email)
    return registration_create(event=event, user=person, data=data).registration


def body(kind, to):
    return OutboxMessage.objects.get(kind=kind, to=[to]).body_text


# ------------------------------------------------------------------------------------------ the staff form


def staff_form_data(**changes):
    start = timezone.localtime(timezone.now() + timedelta(days=10))
    return {
        "title": "Evening circle online",
        "summary": "An hour together online.",
        "kind": "gathering",
        "format": "online",
        "time_zone": "Europe/London",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "offer_hours": "48",
        "status": "draft",
        **changes,
    }


@pytest.mark.parametrize("event_format", ["online", "hybrid"])
def test_staff_form_needs_the_joining_link_for_online_and_hybrid(event_format):
    form = EventForm(data=staff_form_data(format=event_format))

    assert not form.is_valid()
    assert form.errors["online_join_url"] == [
        "Enter the joining link: an online or hybrid Gathering needs one"
    ]


def test_staff_form_takes_the_joining_link_and_details():
    form = EventForm(data=staff_form_data(online_join_url=LINK, online_join_details=DETAILS))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["online_join_url"] == LINK
    assert form.cleaned_data["online_join_details"] == DETAILS


def test_staff_form_does_not_need_a_link_in_person():
    form = EventForm(data=staff_form_data(format="in_person", place="Leeds"))

    assert "online_join_url" not in form.errors


# ------------------------------------------------------------------------------------------ confirmation


def test_online_confirmation_has_the_link_and_no_door():
    event = online_event()
    person = UserFactory()

    register(event, person)

    message = OutboxMessage.objects.get(kind="registration_confirmed")
    assert f"Join online: {LINK}" in message.body_text
    assert DETAILS in message.body_text
    assert "door" not in message.body_text
    assert sorted(a["filename"] for a in message.attachments) == [f"{event.slug}.ics"]


def test_in_person_confirmation_says_show_the_ticket_at_the_door_and_has_no_link():
    event = EventFactory(online_join_url=LINK)
    TicketTypeFactory(event=event)
    person = UserFactory()

    register(event, person)

    text = body("registration_confirmed", person.email)
    assert "show it at the door" in text
    assert LINK not in text


def test_hybrid_confirmation_has_both():
    event = EventFactory(format="hybrid", online_join_url=LINK)
    TicketTypeFactory(event=event)
    person = UserFactory()

    register(event, person)

    text = body("registration_confirmed", person.email)
    assert "show it at the door" in text
    assert f"Join online: {LINK}" in text


def test_waiting_list_and_cancelled_emails_never_carry_the_link():
    event = online_event(capacity=1)
    holder, waiting = UserFactory(), UserFactory()
    held = register(event, holder)
    register(event, waiting)
    registration_cancel(registration=held, user=holder)

    for message in OutboxMessage.objects.exclude(kind="registration_confirmed"):
        assert LINK not in message.body_text, message.kind
        assert DETAILS not in message.body_text, message.kind


# ------------------------------------------------------------------------------------------ pages


def test_my_gatherings_shows_the_link_to_a_confirmed_place_only():
    event = online_event(capacity=1)
    confirmed, waiting = UserFactory(), UserFactory()
    register(event, confirmed)
    register(event, waiting)

    mine = signed_in(confirmed).get("/my/gatherings/").content.decode()
    theirs = signed_in(waiting).get("/my/gatherings/").content.decode()

    assert f'href="{LINK}"' in mine
    assert "Join online" in mine
    assert DETAILS in mine
    assert LINK not in theirs
    assert DETAILS not in theirs


def test_public_page_and_public_calendar_never_show_the_link():
    event = online_event()
    register(event, UserFactory())

    for client in (Client(), signed_in(UserFactory())):
        page = client.get(f"/gatherings/{event.slug}/").content.decode()
        assert LINK not in page
        assert DETAILS not in page
    ics = Client().get(f"/gatherings/{event.slug}/calendar.ics").content.decode()
    assert "meet.example.org" not in ics


def test_personal_calendar_feed_leaves_the_link_out():
    from gathering.events.services import calendar_feed_renew

    event = online_event()
    person = UserFactory()
    register(event, person)
    token = calendar_feed_renew(user=person)

    ics = Client().get(f"/calendar/feed.ics?key={token}").content.decode()

    assert event.title in ics
    assert "meet.example.org" not in ics


# ------------------------------------------------------------------------------------------ reminders


def test_reminders_24_hours_and_1_hour_before_once_each_to_confirmed_people_who_want_them():
    start = timezone.now() + timedelta(days=3)
    event = online_event(starts_at=start, ends_at=start + timedelta(hours=2), capacity=2)
    keen, quiet, waiting = UserFactory(), UserFactory(email_reminders=False), UserFactory()
    register(event, keen)
    register(event, quiet)
    register(event, waiting)

    online_reminders_job(now=start - timedelta(hours=25))
    assert OutboxMessage.objects.filter(kind="online_reminder").count() == 0

    online_reminders_job(now=start - timedelta(hours=23, minutes=55))
    online_reminders_job(now=start - timedelta(hours=23, minutes=50))
    reminders = OutboxMessage.objects.filter(kind="online_reminder")
    assert [m.to for m in reminders] == [[keen.email]]
    assert f"Join online: {LINK}" in reminders[0].body_text
    assert DETAILS in reminders[0].body_text

    online_reminders_job(now=start - timedelta(minutes=55))
    online_reminders_job(now=start - timedelta(minutes=50))
    assert OutboxMessage.objects.filter(kind="online_reminder", to=[keen.email]).count() == 2
    assert OutboxMessage.objects.filter(kind="online_reminder").count() == 2
    sent = Registration.objects.get(email=keen.email).online_reminders.order_by("-hours_before")
    assert list(sent.values_list("hours_before", flat=True)) == [24, 1]


def test_a_missed_reminder_is_not_sent_late_when_a_later_one_is_due():
    start = timezone.now() + timedelta(days=3)
    event = online_event(starts_at=start, ends_at=start + timedelta(hours=2))
    person = UserFactory()
    register(event, person)

    online_reminders_job(now=start - timedelta(minutes=30))

    assert OutboxMessage.objects.filter(kind="online_reminder").count() == 1
    registration = Registration.objects.get(email=person.email)
    assert list(registration.online_reminders.values_list("hours_before", flat=True)) == [1]


def test_no_reminder_for_in_person_or_past_gatherings_or_those_without_a_link():
    start = timezone.now() + timedelta(hours=12)
    in_person = EventFactory(starts_at=start, online_join_url=LINK)
    TicketTypeFactory(event=in_person)
    no_link = online_event(starts_at=start, online_join_url="")
    for event in (in_person, no_link):
        register(event, UserFactory())

    online_reminders_job(now=timezone.now())
    online_reminders_job(now=start + timedelta(minutes=5))

    assert OutboxMessage.objects.filter(kind="online_reminder").count() == 0


@override_settings(GATHERING_ONLINE_REMINDER_HOURS="2")
def test_reminder_hours_come_from_the_setting():
    start = timezone.now() + timedelta(days=3)
    event = online_event(starts_at=start, ends_at=start + timedelta(hours=2))
    register(event, UserFactory())

    online_reminders_job(now=start - timedelta(hours=23))
    assert OutboxMessage.objects.filter(kind="online_reminder").count() == 0

    online_reminders_job(now=start - timedelta(hours=1, minutes=55))
    assert OutboxMessage.objects.filter(kind="online_reminder").count() == 1


def test_the_reminder_job_is_registered():
    from gathering.core.jobs import registry

    assert "events.online_reminders" in [job.name for job in registry.jobs()]


# ------------------------------------------------------------------------------------------ the form


def test_online_form_does_not_ask_about_dietary_needs_or_the_venue_team():
    event = online_event()
    form = RegistrationForm(event=event, user=UserFactory())

    assert "dietary_needs" not in form.fields
    assert "share_access_with_venue" not in form.fields
    assert "access_needs" in form.fields


def test_hybrid_and_in_person_forms_still_ask_about_dietary_needs_and_the_venue_team():
    for event_format in ("hybrid", "in_person"):
        event = EventFactory(format=event_format, online_join_url=LINK)
        TicketTypeFactory(event=event)
        form = RegistrationForm(event=event, user=UserFactory())
        assert "dietary_needs" in form.fields
        assert "share_access_with_venue" in form.fields


def test_free_gathering_form_does_not_ask_about_payment():
    event = online_event()
    TicketTypeFactory(event=event, name="Supported place", kind="supported", invitation_code="WELCOME")
    form = RegistrationForm(event=event, user=UserFactory())

    assert "payment" not in form.fields
    assert "amount" not in form.fields


def test_paid_gathering_form_asks_about_payment():
    event = online_event()
    TicketTypeFactory(event=event, name="Waged", price_minor=1500)
    form = RegistrationForm(event=event, user=UserFactory())

    assert "payment" in form.fields
    assert "amount" in form.fields


def test_online_free_check_your_answers_and_register_without_those_questions():
    event = online_event()
    person = UserFactory()
    client = signed_in(person)
    data = {"ticket_type": event.ticket_types.first().pk, "name": "Robin Ash"}

    check = client.post(f"/gatherings/{event.slug}/register/", data).content.decode()

    assert "Check your answers" in check
    for question in ("Dietary needs", "venue team", "how will you pay", "How much will you pay"):
        assert question not in check
    response = client.post(f"/gatherings/{event.slug}/register/", {**data, "confirm": "1"})
    assert response.status_code == 302
    registration = Registration.objects.get(email=person.email)
    assert (registration.status, registration.payment, registration.dietary_needs) == (
        "confirmed",
        "none",
        "",
    )
