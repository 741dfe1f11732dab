"""Test data for partners and moderation: members of an organisation and their proposals, made the way the
product makes them (through directory/moderation.py)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from gathering.directory import geo, moderation, proposals
from gathering.directory import models as m

from ..factories import UserFactory
from . import builders

LS1 = geo.outcode_centroids()["LS1"]


def member_of(organization: m.Organization, user=None) -> m.OrganizationMember:
    """`user` (a new person if None) acting for `organization`."""
    return m.OrganizationMember.objects.create(organization=organization, user=user or UserFactory())


def partner_service(
    name: str = "Leeds Hearing Voices Group", *, org: m.Organization | None = None, **fields: Any
):
    """A listed service of a partner organisation, with a phone, weekly hours, a cost and our terms."""
    organization = org or builders.organization("Riverside Recovery Trust", network_relation="partner")
    service = builders.service(
        name,
        org=organization,
        at=(LS1.latitude, LS1.longitude),
        approach=["hearing-voices"],
        ways_in=["drop-in"],
        cost=5,
        schedules=[{"byday": "TU", "opens_at": "18:00", "closes_at": "20:00"}],
        **{"description": "A group for people who hear voices.", **fields},
    )
    m.Phone.objects.create(id=uuid.uuid4(), service=service, number="0113 496 0000")
    return service


def answers_for(service: m.Service | None, **changes: Any) -> proposals.ServiceAnswers:
    """The proposal form's answers for `service` as it is (a blank form for None), with `changes`."""
    if service is None:
        return proposals.ServiceAnswers(**{"name": "", **changes})
    start = proposals.form_start(proposals.editable_document(service)).answers
    return replace(start, **changes)


def propose(service: m.Service | None, user, *, organization: m.Organization | None = None, **changes: Any):
    """A proposal by `user` (a member) for `service`, or a new service of `organization`."""
    return moderation.proposal_submit(
        organization=organization or service.organization,
        user=user,
        answers=answers_for(service, **changes),
        service=service,
    )
