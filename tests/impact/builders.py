"""Rows for the impact figures' tests, written straight to the database with the exact statuses a
hand-counted fixture needs (the services would move people on: offer a freed place, expire an offer)."""

from datetime import datetime, timedelta

from gathering.circles.models import Attendance, Circle, CircleMembership, CircleSeries, Feedback, Meeting
from gathering.events.models import BursaryApplication, Event, FeedbackResponse, Registration, TicketType
from gathering.programme.models import Programme, Session, Slot

from ..factories import CircleSeriesFactory, EventFactory, TicketTypeFactory, UserFactory


def person(name: str, email: str | None = None):
    """An account; the email is made from the name unless given."""
    return UserFactory(name=name, email=email or f"{name.lower()}@example.org")


def gathering(title: str, starts_at: datetime, *, hours: int = 7, **fields) -> Event:
    if fields.get("kind") in {Event.Kind.ONLINE_SESSION, Event.Kind.TRAINING}:
        fields.setdefault("format", Event.Format.ONLINE)
        fields.setdefault("venue", None)
    return EventFactory(
        title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), **fields
    )


def ticket(event: Event, name: str, kind: str = TicketType.Kind.FIXED, price: int = 0) -> TicketType:
    return TicketTypeFactory(event=event, name=name, kind=kind, price_minor=price)


def register(
    ticket_type: TicketType,
    *,
    user=None,
    email: str | None = None,
    status: str = Registration.Status.CONFIRMED,
    amount: int = 0,
    checked_in: bool = False,
    waitlisted: bool = False,
    perspectives: list[str] | None = None,
    consent: bool = True,
) -> Registration:
    """A registration of `user` (or of a guest with `email`) with the ticket type, in the given state.
    `perspectives` are stored with consent unless `consent` is False."""
    event = ticket_type.event
    when = event.starts_at - timedelta(days=10)
    return Registration.objects.create(
        event=event,
        ticket_type=ticket_type,
        user=user,
        name=user.name if user else "A guest",
        email=email or user.email,
        status=status,
        amount_minor=amount,
        checked_in_at=event.starts_at if checked_in else None,
        waitlisted_at=when if waitlisted else None,
        offer_expires_at=when + timedelta(days=2) if status == Registration.Status.OFFERED else None,
        perspectives=perspectives,
        special_category_consent_at=when if perspectives is not None and consent else None,
    )


def bursary(event: Event, status: str, *, awarded: int = 0) -> BursaryApplication:
    n = BursaryApplication.objects.count()
    return BursaryApplication.objects.create(
        event=event,
        name=f"Applicant {n}",
        email=f"applicant{n}@example.org",
        support=["ticket"],
        status=status,
        amount_awarded_minor=awarded,
    )


def feedback(event: Event, *felt_safe: int | None) -> None:
    for value in felt_safe:
        FeedbackResponse.objects.create(event=event, outcome_ratings={}, felt_safe=value)


def programme_session(
    programme: Programme, title: str, *, status: str, track: str = Session.Track.OPEN_SPACE, slot: Slot | None
) -> Session:
    return Session.objects.create(programme=programme, title=title, status=status, track=track, slot=slot)


def series(name: str, *, first_meets_at: datetime | None, **fields) -> CircleSeries:
    return CircleSeriesFactory(name=name, first_meets_at=first_meets_at, **fields)


def circle(circle_series: CircleSeries, number: int) -> Circle:
    return Circle.objects.create(series=circle_series, number=number)


def member(
    circle_series: CircleSeries,
    user,
    *,
    in_circle: Circle | None = None,
    status: str = CircleMembership.Status.ACTIVE,
    perspectives: list[str] | None = None,
    consent: bool = True,
) -> CircleMembership:
    agreement = circle_series.agreements.order_by("-version").first()
    agreed = circle_series.first_meets_at or agreement.created_at
    return CircleMembership.objects.create(
        series=circle_series,
        user=user,
        circle=in_circle,
        perspectives=perspectives,
        perspectives_consent_at=agreed if perspectives is not None and consent else None,
        agreement=agreement,
        agreed_at=agreed,
        status=status,
    )


def meeting(in_circle: Circle, starts_at: datetime, *, present=(), absent=()) -> Meeting:
    """A meeting, with attendance marks for the memberships `present` and `absent`."""
    held = Meeting.objects.create(circle=in_circle, starts_at=starts_at)
    for membership in present:
        Attendance.objects.create(meeting=held, membership=membership, present=True)
    for membership in absent:
        Attendance.objects.create(meeting=held, membership=membership, present=False)
    return held


def circle_feedback(held: Meeting, *answers: tuple[int, int]) -> None:
    """Anonymous feedback after a meeting: (felt safe, felt heard) per answer."""
    for safe, heard in answers:
        Feedback.objects.create(meeting=held, felt_safe=safe, felt_heard=heard, come_again=4)
