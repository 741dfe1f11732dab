"""Who may do what with listening circles: organisers run their series, facilitators see only their own
circles, and each participant sees only their own place."""

import rules
from django.db.models import Q

from gathering.accounts.models import User

from .models import Circle, CircleInvitation, CircleSeries


@rules.predicate
def is_series_organiser(user: User, series: CircleSeries | None) -> bool:
    if series is None or not user.is_authenticated or not user.has_perm("accounts.organise"):
        return False
    if user.has_perm("accounts.manage_roles"):
        return True
    if series.organisers.filter(pk=user.pk).exists():
        return True
    return series.event_id is not None and series.event.organisers.filter(pk=user.pk).exists()


@rules.predicate
def is_circle_facilitator(user: User, circle: Circle | None) -> bool:
    return (
        circle is not None
        and user.is_authenticated
        and user.has_perm("accounts.facilitate")
        and circle.facilitator_id == user.pk
    )


rules.add_perm("circles.manage_series", is_series_organiser)
rules.add_perm("circles.facilitate_circle", is_circle_facilitator)


def can_manage_series(user: User, series: CircleSeries) -> bool:
    return is_series_organiser(user, series)


def can_facilitate(user: User, circle: Circle) -> bool:
    return is_circle_facilitator(user, circle)


def can_join_series(user: User, series: CircleSeries) -> bool:
    """A Gathering's circles are for people with a confirmed place at it (payment due counts), and for
    those the organisers invite by email; a standalone series is open to anyone signed in."""
    from gathering.events.models import Registration

    if series.event_id is None:
        return True
    if not user.is_authenticated:
        return False
    email = user.email.lower()
    confirmed = (Registration.Status.CONFIRMED, Registration.Status.PENDING_PAYMENT)
    return (
        Registration.objects.filter(event_id=series.event_id, status__in=confirmed)
        .filter(Q(user=user) | Q(email=email))
        .exists()
        or CircleInvitation.objects.filter(series=series, email=email).exists()
    )
