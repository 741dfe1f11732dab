"""The demo circles: 60 people at the upcoming demo Gathering, formed and published; running again adds
nothing."""

from collections import Counter

import pytest

from gathering.accounts.demo import ensure_demo_people
from gathering.circles.demo import SLUG, seed_circles
from gathering.circles.models import Circle, CircleMembership, CircleSeries, Meeting, NotWithRequest
from gathering.core.models import OutboxMessage
from gathering.core.regions import Region
from gathering.events.demo import seed_events
from gathering.events.models import Registration

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


def test_demo_people_live_in_a_spread_of_regions():
    people, _logins = ensure_demo_people()
    seed_events(organiser=people["organiser"], participant=people["participant"])
    seed_circles(people=people)

    registered = Counter(
        Registration.objects.filter(email__endswith="@demo.gathering.test").values_list("region", flat=True)
    )
    joined = Counter(CircleMembership.objects.filter(series__slug=SLUG).values_list("region", flat=True))

    for counts in (registered, joined):
        assert set(counts) <= {"", *Region.values}
        assert len(counts) >= 6
        # Most come from around the Manchester venue; some do not say.
        assert counts.most_common(1)[0][0] == Region.NORTH_WEST
        assert counts[""] > 0
