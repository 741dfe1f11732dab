"""Native unconference timetable model: hard rules, clash + overflow objective, explanations, optimiser."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gathering.optimise import bounds

FORMAT = "gathering-timetable/1"


class InstanceError(ValueError):
    """An unreadable input file: which file, where in it (JSON path or sheet/row/column), and why."""

    def __init__(self, path: str, where: str, message: str) -> None:
        super().__init__(f"{path}: {where}: {message}")
        self.path = path
        self.where = where
        self.message = message


@dataclass(frozen=True)
class Slot:
    """A timeslot; slots of one day follow each other in `order`."""

    id: str
    day: int
    order: int


@dataclass(frozen=True)
class Room:
    """A room with its capacity and access features (step_free, hearing_loop, ...), and the slots in which
    it cannot be used (booked by someone else, being set up)."""

    id: str
    capacity: int
    features: frozenset[str] = frozenset()
    unavailable_slots: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Session:
    """A session of `length` consecutive slots of one day, in one room."""

    id: str
    length: int = 1
    facilitators: tuple[str, ...] = ()
    needs: frozenset[str] = frozenset()
    pinned: tuple[str, str] | None = None  # (first slot, room)
    unavailable_slots: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Interest:
    """A person's interest in a session: weight 1 would like, 3 really want."""

    person: str
    session: str
    weight: int = 1


@dataclass
class TimetableInstance:
    """Everything the optimiser needs to know about one event's programme."""

    name: str
    slots: list[Slot]
    rooms: list[Room]
    sessions: list[Session]
    interests: list[Interest]


Assignments = dict[str, tuple[str, str]]  # session id -> (first slot id, room id)


@dataclass
class TimetableResult:
    """What a solve returns: the best assignment found, its objective, and a proven lower bound."""

    assignments: Assignments
    objective: int
    bound: int | None
    optimal: bool
    seconds: float
    feasible: bool
    terms: dict[str, int] = field(default_factory=dict)
    # Seconds from the start until the solver first held a timetable keeping every hard rule.
    first_feasible: float | None = None

    @property
    def gap(self) -> int | None:
        """How far the objective may be above the best timetable: objective less the proven bound."""
        return None if self.bound is None or not self.feasible else self.objective - self.bound


@dataclass(frozen=True)
class SessionExplanation:
    """Why a session costs what it costs: who clashes, with which sessions, and how many cannot get in."""

    session: str
    interested: int
    clashing_people: int
    clashes_with: dict[str, int]
    overflow: int


# ------------------------------------------------------------------------------------------ structure


def ordered_slots(instance: TimetableInstance) -> list[Slot]:
    """Slots in time order: by day, then by order within the day."""
    return sorted(instance.slots, key=lambda s: (s.day, s.order))


def occupied_slots(instance: TimetableInstance, session: Session, first_slot: str) -> list[str] | None:
    """The slots a session occupies from `first_slot`; None if it would run past the end of the day."""
    slots = ordered_slots(instance)
    index = {s.id: n for n, s in enumerate(slots)}
    if first_slot not in index:
        return None
    start = index[first_slot]
    run = slots[start : start + session.length]
    if len(run) < session.length or any(s.day != slots[start].day for s in run):
        return None
    return [s.id for s in run]


def check(instance: TimetableInstance, assignments: Assignments) -> list[str]:
    """Every broken hard rule as a sentence an organiser can act on; empty means the timetable is valid."""
    problems: list[str] = []
    rooms = {r.id: r for r in instance.rooms}
    known = {s.id for s in instance.sessions}
    for session_id in sorted(set(assignments) - known):
        problems.append(f"'{session_id}' is not a session of this event")
    by_room_slot: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_facilitator_slot: dict[tuple[str, str], list[str]] = defaultdict(list)
    for session in instance.sessions:
        if session.id not in assignments:
            problems.append(f"session '{session.id}' is not scheduled")
            continue
        first, room_id = assignments[session.id]
        room = rooms.get(room_id)
        if room is None:
            problems.append(f"session '{session.id}' is in unknown room '{room_id}'")
            continue
        slots = occupied_slots(instance, session, first)
        if slots is None:
            problems.append(
                f"session '{session.id}' ({session.length} slots) cannot start at '{first}': "
                "unknown slot or it would run past the end of the day"
            )
            continue
        missing = sorted(session.needs - room.features)
        if missing:
            problems.append(
                f"session '{session.id}' needs {', '.join(missing)}, which room '{room_id}' lacks"
            )
        for slot in slots:
            if slot in session.unavailable_slots:
                problems.append(f"session '{session.id}' occupies slot '{slot}', where it is unavailable")
            if slot in room.unavailable_slots:
                problems.append(
                    f"session '{session.id}' is in room '{room_id}' in slot '{slot}', "
                    "when the room is unavailable"
                )
            by_room_slot[(room_id, slot)].append(session.id)
            for person in session.facilitators:
                by_facilitator_slot[(person, slot)].append(session.id)
        if session.pinned is not None and session.pinned != (first, room_id):
            problems.append(
                f"session '{session.id}' is pinned to slot '{session.pinned[0]}' "
                f"in room '{session.pinned[1]}'"
            )
    for (room_id, slot), ids in sorted(by_room_slot.items()):
        if len(ids) > 1:
            problems.append(f"room '{room_id}' has {len(ids)} sessions in slot '{slot}': {', '.join(ids)}")
    for (person, slot), ids in sorted(by_facilitator_slot.items()):
        if len(ids) > 1:
            problems.append(
                f"facilitator '{person}' runs {len(ids)} sessions in slot '{slot}': {', '.join(ids)}"
            )
    return problems


def objective_terms(instance: TimetableInstance, assignments: Assignments) -> dict[str, int]:
    """The README objective split into `clash` and `overflow`, plus their sum as `objective`."""
    rooms = {r.id: r for r in instance.rooms}
    sessions = {s.id: s for s in instance.sessions}
    occupied: dict[str, list[str]] = {}
    for session_id, (first, _room) in assignments.items():
        if session_id in sessions:
            occupied[session_id] = occupied_slots(instance, sessions[session_id], first) or []
    per_person_slot: dict[tuple[str, str], list[int]] = defaultdict(list)
    interested: dict[str, set[str]] = defaultdict(set)
    for interest in instance.interests:
        interested[interest.session].add(interest.person)
        for slot in occupied.get(interest.session, ()):
            per_person_slot[(interest.person, slot)].append(interest.weight)
    clash = sum(sum(ws) - max(ws) for ws in per_person_slot.values())
    overflow = 0
    for session_id, (_first, room_id) in assignments.items():
        if session_id in sessions and room_id in rooms:
            overflow += max(0, len(interested[session_id]) - rooms[room_id].capacity)
    return {"clash": clash, "overflow": overflow, "objective": clash + overflow}


def objective(instance: TimetableInstance, assignments: Assignments) -> int:
    """clash + overflow, as the data README defines them."""
    return objective_terms(instance, assignments)["objective"]


def _occupied(instance: TimetableInstance, assignments: Assignments) -> dict[str, set[str]]:
    """{session id: the slots it occupies} for the assigned sessions of the instance."""
    sessions = {s.id: s for s in instance.sessions}
    return {
        sid: set(occupied_slots(instance, sessions[sid], first) or ())
        for sid, (first, _room) in assignments.items()
        if sid in sessions
    }


def explain(instance: TimetableInstance, assignments: Assignments) -> list[SessionExplanation]:
    """Per session: interested people, how many of them clash, with which sessions, and the overflow."""
    rooms = {r.id: r for r in instance.rooms}
    occupied = _occupied(instance, assignments)
    interests_of: dict[str, set[str]] = defaultdict(set)
    people_of: dict[str, set[str]] = defaultdict(set)
    for interest in instance.interests:
        interests_of[interest.person].add(interest.session)
        people_of[interest.session].add(interest.person)
    out = []
    for session in instance.sessions:
        with_counts: Counter[str] = Counter()
        clashing = 0
        mine = occupied.get(session.id, set())
        for person in sorted(people_of[session.id]):
            others = [o for o in interests_of[person] if o != session.id and occupied.get(o, set()) & mine]
            if others:
                clashing += 1
                with_counts.update(others)
        room = rooms.get(assignments.get(session.id, ("", ""))[1])
        overflow = max(0, len(people_of[session.id]) - room.capacity) if room else 0
        out.append(
            SessionExplanation(
                session=session.id,
                interested=len(people_of[session.id]),
                clashing_people=clashing,
                clashes_with=dict(sorted(with_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
                overflow=overflow,
            )
        )
    return out


def timetable_diff(
    previous: Assignments, new: Assignments
) -> list[tuple[str, tuple[str, str] | None, tuple[str, str] | None]]:
    """Sessions whose (first slot, room) changed, were added or removed: (session, before, after), sorted."""
    changed = []
    for session_id in sorted(set(previous) | set(new)):
        before, after = previous.get(session_id), new.get(session_id)
        if before != after:
            changed.append((session_id, before, after))
    return changed


@dataclass(frozen=True)
class MoveReason:
    """Why a session left its earlier place: the sessions now in the way there (its room in those slots, or
    one of its facilitators), whether that place is possible at all any more, and otherwise how much
    clash + overflow the move spares."""

    session: str
    blocked_by: tuple[str, ...] = ()
    possible: bool = True
    spared: int | None = None


def move_reasons(
    instance: TimetableInstance, previous: Assignments, assignments: Assignments
) -> list[MoveReason]:
    """For each session placed elsewhere than in `previous`: what putting it back alone would meet."""
    sessions = {s.id: s for s in instance.sessions}
    occupied = _occupied(instance, assignments)
    current = objective(instance, assignments)
    out = []
    for sid in sorted(sessions):
        before, now = previous.get(sid), assignments.get(sid)
        if before is None or now is None or before == now:
            continue
        session = sessions[sid]
        alone = TimetableInstance(instance.name, instance.slots, instance.rooms, [session], [])
        if check(alone, {sid: before}):  # the room, the slot or the session's needs changed
            out.append(MoveReason(sid, possible=False))
            continue
        run = occupied_slots(instance, session, before[0]) or []
        in_way = tuple(
            other
            for other, slots in sorted(occupied.items())
            if other != sid
            and slots & set(run)
            and (
                assignments[other][1] == before[1]
                or set(session.facilitators) & set(sessions[other].facilitators)
            )
        )
        if in_way:
            out.append(MoveReason(sid, blocked_by=in_way))
            continue
        back = {**assignments, sid: before}
        out.append(MoveReason(sid, spared=objective(instance, back) - current))
    return out


# ------------------------------------------------------------------------------------------- the solver


class _Problem:
    """Index-based view of an instance: placements per session and people per session, for fast moves."""

    def __init__(
        self, instance: TimetableInstance, previous: Assignments | None = None, move_cost: int = 0
    ) -> None:
        self.instance = instance
        self.slots = ordered_slots(instance)
        self.slot_index = {s.id: n for n, s in enumerate(self.slots)}
        self.room_index = {r.id: n for n, r in enumerate(instance.rooms)}
        self.sessions = instance.sessions
        self.n_slots, self.n_rooms, self.n = len(self.slots), len(instance.rooms), len(instance.sessions)
        session_index = {s.id: i for i, s in enumerate(self.sessions)}
        people: dict[str, int] = {}
        # attendees[i] = [(person, weight)]; a person listed twice for a session counts once, heaviest weight.
        merged: dict[tuple[int, int], int] = {}
        for interest in instance.interests:
            if interest.session not in session_index:
                continue
            p = people.setdefault(interest.person, len(people))
            key = (session_index[interest.session], p)
            merged[key] = max(merged.get(key, 0), interest.weight)
        self.n_people = len(people)
        self.attendees: list[list[tuple[int, int]]] = [[] for _ in self.sessions]
        for (i, p), weight in merged.items():
            self.attendees[i].append((p, weight))
        # The same as arrays, for the search's bookkeeping: each session's people, the index of each one's
        # weight among the distinct weights of the instance, and the session's total weight.
        self.level_weights = np.array(sorted({w for people in self.attendees for _p, w in people}) or [1])
        level_index = {int(w): n for n, w in enumerate(self.level_weights)}
        self.people_of = [np.array([p for p, _w in people], dtype=np.int64) for people in self.attendees]
        self.weight_total = [sum(w for _p, w in people) for people in self.attendees]
        self.level_of = [
            np.array([level_index[w] for _p, w in people], dtype=np.int64) for people in self.attendees
        ]
        # interests_of[p] = [(session, weight)]
        self.interests_of: list[list[tuple[int, int]]] = [[] for _ in range(self.n_people)]
        for (i, p), weight in merged.items():
            self.interests_of[p].append((i, weight))
        self.facilitators = [tuple(sorted(set(s.facilitators))) for s in self.sessions]
        # placements[i] = [(first slot index, room index, occupied slot indices, static cost)]
        self.placements: list[list[tuple[int, int, tuple[int, ...], int]]] = []
        previous = previous or {}
        for i, session in enumerate(self.sessions):
            options = []
            before = previous.get(session.id)
            for start in range(self.n_slots):
                run = tuple(range(start, start + session.length))
                if run[-1] >= self.n_slots or any(self.slots[t].day != self.slots[start].day for t in run):
                    continue
                if any(self.slots[t].id in session.unavailable_slots for t in run):
                    continue
                for r, room in enumerate(instance.rooms):
                    if not session.needs <= room.features:
                        continue
                    if room.unavailable_slots and any(
                        self.slots[t].id in room.unavailable_slots for t in run
                    ):
                        continue
                    if session.pinned is not None and session.pinned != (self.slots[start].id, room.id):
                        continue
                    cost = max(0, len(self.attendees[i]) - room.capacity)
                    if before is not None and before != (self.slots[start].id, room.id):
                        cost += move_cost
                    options.append((start, r, run, cost))
            self.placements.append(options)

    def assignments(self, place: list[int]) -> Assignments:
        out = {}
        for i, k in enumerate(place):
            if k >= 0:
                start, r, _run, _cost = self.placements[i][k]
                out[self.sessions[i].id] = (self.slots[start].id, self.instance.rooms[r].id)
        return out

    def static_bound(self) -> int:
        """Each session in its cheapest placement: overflow (and move cost) no timetable avoids."""
        return sum(min((p[3] for p in options), default=0) for options in self.placements)

    def personal_clash_bound(self) -> int:
        """A person interested in more session-slots than there are slots must clash: in the best case the
        heaviest interests fill every slot and the rest each add their weight."""
        weights: dict[int, list[int]] = defaultdict(list)
        for i, people in enumerate(self.attendees):
            for p, weight in people:
                weights[p].extend([weight] * self.sessions[i].length)
        clash = 0
        for ws in weights.values():
            if len(ws) > self.n_slots:
                ws.sort(reverse=True)
                clash += sum(ws[self.n_slots :])
        return clash

    def slot_sharing_bound(self, time_limit: float) -> int | None:
        """`bounds.slot_sharing_bound` over this instance's sessions, people, slots and rooms."""
        popularity = [len(people) for people in self.attendees]
        return bounds.slot_sharing_bound(
            self.interests_of, popularity, self.n_slots, self.n_rooms, time_limit
        )


class _State:
    """A (possibly partial) timetable with incremental clash bookkeeping per person and slot.

    For each person and slot: how many of their interests of each weight occupy it (`counts`); a person's
    clash there is those interests' total weight less the heaviest present. A session's move changes these
    for its people in the slots it leaves and enters, computed over all of them at once (a popular session
    has a thousand people).
    """

    def __init__(self, problem: _Problem) -> None:
        self.pb = problem
        self.place = [-1] * problem.n
        self.room_slot = [[-1] * problem.n_slots for _ in range(problem.n_rooms)]
        self.facilitator_slot: dict[tuple[str, int], int] = {}
        levels = len(problem.level_weights)
        self.counts = np.zeros((problem.n_people, problem.n_slots, levels), dtype=np.int32)
        self.cost = 0

    def _heaviest(self, counts: np.ndarray) -> np.ndarray:
        """The heaviest weight present in each row of counts (0 where none)."""
        return ((counts > 0) * self.pb.level_weights).max(axis=1)

    def clash_delta(self, i: int, old_run: tuple[int, ...], new_run: tuple[int, ...]) -> int:
        """Change in clash if session i moves from old_run to new_run (either may be empty)."""
        if old_run == new_run:
            return 0
        people, weight, levels = self.pb.people_of[i], self.pb.weight_total[i], self.pb.level_of[i]
        if not len(people):
            return 0
        rows = np.arange(len(people))
        delta = 0
        # A slot in both runs keeps the session: only the slots it leaves or enters change.
        for t in old_run:
            if t in new_run:
                continue
            counts = self.counts[people, t]
            before = self._heaviest(counts)
            counts[rows, levels] -= 1
            # total falls by the session's weights; the clash by that less the fall of the heaviest
            delta -= weight - int((before - self._heaviest(counts)).sum())
        for t in new_run:
            if t in old_run:
                continue
            counts = self.counts[people, t]
            before = self._heaviest(counts)
            counts[rows, levels] += 1
            delta += weight - int((self._heaviest(counts) - before).sum())
        return delta

    def _apply_people(self, i: int, run: tuple[int, ...], sign: int) -> None:
        people, levels = self.pb.people_of[i], self.pb.level_of[i]
        for t in run:
            self.counts[people, t, levels] += sign

    def blockers(self, i: int, k: int) -> set[int]:
        """Sessions that stand in the way of session i taking placement k."""
        _start, r, run, _cost = self.pb.placements[i][k]
        out = set()
        for t in run:
            other = self.room_slot[r][t]
            if other >= 0 and other != i:
                out.add(other)
            for person in self.pb.facilitators[i]:
                other = self.facilitator_slot.get((person, t), -1)
                if other >= 0 and other != i:
                    out.add(other)
        return out

    def move_delta(self, i: int, k: int) -> int:
        old = self.place[i]
        old_run = self.pb.placements[i][old][2] if old >= 0 else ()
        old_static = self.pb.placements[i][old][3] if old >= 0 else 0
        new = self.pb.placements[i][k]
        return new[3] - old_static + self.clash_delta(i, old_run, new[2])

    def remove(self, i: int) -> None:
        k = self.place[i]
        if k < 0:
            return
        _start, r, run, static = self.pb.placements[i][k]
        self.cost += self.clash_delta(i, run, ()) - static
        self._apply_people(i, run, -1)
        for t in run:
            self.room_slot[r][t] = -1
            for person in self.pb.facilitators[i]:
                self.facilitator_slot.pop((person, t), None)
        self.place[i] = -1

    def put(self, i: int, k: int) -> None:
        _start, r, run, static = self.pb.placements[i][k]
        self.cost += self.clash_delta(i, (), run) + static
        self._apply_people(i, run, +1)
        for t in run:
            self.room_slot[r][t] = i
            for person in self.pb.facilitators[i]:
                self.facilitator_slot[(person, t)] = i
        self.place[i] = k


def _construct(state: _State, rng: random.Random, deadline: float) -> bool:
    """Place every session: cheapest free placement first, ejecting others when none is free.

    Ejection (remove the blockers, queue them again) is what gets tight grids, where there are about as
    many sessions as room-slots, fully placed; a tabu on the session just placed stops ping-pong.
    """
    pb = state.pb
    unplaced = [i for i in range(pb.n) if state.place[i] < 0]
    queue = sorted(unplaced, key=lambda i: (len(pb.placements[i]), -len(pb.attendees[i])))
    queue.reverse()  # pop() takes the most constrained first
    last_placed: dict[int, int] = {}
    step = 0
    while queue:
        if time.monotonic() > deadline:
            return False
        step += 1
        i = queue.pop()
        options = pb.placements[i]
        if not options:
            return False
        best, best_key = -1, None
        sample = options if len(options) <= 120 else rng.sample(options, 120)
        index_of = {id(o): n for n, o in enumerate(options)}
        for option in sample:
            k = index_of[id(option)]
            blocking = state.blockers(i, k)
            if any(last_placed.get(j, -10) >= step - 2 for j in blocking):
                continue
            # Prefer free placements by cost; failing that, the one displacing the fewest sessions.
            key = (len(blocking), rng.random()) if blocking else (0, state.move_delta(i, k) + rng.random())
            if best_key is None or key < best_key:
                best, best_key = k, key
        if best < 0:
            best = rng.randrange(len(options))
        for j in state.blockers(i, best):
            state.remove(j)
            queue.insert(rng.randrange(len(queue) + 1), j)
        state.put(i, best)
        last_placed[i] = step
    return True


def _previous_placements(pb: _Problem, previous: Assignments) -> dict[int, int]:
    """{session index: placement index} of each session's earlier place, where that place is still allowed."""
    out = {}
    for i, session in enumerate(pb.sessions):
        before = previous.get(session.id)
        if before is None or before[0] not in pb.slot_index or before[1] not in pb.room_index:
            continue
        where = (pb.slot_index[before[0]], pb.room_index[before[1]])
        k = next((k for k, p in enumerate(pb.placements[i]) if (p[0], p[1]) == where), None)
        if k is not None:
            out[i] = k
    return out


def _keep_previous(state: _State, kept: dict[int, int]) -> None:
    """Start from the earlier timetable: every session that can stay where it was, stays (first come, first
    kept, should the rules have changed so that two of them now collide)."""
    for i, k in kept.items():
        if not state.blockers(i, k):
            state.put(i, k)


def _settle_moves(state: _State, kept: dict[int, int]) -> None:
    """Put back every moved session whose earlier place is free and costs no more there (its move cost
    included), until none is left: each move that remains is forced by the rules or pays for itself."""
    changed = True
    while changed:
        changed = False
        for i, k in kept.items():
            if state.place[i] != k and not state.blockers(i, k) and state.move_delta(i, k) <= 0:
                state.remove(i)
                state.put(i, k)
                changed = True


# The annealer's first temperature, cooling linearly to 0.05: measured on the large Gathering at 60 s
# (objective 6,466 from 5.0, 6,544 from 2.0, worse from 8.0 at 30 s).
START_TEMPERATURE = 5.0


def _local_search(
    state: _State,
    rng: random.Random,
    deadline: float,
    target: int = 0,
    stop: Callable[[], bool] | None = None,
) -> list[int]:
    """Simulated annealing over moves to a free placement and swaps of two sessions' placements, until the
    deadline, a cost at `target`, or `stop()` says another search has finished."""
    pb = state.pb
    best_cost, best_place = state.cost, state.place[:]
    movable = [i for i in range(pb.n) if len(pb.placements[i]) > 1]
    if not movable:
        return best_place
    by_length: dict[int, list[int]] = defaultdict(list)
    for i in movable:
        by_length[pb.sessions[i].length].append(i)
    # Where each session could start, to find swap partners: key (first slot, room) -> placement index.
    lookup = [{(p[0], p[1]): k for k, p in enumerate(options)} for options in pb.placements]
    temperature = START_TEMPERATURE
    iteration = 0
    started = time.monotonic()
    total = max(1e-3, deadline - started)
    while True:
        iteration += 1
        if iteration % 200 == 0:
            now = time.monotonic()
            if now > deadline or best_cost <= target or (stop is not None and stop()):
                break  # nothing below a proven bound, or found elsewhere
            temperature = max(0.05, START_TEMPERATURE * (1 - (now - started) / total))
        i = rng.choice(movable)
        if rng.random() < 0.5:
            k = rng.randrange(len(pb.placements[i]))
            if k == state.place[i] or state.blockers(i, k):
                continue
            delta = state.move_delta(i, k)
            if delta <= 0 or rng.random() < math.exp(-delta / temperature):
                state.remove(i)
                state.put(i, k)
        else:
            j = rng.choice(by_length[pb.sessions[i].length])
            if j == i:
                continue
            pi, pj = pb.placements[i][state.place[i]], pb.placements[j][state.place[j]]
            ki, kj = lookup[i].get((pj[0], pj[1])), lookup[j].get((pi[0], pi[1]))
            if ki is None or kj is None:
                continue
            before = state.cost
            state.remove(i)
            state.remove(j)
            if state.blockers(i, ki) or state.blockers(j, kj):
                state.put(i, lookup[i][(pi[0], pi[1])])
                state.put(j, lookup[j][(pj[0], pj[1])])
                continue
            state.put(i, ki)
            state.put(j, kj)
            delta = state.cost - before
            if not (delta <= 0 or rng.random() < math.exp(-delta / temperature)):
                state.remove(i)
                state.remove(j)
                state.put(i, lookup[i][(pi[0], pi[1])])
                state.put(j, lookup[j][(pj[0], pj[1])])
        if state.cost < best_cost:
            best_cost, best_place = state.cost, state.place[:]
    return best_place


def _occupancy(
    m: Any, placements: dict[int, list[tuple[int, Any]]], pb: _Problem
) -> dict[int, dict[int, Any]]:
    """For each session and slot it can occupy, one boolean "it occupies the slot", equal to the sum of its
    placements there. Clash terms rest on these: CP-SAT propagates and learns far better over them than over
    the sums of placements (on a planted 300-session instance, a timetable without clash in 10 to 30 s
    instead of 60 to 120 s)."""
    occ: dict[int, dict[int, Any]] = {}
    for i, options in placements.items():
        by_slot: dict[int, list[Any]] = defaultdict(list)
        for k, v in options:
            for t in pb.placements[i][k][2]:
                by_slot[t].append(v)
        occ[i] = {}
        for t, lits in by_slot.items():
            if len(lits) == 1:
                occ[i][t] = lits[0]
            else:
                v = m.new_bool_var("")
                m.add(v == sum(lits))
                occ[i][t] = v
    return occ


def _placement_model(
    pb: _Problem, allowed: list[list[int]]
) -> tuple[Any, dict[int, list[tuple[int, Any]]], dict[int, dict[int, Any]]]:
    """CP-SAT variables for each session's allowed placements (exactly one each), with rooms and facilitators
    in one place at a time; returns (model, {session: [(placement, literal)]}, occupancy)."""
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    chosen: dict[int, list[tuple[int, Any]]] = {}
    room_slot: dict[tuple[int, int], list[Any]] = defaultdict(list)
    fac_slot: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for i, ks in enumerate(allowed):
        chosen[i] = [(k, m.new_bool_var("")) for k in ks]
        m.add_exactly_one([v for _k, v in chosen[i]])
        for k, v in chosen[i]:
            _start, r, run, _cost = pb.placements[i][k]
            for t in run:
                room_slot[(r, t)].append(v)
                for person in pb.facilitators[i]:
                    fac_slot[(person, t)].append(v)
    for group in (*room_slot.values(), *fac_slot.values()):
        if len(group) > 1:
            m.add_at_most_one(group)
    return m, chosen, _occupancy(m, chosen, pb)


def _interest_profiles(pb: _Problem) -> Counter[tuple[tuple[int, int], ...]]:
    """People with two interests or more, grouped by their (session, weight) interests: one term each."""
    profiles: Counter[tuple[tuple[int, int], ...]] = Counter()
    for interests in pb.interests_of:
        if len(interests) > 1:  # one interest never clashes
            profiles[tuple(sorted(interests))] += 1
    return profiles


def _chosen(solver: Any, chosen: dict[int, list[tuple[int, Any]]], n: int) -> list[int]:
    return [next(k for k, v in chosen[i] if solver.boolean_value(v)) for i in range(n)]


def _cp_sat(
    pb: _Problem, hint: list[int] | None, time_limit: float, seed: int, workers: int
) -> tuple[list[int] | None, int | None, bool]:
    """Exact model: placement choice, with clash written as (total weight) - (sum of per-slot maxima).

    People with identical interests are merged; for each group, slot and weight level a boolean says some
    session the group wants at least that much occupies the slot. Returns (placement, bound, optimal).
    """
    from ortools.sat.python import cp_model

    if any(not options for options in pb.placements):
        return None, None, True  # a session with nowhere to go: no timetable exists
    m, chosen, occ = _placement_model(pb, [list(range(len(options))) for options in pb.placements])
    static = [pb.placements[i][k][3] * v for i, options in chosen.items() for k, v in options]
    gained = []
    constant = 0
    for profile, count in _interest_profiles(pb).items():
        constant += count * sum(w * pb.sessions[i].length for i, w in profile)
        levels = sorted({w for _i, w in profile})
        for t in range(pb.n_slots):
            previous_level = 0
            for level in levels:
                wanting = [occ[i][t] for i, w in profile if w >= level and t in occ[i]]
                if not wanting:
                    continue
                h = m.new_bool_var("")
                m.add_bool_or(wanting).only_enforce_if(h)
                gained.append(count * (level - previous_level) * h)
                previous_level = level
    m.minimize(constant + sum(static) - sum(gained))
    if hint is not None:
        for i, k in enumerate(hint):
            for kk, v in chosen[i]:
                m.add_hint(v, kk == k)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(m)
    if status == cp_model.INFEASIBLE:
        return None, None, True
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None, False
    bound = math.ceil(solver.best_objective_bound - 1e-6)
    return _chosen(solver, chosen, pb.n), bound, status == cp_model.OPTIMAL


class _PerfectSearch:
    """Looks for a timetable that costs nothing: no clash, nobody turned away, no move. With clash and
    overflow forbidden outright instead of counted, CP-SAT's propagation does the work (a person's sessions
    in a slot are at most one; only placements in rooms big enough are allowed), which finds the planted
    optimum of large instances that the weighted model and the annealer stop short of.

    The time to find one varies a lot from one random seed to the next, so the search restarts with a new
    seed and a longer limit each time (15 s, 22 s, 34 s ...). `stop()` ends it from another thread.
    """

    def __init__(self, pb: _Problem, workers: int, seed: int) -> None:
        self.pb, self.workers, self.seed = pb, workers, seed
        self.solver: Any = None
        self.stopped = False
        self.place: list[int] | None = None
        self.impossible = False  # proven: every timetable costs something

    def run(self, deadline: float, hint: Callable[[], list[int]] | None = None) -> None:
        """Search until `deadline`; each attempt starts from `hint()`, the timetable the annealer holds at
        that moment, when given (CP-SAT finds a perfect timetable sooner near a good one)."""
        from ortools.sat.python import cp_model

        pb = self.pb
        allowed = [[k for k, p in enumerate(options) if p[3] == 0] for options in pb.placements]
        if any(not ks for ks in allowed):
            self.impossible = True
            return
        m, chosen, occ = _placement_model(pb, allowed)
        for profile in _interest_profiles(pb):
            for t in range(pb.n_slots):
                together = [occ[i][t] for i, _w in profile if t in occ[i]]
                if len(together) > 1:
                    m.add_at_most_one(together)
        limit, attempt = 15.0, 0
        while not self.stopped and time.monotonic() < deadline:
            if hint is not None:
                m.clear_hints()
                start = hint()
                for i, options in chosen.items():
                    if start[i] >= 0:
                        for k, v in options:
                            m.add_hint(v, k == start[i])
            solver = cp_model.CpSolver()
            solver.parameters.max_time_in_seconds = max(0.1, min(limit, deadline - time.monotonic()))
            solver.parameters.num_workers = self.workers
            solver.parameters.random_seed = self.seed + attempt
            self.solver = solver
            if self.stopped:
                return
            status = solver.solve(m)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                self.place = _chosen(solver, chosen, pb.n)
                return
            if status == cp_model.INFEASIBLE:
                self.impossible = True
                return
            limit, attempt = limit * 1.5, attempt + 1

    def stop(self) -> None:
        self.stopped = True
        if self.solver is not None:
            self.solver.stop_search()


# CP-SAT pays off while the model stays small; beyond this the annealer finds better timetables sooner.
CP_SAT_MAX_PLACEMENTS = 6_000


def solve_timetable(
    instance: TimetableInstance,
    *,
    time_limit: float,
    seed: int = 0,
    previous: Assignments | None = None,
    move_cost: int = 0,
    workers: int = 2,
) -> TimetableResult:
    """Best timetable found within `time_limit` seconds, with a lower bound.

    With `previous` assignments, every session placed elsewhere than before adds `move_cost` to the
    objective (reported in `terms["moves"]`), so a published timetable changes only where that helps.
    """
    started = time.monotonic()
    deadline = started + time_limit
    rng = random.Random(seed)  # noqa: S311 - search randomness, not security
    pb = _Problem(instance, previous, move_cost)
    static, personal = pb.static_bound(), pb.personal_clash_bound()
    bound: int | None = static + personal
    optimal = False
    state = _State(pb)
    kept = _previous_placements(pb, previous or {})
    _keep_previous(state, kept)
    small = sum(len(p) for p in pb.placements) <= CP_SAT_MAX_PLACEMENTS
    # The slot-sharing bound is a linear programme of about n^2 / 2 columns: under a second up to 150
    # sessions, so it comes first (a bound above 0 spares the search for a perfect timetable); for more, it
    # runs beside the search (half a core for ~14 s at 300 sessions) when the solve has time to spare.
    sharing: dict[str, int | None] = {}

    def solve_lp(seconds: float) -> None:
        sharing["clash"] = pb.slot_sharing_bound(seconds)

    lp = None
    if pb.n <= 150:
        solve_lp(max(0.1, min(2.0, time_limit * 0.2)))
    elif pb.n * pb.n / 2 <= 1500 * time_limit:
        lp = threading.Thread(target=solve_lp, args=(max(0.1, time_limit - 1.0),), daemon=True)
        lp.start()

    def with_sharing(bound: int | None) -> int | None:
        clash_bound = sharing.get("clash")
        if clash_bound is None or bound is None:
            return bound
        return max(bound, static + max(clash_bound, personal))

    bound = with_sharing(bound)
    # When nothing proves that every timetable costs something, a timetable that costs nothing is looked
    # for first on small instances (it takes a moment, and ends the solve), and beside the annealer on
    # large ones (a second thread: CP-SAT works outside Python's lock), whichever finishes first.
    perfect = _PerfectSearch(pb, workers, seed) if bound == 0 else None
    beside = None
    perfect_until = deadline
    if perfect is not None and small:
        perfect.run(started + max(0.5, time_limit * 0.3))
    elif perfect is not None:
        # Until 70% of the time; the annealer warms up beside it, then stands aside (measured on planted
        # 300-session instances: 0 in 13 to 35 s, against 16 to 101 s with both searching throughout).
        perfect_until = started + 0.7 * time_limit
        beside = threading.Thread(
            target=perfect.run, args=(perfect_until, lambda: state.place[:]), daemon=True
        )
        beside.start()

    def found_perfect() -> bool:
        return perfect is not None and perfect.place is not None

    place: list[int] | None = None
    first_feasible = None
    if not found_perfect():
        # On small instances CP-SAT settles feasibility itself, so the construction gets only a short go;
        # on large ones a timetable that keeps every rule comes first, and the search has the time left.
        placed = _construct(state, rng, started + min(1.0, time_limit * 0.2) if small else deadline)
        place = state.place[:] if placed else None
        first_feasible = time.monotonic() - started if placed else None
        if placed and not small and beside is not None:
            warm = min(deadline, started + min(10.0, 0.2 * time_limit))
            place = _local_search(state, rng, warm, 0, stop=found_perfect)
            while beside.is_alive() and time.monotonic() < perfect_until:
                if lp is not None and not lp.is_alive() and (sharing.get("clash") or 0) > 0:
                    perfect.stop()  # the slot-sharing bound proves no timetable costs nothing
                    break
                beside.join(0.05)
            if not found_perfect():
                # The annealer keeps the best it meets, starting from this timetable.
                state = _state_of(pb, place)
                place = _local_search(state, rng, deadline, bound or 0)
        elif placed and not small:
            place = _local_search(state, rng, deadline, bound or 0)
        elif small:
            if placed:
                place = _local_search(state, rng, started + min(time_limit * 0.2, 2.0), bound or 0)
            exact, cp_bound, proven = _cp_sat(pb, place, deadline - time.monotonic(), seed, workers)
            if exact is not None:
                if place is None or _cost(pb, exact) <= _cost(pb, place):
                    place = exact
                if first_feasible is None:
                    first_feasible = time.monotonic() - started
                bound = max(bound or 0, cp_bound or 0)
                optimal = proven
            elif proven:  # CP-SAT proved no timetable satisfies the hard rules
                bound = None
    if lp is not None:
        lp.join(max(0.0, deadline - time.monotonic()))
        bound = with_sharing(bound)
    if perfect is not None:
        if beside is not None:
            if not found_perfect():
                perfect.stop()
            beside.join()
        if perfect.place is not None:
            place, bound, optimal = perfect.place, 0, True
            if first_feasible is None:
                first_feasible = time.monotonic() - started
        elif perfect.impossible and bound is not None:
            bound = max(bound, 1)
    seconds = time.monotonic() - started
    if place is None or any(k < 0 for k in place):
        partial = pb.assignments(place or state.place)
        terms = objective_terms(instance, partial)
        return TimetableResult(partial, terms["objective"], bound, False, seconds, False, terms, None)
    if kept:
        settled = _state_of(pb, place)
        _settle_moves(settled, kept)
        place = settled.place
    assignments = pb.assignments(place)
    terms = objective_terms(instance, assignments)
    # Only sessions that had a place before can move; new ones are free to go anywhere.
    moves = sum(1 for k, v in (previous or {}).items() if k in assignments and assignments[k] != v)
    terms["moves"] = moves * move_cost
    total = terms["objective"] + terms["moves"]
    optimal = optimal or (bound is not None and total <= bound)
    valid = not check(instance, assignments)
    return TimetableResult(
        assignments, total, bound, optimal, seconds, valid, terms, first_feasible if valid else None
    )


def _state_of(pb: _Problem, place: list[int]) -> _State:
    state = _State(pb)
    for i, k in enumerate(place):
        state.put(i, k)
    return state


def _cost(pb: _Problem, place: list[int]) -> int:
    return _state_of(pb, place).cost


# ---------------------------------------------------------------------------------------- test instances


def generate_instance(
    seed: int,
    *,
    sessions: int = 300,
    people: int = 2000,
    interests_per_person: int = 8,
    slots: int = 12,
    rooms: int = 25,
    days: int = 2,
) -> TimetableInstance:
    """A random but feasible instance: built around a hidden valid timetable, with popular sessions.

    Needs, unavailable slots and facilitators are drawn so that the hidden timetable obeys them, which
    guarantees a solution exists even when sessions fill every room-slot.
    """
    rng = random.Random(seed)  # noqa: S311 - search randomness, not security
    per_day = math.ceil(slots / days)
    slot_list = [Slot(f"t{n + 1}", n // per_day + 1, n % per_day + 1) for n in range(slots)]
    room_list = [
        Room(
            f"r{n + 1}",
            rng.choice((15, 20, 30, 40, 60, 80, 120)),
            frozenset(f for f in ("step_free", "hearing_loop") if rng.random() < 0.7),
        )
        for n in range(rooms)
    ]
    cells = [(t, r) for t in range(slots) for r in range(rooms)]
    rng.shuffle(cells)
    if sessions > len(cells):
        raise ValueError(f"{sessions} sessions cannot fit {len(cells)} room-slots")
    hidden = cells[:sessions]
    busy: dict[str, set[int]] = defaultdict(set)
    session_list = []
    facilitator_pool = [f"f{n + 1}" for n in range(max(1, sessions * 2 // 3))]
    for n, (t, r) in enumerate(hidden):
        facilitators = []
        for person in rng.sample(facilitator_pool, min(len(facilitator_pool), rng.choice((1, 1, 2)))):
            if t not in busy[person]:
                busy[person].add(t)
                facilitators.append(person)
        room = room_list[r]
        needs = frozenset(f for f in sorted(room.features) if rng.random() < 0.15)
        unavailable = frozenset(
            slot_list[u].id
            for u in rng.sample(range(slots), min(slots - 1, rng.choice((0, 0, 1, 3))))
            if u != t
        )
        session_list.append(Session(f"s{n + 1}", 1, tuple(facilitators), needs, None, unavailable))
    # Zipf-like popularity: a few sessions draw crowds, which makes room sizes matter.
    popularity = [1 / (n + 1) ** 0.8 for n in range(sessions)]
    interests = []
    for p in range(people):
        chosen: set[int] = set()
        while len(chosen) < min(interests_per_person, sessions):
            chosen.add(rng.choices(range(sessions), popularity)[0])
        for i in sorted(chosen):
            interests.append(Interest(f"p{p + 1}", f"s{i + 1}", 3 if rng.random() < 0.25 else 1))
    return TimetableInstance(f"generated-{seed}", slot_list, room_list, session_list, interests)
