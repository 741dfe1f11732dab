"""Periods: a year, a quarter, or a custom range of whole quarters.

Figures are counted by whole quarter (an activity belongs to the quarter it starts in), so a custom range is
widened to the quarters it touches and says so; differencing two ranges then never isolates less than a
quarter, and the disclosure rules audit every run of quarters (disclosure.py).
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        following = self.next()
        return date.fromordinal(following.first_day.toordinal() - 1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def label(self) -> str:
        months = (_("January to March"), _("April to June"), _("July to September"), _("October to December"))
        return _("%(months)s %(year)s") % {"months": months[self.number - 1], "year": self.year}


@dataclass(frozen=True)
class Period:
    """Whole quarters from ``first`` to ``last``, both included; ``None`` for all time."""

    first: Quarter | None = None
    last: Quarter | None = None
    widened: bool = False  # a custom range was widened to whole quarters

    def contains(self, quarter: Quarter) -> bool:
        if self.first is None or self.last is None:
            return True
        return self.first <= quarter <= self.last

    @property
    def is_all_time(self) -> bool:
        return self.first is None

    @property
    def year(self) -> int | None:
        """The year, when the period is one whole calendar year."""
        if (
            self.first
            and self.last
            and self.first == Quarter(self.first.year, 1)
            and self.last == Quarter(self.first.year, 4)
        ):
            return self.first.year
        return None

    @property
    def label(self) -> str:
        if self.first is None or self.last is None:
            return _("All time")
        if self.year is not None:
            return str(self.year)
        if self.first == self.last:
            return self.first.label
        return _("%(first)s to %(last)s") % {
            "first": self.first.first_day.strftime("%-d %B %Y"),
            "last": self.last.last_day.strftime("%-d %B %Y"),
        }

    @property
    def query(self) -> dict[str, str]:
        """The GET parameters that ask for this period again."""
        if self.first is None or self.last is None:
            return {}
        if self.year is not None:
            return {"period": str(self.year)}
        if self.first == self.last:
            return {"period": self.first.key}
        return {"from": self.first.first_day.isoformat(), "to": self.last.last_day.isoformat()}


class PeriodError(ValueError):
    pass


# The years a period may fall in: any the network can have counted, with room on both sides.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _checked(quarter: Quarter) -> Quarter:
    if not FIRST_YEAR <= quarter.year <= LAST_YEAR:
        raise PeriodError(
            _("Choose a year between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return quarter


def year(number: int) -> Period:
    return Period(Quarter(number, 1), Quarter(number, 4))


def parse(period: str = "", start: str = "", end: str = "") -> Period:
    """A period from the dashboard's or the API's parameters: ``period`` is "all", a year ("2025") or a
    quarter ("2025-Q2"); or ``start`` and ``end`` are dates (YYYY-MM-DD), widened to whole quarters."""
    period, start, end = period.strip(), start.strip(), end.strip()
    if start or end:
        if not (start and end):
            raise PeriodError(_("Give both the first and the last day of the period."))
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            raise PeriodError(_("Enter the days as year-month-day, for example 2026-04-01.")) from None
        if last < first:
            raise PeriodError(_("The last day must be on or after the first day."))
        chosen = Period(_checked(Quarter.of(first)), _checked(Quarter.of(last)))
        exact = chosen.first.first_day == first and chosen.last.last_day == last
        return Period(chosen.first, chosen.last, widened=not exact)
    if period in ("", "all"):
        return Period()
    if period.isdigit() and len(period) == 4:
        return year(_checked(Quarter(int(period), 1)).year)
    parts = period.upper().split("-Q")
    if len(parts) == 2 and parts[0].isdigit() and len(parts[0]) == 4 and parts[1] in ("1", "2", "3", "4"):
        quarter = _checked(Quarter(int(parts[0]), int(parts[1])))
        return Period(quarter, quarter)
    raise PeriodError(_("Choose a year such as 2026, a quarter such as 2026-Q2, or all time."))
