"""Who may do what with a Gathering: organisers manage only the Gatherings they organise, and edit only the
venues they added or where a Gathering of theirs is held."""

import rules

from gathering.accounts.models import User

from .models import Event, Registration, Venue


@rules.predicate
def is_event_organiser(user: User, event: Event | None) -> bool:
    if event is None or not user.is_authenticated:
        return False
    return user.has_perm("accounts.organise") and event.organisers.filter(pk=user.pk).exists()


@rules.predicate
def is_administrator(user: User) -> bool:
    return user.is_authenticated and user.has_perm("accounts.manage_roles")


@rules.predicate
def is_registrant(user: User, registration: Registration | None) -> bool:
    return registration is not None and user.is_authenticated and registration.user_id == user.pk


@rules.predicate
def is_venue_keeper(user: User, venue: Venue | None) -> bool:
    """An organiser who added the venue or organises a Gathering held there. A venue added before we
    recorded who added it has no keeper but those organisers (and administrators)."""
    if (
        venue is None
        or venue.pk is None
        or not user.is_authenticated
        or not user.has_perm("accounts.organise")
    ):
        return False
    return venue.created_by_id == user.pk or venue.events.filter(organisers=user).exists()


can_manage = is_event_organiser | is_administrator
# The same rule as a query, for lists: selectors.venues_editable_by.
can_edit_venue = is_venue_keeper | is_administrator
rules.add_perm("events.manage_event", can_manage)
rules.add_perm("events.change_venue", can_edit_venue)
rules.add_perm("events.view_registration", is_registrant | (rules.is_authenticated & is_administrator))


def can_manage_event(user: User, event: Event) -> bool:
    return can_manage(user, event)
