"""Retention: each kind of data is deleted on its day, not before (time passed in, not waited for)."""

import pytest
from django.utils import timezone

from gathering.accounts.jobs import unverified_accounts_purge
from gathering.accounts.models import User
from gathering.events.jobs import retention_purge
from gathering.events.models import BursaryApplication, Registration

from ..factories import EventFactory, TicketTypeFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = timezone.timedelta(days=1)


def test_access_needs_go_30_days_after_the_gathering_ends():
    start = timezone.now() - 2 * DAY
    event = EventFactory(starts_at=start, ends_at=start + timezone.timedelta(hours=6))
    ticket = TicketTypeFactory(event=event)
    registration = Registration.objects.create(
        event=event,
        ticket_type=ticket,
        name="P",
        email="p@example.org",
        status="confirmed",
        access_needs=["bsl"],
        access_needs_other="ramp",
        perspectives=["services"],
        dietary_needs="vegan",
    )
    retention_purge(now=event.ends_at + 29 * DAY)
    registration.refresh_from_db()
    assert registration.access_needs == ["bsl"]
    retention_purge(now=event.ends_at + 30 * DAY)
    registration.refresh_from_db()
    assert (registration.access_needs, registration.access_needs_other, registration.perspectives) == (
        None,
        "",
        None,
    )
    assert registration.dietary_needs == "" and registration.status == "confirmed"
    assert registration.answers_purged is True


def test_retention_touches_each_row_once():
    # The job runs daily; rows it has already emptied are not rewritten every day after.
    event = EventFactory(starts_at=timezone.now() - 40 * DAY, ends_at=timezone.now() - 39 * DAY)
    ticket = TicketTypeFactory(event=event)
    Registration.objects.create(
        event=event,
        ticket_type=ticket,
        name="P",
        email="p@example.org",
        status="confirmed",
        dietary_needs="x",
    )
    now = timezone.now()
    assert retention_purge(now=now)["registrations"] == 1
    assert retention_purge(now=now + DAY)["registrations"] == 0


def test_bursary_circumstances_go_six_months_after_the_decision():
    event = EventFactory()
    decided = timezone.now()
    application = BursaryApplication.objects.create(
        event=event,
        name="A",
        email="a@example.org",
        support=["travel"],
        circumstances="private",
        reviewer_notes="note",
        status="declined",
        decided_at=decided,
    )
    retention_purge(now=decided + 181 * DAY)
    application.refresh_from_db()
    assert application.circumstances == "private"
    retention_purge(now=decided + 182 * DAY)
    application.refresh_from_db()
    assert (application.circumstances, application.reviewer_notes, application.status) == ("", "", "declined")


def test_unverified_accounts_go_after_30_days():
    unverified = UserFactory(verified=False)
    verified = UserFactory()
    joined = unverified.date_joined
    assert unverified_accounts_purge(now=joined + 29 * DAY) == 0
    assert unverified_accounts_purge(now=joined + 30 * DAY + timezone.timedelta(minutes=1)) == 1
    assert list(User.objects.values_list("pk", flat=True)) == [verified.pk]


def test_retention_days_are_configurable(settings):
    settings.GATHERING_RETENTION_DAYS = {**settings.GATHERING_RETENTION_DAYS, "access_needs_after_event": 7}
    start = timezone.now() - 2 * DAY
    event = EventFactory(starts_at=start, ends_at=start + timezone.timedelta(hours=6))
    ticket = TicketTypeFactory(event=event)
    registration = Registration.objects.create(
        event=event,
        ticket_type=ticket,
        name="P",
        email="p@example.org",
        status="confirmed",
        access_needs=["bsl"],
    )
    retention_purge(now=event.ends_at + 7 * DAY)
    registration.refresh_from_db()
    assert registration.access_needs is None
