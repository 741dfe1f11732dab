"""Scheduled work for Gatherings: expiring unanswered offers, and reminders before the day."""

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


@periodic_job("events.feedback_invitations", every=timedelta(hours=1))
def feedback_invitations_job(*, now: datetime) -> None:
    from .feedback import feedback_invite_due

    feedback_invite_due(now=now)


def retention_purge(*, now: datetime) -> dict[str, int]:
    """Delete special-category answers on their day: access needs and perspectives some days after the
    Gathering ends, bursary circumstances some days after the decision (GATHERING_RETENTION_DAYS)."""
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
        share_access_with_venue=False,
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
