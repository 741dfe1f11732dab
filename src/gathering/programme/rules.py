"""Who may do what with a programme: its Gathering's organisers manage it; reviewers review; confirmed
attendees propose open-space sessions and mark interest; facilitators see their own sessions."""

import secrets

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
def can_withdraw(user: User, session: object) -> bool:
    """Only the person who proposed a session may withdraw it."""
    return user.is_authenticated and getattr(session, "proposer_id", None) == user.pk


def can_see_display(user: User, event: Event, *, key: str, display_key: str) -> bool:
    """The venue's "now and next" screen: opened with the programme's display key (no sign-in), or by the
    Gathering's organisers."""
    if key and secrets.compare_digest(key.encode(), display_key.encode()):
        return True
    return can_manage(user, event)


# --------------------------------------------------------- more rules for organisers and reviewers below
def can_review(user: User, event: Event) -> bool:
    """Score and comment on curated proposals: the programme's reviewers, and whoever manages it."""
    if not user.is_authenticated:
        return False
    if can_manage(user, event):
        return True
    programme = getattr(event, "programme", None)
    return programme is not None and programme.reviewers.filter(pk=user.pk).exists()


def can_see_proposers(user: User, event: Event) -> bool:
    """Who proposed what: the organisers always; reviewers only when the review is not anonymised."""
    if can_manage(user, event):
        return True
    programme = getattr(event, "programme", None)
    return programme is not None and not programme.anonymised_review and can_review(user, event)
