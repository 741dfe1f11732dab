"""Open space: confirmed attendees propose sessions, mark interest and withdraw their own proposals."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gathering.events.models import Registration
from gathering.programme.models import Interest, Session
from gathering.programme.rules import can_see_display, can_withdraw
from gathering.programme.services import (
    ProposalError,
    interest_remove,
    interest_set,
    session_propose,
    session_withdraw,
)

from ..factories import EventFactory, UserFactory, make_staff
from .attendee_data import attendee, programme_for, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return programme_for()


@pytest.fixture
def person(programme):
    return attendee(programme.event)


def test_session_propose_posts_an_open_space_session_facilitated_by_the_proposer(programme, person):
    made = session_propose(
        programme=programme,
        user=person,
        title="  Peer support   after   discharge ",
        description="What helped us in the first weeks.",
        length=2,
        needs=["quiet", "step_free"],
    )
    made.refresh_from_db()
    assert made.title == "Peer support after discharge"
    assert made.description == "What helped us in the first weeks."
    assert (made.length, made.needs) == (2, ["step_free", "quiet"])
    assert (made.status, made.track, made.format) == ("proposed", "open_space", "open_space")
    assert made.proposer == person
    assert list(made.facilitators.all()) == [person]


def test_session_propose_during_the_gathering(person, programme):
    event = programme.event
    event.starts_at = timezone.now() - timedelta(hours=1)
    event.save(update_fields=["starts_at"])
    assert session_propose(programme=programme, user=person, title="On the day").status == "proposed"


@pytest.mark.parametrize("status", [Registration.Status.WAITLISTED, Registration.Status.CANCELLED])
def test_only_confirmed_attendees_may_propose(programme, status):
    person = attendee(programme.event, status=status)
    with pytest.raises(PermissionDenied, match="Only people with a confirmed place"):
        session_propose(programme=programme, user=person, title="Mine")
    assert Session.objects.count() == 0


def test_people_without_a_place_and_staff_of_other_gatherings_are_refused(programme):
    for person in (UserFactory(), make_staff("organiser"), make_staff("facilitator")):
        with pytest.raises(PermissionDenied):
            session_propose(programme=programme, user=person, title="Mine")
    assert Session.objects.count() == 0


def test_the_gatherings_organiser_may_propose(programme):
    organiser = make_staff("organiser")
    programme.event.organisers.add(organiser)
    assert session_propose(programme=programme, user=organiser, title="Welcome").proposer == organiser


def test_no_proposals_when_open_space_is_off(person, programme):
    programme.open_space = False
    programme.save(update_fields=["open_space"])
    with pytest.raises(ProposalError, match="does not take open-space proposals"):
        session_propose(programme=programme, user=person, title="Mine")


def test_no_proposals_after_the_gathering(person, programme):
    event = programme.event
    event.starts_at, event.ends_at = timezone.now() - timedelta(days=2), timezone.now() - timedelta(days=1)
    event.save(update_fields=["starts_at", "ends_at"])
    with pytest.raises(ProposalError, match="has ended"):
        session_propose(programme=programme, user=person, title="Mine")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "   "}, "title", "Enter a title"),
        ({"title": "x" * 121}, "title", "A title must be 120 characters or fewer"),
        ({"title": "Bell\x07"}, "title", "a title cannot contain control characters"),
        ({"title": "Ok", "description": "y" * 601}, "description", "The description must be 600 characters"),
        ({"title": "Ok", "length": 0}, "length", "Choose a length from 1 to 4 slots"),
        ({"title": "Ok", "length": 5}, "length", "Choose a length from 1 to 4 slots"),
        ({"title": "Ok", "length": "2"}, "length", "Choose a length from 1 to 4 slots"),
        ({"title": "Ok", "needs": ["sauna"]}, "needs", "Choose needs from the list; unknown: sauna"),
        ({"title": "Ok", "needs": "quiet"}, "needs", "Choose needs from the list"),
    ],
)
def test_bad_proposals_are_refused_with_the_field_and_nothing_is_saved(
    person, programme, fields, field, message
):
    with pytest.raises(ProposalError) as refused:
        session_propose(programme=programme, user=person, **fields)
    assert list(refused.value.message_dict) == [field]
    assert refused.value.message_dict[field][0].startswith(message)
    assert Session.objects.count() == 0


def test_the_same_title_twice_is_one_proposal(person, programme):
    session_propose(programme=programme, user=person, title="Hearing voices")
    with pytest.raises(ProposalError, match="already proposed a session with this title"):
        session_propose(programme=programme, user=person, title="hearing  VOICES")
    assert Session.objects.count() == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.one_of(st.text(max_size=200), st.none(), st.integers()),
    description=st.one_of(st.text(max_size=800), st.none()),
    length=st.one_of(st.integers(-3, 9), st.text(max_size=3), st.none(), st.booleans()),
    needs=st.one_of(st.lists(st.text(max_size=12), max_size=4), st.text(max_size=8), st.none()),
)
def test_any_input_is_either_a_clean_proposal_or_a_clear_refusal(
    person, programme, title, description, length, needs
):
    before = Session.objects.count()
    try:
        made = session_propose(
            programme=programme, user=person, title=title, description=description, length=length, needs=needs
        )
    except ProposalError as refused:
        assert set(refused.message_dict) <= {"title", "description", "length", "needs", "__all__"}
        assert Session.objects.count() == before
    else:
        made.refresh_from_db()
        assert 1 <= len(made.title) <= 120 and made.title == made.title.strip()
        assert 1 <= made.length <= 4
        assert Session.objects.count() == before + 1
        made.delete()


def test_interest_set_marks_changes_and_is_idempotent(person, programme):
    talk = session(programme)
    first = interest_set(user=person, session=talk, level=Interest.Level.WOULD_LIKE)
    again = interest_set(user=person, session=talk, level=Interest.Level.WOULD_LIKE)
    assert first.pk == again.pk
    interest_set(user=person, session=talk, level=Interest.Level.REALLY_WANT)
    assert list(Interest.objects.values_list("user", "session", "level")) == [(person.pk, talk.pk, 2)]


def test_interest_remove_is_idempotent(person, programme):
    talk = session(programme)
    interest_set(user=person, session=talk, level=1)
    assert interest_remove(user=person, session=talk) is True
    assert interest_remove(user=person, session=talk) is False
    assert Interest.objects.count() == 0


def test_interest_remove_works_after_the_place_is_cancelled(person, programme):
    talk = session(programme)
    interest_set(user=person, session=talk, level=1)
    Registration.objects.filter(user=person).update(status=Registration.Status.CANCELLED)
    assert interest_remove(user=person, session=talk) is True


def test_only_confirmed_attendees_mark_interest(programme):
    talk = session(programme)
    for person in (UserFactory(), attendee(programme.event, status=Registration.Status.WAITLISTED)):
        with pytest.raises(PermissionDenied, match="mark sessions you want to attend"):
            interest_set(user=person, session=talk, level=1)
    assert Interest.objects.count() == 0


@pytest.mark.parametrize("level", [0, 3, True, "1", None])
def test_bad_levels_are_refused(person, programme, level):
    with pytest.raises(ProposalError, match="would like"):
        interest_set(user=person, session=session(programme), level=level)
    assert Interest.objects.count() == 0


@pytest.mark.parametrize(
    ("track", "status"),
    [
        ("open_space", "withdrawn"),
        ("open_space", "declined"),
        ("open_space", "merged"),
        ("curated", "proposed"),
    ],
)
def test_sessions_off_the_programme_cannot_be_marked(person, programme, track, status):
    hidden = session(programme, track=track, status=status)
    with pytest.raises(ProposalError, match="not on the programme"):
        interest_set(user=person, session=hidden, level=1)
    assert Interest.objects.count() == 0


def test_session_withdraw_by_its_proposer(person, programme):
    made = session_propose(programme=programme, user=person, title="Mine")
    session_withdraw(session=made, user=person)
    made.refresh_from_db()
    assert made.status == "withdrawn"
    with pytest.raises(ProposalError, match="no longer on the programme"):
        session_withdraw(session=made, user=person)


def test_nobody_else_withdraws_a_proposal(person, programme):
    made = session_propose(programme=programme, user=person, title="Mine")
    organiser = make_staff("organiser")
    programme.event.organisers.add(organiser)
    for other in (attendee(programme.event), organiser):
        assert not can_withdraw(other, made)
        with pytest.raises(PermissionDenied):
            session_withdraw(session=made, user=other)
    made.refresh_from_db()
    assert made.status == "proposed"


def test_the_display_opens_with_its_key_or_for_the_organisers(programme):
    organiser = make_staff("organiser")
    programme.event.organisers.add(organiser)
    event, key = programme.event, programme.display_key
    anonymous = type("Anonymous", (), {"is_authenticated": False})()
    assert can_see_display(anonymous, event, key=key, display_key=key)
    assert not can_see_display(anonymous, event, key=key[:-1] + "x", display_key=key)
    assert not can_see_display(anonymous, event, key="", display_key=key)
    assert can_see_display(organiser, event, key="", display_key=key)
    assert not can_see_display(attendee(event), event, key="", display_key=key)


def test_another_gatherings_attendee_cannot_mark(programme):
    talk = session(programme)
    elsewhere = attendee(EventFactory())
    with pytest.raises(PermissionDenied):
        interest_set(user=elsewhere, session=talk, level=2)


def test_export_holds_the_persons_marks_and_proposals(person, programme):
    from gathering.privacy.subject import subject_export

    made = session_propose(programme=programme, user=person, title="Mine")
    talk = session(programme, title="Theirs")
    interest_set(user=person, session=talk, level=2)
    sections = subject_export(user=person)["data"]
    marks = sections["programme.interest"]["rows"]
    assert [(row["session"], row["level"]) for row in marks] == [(talk.pk, 2)]
    assert [row["title"] for row in sections["programme.session"]["rows"]] == [made.title]


def test_erasure_removes_marks_and_the_proposers_name_but_keeps_the_session(person, programme):
    from gathering.accounts.services import account_delete

    made = session_propose(programme=programme, user=person, title="Mine")
    interest_set(user=person, session=session(programme), level=1)
    account_delete(user=person)
    made.refresh_from_db()
    assert made.proposer is None
    assert made.facilitators.count() == 0
    assert Interest.objects.count() == 0
