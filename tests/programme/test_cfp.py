"""The call for sessions: a signed-in person proposes; reviewers score (anonymously when set); organisers
accept or decline with a kind message sent through the outbox. Bad proposals change nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from gathering.core.models import OutboxMessage
from gathering.programme import services
from gathering.programme.models import Review, Session

from ..conftest import signed_in
from ..factories import UserFactory
from .staff_data import make_programme

pytestmark = pytest.mark.django_db

GOOD = {
    "title": "Open Dialogue in a busy crisis team",
    "description": "How one team made network meetings work, and what got in the way.",
    "format": "showcase",
    "length": "2",
    "expected_size": "25",
    "needs": ["projector", "step_free"],
}


def open_call(**fields):
    programme, organiser = make_programme()
    programme.cfp_opens_at = timezone.now() - timedelta(days=1)
    programme.cfp_closes_at = timezone.now() + timedelta(days=10)
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.save()
    return programme, organiser


def url(programme) -> str:
    return f"/gatherings/{programme.event.slug}/programme/call/"


def test_a_signed_in_person_proposes_a_session_to_the_call():
    programme, _organiser = open_call()
    person = UserFactory()

    response = signed_in(person).post(url(programme), GOOD, follow=True)

    session = Session.objects.get()
    assert "Thank you: your proposal is in." in response.content.decode()
    assert (session.title, session.format, session.length, session.expected_size) == (
        GOOD["title"],
        "showcase",
        2,
        25,
    )
    assert (session.track, session.status, session.needs) == (
        "curated",
        "proposed",
        ["projector", "step_free"],
    )
    assert session.proposer == person
    assert list(session.facilitators.all()) == [person]


def test_the_form_is_closed_outside_the_call_dates_and_for_anonymous_people():
    programme, _organiser = open_call(cfp_opens_at=timezone.now() + timedelta(days=3))

    closed = signed_in(UserFactory()).post(url(programme), GOOD)
    anonymous = Client().get(url(programme))

    assert "The call for sessions opens on" in closed.content.decode()
    assert anonymous.status_code == 302
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": "   "}, "title", "Enter a title for your session"),
        ({"title": "x" * 201}, "title", "The title must be 200 characters or fewer"),
        ({"description": ""}, "description", "Describe your session"),
        ({"format": "lecture"}, "format", "Choose a format from the list"),
        ({"length": "7"}, "length", "Choose a length from 1 to 4 slots"),
        ({"expected_size": "0"}, "expected_size", "Expected size must be at least 1"),
        ({"expected_size": "lots"}, "expected_size", "Expected size must be a whole number"),
        ({"needs": ["sauna"]}, "needs", "Choose needs from the list"),
    ],
)
def test_bad_proposals_get_a_message_naming_the_field_and_save_nothing(change, field, message):
    programme, _organiser = open_call()

    response = signed_in(UserFactory()).post(url(programme), {**GOOD, **change})

    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="#id_{field}' in body
    assert message in body
    assert not Session.objects.exists()


class ProposalFormFuzz(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        data=st.fixed_dictionaries(
            {},
            optional={
                "title": st.text(max_size=250),
                "description": st.text(max_size=300),
                "format": st.sampled_from(["talk", "workshop", "open_space", "x", ""]),
                "length": st.text(max_size=3),
                "expected_size": st.text(max_size=6),
                "needs": st.lists(st.sampled_from(["quiet", "online", "lift", ""]), max_size=3),
            },
        )
    )
    def test_any_input_either_saves_one_whole_proposal_or_names_a_problem(self, data):
        programme, _organiser = open_call()
        person = UserFactory()
        clean = {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in data.items()}

        response = signed_in(person).post(url(programme), clean)

        saved = Session.objects.filter(programme=programme)
        if response.status_code == 302:
            session = saved.get()
            assert session.title == clean["title"].strip()
            assert list(session.facilitators.all()) == [person]
        else:
            assert response.status_code == 200
            assert "There is a problem" in response.content.decode()
            assert not saved.exists()


def proposal(programme, proposer=None) -> Session:
    return services.proposal_submit(
        programme=programme,
        proposer=proposer or UserFactory(name="Priya Proposer"),
        data=services.ProposalInput(
            title="Hearing Voices groups",
            description="Starting one.",
            format="talk",
            length=1,
            expected_size=None,
            needs=[],
        ),
    )


def test_reviewers_score_without_seeing_names_when_review_is_anonymised():
    programme, _organiser = open_call(anonymised_review=True)
    reviewer = UserFactory()
    programme.reviewers.add(reviewer)
    session = proposal(programme)
    client = signed_in(reviewer)

    queue = client.get(f"/staff/programme/{programme.event.slug}/reviews/").content.decode()
    page = client.get(f"/staff/programme/{programme.event.slug}/reviews/{session.pk}/").content.decode()
    response = client.post(
        f"/staff/programme/{programme.event.slug}/reviews/{session.pk}/", {"score": "4", "comment": "Yes"}
    )

    assert "Hearing Voices groups" in queue
    assert "Priya Proposer" not in queue and "Priya Proposer" not in page
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.reviewer, review.score, review.comment) == (reviewer, 4, "Yes")


def test_reviewers_see_names_when_review_is_open_and_cannot_review_their_own():
    programme, _organiser = open_call(anonymised_review=False)
    reviewer = UserFactory()
    programme.reviewers.add(reviewer)
    session = proposal(programme)
    own = proposal(programme, proposer=reviewer)

    queue = signed_in(reviewer).get(f"/staff/programme/{programme.event.slug}/reviews/").content.decode()
    with pytest.raises(services.ProgrammeChangeError) as error:
        services.review_save(session=own, reviewer=reviewer, score=5)

    assert "Priya Proposer" in queue
    assert error.value.messages == ["You cannot review your own proposal."]
    assert session.reviews.count() == 0


def test_people_who_are_not_reviewers_cannot_review():
    programme, _organiser = open_call()
    session = proposal(programme)
    stranger = UserFactory()

    with pytest.raises(PermissionDenied):
        services.review_save(session=session, reviewer=stranger, score=3)
    response = signed_in(stranger).get(f"/staff/programme/{programme.event.slug}/reviews/")

    assert response.status_code == 403


def test_accepting_emails_the_proposer_through_the_outbox():
    programme, organiser = open_call()
    session = proposal(programme, proposer=UserFactory(email="priya@example.org", name="Priya"))

    response = signed_in(organiser).post(
        f"/staff/programme/{programme.event.slug}/reviews/{session.pk}/decide/",
        {"decision": "accept", "message": "We loved the idea of starting small."},
    )

    session.refresh_from_db()
    assert response.status_code == 302
    assert (session.status, session.decision_message) == ("accepted", "We loved the idea of starting small.")
    message = OutboxMessage.objects.get(kind="proposal_decision")
    assert message.to == ["priya@example.org"]
    assert message.subject == "Your session “Hearing Voices groups” is in the programme"
    assert "We loved the idea of starting small." in message.body_text


def test_declining_is_kind_and_points_to_the_open_space():
    programme, organiser = open_call()
    session = proposal(programme, proposer=UserFactory(email="priya@example.org"))

    services.proposal_decide(session=session, actor=organiser, accept=False, message="")

    message = OutboxMessage.objects.get(kind="proposal_decision")
    assert message.subject == "About your proposal “Hearing Voices groups”"
    assert "and for the care you put into it" in message.body_text
    assert "propose a conversation in the open space" in message.body_text
    session.refresh_from_db()
    assert session.status == "declined"


def test_a_decision_needs_accept_or_decline_and_only_organisers_decide():
    programme, organiser = open_call()
    reviewer = UserFactory()
    programme.reviewers.add(reviewer)
    session = proposal(programme)

    response = signed_in(organiser).post(
        f"/staff/programme/{programme.event.slug}/reviews/{session.pk}/decide/",
        {"decision": "maybe"},
        follow=True,
    )
    with pytest.raises(PermissionDenied):
        services.proposal_decide(session=session, actor=reviewer, accept=True)

    assert "Choose accept or decline" in response.content.decode()
    session.refresh_from_db()
    assert session.status == "proposed"
    assert not OutboxMessage.objects.exists()
