"""Organisers' impact pages: the dashboard with its filters, CSV of every table, the annual report with its
narrative, its PDF, and publishing it on the public page. Every figure comes through selectors, already
protected."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gathering.accounts.decorators import permission_required
from gathering.core.spreadsheets import csv_response

from . import periods, presentation, selectors, services
from .forms import FilterForm, ReportForm
from .measures import TABLES_BY_KEY

ORGANISE = "accounts.organise"


def _scope(request: HttpRequest) -> tuple[FilterForm, selectors.Scope]:
    form = FilterForm(request.GET or None, current=selectors.bundle())
    return form, form.scope()


@permission_required(ORGANISE)
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    form, scope = _scope(request)
    tables = selectors.scope_tables(scope)
    over_time = [] if scope.activity else selectors.over_time(scope)
    query = urlencode({key: value for key, value in request.GET.items() if key in form.fields})
    context = {
        "form": form,
        "scope": scope,
        "described": selectors.describe(scope),
        "groups": presentation.shown_tables(tables),
        "over_time": over_time,
        "over_time_chart": presentation.over_time_chart(over_time) if over_time else None,
        "query": query,
        "explanation": presentation.explanation(),
        # A year's report once the year has begun.
        "years": [year for year in reversed(selectors.bundle().years()) if year <= timezone.localdate().year],
        "activities": selectors.activities_in(scope) if not scope.activity else [],
    }
    return render(request, "impact/staff/dashboard.html", context)


@permission_required(ORGANISE)
@require_safe
def table_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in TABLES_BY_KEY:
        raise Http404
    _form, scope = _scope(request)
    found = selectors.scope_tables(scope, tables=[TABLES_BY_KEY[table]])
    if not found:
        raise Http404(_("That table has no figures for this choice."))
    header, rows = presentation.csv_rows(scope, found[0])
    period = "-".join(scope.period.query.values()) or "all-time"
    return csv_response(filename=f"impact-{table}-{period}.csv", header=header, rows=rows)


def _year(year: int) -> int:
    try:
        services.report_for_year(year=year)
    except ValidationError:
        raise Http404 from None
    return year


@permission_required(ORGANISE)
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, year: int) -> HttpResponse:
    report = services.report_for_year(year=_year(year))
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        services.report_save(actor=request.user, year=year, **form.cleaned_data)
        messages.success(request, _("The report's words have been saved."))
        return redirect("impact_staff:report", year=year)
    scope = selectors.Scope(period=periods.year(year))
    context = {
        "report": report,
        "year": year,
        "form": form,
        "groups": presentation.shown_tables(selectors.scope_tables(scope)),
        "explanation": presentation.explanation(),
        "dashboard_query": urlencode(scope.period.query),
    }
    return render(request, "impact/staff/report.html", context)


@permission_required(ORGANISE)
@require_safe
def report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    report = services.report_for_year(year=_year(year))
    return presentation.report_pdf_response(report, year, attachment=True)


@permission_required(ORGANISE)
@require_POST
def report_publish(request: HttpRequest, year: int) -> HttpResponse:
    publish = request.POST.get("publish") == "1"
    services.report_publish(actor=request.user, year=_year(year), publish=publish)
    if publish:
        messages.success(
            request, _("The %(year)s figures are now on the public “Our impact” page.") % {"year": year}
        )
    else:
        messages.success(request, _("The %(year)s figures are no longer public.") % {"year": year})
    return redirect("impact_staff:report", year=year)
