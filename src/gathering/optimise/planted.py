"""Timetable instances with a known optimum of 0: a perfect timetable is planted first, and everything else is
drawn so that it keeps every hard rule and costs nothing.

- Each session is planted in a room and a first slot (sessions of two slots take two slots of one day).
- Each person's interests are drawn, by popularity, only from sessions whose planted slots do not meet, so
  nobody has two interests at once in the planted timetable (no clash).
- Each room is at least as big as the interest in every session planted in it (no overflow).
- Needs are drawn from the planted room's features, unavailable slots from the slots the session does not
  occupy, rooms' unavailable slots from the slots left empty in them, and a facilitator's sessions never
  meet in the planted timetable.

A solver that does not reach 0 on these instances has stopped short of the best timetable, whatever its
bound says.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass

from gathering.optimise.timetable import Assignments, Interest, Room, Session, Slot, TimetableInstance

FEATURES = ("step_free", "hearing_loop", "quiet_room")


@dataclass(frozen=True)
class PlantedSize:
    """The shape of a planted instance."""

    sessions: int
    slots: int
    rooms: int
    people: int
    interests_per_person: int
    days: int = 1
    # Share of sessions two slots long.
    double: float = 0.1


SMALL = PlantedSize(sessions=25, slots=6, rooms=6, people=120, interests_per_person=4)
MEDIUM = PlantedSize(sessions=120, slots=8, rooms=18, people=600, interests_per_person=5, days=2)
LARGE = PlantedSize(sessions=300, slots=12, rooms=30, people=2000, interests_per_person=8, days=2)
SIZES = {"small": SMALL, "medium": MEDIUM, "large": LARGE}


def planted_instance(size: PlantedSize, seed: int) -> tuple[TimetableInstance, Assignments]:
    """An instance of `size` and the planted timetable, whose objective is 0."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    per_day = math.ceil(size.slots / size.days)
    slots = [Slot(f"t{n + 1}", n // per_day + 1, n % per_day + 1) for n in range(size.slots)]
    features = [frozenset(f for f in FEATURES if rng.random() < 0.5) for _ in range(size.rooms)]

    # Plant: cells (room, slot) handed out in random order; a double session takes the next slot of the
    # same day in the same room too.
    free = {(r, t) for r in range(size.rooms) for t in range(size.slots)}
    if size.sessions > len(free):
        raise ValueError(f"{size.sessions} sessions cannot fit {len(free)} room-slots")
    planted: list[tuple[int, tuple[int, ...]]] = []  # (room, occupied slots) per session
    order = sorted(free)
    rng.shuffle(order)
    doubles = round(size.sessions * size.double)
    for r, t in order:
        if len(planted) == size.sessions:
            break
        if (r, t) not in free:
            continue
        run: tuple[int, ...] = (t,)
        wants_double = len(planted) < doubles
        if wants_double and t + 1 < size.slots and slots[t + 1].day == slots[t].day and (r, t + 1) in free:
            run = (t, t + 1)
        elif wants_double:
            continue
        free.difference_update((r, u) for u in run)
        planted.append((r, run))
    if len(planted) < size.sessions:  # too few adjacent free cells left for the doubles: fill with singles
        for r, t in sorted(free):
            if len(planted) == size.sessions:
                break
            free.discard((r, t))
            planted.append((r, (t,)))
    rng.shuffle(planted)

    # Facilitators: a pool about a third the size of the programme, each taking sessions that never meet.
    pool = [f"f{n + 1}" for n in range(max(1, size.sessions // 3))]
    busy: dict[str, set[int]] = defaultdict(set)
    facilitators: list[tuple[str, ...]] = []
    for _r, run in planted:
        chosen = []
        for person in rng.sample(pool, min(len(pool), rng.choice((1, 1, 2)))):
            if not busy[person] & set(run):
                busy[person].update(run)
                chosen.append(person)
        facilitators.append(tuple(chosen))

    # Interests: Zipf-like popularity; a person's sessions never share a planted slot.
    popularity = [1 / (n + 1) ** 0.8 for n in range(size.sessions)]
    attendance = [0] * size.sessions
    interests: list[Interest] = []
    for p in range(size.people):
        taken: set[int] = set()
        chosen_sessions: list[int] = []
        for _attempt in range(size.interests_per_person * 20):
            if len(chosen_sessions) == size.interests_per_person:
                break
            i = rng.choices(range(size.sessions), popularity)[0]
            run = planted[i][1]
            if i in chosen_sessions or taken & set(run):
                continue
            taken.update(run)
            chosen_sessions.append(i)
        for i in sorted(chosen_sessions):
            attendance[i] += 1
            interests.append(Interest(f"p{p + 1}", f"s{i + 1}", 3 if rng.random() < 0.25 else 1))

    # Rooms: big enough for every session planted in them, in steps an organiser would recognise.
    needed = [0] * size.rooms
    for i, (r, _run) in enumerate(planted):
        needed[r] = max(needed[r], attendance[i])
    steps = (10, 15, 20, 30, 40, 60, 80, 120, 160, 200, 300, 400, 600, 800, 1200, 1600, 2000)
    rooms = []
    for r in range(size.rooms):
        capacity = next((s for s in steps if s >= needed[r]), needed[r])
        empty = sorted(t for room, t in free if room == r)  # the cells nothing was planted in
        closed = frozenset(slots[t].id for t in empty if rng.random() < 0.3)
        rooms.append(Room(f"r{r + 1}", capacity, features[r], closed))

    sessions = []
    assignments: Assignments = {}
    for i, (r, run) in enumerate(planted):
        needs = frozenset(f for f in sorted(features[r]) if rng.random() < 0.3)
        others = [t for t in range(size.slots) if t not in run]
        closed_for_it = rng.sample(others, min(len(others), rng.choice((0, 0, 1, 2))))
        unavailable = frozenset(slots[t].id for t in closed_for_it)
        session_id = f"s{i + 1}"
        sessions.append(Session(session_id, len(run), facilitators[i], needs, None, unavailable))
        assignments[session_id] = (slots[run[0]].id, rooms[r].id)
    instance = TimetableInstance(f"planted-{seed}-{size.sessions}", slots, rooms, sessions, interests)
    return instance, assignments
