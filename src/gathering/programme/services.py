"""Every change to a programme: proposals and reviews, interest marks, the grid, optimisation and publishing.

Each function takes keyword-only arguments, checks permission and input, and makes its whole change in one
transaction, with its emails (outbox) and audit entries.
"""

import logging
import time
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gathering.accounts.models import User
from gathering.core import background
from gathering.core.outbox import outbox_enqueue
from gathering.core.runs import run_claim, run_progress
from gathering.events.models import Event
from gathering.optimise import timetable as engine
from gathering.privacy.services import audit_record

from . import timetabling
from .models import Interest, Need, Programme, Review, Room, Session, Slot, TimetableRun
from .rules import can_manage_programme, can_review, can_take_part

logger = logging.getLogger(__name__)

# -------------------------------------------------------- open space: proposals and interest (attendees)

PROPOSAL_TITLE_MAX = 120
PROPOSAL_DESCRIPTION_MAX = 600
SESSION_LENGTH_MAX = 4


class ProposalError(ValidationError):
    """A refusal with a message meant for the person proposing or marking interest."""


class DuplicateProposal(ProposalError):
    """The person has already proposed a session with this title: the request is valid but conflicts with
    what is there (the API answers 409)."""

    conflict = True


def _proposal_text(value: object, *, field: str, label: str, limit: int, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise ProposalError({field: _("Enter %(label)s") % {"label": label}})
    if len(text) > limit:
        raise ProposalError(
            {
                field: _("%(label)s must be %(n)s characters or fewer")
                % {"label": label.capitalize(), "n": limit}
            }
        )
    # Control characters and lone surrogates only: private-use and not-yet-assigned characters (tomorrow's
    # new letters and emoji) are text like any other, and the API's schema can state this rule.
    if any(unicodedata.category(c) in {"Cc", "Cs"} and c not in "\n\r\t" for c in text):
        raise ProposalError({field: _("%(label)s cannot contain control characters") % {"label": label}})
    return text


def _proposal_length(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= SESSION_LENGTH_MAX:
        raise ProposalError(
            {"length": _("Choose a length from 1 to %(n)s slots") % {"n": SESSION_LENGTH_MAX}}
        )
    return value


def _proposal_needs(values: object) -> list[str]:
    if isinstance(values, str) or not isinstance(values, list | tuple | set | frozenset):
        raise ProposalError({"needs": _("Choose needs from the list")})
    unknown = sorted({str(v) for v in values} - set(Need.values))
    if unknown:
        raise ProposalError({"needs": _("Choose needs from the list; unknown: %s") % ", ".join(unknown)})
    return [need for need in Need.values if need in values]


def _check_taking_part(user: User, programme: Programme, *, verb: str) -> None:
    event = programme.event
    if not user.is_authenticated or not can_take_part(user, event):
        raise PermissionDenied(
            _("Only people with a confirmed place at %(event)s can %(verb)s.")
            % {"event": event, "verb": verb}
        )
    if event.is_past:
        raise ProposalError(_("%(event)s has ended, so its programme is closed.") % {"event": event})


def proposal_check_allowed(*, user: User, programme: Programme) -> None:
    """Refuses (PermissionDenied, or ProposalError saying why) when `user` cannot propose a session now."""
    _check_taking_part(user, programme, verb=_("propose a session"))
    if not programme.open_space:
        raise ProposalError(_("This Gathering does not take open-space proposals."))


def interest_check_allowed(*, user: User, programme: Programme) -> None:
    """Refuses (PermissionDenied, or ProposalError saying why) when `user` cannot mark sessions now."""
    _check_taking_part(user, programme, verb=_("mark sessions you want to attend"))


def session_propose(
    *,
    programme: Programme,
    user: User,
    title: str,
    description: str = "",
    length: int = 1,
    needs: Sequence[str] = (),
    proposer_shown_as: str = Session.ShownAs.PREFERRED_NAME,
) -> Session:
    """An open-space proposal by a confirmed attendee, before or during the Gathering. The proposer
    facilitates it, shown by the name they chose; it is on the board (and in the optimiser's input) at
    once, or, where the organisers chose so, once they approve it."""
    proposal_check_allowed(user=user, programme=programme)
    if proposer_shown_as not in Session.ShownAs.values:
        raise ProposalError({"proposer_shown_as": _("Choose how your name is shown")})
    title = " ".join(
        _proposal_text(
            title, field="title", label=_("a title"), limit=PROPOSAL_TITLE_MAX, required=True
        ).split()
    )
    description = _proposal_text(
        description,
        field="description",
        label=_("the description"),
        limit=PROPOSAL_DESCRIPTION_MAX,
        required=False,
    )
    length = _proposal_length(length)
    needs = _proposal_needs(needs)
    with transaction.atomic():
        # The programme row serialises proposals by one person, so a double-tapped "Post" makes one session.
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        if Session.objects.filter(
            programme=programme,
            proposer=user,
            title__iexact=title,
            status__in=(*Session.ON_PROGRAMME, Session.Status.WAITING),
        ).exists():
            raise DuplicateProposal({"title": _("You have already proposed a session with this title.")})
        session = Session(
            programme=programme,
            title=title,
            description=description,
            format=Session.Format.OPEN_SPACE,
            track=Session.Track.OPEN_SPACE,
            proposer=user,
            length=length,
            needs=needs,
            proposer_shown_as=proposer_shown_as,
            status=(Session.Status.WAITING if programme.proposals_need_approval else Session.Status.PROPOSED),
        )
        session.full_clean()
        session.save()
        session.facilitators.add(user)
    return session


def session_withdraw(*, session: Session, user: User) -> Session:
    """The proposer takes their own proposal off the programme (it stays in their agenda as withdrawn)."""
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if not user.is_authenticated or locked.proposer_id != user.pk:
            raise PermissionDenied(_("Only the person who proposed a session can withdraw it."))
        if locked.status not in Session.ON_PROGRAMME:
            raise ProposalError(_("This session is no longer on the programme."))
        locked.status = Session.Status.WITHDRAWN
        locked.pinned = False
        locked.save(update_fields=["status", "pinned", "updated_at"])
    session.status, session.pinned = locked.status, locked.pinned
    return session


def session_leave(*, session: Session, user: User) -> Session:
    """A facilitator (or the proposer) steps back: the session stays where it is, with any other facilitators,
    and no longer names them. Telling the organisers is the caller's part (see programme/erasure.py)."""
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if not user.is_authenticated or not (
            locked.proposer_id == user.pk or locked.facilitators.filter(pk=user.pk).exists()
        ):
            raise PermissionDenied(_("Only a session's facilitators can step back from it."))
        locked.facilitators.remove(user)
        if locked.proposer_id == user.pk:
            locked.proposer = None
            locked.save(update_fields=["proposer", "updated_at"])
        audit_record(actor=user, action="changed", subject=locked, detail="a facilitator stepped back")
    return locked


def _check_open_for_interest(session: Session) -> None:
    if not Session.objects.filter(pk=session.pk).in_play().exists():
        raise ProposalError(_("This session is not on the programme, so it cannot be marked."))


def interest_set(*, user: User, session: Session, level: int) -> Interest:
    """Marks (or changes) how much `user` wants to attend `session`; setting the same level again changes
    nothing. Marks guide the timetable; they are not bookings."""
    interest_check_allowed(user=user, programme=session.programme)
    if isinstance(level, bool) or level not in Interest.Level.values:
        raise ProposalError({"level": _("Choose “would like” or “really want”")})
    with transaction.atomic():
        _check_open_for_interest(session)
        interest, created = Interest.objects.select_for_update().get_or_create(
            session=session, user=user, defaults={"level": level}
        )
        if not created and interest.level != level:
            interest.level = level
            interest.save(update_fields=["level"])
    return interest


def interest_remove(*, user: User, session: Session) -> bool:
    """Takes back `user`'s mark on `session`; True if there was one. Anyone may take back their own mark,
    even after their place has ended."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to change your marks."))
    with transaction.atomic():
        deleted, _rows = Interest.objects.filter(session=session, user=user).delete()
    return bool(deleted)


# -------------------------------------------------------- call for sessions, review, organisers' changes


class ProgrammeChangeError(ValidationError):
    """A refused change to a programme, with a message meant for the organiser, reviewer or proposer."""


def _must_manage(actor: User, programme: Programme) -> None:
    if not can_manage_programme(actor, programme.event):
        raise PermissionDenied


def _invalid(field: str, message: str) -> ProgrammeChangeError:
    return ProgrammeChangeError({field: [message]})


@transaction.atomic
def programme_create(*, event: Event, actor: User) -> Programme:
    """The Gathering's programme, created empty on first use (creating it again returns the same one)."""
    if not can_manage_programme(actor, event):
        raise PermissionDenied
    programme, created = Programme.objects.get_or_create(event=event)
    if created:
        audit_record(actor=actor, action="changed", subject=programme, detail="programme")
    return programme


@dataclass
class SettingsInput:
    cfp_opens_at: datetime | None
    cfp_closes_at: datetime | None
    anonymised_review: bool
    open_space: bool
    move_cost: int
    reviewer_emails: list[str]
    proposals_need_approval: bool = False


@transaction.atomic
def programme_settings_update(*, programme: Programme, actor: User, data: SettingsInput) -> Programme:
    """The call for sessions (dates, anonymised review, reviewers), the open space and the move cost."""
    _must_manage(actor, programme)
    if data.cfp_opens_at and data.cfp_closes_at and data.cfp_closes_at <= data.cfp_opens_at:
        raise _invalid("cfp_closes_at", _("The call must close after it opens."))
    if data.move_cost < 0:
        raise _invalid("move_cost", _("The cost of moving a session cannot be negative."))
    wanted = {email.strip().lower() for email in data.reviewer_emails if email.strip()}
    reviewers = list(User.objects.filter(email__in=wanted))
    unknown = sorted(wanted - {user.email.lower() for user in reviewers})
    if unknown:
        raise _invalid(
            "reviewers",
            _("Nobody has an account with %(emails)s. Ask them to create one first.")
            % {"emails": ", ".join(unknown)},
        )
    programme.cfp_opens_at = data.cfp_opens_at
    programme.cfp_closes_at = data.cfp_closes_at
    programme.anonymised_review = data.anonymised_review
    programme.open_space = data.open_space
    programme.move_cost = data.move_cost
    programme.proposals_need_approval = data.proposals_need_approval
    programme.save(
        update_fields=[
            "cfp_opens_at",
            "cfp_closes_at",
            "anonymised_review",
            "open_space",
            "move_cost",
            "proposals_need_approval",
        ]
    )
    programme.reviewers.set(reviewers)
    audit_record(actor=actor, action="changed", subject=programme, detail="programme settings")
    return programme


# The grid: slots and rooms.


def _must_fall_within_dates(programme: Programme, starts_at: datetime, ends_at: datetime) -> None:
    """A slot's days, in the Gathering's time zone, lie between its first and last day."""
    event = programme.event
    zone = event.zone
    first = timezone.localtime(event.starts_at, zone).date()
    last = timezone.localtime(event.ends_at, zone).date()
    days = (timezone.localtime(starts_at, zone).date(), timezone.localtime(ends_at, zone).date())
    if not all(first <= day <= last for day in days):
        raise _invalid(
            "starts_at",
            _("Slots must fall within the Gathering's dates, %(first)s to %(last)s.")
            % {"first": formats.date_format(first, "l j F Y"), "last": formats.date_format(last, "l j F Y")},
        )


@transaction.atomic
def slot_save(
    *,
    programme: Programme,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    is_break: bool = False,
    label: str = "",
    slot: Slot | None = None,
) -> Slot:
    """Add a slot, or change one; slots never overlap, and a break cannot hold a session."""
    _must_manage(actor, programme)
    if slot is not None and slot.programme_id != programme.pk:
        raise PermissionDenied
    if ends_at <= starts_at:
        raise _invalid("ends_at", _("The slot must end after it starts."))
    _must_fall_within_dates(programme, starts_at, ends_at)
    overlapping = (
        Slot.objects.filter(programme=programme, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk=slot.pk if slot else None)
        .first()
    )
    if overlapping is not None:
        raise _invalid(
            "starts_at",
            _("This overlaps the slot %(slot)s. Slots cannot overlap.")
            % {"slot": timetabling.slot_label(overlapping, programme.event.zone)},
        )
    if is_break and slot is not None and slot.sessions.exists():
        raise _invalid("is_break", _("Sessions are placed in this slot: move them before making it a break."))
    retimed = slot is not None and (slot.starts_at, slot.ends_at) != (starts_at, ends_at)
    slot = slot or Slot(programme=programme)
    slot.starts_at, slot.ends_at, slot.is_break, slot.label = starts_at, ends_at, is_break, label.strip()
    slot.save()
    if retimed:
        # The placed sessions' times follow the grid (a long session runs on into the next slots), so every
        # placed session of the programme gets a new calendar SEQUENCE: more than needed, never too few.
        Session.objects.filter(programme=programme, slot__isnull=False).update(
            calendar_sequence=F("calendar_sequence") + 1, updated_at=timezone.now()
        )
    audit_record(actor=actor, action="changed", subject=slot, detail="programme slot")
    return slot


@transaction.atomic
def slot_delete(*, slot: Slot, actor: User) -> None:
    _must_manage(actor, slot.programme)
    if slot.sessions.exists():
        raise _invalid("slot", _("Sessions are placed in this slot: move them before removing it."))
    audit_record(actor=actor, action="deleted", subject=slot, detail="programme slot")
    slot.delete()


@dataclass
class RoomInput:
    name: str
    capacity: int
    features: list[str]
    is_online: bool = False
    position: int = 0
    unavailable_slot_ids: list[int] | None = None


@transaction.atomic
def room_save(*, programme: Programme, actor: User, data: RoomInput, room: Room | None = None) -> Room:
    """Add a room (or an online room), or change one: capacity, access features and when it is unavailable."""
    _must_manage(actor, programme)
    if room is not None and room.programme_id != programme.pk:
        raise PermissionDenied
    name = data.name.strip()
    if not name:
        raise _invalid("name", _("Enter the room's name."))
    if data.capacity < 1:
        raise _invalid("capacity", _("A room holds at least one person."))
    unknown = sorted(set(data.features) - set(Need.values))
    if unknown:
        raise _invalid("features", _("Unknown features: %(features)s.") % {"features": ", ".join(unknown)})
    if Room.objects.filter(programme=programme, name__iexact=name).exclude(pk=room.pk if room else None):
        raise _invalid("name", _("There is already a room called %(name)s.") % {"name": name})
    slot_ids = set(data.unavailable_slot_ids or [])
    slots = list(Slot.objects.filter(programme=programme, pk__in=slot_ids))
    if len(slots) != len(slot_ids):
        raise _invalid("unavailable_slots", _("Choose slots of this programme."))
    if room is not None:
        busy = room.sessions.filter(slot__in=slots).first()
        if busy is not None:
            raise _invalid(
                "unavailable_slots",
                _("“%(title)s” is placed in this room then: move it first.") % {"title": busy.title},
            )
    room = room or Room(programme=programme)
    room.name, room.capacity, room.is_online, room.position = (
        name,
        data.capacity,
        data.is_online,
        data.position,
    )
    room.features = sorted(set(data.features))
    room.save()
    room.unavailable_slots.set(slots)
    audit_record(actor=actor, action="changed", subject=room, detail="programme room")
    return room


@transaction.atomic
def room_delete(*, room: Room, actor: User) -> None:
    _must_manage(actor, room.programme)
    if room.sessions.exists():
        raise _invalid("room", _("Sessions are placed in this room: move them before removing it."))
    audit_record(actor=actor, action="deleted", subject=room, detail="programme room")
    room.delete()


# The call for sessions and its review.


@dataclass
class ProposalInput:
    title: str
    description: str
    format: str
    length: int
    expected_size: int | None
    needs: list[str]


def _check_proposal(data: ProposalInput) -> None:
    if not data.title.strip():
        raise _invalid("title", _("Enter a title for your session."))
    if len(data.title.strip()) > 200:
        raise _invalid("title", _("The title must be 200 characters or fewer."))
    if data.format not in Session.Format.values:
        raise _invalid("format", _("Choose a format from the list."))
    if not 1 <= data.length <= 4:
        raise _invalid("length", _("A session lasts from 1 to 4 slots."))
    if data.expected_size is not None and not 1 <= data.expected_size <= 10_000:
        raise _invalid("expected_size", _("Expected size must be a number of people from 1 to 10,000."))
    unknown = sorted(set(data.needs) - set(Need.values))
    if unknown:
        raise _invalid("needs", _("Unknown needs: %(needs)s.") % {"needs": ", ".join(unknown)})


@transaction.atomic
def proposal_submit(*, programme: Programme, proposer: User, data: ProposalInput) -> Session:
    """A proposal to the curated call for sessions; the proposer will facilitate it if it is accepted."""
    if not proposer.is_authenticated:
        raise PermissionDenied
    if not programme.cfp_is_open():
        raise _invalid("title", _("The call for sessions is not open."))
    _check_proposal(data)
    session = Session.objects.create(
        programme=programme,
        title=data.title.strip(),
        description=data.description.strip(),
        format=data.format,
        track=Session.Track.CURATED,
        proposer=proposer,
        length=data.length,
        expected_size=data.expected_size,
        needs=sorted(set(data.needs)),
        status=Session.Status.PROPOSED,
    )
    session.facilitators.add(proposer)
    return session


@transaction.atomic
def review_save(*, session: Session, reviewer: User, score: int, comment: str = "") -> Review:
    """A reviewer's score (1 to 5) and comment on a curated proposal; saving again replaces their review."""
    if not can_review(reviewer, session.programme.event):
        raise PermissionDenied
    if session.track != Session.Track.CURATED:
        raise _invalid("score", _("Only proposals to the call for sessions are reviewed."))
    if session.proposer_id == reviewer.pk:
        raise _invalid("score", _("You cannot review your own proposal."))
    if not 1 <= score <= 5:
        raise _invalid("score", _("Choose a score from 1 to 5."))
    review, _created = Review.objects.update_or_create(
        session=session, reviewer=reviewer, defaults={"score": score, "comment": comment.strip()}
    )
    return review


@transaction.atomic
def proposal_decide(*, session: Session, actor: User, accept: bool, message: str = "") -> Session:
    """Accept or decline a curated proposal, and tell the proposer kindly, with the organisers' message."""
    programme = session.programme
    _must_manage(actor, programme)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.track != Session.Track.CURATED or session.status not in (
        Session.Status.PROPOSED,
        Session.Status.ACCEPTED,
        Session.Status.DECLINED,
    ):
        raise _invalid("decision", _("Only proposals to the call that are not yet scheduled can be decided."))
    status = Session.Status.ACCEPTED if accept else Session.Status.DECLINED
    if session.status == status:
        raise _invalid(
            "decision",
            _("This proposal is already %(status)s.") % {"status": session.get_status_display().lower()},
        )
    session.status = status
    session.decision_message = message.strip()
    session.save(update_fields=["status", "decision_message", "updated_at"])
    proposer = session.proposer
    if proposer is not None and proposer.email:
        event = programme.event
        outbox_enqueue(
            kind="proposal_decision",
            to=[proposer.email],
            template="programme/decision",
            context={
                "name": proposer.name or proposer.email,
                "session": session,
                "event": event,
                "accepted": accept,
                "message": session.decision_message,
                "event_url": f"{settings.GATHERING_BASE_URL}{event.get_absolute_url()}",
            },
            dedupe_key=f"session:{session.pk}:decision:{status}:{timezone.now().isoformat()}",
        )
    audit_record(actor=actor, action="changed", subject=session, detail=f"proposal {status}")
    return session


@transaction.atomic
def proposal_approve(*, session: Session, actor: User, approve: bool) -> Session:
    """Approve an open-space proposal that waits for approval (it goes on the board and into the
    timetable's input), or decline it. The proposer sees the outcome on My programme."""
    _must_manage(actor, session.programme)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.WAITING:
        raise _invalid(
            "approve", _("Only a proposal that is waiting for approval can be approved or declined.")
        )
    session.status = Session.Status.PROPOSED if approve else Session.Status.DECLINED
    session.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="changed",
        subject=session,
        detail=f"open-space proposal {'approved' if approve else 'declined'}",
    )
    return session


# Organisers' changes to the board and the timetable.


def _notify_facilitators(session: Session, *, change: str, key: str, **place: str | None) -> None:
    """Email each facilitator of `session` about a `change` ("placed": the first time the timetable places
    it; "moved"), once per person and `key`; `place` gives the template its `before` and `after`."""
    event = session.programme.event
    for person in session.facilitators.all():
        if not person.email:
            continue
        outbox_enqueue(
            kind=f"session_{change}",
            to=[person.email],
            template=f"programme/{change}",
            context={
                "name": person.name or person.email,
                "session": session,
                "event": event,
                **place,
                "timetable_url": settings.GATHERING_BASE_URL
                + reverse("programme:timetable", kwargs={"slug": event.slug}),
            },
            dedupe_key=f"session:{session.pk}:{change}:{key}:{person.pk}",
        )


def _notify_moved(session: Session, *, before: str | None, after: str, key: str) -> None:
    _notify_facilitators(session, change="moved", key=key, before=before, after=after)


def _notify_placed(session: Session, *, after: str, key: str) -> None:
    """Tell each facilitator where their session is, the first time the timetable places it."""
    _notify_facilitators(session, change="placed", key=key, after=after)


def _place_label(slot: Slot | None, room: Room | None, zone) -> str | None:
    if slot is None or room is None:
        return None
    return f"{timetabling.slot_label(slot, zone)}, {room.name}"


@transaction.atomic
def session_pin(*, session: Session, actor: User, pinned: bool) -> Session:
    """Pin a placed session where it is (the optimiser will not move it), or unpin it."""
    _must_manage(actor, session.programme)
    if pinned and (session.slot_id is None or session.room_id is None):
        raise _invalid("pinned", _("Place the session in a slot and room before pinning it."))
    if session.status not in Session.ON_PROGRAMME:
        raise _invalid("pinned", _("Only sessions in the programme can be pinned."))
    session.pinned = pinned
    session.save(update_fields=["pinned", "updated_at"])
    audit_record(actor=actor, action="changed", subject=session, detail="pinned" if pinned else "unpinned")
    return session


@transaction.atomic
def session_merge(*, session: Session, into: Session, actor: User) -> Session:
    """Fold `session` into `into`: its facilitators join, its interest moves over (a person interested in
    both counts once, at the higher level), and it leaves the board."""
    _must_manage(actor, session.programme)
    if into.programme_id != session.programme_id:
        raise _invalid("into", _("Choose a session of the same Gathering."))
    if into.pk == session.pk:
        raise _invalid("into", _("Choose a different session to merge into."))
    if session.status not in Session.ON_PROGRAMME or into.status not in Session.ON_PROGRAMME:
        raise _invalid("into", _("Both sessions must still be in the programme."))
    session, into = (
        Session.objects.select_for_update().get(pk=session.pk),
        Session.objects.select_for_update().get(pk=into.pk),
    )
    kept = {i.user_id: i for i in Interest.objects.filter(session=into)}
    for interest in Interest.objects.filter(session=session):
        existing = kept.get(interest.user_id)
        if existing is None:
            interest.session = into
            interest.save(update_fields=["session"])
        else:
            if interest.level > existing.level:
                existing.level = interest.level
                existing.save(update_fields=["level"])
            interest.delete()
    into.facilitators.add(*session.facilitators.all())
    session.status = Session.Status.MERGED
    session.merged_into = into
    session.slot = session.room = None
    session.pinned = False
    session.calendar_sequence += 1
    session.save(
        update_fields=["status", "merged_into", "slot", "room", "pinned", "calendar_sequence", "updated_at"]
    )
    audit_record(actor=actor, action="changed", subject=session, detail=f"merged into session {into.pk}")
    return into


@transaction.atomic
def session_move(*, session: Session, actor: User, slot: Slot, room: Room) -> Session:
    """Place a session in a slot and room by hand. The optimiser's hard rules are checked first and a
    clash is named; a published session that moves is announced to its facilitators."""
    programme = session.programme
    _must_manage(actor, programme)
    if slot.programme_id != programme.pk or room.programme_id != programme.pk:
        raise PermissionDenied
    if slot.is_break:
        raise _invalid(
            "slot", _("%(slot)s is a break.") % {"slot": timetabling.slot_label(slot, programme.event.zone)}
        )
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status not in Session.ON_PROGRAMME:
        raise _invalid("slot", _("Only sessions in the programme can be placed."))
    if session.track == Session.Track.CURATED and session.status == Session.Status.PROPOSED:
        raise _invalid("slot", _("Accept this proposal before placing it."))
    loaded = timetabling.load_instance(programme)
    sid = timetabling.session_id(session.pk)
    placed = {
        timetabling.session_id(s.pk): (timetabling.slot_id(s.slot_id), timetabling.room_id(s.room_id))
        for s in programme.sessions.in_play().exclude(pk=session.pk)
        if s.slot_id and s.room_id
    }
    placed[sid] = (timetabling.slot_id(slot.pk), timetabling.room_id(room.pk))
    # A pinned session is pinned where it goes: the pin is the organiser's, not a rule against them.
    loaded.instance.sessions = [
        engine.Session(s.id, s.length, s.facilitators, s.needs, None if s.id == sid else s.pinned)
        for s in loaded.instance.sessions
    ]
    problems = timetabling.problems_for(loaded, placed, sid)
    if problems:
        raise _invalid(
            "slot",
            _("%(title)s cannot go there: %(problems)s.")
            % {"title": f"“{session.title}”", "problems": "; ".join(problems)},
        )
    zone = programme.event.zone
    before = _place_label(session.slot, session.room, zone)
    session.calendar_sequence += (session.slot_id, session.room_id) != (slot.pk, room.pk)
    session.slot, session.room = slot, room
    session.status = Session.Status.SCHEDULED
    session.save(update_fields=["slot", "room", "status", "calendar_sequence", "updated_at"])
    after = _place_label(slot, room, zone)
    if programme.published_at is not None and before != after:
        _notify_moved(session, before=before, after=after, key=f"{slot.pk}-{room.pk}-{time.time_ns()}")
    audit_record(
        actor=actor, action="changed", subject=session, detail=f"moved to slot {slot.pk} room {room.pk}"
    )
    return session


@transaction.atomic
def session_drop(*, session: Session, actor: User) -> Session:
    """Take a session off the board (withdrawn): it leaves the timetable; its interest marks stay recorded."""
    _must_manage(actor, session.programme)
    if session.status not in Session.ON_PROGRAMME:
        raise _invalid("session", _("This session is not in the programme."))
    session.status = Session.Status.WITHDRAWN
    session.slot = session.room = None
    session.pinned = False
    session.calendar_sequence += 1
    session.save(update_fields=["status", "slot", "room", "pinned", "calendar_sequence", "updated_at"])
    audit_record(actor=actor, action="changed", subject=session, detail="withdrawn")
    return session


# Optimiser runs: requested by an organiser, run in the background, reviewed as a diff, then published.

RUN_TIME_LIMIT_CHOICES = (5, 20, 60)
# Beyond its solver's time limit, a run may take this long to load the board and store the result. A worker
# interrupts the task at half of it (the run is recorded as failed) and ends it at all of it, so a run that
# started longer ago than its time limit and this margin has no live runner.
RUN_MARGIN_SECONDS = 60
# A run whose runner stopped (its worker died) is started again, up to this many starts in all: a run that
# stops its worker every time fails rather than holding the optimiser queue for ever.
# A run still queued this long after it was requested lost its task (the broker was down): queue it again.
RUN_RESEND_AFTER = timedelta(minutes=1)


def run_time_limit(run: TimetableRun) -> int:
    """The longest a run may take, in seconds, loading and storing included; no runner is alive after it."""
    return run.time_limit + RUN_MARGIN_SECONDS


@transaction.atomic
def timetable_optimise_request(
    *, programme: Programme, actor: User, time_limit: int = 20, start: bool = True
) -> TimetableRun:
    """Queue an optimisation of the board as it is now; one run at a time per programme. It starts in the
    background once the transaction commits, unless `start` is False (the caller then runs it itself)."""
    _must_manage(actor, programme)
    if time_limit not in RUN_TIME_LIMIT_CHOICES:
        raise _invalid("time_limit", _("Choose one of the time limits offered."))
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    if programme.runs.filter(status__in=(TimetableRun.Status.QUEUED, TimetableRun.Status.RUNNING)).exists():
        raise _invalid("time_limit", _("An optimisation is already running for this programme."))
    if not programme.slots.filter(is_break=False).exists() or not programme.rooms.exists():
        raise _invalid("time_limit", _("Add at least one slot and one room to the grid first."))
    run = TimetableRun.objects.create(
        programme=programme, requested_by=actor, time_limit=time_limit, move_cost=programme.move_cost
    )
    audit_record(actor=actor, action="changed", subject=run, detail="timetable run")
    if start:
        _start_in_background(run)
    return run


def _start_in_background(run: TimetableRun) -> None:
    background.after_commit(
        "gathering.programme.tasks.timetable_run",
        run.pk,
        time_limit=run_time_limit(run),
        soft_time_limit=run.time_limit + RUN_MARGIN_SECONDS // 2,
    )


def timetable_run_claim(*, run_id: int, runner: str, now: datetime | None = None) -> TimetableRun | None:
    """Take a run for `runner` (the id of the task that will solve it), or return None if it is not this
    runner's to do (core/runs.py: finished, or held by a live runner; failed after RUN_ATTEMPTS starts)."""
    run = run_claim(
        TimetableRun,
        run_id=run_id,
        runner=runner,
        now=now or timezone.now(),
        longest_seconds=run_time_limit,
        failed_message=_(
            "The optimiser stopped unexpectedly several times on this board. Try a shorter time limit; if it "
            "happens again, tell the site team."
        ),
    )
    return None if run is None else TimetableRun.objects.select_related("programme__event").get(pk=run.pk)


def timetable_run_progress(*, run: TimetableRun, percent: int) -> None:
    """Record how far a run is (a share of its time limit), while its runner still holds it."""
    run_progress(run, percent)


def timetable_run_solve(*, run: TimetableRun, seed: int = 0) -> dict[str, object]:
    """Solve a run taken with `timetable_run_claim` within its time limit; return what to store with
    `timetable_run_store`: the timetable, the explanation per session and the diff against the published
    timetable, or why it failed. Writes nothing."""
    try:
        loaded = timetabling.load_instance(run.programme)
        if not loaded.instance.sessions:
            result = None
        else:
            result = engine.solve_timetable(
                loaded.instance,
                time_limit=run.time_limit,
                seed=seed,
                previous=loaded.published,
                move_cost=run.move_cost,
                workers=settings.GATHERING_OPTIMISER_THREADS,
            )
    except Exception as exc:
        logger.error("Timetable run %s failed with %s", run.pk, type(exc).__name__)
        return {
            "status": TimetableRun.Status.FAILED,
            "finished_at": timezone.now(),
            "message": _(
                "The optimiser stopped with an error. Try again; if it happens again, tell the site team."
            ),
        }
    fields: dict[str, object] = {"finished_at": timezone.now(), "progress": 100}
    if result is None:
        fields.update(status=TimetableRun.Status.FAILED, message=_("There are no sessions to place yet."))
    elif not result.feasible:
        problems = [loaded.name(p) for p in engine.check(loaded.instance, result.assignments)]
        cells = len(loaded.instance.slots) * len(loaded.instance.rooms)
        needed = sum(s.length for s in loaded.instance.sessions)
        reason = (
            _("%(needed)s session-slots are needed but the grid has %(cells)s.")
            % {"needed": needed, "cells": cells}
            if needed > cells
            else _("The sessions cannot all be placed within the hard rules.")
        )
        fields.update(
            status=TimetableRun.Status.FAILED,
            message=" ".join([reason, *problems[:10]]),
            assignments={k: list(v) for k, v in result.assignments.items()},
        )
    else:
        fields.update(
            status=TimetableRun.Status.DONE,
            objective=result.objective,
            bound=result.bound,
            terms={**result.terms, "optimal": result.optimal, "seconds": round(result.seconds, 1)},
            assignments={k: list(v) for k, v in result.assignments.items()},
            explanation=timetabling.explanation(loaded, result.assignments),
            diff=timetabling.diff(loaded, result.assignments),
        )
    return fields


def timetable_run_store(*, run: TimetableRun, fields: dict[str, object]) -> TimetableRun:
    """Store what `timetable_run_solve` found, if the run's runner still holds it: a run started again
    after its runner was taken for dead is finished once, by its current runner."""
    held = TimetableRun.objects.filter(pk=run.pk, status=TimetableRun.Status.RUNNING, runner=run.runner)
    if held.update(**fields):
        logger.info("Timetable run %s finished (%s)", run.pk, fields["status"])
    else:
        logger.warning("Timetable run %s: another runner has it now; result not stored", run.pk)
    return TimetableRun.objects.get(pk=run.pk)


def timetable_run_execute(*, run_id: int, seed: int = 0) -> TimetableRun | None:
    """Claim, solve and store a queued run here and now (the demo data, tests); None if it was not
    queued."""
    run = timetable_run_claim(run_id=run_id, runner=f"here-{uuid.uuid4().hex}")
    if run is None:
        return None
    return timetable_run_store(run=run, fields=timetable_run_solve(run=run, seed=seed))


def timetable_runs_sweep(*, now: datetime | None = None) -> int:
    """The periodic sweep: queue again every run whose task was lost (still queued a minute after it was
    requested) or whose runner stopped (running for longer than any run may last); return how many.
    Sending a run's task twice is harmless: only one task takes it."""
    now = now or timezone.now()
    lost = TimetableRun.objects.filter(
        status=TimetableRun.Status.QUEUED, created_at__lt=now - RUN_RESEND_AFTER
    )
    running = TimetableRun.objects.filter(status=TimetableRun.Status.RUNNING, started_at__isnull=False)
    orphaned = [run for run in running if (now - run.started_at).total_seconds() > run_time_limit(run)]
    again = [*lost, *orphaned]
    for run in again:
        _start_in_background(run)
    return len(again)


@transaction.atomic
def timetable_publish(*, run: TimetableRun, actor: User) -> TimetableRun:
    """Apply a finished run to the timetable in one go: every placed session gets its slot and room and is
    scheduled, facilitators of sessions placed for the first time or moved are told (once per publish),
    and the programme is published."""
    programme = run.programme
    _must_manage(actor, programme)
    run = TimetableRun.objects.select_for_update().get(pk=run.pk)
    if run.status != TimetableRun.Status.DONE:
        raise _invalid("run", _("Only a finished run that is ready to review can be published."))
    in_play = {timetabling.session_id(s.pk): s for s in programme.sessions.in_play()}
    missing = sorted(s.title for sid, s in in_play.items() if sid not in run.assignments)
    if missing:
        raise _invalid(
            "run",
            _("The board changed after this run (new: %(titles)s). Optimise again to place them.")
            % {"titles": ", ".join(f"“{t}”" for t in missing[:5])},
        )
    assignments = {sid: tuple(place) for sid, place in run.assignments.items() if sid in in_play}
    loaded = timetabling.load_instance(programme)
    problems = [loaded.name(p) for p in engine.check(loaded.instance, assignments)]
    if problems:
        raise _invalid(
            "run",
            _("The grid or the board changed after this run: %(problems)s. Optimise again.")
            % {"problems": "; ".join(problems[:5])},
        )
    slots = {s.pk: s for s in programme.slots.all()}
    rooms = {r.pk: r for r in programme.rooms.all()}
    zone = programme.event.zone
    now = timezone.now()
    for sid, (slot_ref, room_ref) in assignments.items():
        session = in_play[sid]
        slot, room = slots[timetabling.pk_of(slot_ref)], rooms[timetabling.pk_of(room_ref)]
        before = (
            _place_label(slots.get(session.slot_id), rooms.get(session.room_id), zone)
            if session.status == Session.Status.SCHEDULED
            else None
        )
        moved = (session.slot_id, session.room_id) != (slot.pk, room.pk)
        session.calendar_sequence += moved
        session.slot, session.room, session.status = slot, room, Session.Status.SCHEDULED
        session.save(update_fields=["slot", "room", "status", "calendar_sequence", "updated_at"])
        if before is None:
            _notify_placed(session, after=_place_label(slot, room, zone), key=f"run-{run.pk}")
        elif moved:
            _notify_moved(session, before=before, after=_place_label(slot, room, zone), key=f"run-{run.pk}")
    programme.published_at = now
    programme.save(update_fields=["published_at"])
    run.status = TimetableRun.Status.PUBLISHED
    run.save(update_fields=["status"])
    TimetableRun.objects.filter(programme=programme, status=TimetableRun.Status.DONE).update(
        status=TimetableRun.Status.DISCARDED
    )
    audit_record(
        actor=actor,
        action="changed",
        subject=run,
        detail=f"timetable published: {sum(1 for d in run.diff if d['kind'] == 'moved')} moved, "
        f"{sum(1 for d in run.diff if d['kind'] == 'new')} newly placed",
    )
    return run


@transaction.atomic
def timetable_discard(*, run: TimetableRun, actor: User) -> TimetableRun:
    _must_manage(actor, run.programme)
    run = TimetableRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in (TimetableRun.Status.DONE, TimetableRun.Status.FAILED, TimetableRun.Status.QUEUED):
        raise _invalid("run", _("This run cannot be discarded now."))
    run.status = TimetableRun.Status.DISCARDED
    run.save(update_fields=["status"])
    audit_record(actor=actor, action="changed", subject=run, detail="timetable run discarded")
    return run
