"""The demo circles: 60 people at the upcoming demo Gathering, formed and published; running again adds
nothing."""

import pytest

from gathering.accounts.demo import ensure_demo_people
from gathering.circles.demo import SLUG, seed_circles
from gathering.circles.models import Circle, CircleMembership, CircleSeries, Meeting, NotWithRequest
from gathering.core.models import OutboxMessage
from gathering.events.demo import seed_events

pytestmark = pytest.mark.django_db


def test_demo_circles_are_formed_published_and_idempotent():
    people, _logins = ensure_demo_people()
    seed_events(organiser=people["organiser"], participant=people["participant"])
    seed_circles(people=people)
    series = CircleSeries.objects.get(slug=SLUG)
    assert series.event.slug == "spring-gathering"
    assert series.status == "published"
    assert CircleMembership.objects.filter(series=series, status="active").count() == 60
    circles = list(Circle.objects.filter(series=series))
    assert len(circles) == 8
    assert all(6 <= c.memberships.count() <= 8 for c in circles)
    mine = CircleMembership.objects.get(series=series, user=people["participant"]).circle
    assert mine.facilitator == people["facilitator"]
    assert Meeting.objects.filter(circle__series=series).count() == 8
    assert OutboxMessage.objects.filter(kind__startswith="circle_").count() == 0
    counts = (CircleMembership.objects.count(), Circle.objects.count(), NotWithRequest.objects.count())
    seed_circles(people=people)
    assert (
        CircleMembership.objects.count(),
        Circle.objects.count(),
        NotWithRequest.objects.count(),
    ) == counts
