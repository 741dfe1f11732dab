"""Organisers may have open-space proposals wait for approval: a new proposal is then "waiting for
approval", off the public board, timetable, API and the optimiser's input, until an organiser approves it
(or declines it) from the staff board, through a service with an audit entry. The proposer sees the status
on their own pages."""

import pytest
from django.core.exceptions import PermissionDenied

from gathering.privacy.models import AuditEntry
from gathering.programme import services, timetabling
from gathering.programme.models import Session

from ..conftest import signed_in
from ..factories import UserFactory, make_staff
from .attendee_data import attendee, programme_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser():
    return make_staff("organiser")


@pytest.fixture
def programme(organiser):
    from ..factories import EventFactory

    made = programme_for(EventFactory(organisers=[organiser]), proposals_need_approval=True)
    return made


@pytest.fixture
def person(programme):
    return attendee(programme.event, UserFactory(name="Robin Example"))


def test_with_approval_on_a_new_proposal_waits_and_is_not_public(programme, person):
    made = services.session_propose(programme=programme, user=person, title="Quiet listening")

    assert made.status == Session.Status.WAITING
    client = signed_in(UserFactory())
    slug = programme.event.slug
    assert "Quiet listening" not in client.get(f"/gatherings/{slug}/programme/board/").content.decode()
    assert client.get(f"/gatherings/{slug}/programme/sessions/{made.pk}/").status_code == 404
    assert client.get(f"/api/v1/events/{slug}/sessions/").json()["count"] == 0
    assert timetabling.load_instance(programme).instance.sessions == []


def test_without_approval_a_proposal_is_on_the_board_at_once(programme, person):
    programme.proposals_need_approval = False
    programme.save()
    made = services.session_propose(programme=programme, user=person, title="Quiet listening")
    assert made.status == Session.Status.PROPOSED


def test_the_proposer_is_told_and_sees_the_status_on_my_programme(programme, person):
    client = signed_in(person)
    response = client.post(
        f"/gatherings/{programme.event.slug}/programme/propose/",
        {"title": "Quiet listening", "length": "1", "proposer_shown_as": "preferred_name"},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/my/programme/"
    assert "Your proposal is waiting for the organisers&#x27; approval." in html
    assert "Quiet listening (waiting for approval)" in html


def test_an_organiser_approves_from_the_staff_board_with_an_audit_entry(programme, person, organiser):
    made = services.session_propose(programme=programme, user=person, title="Quiet listening")
    client = signed_in(organiser)
    board = client.get(f"/staff/programme/{programme.event.slug}/").content.decode()
    assert "Waiting for approval" in board and "Quiet listening" in board

    response = client.post(
        f"/staff/programme/{programme.event.slug}/sessions/{made.pk}/approve/", {"approve": "1"}
    )

    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == Session.Status.PROPOSED
    assert (
        AuditEntry.objects.filter(subject_id=str(made.pk), detail="open-space proposal approved").count() == 1
    )
    assert [s.id for s in timetabling.load_instance(programme).instance.sessions] == [f"s{made.pk}"]


def test_an_organiser_declines_and_the_proposer_sees_it(programme, person, organiser):
    made = services.session_propose(programme=programme, user=person, title="Quiet listening")

    services.proposal_approve(session=made, actor=organiser, approve=False)

    made.refresh_from_db()
    assert made.status == Session.Status.DECLINED
    assert "Quiet listening (declined)" in signed_in(person).get("/my/programme/").content.decode()


def test_only_the_gatherings_organisers_approve_and_only_waiting_proposals(programme, person, organiser):
    made = services.session_propose(programme=programme, user=person, title="Quiet listening")
    with pytest.raises(PermissionDenied):
        services.proposal_approve(session=made, actor=make_staff("organiser"), approve=True)
    services.proposal_approve(session=made, actor=organiser, approve=True)
    with pytest.raises(services.ProgrammeChangeError):
        services.proposal_approve(session=made, actor=organiser, approve=True)


def test_the_setting_is_on_the_programme_settings_page(programme, organiser):
    html = signed_in(organiser).get(f"/staff/programme/{programme.event.slug}/settings/").content.decode()
    assert "Open-space proposals wait for approval" in html
