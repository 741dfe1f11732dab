"""Scheduled work for the directory: reminding organisations' members of listings nobody has checked for
more than a year."""

from datetime import datetime, timedelta

from gathering.core.jobs import periodic_job

from .moderation import check_reminders_send


@periodic_job("directory.check_reminders", every=timedelta(days=7))
def check_reminders_job(*, now: datetime) -> None:
    """Once a week; each listing is in a reminder at most once in 30 days (moderation.REMIND_EVERY)."""
    check_reminders_send(now=now)
