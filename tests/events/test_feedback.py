"""Feedback: invited once after the Gathering, anonymous answers, results only for five or more."""

import pytest
from django.test import Client
from django.utils import timezone

from gathering.core.models import OutboxMessage
from gathering.events.feedback import feedback_invite_due, feedback_link_token
from gathering.events.models import FeedbackResponse, Registration

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_event():
    start = timezone.now() - timezone.timedelta(hours=30)
    event = EventFactory(
        starts_at=start, ends_at=start + timezone.timedelta(hours=6), learning_outcomes="Listen\nPlan"
    )
    ticket = TicketTypeFactory(event=event)
    for n in range(6):
        Registration.objects.create(
            event=event, ticket_type=ticket, name=f"P{n}", email=f"p{n}@example.org", status="confirmed"
        )
    return event


def answer(event, registration, **data):
    token = feedback_link_token(registration)
    return Client().post(f"/gatherings/{event.slug}/feedback/", {"t": token, **data})


def test_invitations_go_once_to_everyone_who_came(past_event):
    assert feedback_invite_due() == 6
    feedback_invite_due()
    assert OutboxMessage.objects.filter(kind="feedback_invitation").count() == 6
    body = OutboxMessage.objects.filter(kind="feedback_invitation").first().body_text
    assert f"/gatherings/{past_event.slug}/feedback/?t=" in body


def test_answers_are_anonymous_and_once_only(past_event):
    registration = past_event.registrations.first()
    response = answer(past_event, registration, o0="4", o1="5", felt_safe="5", comment="Kind people.")
    assert "Thank you for your feedback" in response.content.decode()
    stored = FeedbackResponse.objects.get()
    assert (stored.outcome_ratings, stored.felt_safe, stored.comment) == ({"0": 4, "1": 5}, 5, "Kind people.")
    assert not hasattr(stored, "registration") and not hasattr(stored, "user")
    again = answer(past_event, registration, felt_safe="1")
    assert "already answered" in again.content.decode()
    assert FeedbackResponse.objects.count() == 1


@pytest.mark.parametrize("token", ["", "forged", "x:y:z"])
def test_a_bad_link_is_refused(past_event, token):
    response = Client().post(f"/gatherings/{past_event.slug}/feedback/", {"t": token, "felt_safe": "5"})
    assert response.status_code == 404
    assert FeedbackResponse.objects.count() == 0


def test_bad_ratings_are_refused(past_event):
    response = answer(past_event, past_event.registrations.first(), felt_safe="9")
    assert response.context["form"].errors["felt_safe"]
    assert FeedbackResponse.objects.count() == 0


def test_results_appear_only_with_five_responses(past_event):
    organiser = make_staff("organiser")
    past_event.organisers.add(organiser)
    client = signed_in(organiser)
    regs = list(past_event.registrations.all())
    for registration in regs[:4]:
        answer(past_event, registration, o0="3", felt_safe="4", comment="Secret thought")
    html = client.get(f"/staff/gatherings/{past_event.slug}/feedback/").content.decode()
    assert "4 responses so far" in html and "Secret thought" not in html
    answer(past_event, regs[4], o0="5", felt_safe="5")
    html = client.get(f"/staff/gatherings/{past_event.slug}/feedback/").content.decode()
    assert "5 responses." in html and "Secret thought" in html
    assert "3.4" in html  # (3+3+3+3+5)/5 for the first outcome
    assert (
        signed_in(make_staff("organiser")).get(f"/staff/gatherings/{past_event.slug}/feedback/").status_code
        == 403
    )


def test_survey_is_not_open_before_the_gathering_ends():
    event = EventFactory()
    ticket = TicketTypeFactory(event=event)
    person = UserFactory()
    registration = Registration.objects.create(
        event=event, ticket_type=ticket, name="P", email=person.email, status="confirmed"
    )
    response = answer(event, registration, felt_safe="5")
    assert "after it ends" in response.content.decode()
    assert FeedbackResponse.objects.count() == 0
