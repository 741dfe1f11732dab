"""The public "Our impact" page: a year's report and figures, only once an organiser has published it, with
the same protection as everywhere else."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from . import periods, presentation, selectors
from .models import AnnualReport


@require_safe
def impact(request: HttpRequest) -> HttpResponse:
    latest = AnnualReport.objects.published().first()
    if latest is None:
        raise Http404
    return _page(request, latest)


@require_safe
def impact_year(request: HttpRequest, year: int) -> HttpResponse:
    return _page(request, get_object_or_404(AnnualReport.objects.published(), year=year))


def _page(request: HttpRequest, report: AnnualReport) -> HttpResponse:
    scope = selectors.Scope(period=periods.year(report.year))
    context = {
        "report": report,
        "years": list(AnnualReport.objects.published().values_list("year", flat=True)),
        "groups": presentation.shown_tables(selectors.scope_tables(scope)),
        "explanation": presentation.explanation(),
        "activities": report.activities.split("\n\n") if report.activities else [],
        "consultation": report.consultation.split("\n\n") if report.consultation else [],
        "other": report.other.split("\n\n") if report.other else [],
    }
    return render(request, "impact/public.html", context)


@require_safe
def impact_year_pdf(request: HttpRequest, year: int) -> HttpResponse:
    return presentation.report_pdf_response(
        get_object_or_404(AnnualReport.objects.published(), year=year), year, attachment=False
    )
