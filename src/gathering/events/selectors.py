"""Reads about Gatherings and registrations that pages and the API share."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from gathering.accounts.models import User

from .models import Event, Registration, TicketType


def events_published() -> QuerySet[Event]:
    return (
        Event.objects.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
        .select_related("venue")
        .prefetch_related(Prefetch("ticket_types", queryset=TicketType.objects.filter(active=True)))
    )


def events_upcoming() -> QuerySet[Event]:
    return events_published().filter(ends_at__gt=timezone.now()).order_by("starts_at", "pk")


def events_past() -> QuerySet[Event]:
    return events_published().filter(ends_at__lte=timezone.now()).order_by("-starts_at", "-pk")


def event_get_published(*, slug: str) -> Event:
    return events_published().prefetch_related("questions").get(slug=slug)


def event_places_left(*, event: Event) -> int | None:
    if event.capacity is None:
        return None
    holding = Registration.objects.filter(event=event, status__in=Registration.HOLDING).count()
    return max(0, event.capacity - holding)


def registrations_for_user(*, user: User) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .exclude(status__in=Registration.ENDED)
        .select_related("event", "event__venue", "ticket_type")
        .order_by("event__starts_at", "pk")
    )


def registrations_for_event(*, event: Event) -> QuerySet[Registration]:
    return Registration.objects.filter(event=event).select_related("ticket_type").order_by("created_at", "pk")


def registration_status_counts(*, event: Event) -> dict[str, int]:
    counts = dict.fromkeys(Registration.Status.values, 0)
    rows = Registration.objects.filter(event=event).values("status").annotate(n=Count("pk"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def waitlist_positions(*, registrations: list[Registration]) -> dict[int, int]:
    """Positions for many waitlisted registrations with one query per event."""
    positions: dict[int, int] = {}
    event_ids = {r.event_id for r in registrations if r.status == Registration.Status.WAITLISTED}
    if not event_ids:
        return positions
    queue = (
        Registration.objects.filter(event_id__in=event_ids, status=Registration.Status.WAITLISTED)
        .order_by("event_id", "waitlisted_at", "pk")
        .values_list("pk", "event_id")
    )
    counters: dict[int, int] = {}
    for pk, event_id in queue:
        counters[event_id] = counters.get(event_id, 0) + 1
        positions[pk] = counters[event_id]
    return positions


def organised_events(*, user: User) -> QuerySet[Event]:
    return Event.objects.filter(Q(organisers=user)).distinct().order_by("-starts_at")
