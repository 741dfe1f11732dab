"""Joining, leaving, 'not with' requests, forming, re-forming, swapping, publishing, removal, attendance and
feedback, through the services."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gathering.circles import services
from gathering.circles.models import (
    Attendance,
    Circle,
    CircleMembership,
    Feedback,
    FeedbackReceipt,
    Meeting,
    NotWithRequest,
)
from gathering.circles.services import CirclesError, JoinInput
from gathering.core.models import OutboxMessage
from gathering.privacy.models import AuditEntry

from ..factories import CircleSeriesFactory, UserFactory, make_staff
from .helpers import join, series_with

pytestmark = pytest.mark.django_db


def test_joining_records_the_agreement_version_and_keeps_special_category_only_with_consent():
    series = CircleSeriesFactory()
    person = UserFactory()
    membership = join(
        series, person, perspectives=["family_carer"], access_needs="A quiet seat near the door"
    )
    membership.refresh_from_db()
    assert membership.agreement.version == 1
    assert membership.agreed_at is not None
    assert membership.perspectives == ["family_carer"]
    assert membership.access_needs == "A quiet seat near the door"
    assert membership.perspectives_consent_at is not None


def test_perspectives_without_consent_are_refused_and_nothing_is_saved():
    series = CircleSeriesFactory()
    with pytest.raises(CirclesError) as error:
        join(series, perspectives=["lived_experience"], special_category_consent=False)
    assert "special_category_consent" in error.value.message_dict
    assert CircleMembership.objects.count() == 0


def test_joining_against_an_old_agreement_version_asks_to_read_it_again():
    series = CircleSeriesFactory(organisers=[organiser := make_staff("organiser")])
    services.agreement_add(series=series, actor=organiser, text="A new agreement.\nThe right to pass.")
    with pytest.raises(CirclesError) as error:
        services.membership_join(series=series, user=UserFactory(), data=JoinInput(agreement_version=1))
    assert error.value.message_dict["agree"] == [
        "The group agreement has just changed. Please read it again before joining."
    ]
    assert CircleMembership.objects.count() == 0


def test_joining_twice_is_refused():
    series = CircleSeriesFactory()
    person = UserFactory()
    join(series, person)
    with pytest.raises(CirclesError):
        join(series, person)
    assert CircleMembership.objects.filter(user=person).count() == 1


def test_a_draft_series_cannot_be_joined():
    series = CircleSeriesFactory(status="draft")
    with pytest.raises(CirclesError):
        join(series)


def test_leaving_quietly_tells_nobody():
    series = CircleSeriesFactory()
    person = UserFactory()
    membership = join(series, person)
    before = OutboxMessage.objects.count()
    services.membership_leave(membership=membership, user=person)
    membership.refresh_from_db()
    assert membership.status == "left"
    assert OutboxMessage.objects.count() == before


def test_someone_else_cannot_leave_for_you():
    series = CircleSeriesFactory()
    membership = join(series)
    with pytest.raises(PermissionDenied):
        services.membership_leave(membership=membership, user=UserFactory())


def test_not_with_requests_are_stored_encrypted_and_refuse_naming_yourself():
    series = CircleSeriesFactory()
    person = UserFactory()
    membership = join(series, person, not_with=["care.coordinator@example.org"])
    request = NotWithRequest.objects.get()
    assert request.named == "care.coordinator@example.org"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT named FROM circles_notwithrequest")
        assert "care.coordinator" not in cursor.fetchone()[0]
    with pytest.raises(CirclesError):
        services.not_with_add(membership=membership, user=person, named=person.email)


def test_forming_puts_everyone_in_a_circle_with_one_facilitator_each():
    series, organiser, pool, _people = series_with(14, 4)
    result = services.circles_form(series=series, actor=organiser, time_limit=1)
    assert result.circles == 4
    series.refresh_from_db()
    assert series.status == "formed"
    circles = list(Circle.objects.filter(series=series))
    assert sorted(c.facilitator_id for c in circles) == sorted(u.pk for u in pool)
    sizes = sorted(CircleMembership.objects.filter(circle=c).count() for c in circles)
    assert sizes == [3, 3, 4, 4]
    assert AuditEntry.objects.filter(detail="formed 4 circles").count() == 1


def test_not_with_pairs_are_never_in_the_same_circle():
    series, organiser, _pool, people = series_with(8, 2)
    first, second = people[0], people[1]
    services.not_with_add(membership=first, user=first.user, named=second.user.email)
    services.circles_form(series=series, actor=organiser, time_limit=1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.circle_id != second.circle_id


def test_impossible_sizes_explain_what_to_relax_and_save_nothing():
    series, organiser, _pool, _people = series_with(5, 2, size_min=6, size_max=8)
    with pytest.raises(CirclesError) as error:
        services.circles_form(series=series, actor=organiser, time_limit=1)
    messages = error.value.messages
    assert messages[0] == "The circles cannot be formed with these rules. Nothing has been saved."
    assert messages[1] == (
        "5 people have joined, but circles of 6 to 8 need at least 6: lower the smallest circle size to 5 "
        "or fewer, or wait for more people to join."
    )
    assert Circle.objects.count() == 0
    series.refresh_from_db()
    assert series.status == "open"


def test_an_impossible_number_of_circles_says_which_numbers_work():
    series, organiser, _pool, _people = series_with(9, 4)
    with pytest.raises(CirclesError) as error:
        services.circles_form(series=series, actor=organiser, count=4, time_limit=1)
    assert error.value.messages[1] == (
        "9 people cannot make 4 circles of 3 to 4 (that needs 12 to 16 people): form 3 to 3 circles, "
        "or change the circle sizes."
    )
    assert Circle.objects.count() == 0


def test_a_person_who_named_every_facilitator_gets_a_clear_explanation():
    series, organiser, pool, people = series_with(6, 2)
    requester = people[0]
    for facilitator in pool:
        services.not_with_add(membership=requester, user=requester.user, named=facilitator.email)
    with pytest.raises(CirclesError) as error:
        services.circles_form(series=series, actor=organiser, time_limit=1)
    assert any(
        f"{requester.user.name} asked not to be with any of the facilitators" in text
        for text in error.value.messages
    )
    assert Circle.objects.count() == 0


def test_too_few_facilitators_is_explained():
    series, organiser, _pool, _people = series_with(9, 1)
    with pytest.raises(CirclesError) as error:
        services.circles_form(series=series, actor=organiser, time_limit=1)
    assert error.value.messages[1] == (
        "3 circles need 3 facilitators but the series' pool has 1: add 2 more facilitators to the pool, "
        "or form fewer circles."
    )
    assert Circle.objects.count() == 0


def test_only_the_series_organiser_may_form():
    series, _organiser, _pool, _people = series_with(6, 2)
    with pytest.raises(PermissionDenied):
        services.circles_form(series=series, actor=make_staff("organiser"), time_limit=1)


def test_reforming_after_a_drop_out_moves_as_few_people_as_possible():
    series, organiser, _pool, people = series_with(13, 3, size_min=3, size_max=5)
    services.circles_form(series=series, actor=organiser, time_limit=1)
    before = {m.pk: m.circle_id for m in CircleMembership.objects.filter(series=series)}
    leaver = people[0]
    services.membership_leave(membership=leaver, user=leaver.user)
    result = services.circles_reform(series=series, actor=organiser, time_limit=1)
    after = {m.pk: m.circle_id for m in CircleMembership.objects.filter(series=series, status="active")}
    assert result.moved == 0
    assert all(after[pk] == before[pk] for pk in after)


def test_reforming_places_a_late_joiner_without_moving_others():
    series, organiser, _pool, _people = series_with(12, 3, size_min=3, size_max=5)
    services.circles_form(series=series, actor=organiser, time_limit=1)
    before = {m.pk: m.circle_id for m in CircleMembership.objects.filter(series=series)}
    late = join(series, perspectives=["other"])
    result = services.circles_reform(series=series, actor=organiser, time_limit=1)
    late.refresh_from_db()
    assert late.circle_id is not None
    assert result.moved == 0
    assert all(CircleMembership.objects.get(pk=pk).circle_id == circle for pk, circle in before.items())


def test_a_swap_that_breaks_a_not_with_request_is_refused_naming_the_rule():
    series, organiser, _pool, people = series_with(8, 2)
    services.circles_form(series=series, actor=organiser, time_limit=1)
    for membership in people:
        membership.refresh_from_db()
    first = people[0]
    other_circle = next(m for m in people if m.circle_id != first.circle_id)
    services.not_with_add(membership=other_circle, user=other_circle.user, named=first.user.email)
    target = Circle.objects.get(pk=other_circle.circle_id)
    partner = next(m for m in people if m.circle_id == target.pk and m.pk != other_circle.pk)
    with pytest.raises(CirclesError) as error:
        services.circles_swap(series=series, actor=organiser, first=first, second=partner)
    assert error.value.messages[0] == "That change would break a rule, so nothing has changed."
    assert any("must not be together" in text and first.user.name in text for text in error.value.messages)
    first.refresh_from_db()
    assert first.circle_id != target.pk


def test_a_move_that_makes_a_circle_too_small_is_refused():
    series, organiser, _pool, _people = series_with(6, 2)
    services.circles_form(series=series, actor=organiser, time_limit=1)
    first = CircleMembership.objects.filter(series=series).first()
    other = Circle.objects.filter(series=series).exclude(pk=first.circle_id).get()
    with pytest.raises(CirclesError) as error:
        services.circles_swap(series=series, actor=organiser, first=first, to_circle=other)
    assert any("has 3 members, outside 4-5" in text for text in error.value.messages)


def test_a_swap_within_the_rules_is_made():
    series, organiser, _pool, _people = series_with(8, 2, max_per_organisation=8)
    services.circles_form(series=series, actor=organiser, time_limit=1)
    a = CircleMembership.objects.filter(series=series).order_by("pk").first()
    b = CircleMembership.objects.filter(series=series).exclude(circle=a.circle_id).first()
    circle_a, circle_b = a.circle_id, b.circle_id
    # Keep the perspective cover satisfied: both come from the same perspective.
    a.perspectives = b.perspectives
    a.save(update_fields=["perspectives"])
    services.circles_swap(series=series, actor=organiser, first=a, second=b)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.circle_id, b.circle_id) == (circle_b, circle_a)


def test_publishing_emails_every_member_and_facilitator_once_and_sets_up_meetings():
    start = timezone.now() + timedelta(days=3)
    series, organiser, _pool, _people = series_with(6, 2, first_meets_at=start, meeting_count=3)
    services.circles_form(series=series, actor=organiser, time_limit=1)
    sent = services.circles_publish(series=series, actor=organiser)
    assert sent == 8
    assert OutboxMessage.objects.filter(kind="circle_published").count() == 6
    assert OutboxMessage.objects.filter(kind="circle_facilitating").count() == 2
    assert Meeting.objects.count() == 6
    series.refresh_from_db()
    assert series.status == "published"
    services.circles_reform(series=series, actor=organiser, time_limit=1)
    services.circles_publish(series=series, actor=organiser)
    assert OutboxMessage.objects.filter(kind="circle_published").count() == 6
    assert Meeting.objects.count() == 6


def _published(members=6, facilitators=2):
    series, organiser, pool, people = series_with(
        members, facilitators, first_meets_at=timezone.now() - timedelta(hours=1)
    )
    services.circles_form(series=series, actor=organiser, time_limit=1)
    services.circles_publish(series=series, actor=organiser)
    for membership in people:
        membership.refresh_from_db()
    return series, organiser, pool, people


def test_a_facilitator_removes_a_participant_with_a_reason_and_it_is_audited():
    _series, _organiser, _pool, people = _published()
    membership = people[0]
    facilitator = membership.circle.facilitator
    services.membership_remove(
        membership=membership, actor=facilitator, reason="Repeatedly broke confidentiality"
    )
    membership.refresh_from_db()
    assert membership.status == "removed"
    assert membership.removal_reason == "Repeatedly broke confidentiality"
    entry = AuditEntry.objects.get(detail="removed from circle")
    assert entry.actor == facilitator
    assert "confidentiality" not in entry.detail
    assert OutboxMessage.objects.filter(kind="circle_removed").count() == 1


def test_removal_needs_a_reason_and_the_right_facilitator():
    _series, _organiser, pool, people = _published()
    membership = people[0]
    facilitator = membership.circle.facilitator
    other = next(u for u in pool if u != facilitator)
    with pytest.raises(CirclesError):
        services.membership_remove(membership=membership, actor=facilitator, reason="  ")
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=membership, actor=other, reason="Because")
    membership.refresh_from_db()
    assert membership.status == "active"


def test_attendance_is_marked_by_the_circles_facilitator_only():
    _series, _organiser, pool, people = _published()
    circle = people[0].circle
    meeting = circle.meetings.get()
    members = list(CircleMembership.objects.filter(circle=circle))
    services.attendance_mark(meeting=meeting, actor=circle.facilitator, present={members[0].pk})
    assert Attendance.objects.filter(meeting=meeting, present=True).count() == 1
    assert Attendance.objects.filter(meeting=meeting, present=False).count() == len(members) - 1
    other = next(u for u in pool if u != circle.facilitator)
    with pytest.raises(PermissionDenied):
        services.attendance_mark(meeting=meeting, actor=other, present=set())


def test_attendance_waits_for_the_meeting_to_start():
    _series, _organiser, _pool, people = _published()
    circle = people[0].circle
    meeting = circle.meetings.get()
    members = list(CircleMembership.objects.filter(circle=circle))
    with pytest.raises(CirclesError, match="once the meeting has started"):
        services.attendance_mark(
            meeting=meeting,
            actor=circle.facilitator,
            present={members[0].pk},
            now=meeting.starts_at - timezone.timedelta(minutes=1),
        )
    assert not Attendance.objects.filter(meeting=meeting).exists()
    services.attendance_mark(meeting=meeting, actor=circle.facilitator, present=set(), now=meeting.starts_at)
    assert Attendance.objects.filter(meeting=meeting, present=False).count() == len(members)


def test_feedback_is_anonymous_once_per_member_and_range_checked():
    _series, _organiser, _pool, people = _published()
    membership = people[0]
    meeting = membership.circle.meetings.get()
    services.feedback_give(
        meeting=meeting, user=membership.user, felt_safe=5, felt_heard=4, come_again=5, comment="Kind"
    )
    with pytest.raises(CirclesError):
        services.feedback_give(meeting=meeting, user=membership.user, felt_safe=5, felt_heard=4, come_again=5)
    with pytest.raises(CirclesError):
        services.feedback_give(meeting=meeting, user=people[1].user, felt_safe=6, felt_heard=4, come_again=5)
    assert Feedback.objects.count() == 1
    assert FeedbackReceipt.objects.count() == 1
    assert {f.name for f in Feedback._meta.concrete_fields} == {
        "id",
        "meeting",
        "felt_safe",
        "felt_heard",
        "come_again",
        "comment",
    }
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        services.feedback_give(meeting=meeting, user=outsider, felt_safe=5, felt_heard=4, come_again=5)


def test_no_model_has_a_field_for_what_is_said():
    from django.apps import apps

    names = {f.name for model in apps.get_app_config("circles").get_models() for f in model._meta.fields}
    assert not names & {"notes", "transcript", "minutes", "what_was_said", "discussion", "recording"}


def test_withdrawing_consent_deletes_perspectives_and_access_needs():
    from gathering.privacy import notices
    from gathering.privacy.services import consent_withdraw

    series = CircleSeriesFactory()
    person = UserFactory()
    membership = join(
        series, person, perspectives=["practitioner"], access_needs="BSL", share_access_needs=True
    )
    consent_withdraw(user=person, purpose=notices.SPECIAL_CATEGORY_EVENT)
    membership.refresh_from_db()
    assert membership.perspectives is None
    assert membership.access_needs == ""
    assert membership.share_access_needs is False


def test_members_are_invited_to_give_feedback_once_after_each_meeting():
    from gathering.circles.jobs import feedback_invite_due

    _series, _organiser, _pool, people = _published()
    meeting = people[0].circle.meetings.get()
    services.feedback_give(meeting=meeting, user=people[0].user, felt_safe=5, felt_heard=5, come_again=5)
    now = meeting.starts_at + timedelta(minutes=30)
    assert feedback_invite_due(now=now) == 0
    later = meeting.starts_at + timedelta(hours=3)
    # Both circles met at the same time: everyone but the person who answered is invited.
    in_circle = CircleMembership.objects.filter(circle__series=meeting.circle.series).count()
    assert feedback_invite_due(now=later) == in_circle - 1
    feedback_invite_due(now=later + timedelta(hours=1))
    invitations = OutboxMessage.objects.filter(kind="circle_feedback_invitation")
    assert invitations.count() == in_circle - 1
    assert feedback_invite_due(now=meeting.starts_at + timedelta(days=3)) == 0
