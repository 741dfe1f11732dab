"""The learning API: courses and cohorts for anyone, my enrolments for me only, no joining links."""

import pytest
from django.test import Client

from gathering.learning import services

from ..conftest import signed_in, token_client
from ..factories import CourseFactory, UserFactory, enrol, make_cohort, make_staff

pytestmark = pytest.mark.django_db


def test_courses_and_cohorts_are_public_without_joining_links():
    cohort = make_cohort()
    CourseFactory(status="draft")
    enrol(cohort)
    courses = Client().get("/api/v1/courses/").json()["results"]
    assert [c["slug"] for c in courses] == [cohort.course.slug]
    assert courses[0]["outcomes"] == ["Notice", "Listen", "Change a service"]
    assert courses[0]["cohorts"][0]["places_left"] == 11
    assert courses[0]["cohorts"][0]["gathering"] == cohort.event.slug
    body = Client().get(f"/api/v1/courses/{cohort.course.slug}/").content.decode()
    assert "meet.example.org" not in body
    cohorts = Client().get("/api/v1/cohorts/").json()["results"]
    assert [(c["id"], len(c["sessions"])) for c in cohorts] == [(cohort.pk, 4)]
    assert Client().get("/api/v1/courses/nope/").status_code == 404


def test_my_enrolments_are_mine_with_completion():
    organiser = make_staff("organiser")
    cohort = make_cohort(organisers=[organiser])
    mine = enrol(cohort)
    enrol(cohort)
    for session in cohort.sessions.all():
        services.attendance_mark(actor=organiser, session=session, registration=mine)
    rows = token_client(mine.user).get("/api/v1/me/enrolments/").json()["results"]
    assert rows == [
        {
            "id": mine.pk,
            "course": cohort.course.slug,
            "cohort": cohort.pk,
            "status": "confirmed",
            "sessions": 4,
            "attended": 4,
            "completion_percent": 100,
            "complete": True,
            "self_assessments": [],
        }
    ]
    assert signed_in(UserFactory()).get("/api/v1/me/enrolments/").json()["results"] == []
    assert Client().get("/api/v1/me/enrolments/").status_code in {401, 403}


def test_the_schema_describes_the_learning_endpoints():
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/courses/", "/api/v1/cohorts/", "/api/v1/me/enrolments/"):
        assert path in schema
