"""Reading the impact figures: every activity's figures, protected table by table (disclosure.py), kept in
the cache until something they count changes (signals.py), and the figures of one scope (a period, and
optionally one Gathering, course or series) as the pages, CSV files, report and API show them."""

from __future__ import annotations

import secrets
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.utils.translation import gettext as _

from . import figures as source
from .disclosure import TOTAL, Grid, Protection, protect
from .measures import TABLES, Table
from .periods import Period, Quarter

ROOT = "network"
VERSION_KEY = "impact:version"
# Changes that send no signal (bulk writes) show once the version expires.
VERSION_SECONDS = 600
BUNDLE_KEY = "impact:bundle:"
SCOPES_KEPT = 500  # the scopes' tables this process keeps for the current version
_memo: dict[str, Bundle] = {}
_lock = threading.Lock()


@dataclass
class TableData:
    """One table over the whole network: the hierarchy and its protected counts (and amounts)."""

    table: Table
    grid: Grid
    counts: Protection
    money: Protection | None
    quarters: dict[str, list[str]]  # quarter key -> its activities
    years: dict[int, list[str]]  # year -> its quarter keys


@dataclass
class Bundle:
    version: str
    activities: list[source.Activity]
    tables: dict[str, TableData] = field(default_factory=dict)
    scopes: dict[tuple, list[ScopeTable]] = field(default_factory=dict)

    @cached_property
    def by_key(self) -> dict[str, source.Activity]:
        return {activity.key: activity for activity in self.activities}

    def years(self) -> list[int]:
        return sorted({activity.starts_on.year for activity in self.activities})

    def courses(self) -> list[tuple[str, str]]:
        found = {a.course_slug: a.course_title for a in self.activities if a.course_slug}
        return sorted(found.items(), key=lambda item: (item[1] or "", item[0]))


def version() -> str:
    """The token of the figures' current version: replaced whenever something they count changes."""
    token = cache.get(VERSION_KEY)
    if token is None:
        token = secrets.token_hex(8)
        if not cache.add(VERSION_KEY, token, timeout=VERSION_SECONDS):
            token = cache.get(VERSION_KEY) or token
    return token


def figures_changed() -> None:
    cache.set(VERSION_KEY, secrets.token_hex(8), timeout=VERSION_SECONDS)


def bundle() -> Bundle:
    """Every activity's figures, protected: from this process's memory, the shared cache, or counted anew."""
    token = version()
    found = _memo.get(token)
    if found is not None:
        return found
    with _lock:
        found = _memo.get(token) or cache.get(BUNDLE_KEY + token)
        if found is None:
            found = build(token)
            cache.set(BUNDLE_KEY + token, found, timeout=24 * 3600)
        _memo.clear()
        _memo[token] = found
    return found


def build(token: str = "") -> Bundle:
    activities = source.activities()
    raw = source.figures_for(activities)
    built = Bundle(version=token, activities=activities)
    for table in TABLES:
        built.tables[table.key] = _protect_table(table, activities, raw)
    return built


def _protect_table(table: Table, activities: Sequence[source.Activity], raw: dict) -> TableData:
    members = [a for a in activities if a.kind in table.applies_to and table.key in raw.get(a.key, {})]
    columns = (*table.category_keys, TOTAL)
    parents: dict[str, str | None] = {ROOT: None}
    order: dict[str, int] = {}
    quarters: dict[str, list[str]] = defaultdict(list)
    years: dict[int, list[str]] = defaultdict(list)
    values: dict[tuple[str, str], int] = {}
    amounts: dict[tuple[str, str], int] = {}
    for position, activity in enumerate(members):
        quarter = Quarter.of(activity.starts_on)
        year_key = str(quarter.year)
        parents.setdefault(year_key, ROOT)
        parents.setdefault(quarter.key, year_key)
        order[year_key] = quarter.year
        order[quarter.key] = quarter.number
        parents[activity.key] = quarter.key
        order[activity.key] = position
        if activity.key not in quarters[quarter.key]:
            quarters[quarter.key].append(activity.key)
        if quarter.key not in years[quarter.year]:
            years[quarter.year].append(quarter.key)
        cells = raw[activity.key][table.key]
        for column in columns:
            count, money = cells[column]
            for node in (activity.key, quarter.key, year_key, ROOT):
                values[(node, column)] = values.get((node, column), 0) + count
                amounts[(node, column)] = amounts.get((node, column), 0) + money
    for column in columns:
        values.setdefault((ROOT, column), 0)
        amounts.setdefault((ROOT, column), 0)
    courses: dict[tuple[str, int | None], list[str]] = defaultdict(list)
    for activity in members:
        if activity.course_slug:
            courses[(activity.course_slug, None)].append(activity.key)
            courses[(activity.course_slug, activity.starts_on.year)].append(activity.key)
    periods = tuple(sorted(quarters, key=lambda key: (int(key[:4]), int(key[-1]))))
    grid = Grid(
        parents,
        table.category_keys,
        order,
        periods=periods,
        groups=tuple(tuple(keys) for keys in courses.values()),
    )
    counts = protect(grid, values)
    money = protect(grid, amounts, hidden=counts.hidden, primary=False) if table.money else None
    return TableData(table, grid, counts, money, dict(quarters), dict(years))


# ---------------------------------------------------------------- one scope


@dataclass(frozen=True)
class Scope:
    period: Period = field(default_factory=Period)
    activity: str = ""  # an activity's key: its own figures, whatever the period
    course: str = ""  # a course's slug: its cohorts in the period

    @property
    def key(self) -> tuple:
        return (self.period.first, self.period.last, self.activity, self.course)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int | None  # None: hidden
    percent: int | None = None
    money: int | None = None


@dataclass(frozen=True)
class ScopeTable:
    table: Table
    rows: tuple[Row, ...]
    total: Row
    mean: float | None = None  # for a 1-to-5 scale, when every answer's count is shown


def _nodes(data: TableData, bundle: Bundle, scope: Scope) -> list[str] | None:
    """The nodes whose sum is the scope's figure in this table; None when the table does not apply."""
    if scope.activity:
        return [scope.activity] if scope.activity in data.grid.parents else None
    period = scope.period
    quarters = [key for key in data.grid.periods if period.contains(_quarter(key))]
    if scope.course:
        activities = [key for quarter in quarters for key in data.quarters[quarter]]
        cohorts = [key for key in activities if bundle.by_key[key].course_slug == scope.course]
        return cohorts or None
    if not quarters:
        return None
    if len(quarters) == len(data.grid.periods):
        return [ROOT]
    for number, keys in data.years.items():
        if sorted(keys) == sorted(quarters):
            return [str(number)]
    return quarters


def _quarter(key: str) -> Quarter:
    return Quarter(int(key[:4]), int(key[-1]))


def _figure(protection: Protection, nodes: list[str], column: str) -> int | None:
    if len(nodes) == 1:
        return protection.shown(nodes[0], column)
    return protection.sum_of(nodes, column)


def scope_tables(scope: Scope, *, tables: Sequence[Table] = TABLES) -> list[ScopeTable]:
    """The scope's tables, with only shown figures; tables that do not apply to the scope are left out."""
    current = bundle()
    result = current.scopes.get(scope.key)
    if result is None:
        result = [shown for data in current.tables.values() if (shown := _scope_table(data, current, scope))]
        if len(current.scopes) >= SCOPES_KEPT:
            current.scopes.clear()
        current.scopes[scope.key] = result
    wanted = {table.key for table in tables}
    return [shown for shown in result if shown.table.key in wanted]


def _scope_table(data: TableData, current: Bundle, scope: Scope) -> ScopeTable | None:
    nodes = _nodes(data, current, scope)
    if nodes is None:
        return None
    table = data.table

    def row(key: str, label: str, total: int | None) -> Row:
        count = _figure(data.counts, nodes, key)
        money = _figure(data.money, nodes, key) if data.money is not None and count is not None else None
        percent = round(100 * count / total) if count is not None and total else None
        return Row(key, label, count, percent, money)

    total = row(TOTAL, str(table.total_label), None)
    rows = tuple(row(key, str(label), total.count) for key, label in table.categories)
    mean = None
    if table.ratings and rows and all(r.count is not None for r in rows) and total.count:
        mean = round(sum(int(r.key) * r.count for r in rows) / total.count, 1)
    return ScopeTable(table, rows, total, mean)


@dataclass(frozen=True)
class TimeRow:
    label: str
    period: Period
    count: int | None


def over_time(scope: Scope, table_key: str = "registrations") -> list[TimeRow]:
    """The table's total quarter by quarter within the scope's period (by year beyond three years)."""
    current = bundle()
    data = current.tables[table_key]
    quarters = [key for key in data.grid.periods if scope.period.contains(_quarter(key))]
    years = sorted({int(key[:4]) for key in quarters})
    if len(years) > 3:
        return [
            TimeRow(
                str(number),
                Period(Quarter(number, 1), Quarter(number, 4)),
                data.counts.shown(str(number), TOTAL),
            )
            for number in years
        ]
    return [
        TimeRow(_quarter(key).label, Period(_quarter(key), _quarter(key)), data.counts.shown(key, TOTAL))
        for key in quarters
    ]


def activities_in(scope: Scope) -> list[source.Activity]:
    current = bundle()
    return [a for a in current.activities if scope.period.contains(Quarter.of(a.starts_on))]


def describe(scope: Scope) -> str:
    current = bundle()
    if scope.activity:
        activity = current.by_key.get(scope.activity)
        return activity.title if activity else _("Unknown activity")
    if scope.course:
        title = dict(current.courses()).get(scope.course, scope.course)
        return _("%(course)s, %(period)s") % {"course": title, "period": scope.period.label}
    return _("The whole network, %(period)s") % {"period": scope.period.label}
