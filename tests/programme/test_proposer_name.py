"""Proposers choose how their name is shown publicly: their preferred name (the default) or "a
participant". The propose form says so; the session page and the API follow the choice."""

import pytest

from gathering.programme.models import Session
from gathering.programme.services import session_propose

from ..conftest import signed_in
from ..factories import UserFactory
from .attendee_data import attendee, programme_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return programme_for()


@pytest.fixture
def person(programme):
    return attendee(programme.event, UserFactory(name="Robin Example", preferred_name="Robin"))


def test_the_propose_form_offers_the_choice_with_a_plain_hint(programme, person):
    html = signed_in(person).get(f"/gatherings/{programme.event.slug}/programme/propose/").content.decode()
    assert "How your name is shown" in html
    assert "Your preferred name" in html and "“A participant”" in html
    assert "This is how you appear on the session&#x27;s page and in the programme. Organisers" in html


def test_the_choice_is_kept_from_the_form(programme, person):
    signed_in(person).post(
        f"/gatherings/{programme.event.slug}/programme/propose/",
        {"title": "Quiet listening", "length": "1", "proposer_shown_as": "participant"},
    )
    assert Session.objects.get().proposer_shown_as == Session.ShownAs.PARTICIPANT


def test_preferred_name_is_the_default(programme, person):
    made = session_propose(programme=programme, user=person, title="Quiet listening")
    assert made.proposer_shown_as == Session.ShownAs.PREFERRED_NAME
    page = signed_in(UserFactory()).get(f"/gatherings/{programme.event.slug}/programme/sessions/{made.pk}/")
    assert "Robin" in page.content.decode()


def test_a_participant_is_shown_instead_of_the_name_on_the_page_and_in_the_api(programme, person):
    made = session_propose(
        programme=programme, user=person, title="Quiet listening", proposer_shown_as="participant"
    )
    client = signed_in(UserFactory())
    page = client.get(f"/gatherings/{programme.event.slug}/programme/sessions/{made.pk}/").content.decode()
    api = client.get(f"/api/v1/events/{programme.event.slug}/sessions/{made.pk}/").json()
    assert "Robin" not in page and "A participant" in page
    assert api["facilitators"] == ["A participant"]


def test_an_unknown_choice_is_refused(programme, person):
    from gathering.programme.services import ProposalError

    with pytest.raises(ProposalError) as error:
        session_propose(programme=programme, user=person, title="Quiet listening", proposer_shown_as="nobody")
    assert error.value.message_dict == {"proposer_shown_as": ["Choose how your name is shown"]}
