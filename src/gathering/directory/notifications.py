"""Emails about partners' listings, written to the outbox inside the transaction of the change they report:
a member added or invited, a proposal decided, a reply to a report of a change, and the reminder to check
listings that are more than a year old."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.urls import reverse

from gathering.core.outbox import outbox_enqueue, site_url

from . import models as m


def _greeting_name(user: object) -> str:
    return getattr(user, "display_name", "") or getattr(user, "email", "")


def notify_member_added(member: m.OrganizationMember) -> None:
    organization = member.organization
    outbox_enqueue(
        kind="directory_member_added",
        to=[member.user.email],
        template="directory/member_added",
        context={
            "name": _greeting_name(member.user),
            "organization": organization.name,
            "url": site_url(reverse("partners:organisation", kwargs={"organization_id": organization.pk})),
        },
        dedupe_key=f"directory:member:{member.pk}:added",
    )


def notify_invited(invitation: m.OrganizationInvitation) -> None:
    outbox_enqueue(
        kind="directory_invitation",
        to=[invitation.email],
        template="directory/invitation",
        context={"organization": invitation.organization.name, "url": site_url(reverse("partners:home"))},
        dedupe_key=f"directory:invitation:{invitation.pk}",
    )


def notify_decided(proposal: m.ServiceProposal) -> None:
    """Tell the proposer that an organiser approved or did not approve their proposal (with the reason)."""
    proposer = proposal.proposer
    if proposer is None or not proposer.email:
        return
    approved = proposal.status == m.ServiceProposal.Status.APPROVED
    context = {
        "name": _greeting_name(proposer),
        "service": proposal.name,
        "organization": proposal.organization.name,
        "new": proposal.kind == m.ServiceProposal.Kind.NEW,
        "approved": approved,
        "reason": proposal.reason,
        "proposal_url": site_url(
            reverse(
                "partners:proposal",
                kwargs={"organization_id": proposal.organization_id, "proposal_id": proposal.pk},
            )
        ),
        "service_url": site_url(reverse("directory:service", kwargs={"service_id": proposal.service_id}))
        if approved and proposal.service_id
        else "",
    }
    outbox_enqueue(
        kind="directory_proposal_decision",
        to=[proposer.email],
        template="directory/proposal_approved" if approved else "directory/proposal_rejected",
        context=context,
        dedupe_key=f"directory:proposal:{proposal.pk}:{proposal.status}",
    )


def notify_report_reply(report: m.ChangeReport, *, reply: str) -> None:
    """An organiser's answer to someone who reported a change and left an address for a reply."""
    service = report.service
    url = (
        site_url(reverse("directory:service", kwargs={"service_id": service.pk}))
        if service.is_listed
        else site_url(reverse("directory:search"))
    )
    outbox_enqueue(
        kind="directory_report_reply",
        to=[report.reply_email],
        template="directory/report_reply",
        context={"service": service.name, "reply": reply, "url": url},
        dedupe_key=f"directory:report:{report.pk}:reply",
    )


def notify_check_reminder(
    *, member: m.OrganizationMember, services: Sequence[m.Service], now: datetime
) -> None:
    """Remind one member that these listings of their organisation need checking."""
    organization = member.organization
    outbox_enqueue(
        kind="directory_check_reminder",
        to=[member.user.email],
        template="directory/check_reminder",
        context={
            "name": _greeting_name(member.user),
            "organization": organization.name,
            "services": list(services),
            "url": site_url(reverse("partners:organisation", kwargs={"organization_id": organization.pk})),
        },
        dedupe_key=f"directory:check:{organization.pk}:{member.user_id}:{now.date().isoformat()}",
    )
