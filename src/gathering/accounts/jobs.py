"""Scheduled work for accounts: accounts never verified are deleted after the retention period."""

from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Exists, OuterRef

from gathering.core.jobs import periodic_job

from .models import User
from .services import account_delete


def unverified_accounts_purge(*, now: datetime) -> int:
    cutoff = now - timedelta(days=settings.GATHERING_RETENTION_DAYS["unverified_accounts"])
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    stale = User.objects.filter(date_joined__lte=cutoff, is_staff=False, is_superuser=False).exclude(
        Exists(verified)
    )
    count = 0
    for user in stale:
        account_delete(user=user)
        count += 1
    return count


@periodic_job("accounts.unverified_purge", every=timedelta(days=1))
def unverified_accounts_job(*, now: datetime) -> None:
    unverified_accounts_purge(now=now)
