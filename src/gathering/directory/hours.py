"""Opening hours for people: HSDS schedules said in plain words ("Monday to Friday, 9am to 5pm"), and
whether a service is open now, each schedule read in the time zone of the place it belongs to.

The arithmetic is `opening.py`'s; this module only words its answers. A schedule it cannot put into words
(a yearly rule, week numbers) is shown by its own `description`, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import opening
from .models import DEFAULT_TIME_ZONE

# One group: some schedules and the IANA time zone their clock times are read in.
ScheduleGroup = tuple[Sequence[Any], str]

DAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)
ORDINALS = {
    1: gettext_lazy("first"),
    2: gettext_lazy("second"),
    3: gettext_lazy("third"),
    4: gettext_lazy("fourth"),
    5: gettext_lazy("fifth"),
    -1: gettext_lazy("last"),
    -2: gettext_lazy("second to last"),
}
# Schema.org's names for the days, for opening hours in structured data.
SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def safe_zone(name: str) -> str:
    """`name` when it is an IANA time zone this system knows, otherwise the directory's default."""
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return DEFAULT_TIME_ZONE
    return name


def open_state(groups: Iterable[ScheduleGroup], at: datetime) -> bool | None:
    """True when any group's schedules say the service is open at `at`; False when none does but at least
    one knows it is closed; None when no schedule can say (unknown, which the search counts as not open)."""
    known = False
    for schedules, zone in groups:
        state = opening.is_open(schedules, at, safe_zone(zone))
        if state:
            return True
        known = known or state is False
    return False if known else None


def next_opening(groups: Iterable[ScheduleGroup], at: datetime) -> datetime | None:
    """The earliest moment after `at` when an opening starts, in the time zone of the schedule it
    belongs to; None when no schedule says (within a year)."""
    found = [
        moment
        for schedules, zone in groups
        if (moment := opening.next_opening(schedules, at, safe_zone(zone))) is not None
    ]
    return min(found, default=None)


def zone_label(zone: str) -> str:
    """How a time zone is named next to a time: "UK time", "Helsinki time"."""
    if zone in ("Europe/London", "GB"):
        return _("UK time")
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return _("%(place)s time") % {"place": city}


def clock(moment: time, *, end_of_day: bool = False) -> str:
    """A clock time the GOV.UK way: 9am, 5:30pm, midday, midnight."""
    if end_of_day or (moment.hour == 0 and moment.minute == 0):
        return _("midnight")
    if moment.hour == 12 and moment.minute == 0:
        return _("midday")
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def _date(day: date) -> str:
    return dateformat.format(day, "j F Y")


def _runs(weekdays: Iterable[int]) -> list[str]:
    """Weekdays as runs: [0, 1, 2, 3, 4] is "Monday to Friday"; [1, 3] are "Tuesday", "Thursday"."""
    days = sorted(set(weekdays))
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    words = []
    for run in runs:
        if len(run) >= 3:
            words.append(_("%(first)s to %(last)s") % {"first": DAYS[run[0]], "last": DAYS[run[-1]]})
        else:
            words.extend(str(DAYS[day]) for day in run)
    return words


def _and(words: Sequence[str]) -> str:
    return str(get_text_list(list(words), _("and")))


def _weekly(rule: opening.Recurrence, unit: str) -> str | None:
    weekdays = [weekday for weekday, _n in rule.byday]
    days = _("Every day") if not weekdays or len(set(weekdays)) == 7 else _and(_runs(weekdays))
    if rule.interval == 1:
        return days
    if unit == "day":
        return _("Every other day") if rule.interval == 2 else _("Every %(n)s days") % {"n": rule.interval}
    if rule.interval == 2:
        return _("Every other week: %(days)s") % {"days": days}
    return _("Every %(n)s weeks: %(days)s") % {"n": rule.interval, "days": days}


def _day_of_month(n: int) -> str:
    if n == -1:
        return _("the last day")
    if n < 0:
        return _("%(n)s days before the end") % {"n": -n - 1}
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return _("the %(n)s") % {"n": f"{n}{suffix}"}


def _monthly(rule: opening.Recurrence) -> str | None:
    if rule.interval != 1 or rule.byweekno or rule.byyearday:
        return None
    if rule.bymonthday and not rule.byday:
        days = _and([_day_of_month(n) for n in sorted(rule.bymonthday, key=lambda n: (n < 0, n))])
        return _("%(days)s of each month") % {"days": days[:1].upper() + days[1:]}
    if rule.bymonthday:
        return None
    every = [weekday for weekday, n in rule.byday if n == 0]
    counted: dict[int, list[int]] = {}
    for weekday, n in rule.byday:
        if n:
            if n not in ORDINALS:
                return None
            counted.setdefault(weekday, []).append(n)
    parts = []
    if every:
        parts.append(_and(_runs(every)))
    for weekday in sorted(counted):
        ordinals = sorted(counted[weekday], key=lambda n: (n < 0, n if n > 0 else -n))
        parts.append(
            _("the %(which)s %(day)s of each month")
            % {"which": _and([str(ORDINALS[n]) for n in ordinals]), "day": DAYS[weekday]}
        )
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] if text else None


def _days(hours: opening.OpeningHours) -> str | None:
    rule = hours.recurrence
    if rule.count == 1 and rule.dtstart is not None:
        return _("On %(date)s") % {"date": dateformat.format(rule.dtstart, "l j F Y")}
    if rule.byweekno or rule.byyearday or rule.bymonth:
        return None
    if rule.freq == "DAILY":
        if rule.byday:
            return _weekly(rule, "week") if rule.interval == 1 else None
        return _weekly(rule, "day")
    if rule.freq == "WEEKLY":
        return None if rule.bymonthday else _weekly(rule, "week")
    if rule.freq == "MONTHLY":
        return _monthly(rule)
    return None


def _times(hours: opening.OpeningHours) -> str:
    opens, closes = hours.opens, hours.closes
    if not closes.end_of_day and closes.wall == opens.wall:
        return _("open all day and night") if opens.wall == time(0) else _("round the clock")
    start = clock(opens.wall)
    end = clock(closes.wall, end_of_day=closes.end_of_day)
    if not closes.end_of_day and closes.wall < opens.wall and closes.wall != time(0):
        return _("%(start)s to %(end)s the next day") % {"start": start, "end": end}
    return _("%(start)s to %(end)s") % {"start": start, "end": end}


def _validity(hours: opening.OpeningHours) -> str:
    start = hours.valid_from
    end = min((day for day in (hours.valid_to, hours.recurrence.until) if day is not None), default=None)
    if start and end:
        return _("from %(start)s to %(end)s") % {"start": _date(start), "end": _date(end)}
    if start:
        return _("from %(start)s") % {"start": _date(start)}
    if end:
        return _("until %(end)s") % {"end": _date(end)}
    return ""


def in_week_order(schedules: Iterable[Any]) -> list[Any]:
    """Schedules as people read them: weekly rules first, from Monday, each day's earliest first; then
    monthly and other rules; those that cannot be read last."""

    def key(schedule: Any) -> tuple[int, int, time, str]:
        hours = opening.read_schedule(schedule)
        if hours is None:
            return (2, 7, time(0), str(getattr(schedule, "description", "")))
        rule = hours.recurrence
        first_day = min((weekday for weekday, _n in rule.byday), default=-1 if rule.freq == "DAILY" else 7)
        return (0 if rule.freq in ("DAILY", "WEEKLY") else 1, first_day, hours.opens.wall, "")

    return sorted(schedules, key=key)


def describe(schedule: Any) -> str:
    """One schedule in plain words, or its own description when the rule is beyond words here ("" when
    there is nothing to say)."""
    description = " ".join(str(getattr(schedule, "description", "") or "").split())
    hours = opening.read_schedule(schedule)
    days = _days(hours) if hours is not None else None
    if hours is None or days is None:
        return description
    text = _("%(days)s, %(times)s") % {"days": days, "times": _times(hours)}
    validity = _validity(hours)
    return f"{text} ({validity})" if validity else text


def weekly_specification(schedule: Any) -> dict[str, object] | None:
    """A weekly schedule as a schema.org OpeningHoursSpecification, or None for other rules."""
    hours = opening.read_schedule(schedule)
    if hours is None or hours.recurrence.interval != 1 or hours.recurrence.freq not in ("WEEKLY", "DAILY"):
        return None
    rule = hours.recurrence
    if rule.bymonthday or rule.byweekno or rule.byyearday or rule.bymonth or rule.count:
        return None
    weekdays = sorted({weekday for weekday, _n in rule.byday}) or list(range(7))
    closes = "23:59" if hours.closes.end_of_day else hours.closes.wall.strftime("%H:%M")
    spec: dict[str, object] = {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": [f"https://schema.org/{SCHEMA_DAYS[day]}" for day in weekdays],
        "opens": hours.opens.wall.strftime("%H:%M"),
        "closes": closes,
    }
    if hours.valid_from:
        spec["validFrom"] = hours.valid_from.isoformat()
    if hours.valid_to:
        spec["validThrough"] = hours.valid_to.isoformat()
    return spec
