"""The solver instance built from a programme: a facilitator's own session counts as something they attend,
weighted as "really want", so the optimiser keeps it away from the sessions they marked."""

import pytest

from gathering.optimise import timetable as engine
from gathering.programme import timetabling
from gathering.programme.models import Interest

from ..factories import UserFactory
from .attendee_data import grid, mark, programme_for, session

pytestmark = pytest.mark.django_db


def test_a_facilitators_own_session_is_an_interest_of_the_top_weight():
    programme = programme_for()
    grid(programme, slots=2, rooms=2, breaks=())
    facilitator = UserFactory()
    own = session(programme, facilitators=[facilitator])
    other = session(programme)
    mark(facilitator, other, Interest.Level.WOULD_LIKE)

    interests = timetabling.load_instance(programme).instance.interests

    assert sorted(interests, key=lambda i: i.session) == sorted(
        [
            engine.Interest(f"u{facilitator.pk}", f"s{own.pk}", 3),
            engine.Interest(f"u{facilitator.pk}", f"s{other.pk}", 1),
        ],
        key=lambda i: i.session,
    )


def test_marking_your_own_session_too_counts_it_once():
    programme = programme_for()
    grid(programme, slots=1, rooms=1, breaks=())
    facilitator = UserFactory()
    own = session(programme, facilitators=[facilitator])
    mark(facilitator, own, Interest.Level.WOULD_LIKE)

    interests = timetabling.load_instance(programme).instance.interests

    assert interests == [engine.Interest(f"u{facilitator.pk}", f"s{own.pk}", 3)]


def test_a_facilitator_who_marked_b_never_gets_their_own_session_in_bs_slot():
    # Two slots, two rooms, three sessions. Y really wants B and C, so C must not share B's slot; X would
    # like A and C. Without counting the facilitator's own session, A beside B costs nothing and A beside C
    # costs X's 1, so A would go beside B; counted (weight 3 against their "really want" B), A beside B
    # costs 3 and the optimiser puts A beside C.
    programme = programme_for()
    grid(programme, slots=2, rooms=2, breaks=())
    facilitator, x, y = UserFactory(), UserFactory(), UserFactory()
    a = session(programme, title="A", facilitators=[facilitator])
    b = session(programme, title="B")
    c = session(programme, title="C")
    mark(facilitator, b, Interest.Level.REALLY_WANT)
    mark(x, a, Interest.Level.WOULD_LIKE)
    mark(x, c, Interest.Level.WOULD_LIKE)
    mark(y, b, Interest.Level.REALLY_WANT)
    mark(y, c, Interest.Level.REALLY_WANT)
    loaded = timetabling.load_instance(programme)

    result = engine.solve_timetable(loaded.instance, time_limit=5, workers=1)

    slot_of = {sid: place[0] for sid, place in result.assignments.items()}
    assert slot_of[f"s{a.pk}"] != slot_of[f"s{b.pk}"]
    assert slot_of[f"s{a.pk}"] == slot_of[f"s{c.pk}"]
    assert (result.objective, result.optimal) == (1, True)
