"""Learning services: enrolment through the Gathering's registration, sessions that never overlap,
attendance only for confirmed places, self-check-in by code, all-or-nothing self-assessments, completion
and aggregates suppressed below five people."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gathering.events.bursaries import bursary_apply, bursary_decide
from gathering.events.models import BursaryFund, Registration, TicketType
from gathering.events.services import registration_cancel
from gathering.learning import selectors, services
from gathering.learning.models import Attendance, CohortSession, Course, OutcomeRating, SelfAssessment
from gathering.learning.services import LearningError

from ..factories import CourseFactory, EventFactory, UserFactory, enrol, make_cohort, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser():
    return make_staff("organiser")


@pytest.fixture
def cohort(organiser):
    return make_cohort(course=CourseFactory(organisers=[organiser]), organisers=[organiser])


def _messages(error: LearningError) -> list[str]:
    return error.messages


# ------------------------------------------------------------------------------------------------ enrolment


def test_cohort_enrolment_never_oversells_and_waitlists_the_rest():
    cohort = make_cohort(capacity=2)
    people = [enrol(cohort) for _ in range(4)]
    assert [r.status for r in people] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert Registration.objects.filter(event=cohort.event, status__in=Registration.HOLDING).count() == 2


def test_a_cancelled_cohort_place_is_offered_to_the_first_waiting():
    cohort = make_cohort(capacity=1)
    first, second = enrol(cohort), enrol(cohort)
    registration_cancel(registration=first, user=first.user)
    second.refresh_from_db()
    assert second.status == "offered"


def test_a_bursary_award_brings_a_supported_place_in_the_cohort(organiser, cohort):
    TicketType.objects.create(
        event=cohort.event, name="Supported place", kind="supported", invitation_code="X"
    )
    BursaryFund.objects.create(event=cohort.event, total_minor=10_000)
    person = UserFactory()
    application = bursary_apply(
        event=cohort.event, user=person, support=["ticket"], amount_requested_minor=0, circumstances="x"
    )
    bursary_decide(application=application, actor=organiser, decision="awarded_full", amount_awarded_minor=0)
    registration = Registration.objects.get(event=cohort.event, user=person)
    assert (registration.status, registration.ticket_type.kind) == ("confirmed", "supported")


# ------------------------------------------------------------------------------------------------ courses


def test_course_save_keeps_outcomes_in_order(organiser):
    course = Course(slug="listening", title="Listening", summary="How to listen", format="online")
    services.course_save(actor=organiser, course=course, outcomes=["One", " ", "Two"], creating=True)
    assert list(course.outcomes.values_list("text", "position")) == [("One", 0), ("Two", 1)]
    assert course.organisers.filter(pk=organiser.pk).exists()


def test_an_outcome_people_rated_cannot_be_removed(organiser, cohort):
    registration = enrol(cohort)
    _rate(registration, "before", now=cohort.sessions.first().starts_at - timedelta(days=1))
    course = cohort.course
    with pytest.raises(LearningError) as error:
        services.course_save(actor=organiser, course=course, outcomes=["Notice"], creating=False)
    assert "“Listen”" in _messages(error.value)[0] and "cannot be removed" in _messages(error.value)[0]
    assert course.outcomes.count() == 3


def test_a_cohort_must_be_a_training_gathering_the_organiser_runs(organiser):
    from gathering.learning.models import Cohort

    course = CourseFactory(organisers=[organiser])
    gathering = EventFactory(organisers=[organiser])
    with pytest.raises(LearningError, match="“Training”"):
        services.cohort_save(actor=organiser, cohort=Cohort(course=course, event=gathering))
    elsewhere = EventFactory(kind="training")
    with pytest.raises(LearningError, match="Choose a Gathering you organise"):
        services.cohort_save(actor=organiser, cohort=Cohort(course=course, event=elsewhere))
    assert not Cohort.objects.exists()


def test_a_cohort_gives_its_gathering_the_course_outcomes_for_feedback(organiser):
    from gathering.learning.models import Cohort

    course = CourseFactory(organisers=[organiser])
    event = EventFactory(kind="training", organisers=[organiser], learning_outcomes="")
    services.cohort_save(actor=organiser, cohort=Cohort(course=course, event=event))
    event.refresh_from_db()
    assert event.outcomes == ["Notice", "Listen", "Change a service"]


# ------------------------------------------------------------------------------------------------ sessions


def test_overlapping_sessions_are_refused_with_the_other_sessions_time(organiser, cohort):
    first = cohort.sessions.order_by("starts_at").first()
    clash = CohortSession(
        cohort=cohort,
        starts_at=first.starts_at + timedelta(hours=1),
        ends_at=first.ends_at + timedelta(hours=1),
        online_link="https://meet.example.org/x",
    )
    with pytest.raises(LearningError) as error:
        services.session_save(actor=organiser, session=clash)
    assert error.value.message_dict["starts_at"][0].startswith("This session overlaps another session")
    assert cohort.sessions.count() == 4


def test_back_to_back_sessions_are_allowed(organiser, cohort):
    first = cohort.sessions.order_by("starts_at").first()
    after = CohortSession(
        cohort=cohort,
        starts_at=first.ends_at,
        ends_at=first.ends_at + timedelta(hours=1),
        place="Room 2",
    )
    services.session_save(actor=organiser, session=after)
    assert cohort.sessions.count() == 5


def test_a_session_needs_a_place_or_link_and_an_end_after_its_start(organiser, cohort):
    start = timezone.now() + timedelta(days=90)
    with pytest.raises(LearningError) as error:
        services.session_save(
            actor=organiser,
            session=CohortSession(cohort=cohort, starts_at=start, ends_at=start, place="Hall"),
        )
    assert error.value.message_dict == {"ends_at": ["The end must be after the start."]}
    with pytest.raises(LearningError, match="Give the place"):
        services.session_save(
            actor=organiser,
            session=CohortSession(cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=1)),
        )


def test_only_the_cohorts_organisers_add_sessions(cohort):
    start = timezone.now() + timedelta(days=90)
    session = CohortSession(cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=1), place="Hall")
    with pytest.raises(PermissionDenied):
        services.session_save(actor=make_staff("organiser"), session=session)


# ---------------------------------------------------------------------------------------------- attendance


def test_facilitator_records_a_sessions_register(cohort):
    facilitator = make_staff("facilitator")
    cohort.course.facilitators.add(facilitator)
    a, b = enrol(cohort), enrol(cohort)
    session = cohort.sessions.first()
    assert services.attendance_record(actor=facilitator, session=session, present=[a.pk, b.pk]) == 2
    services.attendance_record(actor=facilitator, session=session, present=[a.pk])
    assert list(Attendance.objects.values_list("registration_id", "how")) == [(a.pk, "facilitator")]


def test_attendance_for_someone_without_a_confirmed_place_saves_nothing(organiser, cohort):
    member = enrol(cohort)
    stranger = enrol(make_cohort())
    session = cohort.sessions.first()
    with pytest.raises(LearningError) as error:
        services.attendance_record(actor=organiser, session=session, present=[member.pk, stranger.pk])
    assert _messages(error.value) == [
        "Attendance can only be marked for people with a confirmed place in this cohort. Nothing was saved."
    ]
    assert not Attendance.objects.exists()


def test_attendance_for_a_waitlisted_person_is_refused(organiser):
    cohort = make_cohort(capacity=1, organisers=[organiser])
    enrol(cohort)
    waiting = enrol(cohort)
    with pytest.raises(LearningError, match="does not have a confirmed place"):
        services.attendance_mark(actor=organiser, session=cohort.sessions.first(), registration=waiting)


def test_someone_else_cannot_mark_attendance(cohort):
    member = enrol(cohort)
    with pytest.raises(PermissionDenied):
        services.attendance_record(
            actor=make_staff("facilitator"), session=cohort.sessions.first(), present=[member.pk]
        )


def test_self_check_in_with_the_code_while_the_session_is_on(cohort):
    member = enrol(cohort)
    session = cohort.sessions.order_by("starts_at").first()
    now = session.starts_at - timedelta(minutes=10)
    attendance = services.session_check_in(
        user=member.user, registration=member, code=f" {session.checkin_code.lower()} ", now=now
    )
    assert (attendance.session_id, attendance.how) == (session.pk, "self")
    again = services.session_check_in(
        user=member.user, registration=member, code=session.checkin_code, now=now
    )
    assert again.pk == attendance.pk


def test_self_check_in_with_a_wrong_code_or_outside_the_session_is_refused(cohort):
    member = enrol(cohort)
    session = cohort.sessions.order_by("starts_at").first()
    with pytest.raises(LearningError) as error:
        services.session_check_in(
            user=member.user, registration=member, code="WRONG1", now=session.starts_at + timedelta(minutes=5)
        )
    assert error.value.message_dict["code"] == [
        "That is not the code of the session on now. Check the code and try again."
    ]
    with pytest.raises(LearningError) as error:
        services.session_check_in(
            user=member.user,
            registration=member,
            code=session.checkin_code,
            now=session.starts_at - timedelta(hours=1),
        )
    assert error.value.message_dict["code"][0].startswith("No session is on now.")
    assert not Attendance.objects.exists()


def test_nobody_checks_in_on_someone_elses_place(cohort):
    member = enrol(cohort)
    session = cohort.sessions.first()
    with pytest.raises(PermissionDenied):
        services.session_check_in(
            user=UserFactory(), registration=member, code=session.checkin_code, now=session.starts_at
        )


# ----------------------------------------------------------------------------------------- self-assessment


def _rate(registration, stage, *, value=3, now=None, reflection=""):
    outcomes = registration.event.cohort.course.outcomes.all()
    return services.self_assessment_save(
        user=registration.user,
        registration=registration,
        stage=stage,
        ratings={o.pk: value for o in outcomes},
        reflection=reflection,
        now=now,
    )


def test_self_assessment_out_of_range_saves_nothing(cohort):
    member = enrol(cohort)
    outcomes = list(cohort.course.outcomes.all())
    ratings = {outcomes[0].pk: 4, outcomes[1].pk: 6, outcomes[2].pk: "0"}
    with pytest.raises(LearningError) as error:
        services.self_assessment_save(user=member.user, registration=member, stage="before", ratings=ratings)
    assert error.value.message_dict == {
        f"outcome_{outcomes[1].pk}": ["Choose how confident you are about “Listen”, from 1 to 5."],
        f"outcome_{outcomes[2].pk}": ["Choose how confident you are about “Change a service”, from 1 to 5."],
    }
    assert not SelfAssessment.objects.exists() and not OutcomeRating.objects.exists()


def test_self_assessment_missing_an_outcome_saves_nothing(cohort):
    member = enrol(cohort)
    first = cohort.course.outcomes.first()
    with pytest.raises(LearningError):
        services.self_assessment_save(
            user=member.user, registration=member, stage="before", ratings={first.pk: 3}
        )
    assert not SelfAssessment.objects.exists()


def test_self_assessment_keeps_the_reflection_encrypted(cohort):
    from django.db import connection

    member = enrol(cohort)
    assessment = _rate(member, "before", reflection="I worry about getting it wrong")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reflection FROM learning_selfassessment WHERE id = %s", [assessment.pk])
        stored = cursor.fetchone()[0]
    assert "worry" not in stored
    assert SelfAssessment.objects.get(pk=assessment.pk).reflection == "I worry about getting it wrong"


def test_each_stage_is_given_once_and_only_in_its_window(cohort):
    member = enrol(cohort)
    sessions = list(cohort.sessions.order_by("starts_at"))
    _rate(member, "before")
    with pytest.raises(LearningError, match="already given"):
        _rate(member, "before")
    with pytest.raises(LearningError, match="opens when the last session starts"):
        _rate(member, "after")
    _rate(member, "after", now=sessions[-1].starts_at)
    with pytest.raises(LearningError, match="closed when the first session ended"):
        _rate(enrol(cohort), "before", now=sessions[0].ends_at)
    assert SelfAssessment.objects.count() == 2


def test_only_the_person_gives_their_self_assessment(cohort):
    member = enrol(cohort)
    with pytest.raises(PermissionDenied):
        services.self_assessment_save(user=UserFactory(), registration=member, stage="before", ratings={})


# ---------------------------------------------------------------------------------------------- completion


def test_completion_follows_the_cohorts_rule(organiser):
    cohort = make_cohort(sessions=5, organisers=[organiser], completion_percent=80)
    three, four = enrol(cohort), enrol(cohort)
    sessions = list(cohort.sessions.order_by("starts_at"))
    for session in sessions[:3]:
        services.attendance_record(actor=organiser, session=session, present=[three.pk, four.pk])
    services.attendance_record(actor=organiser, session=sessions[3], present=[four.pk])
    by_registration = selectors.cohort_completion(cohort=cohort)
    assert (by_registration[three.pk].complete, by_registration[three.pk].percent) == (False, 60)
    assert (by_registration[four.pk].complete, by_registration[four.pk].percent) == (True, 80)
    assert selectors.completed(cohort=cohort) == [four]
    assert selectors.completion(registration=four).complete is True
    rows = selectors.completed_for_user(user=four.user)
    assert [(r.pk, c.pk) for r, c, _completion in rows] == [(four.pk, cohort.pk)]
    assert rows[0][1].course.cpd_hours == Decimal("6.0")


def test_a_cohort_without_sessions_completes_nobody():
    cohort = make_cohort(sessions=0)
    member = enrol(cohort)
    assert selectors.completion(registration=member).complete is False


# ---------------------------------------------------------------------------------------------- aggregates


def _assessed(cohort, people: int):
    sessions = list(cohort.sessions.order_by("starts_at"))
    members = [enrol(cohort) for _ in range(people)]
    for n, member in enumerate(members):
        _rate(member, "before", value=2, now=sessions[0].starts_at)
        _rate(member, "after", value=4 if n % 2 else 5, now=sessions[-1].starts_at)
    return members


def test_outcome_change_is_not_shown_for_four_people(cohort):
    _assessed(cohort, 4)
    change = selectors.outcome_change(cohort=cohort)
    assert (change.people, change.shown) == (4, False)
    assert all(row.before is None and row.after is None for row in change.rows)
    assert selectors.assessment_counts(cohort=cohort) == {"before": None, "after": None}


def test_outcome_change_is_shown_for_five_people(cohort):
    _assessed(cohort, 5)
    change = selectors.outcome_change(cohort=cohort)
    assert (change.people, change.shown) == (5, True)
    assert [(r.outcome, r.people, r.before, r.after, r.change) for r in change.rows] == [
        ("Notice", 5, 2.0, 4.6, 2.6),
        ("Listen", 5, 2.0, 4.6, 2.6),
        ("Change a service", 5, 2.0, 4.6, 2.6),
    ]
    assert selectors.assessment_counts(cohort=cohort) == {"before": 5, "after": 5}


def test_own_change_shows_the_persons_before_and_after(cohort):
    member = _assessed(cohort, 1)[0]
    registration = selectors.enrolment_for_user(user=member.user, registration_id=member.pk)
    assert [
        (c.outcome, c.before, c.after, c.change) for c in selectors.own_change(registration=registration)
    ] == [
        ("Notice", 2, 5, 3),
        ("Listen", 2, 5, 3),
        ("Change a service", 2, 5, 3),
    ]
    with pytest.raises(Registration.DoesNotExist):
        selectors.enrolment_for_user(user=UserFactory(), registration_id=member.pk)


# ------------------------------------------------------------------------------------------------ erasure


def test_erasing_an_account_deletes_the_reflections_and_keeps_the_ratings(cohort):
    from gathering.accounts.services import account_delete

    member = enrol(cohort)
    _rate(member, "before", reflection="Private thoughts")
    account_delete(user=member.user)
    assessment = SelfAssessment.objects.get()
    assert assessment.reflection == ""
    assert assessment.ratings.count() == 3


def test_the_persons_data_export_holds_their_self_assessment(cohort):
    from gathering.privacy.subject import subject_export

    member = enrol(cohort)
    _rate(member, "before", reflection="My own words")
    sections = subject_export(user=member.user)["data"]
    assert [row["reflection"] for row in sections["learning.selfassessment"]["rows"]] == ["My own words"]


# ---------------------------------------------------------------------------------------- breakout groups


def test_breakout_groups_place_everyone_once_in_even_groups_mixing_perspectives(organiser, cohort):
    from gathering.learning.models import BreakoutGroup, BreakoutMember

    ways = [["lived_experience"], ["family_carer"], ["services"]]
    members = [enrol(cohort, special_category_consent=True, perspectives=ways[n % 3]) for n in range(9)]
    gone = enrol(cohort)
    registration_cancel(registration=gone, user=gone.user)
    groups = services.breakouts_form(actor=organiser, cohort=cohort, size=3)
    assert [group.number for group in groups] == [1, 2, 3]
    placed = list(BreakoutMember.objects.values_list("registration_id", flat=True))
    assert sorted(placed) == sorted(m.pk for m in members)
    for group in BreakoutGroup.objects.filter(cohort=cohort):
        mix = {tuple(m.registration.perspectives) for m in group.members.select_related("registration")}
        assert len(mix) == 3  # one of each way of coming in every group of three
    services.breakouts_form(actor=organiser, cohort=cohort, size=5)
    assert list(BreakoutGroup.objects.filter(cohort=cohort).values_list("number", flat=True)) == [1, 2]
    assert sorted(g.members.count() for g in BreakoutGroup.objects.all()) == [4, 5]


def test_breakout_groups_refuse_a_bad_size_too_few_people_or_someone_else(organiser, cohort):
    from gathering.learning.models import BreakoutGroup

    enrol(cohort)
    with pytest.raises(LearningError) as error:
        services.breakouts_form(actor=organiser, cohort=cohort, size=12)
    assert error.value.message_dict == {"size": ["Choose a group size from 2 to 8."]}
    with pytest.raises(LearningError, match="at least two people with a confirmed place"):
        services.breakouts_form(actor=organiser, cohort=cohort, size=4)
    with pytest.raises(PermissionDenied):
        services.breakouts_form(actor=make_staff("organiser"), cohort=cohort, size=4)
    assert not BreakoutGroup.objects.exists()
