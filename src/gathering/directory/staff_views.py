"""Organisers' pages for the directory, under /staff/ so staff protections apply: the moderation queue of
proposals and reports of changes, a proposal's differences with approve and reject, listings that need
checking, and who acts for each organisation."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gathering.accounts.decorators import permission_required

from . import models as m
from . import moderation, proposals
from . import moderation_selectors as selectors
from .moderation_forms import MemberAddForm, OrganizationSearchForm, RejectForm, ReportCloseForm

ORGANISE = moderation.ORGANISE
PER_PAGE = 50


@permission_required(ORGANISE)
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    context = {
        "pending": list(selectors.pending_proposals()),
        "reports": list(selectors.new_change_reports()),
        "decided": selectors.decided_proposals(),
        "stale_count": selectors.stale_listings(now=timezone.now()).count(),
    }
    return render(request, "directory/staff/queue.html", context)


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form's data on POST, even an empty one (an empty form is a form sent with nothing chosen)."""
    return request.POST if request.method == "POST" else None


def _proposal(proposal_id: int) -> m.ServiceProposal:
    found = selectors.proposal_for_moderation(proposal_id=proposal_id)
    if found is None:
        raise Http404
    return found


def _render_proposal(
    request: HttpRequest, found: m.ServiceProposal, *, form: RejectForm | None = None
) -> HttpResponse:
    if found.is_pending and found.kind == m.ServiceProposal.Kind.EDIT:
        # What approving would write: the listing now against the proposal, part by part.
        current = proposals.editable_document(found.service)
        changes = proposals.differences(
            proposed=found.document, current=current, base=found.base, keys=found.changed
        )
    else:
        changes = proposals.differences(
            proposed=found.document, current=found.base, base=None, keys=found.changed
        )
    context = {"proposal": found, "changes": changes, "form": form or RejectForm()}
    return render(request, "directory/staff/proposal.html", context)


@permission_required(ORGANISE)
@require_safe
def proposal(request: HttpRequest, proposal_id: int) -> HttpResponse:
    return _render_proposal(request, _proposal(proposal_id))


@permission_required(ORGANISE)
@require_POST
def proposal_approve(request: HttpRequest, proposal_id: int) -> HttpResponse:
    found = _proposal(proposal_id)
    try:
        moderation.proposal_approve(proposal=found, actor=request.user)
    except moderation.ModerationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("directory_staff:proposal", proposal_id=found.pk)
    messages.success(request, _("Approved: “%(name)s” now shows the changes.") % {"name": found.name})
    return redirect("directory_staff:queue")


@permission_required(ORGANISE)
@require_POST
def proposal_reject(request: HttpRequest, proposal_id: int) -> HttpResponse:
    found = _proposal(proposal_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            moderation.proposal_reject(proposal=found, actor=request.user, reason=form.cleaned_data["reason"])
        except moderation.ModerationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Not approved. We have emailed your reason to the person who proposed it.")
            )
            return redirect("directory_staff:queue")
    return _render_proposal(request, found, form=form)


@permission_required(ORGANISE)
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, report_id: int) -> HttpResponse:
    found = selectors.change_report(report_id=report_id)
    if found is None:
        raise Http404
    is_new = found.status == m.ChangeReport.Status.NEW
    form = ReportCloseForm(_posted(request), can_reply=is_new and bool(found.reply_email))
    if request.method == "POST" and form.is_valid():
        try:
            moderation.change_report_close(
                report=found,
                actor=request.user,
                note=form.cleaned_data["note"],
                reply=form.cleaned_data.get("reply", ""),
            )
        except moderation.ModerationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The report is marked as dealt with."))
            return redirect("directory_staff:queue")
    return render(request, "directory/staff/report.html", {"report": found, "form": form})


@permission_required(ORGANISE)
@require_safe
def stale(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.stale_listings(now=timezone.now()), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "directory/staff/stale.html", {"page": page})


@permission_required(ORGANISE)
@require_safe
def organisations(request: HttpRequest) -> HttpResponse:
    form = OrganizationSearchForm(request.GET or None)
    words = form.cleaned_data["q"] if form.is_valid() else ""
    rows = selectors.organizations_with_members(words=words)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({"q": words}) + "&" if words else ""
    return render(request, "directory/staff/organisations.html", {"form": form, "page": page, "query": query})


def _staff_organization(organization_id: uuid.UUID) -> m.Organization:
    return get_object_or_404(m.Organization, pk=organization_id)


@permission_required(ORGANISE)
@require_http_methods(["GET", "HEAD", "POST"])
def members(request: HttpRequest, organization_id: uuid.UUID) -> HttpResponse:
    organization = _staff_organization(organization_id)
    form = MemberAddForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            added = moderation.member_add(
                organization=organization, email=form.cleaned_data["email"], actor=request.user
            )
        except moderation.ModerationError as error:
            form.add_error(None, error)
        else:
            if isinstance(added, m.OrganizationMember):
                text = _("%(name)s can now propose changes for %(org)s, and we have told them by email.")
                messages.success(request, text % {"name": added.user.display_name, "org": organization.name})
            else:
                text = _("We have emailed an invitation to %(email)s.")
                messages.success(request, text % {"email": added.email})
            return redirect("directory_staff:members", organization_id=organization.pk)
    context = {
        "organization": organization,
        "form": form,
        "members": selectors.organization_members(organization=organization),
        "invitations": selectors.organization_invitations(organization=organization),
    }
    return render(request, "directory/staff/members.html", context)


@permission_required(ORGANISE)
@require_POST
def member_remove(request: HttpRequest, organization_id: uuid.UUID, member_id: int) -> HttpResponse:
    member = get_object_or_404(
        m.OrganizationMember.objects.select_related("user"), pk=member_id, organization_id=organization_id
    )
    moderation.member_remove(member=member, actor=request.user)
    messages.success(
        request, _("%(name)s no longer acts for this organisation.") % {"name": member.user.display_name}
    )
    return redirect("directory_staff:members", organization_id=organization_id)


@permission_required(ORGANISE)
@require_POST
def invitation_withdraw(request: HttpRequest, organization_id: uuid.UUID, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(
        m.OrganizationInvitation, pk=invitation_id, organization_id=organization_id
    )
    moderation.invitation_withdraw(invitation=invitation, actor=request.user)
    messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect("directory_staff:members", organization_id=organization_id)
