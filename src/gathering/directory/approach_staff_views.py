"""Organisers' pages for the approaches our network showcases, under /staff/directory/ so staff protections
apply: the list of approaches, and the words of each one's page with a preview before saving."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from gathering.accounts.decorators import permission_required

from . import models as m
from . import services, showcase
from .forms import ApproachPageForm

ORGANISE = "accounts.organise"


@permission_required(ORGANISE)
@require_safe
def approach_list(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/staff/approaches.html", {"approaches": showcase.approach_list()})


def _initial(approach: showcase.Approach) -> dict[str, str]:
    page = approach.page
    if page is None:
        return {"summary": approach.summary}
    return {name: getattr(page, name) for name in services.APPROACH_PAGE_FIELDS}


@permission_required(ORGANISE)
@require_http_methods(["GET", "HEAD", "POST"])
def approach_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The words of an approach's page. "Preview" shows them as the public page will, sanitised, without
    saving; "Save" saves them with an audit entry."""
    approach = showcase.approach_get(code)
    if approach is None:
        raise Http404
    form = ApproachPageForm(request.POST or None, initial=_initial(approach))
    preview = None
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif "preview" in request.POST:
            preview = form.cleaned_data
        else:
            try:
                _page, changed = services.approach_page_update(
                    code=code, actor=request.user, **form.cleaned_data
                )
            except m.TaxonomyTerm.DoesNotExist:
                raise Http404 from None
            if changed:
                messages.success(request, _("The page about %(name)s is saved.") % {"name": approach.name})
            else:
                messages.info(
                    request, _("Nothing was changed on the page about %(name)s.") % {"name": approach.name}
                )
            return redirect("directory:approach", code=code)
    context = {"approach": approach, "form": form, "preview": preview}
    return render(request, "directory/staff/approach_edit.html", context, status=status)
