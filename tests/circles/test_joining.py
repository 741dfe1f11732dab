"""Circles of a Gathering are open only to people with a confirmed place at it, or whom an organiser of the
series invited by email; a standalone series stays open to anyone."""

import pytest

from gathering.circles.models import CircleInvitation, CircleMembership
from gathering.circles.services import CirclesError, circle_invite
from gathering.core.models import OutboxMessage
from gathering.events.services import RegistrationInput, registration_create
from gathering.privacy.models import AuditEntry

from ..conftest import signed_in
from ..factories import CircleSeriesFactory, EventFactory, TicketTypeFactory, UserFactory, make_staff
from .helpers import join

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser():
    return make_staff("organiser")


@pytest.fixture
def event(organiser):
    event = EventFactory(capacity=1, title="Spring Gathering", organisers=[organiser])
    TicketTypeFactory(event=event)
    return event


@pytest.fixture
def series(event, organiser):
    return CircleSeriesFactory(event=event, organisers=[organiser])


def register(event):
    person = UserFactory()
    ticket = event.ticket_types.get()
    data = RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email)
    return person, registration_create(event=event, user=person, data=data).registration


def test_a_person_with_a_confirmed_place_may_join(event, series):
    person, registration = register(event)
    assert registration.status == "confirmed"
    membership = join(series, person)
    assert membership.status == "active"


def test_a_person_without_a_confirmed_place_may_not_join(event, series):
    register(event)  # takes the only place
    waiting, registration = register(event)
    assert registration.status == "waitlisted"
    for person in (UserFactory(), waiting):
        with pytest.raises(CirclesError) as refused:
            join(series, person)
        assert refused.value.messages == [
            "These circles are for people with a confirmed place at Spring Gathering, "
            "or whom the organisers invite."
        ]
    assert CircleMembership.objects.count() == 0


def test_the_pages_say_so_instead_of_offering_to_join(series):
    client = signed_in(UserFactory())
    page = client.get(f"/circles/{series.slug}/").content.decode()
    assert f'href="/circles/{series.slug}/join/"' not in page
    assert "These circles are for people with a confirmed place at Spring Gathering" in page
    response = client.get(f"/circles/{series.slug}/join/")
    assert response.status_code == 302 and response["Location"] == f"/circles/{series.slug}/"


def test_a_standalone_series_is_open_to_anyone():
    series = CircleSeriesFactory()
    assert join(series, UserFactory()).status == "active"


def test_an_organiser_invites_someone_without_a_place(series, organiser):
    guest = UserFactory(email="guest@example.org")
    response = signed_in(organiser).post(
        f"/staff/circles/{series.slug}/invitations/", {"email": "Guest@Example.org"}
    )
    assert response.status_code == 302
    invitation = CircleInvitation.objects.get()
    assert (invitation.series, invitation.email, invitation.invited_by) == (
        series,
        "guest@example.org",
        organiser,
    )
    [mail] = OutboxMessage.objects.filter(kind="circle_invitation")
    assert mail.to == ["guest@example.org"] and f"/circles/{series.slug}/" in mail.body_text
    assert AuditEntry.objects.filter(subject_type="circles.circleinvitation", action="changed").count() == 1
    page = signed_in(organiser).get(f"/staff/circles/{series.slug}/invitations/").content.decode()
    assert "guest@example.org" in page
    assert join(series, guest).status == "active"
    # Inviting again is the same invitation, with no second email.
    circle_invite(series=series, actor=organiser, email="guest@example.org")
    assert (
        CircleInvitation.objects.count(),
        OutboxMessage.objects.filter(kind="circle_invitation").count(),
    ) == (
        1,
        1,
    )


def test_an_organiser_withdraws_an_invitation_not_yet_used(series, organiser):
    invitation = circle_invite(series=series, actor=organiser, email="wrong.address@example.org")
    page = signed_in(organiser).get(f"/staff/circles/{series.slug}/invitations/").content.decode()
    url = f"/staff/circles/{series.slug}/invitations/{invitation.pk}/withdraw/"
    assert f'action="{url}"' in page

    response = signed_in(organiser).post(url, follow=True)

    assert "The invitation to wrong.address@example.org is withdrawn." in response.content.decode()
    assert not CircleInvitation.objects.exists()
    assert AuditEntry.objects.filter(
        subject_type="circles.circleinvitation", detail="withdrew circle invitation"
    ).exists()
    # Without the invitation, the address cannot join without a place.
    with pytest.raises(CirclesError):
        join(series, UserFactory(email="wrong.address@example.org"))


def test_someone_who_joined_stays_when_their_invitation_is_withdrawn(series, organiser):
    guest = UserFactory(email="guest@example.org")
    invitation = circle_invite(series=series, actor=organiser, email=guest.email)
    join(series, guest)

    response = signed_in(organiser).post(
        f"/staff/circles/{series.slug}/invitations/{invitation.pk}/withdraw/", follow=True
    )

    assert "guest@example.org has already joined." in response.content.decode()
    assert CircleInvitation.objects.filter(pk=invitation.pk).exists()
    assert CircleMembership.objects.get(user=guest).status == "active"


def test_only_the_series_organisers_may_withdraw_an_invitation(series, organiser):
    invitation = circle_invite(series=series, actor=organiser, email="guest@example.org")
    client = signed_in(make_staff("organiser"))
    url = f"/staff/circles/{series.slug}/invitations/{invitation.pk}/withdraw/"
    assert client.post(url).status_code == 403
    assert CircleInvitation.objects.filter(pk=invitation.pk).exists()


def test_a_bad_email_is_refused(series, organiser):
    response = signed_in(organiser).post(f"/staff/circles/{series.slug}/invitations/", {"email": "nobody"})
    assert response.status_code == 200
    assert "Enter an email address like name@example.org" in response.content.decode()
    assert CircleInvitation.objects.count() == 0


def test_only_the_series_organisers_may_invite(series):
    outsider = make_staff("organiser")
    client = signed_in(outsider)
    assert client.get(f"/staff/circles/{series.slug}/invitations/").status_code == 403
    assert (
        client.post(f"/staff/circles/{series.slug}/invitations/", {"email": "a@example.org"}).status_code
        == 403
    )
    assert CircleInvitation.objects.count() == 0


def test_deleting_an_account_deletes_invitations_to_its_email(series, organiser):
    from gathering.circles.erasure import anonymise_person

    guest = UserFactory(email="guest@example.org")
    circle_invite(series=series, actor=organiser, email="guest@example.org")
    anonymise_person(user=guest)
    assert CircleInvitation.objects.count() == 0
