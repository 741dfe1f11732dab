"""Partner organisations' members: added by organisers (at once for an account, by invitation otherwise),
their pages (reachable from the account pages), proposing a change or a new service, and never reaching
another organisation's listings or proposals."""

import re
import uuid
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gathering.accounts.services import account_delete
from gathering.core.models import OutboxMessage
from gathering.directory import models as m
from gathering.directory import moderation, proposals
from gathering.privacy.models import AuditEntry

from ..conftest import signed_in
from ..factories import UserFactory, make_staff
from . import builders
from .partner_data import answers_for, member_of, partner_service, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def service():
    return partner_service()


@pytest.fixture
def member(service):
    return member_of(service.organization, UserFactory(name="Robin Ashby"))


def edit_url(service, organization=None) -> str:
    return f"/my/organisations/{(organization or service.organization).pk}/services/{service.pk}/edit/"


def form_data(service=None, **changes) -> dict[str, object]:
    """What the proposal form sends when the person changes only `changes`."""
    start = proposals.form_start(
        proposals.editable_document(service) if service else {"phones": [], "schedules": []}
    )
    from gathering.directory.moderation_forms import ProposalForm

    data = {key: value for key, value in ProposalForm.initial_from(start).items() if value not in (None, "")}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# -------------------------------------------------------- adding members


def test_an_organiser_adds_an_existing_account_at_once_and_it_is_told(service):
    organiser = make_staff("organiser")
    person = UserFactory(email="robin@example.org", name="Robin Ashby")
    added = moderation.member_add(
        organization=service.organization, email=" Robin@Example.org ", actor=organiser
    )
    assert isinstance(added, m.OrganizationMember)
    assert (added.user, added.added_by, added.organization) == (person, organiser, service.organization)
    message = OutboxMessage.objects.get(kind="directory_member_added")
    assert message.to == ["robin@example.org"]
    assert message.subject == "You can now update Riverside Recovery Trust’s listings"
    assert f"/my/organisations/{service.organization.pk}/" in message.body_text
    entry = AuditEntry.objects.get(subject_type="directory.organizationmember")
    assert (entry.actor, entry.action, entry.detail) == (organiser, "changed", "added to an organisation")
    # Adding them again changes nothing and sends nothing.
    moderation.member_add(organization=service.organization, email="robin@example.org", actor=organiser)
    assert m.OrganizationMember.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="directory_member_added").count() == 1


def test_an_address_without_an_account_gets_an_invitation_that_works_once_signed_in(service):
    organiser = make_staff("organiser")
    invitation = moderation.member_add(
        organization=service.organization, email="new@example.org", actor=organiser
    )
    assert isinstance(invitation, m.OrganizationInvitation)
    message = OutboxMessage.objects.get(kind="directory_invitation")
    assert message.to == ["new@example.org"]
    assert message.body_text.count("/my/organisations/") == 1
    assert AuditEntry.objects.filter(detail="invited to act for an organisation").count() == 1

    # Someone else signed in does not see it and cannot accept it.
    other = signed_in(UserFactory())
    assert "Riverside Recovery Trust" not in other.get("/my/organisations/").content.decode()
    assert other.post(f"/my/organisations/invitations/{invitation.pk}/accept/").status_code == 404

    # The person signs up with that address, sees the invitation on their page, and accepts it.
    person = UserFactory(email="new@example.org")
    client = signed_in(person)
    page = unescape(client.get("/my/organisations/").content.decode())
    assert "The network's organisers invite you to act for Riverside Recovery Trust." in page
    response = client.post(f"/my/organisations/invitations/{invitation.pk}/accept/")
    assert response.status_code == 302
    assert response.url == f"/my/organisations/{service.organization.pk}/"
    assert list(m.OrganizationMember.objects.values_list("user", "organization")) == [
        (person.pk, service.organization.pk)
    ]
    assert not m.OrganizationInvitation.objects.exists()
    assert AuditEntry.objects.filter(actor=person, detail="accepted an invitation").count() == 1


def test_an_unverified_address_is_not_an_account_to_add(service):
    UserFactory(email="unchecked@example.org", verified=False)
    added = moderation.member_add(
        organization=service.organization, email="unchecked@example.org", actor=make_staff("organiser")
    )
    assert isinstance(added, m.OrganizationInvitation)


@pytest.mark.parametrize("role", ["participant", "facilitator", "safeguarding_lead"])
def test_only_organisers_add_members(service, role):
    with pytest.raises(PermissionDenied):
        moderation.member_add(
            organization=service.organization, email="x@example.org", actor=make_staff(role)
        )


def test_the_members_page_adds_removes_and_withdraws(service, member):
    organiser = make_staff("organiser")
    client = signed_in(organiser)
    url = f"/staff/directory/organisations/{service.organization.pk}/"
    page = client.get(url).content.decode()
    assert "Robin Ashby" in page
    response = client.post(url, {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter an email address in the correct format" in response.content.decode()
    assert client.post(url, {"email": "later@example.org"}).status_code == 302
    invitation = m.OrganizationInvitation.objects.get()
    assert "later@example.org" in client.get(url).content.decode()
    assert client.post(f"{url}invitations/{invitation.pk}/withdraw/").status_code == 302
    assert client.post(f"{url}members/{member.pk}/remove/").status_code == 302
    assert not m.OrganizationInvitation.objects.exists()
    assert not m.OrganizationMember.objects.exists()
    details = set(AuditEntry.objects.values_list("detail", flat=True))
    assert {
        "invited to act for an organisation",
        "withdrew an invitation",
        "removed from an organisation",
    } <= details


def test_a_member_of_another_organisation_cannot_be_removed_through_this_one(service, member):
    other = builders.organization("Elsewhere")
    client = signed_in(make_staff("organiser"))
    assert (
        client.post(f"/staff/directory/organisations/{other.pk}/members/{member.pk}/remove/").status_code
        == 404
    )
    assert m.OrganizationMember.objects.count() == 1


def test_deleting_an_account_takes_its_memberships_and_invitations_with_it(service, member):
    m.OrganizationInvitation.objects.create(
        organization=builders.organization("Elsewhere"), email=member.user.email
    )
    proposal = propose(service, member.user, description="Changed.")
    account_delete(user=member.user)
    assert not m.OrganizationMember.objects.exists()
    assert not m.OrganizationInvitation.objects.exists()
    proposal.refresh_from_db()
    assert proposal.proposer is None


# -------------------------------------------------------- a member's pages


def test_your_organisations_is_linked_from_the_account_pages(member):
    client = signed_in(member.user)
    account = client.get("/account/").content.decode()
    assert 'href="/my/organisations/"' in account
    page = client.get("/my/organisations/").content.decode()
    assert f'href="/my/organisations/{member.organization_id}/"' in page


def test_someone_who_acts_for_no_organisation_is_told_how_to_be_added():
    person = UserFactory(email="sam@example.org")
    page = signed_in(person).get("/my/organisations/").content.decode()
    assert "You do not act for any organisation yet" in page
    assert "sam@example.org" in page


def test_the_organisation_page_lists_its_services_with_when_they_were_checked(service, member):
    from datetime import timedelta

    from django.utils import timezone

    service.verified_at = timezone.now() - timedelta(days=400)
    service.save(update_fields=["verified_at"])
    fresh = partner_service("Riverside Crisis Café", org=service.organization, verified_at=timezone.now())
    propose(fresh, member.user, description="Open later on Fridays.")
    page = signed_in(member.user).get(f"/my/organisations/{service.organization.pk}/").content.decode()
    assert page.index("Leeds Hearing Voices Group") < page.index("Riverside Crisis Café")
    assert "Last checked more than a year ago" in page
    assert page.count("Last checked more than a year ago") == 1
    assert "One proposal waiting for an organiser" in page
    assert f'href="{edit_url(service)}"' in page
    assert "Changes to Riverside Crisis Café" in page
    assert "Waiting for an organiser" in page


def test_the_organisation_page_takes_the_same_queries_however_many_services(service, member):
    client = signed_in(member.user)
    url = f"/my/organisations/{service.organization.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(8):
        extra = partner_service(f"Service {n}", org=service.organization)
        propose(extra, member.user, description=f"New words {n}.")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_proposal_form_starts_from_the_listing(service, member):
    page = signed_in(member.user).get(edit_url(service)).content.decode()
    assert 'value="Leeds Hearing Voices Group"' in page
    assert 'value="0113 496 0000"' in page
    assert 'name="TU_opens" value="18:00"' in page
    checked = re.findall(r'<input type="(?:checkbox|radio)" name="(\w+)" value="([\w-]+)"[^>]* checked', page)
    assert checked == [("free", "paid"), ("approaches", "hearing-voices"), ("ways_in", "drop-in")]


def test_a_member_proposes_an_edit_through_the_form(service, member):
    client = signed_in(member.user)
    response = client.post(
        edit_url(service),
        form_data(
            service,
            description="A group for people who hear voices. Now on Thursdays too.",
            TH_opens="18:00",
            TH_closes="20:00",
        ),
    )
    assert response.status_code == 302
    proposal = m.ServiceProposal.objects.get()
    assert response.url == f"/my/organisations/{service.organization.pk}/proposals/{proposal.pk}/"
    assert (proposal.kind, proposal.status, proposal.proposer, proposal.service) == (
        "edit",
        "pending",
        member.user,
        service,
    )
    assert proposal.changed == ["description", "schedules"]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in proposal.document["schedules"]] == [
        ("TU,TH", "18:00", "20:00")
    ]
    assert proposals.problems(proposal.document) == []
    # Nothing changes until an organiser approves it.
    service.refresh_from_db()
    assert service.description == "A group for people who hear voices."
    page = client.get(response.url).content.decode()
    assert "Waiting for an organiser" in page
    assert "Tuesday, 6pm to 8pm" in page
    assert "Tuesday and Thursday, 6pm to 8pm" in page


def test_sending_the_form_unchanged_proposes_nothing(service, member):
    response = signed_in(member.user).post(edit_url(service), form_data(service))
    assert response.status_code == 200
    assert "You have not changed anything yet" in response.content.decode()
    assert not m.ServiceProposal.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"MO_opens": "09:00"}, "Enter when it closes on Monday"),
        ({"MO_closes": "17:00"}, "Enter when it opens on Monday"),
        ({"MO_opens": "09:00", "MO_closes": "09:00"}, "The closing time on Monday must differ"),
        ({"MO_opens": "9 in the morning", "MO_closes": "17:00"}, "Enter a time like 09:30 or 17:00"),
        ({"phone": "call us"}, "Enter a phone number using digits"),
        ({"email": "nope"}, "Enter an email address in the correct format"),
        ({"url": "not a site at all"}, "Enter a web address like https://example.org/"),
        ({"approaches": "no-such-approach"}, "Choose approaches from the list"),
    ],
)
def test_mistakes_are_named_and_nothing_is_proposed(service, member, changes, message):
    response = signed_in(member.user).post(edit_url(service), form_data(service, **changes))
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert message in body
    assert not m.ServiceProposal.objects.exists()


def test_a_member_proposes_a_new_service(service, member):
    client = signed_in(member.user)
    url = f"/my/organisations/{service.organization.pk}/services/new/"
    assert client.get(url).status_code == 200
    data = {
        "name": "Riverside Peer Respite",
        "description": "A short stay in a quiet house.",
        "free": "free",
        "phone": "0113 496 0123",
        "FR_opens": "10:00",
        "FR_closes": "16:00",
        "approaches": ["peer-respite"],
        "ways_in": ["self-referral", "phone"],
    }
    response = client.post(url, data)
    assert response.status_code == 302
    proposal = m.ServiceProposal.objects.get()
    assert (proposal.kind, proposal.service, proposal.base) == ("new", None, None)
    document = proposal.document
    assert document["organization_id"] == str(service.organization.pk)
    assert (document["name"], document["status"], document["phones"][0]["number"]) == (
        "Riverside Peer Respite",
        "active",
        "0113 496 0123",
    )
    assert [(o["option"], o["amount"]) for o in document["cost_options"]] == [("Free", 0)]
    assert proposal.changed == [
        "name",
        "description",
        "cost_options",
        "phones",
        "schedules",
        "approaches",
        "ways_in",
    ]
    assert proposals.problems(document) == []
    assert not m.Service.objects.filter(pk=document["id"]).exists()


# -------------------------------------------------------- another organisation's pages


@pytest.fixture
def other_side():
    """Organisation B, with a listed service, a member and a pending proposal."""
    service = partner_service("Harbour Listening Line", org=builders.organization("Harbour Trust"))
    member = member_of(service.organization, UserFactory(name="Bea Harbour"))
    proposal = propose(service, member.user, description="B-SECRET-WORDS")
    return service, proposal


def test_a_member_of_one_organisation_never_reaches_anothers(service, member, other_side):
    theirs, proposal = other_side
    client = signed_in(member.user)
    a, b = service.organization.pk, theirs.organization.pk
    refused = [
        ("get", f"/my/organisations/{b}/"),
        ("get", f"/my/organisations/{b}/services/new/"),
        ("post", f"/my/organisations/{b}/services/new/"),
        ("get", f"/my/organisations/{b}/services/{theirs.pk}/edit/"),
        ("post", f"/my/organisations/{b}/services/{theirs.pk}/edit/"),
        # B's service or proposal through A's own address.
        ("get", f"/my/organisations/{a}/services/{theirs.pk}/edit/"),
        ("post", f"/my/organisations/{a}/services/{theirs.pk}/edit/"),
        ("post", f"/my/organisations/{a}/services/{theirs.pk}/still-correct/"),
        ("post", f"/my/organisations/{b}/services/{theirs.pk}/still-correct/"),
        ("get", f"/my/organisations/{a}/proposals/{proposal.pk}/"),
        ("get", f"/my/organisations/{b}/proposals/{proposal.pk}/"),
        ("get", f"/my/organisations/{uuid.uuid4()}/"),
    ]
    for method, url in refused:
        response = getattr(client, method)(url, {"name": "Taken over", "description": "x"})
        assert response.status_code == 404, f"{method} {url}"
        assert "B-SECRET-WORDS" not in response.content.decode()
    assert m.ServiceProposal.objects.count() == 1
    theirs.refresh_from_db()
    assert theirs.verified_at is None
    assert "Harbour Trust" not in client.get("/my/organisations/").content.decode()


def test_the_services_refuse_another_organisations_listing(service, member, other_side):
    theirs, _proposal = other_side
    with pytest.raises(PermissionDenied):
        moderation.proposal_submit(
            organization=theirs.organization, user=member.user, answers=answers_for(theirs, name="Taken")
        )
    with pytest.raises(PermissionDenied):
        moderation.proposal_submit(
            organization=service.organization,
            user=member.user,
            answers=answers_for(theirs, name="Taken"),
            service=theirs,
        )
    with pytest.raises(PermissionDenied):
        moderation.service_confirm(service=theirs, user=member.user)


@pytest.mark.parametrize("who", ["anonymous", "participant", "organiser"])
def test_people_who_act_for_no_organisation_are_refused(service, who):
    """An organiser moderates on the staff pages; the members' pages are for members only."""
    client = {
        "anonymous": Client(),
        "participant": signed_in(UserFactory()),
        "organiser": signed_in(make_staff("organiser")),
    }[who]
    org = service.organization.pk
    for url in (f"/my/organisations/{org}/", edit_url(service), f"/my/organisations/{org}/services/new/"):
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url
        else:
            assert response.status_code == 404, url


# -------------------------------------------------------- the demo


def test_the_demo_participant_acts_for_a_partner_with_work_waiting_for_the_organiser():
    from gathering.core.demo import DemoRun
    from gathering.directory.demo import seed_directory, seed_partners

    seed_directory()
    participant = UserFactory(email="participant@demo.gathering.test")
    run = DemoRun(people={"participant": participant})
    seed_partners(run)
    seed_partners(run)
    member = m.OrganizationMember.objects.get()
    assert (member.user, member.organization.name, member.organization.network_relation) == (
        participant,
        "Northern Lights Peer Network",
        "partner",
    )
    proposal = m.ServiceProposal.objects.get()
    assert (proposal.status, proposal.proposer, proposal.changed) == (
        "pending",
        participant,
        ["description", "schedules"],
    )
    assert proposals.problems(proposal.document) == []
    report = m.ChangeReport.objects.get()
    assert (report.status, report.service.organization) == ("new", member.organization)


# -------------------------------------------------------- odd input


def test_text_sent_back_with_a_browsers_line_endings_is_not_a_change(member):
    service = partner_service(
        "Leeds Carers Group", org=member.organization, description="Line one.\nLine two."
    )
    data = form_data(service, description="Line one.\r\nLine two.  ")
    response = signed_in(member.user).post(edit_url(service), data)
    assert "You have not changed anything yet" in response.content.decode()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(max_size=40),
    description=st.text(max_size=80),
    phone=st.text(alphabet="0123456789 +()-x", max_size=20),
    opens=st.sampled_from(["", "09:00", "23:59", "24:00", "9", "09.30", "\x00"]),
    closes=st.sampled_from(["", "17:00", "00:00", "02:00", "nope"]),
)
def test_odd_answers_never_crash_and_never_make_an_invalid_proposal(
    service, member, name, description, phone, opens, closes
):
    client = signed_in(member.user)
    data = form_data(
        service, name=name, description=description, phone=phone, WE_opens=opens, WE_closes=closes
    )
    response = client.post(edit_url(service), data)
    assert response.status_code in (200, 302)
    for proposal in m.ServiceProposal.objects.all():
        assert proposals.problems(proposal.document) == []


def test_the_members_page_and_your_organisations_take_the_same_queries_however_many(service, member):
    organiser = signed_in(make_staff("organiser"))
    person = signed_in(member.user)
    members_url = f"/staff/directory/organisations/{service.organization.pk}/"
    organiser.get(members_url)
    person.get("/my/organisations/")
    with CaptureQueriesContext(connection) as few_members:
        organiser.get(members_url)
    with CaptureQueriesContext(connection) as few_organisations:
        person.get("/my/organisations/")
    for n in range(6):
        member_of(service.organization)
        m.OrganizationInvitation.objects.create(organization=service.organization, email=f"p{n}@example.org")
        member_of(builders.organization(f"Organisation {n}"), member.user)
        m.OrganizationInvitation.objects.create(
            organization=builders.organization(f"Other {n}"), email=member.user.email
        )
    with CaptureQueriesContext(connection) as many_members:
        assert organiser.get(members_url).content.decode().count("Remove") == 7
    with CaptureQueriesContext(connection) as many_organisations:
        page = person.get("/my/organisations/").content.decode()
    assert page.count("Accept") == 6
    assert (len(many_members), len(many_organisations)) == (len(few_members), len(few_organisations))
