"""Whether a directory service is open at a moment, and when it next opens, from its HSDS 3.0 schedules
read in the service's own time zone.

A schedule (HSDS 3.0 `schedule`) is one rule of opening hours: a recurrence in the RFC 5545 style (`freq`,
`interval`, `dtstart`, `until`, `count`, `wkst`, `byday`, `bymonthday`, `byyearday`, `byweekno`), the
clock times `opens_at` and `closes_at`, and the dates between which the information holds (`valid_from`,
`valid_to`). A service is open at a moment when any of its schedules has an opening period covering it.

How the fields are read:

- Days. `freq` is DAILY, WEEKLY, MONTHLY or YEARLY (HSDS names the middle two; the others cost nothing).
  Without `freq`, plain `byday` ("MO,TU") means weekly, `byday` with an ordinal ("1MO", "-1FR") or
  `bymonthday` means monthly, `byyearday` yearly, and a `dtstart` alone one day only. In a `byday` list
  each entry is a day of its own (RFC 5545: "1MO,TU" is the first Monday and every Tuesday); an ordinal
  counts within the month for MONTHLY, within the year for YEARLY, and is ignored for WEEKLY and DAILY.
  `interval` above 1 and `count` need `dtstart` (which period is "every other" counts from it).
  A rule with no day parts takes its day from `dtstart`, as RFC 5545 says.
- Hours. An opening starts at `opens_at` on a day of the rule and ends at `closes_at`; when `closes_at` is
  not after `opens_at` it ends on the next day (a Friday 22:00-02:00 café is open at Saturday 01:00;
  00:00-00:00 is open all day), and "24:00" means the end of the day.
- Time zone. Clock times are the service's local time in the IANA zone the caller gives for the location
  (or an IANA zone name in `timezone`, which some publishers put there). HSDS 3.0 makes `timezone` a number,
  a UTC offset in hours, and lets `opens_at`/`closes_at` carry an offset ("09:00-05:00", "10:00Z"). A
  stated offset that the zone itself uses at some time of the year is read as the zone's clock (publishers
  write the offset of the day they export, so "09:00+01:00" from a London service is nine o'clock all year);
  any other offset is taken literally, as a fixed offset from UTC.
- Clock changes. A clock time is the first moment the local clock shows it: in the repeated hour of an
  autumn change that is the earlier pass; a time the clocks skip in spring is the moment they jump past it.
- Validity. `valid_from` and `valid_to` bound the days on which an opening starts, so an overnight opening
  that starts on `valid_to` runs on past midnight. Outside them the schedule says nothing: with no schedule
  in force on the day, whether the service is open is unknown (None). `until`, `count` and `dtstart`, by
  contrast, end or start the rule itself: after the last occurrence the service is known to be closed.
- Unusable schedules (only a `description`, no times, a rule that can't be read) are skipped; a function
  here never fails because of schedule data. `ScheduleError` is only for the caller's own mistakes: a
  naive datetime or an unknown zone name.

The days of a rule are found by arithmetic on the date (period index, weekday, day of month or year, week
number), not by stepping through the rule from `dtstart`: a search asks about hundreds of services at
once, and stepping can take years of periods for an old `dtstart` (or never end for a rule that never
matches). Only `count` needs stepping, bounded by `COUNT_SEARCH_STEPS`.

No Django here: plain values in (mappings or objects with HSDS field names), plain values out.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# How many days of in-phase periods a COUNT-limited rule is followed through to find its last occurrence.
COUNT_SEARCH_STEPS = 20_000
# How far ahead `next_opening` looks by default.
NEXT_OPENING_DAYS = 366

_DAY_NAMES = {
    name: index
    for index, names in enumerate(
        (
            ("MO", "MON", "MONDAY"),
            ("TU", "TUE", "TUES", "TUESDAY"),
            ("WE", "WED", "WEDNESDAY"),
            ("TH", "THU", "THUR", "THURS", "THURSDAY"),
            ("FR", "FRI", "FRIDAY"),
            ("SA", "SAT", "SATURDAY"),
            ("SU", "SUN", "SUNDAY"),
        )
    )
    for name in names
}
_BYDAY_ENTRY = re.compile(r"([+-]?[0-9]{1,2})?\s*([A-Z]+)")
_CLOCK = re.compile(
    r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,][0-9]+)?)?\s*(?:(Z)|([+-])([0-9]{2})(?::?([0-9]{2}))?)?",
    re.IGNORECASE,
)
_DATE = re.compile(r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})(?:[T ].*)?", re.DOTALL)
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*")
_INTEGER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
_MAX_OFFSET_HOURS = 14


class ScheduleError(ValueError):
    """The caller asked in a way that can't be answered (a naive datetime, an unknown time zone).
    Never raised for schedule data. `message` says what went wrong."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _Unusable(Exception):
    """A schedule field that can't be read; the schedule is skipped."""


# --- Reading schedules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """A clock time from `opens_at`/`closes_at`: `wall` is the time on the clock, `offset` the UTC
    offset written with it (None when none was), `end_of_day` marks "24:00"."""

    wall: time
    offset: timedelta | None = None
    end_of_day: bool = False


@dataclass(frozen=True)
class Recurrence:
    """The days of a schedule, an RFC 5545 rule reduced to dates. `byday` holds (weekday, ordinal) with
    Monday 0 and ordinal 0 for "every"; `bymonth` only ever comes from `dtstart` (a YEARLY rule with no
    day parts); `last` is the COUNT-th occurrence when `count` is set."""

    freq: str
    interval: int = 1
    dtstart: date | None = None
    until: date | None = None
    count: int | None = None
    wkst: int = 0
    byday: tuple[tuple[int, int], ...] = ()
    bymonthday: tuple[int, ...] = ()
    byyearday: tuple[int, ...] = ()
    byweekno: tuple[int, ...] = ()
    bymonth: tuple[int, ...] = ()
    last: date | None = field(default=None, compare=False)

    def occurs_on(self, day: date) -> bool:
        """Whether the rule has an occurrence on `day`."""
        if self.dtstart is not None and day < self.dtstart:
            return False
        if self.until is not None and day > self.until:
            return False
        if self.last is not None and day > self.last:
            return False
        try:
            return self.matches(day)
        except (OverflowError, ValueError):
            # Week numbers at the very ends of the calendar (years 1 and 9999) can't be worked out.
            return False

    def matches(self, day: date) -> bool:
        """Whether `day` fits the rule's pattern and period, leaving out its start, end and count."""
        if self.interval > 1 and self.dtstart is not None and self._period_index(day) % self.interval:
            return False
        if self.bymonth and day.month not in self.bymonth:
            return False
        if self.byday and not any(self._weekday_fits(day, weekday, n) for weekday, n in self.byday):
            return False
        if self.bymonthday and not _counted_fits(
            day.day, calendar.monthrange(day.year, day.month)[1], self.bymonthday
        ):
            return False
        if self.byyearday and not _counted_fits(
            day.timetuple().tm_yday, 366 if calendar.isleap(day.year) else 365, self.byyearday
        ):
            return False
        if self.byweekno:
            number, weeks = _week_number(day, self.wkst)
            if not _counted_fits(number, weeks, self.byweekno):
                return False
        return True

    def _period_index(self, day: date) -> int:
        start = self.dtstart
        if self.freq == "DAILY":
            return (day - start).days
        if self.freq == "WEEKLY":
            return (_week_start(day, self.wkst) - _week_start(start, self.wkst)).days // 7
        if self.freq == "MONTHLY":
            return (day.year - start.year) * 12 + day.month - start.month
        return day.year - start.year

    def next_day_in_phase(self, day: date) -> date | None:
        """The day after `day`, or the first day of the next period the interval lands on; None past the
        end of the calendar."""
        try:
            following = day + timedelta(days=1)
            if self.interval == 1 or self.dtstart is None:
                return following
            index = self._period_index(following)
            if index % self.interval == 0:
                return following
            target = index + self.interval - index % self.interval
            start = self.dtstart
            if self.freq == "DAILY":
                return start + timedelta(days=target)
            if self.freq == "WEEKLY":
                return _week_start(start, self.wkst) + timedelta(days=7 * target)
            if self.freq == "MONTHLY":
                years, month = divmod(start.month - 1 + target, 12)
                return date(start.year + years, month + 1, 1)
            return date(start.year + target, 1, 1)
        except (OverflowError, ValueError):
            return None

    def _weekday_fits(self, day: date, weekday: int, n: int) -> bool:
        if day.weekday() != weekday:
            return False
        if n == 0 or self.freq in ("DAILY", "WEEKLY"):
            return True
        if self.freq == "MONTHLY" or self.bymonth:
            position, length = day.day, calendar.monthrange(day.year, day.month)[1]
        else:
            position, length = day.timetuple().tm_yday, 366 if calendar.isleap(day.year) else 365
        if n > 0:
            return (position - 1) // 7 + 1 == n
        return (length - position) // 7 + 1 == -n


@dataclass(frozen=True)
class OpeningHours:
    """A readable schedule: which days (`recurrence`), which hours, between which dates, and the time
    zone information it carries (`utc_offset` from a numeric `timezone`, `zone` from an IANA name)."""

    recurrence: Recurrence
    opens: Clock
    closes: Clock
    valid_from: date | None = None
    valid_to: date | None = None
    utc_offset: timedelta | None = None
    zone: tzinfo | None = None

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


def _field(schedule: Any, name: str) -> Any:
    value = schedule.get(name) if isinstance(schedule, Mapping) else getattr(schedule, name, None)
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _integer(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Unusable
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise _Unusable
    if isinstance(value, Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
        raise _Unusable
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip().split(".")[0])
    raise _Unusable


def _positive(value: Any) -> int | None:
    number = _integer(value)
    if number is not None and number < 1:
        raise _Unusable
    return number


def _parts(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _numbers(value: Any, limit: int) -> tuple[int, ...]:
    numbers = []
    for part in _parts(value):
        number = _integer(part)
        if number is None or number == 0 or abs(number) > limit:
            raise _Unusable
        numbers.append(number)
    return tuple(numbers)


def _weekday(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.strip().upper() not in _DAY_NAMES:
        raise _Unusable
    return _DAY_NAMES[value.strip().upper()]


def _byday(value: Any) -> tuple[tuple[int, int], ...]:
    entries = []
    for part in _parts(value):
        if not isinstance(part, str):
            raise _Unusable
        match = _BYDAY_ENTRY.fullmatch(part.strip().upper())
        if not match or match.group(2) not in _DAY_NAMES:
            raise _Unusable
        n = int(match.group(1)) if match.group(1) else 0
        if match.group(1) and (n == 0 or abs(n) > 53):
            raise _Unusable
        entries.append((_DAY_NAMES[match.group(2)], n))
    return tuple(entries)


def _date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = _DATE.fullmatch(value.strip())
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                raise _Unusable from None
    raise _Unusable


def _clock(value: Any) -> Clock | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        raise _Unusable
    if isinstance(value, time):
        offset = value.utcoffset() if value.tzinfo is not None else None
        return Clock(wall=value.replace(tzinfo=None, fold=0), offset=offset)
    if not isinstance(value, str):
        raise _Unusable
    match = _CLOCK.fullmatch(value.strip())
    if not match:
        raise _Unusable
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    offset = None
    if match.group(4):
        offset = timedelta(0)
    elif match.group(5):
        offset = timedelta(hours=int(match.group(6)), minutes=int(match.group(7) or 0))
        if match.group(5) == "-":
            offset = -offset
        if abs(offset) >= timedelta(hours=24) or int(match.group(7) or 0) > 59:
            raise _Unusable
    if hour == 24 and minute == 0 and second == 0:
        return Clock(wall=time(0), offset=offset, end_of_day=True)
    if hour > 23 or minute > 59 or second > 59:
        raise _Unusable
    return Clock(wall=time(hour, minute, second), offset=offset)


def _zone_name(name: str) -> ZoneInfo | None:
    # Only names shaped like zone keys reach ZoneInfo, which reads them as paths under the tz database.
    if len(name) > 64 or not _ZONE_NAME.fullmatch(name):
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        return None


def _timezone_hint(value: Any) -> tuple[timedelta | None, tzinfo | None]:
    if value is None:
        return None, None
    if isinstance(value, bool):
        raise _Unusable
    hours: float | None = None
    if isinstance(value, int | float | Decimal):
        try:
            hours = float(value)
        except (OverflowError, ValueError):
            raise _Unusable from None
    elif isinstance(value, str):
        text = value.strip()
        try:
            hours = float(text)
        except ValueError:
            zone = _zone_name(text)
            if zone is None:
                raise _Unusable from None
            return None, zone
    else:
        raise _Unusable
    if not (math.isfinite(hours) and abs(hours) <= _MAX_OFFSET_HOURS):
        raise _Unusable
    return timedelta(minutes=round(hours * 60)), None


def _recurrence(schedule: Any) -> Recurrence:
    byday = _byday(_field(schedule, "byday"))
    bymonthday = _numbers(_field(schedule, "bymonthday"), 31)
    byyearday = _numbers(_field(schedule, "byyearday"), 366)
    byweekno = _numbers(_field(schedule, "byweekno"), 53)
    dtstart = _date(_field(schedule, "dtstart"))
    until = _date(_field(schedule, "until"))
    count = _positive(_field(schedule, "count"))
    interval = _positive(_field(schedule, "interval")) or 1
    wkst = _weekday(_field(schedule, "wkst"))
    freq_value = _field(schedule, "freq")
    has_parts = bool(byday or bymonthday or byyearday or byweekno)
    if freq_value is None:
        if any(n for _, n in byday) or bymonthday:
            freq = "MONTHLY"
        elif byday or byweekno:
            freq = "WEEKLY"
        elif byyearday:
            freq = "YEARLY"
        elif dtstart is not None and count is None and until is None and interval == 1:
            # A start date and no rule: that one day (RFC 5545 DTSTART without RRULE).
            freq, count = "DAILY", 1
        else:
            raise _Unusable
    elif isinstance(freq_value, str) and freq_value.strip().upper() in FREQUENCIES:
        freq = freq_value.strip().upper()
    else:
        raise _Unusable
    if dtstart is None and (interval > 1 or count is not None or (freq != "DAILY" and not has_parts)):
        raise _Unusable
    if dtstart is not None and until is not None and until < dtstart:
        raise _Unusable
    bymonth: tuple[int, ...] = ()
    if not has_parts and dtstart is not None:
        # RFC 5545: a rule without day parts repeats on dtstart's weekday, day of the month or date.
        if freq == "WEEKLY":
            byday = ((dtstart.weekday(), 0),)
        elif freq == "MONTHLY":
            bymonthday = (dtstart.day,)
        elif freq == "YEARLY":
            bymonth, bymonthday = (dtstart.month,), (dtstart.day,)
    rule = Recurrence(
        freq=freq,
        interval=interval,
        dtstart=dtstart,
        until=until,
        count=count,
        wkst=0 if wkst is None else wkst,
        byday=byday,
        bymonthday=bymonthday,
        byyearday=byyearday,
        byweekno=byweekno,
        bymonth=bymonth,
    )
    if count is None:
        return rule
    return replace(rule, last=_count_limit(rule))


def _count_limit(rule: Recurrence) -> date | None:
    # The COUNT-th occurrence, stepping through the days of in-phase periods from dtstart; None when
    # `until` (or the end of the calendar) ends the rule first.
    day, seen = rule.dtstart, 0
    for _ in range(COUNT_SEARCH_STEPS):
        if day is None or (rule.until is not None and day > rule.until):
            return None
        if rule.occurs_on(day):
            seen += 1
            if seen == rule.count:
                return day
        day = rule.next_day_in_phase(day)
    raise _Unusable


def read_schedule(schedule: Any) -> OpeningHours | None:
    """The opening hours of one HSDS schedule (a mapping, or an object with the HSDS field names), or None
    when it can't be used: no `opens_at` or `closes_at`, no rule for the days, or a field that can't be
    read. Never raises for the schedule's content."""
    if isinstance(schedule, OpeningHours):
        return schedule
    try:
        opens = _clock(_field(schedule, "opens_at"))
        closes = _clock(_field(schedule, "closes_at"))
        if opens is None or closes is None or opens.end_of_day:
            return None
        valid_from = _date(_field(schedule, "valid_from"))
        valid_to = _date(_field(schedule, "valid_to"))
        if valid_from is not None and valid_to is not None and valid_to < valid_from:
            return None
        utc_offset, zone = _timezone_hint(_field(schedule, "timezone"))
        return OpeningHours(
            recurrence=_recurrence(schedule),
            opens=opens,
            closes=closes,
            valid_from=valid_from,
            valid_to=valid_to,
            utc_offset=utc_offset,
            zone=zone,
        )
    except _Unusable:
        return None


def read_schedules(schedules: Iterable[Any] | Mapping[str, Any] | None) -> list[OpeningHours]:
    """The readable schedules among `schedules` (a single mapping counts as one schedule)."""
    if schedules is None:
        return []
    if isinstance(schedules, Mapping | OpeningHours):
        schedules = [schedules]
    try:
        items = list(schedules)
    except TypeError:
        raise ScheduleError("Schedules must be a list of schedules.") from None
    return [hours for hours in map(read_schedule, items) if hours is not None]


# --- Dates and clocks -----------------------------------------------------------------------------------


def _counted_fits(position: int, length: int, wanted: tuple[int, ...]) -> bool:
    # RFC 5545 counts from the start (1, 2, ...) or from the end (-1 is the last).
    return position in wanted or position - length - 1 in wanted


def _week_start(day: date, wkst: int) -> date:
    return day - timedelta(days=(day.weekday() - wkst) % 7)


def _first_week_start(year: int, wkst: int) -> date:
    # RFC 5545: week 1 is the first week (starting on wkst) with at least four days in the year.
    new_year = date(year, 1, 1)
    lead = (new_year.weekday() - wkst) % 7
    start = new_year - timedelta(days=lead)
    return start if lead <= 3 else start + timedelta(days=7)


def _week_number(day: date, wkst: int) -> tuple[int, int]:
    # The week number of `day` and the number of weeks in its week-numbering year.
    year = day.year
    start = _first_week_start(year, wkst)
    if day < start:
        year -= 1
        start = _first_week_start(year, wkst)
    else:
        following = _first_week_start(year + 1, wkst)
        if day >= following:
            year += 1
            start = following
    weeks = (_first_week_start(year + 1, wkst) - start).days // 7
    return (day - start).days // 7 + 1, weeks


@lru_cache(maxsize=256)
def _offsets_in_use(zone: tzinfo, year: int) -> frozenset[timedelta | None]:
    return frozenset(datetime(year, month, 1, 12, tzinfo=zone).utcoffset() for month in (1, 7))


def _frame(clock: Clock, hours: OpeningHours, base: tzinfo, day: date) -> tzinfo:
    zone = hours.zone or base
    offset = clock.offset if clock.offset is not None else hours.utc_offset
    if offset is None or offset in _offsets_in_use(zone, day.year):
        return zone
    return timezone(offset)


def _instant(wall: datetime, zone: tzinfo) -> datetime:
    """The first moment (in UTC) at which the clock in `zone` shows `wall`, or, if the clocks skip it,
    the moment they jump past it."""
    if isinstance(zone, timezone):
        return wall.replace(tzinfo=zone).astimezone(UTC)
    earlier = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if earlier.astimezone(zone).replace(tzinfo=None) == wall:
        return earlier
    # Skipped: fold=1 reads `wall` with the offset after the change (before the jump), fold=0 with the
    # offset before it (after the jump). The jump lies between; find it to the second.
    low, high = sorted((wall.replace(tzinfo=zone, fold=1).astimezone(UTC), earlier))
    steps = int((high - low).total_seconds())
    while steps > 1:
        middle = low + timedelta(seconds=steps // 2)
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
        steps = int((high - low).total_seconds())
    return high


def _period(hours: OpeningHours, day: date, base: tzinfo) -> tuple[datetime, datetime]:
    opens = _instant(datetime.combine(day, hours.opens.wall), _frame(hours.opens, hours, base, day))
    if hours.closes.end_of_day or hours.closes.wall <= hours.opens.wall:
        close_day = day + timedelta(days=1)
    else:
        close_day = day
    closes = _instant(datetime.combine(close_day, hours.closes.wall), _frame(hours.closes, hours, base, day))
    return opens, closes


def _zone(zone: str | tzinfo) -> tzinfo:
    if isinstance(zone, tzinfo):
        return zone
    found = _zone_name(zone) if isinstance(zone, str) else None
    if found is None:
        raise ScheduleError(f"“{zone}” isn't a time zone name (an IANA name such as Europe/London).")
    return found


def _moment(at: datetime) -> datetime:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ScheduleError("The moment must be a datetime with a time zone.")
    return at.astimezone(UTC)


def _days_around(moment: datetime, zone: tzinfo, before: int, after: int) -> list[date]:
    # Local days whose openings could cover `moment`: an opening ends within two days of its start, and a
    # literal offset can put a schedule's day up to a day either side of the zone's.
    local = moment.astimezone(zone).date()
    days = []
    for shift in range(-before, after + 1):
        try:
            days.append(local + timedelta(days=shift))
        except OverflowError:
            continue
    return days


def _periods_on(hours: OpeningHours, day: date, base: tzinfo) -> tuple[datetime, datetime] | None:
    if not (hours.in_force(day) and hours.recurrence.occurs_on(day)):
        return None
    try:
        return _period(hours, day, base)
    except (OverflowError, ValueError):
        return None


# --- Questions ------------------------------------------------------------------------------------------


def is_open(schedules: Iterable[Any] | None, at: datetime, zone: str | tzinfo) -> bool | None:
    """Whether the service is open at the moment `at` (aware), its clock times read in `zone` (the
    location's IANA time zone, "Europe/London").

    True when an opening of any readable schedule covers `at`; False when none does but at least one
    readable schedule is in force on that day (between its `valid_from` and `valid_to`); None when no
    schedule can say (none readable, or none in force): unknown, which a search treats as "not known to be
    open". Raises `ScheduleError` only for a naive `at` or an unknown `zone`.
    """
    base, moment = _zone(zone), _moment(at)
    known = False
    for hours in read_schedules(schedules):
        frame = hours.zone or base
        for day in _days_around(moment, frame, 3, 2):
            period = _periods_on(hours, day, base)
            if period is not None and period[0] <= moment < period[1]:
                return True
        if hours.in_force(moment.astimezone(frame).date()):
            known = True
    return False if known else None


def opening_periods(
    schedules: Iterable[Any] | None, start: datetime, end: datetime, zone: str | tzinfo
) -> list[tuple[datetime, datetime]]:
    """The openings (start, end) that overlap [`start`, `end`), earliest first, in `zone`'s time. Openings
    of different schedules are listed as they are, even where they overlap. (Python subtracts and compares
    two datetimes of the same zone by their clock times: convert to UTC for a real duration.)"""
    base, first, last = _zone(zone), _moment(start), _moment(end)
    found = set()
    for hours in read_schedules(schedules):
        frame = hours.zone or base
        local_first = first.astimezone(frame).date()
        span = max(0, (last.astimezone(frame).date() - local_first).days)
        for day in _days_around(first, frame, 3, span + 2):
            period = _periods_on(hours, day, base)
            if period is not None and period[0] < last and period[1] > first and period[0] < period[1]:
                found.add(period)
    return [(opens.astimezone(base), closes.astimezone(base)) for opens, closes in sorted(found)]


def next_opening(
    schedules: Iterable[Any] | None,
    at: datetime,
    zone: str | tzinfo,
    *,
    within_days: int = NEXT_OPENING_DAYS,
) -> datetime | None:
    """The first moment at or after `at` when an opening starts, in `zone`'s time, looking up to
    `within_days` ahead; None when there is none. While the service is open this is the start of the
    next opening, not of the current one."""
    base, moment = _zone(zone), _moment(at)
    readable = read_schedules(schedules)
    best: datetime | None = None
    for day in _days_around(moment, base, 3, max(0, within_days)):
        if best is not None and day > best.astimezone(base).date() + timedelta(days=3):
            break
        for hours in readable:
            period = _periods_on(hours, day, base)
            if period is None or period[0] >= period[1] or period[0] < moment:
                continue
            if best is None or period[0] < best:
                best = period[0]
    return None if best is None else best.astimezone(base)
