"""Circles in subject access exports and erasure: the person's own rows, never other people's."""

import pytest

from gathering.circles.models import Attendance, CircleMembership, Feedback, NotWithRequest
from gathering.circles.services import attendance_mark, feedback_give
from gathering.privacy.subject import subject_erase, subject_export

from ..factories import EventFactory, UserFactory
from .registry import published_circle

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    event = EventFactory()
    person = UserFactory(name="Ottoline Wraxby", email="ottoline@example.org")
    named = UserFactory(email="named.nurse@example.org")
    series, circle, membership, meeting = published_circle(
        event=event, member=person, access_needs="needs-a-quiet-seat-5521", named="named.nurse@example.org"
    )
    attendance_mark(meeting=meeting, actor=circle.facilitator, present={membership.pk})
    feedback_give(
        meeting=meeting, user=person, felt_safe=5, felt_heard=5, come_again=4, comment="Kind people"
    )
    return person, named, series, circle, membership, meeting


def test_the_export_holds_the_persons_membership_requests_and_attendance(world):
    person, _named, _series, _circle, membership, _meeting = world
    data = subject_export(user=person)["data"]
    memberships = data["circles.circlemembership"]["rows"]
    assert [row["id"] for row in memberships] == [membership.pk]
    assert memberships[0]["access_needs"] == "needs-a-quiet-seat-5521"
    assert [row["named"] for row in data["circles.notwithrequest"]["rows"]] == ["named.nurse@example.org"]
    assert [row["membership"] for row in data["circles.attendance"]["rows"]] == [membership.pk]
    # Feedback is anonymous: it is not linked to the person, so it is not in their export.
    assert "circles.feedback" not in data


def test_the_person_named_never_finds_the_request_in_their_export(world):
    _person, named, *_rest = world
    text = str(subject_export(user=named))
    assert "Ottoline" not in text
    assert data_rows(subject_export(user=named), "circles.notwithrequest") == []


def test_a_facilitators_export_does_not_carry_their_members(world):
    _person, _named, _series, circle, _membership, _meeting = world
    export = subject_export(user=circle.facilitator)
    assert "needs-a-quiet-seat-5521" not in str(export)
    assert data_rows(export, "circles.circlemembership") == []
    assert data_rows(export, "circles.attendance") == []


def data_rows(export, label):
    return export["data"].get(label, {}).get("rows", [])


def test_erasure_anonymises_memberships_keeps_counts_and_drops_requests_naming_them(world):
    person, named, _series, circle, membership, _meeting = world
    subject_erase(user=named)
    assert NotWithRequest.objects.count() == 0
    report = subject_erase(user=person)
    membership.refresh_from_db()
    assert membership.user is None
    assert membership.access_needs == ""
    assert membership.perspectives is None
    assert membership.status == "left"
    assert membership.circle_id == circle.pk
    assert Attendance.objects.filter(present=True).count() == 1
    assert Feedback.objects.count() == 1
    assert "circles.circlemembership" in report.kept
    assert not CircleMembership.objects.filter(user__email="ottoline@example.org").exists()
