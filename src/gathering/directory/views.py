"""Find support: the search, a service's page, and reporting a change to a listing (anyone, no sign-in)."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit

from . import approaches, search, services, showcase
from .forms import ChangeReportForm, SearchForm
from .jsonld import service_json_ld
from .listing import service_page
from .models import Service
from .querysets import is_stale


def _map_settings() -> dict[str, str]:
    return {
        "tiles": settings.GATHERING_MAP_TILES_URL,
        "attribution": settings.GATHERING_MAP_TILES_ATTRIBUTION,
    }


def _tile_origin() -> str | None:
    """Where map tiles come from, for the search page's Content-Security-Policy; None without tiles."""
    parts = urlsplit(settings.GATHERING_MAP_TILES_URL)
    if parts.scheme != "https" or not parts.netloc:
        return None
    # A tile server with subdomains ({s}.tile.example.org) serves from each of them.
    return f"https://{parts.netloc.replace('{s}', '*')}"


def _search_url(query: QueryDict, **changes: str | None) -> str:
    """The search's address with some answers changed (None: left out), on its first page."""
    changed = query.copy()
    changed.pop("page", None)
    for key, value in changes.items():
        changed.pop(key, None)
        if value is not None:
            changed[key] = value
    encoded = changed.urlencode()
    return reverse("directory:search") + (f"?{encoded}" if encoded else "")


def _suggestions(criteria: search.Criteria, query: QueryDict) -> dict[str, object]:
    """Other searches to offer when nothing was found: further away, without the other choices, anywhere."""
    suggestions: dict[str, object] = {}
    if criteria.place is not None:
        wider = next((km for km in search.RADIUS_CHOICES if km > criteria.radius_km), None)
        if wider is not None:
            suggestions["wider"] = _search_url(query, radius=str(wider))
            suggestions["wider_km"] = wider
        suggestions["anywhere"] = _search_url(query, place=None, radius=None)
    if criteria.filtered:
        suggestions["fewer"] = _search_url(query, q=None, approach=None, access=None, only=None)
    return suggestions


@require_safe
def find_support(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context: dict[str, object] = {"form": form, "results": None, "map": _map_settings()}
    status = 200
    if form.is_bound:
        if form.is_valid():
            results = search.search(form.criteria(), page_number=request.GET.get("page") or 1)
            query = request.GET.copy()
            query.pop("page", None)
            context.update(results=results, criteria=results.criteria, query=query.urlencode())
            if not results.count:
                context["suggestions"] = _suggestions(results.criteria, request.GET)
        else:
            status = 400
    else:
        # Before any search: every approach as a link to its page and to the services that offer it, so
        # the directory can be browsed without a form.
        base = reverse("directory:search")
        context["browse"] = [
            (label, reverse("directory:approach", args=[code]), f"{base}?approach={code}")
            for code, label in approaches.TERMS
        ]
    response = render(request, "directory/search.html", context, status=status)
    # What someone searches for can say a lot about them: no browser or proxy keeps the answer, and
    # search engines leave result pages out.
    response["Cache-Control"] = "no-store, private"
    if request.GET:
        response["X-Robots-Tag"] = "noindex"
    origin = _tile_origin()
    if origin:
        response._csp_update = {"img-src": [origin]}
    return response


@require_safe
def service_detail(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    page = service_page(service_id, at=search.now())
    if page is None:
        raise Http404
    url = settings.GATHERING_BASE_URL + request.path
    context = {"page": page, "service": page.service, "json_ld": service_json_ld(page, url=url)}
    # A listing nobody has checked for more than a year says so (querysets.is_stale).
    context["stale"] = is_stale(page.service.verified_at, now=search.now())
    return render(request, "directory/service.html", context)


def _listed_service(service_id: uuid.UUID) -> Service:
    return get_object_or_404(Service.objects.listed().select_related("organization"), pk=service_id)


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate="10/h", method="POST")
def report_change(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = _listed_service(service_id)
    form = ChangeReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_report_create(
            service=service,
            details=form.cleaned_data["details"],
            reply_email=form.cleaned_data["reply_email"],
        )
        return redirect("directory:report_sent", service_id=service.pk)
    return render(request, "directory/report.html", {"service": service, "form": form})


@require_safe
def report_sent(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    return render(request, "directory/report_sent.html", {"service": _listed_service(service_id)})


@require_safe
def approach_list(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/approaches.html", {"approaches": showcase.approach_list()})


@require_safe
def approach_detail(request: HttpRequest, code: str) -> HttpResponse:
    found = showcase.approach_showcase(code, at=search.now())
    if found is None:
        raise Http404
    context = {
        "approach": found.approach,
        "results": found.services,
        "sessions": found.sessions,
        "resources": found.resources,
        "can_edit": request.user.has_perm("accounts.organise"),
    }
    return render(request, "directory/approach.html", context)
