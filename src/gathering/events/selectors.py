"""Reads about Gatherings and registrations that pages and the API share."""

import contextlib
import re
from dataclasses import dataclass

from django.core import signing
from django.db.models import CharField, Count, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from gathering.accounts.models import User

from .models import (
    BursaryApplication,
    BursaryFund,
    CalendarFeed,
    Event,
    Question,
    Registration,
    TicketType,
    Venue,
)


def events_published() -> QuerySet[Event]:
    return (
        Event.objects.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
        .select_related("venue")
        .prefetch_related(Prefetch("ticket_types", queryset=TicketType.objects.filter(active=True)))
    )


def events_upcoming() -> QuerySet[Event]:
    return events_published().filter(ends_at__gt=timezone.now()).order_by("starts_at", "pk")


def events_next(*, limit: int) -> list[Event]:
    """The next `limit` published Gatherings with their venues, each with `places_left` (None when there is
    no limit), in two queries whatever the number of registrations: the places are counted for these
    Gatherings only."""
    events = list(
        Event.objects.filter(status=Event.Status.PUBLISHED, ends_at__gt=timezone.now())
        .select_related("venue")
        .order_by("starts_at", "pk")[:limit]
    )
    limited = [event.pk for event in events if event.capacity is not None]
    holding = dict(
        Registration.objects.filter(event_id__in=limited, status__in=Registration.HOLDING)
        .order_by()
        .values("event_id")
        .annotate(n=Count("pk"))
        .values_list("event_id", "n")
        if limited
        else []
    )
    for event in events:
        event.places_left = (
            None if event.capacity is None else max(0, event.capacity - holding.get(event.pk, 0))
        )
    return events


def events_past() -> QuerySet[Event]:
    return events_published().filter(ends_at__lte=timezone.now()).order_by("-starts_at", "-pk")


def event_get_published(*, slug: str) -> Event:
    return events_published().prefetch_related("questions", "resources").get(slug=slug)


def event_get_for_page(*, slug: str) -> Event:
    """A published Gathering for its public page: with its venue, tickets on sale, resources and whether it
    has a programme, in three queries."""
    return events_published().select_related("programme").prefetch_related("resources").get(slug=slug)


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


@dataclass(frozen=True)
class Availability:
    """What a Gathering's page says about places: how many are left (None: no limit), and whether the next
    person to register would join the waiting list whatever ticket they chose (`event_full`)."""

    places_left: int | None
    full: bool


def event_availability(*, event: Event) -> Availability:
    """`event_places_left` and `event_full` from one count."""
    total, per_type = event_holding_counts(event=event)
    places_left = None if event.capacity is None else max(0, event.capacity - total)
    return Availability(places_left=places_left, full=_full(event, total, per_type))


def event_places_left(*, event: Event) -> int | None:
    if event.capacity is None:
        return None
    holding = Registration.objects.filter(event=event, status__in=Registration.HOLDING).count()
    return max(0, event.capacity - holding)


@dataclass(frozen=True)
class PlaceCount:
    """Places held against the capacity, with those given over capacity on purpose counted apart."""

    taken: int
    capacity: int | None
    over_capacity: int


def event_place_count(*, event: Event) -> PlaceCount:
    counts = Registration.objects.filter(event=event, status__in=Registration.HOLDING).aggregate(
        taken=Count("pk"), over=Count("pk", filter=Q(over_capacity=True))
    )
    return PlaceCount(taken=counts["taken"], capacity=event.capacity, over_capacity=counts["over"])


@dataclass(frozen=True)
class Attendee:
    name: str
    pronouns: str


# A place that counts for the attendee list: confirmed, with or without a payment still to make.
_LISTED_STATUSES = (Registration.Status.CONFIRMED, Registration.Status.PENDING_PAYMENT)


def attendee_list(*, event: Event, viewer: Registration | None) -> list[Attendee] | None:
    """The other people on the list, for a viewer who is on it themselves; None for anyone else (the page
    then shows nothing). Preferred names first, pronouns as the person gave them. One query."""
    if viewer is None or viewer.status not in _LISTED_STATUSES or not viewer.on_attendee_list:
        return None
    rows = (
        Registration.objects.filter(event=event, status__in=_LISTED_STATUSES, on_attendee_list=True)
        .exclude(pk=viewer.pk)
        .select_related("user")
        .only("name", "pronouns", "user__preferred_name", "user__pronouns")
        .order_by("created_at", "pk")
    )
    return [
        Attendee(
            name=(row.user.preferred_name if row.user else "") or row.name,
            pronouns=row.pronouns or (row.user.pronouns if row.user else ""),
        )
        for row in rows
    ]


def bursaries_open(*, event: Event) -> bool:
    """Whether the Gathering page offers a bursary application: an open fund, before the day."""
    return not event.is_past and BursaryFund.objects.filter(event=event, open=True).exists()


def event_holding_counts(*, event: Event) -> tuple[int, dict[int, int]]:
    """Places held at the Gathering: in all, and per ticket type (one query). Registration counts with this
    under the event's lock; pages count with it to say whether the next person gets a place."""
    rows = (
        Registration.objects.filter(event=event, status__in=Registration.HOLDING)
        .order_by()  # the default order would join the events table for nothing
        .values("ticket_type_id")
        .annotate(n=Count("pk"))
    )
    per_type = {row["ticket_type_id"]: row["n"] for row in rows}
    return sum(per_type.values()), per_type


def ticket_fits(*, event: Event, ticket: TicketType, total: int, per_type: dict[int, int]) -> bool:
    """Whether one more place with `ticket` fits the Gathering's places and the ticket's own."""
    if event.capacity is not None and total >= event.capacity:
        return False
    return ticket.quantity is None or per_type.get(ticket.pk, 0) < ticket.quantity


def event_full(*, event: Event) -> bool:
    """Whether the next person to register would join the waiting list whatever ticket they chose: the
    registration service's rule, read without the lock (a page saying so may be a moment out of date)."""
    total, per_type = event_holding_counts(event=event)
    return _full(event, total, per_type)


def _full(event: Event, total: int, per_type: dict[int, int]) -> bool:
    tickets = [ticket for ticket in event.ticket_types.all() if ticket.active]
    if not tickets:
        return event.capacity is not None and total >= event.capacity
    return not any(ticket_fits(event=event, ticket=t, total=total, per_type=per_type) for t in tickets)


def registrations_for_user(*, user: User) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .live()
        .select_related("event", "event__venue", "ticket_type", "feedback_receipt")
        .order_by("event__starts_at", "pk")
    )


@dataclass(frozen=True)
class MyGatherings:
    """What My Gatherings lists: the person's live registrations (each with `position`, their number in the
    waiting list or None), their bursary applications but the withdrawn, and their calendar feed."""

    registrations: list[Registration]
    applications: list[BursaryApplication]
    feed: CalendarFeed | None

    def events(self) -> "MyGatheringsEvents":
        return MyGatheringsEvents(
            shown=frozenset(row.event.slug for row in [*self.registrations, *self.applications]),
            waiting=frozenset(
                row.event.slug for row in self.registrations if row.status == Registration.Status.WAITLISTED
            ),
        )


def my_gatherings(*, user: User) -> MyGatherings:
    """Everything My Gatherings lists, in four queries whatever the number of registrations."""
    registrations = list(
        Registration.objects.filter(user=user)
        .live()
        .select_related("event", "ticket_type", "feedback_receipt")
        .order_by("event__starts_at", "pk")
    )
    positions = waitlist_positions(registrations=registrations)
    for registration in registrations:
        registration.position = positions.get(registration.pk)
    applications = list(
        BursaryApplication.objects.filter(user=user)
        .exclude(status=BursaryApplication.Status.WITHDRAWN)
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )
    return MyGatherings(registrations, applications, CalendarFeed.objects.filter(user=user).first())


@dataclass(frozen=True)
class MyGatheringsEvents:
    """The web addresses of the Gatherings My Gatherings shows, and of those whose waiting list the person
    is in (their number in it changes with other people's registrations)."""

    shown: frozenset[str]
    waiting: frozenset[str]


def my_gatherings_events(*, user: User) -> MyGatheringsEvents:
    """The Gatherings `my_gatherings` would show for `user`, in one query (for the page cache, before
    `my_gatherings` reads them)."""
    registrations = (
        Registration.objects.filter(user=user).live().order_by().values_list("event__slug", "status")
    )
    applications = (
        BursaryApplication.objects.filter(user=user)
        .exclude(status=BursaryApplication.Status.WITHDRAWN)
        .order_by()
        .values_list("event__slug", Value("", output_field=CharField()))
    )
    rows = list(registrations.union(applications))
    return MyGatheringsEvents(
        shown=frozenset(slug for slug, _status in rows),
        waiting=frozenset(slug for slug, status in rows if status == Registration.Status.WAITLISTED),
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


def waitlist_position(registration: Registration) -> int | None:
    """The person's place in the waiting list (1 is next), or None when they are not on it."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    # Ahead: anyone earlier with the same priority, and everyone with priority when this one has none.
    ahead = Q(waitlist_priority=registration.waitlist_priority) & (
        Q(waitlisted_at__lt=registration.waitlisted_at)
        | Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk)
    )
    if not registration.waitlist_priority:
        ahead |= Q(waitlist_priority=True)
    queue = Registration.objects.filter(event_id=registration.event_id, status=Registration.Status.WAITLISTED)
    return queue.filter(ahead).count() + 1


def waitlist_positions(*, registrations: list[Registration]) -> dict[int, int]:
    """Positions for many waitlisted registrations with one query per event."""
    positions: dict[int, int] = {}
    event_ids = {r.event_id for r in registrations if r.status == Registration.Status.WAITLISTED}
    if not event_ids:
        return positions
    queue = (
        Registration.objects.filter(event_id__in=event_ids, status=Registration.Status.WAITLISTED)
        .order_by("event_id", "-waitlist_priority", "waitlisted_at", "pk")
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


# The ticket's QR code is signed with this salt, and the check-in desk unsigns it with the same.
CHECKIN_SALT = "gathering.checkin"


def checkin_payload(registration: Registration) -> str:
    """What the ticket's QR code holds: the registration's random code, signed so a forged code is refused
    before any lookup."""
    return signing.Signer(salt=CHECKIN_SALT).sign(registration.checkin_code)


def check_in_search(*, event: Event, query: str, limit: int = 20) -> list[Registration]:
    """People with a place whose name contains `query`, or whose ticket code (from the QR code) or
    reference (printed in the email, as `G12-345`) is `query` exactly."""
    query = query.strip()
    code = query
    with contextlib.suppress(signing.BadSignature):
        code = signing.Signer(salt=CHECKIN_SALT).unsign(query)
    holding = Registration.objects.filter(event=event, status__in=Registration.HOLDING).select_related(
        "ticket_type"
    )
    by_code = list(holding.filter(checkin_code=code)[:1])
    if by_code:
        return by_code
    reference = re.fullmatch(r"[gG](\d+)-(\d+)", query)
    if reference and int(reference[1]) == event.pk:
        by_reference = list(holding.filter(pk=int(reference[2]))[:1])
        if by_reference:
            return by_reference
    return list(holding.filter(name__icontains=query).order_by("name", "pk")[:limit])


def check_in_expected(*, event: Event) -> list[Registration]:
    """Everyone expected at the door (holding a place), by name, for the check-in desk's list."""
    return list(
        Registration.objects.filter(event=event, status__in=Registration.HOLDING)
        .select_related("ticket_type")
        .order_by("name", "pk")
    )


def check_in_counts(*, event: Event) -> dict[str, int]:
    """The desk's three numbers: people expected, people arrived, and people with a payment due."""
    return Registration.objects.filter(event=event, status__in=Registration.HOLDING).aggregate(
        expected=Count("pk"),
        arrived=Count("pk", filter=Q(checked_in_at__isnull=False)),
        payment_due=Count("pk", filter=Q(status=Registration.Status.PENDING_PAYMENT)),
    )


def answers_needing_consent(*, registrations: list[Registration]) -> dict[int, dict[str, str | None]]:
    """For each registration, its custom answers held under the special-category consent, as {question id:
    question text}: answers to questions marked sensitive, and to questions since deleted (text None),
    which nobody can now say were not. One query, whatever the number of registrations."""
    keys = {key for registration in registrations for key in registration.answers or {}}
    questions = {
        str(pk): (event_id, text, sensitive)
        for pk, event_id, text, sensitive in Question.objects.filter(
            pk__in=[int(key) for key in keys if str(key).isdigit()]
        ).values_list("pk", "event_id", "text", "sensitive")
    }
    needing: dict[int, dict[str, str | None]] = {}
    for registration in registrations:
        for key in registration.answers or {}:
            event_id, text, sensitive = questions.get(str(key), (None, None, True))
            if event_id != registration.event_id:
                text, sensitive = None, True
            if sensitive:
                needing.setdefault(registration.pk, {})[key] = text
    return needing


def consent_withdrawal_steps(sender: object, *, user: User, purpose: str, **kwargs: object) -> list[str]:
    """What withdrawing `purpose` deletes or stops at each Gathering, one sentence per Gathering, from the
    rows services.on_consent_withdrawn changes (answers `consent_withdrawal_previewing`)."""
    from django.utils.translation import gettext as _

    from gathering.privacy import notices

    steps = []
    live = (
        Registration.objects.filter(user=user)
        .live()
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )
    live = list(live)
    needing_consent = (
        answers_needing_consent(registrations=live) if purpose == notices.SPECIAL_CATEGORY_EVENT else {}
    )
    for registration in live:
        parts = []
        if purpose == notices.SPECIAL_CATEGORY_EVENT:
            if registration.perspectives:
                parts.append(_("how you come to this Gathering"))
            questions = needing_consent.get(registration.pk, {}).values()
            if questions:
                named = [f"“{text}”" for text in questions if text is not None]
                if None in questions:
                    named.append(_("a question no longer asked"))
                parts.append(_("your answers to %(questions)s") % {"questions": ", ".join(named)})
            if registration.access_needs or registration.access_needs_other:
                parts.append(_("your access needs"))
            if registration.share_access_with_venue:
                parts.append(_("and sharing them with the venue team"))
        elif purpose == notices.SHARE_ACCESS_NEEDS_WITH_VENUE and registration.share_access_with_venue:
            parts.append(_("sharing your access needs with the venue team (the organisers still have them)"))
        elif purpose == notices.ATTENDEE_LIST and registration.on_attendee_list:
            parts.append(_("your name on the attendee list"))
        if parts:
            steps.append(
                _("%(title)s: %(what)s") % {"title": registration.event.title, "what": ", ".join(parts)}
            )
    return steps
