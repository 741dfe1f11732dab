"""Reads of a programme that pages and the API share, each in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from gathering.accounts.models import User
from gathering.events.models import Event

from .models import Interest, Programme, Review, Room, Session, Slot, TimetableRun, in_play_q

# -------------------------------------------------------- published timetable, agenda, board (public)
# Anyone may see the sessions in play (`Session.is_in_play`); curated proposals under review, and withdrawn,
# declined or merged sessions, are not public.


def programme_get_public(*, slug: str) -> Programme:
    """The programme of a published (or cancelled) Gathering; raises Programme.DoesNotExist."""
    return Programme.objects.select_related("event", "event__venue").get(
        event__slug=slug, event__status__in=(Event.Status.PUBLISHED, Event.Status.CANCELLED)
    )


def _facilitators() -> Prefetch:
    return Prefetch("facilitators", queryset=User.objects.only("pk", "name", "preferred_name").order_by("pk"))


def _interest_count(level: int) -> Coalesce:
    """The number of marks at `level` on each session, counted apart for each one (a join of every mark with
    every session row, grouped by all of the session's columns, costs far more)."""
    marks = (
        Interest.objects.filter(session=OuterRef("pk"), level=level)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(marks), 0)


def _sessions_in_play(*, programme: Programme) -> QuerySet[Session]:
    """Public sessions with their place. Through the programme's own manager, so each session knows its
    programme (and Gathering) without a query."""
    return programme.sessions.in_play().select_related("slot", "room")


def sessions_public(*, programme: Programme) -> QuerySet[Session]:
    """Public sessions with their facilitators and interest counts."""
    return (
        _sessions_in_play(programme=programme)
        .prefetch_related(_facilitators())
        .annotate(
            would_like=_interest_count(Interest.Level.WOULD_LIKE),
            really_want=_interest_count(Interest.Level.REALLY_WANT),
        )
    )


def session_get_public(*, programme: Programme, session_id: int) -> Session:
    """One public session; raises Session.DoesNotExist for drafts, withdrawn and declined sessions."""
    return sessions_public(programme=programme).get(pk=session_id)


def interest_levels(*, user: User, programme: Programme) -> dict[int, int]:
    """{session id: level} of the person's marks in this programme (empty for anonymous visitors)."""
    if not user.is_authenticated:
        return {}
    return dict(
        Interest.objects.filter(user=user, session__programme=programme).values_list("session_id", "level")
    )


def board_sessions(*, programme: Programme) -> list[Session]:
    """The proposal board: every public session, newest proposals first, with its interest counts (but not
    its facilitators, which the board does not show). In two queries: the marks of the whole programme are
    counted in one go, which is cheaper than counting them session by session."""
    sessions = list(_sessions_in_play(programme=programme).order_by("-created_at", "-pk"))
    rows = (
        Interest.objects.filter(session__programme=programme)
        .order_by()
        .values("session_id", "level")
        .annotate(n=Count("pk"))
        .values_list("session_id", "level", "n")
    )
    counts = {(session_id, level): n for session_id, level, n in rows}
    for session in sessions:
        session.would_like = counts.get((session.pk, Interest.Level.WOULD_LIKE), 0)
        session.really_want = counts.get((session.pk, Interest.Level.REALLY_WANT), 0)
    return sessions


def session_slots(session: Session, slots: list[Slot]) -> list[Slot]:
    """The slots a placed session runs in: its first slot and the next ones (breaks skipped)."""
    if session.slot_id is None:
        return []
    ids = [slot.pk for slot in slots]
    if session.slot_id not in ids:
        return []
    following = [slot for slot in slots[ids.index(session.slot_id) :] if not slot.is_break]
    return following[: session.length]


@dataclass
class Cell:
    room: Room
    session: Session | None = None
    continued: bool = False


@dataclass
class Row:
    slot: Slot
    cells: list[Cell] = field(default_factory=list)

    @property
    def sessions(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.session is not None]


@dataclass
class Timetable:
    programme: Programme
    rooms: list[Room]
    rows: list[Row]

    @property
    def days(self) -> list[tuple[dt.date, list[Row]]]:
        """Rows grouped by day in the Gathering's time zone."""
        zone = self.programme.event.zone
        grouped: dict[dt.date, list[Row]] = {}
        for row in self.rows:
            grouped.setdefault(row.slot.starts_at.astimezone(zone).date(), []).append(row)
        return list(grouped.items())

    def now_and_next(self, now: dt.datetime) -> tuple[Row | None, Row | None]:
        """The row running at `now` (None between slots) and the next row that has not started."""
        current = next((r for r in self.rows if r.slot.starts_at <= now < r.slot.ends_at), None)
        upcoming = next((r for r in self.rows if r.slot.starts_at > now), None)
        return current, upcoming


def sessions_placed(
    *, programme: Programme, slots: list[Slot], sessions: list[Session] | None = None
) -> list[tuple[Session, list[Slot]]]:
    """Public sessions that have a place, each with the slots it runs in: from `sessions` (the programme's
    public sessions, already loaded) or in one query."""
    if sessions is None:
        placed = list(sessions_public(programme=programme).filter(slot__isnull=False, room__isnull=False))
    else:
        placed = [
            session for session in sessions if session.slot_id is not None and session.room_id is not None
        ]
        # The order a query gives (Session.Meta.ordering), which decides a cell claimed twice.
        placed.sort(key=lambda session: (session.slot.starts_at, session.title))
    return [(session, running) for session in placed if (running := session_slots(session, slots))]


def timetable_build(*, programme: Programme, sessions: list[Session] | None = None) -> Timetable:
    """The published grid: a row per slot (breaks included), a cell per room. In a fixed number of queries;
    two (slots and rooms) when the programme's public `sessions` are already loaded."""
    slots = list(programme.slots.all())
    rooms = list(programme.rooms.all())
    at: dict[tuple[int, int], tuple[Session, bool]] = {}
    for session, running in sessions_placed(programme=programme, slots=slots, sessions=sessions):
        for position, slot in enumerate(running):
            at.setdefault((slot.pk, session.room_id), (session, position > 0))
    rows = []
    for slot in slots:
        row = Row(slot=slot)
        if not slot.is_break:
            for room in rooms:
                session, continued = at.get((slot.pk, room.pk), (None, False))
                row.cells.append(Cell(room=room, session=session, continued=continued))
        rows.append(row)
    return Timetable(programme=programme, rooms=rooms, rows=rows)


def interests_for_user(*, user: User) -> QuerySet[Interest]:
    """The person's marks on public sessions of published Gatherings, newest first, with their sessions."""
    return (
        Interest.objects.filter(user=user)
        .filter(in_play_q("session__"))
        .filter(session__programme__event__status__in=(Event.Status.PUBLISHED, Event.Status.CANCELLED))
        .select_related("session__programme__event")
        .order_by("-created_at", "-pk")
    )


@dataclass
class AgendaItem:
    session: Session
    level: int | None
    facilitating: bool
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    clashes: list[Session] = field(default_factory=list)

    @property
    def is_public(self) -> bool:
        return self.session.is_in_play


@dataclass
class Agenda:
    programme: Programme
    items: list[AgendaItem]

    @property
    def published(self) -> bool:
        return self.programme.published_at is not None

    @property
    def clash_count(self) -> int:
        return sum(1 for item in self.items if item.clashes)


def agenda_for_user(*, user: User) -> list[Agenda]:
    """Per Gathering: the public sessions the person marked and the sessions they facilitate (whatever
    their state), with times once the timetable is published and clashes between them."""
    levels = dict(
        Interest.objects.filter(user=user).filter(in_play_q("session__")).values_list("session_id", "level")
    )
    sessions = (
        Session.objects.filter(
            Q(pk__in=list(levels))
            | Q(
                facilitators=user,
                status__in=(*Session.ON_PROGRAMME, Session.Status.WITHDRAWN, Session.Status.WAITING),
            )
            | Q(facilitators=user, track=Session.Track.OPEN_SPACE, status=Session.Status.DECLINED)
        )
        .filter(programme__event__status__in=(Event.Status.PUBLISHED, Event.Status.CANCELLED))
        .distinct()
        .select_related("programme", "programme__event", "programme__event__venue", "slot", "room")
        .prefetch_related(_facilitators(), "programme__slots")
        .order_by("programme__event__starts_at", "programme_id", "slot__starts_at", "title", "pk")
    )
    agendas: dict[int, Agenda] = {}
    for session in sessions:
        programme = session.programme
        agenda = agendas.setdefault(programme.pk, Agenda(programme=programme, items=[]))
        item = AgendaItem(
            session=session,
            level=levels.get(session.pk),
            facilitating=any(person.pk == user.pk for person in session.facilitators.all()),
        )
        running = session_slots(session, list(programme.slots.all())) if agenda.published else []
        if running and item.is_public:
            item.starts_at, item.ends_at = running[0].starts_at, running[-1].ends_at
        agenda.items.append(item)
    for agenda in agendas.values():
        timed = [item for item in agenda.items if item.starts_at is not None]
        for item in timed:
            item.clashes = [
                other.session
                for other in timed
                if other is not item and other.starts_at < item.ends_at and item.starts_at < other.ends_at
            ]
        agenda.items.sort(
            key=lambda i: (
                i.starts_at is None,
                i.starts_at or dt.datetime.min.replace(tzinfo=dt.UTC),
                i.session.title,
            )
        )
    return list(agendas.values())


def agenda_next_item(*, user: User, now: dt.datetime | None = None) -> AgendaItem | None:
    """The next timed session in the person's programme (one they marked or facilitate) that has not
    ended, from `agenda_for_user`, so in the same few queries."""
    now = now or timezone.now()
    upcoming = [
        item
        for agenda in agenda_for_user(user=user)
        for item in agenda.items
        if item.starts_at is not None and item.ends_at > now
    ]
    return min(upcoming, key=lambda item: (item.starts_at, item.session.title), default=None)


# -------------------------------------------------------- organisers: proposals, reviews, runs


def staff_programmes(*, user: User) -> list[Event]:
    """Gatherings whose programme this person organises or reviews, latest first, with the programme;
    `can_manage` says which ones they organise (the rest they only review)."""
    administrator = user.has_perm("accounts.manage_roles")
    organised = Q(organisers=user) if user.has_perm("accounts.organise") else Q(pk__in=[])
    events = list(
        Event.objects.filter(Q() if administrator else organised | Q(programme__reviewers=user))
        .select_related("programme")
        .distinct()
        .order_by("-starts_at")
    )
    managed = set(Event.objects.filter(organised).values_list("pk", flat=True)) if not administrator else None
    for event in events:
        event.can_manage = administrator or event.pk in managed
    return events


def staff_sessions(*, programme: Programme) -> list[Session]:
    """Every session on the board, with interest counts ('really want' apart), place and facilitators."""
    return list(
        programme.sessions.select_related("slot", "room", "proposer", "merged_into")
        .prefetch_related(Prefetch("facilitators", queryset=User.objects.order_by("name")))
        .annotate(
            interest_count=Count("interests", distinct=True),
            really_want=Count("interests", filter=Q(interests__level=2), distinct=True),
        )
        .order_by("status", "-interest_count", "title")
    )


def staff_grid(*, programme: Programme) -> tuple[list[Slot], list[Room]]:
    slots = list(programme.slots.all())
    rooms = list(programme.rooms.prefetch_related("unavailable_slots"))
    return slots, rooms


def review_queue(*, programme: Programme, reviewer: User) -> list[Session]:
    """Curated proposals with their number of reviews, average score and this reviewer's own score."""
    sessions = list(
        programme.sessions.filter(track=Session.Track.CURATED)
        .exclude(status__in=(Session.Status.WITHDRAWN, Session.Status.MERGED))
        .select_related("proposer")
        .annotate(review_count=Count("reviews"), average_score=Avg("reviews__score"))
        .order_by("status", "created_at")
    )
    mine = dict(
        Review.objects.filter(session__in=sessions, reviewer=reviewer).values_list("session_id", "score")
    )
    for session in sessions:
        session.my_score = mine.get(session.pk)
    return sessions


def review_session(*, programme: Programme, session_id: int) -> Session:
    """A curated proposal with its reviews and reviewers; raises Session.DoesNotExist."""
    return (
        programme.sessions.filter(track=Session.Track.CURATED)
        .select_related("proposer")
        .prefetch_related(Prefetch("reviews", queryset=Review.objects.select_related("reviewer")))
        .get(pk=session_id)
    )


def timetable_runs(*, programme: Programme, limit: int = 10) -> list[TimetableRun]:
    return list(programme.runs.select_related("requested_by")[:limit])
