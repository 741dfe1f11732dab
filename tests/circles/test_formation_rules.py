"""Hard rules hold in every formation the service saves, over random small sets of members."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gathering.circles import services
from gathering.circles.models import Circle, CircleMembership, NotWithRequest
from gathering.circles.services import CirclesError

from ..factories import CircleSeriesFactory, UserFactory, make_staff
from .helpers import PERSPECTIVES, join

pytestmark = pytest.mark.django_db

member = st.fixed_dictionaries(
    {
        "perspectives": st.lists(st.sampled_from(PERSPECTIVES), max_size=2, unique=True),
        "organisation": st.sampled_from(["", "Mind", "NHS Trust", "Rethink"]),
        "region": st.sampled_from(["", "north_east", "south_west"]),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    members=st.lists(member, min_size=4, max_size=16),
    facilitators=st.integers(min_value=1, max_value=4),
    requests=st.lists(st.tuples(st.integers(0, 15), st.integers(0, 16)), max_size=6),
)
def test_every_saved_formation_keeps_the_hard_rules(members, facilitators, requests):
    CircleMembership.objects.all().delete()
    organiser = make_staff("organiser")
    pool = [make_staff("facilitator") for _ in range(facilitators)]
    series = CircleSeriesFactory(organisers=[organiser], facilitators=pool, size_min=2, size_max=4)
    people = [join(series, **fields) for fields in members]
    for i, j in requests:
        if i < len(people):
            target = pool[j % len(pool)] if j >= len(people) else people[j].user
            if target != people[i].user:
                NotWithRequest.objects.create(series=series, requester=people[i].user, named=target.email)
    try:
        services.circles_form(series=series, actor=organiser, time_limit=0.5)
    except CirclesError as error:
        # Refused: a clear reason, and nothing saved.
        assert error.messages[0] == "The circles cannot be formed with these rules. Nothing has been saved."
        assert len(error.messages) >= 2
        assert not Circle.objects.filter(series=series).exists()
        return
    circles = list(Circle.objects.filter(series=series))
    assert circles
    by_user = {m.user_id: m for m in CircleMembership.objects.filter(series=series)}
    for circle in circles:
        inside = [m for m in by_user.values() if m.circle_id == circle.pk]
        assert 2 <= len(inside) <= 4
        assert circle.facilitator in pool
        organisations = [m.organisation for m in inside if m.organisation]
        assert all(organisations.count(o) <= 2 for o in organisations)
    assert all(m.circle_id is not None for m in by_user.values())
    facilitator_circle = {c.facilitator.email: c.pk for c in circles}
    for request in NotWithRequest.objects.filter(series=series):
        mine = by_user[request.requester_id].circle_id
        members_named = [m.circle_id for m in by_user.values() if m.user.email == request.named]
        other = facilitator_circle.get(request.named, members_named[0] if members_named else None)
        # A pool facilitator not leading any circle is in none, so nobody can be grouped with them.
        assert mine != other
    # The two chosen perspectives reach every circle where there are enough of them.
    for side in (series.cover_a, series.cover_b):
        holders = [m for m in by_user.values() if side in (m.perspectives or [])]
        if len(holders) >= len(circles):
            assert {m.circle_id for m in holders} == {c.pk for c in circles}
        else:
            assert all(count <= 1 for _k, count in _counts(holders))


def _counts(holders):
    ordered = sorted(m.circle_id for m in holders)
    return [(k, len(list(g))) for k, g in itertools.groupby(ordered)]


def test_a_contradictory_not_with_clique_is_explained_and_nothing_saved():
    organiser = make_staff("organiser")
    pool = [make_staff("facilitator") for _ in range(2)]
    series = CircleSeriesFactory(organisers=[organiser], facilitators=pool, size_min=2, size_max=4)
    people = [join(series, user=UserFactory()) for _ in range(6)]
    trio = people[:3]
    for a, b in itertools.permutations(trio, 2):
        NotWithRequest.objects.create(series=series, requester=a.user, named=b.user.email)
    with pytest.raises(CirclesError) as error:
        services.circles_form(series=series, actor=organiser, time_limit=1)
    text = " ".join(error.value.messages)
    assert "all asked not to be with each other, but there are only 2 circles" in text
    assert all(m.user.name in text for m in trio)
    assert not Circle.objects.exists()
