"""Leaving keeps things whole: deleting an account, or erasure by command, cancels the person's places (the
next person waiting is offered them), leaves their circles and withdraws or hands over their sessions, through
the same services a person would use; the deletion page says all of this before the person confirms."""

from io import StringIO

import pytest
from django.core.management import call_command

from gathering.accounts.services import account_delete
from gathering.circles.models import Circle, CircleMembership
from gathering.core.models import OutboxMessage
from gathering.events.models import Registration
from gathering.events.services import (
    RegistrationInput,
    registration_create,
    registration_status_counts_for_tests,
)
from gathering.programme.models import Session

from ..circles.helpers import join, series_with
from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff
from ..programme.attendee_data import grid, programme_for, publish, session

pytestmark = pytest.mark.django_db

NAME = "Perpetua Quillfeather"


def register(event, user):
    ticket = event.ticket_types.first() or TicketTypeFactory(event=event)
    return registration_create(
        event=event,
        user=user,
        data=RegistrationInput(ticket_type_id=ticket.pk, name=user.name, email=user.email),
    ).registration


@pytest.fixture
def world():
    organiser = make_staff("organiser", email="organiser.of.autumn@example.org")
    event = EventFactory(title="Autumn Gathering in Leeds", organisers=[organiser], capacity=2)
    person = UserFactory(name=NAME, preferred_name="Perpetua")
    mine = register(event, person)
    other = register(event, UserFactory())
    waiting_person = UserFactory()
    waiting = register(event, waiting_person)
    assert (mine.status, other.status, waiting.status) == ("confirmed", "confirmed", "waitlisted")

    series, _series_organiser, pool, _people = series_with(2, 1, name="Thursday listening circles")
    membership = join(series, person)
    circle = Circle.objects.create(series=series, number=1, facilitator=pool[0])
    CircleMembership.objects.filter(pk=membership.pk).update(circle=circle)

    programme = programme_for(event)
    slots, rooms = grid(programme)
    publish(programme)
    partner = UserFactory(name="Ignatius Brackenbury")
    proposal = session(
        programme,
        facilitators=[person],
        proposer=person,
        title="Walking and talking",
        status=Session.Status.PROPOSED,
    )
    placed = session(
        programme,
        facilitators=[person],
        proposer=person,
        title="Peer support at work",
        status=Session.Status.SCHEDULED,
        slot=slots[0],
        room=rooms[0],
    )
    shared = session(
        programme,
        facilitators=[person, partner],
        proposer=person,
        title="Songs that helped",
        status=Session.Status.PROPOSED,
    )
    return {
        "event": event,
        "organiser": organiser,
        "person": person,
        "mine": mine,
        "waiting": waiting,
        "waiting_person": waiting_person,
        "series": series,
        "membership": membership,
        "circle": circle,
        "facilitator": pool[0],
        "programme": programme,
        "proposal": proposal,
        "placed": placed,
        "shared": shared,
        "partner": partner,
    }


def erase(world, how):
    person = world["person"]
    if how == "account":
        account_delete(user=person)
    else:
        call_command("privacy", "erase", person.email, "--yes", stdout=StringIO())


HOW = ["account", "command"]


@pytest.mark.parametrize("how", HOW)
def test_leaving_offers_the_place_to_the_next_person_waiting(world, how):
    erase(world, how)

    waiting = Registration.objects.get(pk=world["waiting"].pk)
    assert waiting.status == Registration.Status.OFFERED
    assert OutboxMessage.objects.filter(kind="place_offered", to=[world["waiting_person"].email]).count() == 1
    counts = registration_status_counts_for_tests(world["event"])
    assert (counts["confirmed"], counts["offered"], counts["waitlisted"], counts["cancelled"]) == (1, 1, 0, 1)
    mine = Registration.objects.get(pk=world["mine"].pk)
    assert (mine.status, mine.user, mine.email) == ("cancelled", None, f"erased-{mine.pk}@erased.invalid")
    assert mine.cancelled_at is not None


@pytest.mark.parametrize("how", HOW)
def test_leaving_leaves_the_circle_and_the_facilitator_no_longer_sees_them(world, how):
    erase(world, how)

    membership = CircleMembership.objects.get(pk=world["membership"].pk)
    assert (membership.status, membership.user) == (CircleMembership.Status.LEFT, None)
    assert membership.ended_at is not None
    page = signed_in(world["facilitator"]).get(f"/staff/circles/facilitating/{world['circle'].pk}/")
    assert page.status_code == 200
    assert "Perpetua" not in page.content.decode()


@pytest.mark.parametrize("how", HOW)
def test_leaving_withdraws_a_lone_unplaced_proposal_and_hands_over_the_rest(world, how):
    erase(world, how)

    proposal, placed, shared = (
        Session.objects.get(pk=world[key].pk) for key in ("proposal", "placed", "shared")
    )
    assert proposal.status == Session.Status.WITHDRAWN
    assert (placed.status, list(placed.facilitators.all()), placed.proposer) == ("scheduled", [], None)
    assert (shared.status, list(shared.facilitators.all())) == ("proposed", [world["partner"]])
    slug = world["event"].slug
    client = signed_in(UserFactory())
    placed_page = client.get(f"/gatherings/{slug}/programme/sessions/{placed.pk}/").content.decode()
    assert "Peer support at work" in placed_page
    assert "Perpetua" not in placed_page and "Quillfeather" not in placed_page
    shared_page = client.get(f"/gatherings/{slug}/programme/sessions/{shared.pk}/").content.decode()
    assert "Ignatius Brackenbury" in shared_page and "Perpetua" not in shared_page


@pytest.mark.parametrize("how", HOW)
def test_leaving_tells_the_organisers_which_sessions_lost_their_facilitator(world, how):
    erase(world, how)

    messages = list(OutboxMessage.objects.filter(kind="session_facilitator_left"))
    assert [message.to for message in messages] == [[world["organiser"].email]]
    body = messages[0].body_text
    assert "Autumn Gathering in Leeds" in messages[0].subject
    for title in ("Peer support at work", "Songs that helped", "Walking and talking"):
        assert title in body
    assert "Perpetua" not in body and "Quillfeather" not in body


def test_the_deletion_page_says_what_will_happen_before_the_person_confirms(world):
    page = signed_in(world["person"]).get("/account/delete/")

    assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    assert (
        "Autumn Gathering in Leeds: your place will be cancelled and offered to the next person waiting"
        in text
    )
    assert "Thursday listening circles" in text
    assert "“Walking and talking” (Autumn Gathering in Leeds) will be withdrawn" in text
    assert (
        "“Peer support at work” (Autumn Gathering in Leeds) stays on the programme without your name" in text
    )
    assert "“Songs that helped” (Autumn Gathering in Leeds) stays on the programme without your name" in text
    assert "the organisers will be told" in text
    assert "without your name, email or answers" in text


def test_nothing_changes_until_the_person_confirms(world):
    signed_in(world["person"]).get("/account/delete/")

    assert Registration.objects.get(pk=world["waiting"].pk).status == "waitlisted"
    assert Session.objects.get(pk=world["proposal"].pk).status == "proposed"
