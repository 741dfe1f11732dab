"""What the programme does when a person's account is erased: a proposal of theirs alone that has no place yet
is withdrawn, as they could withdraw it; any other session stays, no longer naming them, and the Gathering's
organisers are told which sessions lost a facilitator."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gathering.accounts.models import User
from gathering.core.outbox import outbox_enqueue
from gathering.events.models import Event
from gathering.privacy.selectors import LeavingStep

from .models import Session
from .services import session_leave, session_withdraw


@dataclass(frozen=True)
class SessionLeaving:
    session: Session
    # True: withdrawn (theirs alone, not yet placed); False: kept, without their name.
    withdraw: bool


def sessions_to_leave(*, user: User) -> list[SessionLeaving]:
    """The person's sessions still on the programme of a Gathering that has not ended, and what erasure does
    to each; the deletion page lists the same."""
    sessions = (
        Session.objects.filter(
            Q(proposer=user) | Q(facilitators=user),
            status__in=Session.ON_PROGRAMME,
            programme__event__ends_at__gt=timezone.now(),
        )
        .distinct()
        .select_related("programme__event", "slot", "room")
        .prefetch_related(Prefetch("facilitators", queryset=User.objects.only("pk")))
        .order_by("programme__event__starts_at", "title", "pk")
    )
    leaving = []
    for session in sessions:
        others = [person for person in session.facilitators.all() if person.pk != user.pk]
        alone = session.proposer_id == user.pk and not others
        leaving.append(SessionLeaving(session, withdraw=alone and session.slot_id is None))
    return leaving


def on_erasure_previewing(sender: object, user: User, **kwargs: object) -> list[LeavingStep]:
    steps = []
    for item in sessions_to_leave(user=user):
        names = {"title": item.session.title, "event": item.session.programme.event.title}
        if item.withdraw:
            text = _("“%(title)s” (%(event)s) will be withdrawn.") % names
        else:
            text = (
                _(
                    "“%(title)s” (%(event)s) stays on the programme without your name; the organisers will "
                    "be told."
                )
                % names
            )
        steps.append(LeavingStep("sessions", text))
    return steps


def _notify_organisers(event: Event, *, withdrawn: list[Session], kept: list[Session], user: User) -> None:
    """One email to each organiser of the Gathering; it never names the person who left."""
    for organiser in event.organisers.exclude(pk=user.pk).order_by("pk"):
        if not organiser.email:
            continue
        outbox_enqueue(
            kind="session_facilitator_left",
            to=[organiser.email],
            template="programme/facilitator_left",
            context={
                "name": organiser.display_name,
                "event": event,
                "withdrawn": withdrawn,
                "kept": kept,
                "board_url": settings.GATHERING_BASE_URL
                + reverse("programme_staff:board", args=[event.slug]),
            },
        )


@transaction.atomic
def leave_sessions(*, user: User) -> dict[str, str]:
    by_event: dict[int, tuple[Event, list[Session], list[Session]]] = {}
    for item in sessions_to_leave(user=user):
        event = item.session.programme.event
        _event, withdrawn, kept = by_event.setdefault(event.pk, (event, [], []))
        if item.withdraw:
            withdrawn.append(session_withdraw(session=item.session, user=user))
        else:
            kept.append(session_leave(session=item.session, user=user))
    for event, withdrawn, kept in by_event.values():
        _notify_organisers(event, withdrawn=withdrawn, kept=kept, user=user)
    if not by_event:
        return {}
    return {"programme.session": "sessions stay on the programme without the person's name, or are withdrawn"}


def on_account_deleting(sender: object, user: User, **kwargs: object) -> dict[str, str]:
    return leave_sessions(user=user)
