"""File readers and writers for timetable instances: native `gathering-timetable/1` JSON and CoSPLib."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gathering.optimise import cosplib
from gathering.optimise.timetable import (
    FORMAT,
    Assignments,
    InstanceError,
    Interest,
    Room,
    Session,
    Slot,
    TimetableInstance,
    TimetableResult,
    solve_timetable,
)


class _Reader:
    """Walks a JSON document and raises `InstanceError` with the JSON path of whatever is wrong."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> InstanceError:
        return InstanceError(self.path, where, message)

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, found {type(value).__name__}")
        return value

    def array(self, doc: dict[str, Any], key: str, where: str) -> list[Any]:
        value = doc.get(key)
        if not isinstance(value, list):
            raise self.fail(f"{where}{key}", "expected an array")
        return value

    def string(self, doc: dict[str, Any], key: str, where: str) -> str:
        value = doc.get(key)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{where}.{key}", f"expected a non-empty string, found {value!r}")
        return value

    def integer(
        self, doc: dict[str, Any], key: str, where: str, *, minimum: int, default: int | None = None
    ) -> int:
        value = doc.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{where}.{key}", f"expected an integer, found {value!r}")
        if value < minimum:
            raise self.fail(f"{where}.{key}", f"must be at least {minimum}, found {value}")
        return value

    def strings(self, doc: dict[str, Any], key: str, where: str) -> list[str]:
        value = doc.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{where}.{key}", "expected an array of non-empty strings")
        return value


def read_timetable(path: str | Path) -> TimetableInstance:
    """Read a native `gathering-timetable/1` file; every error names the file and the JSON path."""
    path = Path(path)
    reader = _Reader(str(path))
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise reader.fail(f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise reader.fail("file", f"cannot read: {exc}") from exc
    return parse_timetable(doc, source=str(path))


def parse_timetable(doc: Any, *, source: str = "<memory>") -> TimetableInstance:
    """Check and convert an already-parsed native document (what `read_timetable` does after json.loads)."""
    reader = _Reader(source)
    doc = reader.obj(doc, "$")
    if doc.get("format") != FORMAT:
        raise reader.fail("format", f"expected {FORMAT!r}, found {doc.get('format')!r}")
    name = doc.get("name") or Path(source).stem
    if not isinstance(name, str):
        raise reader.fail("name", "expected a string")

    slots = []
    seen_order: set[tuple[int, int]] = set()
    for n, raw in enumerate(reader.array(doc, "slots", "")):
        where = f"slots[{n}]"
        item = reader.obj(raw, where)
        slot = Slot(
            reader.string(item, "id", where),
            reader.integer(item, "day", where, minimum=0),
            reader.integer(item, "order", where, minimum=0),
        )
        if (slot.day, slot.order) in seen_order:
            raise reader.fail(f"{where}.order", f"day {slot.day} already has a slot with order {slot.order}")
        seen_order.add((slot.day, slot.order))
        slots.append(slot)
    _unique(reader, [s.id for s in slots], "slots")

    rooms = []
    for n, raw in enumerate(reader.array(doc, "rooms", "")):
        where = f"rooms[{n}]"
        item = reader.obj(raw, where)
        rooms.append(
            Room(
                reader.string(item, "id", where),
                reader.integer(item, "capacity", where, minimum=0),
                frozenset(reader.strings(item, "features", where)),
            )
        )
    _unique(reader, [r.id for r in rooms], "rooms")
    slot_ids = {s.id for s in slots}
    room_ids = {r.id for r in rooms}

    sessions = []
    for n, raw in enumerate(reader.array(doc, "sessions", "")):
        where = f"sessions[{n}]"
        item = reader.obj(raw, where)
        length = reader.integer(item, "length", where, minimum=1, default=1)
        unavailable = reader.strings(item, "unavailable_slots", where)
        for m, slot_id in enumerate(unavailable):
            if slot_id not in slot_ids:
                raise reader.fail(f"{where}.unavailable_slots[{m}]", f"unknown slot {slot_id!r}")
        pinned_raw = item.get("pinned")
        pinned = None
        if pinned_raw is not None:
            pin = reader.obj(pinned_raw, f"{where}.pinned")
            pinned = (
                reader.string(pin, "slot", f"{where}.pinned"),
                reader.string(pin, "room", f"{where}.pinned"),
            )
            if pinned[0] not in slot_ids:
                raise reader.fail(f"{where}.pinned.slot", f"unknown slot {pinned[0]!r}")
            if pinned[1] not in room_ids:
                raise reader.fail(f"{where}.pinned.room", f"unknown room {pinned[1]!r}")
        sessions.append(
            Session(
                reader.string(item, "id", where),
                length,
                tuple(reader.strings(item, "facilitators", where)),
                frozenset(reader.strings(item, "needs", where)),
                pinned,
                frozenset(unavailable),
            )
        )
    _unique(reader, [s.id for s in sessions], "sessions")
    session_ids = {s.id for s in sessions}

    interests = []
    seen: set[tuple[str, str]] = set()
    for n, raw in enumerate(reader.array(doc, "interests", "")):
        where = f"interests[{n}]"
        item = reader.obj(raw, where)
        interest = Interest(
            reader.string(item, "person", where),
            reader.string(item, "session", where),
            reader.integer(item, "weight", where, minimum=1, default=1),
        )
        if interest.session not in session_ids:
            raise reader.fail(f"{where}.session", f"unknown session {interest.session!r}")
        if (interest.person, interest.session) in seen:
            raise reader.fail(
                where, f"person {interest.person!r} is already interested in {interest.session!r}"
            )
        seen.add((interest.person, interest.session))
        interests.append(interest)
    return TimetableInstance(name, slots, rooms, sessions, interests)


def _unique(reader: _Reader, ids: list[str], key: str) -> None:
    seen: set[str] = set()
    for n, value in enumerate(ids):
        if value in seen:
            raise reader.fail(f"{key}[{n}].id", f"duplicate id {value!r}")
        seen.add(value)


def timetable_to_json(instance: TimetableInstance) -> dict[str, Any]:
    """The native document for an instance (the inverse of `parse_timetable`)."""
    return {
        "format": FORMAT,
        "name": instance.name,
        "slots": [{"id": s.id, "day": s.day, "order": s.order} for s in instance.slots],
        "rooms": [
            {"id": r.id, "capacity": r.capacity, "features": sorted(r.features)} for r in instance.rooms
        ],
        "sessions": [
            {
                "id": s.id,
                "length": s.length,
                "facilitators": list(s.facilitators),
                "needs": sorted(s.needs),
                "pinned": None if s.pinned is None else {"slot": s.pinned[0], "room": s.pinned[1]},
                "unavailable_slots": sorted(s.unavailable_slots),
            }
            for s in instance.sessions
        ],
        "interests": [
            {"person": i.person, "session": i.session, "weight": i.weight} for i in instance.interests
        ],
    }


def read_native_solution(path: str | Path) -> Assignments:
    """Read `{"assignments": [{"session", "slot", "room"}]}`; errors name the JSON path."""
    path = Path(path)
    reader = _Reader(str(path))
    try:
        doc = reader.obj(json.loads(path.read_text(encoding="utf-8")), "$")
    except json.JSONDecodeError as exc:
        raise reader.fail(f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}") from exc
    out: Assignments = {}
    for n, raw in enumerate(reader.array(doc, "assignments", "")):
        where = f"assignments[{n}]"
        item = reader.obj(raw, where)
        session = reader.string(item, "session", where)
        if session in out:
            raise reader.fail(f"{where}.session", f"session {session!r} is assigned twice")
        out[session] = (reader.string(item, "slot", where), reader.string(item, "room", where))
    return out


# ------------------------------------------------------------------------------------ one entry point


def is_cosplib(path: str | Path) -> bool:
    """CoSPLib workbooks are .xlsx files; everything else is read as native JSON."""
    return Path(path).suffix.lower() == ".xlsx"


def read_instance(path: str | Path) -> TimetableInstance | cosplib.CosplibInstance:
    """Read either format, chosen by the file's extension."""
    return cosplib.read_cosplib(path) if is_cosplib(path) else read_timetable(path)


@dataclass
class SolvedFile:
    """One solved input file: its instance name, the result, and what `write_solution` needs."""

    name: str
    result: TimetableResult
    instance: TimetableInstance | cosplib.CosplibInstance
    cosplib_solution: cosplib.CosplibSolution | None = None

    def as_json(self) -> dict[str, Any]:
        """The line `gathering optimise timetable --json` prints for this file."""
        r = self.result
        return {
            "instance": self.name,
            "objective": r.objective,
            "bound": r.bound,
            "gap": r.gap,
            "optimal": r.optimal,
            "seconds": round(r.seconds, 3),
            "feasible": r.feasible,
        }


def solve_file(path: str | Path, *, time_limit: float, seed: int = 0, workers: int = 2) -> SolvedFile:
    """Read a native JSON or CoSPLib file and optimise it within `time_limit` seconds."""
    instance = read_instance(path)
    if isinstance(instance, TimetableInstance):
        result = solve_timetable(instance, time_limit=time_limit, seed=seed, workers=workers)
        return SolvedFile(instance.name, result, instance)
    solved = cosplib.solve_cosplib(instance, time_limit=time_limit, seed=seed, workers=workers)
    return SolvedFile(instance.name, cosplib_result(instance, solved), instance, solved.solution)


def cosplib_result(instance: cosplib.CosplibInstance, solved: cosplib.CosplibResult) -> TimetableResult:
    """A CoSPLib result in the common shape: submission -> ("<session>/<timeslot>", room), first slot."""
    assignments: Assignments = {}
    for s, rows in enumerate(solved.solution.cells):
        for r, cell in enumerate(rows):
            for t, i in enumerate(cell):
                ref = instance.submissions[i].ref if i is not None else None
                if ref is not None and ref not in assignments:
                    assignments[ref] = (f"{instance.sessions[s]}/{t + 1}", instance.rooms[r])
    ev = solved.evaluation
    return TimetableResult(
        assignments=assignments,
        objective=ev.objective,
        bound=solved.bound,
        optimal=solved.optimal,
        seconds=solved.seconds,
        feasible=ev.feasible and ev.valid,
        terms=dict(ev.terms),
    )


def write_solution(solved: SolvedFile, directory: str | Path) -> Path:
    """Write `DIR/<name>.solution.json` (native) or `DIR/<NAME>Solution.xlsx` (CoSPLib); returns the path."""
    directory = Path(directory)
    if isinstance(solved.instance, cosplib.CosplibInstance):
        if solved.cosplib_solution is None:
            raise ValueError("a CoSPLib result needs its workbook solution to be written")
        return cosplib.write_solution(solved.instance, solved.cosplib_solution, directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{solved.name}.solution.json"
    rows = [
        {"session": session, "slot": slot, "room": room}
        for session, (slot, room) in sorted(solved.result.assignments.items())
    ]
    target.write_text(json.dumps({"assignments": rows}, indent=1) + "\n", encoding="utf-8")
    return target
