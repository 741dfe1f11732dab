"""Who may do what with a Gathering: organisers manage only the Gatherings they organise."""

import rules

from gathering.accounts.models import User

from .models import Event, Registration


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


can_manage = is_event_organiser | is_administrator
rules.add_perm("events.manage_event", can_manage)
rules.add_perm("events.view_registration", is_registrant | (rules.is_authenticated & is_administrator))


def can_manage_event(user: User, event: Event) -> bool:
    return can_manage(user, event)
