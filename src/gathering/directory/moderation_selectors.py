"""Reads for partners and moderation: a member's organisations and their listings, the organisers' queue,
listings that need checking, and who acts for each organisation. Each list takes the same number of queries
whatever it holds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from allauth.account.models import EmailAddress
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from gathering.accounts.models import User

from . import models as m
from .querysets import is_stale

QUEUE_DECIDED = 20


@dataclass(frozen=True)
class Listing:
    """One of an organisation's services as its members see it."""

    service: m.Service
    stale: bool
    pending: int


def verified_emails(user: User) -> set[str]:
    """The person's verified email addresses, in lower case: an invitation to one of them is theirs."""
    addresses = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return {address.lower() for address in addresses}


def organizations_for_member(*, user: User) -> list[m.Organization]:
    return list(m.Organization.objects.filter(members__user=user).order_by("name", "id"))


def member_organization(*, user: User, organization_id: uuid.UUID) -> m.Organization | None:
    """The organisation if `user` acts for it; None otherwise (the page then answers 404, so nobody learns
    what another organisation has)."""
    return m.Organization.objects.filter(pk=organization_id, members__user=user).first()


def invitations_for(*, user: User) -> list[m.OrganizationInvitation]:
    """Invitations to any of the person's verified addresses, waiting for them to accept."""
    return list(
        m.OrganizationInvitation.objects.filter(email__in=verified_emails(user))
        .select_related("organization")
        .order_by("organization__name", "pk")
    )


def invitation_for(*, user: User, invitation_id: int) -> m.OrganizationInvitation | None:
    return (
        m.OrganizationInvitation.objects.filter(pk=invitation_id, email__in=verified_emails(user))
        .select_related("organization")
        .first()
    )


def organization_listings(*, organization: m.Organization, now: datetime) -> list[Listing]:
    """The organisation's services (every status: members look after all of them), each with whether it
    needs checking and how many proposals for it wait for an organiser."""
    pending = Count("proposals", filter=Q(proposals__status=m.ServiceProposal.Status.PENDING))
    services = (
        m.Service.objects.filter(organization=organization).annotate(pending=pending).order_by("name", "id")
    )
    return [
        Listing(service=service, stale=is_stale(service.verified_at, now=now), pending=service.pending)
        for service in services
    ]


def organization_service(*, organization: m.Organization, service_id: uuid.UUID) -> m.Service | None:
    return (
        m.Service.objects.filter(pk=service_id, organization=organization)
        .select_related("organization")
        .first()
    )


def organization_proposals(*, organization: m.Organization) -> QuerySet[m.ServiceProposal]:
    return m.ServiceProposal.objects.filter(organization=organization).select_related("proposer", "service")


def organization_proposal(*, organization: m.Organization, proposal_id: int) -> m.ServiceProposal | None:
    return (
        organization_proposals(organization=organization)
        .select_related("organization", "decided_by")
        .filter(pk=proposal_id)
        .first()
    )


def pending_proposals() -> QuerySet[m.ServiceProposal]:
    return (
        m.ServiceProposal.objects.filter(status=m.ServiceProposal.Status.PENDING)
        .select_related("organization", "service", "proposer")
        .order_by("created_at", "pk")
    )


def decided_proposals(*, limit: int = QUEUE_DECIDED) -> list[m.ServiceProposal]:
    return list(
        m.ServiceProposal.objects.exclude(status=m.ServiceProposal.Status.PENDING)
        .select_related("organization", "service", "proposer", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


def new_change_reports() -> QuerySet[m.ChangeReport]:
    return (
        m.ChangeReport.objects.filter(status=m.ChangeReport.Status.NEW)
        .select_related("service__organization")
        .order_by("created_at", "pk")
    )


def proposal_for_moderation(*, proposal_id: int) -> m.ServiceProposal | None:
    return (
        m.ServiceProposal.objects.select_related("organization", "service", "proposer", "decided_by")
        .filter(pk=proposal_id)
        .first()
    )


def change_report(*, report_id: int) -> m.ChangeReport | None:
    return (
        m.ChangeReport.objects.select_related("service__organization", "handled_by")
        .filter(pk=report_id)
        .first()
    )


def stale_listings(*, now: datetime) -> QuerySet[m.Service]:
    """Listed services that need checking, with their organisation and whether anyone acts for it; those
    never checked first, then the longest unchecked."""
    has_members = Exists(m.OrganizationMember.objects.filter(organization_id=OuterRef("organization_id")))
    return (
        m.Service.objects.listed()
        .stale(now)
        .select_related("organization", "check_reminder")
        .annotate(has_members=has_members)
        .order_by(F("verified_at").asc(nulls_first=True), "name", "id")
    )


def organizations_with_members(*, words: str = "") -> QuerySet[m.Organization]:
    """Organisations (those whose name holds every word), with how many people act for each and how many
    invitations wait."""
    return (
        m.Organization.objects.matching(words)
        .annotate(
            member_count=Count("members", distinct=True),
            invitation_count=Count("invitations", distinct=True),
        )
        .order_by("name", "id")
    )


def organization_members(*, organization: m.Organization) -> list[m.OrganizationMember]:
    return list(
        m.OrganizationMember.objects.filter(organization=organization)
        .select_related("user", "added_by")
        .order_by("created_at", "pk")
    )


def organization_invitations(*, organization: m.Organization) -> list[m.OrganizationInvitation]:
    return list(
        m.OrganizationInvitation.objects.filter(organization=organization)
        .select_related("invited_by")
        .order_by("email")
    )
