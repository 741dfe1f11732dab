"""Our network's pages: the organisations, filtered by relation and country, and each one's page with its
services (anyone, no sign-in)."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import network
from .forms import NetworkFilterForm


def _allow_logos(response: HttpResponse, origins: list[str]) -> HttpResponse:
    """Let the browser load the shown logos from the other sites the operator allowed
    (GATHERING_LOGO_ORIGINS), on this page only."""
    if origins:
        response._csp_update = {"img-src": origins}
    return response


@require_safe
def network_list(request: HttpRequest) -> HttpResponse:
    form = NetworkFilterForm(request.GET or None, countries=network.network_countries())
    status = 200
    members = None
    if form.is_bound and not form.is_valid():
        status = 400
        context: dict[str, object] = {"form": form, "members": None}
    else:
        chosen = form.cleaned_data if form.is_bound else {}
        members = network.network_members(
            relation=chosen.get("relation", ""),
            country=chosen.get("country", ""),
            page_number=request.GET.get("page") or 1,
        )
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "members": members,
            "filtered": bool(chosen.get("relation") or chosen.get("country")),
            "query": query.urlencode(),
        }
    response = render(request, "directory/network.html", context, status=status)
    return _allow_logos(response, members.logo_origins if members is not None else [])


@require_safe
def organisation_detail(request: HttpRequest, organization_id: uuid.UUID) -> HttpResponse:
    page = network.organisation_page(organization_id, page_number=request.GET.get("page") or 1)
    if page is None:
        raise Http404
    response = render(request, "directory/organisation.html", {"page": page, "member": page.member})
    return _allow_logos(response, page.logo_origins)
