"""Gatherings pages: register with check-your-answers, My Gatherings, cancel and offers; wrong people get 404;
bad input gets a specific message and changes nothing; query counts do not grow with data."""

import pytest
from django.test import Client
from django.utils import timezone

from gathering.events.models import Event, Question, Registration
from gathering.events.services import (
    RegistrationError,
    RegistrationInput,
    registration_cancel,
    registration_create,
)

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = EventFactory(capacity=2)
    TicketTypeFactory(event=event, name="Pay what you can", kind="pay_what_you_can", floor_minor=0)
    TicketTypeFactory(event=event, name="Supported place", kind="supported", invitation_code="WELCOME")
    return event


def form_data(event, **changes):
    ticket = event.ticket_types.get(name="Pay what you can")
    return {"ticket_type": ticket.pk, "amount": "0", "name": "Robin Ash", **changes}


def test_register_check_answers_then_confirm(participant_client, participant, event):
    url = f"/gatherings/{event.slug}/register/"
    response = participant_client.post(
        url, form_data(event, perspectives=["services"], special_category_consent="on")
    )
    assert response.status_code == 200
    assert "Check your answers before registering" in response.content.decode()
    assert Registration.objects.count() == 0
    response = participant_client.post(
        url, form_data(event, perspectives=["services"], special_category_consent="on", confirm="1")
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.user, registration.email, registration.status) == (
        participant,
        participant.email,
        "confirmed",
    )
    assert registration.perspectives == ["services"]
    assert registration.special_category_consent_at is not None


def test_change_answers_goes_back_to_the_form_with_them(participant_client, event):
    response = participant_client.post(
        f"/gatherings/{event.slug}/register/", form_data(event, pronouns="they/them", change="1")
    )
    assert 'value="they/them"' in response.content.decode()
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ticket_type": "999999"}, "ticket_type", "Choose one of the tickets on offer"),
        ({"amount": "-5"}, "amount", "The amount cannot be negative"),
        ({"amount": "lots"}, "amount", "Enter an amount in pounds, like 15 or 7.50"),
        ({"amount": "99999999"}, "amount", "The amount must be £10,000 or less"),
        ({"amount": "1.234"}, "amount", "Enter an amount in pounds and pence, like 7.50"),
        ({"amount": "5"}, "payment", "Choose how you will pay"),
        ({"name": ""}, "name", "Enter your name"),
        ({"name": "n" * 151}, "name", "Ensure this value has at most 150 characters"),
        ({"access_needs": ["bsl"]}, "special_category_consent", "tick the box to agree"),
        ({"perspectives": ["aliens"]}, "perspectives", "Select a valid choice"),
        ({"dietary_needs": "d" * 2001}, "dietary_needs", "Ensure this value has at most 2000 characters"),
    ],
)
def test_bad_input_is_refused_with_a_specific_message(participant_client, event, changes, field, message):
    response = participant_client.post(
        f"/gatherings/{event.slug}/register/", {**form_data(event, **changes), "confirm": "1"}
    )
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert Registration.objects.count() == 0


def test_supported_place_needs_the_invitation_code(participant_client, event):
    supported = event.ticket_types.get(name="Supported place")
    url = f"/gatherings/{event.slug}/register/"
    response = participant_client.post(url, form_data(event, ticket_type=supported.pk, confirm="1"))
    assert "need an invitation code" in response.context["form"].errors["invitation_code"][0]
    response = participant_client.post(
        url, form_data(event, ticket_type=supported.pk, invitation_code="WELCOME", confirm="1")
    )
    assert response.status_code == 302
    assert Registration.objects.get().amount_minor == 0


def test_required_and_conditional_questions(participant_client, event):
    # Practical questions, not marked sensitive: they need no special-category consent.
    helper = Question.objects.create(
        event=event, text="Can you help host?", kind="yes_no", required=True, sensitive=False
    )
    follow = Question.objects.create(
        event=event,
        text="Which session?",
        kind="choice",
        choices=["Morning", "Afternoon"],
        required=True,
        sensitive=False,
        depends_on=helper,
        depends_value="yes",
    )
    url = f"/gatherings/{event.slug}/register/"
    response = participant_client.post(url, form_data(event, confirm="1"))
    assert "Answer the question: Can you help host?" in response.context["form"].errors[f"q{helper.pk}"][0]
    response = participant_client.post(url, form_data(event, **{f"q{helper.pk}": "yes"}, confirm="1"))
    assert "Answer the question: Which session?" in response.context["form"].errors[f"q{follow.pk}"][0]
    response = participant_client.post(url, form_data(event, **{f"q{helper.pk}": "no"}, confirm="1"))
    assert response.status_code == 302
    assert Registration.objects.get().answers == {str(helper.pk): "no"}


def test_closed_registration_says_so(participant_client):
    event = EventFactory(
        status="published", registration_closes_at=timezone.now() - timezone.timedelta(days=1)
    )
    TicketTypeFactory(event=event, name="Pay what you can", kind="pay_what_you_can")
    response = participant_client.post(f"/gatherings/{event.slug}/register/", form_data(event, confirm="1"))
    assert "Registration is closed" in response.content.decode()
    assert Registration.objects.count() == 0


def test_draft_gatherings_are_not_found(participant_client):
    event = EventFactory(status="draft")
    assert participant_client.get(f"/gatherings/{event.slug}/").status_code == 404
    assert participant_client.get(f"/gatherings/{event.slug}/register/").status_code == 404


def _registered(event, user):
    ticket = event.ticket_types.first()
    data = RegistrationInput(ticket_type_id=ticket.pk, name=user.name, email=user.email, amount_minor=0)
    return registration_create(event=event, user=user, data=data).registration


def test_my_gatherings_shows_status_and_waitlist_position(event):
    people = [UserFactory() for _ in range(3)]
    for person in people:
        _registered(event, person)
    html = signed_in(people[2]).get("/my/gatherings/").content.decode()
    assert event.title in html
    assert "number 1 on the waiting list" in html


def test_my_gatherings_shows_the_reference_for_the_door_to_people_with_a_place(event):
    holder, other, waiting = UserFactory(), UserFactory(), UserFactory()
    held = _registered(event, holder)
    _registered(event, other)
    queued = _registered(event, waiting)
    online = EventFactory(format="online", venue=None, online_join_url="https://meet.example.org/x")
    TicketTypeFactory(event=online)
    online_place = _registered(online, holder)

    mine = signed_in(holder).get("/my/gatherings/").content.decode()
    theirs = signed_in(waiting).get("/my/gatherings/").content.decode()

    assert f"Your reference for the door: <strong>G{event.pk}-{held.pk}</strong>" in mine
    assert mine.count("Your reference for the door") == 1  # an online Gathering has no door
    assert f"G{online.pk}-{online_place.pk}" not in mine
    assert "Your reference for the door" not in theirs
    assert f"G{event.pk}-{queued.pk}" not in theirs


def test_cancel_needs_confirmation_then_offers_the_place(event):
    holder, waiting = UserFactory(), UserFactory()
    other = UserFactory()
    held = _registered(event, holder)
    _registered(event, other)
    queued = _registered(event, waiting)
    client = signed_in(holder)
    assert "Yes, cancel my registration" in client.get(f"/my/gatherings/{held.pk}/cancel/").content.decode()
    assert client.post(f"/my/gatherings/{held.pk}/cancel/").status_code == 302
    queued.refresh_from_db()
    assert queued.status == "offered"
    response = signed_in(waiting).post(f"/my/gatherings/{queued.pk}/offer/", {"answer": "accept"})
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == "confirmed"


def test_another_persons_registration_is_not_found(event):
    owner, intruder = UserFactory(), UserFactory()
    registration = _registered(event, owner)
    client = signed_in(intruder)
    assert client.get(f"/my/gatherings/{registration.pk}/cancel/").status_code == 404
    assert client.post(f"/my/gatherings/{registration.pk}/cancel/").status_code == 404
    assert client.post(f"/my/gatherings/{registration.pk}/offer/", {"answer": "decline"}).status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert event.title not in client.get("/my/gatherings/").content.decode()


def test_an_organiser_of_another_event_cannot_cancel_either(event):
    owner = UserFactory()
    registration = _registered(event, owner)
    from ..factories import make_staff

    other_organiser = make_staff("organiser")
    EventFactory(organisers=[other_organiser])
    assert signed_in(other_organiser).post(f"/my/gatherings/{registration.pk}/cancel/").status_code == 404


def test_join_link_only_for_confirmed_attendees_from_30_minutes_before():
    start = timezone.now() + timezone.timedelta(minutes=20)
    event = EventFactory(
        format="online", venue=None, starts_at=start, online_join_url="https://meet.example.org/x"
    )
    TicketTypeFactory(event=event)
    attendee, stranger = UserFactory(), UserFactory()
    _registered(event, attendee)
    assert (
        "https://meet.example.org/x" in signed_in(attendee).get(f"/gatherings/{event.slug}/").content.decode()
    )
    assert (
        "https://meet.example.org/x"
        not in signed_in(stranger).get(f"/gatherings/{event.slug}/").content.decode()
    )
    event.starts_at = timezone.now() + timezone.timedelta(hours=2)
    event.ends_at = event.starts_at + timezone.timedelta(hours=1)
    event.save()
    assert (
        "https://meet.example.org/x"
        not in signed_in(attendee).get(f"/gatherings/{event.slug}/").content.decode()
    )


def test_description_markdown_is_sanitised(client):
    event = EventFactory(description="**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    html = client.get(f"/gatherings/{event.slug}/").content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>alert" not in html
    assert "javascript:" not in html


def test_event_calendar_file(client):
    event = EventFactory(title="Winter Gathering")
    response = client.get(f"/gatherings/{event.slug}/calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "SUMMARY:Winter Gathering" in body


@pytest.mark.parametrize("url", ["/gatherings/", "/my/gatherings/", "/gatherings/{slug}/"])
def test_query_counts_do_not_grow_with_data(django_assert_max_num_queries, url):
    person = UserFactory()
    client = signed_in(person)

    def add(n):
        for _ in range(n):
            event = EventFactory()
            TicketTypeFactory(event=event)
            TicketTypeFactory(event=event, name="Other")
            _registered(event, person)
            _registered(event, UserFactory())

    add(1)
    target = url.format(slug=person.registrations.first().event.slug)
    with django_assert_max_num_queries(50) as small:
        assert client.get(target).status_code == 200
    add(10)
    with django_assert_max_num_queries(50) as large:
        assert client.get(target).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_leaving_the_waiting_list(event):
    people = [UserFactory() for _ in range(3)]
    regs = [_registered(event, p) for p in people]
    registration_cancel(registration=regs[2], user=people[2])
    regs[2].refresh_from_db()
    assert regs[2].status == "cancelled"


def test_private_calendar_feed_and_revoking_it(event):
    person = UserFactory()
    _registered(event, person)
    client = signed_in(person)
    client.post("/my/gatherings/calendar/")
    token = person.calendar_feed.token
    feed = Client().get(f"/calendar/feed.ics?key={token}")
    assert feed.status_code == 200
    assert f"SUMMARY:{event.title}" in feed.content.decode()
    assert feed["Cache-Control"] == "private, no-store"
    client.post("/my/gatherings/calendar/")
    assert Client().get(f"/calendar/feed.ics?key={token}").status_code == 404
    assert Client().get("/calendar/feed.ics?key=guess").status_code == 404
    assert Client().get("/calendar/feed.ics").status_code == 404


def test_organiser_messages_everyone_with_a_place(event):
    from gathering.core.models import OutboxMessage

    from ..factories import make_staff

    organiser = make_staff("organiser")
    event.organisers.add(organiser)
    for _ in range(3):
        _registered(event, UserFactory())  # capacity 2: two places, one waiting
    url = f"/staff/gatherings/{event.slug}/message/"
    response = signed_in(organiser).post(url, {"subject": "", "body": ""})
    assert response.context["form"].errors == {"subject": ["Enter a subject"], "body": ["Enter a message"]}
    response = signed_in(organiser).post(url, {"subject": "Parking", "body": "Use the back gate."})
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(kind="organiser_message").count() == 2
    assert signed_in(make_staff("organiser")).post(url, {"subject": "x", "body": "y"}).status_code == 403


def test_edit_answers_and_withdraw_consent(event):
    person = UserFactory()
    ticket = event.ticket_types.first()
    data = RegistrationInput(
        ticket_type_id=ticket.pk,
        name="Robin",
        email=person.email,
        amount_minor=0,
        special_category_consent=True,
        access_needs=["bsl"],
    )
    registration = registration_create(event=event, user=person, data=data).registration
    client = signed_in(person)
    url = f"/my/gatherings/{registration.pk}/edit/"
    form = client.get(url).context["form"]
    assert form.initial["access_needs"] == ["bsl"] and form.initial["special_category_consent"] is True
    response = client.post(url, {"name": "Robin Ash", "pronouns": "she/her", "access_needs": ["bsl"]})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.name, registration.pronouns) == ("Robin Ash", "she/her")
    assert registration.access_needs is None  # consent unticked: the answers are gone
    assert registration.special_category_consent_at is None
    assert registration.ticket_type_id == ticket.pk
    other = signed_in(UserFactory())
    assert other.get(url).status_code == 404
    assert other.post(url, {"name": "Hijack"}).status_code == 404
    registration.refresh_from_db()
    assert registration.name == "Robin Ash"


def test_withdrawing_consent_removes_the_answers_from_organiser_views_and_exports_at_once(event):
    from gathering.privacy.selectors import consent_active
    from gathering.privacy.services import consent_withdraw

    from ..factories import make_staff

    organiser = make_staff("organiser")
    event.organisers.add(organiser)
    person = UserFactory(name="Wren")
    data = RegistrationInput(
        ticket_type_id=event.ticket_types.first().pk,
        name="Wren",
        email=person.email,
        amount_minor=0,
        special_category_consent=True,
        access_needs=["bsl"],
        share_access_with_venue=True,
    )
    registration_create(event=event, user=person, data=data)
    assert consent_active(user=person, purpose="special_category_event")
    export = signed_in(organiser).get(f"/staff/gatherings/{event.slug}/registrations.csv?special=1")
    assert "British Sign Language" in export.content.decode()
    consent_withdraw(user=person, purpose="special_category_event")
    export = signed_in(organiser).get(f"/staff/gatherings/{event.slug}/registrations.csv?special=1")
    assert "British Sign Language" not in export.content.decode()
    check_in = signed_in(organiser).post(f"/staff/gatherings/{event.slug}/check-in/", {"q": "Wren"})
    assert "British Sign Language" not in check_in.content.decode()


def test_once_a_gathering_has_ended_its_registration_cannot_be_changed_or_cancelled(event):
    holder, waiting = UserFactory(), UserFactory()
    held = _registered(event, holder)
    _registered(event, UserFactory())
    queued = _registered(event, waiting)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timezone.timedelta(days=2),
        ends_at=timezone.now() - timezone.timedelta(days=1),
    )
    client = signed_in(holder)

    page = client.get("/my/gatherings/").content.decode()
    assert "Cancel this registration" not in page and "Change your answers" not in page
    for url in (f"/my/gatherings/{held.pk}/cancel/", f"/my/gatherings/{held.pk}/edit/"):
        response = client.post(url, follow=True)
        assert response.redirect_chain[-1][0] == "/my/gatherings/"
        assert (
            "has ended, so its registration can no longer be changed or cancelled"
            in response.content.decode()
        )
    with pytest.raises(RegistrationError, match="has ended"):
        registration_cancel(registration=held, user=holder)
    held.refresh_from_db()
    queued.refresh_from_db()
    # Who came stays on the record, and nobody is offered a place at a Gathering that is over.
    assert (held.status, queued.status) == ("confirmed", "waitlisted")
