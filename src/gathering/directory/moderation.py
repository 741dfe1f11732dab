"""Writes for partners and moderation: who acts for an organisation, members' proposals and confirmations,
organisers' decisions on proposals and reports of changes, and the reminders to check old listings.

Each function is one person's action: it checks who may do it, makes the whole change in one transaction,
and writes its audit entry and emails there. Approving a proposal goes through the HSDS import
(`services.hsds_import_source`), so a listing changes the same way whoever changes it, all or nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gathering.accounts.models import User
from gathering.privacy.services import audit_record

from . import hsds, proposals
from . import models as m
from . import notifications as notify
from .moderation_selectors import verified_emails
from .services import HsdsImportError, hsds_import_source
from .sources import Document, Source

ORGANISE = "accounts.organise"
# A listing is in a reminder at most once in this long.
REMIND_EVERY = timedelta(days=30)
REASON_MAX = 2000


class ModerationError(ValidationError):
    """A refusal to show the person, in their words (a field name to message mapping, or messages)."""


def _require_organiser(actor: User) -> None:
    if not actor.has_perm(ORGANISE):
        raise PermissionDenied


def is_member(user: User, organization: m.Organization) -> bool:
    return (
        user.is_authenticated
        and m.OrganizationMember.objects.filter(organization=organization, user=user).exists()
    )


def _require_member(user: User, organization: m.Organization) -> None:
    if not is_member(user, organization):
        raise PermissionDenied


# --- members --------------------------------------------------------------------------------------------


def member_add(
    *, organization: m.Organization, email: str, actor: User
) -> m.OrganizationMember | m.OrganizationInvitation:
    """An organiser lets the person with this email address act for `organization`. An account with that
    verified address becomes a member at once (and is told by email); any other address is sent an
    invitation, which the person accepts once signed in with it. Adding someone twice changes nothing."""
    _require_organiser(actor)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ModerationError({"email": _("Enter an email address like name@example.org")}) from None
    account = (
        get_user_model()
        .objects.filter(emailaddress__email__iexact=email, emailaddress__verified=True)
        .distinct()
        .first()
    )
    with transaction.atomic():
        if account is not None:
            member, created = m.OrganizationMember.objects.get_or_create(
                organization=organization, user=account, defaults={"added_by": actor}
            )
            if created:
                audit_record(actor=actor, action="changed", subject=member, detail="added to an organisation")
                notify.notify_member_added(member)
                m.OrganizationInvitation.objects.filter(organization=organization, email=email).delete()
            return member
        invitation, created = m.OrganizationInvitation.objects.get_or_create(
            organization=organization, email=email, defaults={"invited_by": actor}
        )
        if created:
            audit_record(
                actor=actor, action="changed", subject=invitation, detail="invited to act for an organisation"
            )
            notify.notify_invited(invitation)
    return invitation


def member_remove(*, member: m.OrganizationMember, actor: User) -> None:
    """An organiser takes someone off an organisation: they can no longer propose for it. Their proposals
    stay, as the record of what was asked."""
    _require_organiser(actor)
    with transaction.atomic():
        audit_record(actor=actor, action="changed", subject=member, detail="removed from an organisation")
        member.delete()


def invitation_withdraw(*, invitation: m.OrganizationInvitation, actor: User) -> None:
    """An organiser takes back an invitation sent to the wrong address, or no longer meant."""
    _require_organiser(actor)
    with transaction.atomic():
        audit_record(actor=actor, action="changed", subject=invitation, detail="withdrew an invitation")
        invitation.delete()


def invitation_accept(*, invitation: m.OrganizationInvitation, user: User) -> m.OrganizationMember:
    """The invited person, signed in with the invited address, becomes a member; the invitation is used up."""
    if invitation.email.lower() not in verified_emails(user):
        raise PermissionDenied
    with transaction.atomic():
        member, created = m.OrganizationMember.objects.get_or_create(
            organization=invitation.organization, user=user, defaults={"added_by": invitation.invited_by}
        )
        if created:
            audit_record(actor=user, action="changed", subject=member, detail="accepted an invitation")
        invitation.delete()
    return member


def on_account_deleting(sender: object, user: User, **kwargs: object) -> dict[str, str]:
    """Invitations to the person's addresses go with their account (memberships go by the foreign key)."""
    addresses = verified_emails(user) | {user.email.lower()}
    m.OrganizationInvitation.objects.filter(email__in=addresses).delete()
    return {}


# --- members' proposals and confirmations ---------------------------------------------------------------


def _check_proposal(document: dict, changed: list[str]) -> None:
    if not changed:
        raise ModerationError(
            _("You have not changed anything yet. Change what needs changing, then send it.")
        )
    found = proposals.problems(document)
    if found:
        raise ModerationError(
            [_("The listing could not be checked: %(problem)s") % {"problem": problem} for problem in found]
        )


def proposal_submit(
    *,
    organization: m.Organization,
    user: User,
    answers: proposals.ServiceAnswers,
    service: m.Service | None = None,
) -> m.ServiceProposal:
    """A member proposes a change to one of their organisation's services (or, without `service`, a new
    service) for an organiser to approve. Only what the answers change is proposed."""
    _require_member(user, organization)
    if service is not None and service.organization_id != organization.pk:
        raise PermissionDenied
    with transaction.atomic():
        if service is None:
            base = None
            before = proposals.new_document(organization)
        else:
            base = before = proposals.editable_document(service)
        document = proposals.apply_answers(before, answers, start=proposals.form_start(before))
        changed = proposals.changed_parts(before, document)
        _check_proposal(document, changed)
        proposal = m.ServiceProposal.objects.create(
            organization=organization,
            service=service,
            kind=m.ServiceProposal.Kind.NEW if service is None else m.ServiceProposal.Kind.EDIT,
            document=document,
            base=base,
            changed=changed,
            proposer=user,
        )
        audit_record(
            actor=user, action="changed", subject=proposal, detail=f"proposed a {proposal.kind} listing"
        )
    return proposal


def service_confirm(*, service: m.Service, user: User, now: datetime | None = None) -> m.Service:
    """A member says their organisation's listing is still correct: it counts as checked today."""
    _require_member(user, service.organization)
    with transaction.atomic():
        service.verified_at = now or timezone.now()
        service.save(update_fields=["verified_at"])
        audit_record(actor=user, action="changed", subject=service, detail="confirmed still correct")
    return service


# --- organisers' decisions ------------------------------------------------------------------------------


def _where(parts: list) -> str:
    return "proposal" + hsds.pointer(parts)


def _lock_pending(proposal: m.ServiceProposal) -> m.ServiceProposal:
    locked = (
        m.ServiceProposal.objects.select_for_update(of=("self",))
        .select_related("organization", "proposer")
        .get(pk=proposal.pk)
    )
    if not locked.is_pending:
        raise ModerationError(_("This proposal has already been decided."))
    return locked


def proposal_approve(
    *, proposal: m.ServiceProposal, actor: User, now: datetime | None = None
) -> m.ServiceProposal:
    """An organiser approves a proposal: the parts it changes are written onto the listing as it is now,
    through the HSDS import (checked against the schemas, by id, all or nothing), the listing counts as
    checked today, and the proposer is told. Nothing is written if anything fails."""
    _require_organiser(actor)
    now = now or timezone.now()
    with transaction.atomic():
        proposal = _lock_pending(proposal)
        service_id = proposal.document.get("id")
        if proposal.kind == m.ServiceProposal.Kind.EDIT:
            service = m.Service.objects.select_for_update().get(pk=proposal.service_id)
            document = proposals.merge(
                proposals.editable_document(service), proposal.document, proposal.changed
            )
        else:
            if m.Service.objects.filter(pk=service_id).exists():
                raise ModerationError(_("A service with this proposal's id is already listed."))
            document = proposal.document
        found = proposals.problems(document)
        if found:
            raise ModerationError(found)
        try:
            hsds_import_source(source=Source(documents=[Document("service", document, _where)]))
        except HsdsImportError as error:
            raise ModerationError(error.lines()) from None
        service = m.Service.objects.get(pk=service_id)
        service.verified_at = now
        service.save(update_fields=["verified_at"])
        proposal.status = m.ServiceProposal.Status.APPROVED
        proposal.service = service
        proposal.decided_by = actor
        proposal.decided_at = now
        proposal.save(update_fields=["status", "service", "decided_by", "decided_at"])
        audit_record(actor=actor, action="changed", subject=proposal, detail="approved a proposed listing")
        notify.notify_decided(proposal)
    return proposal


def proposal_reject(
    *, proposal: m.ServiceProposal, actor: User, reason: str, now: datetime | None = None
) -> m.ServiceProposal:
    """An organiser does not approve a proposal, saying why; the reason is emailed to the proposer."""
    _require_organiser(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(
            {"reason": _("Say why the proposal is not approved: the proposer will read it")}
        )
    if len(reason) > REASON_MAX:
        raise ModerationError({"reason": _("Keep the reason to 2,000 characters or fewer")})
    with transaction.atomic():
        proposal = _lock_pending(proposal)
        proposal.status = m.ServiceProposal.Status.REJECTED
        proposal.reason = reason
        proposal.decided_by = actor
        proposal.decided_at = now or timezone.now()
        proposal.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit_record(
            actor=actor, action="changed", subject=proposal, detail="did not approve a proposed listing"
        )
        notify.notify_decided(proposal)
    return proposal


def change_report_close(
    *, report: m.ChangeReport, actor: User, note: str = "", reply: str = "", now: datetime | None = None
) -> m.ChangeReport:
    """An organiser marks a report of a change dealt with, with an optional note of what was done and, to
    someone who left an address, an optional reply. The address is cleared: it was kept only for a reply."""
    _require_organiser(actor)
    note, reply = (note or "").strip(), (reply or "").strip()
    with transaction.atomic():
        report = (
            m.ChangeReport.objects.select_for_update(of=("self",)).select_related("service").get(pk=report.pk)
        )
        if report.status == m.ChangeReport.Status.DONE:
            raise ModerationError(_("This report has already been dealt with."))
        if reply and not report.reply_email:
            raise ModerationError({"reply": _("The person who sent this report did not ask for a reply")})
        if reply:
            notify.notify_report_reply(report, reply=reply)
        report.status = m.ChangeReport.Status.DONE
        report.handled_by = actor
        report.handled_at = now or timezone.now()
        report.note = note
        report.reply_email = ""
        report.save(update_fields=["status", "handled_by", "handled_at", "note", "reply_email"])
        audit_record(actor=actor, action="changed", subject=report, detail="dealt with a report of a change")
    return report


# --- reminders ------------------------------------------------------------------------------------------


def check_reminders_send(*, now: datetime) -> int:
    """Email each member of an organisation the organisation's listed services that need checking (more than
    a year since anyone checked them, or never), leaving out those already in a reminder in the last 30
    days, and record when each was put in one. Organisations with no members are skipped (and reminded once
    they have one). Returns how many emails were written."""
    due = list(
        m.Service.objects.listed()
        .stale(now)
        .filter(organization__in=m.OrganizationMember.objects.values("organization_id"))
        .exclude(check_reminder__sent_at__gt=now - REMIND_EVERY)
        .select_related("organization")
        .order_by("organization_id", "name", "id")
    )
    by_organization: dict[object, list[m.Service]] = defaultdict(list)
    for service in due:
        by_organization[service.organization_id].append(service)
    members = m.OrganizationMember.objects.filter(organization_id__in=list(by_organization)).select_related(
        "organization", "user"
    )
    members_by_organization: dict[object, list[m.OrganizationMember]] = defaultdict(list)
    for member in members:
        members_by_organization[member.organization_id].append(member)
    sent = 0
    for organization_id, services in by_organization.items():
        with transaction.atomic():
            for member in members_by_organization[organization_id]:
                notify.notify_check_reminder(member=member, services=services, now=now)
                sent += 1
            m.CheckReminder.objects.bulk_create(
                [m.CheckReminder(service=service, sent_at=now) for service in services],
                update_conflicts=True,
                unique_fields=["service"],
                update_fields=["sent_at"],
            )
    return sent
