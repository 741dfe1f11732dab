"""Scheduled work for Gatherings: expiring unanswered offers, reminders before the day, and the joining
link before an online or hybrid Gathering."""

from datetime import datetime, timedelta

from django.db import transaction

from gathering.core.jobs import periodic_job

from . import notifications
from .models import Event, Registration
from .services import waitlist_expire_offers

OFFER_WARNING = timedelta(hours=12)


@periodic_job("events.expire_offers", every=timedelta(minutes=5))
def expire_offers_job(*, now: datetime) -> None:
    """Offers nobody answered pass to the next person; offers about to end get one reminder."""
    waitlist_expire_offers(now=now)
    ending = Registration.objects.filter(
        status=Registration.Status.OFFERED,
        offer_expires_at__gt=now,
        offer_expires_at__lte=now + OFFER_WARNING,
    ).select_related("event", "ticket_type")
    for registration in ending:
        with transaction.atomic():
            notifications.notify_offer_ending(registration)


@periodic_job("events.reminders", every=timedelta(hours=1))
def reminders_job(*, now: datetime) -> None:
    """A reminder 7 days and 1 day before, to confirmed attendees who want reminders (once each)."""
    for days in (7, 1):
        window_start, window_end = now + timedelta(days=days - 1), now + timedelta(days=days)
        events = Event.objects.filter(
            status=Event.Status.PUBLISHED, starts_at__gt=window_start, starts_at__lte=window_end
        )
        due = (
            Registration.objects.filter(event__in=events, status__in=Registration.HOLDING)
            .exclude(status=Registration.Status.OFFERED)
            .exclude(user__email_reminders=False)
            .select_related("event", "event__venue", "ticket_type")
        )
        for registration in due:
            with transaction.atomic():
                notifications.notify_reminder(registration, days=days)


def online_reminder_hours() -> list[int]:
    """GATHERING_ONLINE_REMINDER_HOURS ("24,1") as whole hours, largest first; anything else is left out."""
    from django.conf import settings

    hours = {
        int(part)
        for part in str(settings.GATHERING_ONLINE_REMINDER_HOURS).split(",")
        if part.strip().isdigit()
    }
    return sorted((h for h in hours if h > 0), reverse=True)


def online_reminders_send(*, now: datetime) -> int:
    """Send each confirmed person the joining link at each configured time before an online or hybrid
    Gathering, once (an OnlineReminder row records it). Only the latest reminder due is sent: one missed
    while the job was down is not sent late next to a newer one. Someone who registered after a reminder's
    moment had the link in their confirmation, so that reminder is skipped for them."""
    from .models import OnlineReminder

    hours = online_reminder_hours()
    if not hours:
        return 0
    due = (
        Registration.objects.filter(
            status__in=Registration.CONFIRMED_PLACE,
            event__status=Event.Status.PUBLISHED,
            event__format__in=[Event.Format.ONLINE, Event.Format.HYBRID],
            event__starts_at__gt=now,
            event__starts_at__lte=now + timedelta(hours=hours[0]),
        )
        .exclude(event__online_join_url="")
        .exclude(user__email_reminders=False)
        .select_related("event", "event__venue", "ticket_type")
        .prefetch_related("online_reminders")
    )
    sent = 0
    for registration in due:
        passed = [h for h in hours if registration.event.starts_at - timedelta(hours=h) <= now]
        latest = passed[-1]
        moment = registration.event.starts_at - timedelta(hours=latest)
        already = {reminder.hours_before for reminder in registration.online_reminders.all()}
        if latest in already or registration.created_at >= moment:
            continue
        with transaction.atomic():
            _, created = OnlineReminder.objects.get_or_create(
                registration=registration, hours_before=latest, defaults={"sent_at": now}
            )
            if created:
                notifications.notify_online_reminder(registration, hours_before=latest)
                sent += 1
    return sent


# Every 5 minutes, so the reminder an hour before arrives within minutes of its time.
@periodic_job("events.online_reminders", every=timedelta(minutes=5))
def online_reminders_job(*, now: datetime) -> None:
    online_reminders_send(now=now)


@periodic_job("events.feedback_invitations", every=timedelta(hours=1))
def feedback_invitations_job(*, now: datetime) -> None:
    from .feedback import feedback_invite_due

    feedback_invite_due(now=now)


def retention_purge(*, now: datetime) -> dict[str, int]:
    """Delete special-category answers on their day: access needs, perspectives and the answers to the
    Gathering's own questions some days after the Gathering ends, bursary circumstances some days after the
    decision (GATHERING_RETENTION_DAYS)."""
    from django.conf import settings

    from .models import BursaryApplication

    days = settings.GATHERING_RETENTION_DAYS
    ended_before = now - timedelta(days=days["access_needs_after_event"])
    # Encrypted columns cannot be searched, so rows are found by date and a flag set when purged.
    registrations = Registration.objects.filter(event__ends_at__lte=ended_before, answers_purged=False)
    purged_registrations = registrations.update(
        access_needs=None,
        perspectives=None,
        access_needs_other="",
        dietary_needs="",
        answers=None,
        share_access_with_venue=False,
        answers_purged=True,
    )
    decided_before = now - timedelta(days=days["bursary_circumstances_after_decision"])
    applications = BursaryApplication.objects.filter(
        decided_at__lte=decided_before, circumstances_purged=False
    )
    purged_applications = applications.update(circumstances="", reviewer_notes="", circumstances_purged=True)
    return {"registrations": purged_registrations, "bursary_applications": purged_applications}


@periodic_job("events.retention", every=timedelta(days=1))
def retention_job(*, now: datetime) -> None:
    retention_purge(now=now)
