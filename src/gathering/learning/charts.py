"""The outcomes' change as the geometry of an SVG bar chart (before and after, 1 to 5, per outcome). The
template draws it with a title and description, and the same numbers follow in a data table."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .selectors import OutcomeChange

WIDTH = 640
ROW = 56
BAR = 18
LABEL = 220  # room on the left for each outcome's words
TOP = 24
SCALE = (WIDTH - LABEL - 60) / 5  # pixels per confidence point


@dataclass(frozen=True)
class Bar:
    y: int
    width: float
    value: float
    label_x: float


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: int
    before: Bar
    after: Bar


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    ticks: list[tuple[float, int]]  # (x, value) for 0..5
    rows: list[ChartRow]
    description: str


def _bar(y: int, value: float) -> Bar:
    width = round(value * SCALE, 1)
    return Bar(y=y, width=width, value=value, label_x=LABEL + width + 6)


def outcome_change_svg(change: OutcomeChange) -> Chart:
    rows = []
    shown = [row for row in change.rows if row.shown]
    for index, row in enumerate(shown):
        top = TOP + index * ROW
        rows.append(
            ChartRow(
                label=row.outcome if len(row.outcome) <= 32 else row.outcome[:31] + "…",
                label_y=top + BAR,
                before=_bar(top, row.before),
                after=_bar(top + BAR + 2, row.after),
            )
        )
    description = _(
        "Mean confidence from 1 to 5 before and after the course for each learning outcome, over %(n)s "
        "people who gave both self-assessments. The table below gives the same figures."
    ) % {"n": change.people}
    return Chart(
        width=WIDTH,
        height=TOP + len(rows) * ROW + 24,
        label_width=LABEL,
        ticks=[(LABEL + n * SCALE, n) for n in range(6)],
        rows=rows,
        description=description,
    )
