"""Pages for the people who act for an organisation in the directory (signed in, members only): their
organisations' listings with when each was last checked, proposing a change or a new service, saying a
listing is still correct, their proposals and what became of them, and accepting an invitation.

Another organisation's pages answer 404, the same as pages that do not exist, so nobody learns what another
organisation has proposed."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gathering.accounts.decorators import permission_required

from . import models as m
from . import moderation, proposals
from . import moderation_selectors as selectors
from .moderation_forms import ProposalForm


def _organization(request: HttpRequest, organization_id: uuid.UUID) -> m.Organization:
    organization = selectors.member_organization(user=request.user, organization_id=organization_id)
    if organization is None:
        raise Http404
    return organization


@permission_required()
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    organizations = selectors.organizations_for_member(user=request.user)
    invitations = selectors.invitations_for(user=request.user)
    return render(
        request, "directory/partners/home.html", {"organizations": organizations, "invitations": invitations}
    )


@permission_required()
@require_POST
def invitation_accept(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_for(user=request.user, invitation_id=invitation_id)
    if invitation is None:
        raise Http404
    member = moderation.invitation_accept(invitation=invitation, user=request.user)
    messages.success(request, _("You now act for %(name)s.") % {"name": invitation.organization.name})
    return redirect("partners:organisation", organization_id=member.organization_id)


@permission_required()
@require_safe
def organisation(request: HttpRequest, organization_id: uuid.UUID) -> HttpResponse:
    organization = _organization(request, organization_id)
    context = {
        "organization": organization,
        "listings": selectors.organization_listings(organization=organization, now=timezone.now()),
        "proposals": list(selectors.organization_proposals(organization=organization)[:50]),
    }
    return render(request, "directory/partners/organisation.html", context)


def _propose(request: HttpRequest, organization: m.Organization, service: m.Service | None) -> HttpResponse:
    document = (
        proposals.editable_document(service) if service is not None else proposals.new_document(organization)
    )
    start = proposals.form_start(document)
    form = ProposalForm(
        request.POST if request.method == "POST" else None, initial=ProposalForm.initial_from(start)
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = moderation.proposal_submit(
                organization=organization, user=request.user, answers=form.answers(), service=service
            )
        except moderation.ModerationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Thank you. An organiser will check your proposal, and we will email you.")
            )
            return redirect("partners:proposal", organization_id=organization.pk, proposal_id=proposal.pk)
    context = {"organization": organization, "service": service, "form": form, "start": start}
    return render(request, "directory/partners/propose.html", context)


@permission_required()
@require_http_methods(["GET", "HEAD", "POST"])
def propose_edit(request: HttpRequest, organization_id: uuid.UUID, service_id: uuid.UUID) -> HttpResponse:
    organization = _organization(request, organization_id)
    service = selectors.organization_service(organization=organization, service_id=service_id)
    if service is None:
        raise Http404
    return _propose(request, organization, service)


@permission_required()
@require_http_methods(["GET", "HEAD", "POST"])
def propose_new(request: HttpRequest, organization_id: uuid.UUID) -> HttpResponse:
    return _propose(request, _organization(request, organization_id), None)


@permission_required()
@require_POST
def confirm(request: HttpRequest, organization_id: uuid.UUID, service_id: uuid.UUID) -> HttpResponse:
    organization = _organization(request, organization_id)
    service = selectors.organization_service(organization=organization, service_id=service_id)
    if service is None:
        raise Http404
    moderation.service_confirm(service=service, user=request.user)
    messages.success(request, _("Thank you: “%(name)s” is marked as checked today.") % {"name": service.name})
    return redirect("partners:organisation", organization_id=organization.pk)


@permission_required()
@require_safe
def proposal(request: HttpRequest, organization_id: uuid.UUID, proposal_id: int) -> HttpResponse:
    organization = _organization(request, organization_id)
    found = selectors.organization_proposal(organization=organization, proposal_id=proposal_id)
    if found is None:
        raise Http404
    # What the member proposed, against what the listing said when they proposed it.
    changes = proposals.differences(
        proposed=found.document, current=found.base, base=None, keys=found.changed
    )
    context = {"organization": organization, "proposal": found, "changes": changes}
    return render(request, "directory/partners/proposal.html", context)
