"""A Gathering's programme slots fall within its dates, in its own time zone: the grid editor refuses a slot
on a day before it starts or after it ends, with a clear message; the demo's grid keeps to its dates."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gathering.programme import services
from gathering.programme.models import Slot

from ..conftest import signed_in
from .staff_data import make_programme

pytestmark = pytest.mark.django_db


def two_day_programme():
    """A Gathering from Tuesday 14 May 2030 10:00 to Wednesday 15 May 17:00 in Auckland (UTC+12 then)."""
    programme, organiser = make_programme(slots=0, rooms=0)
    event = programme.event
    event.time_zone = "Pacific/Auckland"
    zone = ZoneInfo("Pacific/Auckland")
    event.starts_at = datetime(2030, 5, 14, 10, tzinfo=zone)
    event.ends_at = datetime(2030, 5, 15, 17, tzinfo=zone)
    event.save(update_fields=["time_zone", "starts_at", "ends_at"])
    return programme, organiser, zone


def at(zone, day: int, hour: int) -> datetime:
    return datetime.combine(date(2030, 5, day), datetime.min.time(), tzinfo=zone) + timedelta(hours=hour)


@pytest.mark.parametrize(("day", "start", "end"), [(14, 8, 9), (15, 18, 19), (14, 0, 1), (15, 22, 23)])
def test_slots_on_the_gatherings_days_are_kept_in_its_time_zone(day, start, end):
    programme, organiser, zone = two_day_programme()

    slot = services.slot_save(
        programme=programme, actor=organiser, starts_at=at(zone, day, start), ends_at=at(zone, day, end)
    )

    assert slot.pk is not None


@pytest.mark.parametrize(("day", "start", "end"), [(13, 10, 11), (16, 10, 11), (15, 23, 25), (13, 23, 25)])
def test_a_slot_outside_the_gatherings_dates_is_refused(day, start, end):
    programme, organiser, zone = two_day_programme()

    with pytest.raises(services.ProgrammeChangeError) as error:
        services.slot_save(
            programme=programme, actor=organiser, starts_at=at(zone, day, start), ends_at=at(zone, day, end)
        )

    assert error.value.messages == [
        "Slots must fall within the Gathering's dates, Tuesday 14 May 2030 to Wednesday 15 May 2030."
    ]
    assert not Slot.objects.exists()


def test_the_grid_editor_shows_the_message_on_the_form():
    programme, organiser, _zone = two_day_programme()

    response = signed_in(organiser).post(
        f"/staff/programme/{programme.event.slug}/slots/new/",
        {"starts_at": "2030-05-16T10:00", "ends_at": "2030-05-16T11:00"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Slots must fall within the Gathering&#x27;s dates" in body
    assert not Slot.objects.exists()


def test_the_demo_grid_falls_within_the_demo_gatherings_dates():
    from django.utils import timezone

    from gathering.accounts.demo import ensure_demo_people
    from gathering.events.demo import seed_events
    from gathering.programme.demo import UPCOMING, seed_programme

    people, _logins = ensure_demo_people()
    seed_events(organiser=people["organiser"], participant=people["participant"])
    seed_programme(people=people)

    from gathering.events.models import Event

    event = Event.objects.get(slug=UPCOMING)
    first = timezone.localtime(event.starts_at, event.zone).date()
    last = timezone.localtime(event.ends_at, event.zone).date()
    days = {
        timezone.localtime(s.starts_at, event.zone).date()
        for s in Slot.objects.filter(programme__event=event)
    }
    days |= {
        timezone.localtime(s.ends_at, event.zone).date() for s in Slot.objects.filter(programme__event=event)
    }
    assert len(days) == 2
    assert all(first <= d <= last for d in days)
