"""The audit log, read-only, for administrators."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from gathering.accounts.decorators import permission_required

from . import selectors
from .forms import AuditFilterForm

PER_PAGE = 50


@permission_required("accounts.manage_roles")
@require_http_methods(["GET", "HEAD"])
def audit(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    action = form.cleaned_data["action"] if form.is_valid() else None
    page = Paginator(selectors.audit_entries(action=action), PER_PAGE).get_page(request.GET.get("page"))
    query_prefix = f"action={action}&" if action else ""
    return render(request, "privacy/audit.html", {"form": form, "page": page, "query_prefix": query_prefix})
