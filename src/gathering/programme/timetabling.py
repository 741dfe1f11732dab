"""The bridge between a programme in the database and the pure optimiser: builds its TimetableInstance, names
the optimiser's ids for people, explains a result and compares it with the published timetable."""

import re
from dataclasses import dataclass, field

from django.utils import timezone

from gathering.optimise import timetable as engine

from .models import Interest, Programme, Session, Slot

# Interest weights of the native timetable format (shared/data/README.md): 1 "would like", 3 "really want".
WEIGHTS = {Interest.Level.WOULD_LIKE: 1, Interest.Level.REALLY_WANT: 3}
FACILITATING_WEIGHT = WEIGHTS[Interest.Level.REALLY_WANT]

# The optimiser's ids: "s12" is Session 12, "r3" Room 3, "t5" Slot 5 and "u7" the person with pk 7.
_ID = re.compile(r"\b([srtu])(\d+)\b")


def session_id(pk: int) -> str:
    return f"s{pk}"


def room_id(pk: int) -> str:
    return f"r{pk}"


def slot_id(pk: int) -> str:
    return f"t{pk}"


def pk_of(engine_id: str) -> int:
    return int(engine_id[1:])


@dataclass
class Loaded:
    """A programme as the optimiser sees it, with the names organisers know things by."""

    instance: engine.TimetableInstance
    published: engine.Assignments
    names: dict[str, str] = field(default_factory=dict)

    def name(self, text: str) -> str:
        """The optimiser's message with every id replaced by the title, room, time or person it stands for."""
        return _ID.sub(lambda m: self.names.get(m.group(0), m.group(0)), text)


def slot_label(slot: Slot, zone) -> str:
    start = timezone.localtime(slot.starts_at, zone)
    end = timezone.localtime(slot.ends_at, zone)
    return f"{start:%a %-d %b %H:%M}–{end:%H:%M}"


def load_instance(programme: Programme) -> Loaded:
    """The programme's grid, sessions in play, interest (weighted as WEIGHTS says) and published places.

    A run of slots on one day with no break or gap between them is a block: a session longer than one slot
    stays within a block, so it never runs across lunch.
    """
    zone = programme.event.zone
    slots = [s for s in programme.slots.all() if not s.is_break]
    breaks = [s for s in programme.slots.all() if s.is_break]
    engine_slots = []
    names: dict[str, str] = {}
    block, order, previous = 0, 0, None
    for slot in slots:
        if previous is not None:
            new_day = (
                timezone.localtime(slot.starts_at, zone).date()
                != timezone.localtime(previous.starts_at, zone).date()
            )
            interrupted = slot.starts_at > previous.ends_at or any(
                previous.ends_at <= b.starts_at < slot.starts_at for b in breaks
            )
            if new_day or interrupted:
                block, order = block + 1, 0
        engine_slots.append(engine.Slot(slot_id(slot.pk), block, order))
        names[slot_id(slot.pk)] = slot_label(slot, zone)
        order += 1
        previous = slot
    playable = {slot_id(s.pk) for s in slots}
    rooms = list(programme.rooms.prefetch_related("unavailable_slots"))
    engine_rooms = []
    for room in rooms:
        features = set(room.features) | ({"online"} if room.is_online else set())
        engine_rooms.append(
            engine.Room(
                room_id(room.pk),
                room.capacity,
                frozenset(features),
                frozenset(slot_id(s.pk) for s in room.unavailable_slots.all()) & playable,
            )
        )
        names[room_id(room.pk)] = room.name
    # The sessions the timetable must place.
    sessions = list(programme.sessions.in_play().prefetch_related("facilitators"))
    engine_sessions = []
    published: engine.Assignments = {}
    for session in sessions:
        sid = session_id(session.pk)
        names[sid] = f"“{session.title}”"
        place = None
        if session.slot_id and session.room_id and slot_id(session.slot_id) in playable:
            place = (slot_id(session.slot_id), room_id(session.room_id))
            if session.status == Session.Status.SCHEDULED:
                published[sid] = place
        for person in session.facilitators.all():
            names[f"u{person.pk}"] = person.name or str(person)
        engine_sessions.append(
            engine.Session(
                sid,
                session.length,
                tuple(f"u{person.pk}" for person in session.facilitators.all()),
                frozenset(session.needs),
                place if session.pinned else None,
            )
        )
    in_play = {s.pk for s in sessions}
    weights: dict[tuple[str, str], int] = {
        (f"u{user}", session_id(session)): WEIGHTS[level]
        for user, session, level in Interest.objects.filter(session_id__in=in_play).values_list(
            "user_id", "session_id", "level"
        )
    }
    # A facilitator attends their own session: it counts as their strongest interest, so the optimiser
    # keeps it away from the sessions they marked (and counts them in its room).
    for session in sessions:
        for person in session.facilitators.all():
            weights[(f"u{person.pk}", session_id(session.pk))] = FACILITATING_WEIGHT
    interests = [engine.Interest(person, sid, weight) for (person, sid), weight in weights.items()]
    instance = engine.TimetableInstance(
        str(programme.event.slug), engine_slots, engine_rooms, engine_sessions, interests
    )
    return Loaded(instance=instance, published=published, names=names)


def explanation(loaded: Loaded, assignments: engine.Assignments) -> list[dict[str, object]]:
    """Per session: interested people, how many of them clash and with which sessions, and the overflow."""
    rows = []
    for item in engine.explain(loaded.instance, assignments):
        rows.append(
            {
                "session": pk_of(item.session),
                "title": loaded.names.get(item.session, item.session).strip("“”"),
                "interested": item.interested,
                "clashing_people": item.clashing_people,
                "clashes_with": [
                    {
                        "session": pk_of(other),
                        "title": loaded.names.get(other, other).strip("“”"),
                        "people": n,
                    }
                    for other, n in item.clashes_with.items()
                ],
                "overflow": item.overflow,
            }
        )
    rows.sort(key=lambda row: (-row["clashing_people"] - row["overflow"], row["title"]))
    return rows


def diff(loaded: Loaded, assignments: engine.Assignments) -> list[dict[str, object]]:
    """Published sessions that move, and sessions placed for the first time; unchanged ones are left out.
    A moved session says why: the sessions that now need its place, that place no longer being possible,
    or how much clash and overflow the move spares."""

    def title(sid: str) -> str:
        return loaded.names.get(sid, sid).strip("“”")

    reasons = {r.session: r for r in engine.move_reasons(loaded.instance, loaded.published, assignments)}
    rows = []
    for sid, before, after in engine.timetable_diff(loaded.published, assignments):
        kind = "moved" if before and after else ("new" if after else "removed")
        row: dict[str, object] = {
            "session": pk_of(sid),
            "title": title(sid),
            "kind": kind,
            "before": [loaded.names.get(part, part) for part in before] if before else None,
            "after": [loaded.names.get(part, part) for part in after] if after else None,
        }
        reason = reasons.get(sid)
        if reason is not None:
            row.update(
                blocked_by=[title(other) for other in reason.blocked_by],
                possible=reason.possible,
                spared=reason.spared,
            )
        rows.append(row)
    return rows


def problems_for(loaded: Loaded, assignments: engine.Assignments, session: str) -> list[str]:
    """Broken hard rules that involve `session`, in organisers' words (the rest of the timetable may have
    problems of its own, which are not this move's)."""
    placed = {s.id for s in loaded.instance.sessions if s.id in assignments}
    partial = engine.TimetableInstance(
        loaded.instance.name,
        loaded.instance.slots,
        loaded.instance.rooms,
        [s for s in loaded.instance.sessions if s.id in placed],
        [],
    )
    mine = re.compile(rf"(?<![\w]){re.escape(session)}(?![\w])")
    return [loaded.name(p) for p in engine.check(partial, assignments) if mine.search(p)]
