"""Scheduled work for circles: inviting members to give feedback after each meeting, and queueing again
formation runs whose task was lost or whose runner died."""

import logging
from datetime import datetime, timedelta

from django.db import transaction

from gathering.core.jobs import periodic_job

from .models import CircleMembership, CircleSeries, FeedbackReceipt, Meeting
from .notifications import notify_feedback
from .services import formation_runs_sweep

logger = logging.getLogger(__name__)

# A circle meeting lasts about an hour and a half: invite once it is surely over, for two days after.
INVITE_AFTER = timedelta(hours=2)
INVITE_FOR = timedelta(days=2)


def feedback_invite_due(*, now: datetime) -> int:
    """Invite each member of a circle that met recently to give feedback (once per meeting)."""
    meetings = Meeting.objects.filter(
        starts_at__lte=now - INVITE_AFTER,
        starts_at__gt=now - INVITE_AFTER - INVITE_FOR,
        circle__series__status=CircleSeries.Status.PUBLISHED,
    ).select_related("circle__series")
    invited = 0
    for meeting in meetings:
        answered = FeedbackReceipt.objects.filter(meeting=meeting).values("membership")
        members = (
            CircleMembership.objects.active()
            .filter(circle=meeting.circle, user__isnull=False)
            .exclude(pk__in=answered)
            .select_related("user", "series")
        )
        for membership in members:
            with transaction.atomic():
                notify_feedback(membership, meeting)
            invited += 1
    return invited


@periodic_job("circles.feedback_invitations", every=timedelta(hours=1))
def feedback_invitations_job(*, now: datetime) -> None:
    feedback_invite_due(now=now)


@periodic_job("circles.formation_runs", every=timedelta(minutes=1), timeout=timedelta(minutes=5))
def formation_runs_job(*, now: datetime) -> None:
    queued = formation_runs_sweep(now=now)
    if queued:
        logger.info("Circles: %s formation runs queued again", queued)
