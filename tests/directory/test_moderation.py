"""Organisers moderate the directory: the queue of proposals and reports, a proposal's differences in words,
approving (exactly the proposal, through the import, all or nothing), not approving with a reason that is
emailed, and reports of changes dealt with. Only organisers and administrators, with the second factor."""

import copy
import uuid
from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gathering.core.models import OutboxMessage
from gathering.directory import hsds, moderation, proposals, selectors
from gathering.directory import models as m
from gathering.privacy.models import AuditEntry

from ..conftest import signed_in
from ..factories import UserFactory, make_staff
from . import builders
from .partner_data import member_of, partner_service, propose

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def organiser():
    return make_staff("organiser", name="Morgan Ellis")


@pytest.fixture
def service():
    return partner_service()


@pytest.fixture
def member(service):
    return member_of(service.organization, UserFactory(name="Robin Ashby", email="robin@example.org"))


def full_documents() -> dict[str, dict]:
    """Every service's and organisation's whole HSDS document, by id: what an export would write."""
    services = list(m.Service.objects.all())
    graph = selectors.hsds_graph(services=[s.pk for s in services])
    documents = {str(s.pk): hsds.document(graph, "service", s) for s in services}
    for organization in m.Organization.objects.all():
        org_graph = selectors.hsds_graph(organizations=[organization.pk])
        document = hsds.document(org_graph, "organization", organization)
        document.pop("services", None)  # each service is compared on its own
        documents[str(organization.pk)] = document
    return documents


def terms_of(document: dict) -> list[str]:
    return sorted(a["taxonomy_term"]["id"] for a in document.get("attributes", []))


# -------------------------------------------------------- who may moderate


@pytest.mark.parametrize(
    "url",
    [
        "/staff/directory/",
        "/staff/directory/needs-checking/",
        "/staff/directory/organisations/",
    ],
)
def test_only_organisers_and_administrators_with_the_second_factor_moderate(url):
    assert Client().get(url).url.startswith("/accounts/login/")
    for role in ("participant", "facilitator", "safeguarding_lead"):
        assert (
            signed_in(make_staff(role) if role != "participant" else UserFactory()).get(url).status_code
            == 403
        )
    unverified = signed_in(make_staff("organiser"), second_factor=False).get(url)
    assert unverified.status_code == 302 and unverified.url.startswith("/accounts/2fa/")
    for role in ("organiser", "admin"):
        assert signed_in(make_staff(role)).get(url).status_code == 200


def test_a_participant_cannot_approve_reject_or_close(service, member):
    proposal = propose(service, member.user, description="Changed.")
    report = m.ChangeReport.objects.create(service=service, details="Wrong phone.")
    client = signed_in(member.user)
    assert client.post(f"/staff/directory/proposals/{proposal.pk}/approve/").status_code == 403
    assert (
        client.post(f"/staff/directory/proposals/{proposal.pk}/reject/", {"reason": "No"}).status_code == 403
    )
    assert client.post(f"/staff/directory/reports/{report.pk}/", {"note": "x"}).status_code == 403
    for action in (
        lambda: moderation.proposal_approve(proposal=proposal, actor=member.user),
        lambda: moderation.proposal_reject(proposal=proposal, actor=member.user, reason="No"),
        lambda: moderation.change_report_close(report=report, actor=member.user),
    ):
        with pytest.raises(PermissionDenied):
            action()
    proposal.refresh_from_db()
    report.refresh_from_db()
    assert (proposal.status, report.status) == ("pending", "new")


# -------------------------------------------------------- the queue


def test_the_queue_shows_waiting_proposals_and_new_reports_oldest_first(service, member, organiser):
    first = propose(service, member.user, description="First change.")
    new = propose(None, member.user, organization=service.organization, name="Riverside Peer Respite")
    m.ChangeReport.objects.create(service=service, details="The Tuesday group has moved to Wednesdays.")
    done = m.ChangeReport.objects.create(service=service, details="Old report.", status="done")
    page = signed_in(organiser).get("/staff/directory/").content.decode()
    assert page.index(f"/staff/directory/proposals/{first.pk}/") < page.index(
        f"/staff/directory/proposals/{new.pk}/"
    )
    assert "Changes to Leeds Hearing Voices Group" in page
    assert "New service: Riverside Peer Respite" in page
    assert "2 proposals waiting" in page
    assert "One report of a change" in page
    assert "The Tuesday group has moved to Wednesdays." in page
    assert done.details not in page
    assert "Robin Ashby" not in page  # who proposed is on the proposal's page


def test_the_queue_takes_the_same_queries_however_much_waits(service, member, organiser):
    client = signed_in(organiser)
    propose(service, member.user, description="Changed.")
    m.ChangeReport.objects.create(service=service, details="Wrong.")
    client.get("/staff/directory/")
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/directory/")
    for n in range(6):
        other = partner_service(f"Service {n}", org=builders.organization(f"Organisation {n}"))
        moderation.proposal_reject(
            proposal=propose(other, member_of(other.organization).user, description=f"Words {n}."),
            actor=organiser,
            reason="Not now.",
        )
        propose(other, member_of(other.organization).user, description=f"More words {n}.")
        m.ChangeReport.objects.create(service=other, details=f"Wrong {n}.")
    with CaptureQueriesContext(connection) as many:
        client.get("/staff/directory/")
    assert len(many) == len(few)


# -------------------------------------------------------- the differences


def test_the_differences_say_each_changed_part_in_words(service, member, organiser):
    proposal = propose(
        service,
        member.user,
        name="Leeds Voices Group",
        phone="0113 496 0111",
        free="free",
        hours=(("09:00", "17:00"),) * 5 + (None, None),
        approaches=("hearing-voices", "peer-support-group"),
        ways_in=("drop-in", "phone"),
    )
    assert proposal.changed == ["name", "cost_options", "phones", "schedules", "approaches", "ways_in"]
    changes = proposals.differences(
        proposed=proposal.document,
        current=proposals.editable_document(service),
        base=proposal.base,
        keys=proposal.changed,
    )
    assert [(str(c.label), c.now, c.proposed, c.moved_since) for c in changes] == [
        ("Name", ["Leeds Hearing Voices Group"], ["Leeds Voices Group"], False),
        ("Cost", ["5 – Per session"], ["Free"], False),
        ("Phone numbers", ["0113 496 0000"], ["0113 496 0111"], False),
        ("Opening hours", ["Tuesday, 6pm to 8pm"], ["Monday to Friday, 9am to 5pm"], False),
        ("Approaches", ["Hearing Voices"], ["Hearing Voices", "Peer support group"], False),
        ("Ways in", ["Drop-in"], ["By phone", "Drop-in"], False),
    ]
    page = signed_in(organiser).get(f"/staff/directory/proposals/{proposal.pk}/").content.decode()
    body = page[page.index("<main") :]
    for text in ("Leeds Voices Group", "Monday to Friday, 9am to 5pm", "Tuesday, 6pm to 8pm", "Robin Ashby"):
        assert text in body
    assert "robin@example.org" in body
    assert "Changed since this was proposed." not in body


def test_a_part_changed_since_the_proposal_is_flagged_and_the_proposal_still_wins_it(
    service, member, organiser
):
    proposal = propose(service, member.user, description="The member's words.")
    m.Service.objects.filter(pk=service.pk).update(description="Someone else's words.", wait_time="A week")
    page = signed_in(organiser).get(f"/staff/directory/proposals/{proposal.pk}/").content.decode()
    assert "Someone else&#x27;s words." in page
    assert "Changed since this was proposed." in page
    moderation.proposal_approve(proposal=proposal, actor=organiser)
    service.refresh_from_db()
    # The proposed part is written; what changed elsewhere in the meantime stays.
    assert (service.description, service.wait_time) == ("The member's words.", "A week")


# -------------------------------------------------------- approving


def test_approving_writes_exactly_the_proposal_and_nothing_else(service, member, organiser):
    neighbour = partner_service("Riverside Crisis Café", org=service.organization)
    m.Language.objects.create(id=uuid.uuid4(), service=service, name="Urdu")
    text_line = m.Phone.objects.create(id=uuid.uuid4(), service=service, number="07700 900123", type="text")
    proposal = propose(
        service,
        member.user,
        description="Now on Thursdays too.",
        phone="0113 496 0111",
        hours=(None, ("18:00", "20:00"), None, ("18:00", "20:00"), None, None, None),
        ways_in=("drop-in", "phone"),
    )
    before = full_documents()
    moderation.proposal_approve(proposal=proposal, actor=organiser, now=NOW)
    after = full_documents()

    changed = after.pop(str(service.pk))
    was = before.pop(str(service.pk))
    assert after == before  # every other service and every organisation, exactly as they were
    assert changed["description"] == "Now on Thursdays too."
    assert sorted(p["number"] for p in changed["phones"]) == ["0113 496 0111", "07700 900123"]
    assert [p["id"] for p in changed["phones"] if p["number"] == "07700 900123"] == [str(text_line.pk)]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in changed["schedules"]] == [
        ("TU,TH", "18:00", "20:00")
    ]
    assert len(terms_of(changed)) == len(terms_of(was)) + 1
    for key in ("description", "phones", "schedules", "attributes"):
        changed.pop(key)
        was.pop(key)
    assert changed == was  # places, languages, costs, the organisation: untouched

    service.refresh_from_db()
    neighbour.refresh_from_db()
    assert (service.verified_at, neighbour.verified_at) == (NOW, None)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.decided_at) == ("approved", organiser, NOW)
    entry = AuditEntry.objects.get(detail="approved a proposed listing")
    assert (entry.actor, entry.subject_type, entry.subject_id) == (
        organiser,
        "directory.serviceproposal",
        str(proposal.pk),
    )
    message = OutboxMessage.objects.get(kind="directory_proposal_decision")
    assert message.to == ["robin@example.org"]
    assert message.subject == "Approved: your changes to “Leeds Hearing Voices Group”"
    assert f"/find-support/services/{service.pk}/" in message.body_text
    assert f"/my/organisations/{service.organization.pk}/proposals/{proposal.pk}/" in message.body_text


def test_approving_a_new_service_lists_it(service, member, organiser):
    proposal = propose(
        None,
        member.user,
        organization=service.organization,
        name="Riverside Peer Respite",
        description="A short stay in a quiet house.",
        free="free",
        hours=(None, None, None, None, ("10:00", "16:00"), None, None),
        approaches=("peer-respite",),
    )
    client = signed_in(organiser)
    response = client.post(f"/staff/directory/proposals/{proposal.pk}/approve/")
    assert response.status_code == 302 and response.url == "/staff/directory/"
    created = m.Service.objects.get(pk=proposal.document["id"])
    assert (created.name, created.status, created.organization, created.verified_at is not None) == (
        "Riverside Peer Respite",
        "active",
        service.organization,
        True,
    )
    page = Client().get(f"/find-support/services/{created.pk}/").content.decode()
    assert "A short stay in a quiet house." in page
    assert "Friday, 10am to 4pm" in page
    assert "Peer respite" in page
    proposal.refresh_from_db()
    assert proposal.service == created


def test_approving_is_all_or_nothing(service, member, organiser):
    proposal = propose(service, member.user, description="Everything new.", phone="0113 496 0111")
    # A value the schemas accept but the directory cannot keep (a negative extension), as if the stored
    # proposal had been tampered with: the import refuses it, and nothing of the proposal is written.
    document = copy.deepcopy(proposal.document)
    document["phones"][0]["extension"] = -1
    m.ServiceProposal.objects.filter(pk=proposal.pk).update(document=document)
    proposal.refresh_from_db()
    before = full_documents()
    with pytest.raises(moderation.ModerationError) as refused:
        moderation.proposal_approve(proposal=proposal, actor=organiser)
    assert any("extension" in message for message in refused.value.messages)
    assert full_documents() == before
    service.refresh_from_db()
    proposal.refresh_from_db()
    assert (service.verified_at, proposal.status) == (None, "pending")
    assert not AuditEntry.objects.filter(detail="approved a proposed listing").exists()
    assert not OutboxMessage.objects.filter(kind="directory_proposal_decision").exists()

    # On the page, the refusal is shown and the proposal waits.
    response = signed_in(organiser).post(f"/staff/directory/proposals/{proposal.pk}/approve/", follow=True)
    assert "extension" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_a_proposal_that_fails_the_schemas_cannot_be_approved(service, member, organiser):
    proposal = propose(service, member.user, description="Fine words.")
    document = copy.deepcopy(proposal.document)
    document["email"] = "not an address"
    m.ServiceProposal.objects.filter(pk=proposal.pk).update(document=document, changed=["email"])
    proposal.refresh_from_db()
    with pytest.raises(moderation.ModerationError) as refused:
        moderation.proposal_approve(proposal=proposal, actor=organiser)
    assert refused.value.messages == ['/email: email: "not an address" is not a valid email']
    service.refresh_from_db()
    assert service.email == ""


def test_a_proposal_is_decided_once(service, member, organiser):
    proposal = propose(service, member.user, description="Changed.")
    moderation.proposal_approve(proposal=proposal, actor=organiser)
    with pytest.raises(moderation.ModerationError):
        moderation.proposal_approve(proposal=proposal, actor=organiser)
    with pytest.raises(moderation.ModerationError):
        moderation.proposal_reject(proposal=proposal, actor=organiser, reason="Too late.")
    assert AuditEntry.objects.filter(subject_type="directory.serviceproposal", actor=organiser).count() == 1


# -------------------------------------------------------- not approving


def test_not_approving_needs_a_reason_and_emails_it(service, member, organiser):
    proposal = propose(service, member.user, description="Changed.")
    client = signed_in(organiser)
    url = f"/staff/directory/proposals/{proposal.pk}/reject/"
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert "Say why the proposal is not approved: the proposer will read it" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    with pytest.raises(moderation.ModerationError):
        moderation.proposal_reject(proposal=proposal, actor=organiser, reason="")

    reason = "The group now meets at the library: please add the new address first."
    assert client.post(url, {"reason": reason}).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reason, proposal.decided_by) == ("rejected", reason, organiser)
    service.refresh_from_db()
    assert service.description == "A group for people who hear voices."
    message = OutboxMessage.objects.get(kind="directory_proposal_decision")
    assert message.to == ["robin@example.org"]
    assert message.subject == "About your changes to “Leeds Hearing Voices Group”"
    assert reason in message.body_text
    assert f"/my/organisations/{service.organization.pk}/proposals/{proposal.pk}/" in message.body_text
    assert (
        AuditEntry.objects.filter(detail="did not approve a proposed listing", actor=organiser).count() == 1
    )
    page = signed_in(member.user).get(f"/my/organisations/{service.organization.pk}/proposals/{proposal.pk}/")
    body = page.content.decode()
    assert "Not approved" in body
    assert "The group now meets at the library" in body
    assert "Propose changes again" in body


# -------------------------------------------------------- reports of changes


def test_a_report_is_dealt_with_and_the_reply_sent_once(service, organiser):
    report = m.ChangeReport.objects.create(
        service=service, details="The phone number is wrong.", reply_email="reporter@example.org"
    )
    client = signed_in(organiser)
    url = f"/staff/directory/reports/{report.pk}/"
    page = client.get(url).content.decode()
    assert "The phone number is wrong." in page
    assert "reporter@example.org" not in page  # organisers reply through the form, not from their own mail
    response = client.post(
        url, {"note": "Asked the organisation to check.", "reply": "Thank you: it is fixed."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.note, report.handled_by, report.reply_email) == (
        "done",
        "Asked the organisation to check.",
        organiser,
        "",
    )
    message = OutboxMessage.objects.get(kind="directory_report_reply")
    assert message.to == ["reporter@example.org"]
    assert "Thank you: it is fixed." in message.body_text
    assert f"/find-support/services/{service.pk}/" in message.body_text
    assert AuditEntry.objects.filter(detail="dealt with a report of a change").count() == 1
    with pytest.raises(moderation.ModerationError):
        moderation.change_report_close(report=report, actor=organiser)
    assert "Mark as dealt with" not in client.get(url).content.decode()


def test_a_report_without_an_address_is_closed_with_a_note_only(service, organiser):
    report = m.ChangeReport.objects.create(service=service, details="Closed for good.")
    client = signed_in(organiser)
    page = client.get(f"/staff/directory/reports/{report.pk}/").content.decode()
    assert "Reply to the person who reported it" not in page
    assert client.post(f"/staff/directory/reports/{report.pk}/", {}).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.note) == ("done", "")
    with pytest.raises(moderation.ModerationError):
        moderation.change_report_close(
            report=m.ChangeReport.objects.create(service=service, details="x"), actor=organiser, reply="Hello"
        )
    assert not OutboxMessage.objects.exists()


# -------------------------------------------------------- organisations


def test_the_organisations_list_counts_members_in_the_same_queries_however_many(organiser):
    client = signed_in(organiser)
    organization = builders.organization("Riverside Recovery Trust")
    member_of(organization)
    client.get("/staff/directory/organisations/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/staff/directory/organisations/?q=riverside").content.decode()
    assert "Riverside Recovery Trust" in page
    for n in range(8):
        more = builders.organization(f"Riverside {n}")
        member_of(more)
        m.OrganizationInvitation.objects.create(organization=more, email=f"p{n}@example.org")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/staff/directory/organisations/?q=riverside").content.decode()
    assert len(many) == len(few)
    assert page.count("<tr>") == 10  # the header and nine organisations
    assert "Elsewhere" not in page
