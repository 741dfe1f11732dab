"""Every change to a programme: proposals and reviews, interest marks, the grid, optimisation and publishing.

Each function takes keyword-only arguments, checks permission and input, and makes its whole change in one
transaction, with its emails (outbox) and audit entries.
"""

import logging
import unicodedata
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gathering.accounts.models import User

from .models import Interest, Need, Programme, Session
from .rules import can_take_part
from .selectors import public_sessions_q

logger = logging.getLogger(__name__)

# -------------------------------------------------------- open space: proposals and interest (attendees)

PROPOSAL_TITLE_MAX = 120
PROPOSAL_DESCRIPTION_MAX = 600
SESSION_LENGTH_MAX = 4


class ProposalError(ValidationError):
    """A refusal with a message meant for the person proposing or marking interest."""


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
    if any(unicodedata.category(c) in {"Cc", "Cs", "Co", "Cn"} and c not in "\n\r\t" for c in text):
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


def session_propose(
    *,
    programme: Programme,
    user: User,
    title: str,
    description: str = "",
    length: int = 1,
    needs: Sequence[str] = (),
) -> Session:
    """An open-space proposal by a confirmed attendee, before or during the Gathering. The proposer
    facilitates it; it is on the board (and in the optimiser's input) at once."""
    _check_taking_part(user, programme, verb=_("propose a session"))
    if not programme.open_space:
        raise ProposalError(_("This Gathering does not take open-space proposals."))
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
            programme=programme, proposer=user, title__iexact=title, status__in=Session.IN_PLAY
        ).exists():
            raise ProposalError({"title": _("You have already proposed a session with this title.")})
        session = Session(
            programme=programme,
            title=title,
            description=description,
            format=Session.Format.OPEN_SPACE,
            track=Session.Track.OPEN_SPACE,
            proposer=user,
            length=length,
            needs=needs,
            status=Session.Status.PROPOSED,
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
        if locked.status not in Session.IN_PLAY:
            raise ProposalError(_("This session is no longer on the programme."))
        locked.status = Session.Status.WITHDRAWN
        locked.pinned = False
        locked.save(update_fields=["status", "pinned", "updated_at"])
    session.status, session.pinned = locked.status, locked.pinned
    return session


def _check_open_for_interest(session: Session) -> None:
    if not Session.objects.filter(pk=session.pk).filter(public_sessions_q()).exists():
        raise ProposalError(_("This session is not on the programme, so it cannot be marked."))


def interest_set(*, user: User, session: Session, level: int) -> Interest:
    """Marks (or changes) how much `user` wants to attend `session`; setting the same level again changes
    nothing. Marks guide the timetable; they are not bookings."""
    _check_taking_part(user, session.programme, verb=_("mark sessions you want to attend"))
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
