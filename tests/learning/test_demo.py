"""The learning demo: three courses, a completed cohort whose change shows, a running one, one open."""

import pytest

from gathering.core.demo import DemoRun
from gathering.learning import selectors
from gathering.learning.demo import seed_learning
from gathering.learning.models import Attendance, Cohort, Course, SelfAssessment

from ..factories import make_staff

pytestmark = pytest.mark.django_db


def test_demo_learning_is_complete_enough_to_show_and_idempotent():
    people = {role: make_staff(role) for role in ("organiser", "facilitator")}
    people["participant"] = make_staff("participant", mfa=False)
    run = DemoRun(people=people)
    seed_learning(people=run.people)
    counts = (
        Course.objects.count(),
        Cohort.objects.count(),
        Attendance.objects.count(),
        SelfAssessment.objects.count(),
    )
    seed_learning(people=run.people)
    assert (
        Course.objects.count(),
        Cohort.objects.count(),
        Attendance.objects.count(),
        SelfAssessment.objects.count(),
    ) == counts
    assert Course.objects.published().count() == 3
    done = Cohort.objects.get(event__slug="trauma-informed-practice-autumn")
    change = selectors.outcome_change(cohort=done)
    assert (change.people, change.shown) == (9, True)
    assert len(selectors.completed(cohort=done)) == 6
    running = Cohort.objects.get(event__slug="co-production-in-practice-winter")
    assert Attendance.objects.filter(session__cohort=running).count() == 13
    assert [group.members.count() for group in running.breakout_groups.all()] == [4, 3]
    upcoming = Cohort.objects.get(event__slug="peer-support-foundations-summer")
    assert upcoming.event.registration_open()
    mine = selectors.enrolments_for_user(user=people["participant"])
    assert [r.event.slug for r in mine] == [
        "trauma-informed-practice-autumn",
        "co-production-in-practice-winter",
    ]
