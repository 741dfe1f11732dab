"""Read, evaluate, write and solve CoSPLib conference-scheduling workbooks exactly as the library does."""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from pathlib import Path
from typing import Any

from gathering.optimise.timetable import InstanceError

# The 16 weights of the parameters sheet (E2..E17), in sheet order, with the labels the library's checker
# prints, so that our breakdowns can be compared with reference.csv word for word.
TERMS: tuple[str, ...] = (
    "Tracks_Sessions|Penalty",
    "Tracks_Rooms|Penalty",
    "Sessions_Rooms|Penalty",
    "Similar Tracks",
    "Rooms per track",
    "Parallel tracks",
    "Consecutive tracks",
    "Submissions_Timezones",
    "Submissions order",
    "Submissions_Sessions|Penalty",
    "Submissions_Rooms|Penalty",
    "Presenters conflicts [Session Level]",
    "Attendees conflicts [Session Level]",
    "Chairs conflicts",
    "Presenters conflicts [Timeslot Level]",
    "Attendees conflicts [Timeslot Level]",
)
(TS, TR, SR, SIM, NR, PAR, CON, TZ, ORD, SS, SRM, PC, AC, CC, PCT, ACT) = range(16)

SHEETS: tuple[str, ...] = (
    "parameters",
    "submissions",
    "tracks",
    "sessions",
    "rooms",
    "tracks_sessions|penalty",
    "tracks_rooms|penalty",
    "sessions_rooms|penalty",
    "similar tracks",
)

BAD_SLOT_COUNT = 10_000_000
SPLIT_SUBMISSION = 1_000_000_000


@dataclass(frozen=True)
class Submission:
    """One talk (or a block of talks) needing `required` consecutive timeslots in one session and room."""

    ref: str
    track: int
    required: int
    # None stands for a blank Order cell, which the library treats as ordered and never in place.
    order: int | None
    time_zone: str
    presenters: tuple[str, ...]
    attendees: tuple[str, ...]


@dataclass
class CosplibInstance:
    """A CoSPLib conference: tracks, sessions, rooms, submissions, penalty tables and the 16 weights."""

    name: str
    tracks: list[str]
    chairs: list[tuple[str, ...]]
    sessions: list[str]
    session_slots: list[int]
    rooms: list[str]
    submissions: list[Submission]
    weights: tuple[int, ...]
    pts: list[list[int]]  # [track][session]
    ptr: list[list[int]]  # [track][room]
    psr: list[list[int]]  # [session][room]
    ptt: list[list[int]]  # [track][track], symmetric, zero diagonal
    pss: list[list[int]]  # [submission][session]
    psrm: list[list[int]]  # [submission][room]
    ptz: list[list[int]]  # [submission][session]
    pconf: list[set[int]] = field(default_factory=list)
    aconf: list[set[int]] = field(default_factory=list)
    cconf: list[set[int]] = field(default_factory=list)

    @cached_property
    def track_submissions(self) -> list[list[int]]:
        """Submission indices of each track, in sheet order."""
        out: list[list[int]] = [[] for _ in self.tracks]
        for i, sub in enumerate(self.submissions):
            out[sub.track].append(i)
        return out


@dataclass
class CosplibSolution:
    """tracks[s][r]: track index (or None) of cell (s, r); cells[s][r][t]: submission index (or None)."""

    tracks: list[list[int | None]]
    cells: list[list[list[int | None]]]

    @classmethod
    def empty(cls, instance: CosplibInstance) -> CosplibSolution:
        """A solution with every cell empty."""
        n_rooms = len(instance.rooms)
        return cls(
            tracks=[[None] * n_rooms for _ in instance.sessions],
            cells=[[[None] * size for _ in range(n_rooms)] for size in instance.session_slots],
        )


@dataclass(frozen=True)
class CosplibEvaluation:
    """The library's objective, its flags, and the weighted value of every term with a positive weight."""

    objective: int
    feasible: bool
    valid: bool
    terms: dict[str, int]
    fixed: int

    def breakdown(self) -> str:
        """The non-zero terms in the `reference.csv` style, `name: value;...`."""
        return ";".join(f"{name}: {value}" for name, value in self.terms.items() if value)


class SolutionError(ValueError):
    """A CoSPLib solution workbook that cannot be read against its instance."""


# --------------------------------------------------------------------------------------------- reading


def _text(value: Any) -> str:
    """A cell as the string the library compares: text exactly as it stands (spaces, case and Unicode
    included), a blank cell as "", and integral floats without their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _names(value: Any) -> tuple[str, ...]:
    """A list of people as the library splits it: on ", " exactly, each name kept as it stands; empty
    names (a blank cell, or two separators in a row) are no one."""
    return tuple(name for name in _text(value).split(", ") if name)


def _near(name: str, names: list[str]) -> str:
    """A hint when `name` differs from one of `names` only in surrounding spaces or case."""
    for other in names:
        if name.strip().casefold() == other.strip().casefold():
            return f" (it differs from {other!r} only in spaces or case; names must match exactly)"
    return ""


def _mismatch(found: list[str], expected: list[str], what: str, source: str) -> tuple[int | None, str] | None:
    """None if `found` holds every name of sheet `source` once, compared exactly as the library compares
    them; otherwise the position in `found` of the first stray or repeated name (None when names are only
    missing) and what is wrong."""
    wanted, seen = set(expected), set()
    for j, name in enumerate(found):
        if name in seen:
            return j, f"{what} {name!r} appears twice"
        if name not in wanted:
            return j, f"{what} {name!r} is not a name in sheet '{source}'{_near(name, expected)}"
        seen.add(name)
    missing = [name for name in expected if name not in seen]
    if missing:
        return None, f"no {what} for {', '.join(map(repr, missing))} of sheet '{source}'"
    return None


def _int(value: Any, where: str, path: str, *, blank: int | None = 0) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return blank
    if isinstance(value, bool):
        raise InstanceError(path, where, f"expected an integer, found {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise InstanceError(path, where, f"expected an integer, found {value!r}")


def _minutes(value: Any, where: str, path: str) -> int:
    """Minutes after midnight of an Excel time, an `HH:MM` string, or a fraction of a day."""
    if isinstance(value, dt.datetime):
        raise InstanceError(path, where, f"expected a time of day, found the full date-time {value}")
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    if isinstance(value, float | int) and not isinstance(value, bool) and 0 <= value < 1:
        return round(value * 24 * 60)
    if isinstance(value, str):
        parts = value.strip().split(":")
        if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
            hours, minutes = int(parts[0]), int(parts[1])
            if 0 <= hours < 24 and 0 <= minutes < 60:
                return hours * 60 + minutes
    raise InstanceError(path, where, f"expected a time such as 09:30, found {value!r}")


def _gmt_offset(zone: str, where: str, path: str) -> int:
    """Whole hours east of GMT for `GMT±k` (or plain GMT/UTC)."""
    text = zone.strip().upper()
    if text in ("GMT", "UTC", "GMT+0", "GMT-0"):
        return 0
    for prefix in ("GMT", "UTC"):
        if text.startswith(prefix):
            rest = text[len(prefix) :]
            if rest[:1] in "+-" and rest[1:].isdigit() and int(rest[1:]) <= 14:
                return int(rest)
    raise InstanceError(path, where, f"expected a time zone such as GMT+2, found {zone!r}")


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    rows = [tuple(row) for row in ws.iter_rows(values_only=True)]
    # Spreadsheet tools often leave formatted but empty rows at the end; they carry no data.
    while rows and all(_text(v) == "" for v in rows[-1]):
        rows.pop()
    return rows


def _cell(row: tuple[Any, ...], col: int) -> Any:
    return row[col] if col < len(row) else None


def _col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _where(sheet: str, row: int, column: str) -> str:
    """Row is 0-based in code and 1-based for people, as Excel shows it."""
    return f"sheet '{sheet}', row {row + 1}, column {column}"


def _matrix(
    rows: list[tuple[Any, ...]], sheet: str, path: str, row_names: list[str], col_names: list[str]
) -> list[list[int]]:
    """A penalty table whose row labels and column headers are matched exactly to the names of the sheets
    its title joins (`tracks_rooms|penalty`: tracks by rooms); blank cells are 0."""
    row_source, col_source = sheet.split("|")[0].split("_")
    if not rows:
        raise InstanceError(path, f"sheet '{sheet}'", "the sheet is empty")
    if _text(_cell(rows[0], 0)):
        raise InstanceError(path, _where(sheet, 0, "A"), "cell A1 must be empty")
    header = [_text(v) for v in rows[0][1:]]
    while header and not header[-1]:
        header.pop()
    wrong = _mismatch(header, col_names, "column header", col_source)
    if wrong is not None:
        j, message = wrong
        raise InstanceError(path, _where(sheet, 0, _col_letter(1 if j is None else j + 1)), message)
    col_of = {name: j + 1 for j, name in enumerate(header)}
    labels = [_text(_cell(row, 0)) for row in rows[1:]]
    wrong = _mismatch(labels, row_names, "row label", row_source)
    if wrong is not None:
        i, message = wrong
        raise InstanceError(path, _where(sheet, 1 if i is None else i + 1, "A"), message)
    row_of = {name: i + 1 for i, name in enumerate(labels)}
    out = []
    for name in row_names:
        row = rows[row_of[name]]
        values = []
        for col_name in col_names:
            col = col_of[col_name]
            values.append(_int(_cell(row, col), _where(sheet, row_of[name], _col_letter(col)), path))
        out.append(values)
    return out


def read_cosplib(path: str | Path) -> CosplibInstance:
    """Read a CoSPLib instance workbook as the library reads it; errors name the file, sheet, row and column.

    Names (tracks, sessions, rooms, references, people) are kept exactly as they stand, spaces, case and
    Unicode included, and a name in one sheet must match its original in another exactly, as the library
    requires. Numbers and times are read leniently.
    """
    import openpyxl  # local: only this reader needs it, and it is slow to import

    path = Path(path)
    where_file = str(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a non-workbook; all mean the same to users
        raise InstanceError(where_file, "workbook", f"cannot open as an .xlsx workbook: {exc}") from exc
    try:
        missing = [name for name in SHEETS if name not in wb.sheetnames]
        if missing:
            raise InstanceError(where_file, "workbook", f"missing sheet(s): {', '.join(missing)}")
        sheets = {name: _rows(wb[name]) for name in SHEETS}
    finally:
        wb.close()
    name = path.stem
    return _build_instance(name, where_file, sheets)


def _unique(names: list[str], sheet: str, path: str, col: str, first_row: int) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if not name:
            raise InstanceError(path, _where(sheet, first_row + i, col), "the name is empty")
        if name in seen:
            raise InstanceError(path, _where(sheet, first_row + i, col), f"duplicate name {name!r}")
        seen.add(name)


def _build_instance(name: str, path: str, sheets: dict[str, list[tuple[Any, ...]]]) -> CosplibInstance:
    # tracks, sessions, rooms first: the other sheets are matched against their names.
    track_rows = sheets["tracks"]
    if not track_rows or [_text(v) for v in track_rows[0][:2]] != ["Tracks", "Chairs"]:
        raise InstanceError(path, _where("tracks", 0, "A"), "the headers must be 'Tracks' and 'Chairs'")
    tracks = [_text(_cell(r, 0)) for r in track_rows[1:]]
    _unique(tracks, "tracks", path, "A", 1)
    chairs = [_names(_cell(r, 1)) for r in track_rows[1:]]

    session_rows = sheets["sessions"][1:]
    sessions = [_text(_cell(r, 0)) for r in session_rows]
    _unique(sessions, "sessions", path, "A", 1)
    session_slots: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, row in enumerate(session_rows):
        slots = _int(_cell(row, 1), _where("sessions", i + 1, "B"), path, blank=None)
        if slots is None or slots < 1:
            raise InstanceError(path, _where("sessions", i + 1, "B"), "the number of timeslots must be >= 1")
        session_slots.append(slots)
        starts.append(_minutes(_cell(row, 3), _where("sessions", i + 1, "D"), path))
        ends.append(_minutes(_cell(row, 4), _where("sessions", i + 1, "E"), path))

    rooms = [_text(_cell(r, 0)) for r in sheets["rooms"][1:]]
    _unique(rooms, "rooms", path, "A", 1)
    if not sessions or not rooms or not tracks:
        raise InstanceError(path, "workbook", "needs at least one track, session and room")

    params = sheets["parameters"]

    def param(row: int, col: int) -> Any:
        return _cell(params[row], col) if row < len(params) else None

    weights = tuple(_int(param(r, 4), _where("parameters", r, "E"), path) or 0 for r in range(1, 17))
    if any(w < 0 for w in weights):
        raise InstanceError(path, _where("parameters", 1, "E"), "weights must not be negative")
    zone_mapping = _text(param(0, 1)) == ""
    conf_offset = _gmt_offset(_text(param(1, 1)).strip() or "GMT+0", _where("parameters", 1, "B"), path)
    suit_from = _minutes(param(3, 1), _where("parameters", 3, "B"), path)
    suit_to = _minutes(param(4, 1), _where("parameters", 4, "B"), path)
    less_from = _minutes(param(6, 1), _where("parameters", 6, "B"), path)
    less_to = _minutes(param(7, 1), _where("parameters", 7, "B"), path)
    small = _int(param(8, 1), _where("parameters", 8, "B"), path) or 0
    big = _int(param(10, 1), _where("parameters", 10, "B"), path) or 0

    sub_rows = sheets["submissions"]
    if not sub_rows:
        raise InstanceError(path, "sheet 'submissions'", "the sheet is empty")
    header = [_text(v) for v in sub_rows[0]]
    if _text(_cell(sub_rows[0], 1)) != "Track":
        raise InstanceError(path, _where("submissions", 0, "B"), "the header must read 'Track'")
    if _text(_cell(sub_rows[0], 4)) != "Time Zone":
        raise InstanceError(path, _where("submissions", 0, "E"), "the header must read 'Time Zone'")
    extra = header[7:]
    while extra and not extra[-1]:
        extra.pop()
    layout = "after column G come one column per session, then one per room, headed by their names"
    if len(extra) != len(sessions) + len(rooms):
        raise InstanceError(path, _where("submissions", 0, "H"), layout)
    for first, names, what in ((0, sessions, "session"), (len(sessions), rooms, "room")):
        wrong = _mismatch(extra[first : first + len(names)], names, "column header", f"{what}s")
        if wrong is not None:
            j, message = wrong
            col = _col_letter(7 + first + (0 if j is None else j))
            raise InstanceError(path, _where("submissions", 0, col), f"{message}; {layout}")
    session_col = {n: 7 + j for j, n in enumerate(extra[: len(sessions)])}
    room_col = {n: 7 + len(sessions) + j for j, n in enumerate(extra[len(sessions) :])}
    track_index = {t: k for k, t in enumerate(tracks)}
    submissions: list[Submission] = []
    pss: list[list[int]] = []
    psrm: list[list[int]] = []
    ptz: list[list[int]] = []
    refs: set[str] = set()
    for i, row in enumerate(sub_rows[1:], start=1):
        ref = _text(_cell(row, 0))
        if not ref:
            raise InstanceError(path, _where("submissions", i, "A (Reference)"), "the reference is empty")
        if ref in refs:
            raise InstanceError(
                path, _where("submissions", i, "A (Reference)"), f"duplicate reference {ref!r}"
            )
        refs.add(ref)
        track = _text(_cell(row, 1))
        if track not in track_index:
            raise InstanceError(
                path, _where("submissions", i, "B (Track)"), f"unknown track {track!r}{_near(track, tracks)}"
            )
        required = _int(_cell(row, 2), _where("submissions", i, "C (Required Timeslots)"), path, blank=None)
        if required is None or required < 1:
            raise InstanceError(
                path, _where("submissions", i, "C (Required Timeslots)"), "must be an integer >= 1"
            )
        order = _int(_cell(row, 3), _where("submissions", i, "D (Order)"), path, blank=None)
        zone = _text(_cell(row, 4)).strip() or "GMT+0"
        offset = _gmt_offset(zone, _where("submissions", i, "E (Time Zone)"), path)
        submissions.append(
            Submission(
                ref, track_index[track], required, order, zone, _names(_cell(row, 5)), _names(_cell(row, 6))
            )
        )
        pss.append(
            [
                _int(_cell(row, session_col[s]), _where("submissions", i, _col_letter(session_col[s])), path)
                or 0
                for s in sessions
            ]
        )
        psrm.append(
            [
                _int(_cell(row, room_col[r]), _where("submissions", i, _col_letter(room_col[r])), path) or 0
                for r in rooms
            ]
        )
        shift = (offset - conf_offset) * 60
        row_tz = []
        for start, end in zip(starts, ends, strict=True):
            if not zone_mapping:
                row_tz.append(0)
                continue
            st = (start + shift) % 1440
            en = (end + shift) % 1440
            if st < less_from or en > less_to or en < less_from:
                row_tz.append(big)
            elif less_from <= st < suit_from or suit_to < en <= less_to:
                row_tz.append(small)
            else:
                row_tz.append(0)
        ptz.append(row_tz)
    if not submissions:
        raise InstanceError(path, "sheet 'submissions'", "there are no submissions")
    for k, track in enumerate(tracks):
        if not any(sub.track == k for sub in submissions):
            raise InstanceError(path, _where("tracks", k + 1, "A"), f"track {track!r} has no submission")

    pts = _matrix(sheets["tracks_sessions|penalty"], "tracks_sessions|penalty", path, tracks, sessions)
    ptr = _matrix(sheets["tracks_rooms|penalty"], "tracks_rooms|penalty", path, tracks, rooms)
    psr = _matrix(sheets["sessions_rooms|penalty"], "sessions_rooms|penalty", path, sessions, rooms)

    sim_rows = sheets["similar tracks"][1:]
    sim_labels = [_text(_cell(r, 0)) for r in sim_rows]
    wrong = _mismatch(sim_labels, tracks, "row label", "tracks")
    if wrong is not None:
        i, message = wrong
        raise InstanceError(path, _where("similar tracks", 1 if i is None else i + 1, "A"), message)
    ptt = [[0] * len(tracks) for _ in tracks]
    # Only the upper triangle counts (data column j is the track of data row j), mirrored to both orders.
    for a, row in enumerate(sim_rows):
        for b in range(a + 1, len(sim_rows)):
            value = _int(_cell(row, b + 1), _where("similar tracks", a + 1, _col_letter(b + 1)), path) or 0
            ka, kb = track_index[sim_labels[a]], track_index[sim_labels[b]]
            ptt[ka][kb] = ptt[kb][ka] = value

    capacity = sum(session_slots) * len(rooms)
    needed = sum(sub.required for sub in submissions)
    if capacity < needed:
        raise InstanceError(
            path, "sheet 'sessions'", f"{capacity} room-timeslots cannot hold {needed} required"
        )

    instance = CosplibInstance(
        name=name,
        tracks=tracks,
        chairs=chairs,
        sessions=sessions,
        session_slots=session_slots,
        rooms=rooms,
        submissions=submissions,
        weights=weights,
        pts=pts,
        ptr=ptr,
        psr=psr,
        ptt=ptt,
        pss=pss,
        psrm=psrm,
        ptz=ptz,
    )
    _derive_conflicts(instance)
    return instance


def _derive_conflicts(instance: CosplibInstance) -> None:
    subs = instance.submissions
    n = len(subs)
    chairs_of_track = [set(c) - {""} for c in instance.chairs]
    by_presenter: dict[str, set[int]] = defaultdict(set)
    by_attendee: dict[str, set[int]] = defaultdict(set)
    chairing: dict[str, set[int]] = defaultdict(set)  # person -> tracks chaired
    for i, sub in enumerate(subs):
        for p in sub.presenters:
            by_presenter[p].add(i)
        for a in sub.attendees:
            by_attendee[a].add(i)
    for k, chairs in enumerate(chairs_of_track):
        for c in chairs:
            chairing[c].add(k)
    track_subs = instance.track_submissions
    pconf: list[set[int]] = [set() for _ in range(n)]
    aconf: list[set[int]] = [set() for _ in range(n)]

    def link(rel: list[set[int]], i: int, j: int) -> None:
        if i != j:
            rel[i].add(j)
            rel[j].add(i)

    for i, sub in enumerate(subs):
        for p in sub.presenters:
            for j in by_presenter[p]:
                link(pconf, i, j)
            for k in chairing.get(p, ()):
                if k != sub.track:
                    for j in track_subs[k]:
                        link(pconf, i, j)
        for a in sub.attendees:
            for j in by_attendee[a]:
                link(aconf, i, j)
            for j in by_presenter.get(a, ()):
                link(aconf, i, j)
            for k in chairing.get(a, ()):
                if k != sub.track:
                    for j in track_subs[k]:
                        link(aconf, i, j)
    cconf: list[set[int]] = [set() for _ in instance.tracks]
    for k, other in combinations(range(len(instance.tracks)), 2):
        if chairs_of_track[k] & chairs_of_track[other]:
            cconf[k].add(other)
            cconf[other].add(k)
    instance.pconf, instance.aconf, instance.cconf = pconf, aconf, cconf


# ------------------------------------------------------------------------------------------- evaluation


def _pairs(items: list[int], rel: list[set[int]]) -> int:
    count = 0
    for a in range(len(items)):
        rel_a = rel[items[a]]
        for b in range(a + 1, len(items)):
            if items[b] in rel_a:
                count += 1
    return count


def evaluate(instance: CosplibInstance, solution: CosplibSolution) -> CosplibEvaluation:
    """The library's objective, flags and weighted terms for a solution (FORMAT.md (c))."""
    w = instance.weights
    subs = instance.submissions
    Y, X = solution.tracks, solution.cells
    n_sessions, n_rooms = len(instance.sessions), len(instance.rooms)
    f = [0] * 16

    track_rooms: dict[int, set[int]] = defaultdict(set)
    track_sessions: dict[int, set[int]] = defaultdict(set)
    for s in range(n_sessions):
        per_track: dict[int, int] = defaultdict(int)
        for r in range(n_rooms):
            k = Y[s][r]
            if k is None:
                continue
            f[TS] += instance.pts[k][s]
            f[TR] += instance.ptr[k][r]
            f[SR] += instance.psr[s][r]
            track_rooms[k].add(r)
            track_sessions[k].add(s)
            per_track[k] += 1
            for r2 in range(r + 1, n_rooms):
                k2 = Y[s][r2]
                if k2 is not None and k2 != k:
                    f[SIM] += instance.ptt[k][k2]
        f[PAR] += sum(c - 1 for c in per_track.values() if c > 1)
        if w[CC] > 0:
            chaired = [Y[s][r] for r in range(n_rooms) if Y[s][r] is not None and instance.cconf[Y[s][r]]]
            f[CC] += _pairs(chaired, instance.cconf)  # type: ignore[arg-type]
    f[NR] = sum(len(rooms) - 1 for rooms in track_rooms.values() if rooms)
    f[CON] = sum(1 for ss in track_sessions.values() if len(ss) >= 2 and max(ss) - min(ss) + 1 != len(ss))

    count = [0] * len(subs)
    slot_lists: dict[int, list[int]] = defaultdict(list)
    fixed = 0
    track_sequence: dict[int, list[int]] = defaultdict(list)
    track_seen: dict[int, set[int]] = defaultdict(set)
    for s in range(n_sessions):
        size = instance.session_slots[s]
        session_entries_p: list[tuple[int, int]] = []
        session_entries_a: list[tuple[int, int]] = []
        for r in range(n_rooms):
            k = Y[s][r]
            in_cell: dict[int, int] = defaultdict(int)
            for t in range(size):
                i = X[s][r][t]
                if i is None:
                    continue
                count[i] += 1
                in_cell[i] += 1
                f[TZ] += instance.ptz[i][s]
                f[SS] += instance.pss[i][s]
                f[SRM] += instance.psrm[i][r]
                if subs[i].required > 1:
                    slot_lists[i].append(t)
                if k is not None and i not in track_seen[k]:
                    track_seen[k].add(i)
                    track_sequence[k].append(i)
            for i, c in in_cell.items():
                if subs[i].required > 1 and c != subs[i].required:
                    fixed += BAD_SLOT_COUNT
                if instance.pconf[i]:
                    session_entries_p.append((i, r))
                if instance.aconf[i]:
                    session_entries_a.append((i, r))
        for entries, rel, term in (
            (session_entries_p, instance.pconf, PC),
            (session_entries_a, instance.aconf, AC),
        ):
            if w[term] <= 0:
                continue
            for a in range(len(entries)):
                ia, ra = entries[a]
                for b in range(a + 1, len(entries)):
                    ib, rb = entries[b]
                    if ra != rb and ib in rel[ia]:
                        f[term] += 1
        for t in range(size):
            at_slot: list[int] = []
            ordered_slot: list[int] = []
            for r in range(n_rooms):
                i = X[s][r][t] if t < len(X[s][r]) else None
                if i is None or i in at_slot:
                    continue
                at_slot.append(i)
                if Y[s][r] is not None and subs[i].order != 0:
                    ordered_slot.append(i)
            for a, b in combinations(ordered_slot, 2):
                if subs[a].track == subs[b].track:
                    f[ORD] += 1
            if w[PCT] > 0:
                f[PCT] += _pairs(at_slot, instance.pconf)
            if w[ACT] > 0:
                f[ACT] += _pairs(at_slot, instance.aconf)
    for sequence in track_sequence.values():
        for position, i in enumerate(sequence, start=1):
            order = subs[i].order
            if order != 0 and order != position:
                f[ORD] += 1
    for slots in slot_lists.values():
        if sum(slots) != sum(range(slots[0], slots[-1] + 1)):
            fixed += SPLIT_SUBMISSION
    if any(sub.required > 1 and count[i] == 0 for i, sub in enumerate(subs)):
        fixed = SPLIT_SUBMISSION

    terms = {TERMS[k]: w[k] * f[k] for k in range(16) if w[k] > 0}
    objective = sum(terms.values()) + fixed
    feasible = all(count[i] == sub.required for i, sub in enumerate(subs))
    valid = all(
        X[s][r][t] is None or Y[s][r] is None or subs[X[s][r][t]].track == Y[s][r]  # type: ignore[index]
        for s in range(n_sessions)
        for r in range(n_rooms)
        for t in range(instance.session_slots[s])
    )
    return CosplibEvaluation(objective, feasible, valid, terms, fixed)


# ------------------------------------------------------------------------------------- solution files


def read_solution(instance: CosplibInstance, path: str | Path) -> CosplibSolution:
    """Read a solution workbook as the library does: first sheet, fixed row layout, names matched exactly."""
    import openpyxl

    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any failure to open means "not a workbook" to the user
        raise SolutionError(f"{path}: cannot open as an .xlsx workbook: {exc}") from exc
    try:
        sheet = wb.worksheets[0]
        title = sheet.title
        rows = _rows(sheet)
    finally:
        wb.close()
    n_sessions, n_rooms = len(instance.sessions), len(instance.rooms)
    needed = n_sessions + 2 + sum(instance.session_slots)
    if len(rows) < needed:
        raise SolutionError(f"{path}: sheet '{title}' has {len(rows)} rows; the instance needs {needed}")
    track_index = {t: k for k, t in enumerate(instance.tracks)}
    sub_index = {sub.ref: i for i, sub in enumerate(instance.submissions)}
    solution = CosplibSolution.empty(instance)

    def lookup(row: int, col: int, names: dict[str, int], what: str) -> int | None:
        value = _text(_cell(rows[row], col))
        if not value:
            return None
        if value not in names:
            raise SolutionError(
                f"{path}: sheet '{title}', row {row + 1}, column {_col_letter(col)}: unknown {what} {value!r}"
                + _near(value, list(names))
            )
        return names[value]

    for row in rows:
        # The library indexes columns 0..R only and fails on a wider sheet; say so instead of misreading.
        if any(_text(v) for v in row[n_rooms + 1 :]):
            raise SolutionError(
                f"{path}: sheet '{title}' is wider than the {n_rooms} rooms plus a label column"
            )
    for s in range(n_sessions):
        for r in range(n_rooms):
            solution.tracks[s][r] = lookup(s + 1, r + 1, track_index, "track")
    row = n_sessions + 2
    for s in range(n_sessions):
        for t in range(instance.session_slots[s]):
            for r in range(n_rooms):
                solution.cells[s][r][t] = lookup(row, r + 1, sub_index, "submission")
            row += 1
    return solution


def write_solution(
    instance: CosplibInstance, solution: CosplibSolution, directory: str | Path, *, name: str | None = None
) -> Path:
    """Write `DIR/<NAME>Solution.xlsx` in the library's layout (sheet `sol`, then `violations`), every track
    and reference spelled exactly as in the instance so that the library's reader finds it."""
    import openpyxl

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{name or instance.name}Solution.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "sol"
    ws.append([None, *instance.rooms])
    for s, session in enumerate(instance.sessions):
        ws.append([session, *(None if k is None else instance.tracks[k] for k in solution.tracks[s])])
    # The library drops trailing empty rows and then fails, so every row carries a label in column A.
    ws.append(["Submissions"])
    for s, session in enumerate(instance.sessions):
        for t in range(instance.session_slots[s]):
            cells = [solution.cells[s][r][t] for r in range(len(instance.rooms))]
            ws.append([session, *(None if i is None else instance.submissions[i].ref for i in cells)])
    result = evaluate(instance, solution)
    report = wb.create_sheet("violations")
    report.append(["Objective", result.objective])
    report.append(["Feasible", str(result.feasible)])
    report.append(["Valid", str(result.valid)])
    for term, value in result.terms.items():
        report.append([term, value])
    wb.save(target)
    return target


# ---------------------------------------------------------------------------------------------- solving


@dataclass
class CosplibResult:
    """Best solution found, its exact evaluation, and the master model's proven lower bound."""

    solution: CosplibSolution
    evaluation: CosplibEvaluation
    bound: int | None
    optimal: bool
    seconds: float


def _pack_block(
    instance: CosplibInstance, items: list[int], cells: list[int], size: int, rel: list[set[int]]
) -> list[list[int]] | None:
    """Put one track's submissions of one session into its rooms there; None if they do not fit.

    Multi-slot talks go first, largest first, into the emptiest room (bin packing); single talks then fill
    the rooms in room order so that ordered talks come first in the track's scan order. Talks sharing a
    presenter are kept in one room when possible, because the session-level conflict is only between rooms.
    """
    subs = instance.submissions
    load = [0] * len(cells)
    content: list[list[int]] = [[] for _ in cells]
    multi = sorted((i for i in items if subs[i].required > 1), key=lambda i: -subs[i].required)
    for i in multi:
        fits = [c for c in range(len(cells)) if load[c] + subs[i].required <= size]
        if not fits:
            return None
        c = max(fits, key=lambda c: (any(j in rel[i] for j in content[c]), size - load[c]))
        content[c].append(i)
        load[c] += subs[i].required

    def order_key(i: int) -> tuple[int, int]:
        order = subs[i].order
        return (0, order) if order else (1, 0)

    singles = sorted((i for i in items if subs[i].required == 1), key=order_key)
    for i in singles:
        fits = [c for c in range(len(cells)) if load[c] < size]
        if not fits:
            return None
        partner = [c for c in fits if any(j in rel[i] for j in content[c])]
        c = partner[0] if partner else fits[0]
        content[c].append(i)
        load[c] += 1
    for c in range(len(cells)):
        content[c].sort(key=order_key)
    return content


def order_positions(
    instance: CosplibInstance, tracks: list[list[int | None]], session_of: list[int]
) -> list[int]:
    """Sessions that put each track's ordered talks at their asked position in the track's scan order.

    Talk with order o is wanted as the o-th talk of its track (first, or often last); the others keep the
    grid model's session order around them. Rooms are filled in scan order without going back, so the
    sequence is kept; a track whose talks do not fit that way keeps its sessions. The grid model does not
    see talk order, so the caller keeps whichever layout the exact objective prefers.
    """
    subs = instance.submissions
    out = session_of[:]
    for k, talks in enumerate(instance.track_submissions):
        if all(subs[i].order == 0 for i in talks):
            continue
        sequence: list[int | None] = [None] * len(talks)
        rest = []
        for i in sorted(talks, key=lambda i: (session_of[i], i)):
            order = subs[i].order
            if order and 1 <= order <= len(talks) and sequence[order - 1] is None:
                sequence[order - 1] = i
            else:
                rest.append(i)
        for n in range(len(sequence)):
            if sequence[n] is None:
                sequence[n] = rest.pop(0)
        cells = [
            (s, r)
            for s in range(len(instance.sessions))
            for r in range(len(instance.rooms))
            if tracks[s][r] == k
        ]
        free = [instance.session_slots[s] for s, _ in cells]
        placed: dict[int, int] = {}
        c = 0
        for i in (i for i in sequence if i is not None):
            while c < len(cells) and free[c] < subs[i].required:
                c += 1
            if c == len(cells):
                break
            free[c] -= subs[i].required
            placed[i] = cells[c][0]
        if len(placed) == len(talks):
            for i, s in placed.items():
                out[i] = s
    return out


def build_solution(
    instance: CosplibInstance, tracks: list[list[int | None]], session_of: list[int]
) -> CosplibSolution | None:
    """Lay out talks from a track-per-cell grid and a session per talk; None if they do not fit."""
    solution = CosplibSolution(tracks=[row[:] for row in tracks], cells=CosplibSolution.empty(instance).cells)
    blocks: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, s in enumerate(session_of):
        blocks[(instance.submissions[i].track, s)].append(i)
    rel = [p | a for p, a in zip(instance.pconf, instance.aconf, strict=True)]
    for (k, s), items in blocks.items():
        rooms = [r for r in range(len(instance.rooms)) if tracks[s][r] == k]
        packed = _pack_block(instance, items, rooms, instance.session_slots[s], rel)
        if packed is None:
            return None
        for r, content in zip(rooms, packed, strict=True):
            t = 0
            for i in content:
                for _ in range(instance.submissions[i].required):
                    solution.cells[s][r][t] = i
                    t += 1
    return solution


def _fill_interval(
    instance: CosplibInstance, k: int, sessions: list[int]
) -> tuple[int, list[int], dict[int, int]] | None:
    """Place track k's talks in one room over the given sessions: (talk cost, sessions, talk -> session).

    Multi-slot talks go first into the largest free session; single talks then take their cheapest session
    with room left, most constrained first. None if the talks do not fit.
    """
    ins = instance
    w = ins.weights
    free = {s: ins.session_slots[s] for s in sessions}
    where: dict[int, int] = {}

    def cost(i: int, s: int) -> int:
        return ins.submissions[i].required * (w[SS] * ins.pss[i][s] + w[TZ] * ins.ptz[i][s])

    talks = ins.track_submissions[k]
    for i in sorted(
        (i for i in talks if ins.submissions[i].required > 1), key=lambda i: -ins.submissions[i].required
    ):
        fits = [s for s in sessions if free[s] >= ins.submissions[i].required]
        if not fits:
            return None
        s = min(fits, key=lambda s: (cost(i, s), -free[s]))
        free[s] -= ins.submissions[i].required
        where[i] = s
    singles = [i for i in talks if ins.submissions[i].required == 1]
    if len(singles) > sum(free.values()):
        return None

    def regret(i: int) -> int:
        costs = sorted(cost(i, s) for s in sessions)
        return costs[1] - costs[0] if len(costs) > 1 else 0

    total = sum(cost(i, s) for i, s in where.items())
    for i in sorted(singles, key=regret, reverse=True):
        s = min((s for s in sessions if free[s] > 0), key=lambda s: cost(i, s))
        free[s] -= 1
        where[i] = s
        total += cost(i, s)
    return total, sessions, where


def _greedy_start(instance: CosplibInstance) -> tuple[list[list[int | None]], list[int]] | None:
    """A quick grid: biggest tracks first, each into its cheapest free run of sessions in one room.

    A track that fits no free run takes free rooms one by one, largest first, until its talks fit.
    """
    ins = instance
    w = ins.weights
    S, R = len(ins.sessions), len(ins.rooms)
    tracks: list[list[int | None]] = [[None] * R for _ in range(S)]
    session_of = [0] * len(ins.submissions)
    need = [sum(ins.submissions[i].required for i in talks) for talks in ins.track_submissions]
    for k in sorted(range(len(ins.tracks)), key=lambda k: -need[k]):
        best: tuple[int, int, list[int], dict[int, int]] | None = None
        for r in range(R):
            for a in range(S):
                for b in range(a, S):
                    if tracks[b][r] is not None:
                        break
                    filled = _fill_interval(ins, k, list(range(a, b + 1)))
                    if filled is None:
                        continue
                    cost = filled[0] + sum(
                        w[TS] * ins.pts[k][s] + w[TR] * ins.ptr[k][r] + w[SR] * ins.psr[s][r]
                        for s in filled[1]
                    )
                    if best is None or cost < best[0]:
                        best = (cost, r, filled[1], filled[2])
                    break
        if best is not None:
            _, r, sessions, where = best
            for s in sessions:
                tracks[s][r] = k
            for i, s in where.items():
                session_of[i] = s
            continue
        free = sorted(
            ((s, r) for s in range(S) for r in range(R) if tracks[s][r] is None),
            key=lambda c: -ins.session_slots[c[0]],
        )
        taken: list[tuple[int, int]] = []
        placed = None
        for cell in free:
            taken.append(cell)
            placed = _spread(ins, k, taken)
            if placed is not None:
                break
        if placed is None:
            return None
        for s, r in taken:
            tracks[s][r] = k
        for i, s in placed.items():
            session_of[i] = s
    return tracks, session_of


def _spread(instance: CosplibInstance, k: int, cells: list[tuple[int, int]]) -> dict[int, int] | None:
    """Talk -> session for track k over several cells (first-fit decreasing), or None if they do not fit."""
    free = [instance.session_slots[s] for s, _ in cells]
    where: dict[int, int] = {}
    talks = sorted(instance.track_submissions[k], key=lambda i: -instance.submissions[i].required)
    for i in talks:
        need = instance.submissions[i].required
        for c, room_left in enumerate(free):
            if room_left >= need:
                free[c] -= need
                where[i] = cells[c][0]
                break
        else:
            return None
    return where


def _pattern_start(
    instance: CosplibInstance, time_limit: float, seed: int, workers: int
) -> tuple[list[list[int | None]], list[int]] | None:
    """A good first grid: each track in one room over consecutive sessions, chosen by CP-SAT set partitioning.

    Such grids pay nothing for rooms per track, parallel tracks or gaps, which is where good published
    solutions sit; the full model then starts from it. None if some track fits no single room.
    """
    from ortools.sat.python import cp_model

    ins = instance
    w = ins.weights
    K, S, R = len(ins.tracks), len(ins.sessions), len(ins.rooms)
    model = cp_model.CpModel()
    columns: list[tuple[int, int, list[int], dict[int, int], Any]] = []
    by_cell: dict[tuple[int, int], list[Any]] = defaultdict(list)
    terms = []
    for k in range(K):
        options = []
        for a in range(S):
            extra = 0
            for b in range(a, S):
                filled = _fill_interval(ins, k, list(range(a, b + 1)))
                if filled is None:
                    continue
                talk_cost, sessions, where = filled
                for r in range(R):
                    cost = talk_cost + sum(
                        w[TS] * ins.pts[k][s] + w[TR] * ins.ptr[k][r] + w[SR] * ins.psr[s][r]
                        for s in sessions
                    )
                    var = model.new_bool_var("")
                    columns.append((k, r, sessions, where, var))
                    options.append(var)
                    for s in sessions:
                        by_cell[(s, r)].append(var)
                    terms.append(cost * var)
                # One session longer than needed can buy cheaper talk placements; more rarely does.
                extra += 1
                if extra > 1:
                    break
        if not options:
            return None
        model.add_exactly_one(options)
    for vars_ in by_cell.values():
        if len(vars_) > 1:
            model.add_at_most_one(vars_)
    model.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    tracks: list[list[int | None]] = [[None] * R for _ in range(S)]
    session_of = [0] * len(ins.submissions)
    for k, r, sessions, where, var in columns:
        if solver.boolean_value(var):
            for s in sessions:
                tracks[s][r] = k
            for i, s in where.items():
                session_of[i] = s
    return tracks, session_of


class _Master:
    """CP-SAT model of the track-to-room grid and the talk-to-session choice.

    Every term is exact or an under-estimate (similar tracks, chair conflicts and same-track presenter
    conflicts are counted once per session; order and timeslot-level conflicts are left out), so the model's
    bound is a lower bound for timetables in which every used room-session names the track of its talks.
    """

    def __init__(self, instance: CosplibInstance) -> None:
        from ortools.sat.python import cp_model

        self.instance = ins = instance
        self.model = m = cp_model.CpModel()
        w = ins.weights
        K, S, R = len(ins.tracks), len(ins.sessions), len(ins.rooms)
        subs = ins.submissions
        track_subs = ins.track_submissions
        T = ins.session_slots
        self.y = {
            (k, s, r): m.new_bool_var(f"y{k}_{s}_{r}") for k in range(K) for s in range(S) for r in range(R)
        }
        self.x: dict[tuple[int, int], Any] = {}
        for i, sub in enumerate(subs):
            options = [s for s in range(S) if T[s] >= sub.required]
            for s in options:
                self.x[(i, s)] = m.new_bool_var(f"x{i}_{s}")
            m.add_exactly_one(self.x[(i, s)] for s in options)
        for s in range(S):
            for r in range(R):
                m.add_at_most_one(self.y[(k, s, r)] for k in range(K))
        obj: list[Any] = []
        self.u = {}
        cells = {}
        for k in range(K):
            for s in range(S):
                c = sum(self.y[(k, s, r)] for r in range(R))
                cells[(k, s)] = c
                u = m.new_bool_var(f"u{k}_{s}")
                self.u[(k, s)] = u
                for r in range(R):
                    m.add_implication(self.y[(k, s, r)], u)
                m.add(c >= u)
                here = [(i, self.x[(i, s)]) for i in track_subs[k] if (i, s) in self.x]
                m.add(sum(subs[i].required * v for i, v in here) <= T[s] * c)
                # Multi-slot talks need whole rooms: one of length L takes 1/floor(T/L) of a room.
                multi = [(i, v) for i, v in here if subs[i].required > 1]
                if multi:
                    scale = math.lcm(*(T[s] // subs[i].required for i, _ in multi))
                    m.add(sum(scale // (T[s] // subs[i].required) * v for i, v in multi) <= scale * c)
        if w[TS] or w[TR] or w[SR]:
            obj.append(
                sum(
                    (w[TS] * ins.pts[k][s] + w[TR] * ins.ptr[k][r] + w[SR] * ins.psr[s][r]) * v
                    for (k, s, r), v in self.y.items()
                    if w[TS] * ins.pts[k][s] + w[TR] * ins.ptr[k][r] + w[SR] * ins.psr[s][r]
                )
            )
        if w[NR]:
            for k in range(K):
                vs = []
                for r in range(R):
                    v = m.new_bool_var(f"v{k}_{r}")
                    for s in range(S):
                        m.add_implication(self.y[(k, s, r)], v)
                    vs.append(v)
                m.add(sum(vs) >= 1)
                obj.append(w[NR] * (sum(vs) - 1))
        self.multi_room = {}
        for k in range(K):
            for s in range(S):
                many = m.new_bool_var(f"q{k}_{s}")
                m.add(R * many >= cells[(k, s)] - 1)
                self.multi_room[(k, s)] = many
        if w[PAR]:
            obj.append(w[PAR] * sum(cells[(k, s)] - self.u[(k, s)] for k in range(K) for s in range(S)))
        if w[CON]:
            for k in range(K):
                starts = []
                for s in range(S):
                    st = m.new_bool_var(f"st{k}_{s}")
                    m.add(st >= self.u[(k, s)] - (self.u[(k, s - 1)] if s else 0))
                    starts.append(st)
                gap = m.new_bool_var(f"gap{k}")
                m.add(sum(starts) <= 1 + S * gap)
                obj.append(w[CON] * gap)
        pairs = []
        if w[SIM]:
            pairs += [
                (k, other, w[SIM] * ins.ptt[k][other])
                for k in range(K)
                for other in range(k + 1, K)
                if ins.ptt[k][other]
            ]
        if w[CC]:
            pairs += [(k, other, w[CC]) for k in range(K) for other in ins.cconf[k] if k < other]
        for k, other, cost in pairs:
            for s in range(S):
                both = m.new_bool_var("")
                m.add(both >= self.u[(k, s)] + self.u[(other, s)] - 1)
                obj.append(cost * both)
        sub_cost = []
        for (i, s), v in self.x.items():
            c = subs[i].required * (w[SS] * ins.pss[i][s] + w[TZ] * ins.ptz[i][s])
            if c:
                sub_cost.append(c * v)
        if sub_cost:
            obj.append(sum(sub_cost))
        for rel, term in ((ins.pconf, PC), (ins.aconf, AC)):
            if not w[term]:
                continue
            for i in range(len(subs)):
                for j in rel[i]:
                    if j <= i:
                        continue
                    same = subs[i].track == subs[j].track
                    for s in range(S):
                        if (i, s) not in self.x or (j, s) not in self.x:
                            continue
                        clash = m.new_bool_var("")
                        if same:
                            # Talks of one track only clash if the track runs in two rooms at once.
                            m.add(
                                clash
                                >= self.x[(i, s)] + self.x[(j, s)] + self.multi_room[(subs[i].track, s)] - 2
                            )
                        else:
                            m.add(clash >= self.x[(i, s)] + self.x[(j, s)] - 1)
                        obj.append(w[term] * clash)
        m.minimize(sum(obj))

    def grid(self, value: Any) -> tuple[list[list[int | None]], list[int]]:
        ins = self.instance
        tracks: list[list[int | None]] = [[None] * len(ins.rooms) for _ in ins.sessions]
        for (k, s, r), v in self.y.items():
            if value(v):
                tracks[s][r] = k
        session_of = [0] * len(ins.submissions)
        for (i, s), v in self.x.items():
            if value(v):
                session_of[i] = s
        return tracks, session_of

    def hint(self, solution: CosplibSolution) -> None:
        self.model.clear_hints()
        for (k, s, r), v in self.y.items():
            self.model.add_hint(v, solution.tracks[s][r] == k)
        where = {}
        for s, rows in enumerate(solution.cells):
            for row in rows:
                for i in row:
                    if i is not None:
                        where[i] = s
        for (i, s), v in self.x.items():
            self.model.add_hint(v, where.get(i) == s)


def _cell_runs(instance: CosplibInstance, solution: CosplibSolution, s: int, r: int) -> list[int | None]:
    """A cell as its sequence of talks (each once) and free timeslots (None each)."""
    runs: list[int | None] = []
    t = 0
    cell = solution.cells[s][r]
    while t < len(cell):
        i = cell[t]
        runs.append(i)
        t += 1 if i is None else instance.submissions[i].required
    return runs


def _lay_out(
    instance: CosplibInstance, solution: CosplibSolution, s: int, r: int, runs: list[int | None]
) -> None:
    cell = solution.cells[s][r]
    t = 0
    for i in runs:
        for _ in range(1 if i is None else instance.submissions[i].required):
            cell[t] = i
            t += 1


def _improve_within_tracks(
    instance: CosplibInstance,
    solution: CosplibSolution,
    best: CosplibEvaluation,
    deadline: float,
    rng: random.Random,
) -> tuple[CosplibSolution, CosplibEvaluation]:
    """Local search on talks with the grid fixed: swap equal-length talks (or a talk and a free timeslot)
    between the rooms of one track, or move a talk to another place within its room.

    Only talk terms (order, session penalties, conflicts) change, and each move is judged by the exact
    objective; moves that keep it equal are accepted too, to walk across plateaus.
    """
    subs = instance.submissions
    cells_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s, row in enumerate(solution.tracks):
        for r, k in enumerate(row):
            if k is not None:
                cells_of[k].append((s, r))
    tracks = list(cells_of)
    if not tracks:
        return solution, best
    current = best

    def length(i: int | None) -> int:
        return 1 if i is None else subs[i].required

    while time.monotonic() < deadline:
        k = rng.choice(tracks)
        (s1, r1), (s2, r2) = rng.choice(cells_of[k]), rng.choice(cells_of[k])
        runs1 = _cell_runs(instance, solution, s1, r1)
        same = (s1, r1) == (s2, r2)
        runs2 = runs1 if same else _cell_runs(instance, solution, s2, r2)
        a, b = rng.randrange(len(runs1)), rng.randrange(len(runs2))
        old1, old2 = runs1[:], runs2[:]
        if same and rng.random() < 0.5:
            # Move one talk to another place in its room: reorders talks for the order term.
            runs1.insert(b, runs1.pop(a))
        else:
            if runs1[a] == runs2[b] or length(runs1[a]) != length(runs2[b]):
                continue
            runs1[a], runs2[b] = runs2[b], runs1[a]
        _lay_out(instance, solution, s1, r1, runs1)
        if not same:
            _lay_out(instance, solution, s2, r2, runs2)
        trial = evaluate(instance, solution)
        if trial.objective <= current.objective and trial.feasible:
            current = trial
        else:
            _lay_out(instance, solution, s1, r1, old1)
            if not same:
                _lay_out(instance, solution, s2, r2, old2)
    return solution, current


def talk_bound(instance: CosplibInstance) -> int:
    """A lower bound valid for every feasible solution: each talk in its cheapest session and room."""
    w = instance.weights
    return sum(
        sub.required
        * (
            min(
                w[SS] * instance.pss[i][s] + w[TZ] * instance.ptz[i][s]
                for s in range(len(instance.sessions))
                if instance.session_slots[s] >= sub.required
            )
            + min(w[SRM] * v for v in instance.psrm[i])
        )
        for i, sub in enumerate(instance.submissions)
    )


def solve_cosplib(
    instance: CosplibInstance, *, time_limit: float, seed: int = 0, workers: int = 2
) -> CosplibResult:
    """Optimise a CoSPLib instance: greedy and pattern starts, CP-SAT on the grid, then local search on talks.

    The bound is the larger of `talk_bound` and the CP-SAT bound of the grid model; the latter holds for
    timetables in which every used room-session names the track of its talks (what the library's models
    produce; its checker would also accept talks in unnamed rooms).
    """
    from ortools.sat.python import cp_model

    started = time.monotonic()
    deadline = started + time_limit
    rng = random.Random(seed)  # noqa: S311 - search randomness, not security
    best: list[tuple[CosplibSolution, CosplibEvaluation]] = []

    def consider(tracks: list[list[int | None]], session_of: list[int]) -> None:
        layouts = [session_of]
        if instance.weights[ORD] > 0:
            layouts.append(order_positions(instance, tracks, session_of))
        for sessions in layouts:
            solution = build_solution(instance, tracks, sessions)
            if solution is None:
                continue
            result = evaluate(instance, solution)
            if result.feasible and (not best or result.objective < best[0][1].objective):
                best[:] = [(solution, result)]

    greedy = _greedy_start(instance)
    if greedy is not None:
        consider(*greedy)
    start = _pattern_start(instance, time_limit * 0.25, seed, workers)
    if start is not None:
        consider(*start)
    master = _Master(instance)
    if best:
        master.hint(best[0][0])

    class Callback(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            consider(*master.grid(self.boolean_value))

    solver = cp_model.CpSolver()
    # Keep a share of the time for the talk-level local search that the grid model cannot see.
    solver.parameters.max_time_in_seconds = max(0.5, time_limit * 0.85 - (time.monotonic() - started))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(master.model, Callback())
    bound = talk_bound(instance)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = max(bound, math.ceil(solver.best_objective_bound - 1e-6))
        consider(*master.grid(solver.boolean_value))
    if not best:
        # Nothing fitted in time: report the empty timetable, which the flags mark as infeasible.
        empty = CosplibSolution.empty(instance)
        return CosplibResult(empty, evaluate(instance, empty), bound, False, time.monotonic() - started)
    solution, result = _improve_within_tracks(instance, best[0][0], best[0][1], deadline, rng)
    optimal = result.objective <= bound
    return CosplibResult(solution, result, bound, optimal, time.monotonic() - started)
