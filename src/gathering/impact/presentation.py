"""The protected figures of a scope as people read them: cells as text (a hidden figure says so), charts,
CSV rows and the annual report's sections. Nothing here sees a hidden number: only ``selectors.Row``s,
whose hidden figures are None."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from gathering.core.money import format_money

from . import charts, selectors
from .measures import FEEDBACK, GROUPS
from .models import AnnualReport
from .periods import year as year_period
from .report_pdf import ReportSection, ReportTable, annual_report_pdf

HIDDEN = "hidden"


def hidden_word() -> str:
    return _("hidden")


def explanation() -> str:
    return _(
        "“hidden” stands for fewer than five people, or for a figure hidden so that a small number cannot be "
        "worked out from the others. Percentages are of the figures shown, rounded."
    )


def count_text(value: int | None) -> str:
    return hidden_word() if value is None else number_format(value, force_grouping=True)


def percent_text(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def money_text(value: int | None, currency: str = "GBP") -> str:
    return hidden_word() if value is None else format_money(value, currency)


@dataclass(frozen=True)
class Shown:
    """One table of a scope, ready for a template: the table, its chart, its group heading."""

    data: selectors.ScopeTable
    chart: charts.Chart
    anchor: str

    @property
    def table(self):
        return self.data.table


def shown_tables(scope_tables: Sequence[selectors.ScopeTable]) -> list[tuple[str, list[Shown]]]:
    """The tables grouped under their headings, in the catalogue's order, each with its chart."""
    grouped: dict[str, list[Shown]] = {str(group): [] for group in GROUPS}
    for data in scope_tables:
        rows = data.rows or (data.total,)
        bars = [charts.Bar(label=row.label, value=row.count) for row in rows]
        chart = charts.bar_chart(chart_id=f"chart-{data.table.key}", title=str(data.table.title), bars=bars)
        grouped.setdefault(str(data.table.group), []).append(Shown(data, chart, f"table-{data.table.key}"))
    return [(group, items) for group, items in grouped.items() if items]


def over_time_chart(rows: Sequence[selectors.TimeRow]) -> charts.Chart:
    bars = [charts.Bar(label=row.label, value=row.count) for row in rows]
    return charts.bar_chart(chart_id="chart-over-time", title=_("Registrations over time"), bars=bars)


def csv_rows(scope: selectors.Scope, data: selectors.ScopeTable) -> tuple[list[str], list[list[str]]]:
    """A table as CSV: one line per category and one for the total; a hidden figure reads "hidden"."""
    header = ["figures_for", "table", "category", "count", "percent_of_total"]
    if data.table.money:
        header.append("amount")
    described = selectors.describe(scope)
    rows = []
    for row in (*data.rows, data.total):
        line = [described, str(data.table.title), row.label, HIDDEN if row.count is None else str(row.count)]
        line.append("" if row.percent is None else str(row.percent))
        if data.table.money:
            line.append(HIDDEN if row.money is None else f"{row.money / 100:.2f}")
        rows.append(line)
    if data.mean is not None:
        rows.append([described, str(data.table.title), _("Average (1 to 5)"), f"{data.mean:.1f}", ""])
    return header, rows


def report_tables(scope_tables: Sequence[selectors.ScopeTable]) -> list[ReportTable]:
    tables = []
    for data in scope_tables:
        header = [_("Category"), _("Count"), _("Percent")]
        if data.table.money:
            header.append(_("Amount"))
        rows = []
        for row in (*data.rows, data.total):
            cells = [row.label, count_text(row.count), percent_text(row.percent)]
            if data.table.money:
                cells.append("" if row.count is None else money_text(row.money))
            rows.append(tuple(cells))
        note = (
            _("Average: %(mean)s out of 5.") % {"mean": f"{data.mean:.1f}"} if data.mean is not None else ""
        )
        tables.append(ReportTable(str(data.table.title), tuple(header), tuple(rows), note))
    return tables


def report_sections(
    report: AnnualReport, scope_tables: Sequence[selectors.ScopeTable]
) -> list[ReportSection]:
    """The headings of a community interest company's annual report: activities and the benefit to the
    community (with the year's figures), how the people served were consulted (with their feedback), and
    anything else."""
    figures = [data for data in scope_tables if data.table.group != FEEDBACK]
    feedback = [data for data in scope_tables if data.table.group == FEEDBACK]
    return [
        ReportSection(
            str(AnnualReport._meta.get_field("activities").verbose_name),
            _paragraphs(report.activities),
            tuple(report_tables(figures)),
        ),
        ReportSection(
            str(AnnualReport._meta.get_field("consultation").verbose_name),
            _paragraphs(report.consultation),
            tuple(report_tables(feedback)),
        ),
        ReportSection(str(AnnualReport._meta.get_field("other").verbose_name), _paragraphs(report.other)),
    ]


def _paragraphs(text: str) -> tuple[str, ...]:
    parts = tuple(part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip())
    return parts or (_("Nothing written yet."),)


def report_pdf_response(report: AnnualReport, year: int, *, attachment: bool) -> HttpResponse:
    """The year's report as an A4 PDF: a download for organisers, shown in the browser on the public page."""
    scope = selectors.Scope(period=year_period(year))
    sections = report_sections(report, selectors.scope_tables(scope))
    body = annual_report_pdf(
        title=_("Annual impact report %(year)s") % {"year": year},
        organisation=settings.GATHERING_SITE_NAME,
        period_label=_("1 January to 31 December %(year)s") % {"year": year},
        sections=sections,
        footnote=explanation(),
        generated_on=timezone.localdate().strftime("%-d %B %Y"),
    )
    response = HttpResponse(body, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="impact-report-{year}.pdf"'
    # Never kept by a cache: a report taken off the public page must be gone at once.
    response["Cache-Control"] = "private, no-store"
    return response
