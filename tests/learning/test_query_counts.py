"""Every learning page does the same number of SQL queries with 1x and 10x the data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gathering.learning import services

from ..conftest import signed_in
from ..factories import CourseFactory, UserFactory, enrol, make_cohort, make_staff

pytestmark = pytest.mark.django_db


def _grow(world, n):
    """n more courses, each with a cohort; n more people in the main cohort with attendance and both
    self-assessments; n more enrolments and materials for the person."""
    cohort, person, organiser = world["cohort"], world["person"], world["organiser"]
    sessions = list(cohort.sessions.order_by("starts_at"))
    for _ in range(n):
        other = make_cohort(course=CourseFactory(organisers=[organiser]), organisers=[organiser])
        other.course.materials.create(title="Slides", url="https://example.org/slides")
        enrol(other, person)
        member = enrol(cohort)
        for session in sessions:
            services.attendance_mark(actor=organiser, session=session, registration=member)
        for stage, now in (("before", sessions[0].starts_at), ("after", sessions[-1].starts_at)):
            services.self_assessment_save(
                user=member.user,
                registration=member,
                stage=stage,
                ratings={o.pk: 3 for o in cohort.course.outcomes.all()},
                now=now,
            )


@pytest.fixture
def world():
    organiser = make_staff("organiser")
    person = UserFactory()
    cohort = make_cohort(
        course=CourseFactory(organisers=[organiser]),
        organisers=[organiser],
        capacity=100,
        starts_at=timezone.now() - timedelta(minutes=30),
    )
    cohort.course.materials.create(title="Reading", url="https://example.org/reading")
    mine = enrol(cohort, person)
    return {"cohort": cohort, "person": person, "organiser": organiser, "mine": mine}


PAGES = [
    (None, "/learning/"),
    (None, "/learning/?format=online&online=on&starts_from=2020-01-01"),
    (None, "/learning/{course}/"),
    ("person", "/learning/{course}/"),
    ("person", "/my/learning/"),
    ("person", "/my/learning/{mine}/self-assessment/before/"),
    ("person", "/my/learning/{mine}/check-in/"),
    ("organiser", "/staff/learning/"),
    ("organiser", "/staff/learning/{course}/"),
    ("organiser", "/staff/learning/cohorts/{cohort}/"),
    ("organiser", "/staff/learning/cohorts/{cohort}/sessions/{session}/attendance/"),
    ("organiser", "/staff/learning/cohorts/{cohort}/breakouts/"),
    (None, "/api/v1/courses/"),
    (None, "/api/v1/cohorts/"),
    ("person", "/api/v1/me/enrolments/"),
]


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_learning_pages_query_count_does_not_grow(world, who, url):
    from django.test import Client

    client = Client() if who is None else signed_in(world[who])
    cohort = world["cohort"]
    url = url.format(
        course=cohort.course.slug, mine=world["mine"].pk, cohort=cohort.pk, session=cohort.sessions.first().pk
    )
    _grow(world, 1)
    services.breakouts_form(actor=world["organiser"], cohort=cohort, size=3)
    client.get(url)  # warm the session and caches
    small = _count(client, url)
    _grow(world, 9)
    services.breakouts_form(actor=world["organiser"], cohort=cohort, size=3)
    large = _count(client, url)
    assert large == small, f"{url}: {small} queries at 1x, {large} at 10x"
