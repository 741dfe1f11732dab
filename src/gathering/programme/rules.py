"""Who may do what with a programme: its Gathering's organisers manage it; reviewers review; confirmed
attendees propose open-space sessions and mark interest; facilitators see their own sessions."""

import rules

from gathering.accounts.models import User
from gathering.events.models import Event, Registration
from gathering.events.rules import can_manage


@rules.predicate
def is_confirmed_attendee(user: User, event: Event | None) -> bool:
    """Holds a place at the Gathering (confirmed, or confirmed with payment due)."""
    if event is None or not user.is_authenticated:
        return False
    return Registration.objects.filter(
        event=event,
        user=user,
        status__in=(Registration.Status.CONFIRMED, Registration.Status.PENDING_PAYMENT),
    ).exists()


def can_manage_programme(user: User, event: Event) -> bool:
    return can_manage(user, event)


def can_take_part(user: User, event: Event) -> bool:
    """Propose open-space sessions and mark interest: confirmed attendees, and the Gathering's organisers."""
    return is_confirmed_attendee(user, event) or can_manage(user, event)


# --------------------------------------------------------- more rules for attendees' pages below


# --------------------------------------------------------- more rules for organisers and reviewers below
