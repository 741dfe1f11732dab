"""Emails about registrations, written to the outbox inside the transaction of the change they report."""

import base64

import segno
from django.conf import settings
from django.utils import timezone

from gathering.core.outbox import Attachment, outbox_enqueue

from .calendar import event_ics
from .models import Registration
from .selectors import checkin_payload, waitlist_position


def _when(registration: Registration) -> str:
    event = registration.event
    start = timezone.localtime(event.starts_at, event.zone)
    end = timezone.localtime(event.ends_at, event.zone)
    return f"{start:%A %-d %B %Y, %H:%M} – {end:%H:%M} ({start:%Z})"


def _context(registration: Registration, **extra: object) -> dict[str, object]:
    from .payments import payment_step

    event = registration.event
    step = payment_step(registration) if registration.status == Registration.Status.PENDING_PAYMENT else None
    # The joining link goes only to a confirmed place; every other email about the same person leaves it out.
    joins = registration.gets_join_link
    return {
        "payment_instructions": step.instructions if step else "",
        "join_url": event.online_join_url if joins else "",
        "join_details": event.online_join_details if joins else "",
        "at_the_door": event.is_in_person,
        "registration": registration,
        "event": event,
        "when": _when(registration),
        "event_url": f"{settings.GATHERING_BASE_URL}{event.get_absolute_url()}",
        "my_url": f"{settings.GATHERING_BASE_URL}/my/gatherings/",
        **extra,
    }


def calendar_attachment(registration: Registration) -> Attachment:
    """The Gathering as this person's place stands, for their calendar. Emailed calendars say METHOD:PUBLISH
    in the file and method=PUBLISH in the part's content type (RFC 6047), so mail programs offer to add or
    update the entry (same UID, higher SEQUENCE after a change) rather than treat it as an invitation."""
    event = registration.event
    return Attachment(
        f"{event.slug}.ics",
        event_ics(event, registration=registration, method="PUBLISH"),
        "text/calendar; method=PUBLISH",
    )


def _ticket_qr(registration: Registration) -> Attachment:
    png = segno.make(checkin_payload(registration), error="m").png_data_uri(scale=6)
    return Attachment(
        filename="ticket-qr.png",
        content=base64.b64decode(png.split(",", 1)[1]),
        content_type="image/png",
    )


def place_attachments(registration: Registration) -> list[Attachment]:
    """What an email confirming a place carries: the calendar entry and the check-in code."""
    return [calendar_attachment(registration), _ticket_qr(registration)]


def notify_registration(registration: Registration) -> None:
    """The email that matches the registration's status just after it was made or changed."""
    if registration.status in {Registration.Status.CONFIRMED, Registration.Status.PENDING_PAYMENT}:
        outbox_enqueue(
            kind="registration_confirmed",
            to=[registration.email],
            template="events/confirmed",
            context=_context(registration),
            # The QR code is a ticket for the door: an online Gathering has none.
            attachments=[
                calendar_attachment(registration),
                *([_ticket_qr(registration)] if registration.event.is_in_person else []),
            ],
            dedupe_key=f"registration:{registration.pk}:confirmed",
        )
    elif registration.status == Registration.Status.WAITLISTED:
        outbox_enqueue(
            kind="waitlist_joined",
            to=[registration.email],
            template="events/waitlisted",
            context=_context(registration, position=waitlist_position(registration)),
            dedupe_key=f"registration:{registration.pk}:waitlisted",
        )
    elif registration.status == Registration.Status.OFFERED:
        expires = timezone.localtime(registration.offer_expires_at, registration.event.zone)
        outbox_enqueue(
            kind="place_offered",
            to=[registration.email],
            template="events/offered",
            context=_context(registration, expires=f"{expires:%A %-d %B, %H:%M} ({expires:%Z})"),
            dedupe_key=f"registration:{registration.pk}:offered:{registration.offer_expires_at.isoformat()}",
        )


def notify_cancelled(registration: Registration) -> None:
    outbox_enqueue(
        kind="registration_cancelled",
        to=[registration.email],
        template="events/cancelled",
        context=_context(registration),
        dedupe_key=f"registration:{registration.pk}:cancelled",
    )


def notify_offer_ending(registration: Registration) -> None:
    expires = timezone.localtime(registration.offer_expires_at, registration.event.zone)
    outbox_enqueue(
        kind="offer_ending",
        to=[registration.email],
        template="events/offer_ending",
        context=_context(registration, expires=f"{expires:%A %-d %B, %H:%M} ({expires:%Z})"),
        dedupe_key=f"registration:{registration.pk}:offer-ending:{registration.offer_expires_at.isoformat()}",
    )


def notify_reminder(registration: Registration, *, days: int) -> None:
    outbox_enqueue(
        kind=f"reminder_{days}d",
        to=[registration.email],
        template="events/reminder",
        context=_context(registration, days=days),
        dedupe_key=f"registration:{registration.pk}:reminder:{days}",
    )


def notify_online_reminder(registration: Registration, *, hours_before: int) -> None:
    """The joining link shortly before an online or hybrid Gathering, to a person with a confirmed place."""
    if not registration.gets_join_link:
        return
    outbox_enqueue(
        kind="online_reminder",
        to=[registration.email],
        template="events/online_reminder",
        context=_context(registration, hours_before=hours_before),
        dedupe_key=f"registration:{registration.pk}:online-reminder:{hours_before}",
    )
