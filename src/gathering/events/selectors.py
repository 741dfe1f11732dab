"""Reads about Gatherings and registrations that pages and the API share."""

import contextlib

from django.core import signing
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from gathering.accounts.models import User

from .models import Event, Registration, TicketType, Venue


def events_published() -> QuerySet[Event]:
    return (
        Event.objects.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
        .select_related("venue")
        .prefetch_related(Prefetch("ticket_types", queryset=TicketType.objects.filter(active=True)))
    )


def events_upcoming() -> QuerySet[Event]:
    return events_published().filter(ends_at__gt=timezone.now()).order_by("starts_at", "pk")


def events_next(*, limit: int) -> list[Event]:
    """The next `limit` published Gatherings, each with `places_left` (None when there is no limit), in two
    queries whatever the number of registrations."""
    events = list(
        events_upcoming()
        .filter(status=Event.Status.PUBLISHED)
        .annotate(holding=Count("registrations", filter=Q(registrations__status__in=Registration.HOLDING)))[
            :limit
        ]
    )
    for event in events:
        event.places_left = None if event.capacity is None else max(0, event.capacity - event.holding)
    return events


def events_past() -> QuerySet[Event]:
    return events_published().filter(ends_at__lte=timezone.now()).order_by("-starts_at", "-pk")


def event_get_published(*, slug: str) -> Event:
    return events_published().prefetch_related("questions", "resources").get(slug=slug)


def event_get_draft(*, slug: str) -> Event | None:
    """A draft, for its organisers' preview: loaded as the public page loads a published Gathering."""
    return (
        Event.objects.filter(status=Event.Status.DRAFT, slug=slug)
        .select_related("venue")
        .prefetch_related(
            Prefetch("ticket_types", queryset=TicketType.objects.filter(active=True)),
            "questions",
            "resources",
        )
        .first()
    )


def event_places_left(*, event: Event) -> int | None:
    if event.capacity is None:
        return None
    holding = Registration.objects.filter(event=event, status__in=Registration.HOLDING).count()
    return max(0, event.capacity - holding)


def registrations_for_user(*, user: User) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .exclude(status__in=Registration.ENDED)
        .select_related("event", "event__venue", "ticket_type", "feedback_receipt")
        .order_by("event__starts_at", "pk")
    )


def registration_next_for_user(*, user: User) -> Registration | None:
    """The person's registration for the next Gathering that has not ended, if any."""
    return registrations_for_user(user=user).filter(event__ends_at__gt=timezone.now()).first()


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


SUPPRESS_BELOW = 5


def perspective_mix(*, event: Event) -> list[tuple[str, int | None]]:
    """How many confirmed attendees come from each perspective; counts under 5 are suppressed (None),
    so nobody can be singled out from an aggregate."""
    regs = Registration.objects.filter(event=event, status__in=Registration.HOLDING).only("perspectives")
    counts = dict.fromkeys(Registration.Perspective.values, 0)
    for registration in regs:
        for value in registration.perspectives or []:
            if value in counts:
                counts[value] += 1
    labels = dict(Registration.Perspective.choices)
    return [(str(labels[key]), n if n >= SUPPRESS_BELOW else None) for key, n in counts.items()]


def ticket_type_counts(*, event: Event) -> list[dict[str, object]]:
    rows = (
        TicketType.objects.filter(event=event)
        .annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
            pending=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.PENDING_PAYMENT)
            ),
            offered=Count("registrations", filter=Q(registrations__status=Registration.Status.OFFERED)),
            waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
        )
        .order_by("position", "pk")
    )
    return [
        {
            "ticket": t,
            "confirmed": t.confirmed,
            "pending": t.pending,
            "offered": t.offered,
            "waiting": t.waiting,
        }
        for t in rows
    ]


def events_managed_by(*, user: User) -> QuerySet[Event]:
    events = Event.objects.select_related("venue").order_by("-starts_at", "pk")
    if user.has_perm("accounts.manage_roles"):
        return events
    return events.filter(organisers=user)


def venues_editable_by(*, user: User) -> QuerySet[Venue]:
    """The venues `user` may edit, by the rule of rules.can_edit_venue: every venue for administrators; for
    organisers, those they added and those where a Gathering they organise is held."""
    venues = Venue.objects.order_by("name", "pk")
    if not user.is_authenticated:
        return venues.none()
    if user.has_perm("accounts.manage_roles"):
        return venues
    if not user.has_perm("accounts.organise"):
        return venues.none()
    held_by_them = Event.objects.filter(organisers=user, venue__isnull=False).values("venue_id")
    return venues.filter(Q(created_by=user) | Q(pk__in=held_by_them))


def check_in_search(*, event: Event, query: str, limit: int = 20) -> list[Registration]:
    """People with a place whose name contains `query`, or whose ticket code is `query` exactly."""
    code = query
    with contextlib.suppress(signing.BadSignature):
        code = signing.Signer(salt="gathering.checkin").unsign(query)
    holding = Registration.objects.filter(event=event, status__in=Registration.HOLDING).select_related(
        "ticket_type"
    )
    by_code = list(holding.filter(checkin_code=code)[:1])
    if by_code:
        return by_code
    return list(holding.filter(name__icontains=query).order_by("name", "pk")[:limit])
