"""Learning pages: the catalogue and its filters, the course page leading into the Gathering's registration,
My learning with check-in and self-assessment, the facilitator's cohort page, and who may open what."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from gathering.events.models import Registration
from gathering.learning.models import Attendance, CohortSession, Course, OutcomeRating, SelfAssessment
from gathering.learning.services import self_assessment_save

from ..conftest import signed_in
from ..factories import CourseFactory, UserFactory, enrol, make_cohort, make_staff

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------------------ public


def test_catalogue_lists_published_courses_and_filters_by_format_and_dates():
    online = CourseFactory(title="Online listening", format="online")
    room = CourseFactory(title="In the room", format="in_person")
    CourseFactory(title="Still a draft", status="draft")
    make_cohort(course=online, starts_at=timezone.now() + timedelta(days=10))
    make_cohort(course=room, starts_at=timezone.now() + timedelta(days=60))
    client = signed_in(UserFactory())
    everything = _text(client.get("/learning/"))
    assert (
        "Online listening" in everything and "In the room" in everything and "Still a draft" not in everything
    )
    assert "In the room" not in _text(client.get("/learning/?format=online"))
    assert "In the room" not in _text(client.get("/learning/?online=on"))
    soon = (timezone.now() + timedelta(days=20)).date().isoformat()
    page = _text(client.get(f"/learning/?starts_until={soon}"))
    assert "Online listening" in page and "In the room" not in page


def test_catalogue_dates_the_wrong_way_round_say_so():
    response = signed_in(UserFactory()).get("/learning/?starts_from=2027-05-01&starts_until=2027-04-01")
    assert "“Starting by” must be the same as or after “Starting from”." in _text(response)


def test_course_page_shows_outcomes_and_enrols_through_the_gathering_registration():
    cohort = make_cohort()
    response = signed_in(UserFactory()).get(cohort.course.get_absolute_url())
    page = _text(response)
    assert "<li>Notice</li>" in page and "<li>Change a service</li>" in page
    assert f'href="/gatherings/{cohort.event.slug}/register/"' in page
    assert "12 places left" in page


def test_draft_course_is_not_found():
    course = CourseFactory(status="draft")
    assert signed_in(UserFactory()).get(f"/learning/{course.slug}/").status_code == 404


def test_materials_only_for_a_confirmed_place():
    cohort = make_cohort(capacity=1)
    material = cohort.course.materials.create(title="Reading list", url="https://example.org/reading")
    member, waiting = enrol(cohort), enrol(cohort)
    url = f"/learning/{cohort.course.slug}/materials/{material.pk}/"
    assert "Reading list" in _text(signed_in(member.user).get(cohort.course.get_absolute_url()))
    assert signed_in(member.user).get(url)["Location"] == "https://example.org/reading"
    assert "Reading list" not in _text(signed_in(waiting.user).get(cohort.course.get_absolute_url()))
    assert signed_in(waiting.user).get(url).status_code == 404
    assert signed_in(UserFactory()).get(url).status_code == 404


# --------------------------------------------------------------------------------------------- my learning


def test_my_learning_shows_only_my_enrolments():
    cohort = make_cohort()
    mine, theirs = enrol(cohort), enrol(cohort)
    page = _text(signed_in(mine.user).get("/my/learning/"))
    assert cohort.course.title in page and f"/my/learning/{mine.pk}/" in page
    assert f"/my/learning/{theirs.pk}/" not in page


def test_someone_elses_enrolment_pages_are_not_found():
    cohort = make_cohort()
    theirs = enrol(cohort)
    client = signed_in(UserFactory())
    assert client.get(f"/my/learning/{theirs.pk}/self-assessment/before/").status_code == 404
    assert client.post(f"/my/learning/{theirs.pk}/check-in/", {"code": "ABCDEF"}).status_code == 404
    assert not Attendance.objects.exists()


def test_self_check_in_from_my_learning():
    cohort = make_cohort(starts_at=timezone.now() - timedelta(minutes=30))
    member = enrol(cohort)
    session = cohort.sessions.order_by("starts_at").first()
    client = signed_in(member.user)
    assert "Check in to the session on now" in _text(client.get("/my/learning/"))
    wrong = client.post(f"/my/learning/{member.pk}/check-in/", {"code": "ZZZZZZ"})
    assert "That is not the code of the session on now. Check the code and try again." in _text(wrong)
    assert not Attendance.objects.exists()
    right = client.post(f"/my/learning/{member.pk}/check-in/", {"code": session.checkin_code})
    assert right.status_code == 302
    assert Attendance.objects.get().how == "self"


def test_self_assessment_form_refuses_out_of_range_and_saves_nothing():
    cohort = make_cohort()
    member = enrol(cohort)
    outcomes = list(cohort.course.outcomes.all())
    client = signed_in(member.user)
    url = f"/my/learning/{member.pk}/self-assessment/before/"
    data = {f"outcome_{outcomes[0].pk}": "3", f"outcome_{outcomes[1].pk}": "9", "reflection": "x"}
    response = client.post(url, data)
    page = _text(response)
    assert "Choose how confident you are about “Listen”, from 1 to 5." in page
    assert "Choose how confident you are about “Change a service”, from 1 to 5." in page
    assert not SelfAssessment.objects.exists() and not OutcomeRating.objects.exists()
    good = {f"outcome_{o.pk}": "2" for o in outcomes} | {"reflection": "Nervous"}
    assert client.post(url, good).status_code == 302
    assert SelfAssessment.objects.get().reflection == "Nervous"
    assert "Before the course: given." in _text(client.get("/my/learning/"))


# ----------------------------------------------------------------------------------------- staff pages


def _assessed_cohort(people: int, facilitator):
    cohort = make_cohort(course=CourseFactory(facilitators=[facilitator]))
    sessions = list(cohort.sessions.order_by("starts_at"))
    for _ in range(people):
        member = enrol(cohort)
        for stage, value, now in (("before", 2, sessions[0].starts_at), ("after", 4, sessions[-1].starts_at)):
            outcomes = cohort.course.outcomes.all()
            self_assessment_save(
                user=member.user,
                registration=member,
                stage=stage,
                ratings={o.pk: value for o in outcomes},
                now=now,
            )
    return cohort


def test_facilitator_sees_the_change_chart_for_five_people():
    facilitator = make_staff("facilitator")
    cohort = _assessed_cohort(5, facilitator)
    page = _text(signed_in(facilitator).get(f"/staff/learning/cohorts/{cohort.pk}/"))
    assert '<svg role="img"' in page
    assert "Mean confidence (1 to 5), 5 people who gave both self-assessments" in page
    assert "<td>2.0</td><td>4.0</td><td>+2.0</td>" in page


def test_facilitator_sees_no_figures_for_four_people():
    facilitator = make_staff("facilitator")
    cohort = _assessed_cohort(4, facilitator)
    page = _text(signed_in(facilitator).get(f"/staff/learning/cohorts/{cohort.pk}/"))
    assert "<svg" not in page and "2.0" not in page and "4.0" not in page
    assert "Not shown yet: the change appears once at least 5 people" in page
    assert "before fewer than 5, after fewer than 5" in page


def test_another_facilitator_cannot_open_the_cohort():
    cohort = make_cohort(course=CourseFactory(facilitators=[make_staff("facilitator")]))
    enrol(cohort)
    client = signed_in(make_staff("facilitator"))
    assert client.get(f"/staff/learning/cohorts/{cohort.pk}/").status_code == 403
    session = cohort.sessions.first()
    assert (
        client.get(f"/staff/learning/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/").status_code
        == 403
    )


def test_attendance_page_marks_and_refuses_a_non_member():
    facilitator = make_staff("facilitator")
    cohort = make_cohort(course=CourseFactory(facilitators=[facilitator]))
    member = enrol(cohort)
    stranger = enrol(make_cohort())
    session = cohort.sessions.first()
    client = signed_in(facilitator)
    url = f"/staff/learning/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/"
    refused = client.post(url, {"present": [member.pk, stranger.pk]})
    assert refused.status_code == 400
    assert "Attendance can only be marked for people with a confirmed place in this cohort." in _text(refused)
    assert not Attendance.objects.exists()
    assert client.post(url, {"present": [member.pk]}).status_code == 302
    assert list(Attendance.objects.values_list("registration_id", flat=True)) == [member.pk]


def test_organiser_creates_a_course_then_adds_a_session_refusing_overlap():
    organiser = make_staff("organiser")
    client = signed_in(organiser)
    response = client.post(
        "/staff/learning/new/",
        {
            "title": "Co-production",
            "slug": "co-production",
            "summary": "Designing services with the people who use them",
            "format": "blended",
            "cpd_hours": "7.5",
            "status": "published",
            "outcomes": "Explain co-production\nPlan a session",
        },
    )
    assert response.status_code == 302
    course = Course.objects.get(slug="co-production")
    assert list(course.outcomes.values_list("text", flat=True)) == ["Explain co-production", "Plan a session"]
    cohort = make_cohort(course=course, organisers=[organiser], sessions=1)
    first = cohort.sessions.get()
    local = timezone.localtime(first.starts_at, cohort.event.zone)
    overlap = client.post(
        f"/staff/learning/cohorts/{cohort.pk}/sessions/new/",
        {
            "title": "Clash",
            "starts_at": (local + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (local + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Room 1",
        },
    )
    assert "This session overlaps another session of the cohort" in _text(overlap)
    assert CohortSession.objects.filter(cohort=cohort).count() == 1


def test_organiser_pages_open():
    organiser = make_staff("organiser")
    cohort = make_cohort(course=CourseFactory(organisers=[organiser]), organisers=[organiser])
    cohort.course.materials.create(title="Slides", url="https://example.org/slides")
    client = signed_in(organiser)
    slug = cohort.course.slug
    session = cohort.sessions.first()
    material = cohort.course.materials.get()
    make_staff("facilitator", name="Fola Facilitator")
    assert "Fola Facilitator" in _text(client.get(f"/staff/learning/{slug}/edit/"))
    for url in (
        "/staff/learning/",
        "/staff/learning/new/",
        f"/staff/learning/{slug}/",
        f"/staff/learning/{slug}/edit/",
        f"/staff/learning/{slug}/materials/new/",
        f"/staff/learning/{slug}/materials/{material.pk}/",
        f"/staff/learning/{slug}/cohorts/new/",
        f"/staff/learning/cohorts/{cohort.pk}/",
        f"/staff/learning/cohorts/{cohort.pk}/edit/",
        f"/staff/learning/cohorts/{cohort.pk}/sessions/new/",
        f"/staff/learning/cohorts/{cohort.pk}/sessions/{session.pk}/",
        f"/staff/learning/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/",
    ):
        assert client.get(url).status_code == 200, url


def test_a_material_file_is_stored_privately_and_sent_only_to_a_confirmed_place(settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.GATHERING_PRIVATE_ROOT = tmp_path
    organiser = make_staff("organiser")
    cohort = make_cohort(course=CourseFactory(organisers=[organiser]), capacity=1)
    upload = SimpleUploadedFile("handbook.pdf", b"%PDF-1.4 handbook", content_type="application/pdf")
    client = signed_in(organiser)
    response = client.post(
        f"/staff/learning/{cohort.course.slug}/materials/new/",
        {"title": "Handbook", "file": upload, "position": 0},
    )
    assert response.status_code == 302
    material = cohort.course.materials.get()
    assert (tmp_path / "learning" / material.file.name).read_bytes() == b"%PDF-1.4 handbook"
    member, waiting = enrol(cohort), enrol(cohort)
    url = f"/learning/{cohort.course.slug}/materials/{material.pk}/"
    sent = signed_in(member.user).get(url)
    assert b"".join(sent.streaming_content) == b"%PDF-1.4 handbook"
    assert sent["Content-Disposition"].startswith("attachment;")
    assert signed_in(waiting.user).get(url).status_code == 404


def test_a_material_needs_a_link_or_a_file_not_both(settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.GATHERING_PRIVATE_ROOT = tmp_path
    organiser = make_staff("organiser")
    course = CourseFactory(organisers=[organiser])
    client = signed_in(organiser)
    url = f"/staff/learning/{course.slug}/materials/new/"
    neither = client.post(url, {"title": "Slides", "position": 0})
    assert "Give a link or choose a file, not both." in _text(neither)
    upload = SimpleUploadedFile("slides.pdf", b"%PDF", content_type="application/pdf")
    both = client.post(
        url, {"title": "Slides", "url": "https://example.org/s", "file": upload, "position": 0}
    )
    assert "Give a link or choose a file, not both." in _text(both)
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    refused = client.post(url, {"title": "Tool", "file": script, "position": 0})
    assert refused.status_code == 200 and not course.materials.exists()


def test_my_learning_offers_the_feedback_survey_once_the_cohort_ends():
    cohort = make_cohort(sessions=2, starts_at=timezone.now() - timedelta(days=20))
    member = Registration.objects.create(
        event=cohort.event,
        ticket_type=cohort.event.ticket_types.first(),
        user=UserFactory(),
        name="Sam",
        email="sam@example.org",
        status="confirmed",
    )
    page = _text(signed_in(member.user).get("/my/learning/"))
    assert f"/gatherings/{cohort.event.slug}/feedback/?t=" in page


def test_organisers_form_breakout_groups_and_facilitators_see_them():
    from gathering.learning.models import BreakoutGroup

    organiser, facilitator = make_staff("organiser"), make_staff("facilitator")
    cohort = make_cohort(
        course=CourseFactory(organisers=[organiser], facilitators=[facilitator]), organisers=[organiser]
    )
    members = [enrol(cohort) for _ in range(6)]
    url = f"/staff/learning/cohorts/{cohort.pk}/breakouts/"
    client = signed_in(organiser)
    assert "Choose a group size from 2 to 8." in _text(client.post(url, {"size": "12"}))
    assert not BreakoutGroup.objects.exists()
    assert client.post(url, {"size": "3"}).status_code == 302
    assert BreakoutGroup.objects.filter(cohort=cohort).count() == 2
    page = _text(signed_in(facilitator).get(url))
    assert "Breakout group 2" in page and escape(members[0].name) in page
    assert "Form breakout groups" not in page
    assert signed_in(facilitator).post(url, {"size": "3"}).status_code == 403
    mine = _text(signed_in(members[0].user).get("/my/learning/"))
    assert "Your breakout group: group " in mine
