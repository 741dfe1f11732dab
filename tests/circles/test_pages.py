"""Circle pages through the client, as a browser without JavaScript would use them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from gathering.circles import services
from gathering.circles.models import Attendance, Circle, CircleMembership, CircleSeries, Feedback, Meeting
from gathering.core import background
from gathering.privacy.models import AuditEntry

from ..conftest import signed_in
from ..factories import CircleSeriesFactory, EventFactory, UserFactory, make_staff
from .helpers import series_with
from .registry import published_circle

pytestmark = pytest.mark.django_db


def test_joining_through_the_form_records_the_agreement_and_consent():
    series = CircleSeriesFactory()
    person = UserFactory()
    client = signed_in(person)
    page = client.get(f"/circles/{series.slug}/join/")
    assert "What is said here stays here." in page.content.decode()
    response = client.post(
        f"/circles/{series.slug}/join/",
        {
            "version": "1",
            "agree": "on",
            "listed": "on",
            "perspectives": ["lived_experience"],
            "special_category_consent": "on",
            "organisation": "Mind",
            "not_with": "my.nurse@example.org",
        },
    )
    membership = CircleMembership.objects.get(user=person)
    assert response.status_code == 302
    assert response["Location"] == f"/my/circles/{membership.pk}/"
    assert membership.agreement.version == 1
    assert membership.perspectives == ["lived_experience"]
    assert series.not_with_requests.get().named == "my.nurse@example.org"


def test_joining_without_agreeing_shows_the_error_summary_and_saves_nothing():
    series = CircleSeriesFactory()
    client = signed_in(UserFactory())
    response = client.post(f"/circles/{series.slug}/join/", {"version": "1", "perspectives": ["other"]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Agree to the group agreement to join." in body
    assert CircleMembership.objects.count() == 0


def test_my_circle_shows_when_where_facilitator_and_only_listed_first_names():
    event = EventFactory()
    person = UserFactory(name="Robin Ash")
    _series, circle, membership, _meeting = published_circle(event=event, member=person)
    others = list(CircleMembership.objects.filter(circle=circle).exclude(pk=membership.pk))
    others[0].user.name = "Sam Listed"
    others[0].user.save()
    others[1].user.name = "Kit Hidden"
    others[1].user.save()
    others[1].listed = False
    others[1].save()
    body = signed_in(person).get(f"/my/circles/{membership.pk}/").content.decode()
    assert "You are in circle 1" in body
    assert "Room 2" in body
    assert "https://meet.example.org/circle" in body
    assert escape(circle.facilitator.display_name) in body
    assert "Sam" in body and "Sam Listed" not in body
    assert "Kit" not in body
    assert "and 1 more person" in body
    assert "/help/concern/?from=circle" in body
    assert "Leave quietly" in body


def test_leaving_quietly_through_the_page():
    event = EventFactory()
    person = UserFactory()
    _series, _circle, membership, _meeting = published_circle(event=event, member=person)
    client = signed_in(person)
    assert client.get(f"/my/circles/{membership.pk}/leave/").status_code == 200
    response = client.post(f"/my/circles/{membership.pk}/leave/")
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == "left"


def test_a_facilitator_sees_their_circle_with_consented_access_needs_and_the_read_is_audited():
    event = EventFactory()
    facilitator = make_staff("facilitator")
    _series, circle, membership, _meeting = published_circle(
        event=event, facilitator=facilitator, access_needs="Needs the hearing loop"
    )
    CircleMembership.objects.filter(circle=circle).exclude(pk=membership.pk).update(share_access_needs=False)
    body = signed_in(facilitator).get(f"/staff/circles/facilitating/{circle.pk}/").content.decode()
    assert body.count("Needs the hearing loop") == 1
    assert escape(membership.user.display_name) in body
    assert membership.user.email not in body
    assert "/help/concern/?from=circle" in body
    assert 'data-minutes="10"' in body
    assert AuditEntry.objects.filter(actor=facilitator, detail="access needs of 1 members").count() == 1


def test_a_facilitator_cannot_see_another_circles_members():
    event = EventFactory()
    mine = make_staff("facilitator")
    published_circle(event=event, facilitator=mine)
    other_person = UserFactory(name="Quentin Elsewhere")
    _series, other_circle, other_membership, _meeting = published_circle(event=event, member=other_person)
    client = signed_in(mine)
    for url in (
        f"/staff/circles/facilitating/{other_circle.pk}/",
        f"/staff/circles/facilitating/{other_circle.pk}/remove/{other_membership.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "Quentin" not in response.content.decode()
    assert "Quentin" not in client.get("/staff/circles/facilitating/").content.decode()


def test_a_facilitator_marks_attendance_without_javascript():
    event = EventFactory()
    facilitator = make_staff("facilitator")
    _series, circle, membership, meeting = published_circle(event=event, facilitator=facilitator)
    response = signed_in(facilitator).post(
        f"/staff/circles/facilitating/{circle.pk}/", {"meeting": meeting.pk, "present": [membership.pk]}
    )
    assert response.status_code == 302
    assert Attendance.objects.get(meeting=meeting, membership=membership).present is True
    assert Attendance.objects.filter(meeting=meeting, present=False).count() == 2


def test_a_concern_raised_from_the_facilitators_circle_page_names_the_circle():
    from gathering.support.models import Concern

    facilitator = make_staff("facilitator", name="Robin Facilitator")
    series, circle, _membership, _meeting = published_circle(event=EventFactory(), facilitator=facilitator)
    client = signed_in(facilitator)
    body = client.get(f"/staff/circles/facilitating/{circle.pk}/").content.decode()
    assert f'href="/help/concern/?from=circle:{circle.pk}"' in body
    form = client.get(f"/help/concern/?from=circle:{circle.pk}").content.decode()
    assert f'name="context" value="circle:{circle.pk}"' in form
    client.post(
        "/help/concern/",
        {"severity": "high", "details": "Worried after tonight.", "context": f"circle:{circle.pk}"},
    )
    concern = Concern.objects.get()
    assert (concern.reporter, concern.raised_from_label, concern.raised_from_path) == (
        facilitator,
        f"Circle 1 of {series.name}, facilitated by Robin Facilitator",
        f"/circles/{series.slug}/",
    )


def test_a_facilitator_removes_someone_with_a_reason_through_the_page():
    event = EventFactory()
    facilitator = make_staff("facilitator")
    _series, circle, membership, _meeting = published_circle(event=event, facilitator=facilitator)
    client = signed_in(facilitator)
    url = f"/staff/circles/facilitating/{circle.pk}/remove/{membership.pk}/"
    empty = client.post(url, {"reason": ""})
    assert "There is a problem" in empty.content.decode()
    response = client.post(url, {"reason": "Shared another member's story outside the circle"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == "removed"
    assert AuditEntry.objects.filter(actor=facilitator, detail="removed from circle").count() == 1


def test_feedback_through_the_page_is_anonymous():
    event = EventFactory()
    person = UserFactory()
    _series, _circle, membership, meeting = published_circle(event=event, member=person)
    url = f"/my/circles/{membership.pk}/feedback/{meeting.pk}/"
    client = signed_in(person)
    response = client.post(url, {"felt_safe": "5", "felt_heard": "4", "come_again": "5", "comment": "Gentle"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.felt_safe, feedback.felt_heard, feedback.come_again) == (5, 4, 5)
    again = client.post(url, {"felt_safe": "5", "felt_heard": "4", "come_again": "5"})
    assert "You have already given feedback for this meeting." in again.content.decode()
    assert Feedback.objects.count() == 1


def test_feedback_aggregates_appear_only_from_five_responses():
    event = EventFactory()
    organiser = make_staff("organiser")
    series, _circle, _membership, meeting = published_circle(event=event, organiser=organiser)
    client = signed_in(organiser)
    for k in range(4):
        Feedback.objects.create(meeting=meeting, felt_safe=4, felt_heard=5, come_again=3, comment=f"Note {k}")
    body = client.get(f"/staff/circles/{series.slug}/feedback/").content.decode()
    assert "4 responses so far." in body
    assert "Note 0" not in body
    Feedback.objects.create(meeting=meeting, felt_safe=5, felt_heard=5, come_again=5)
    body = client.get(f"/staff/circles/{series.slug}/feedback/").content.decode()
    assert "Average from 5 responses" in body
    assert "<td>4.2</td>" in body
    assert "Note 0" in body


@pytest.mark.django_db(transaction=True)
def test_organiser_forms_previews_and_publishes_through_the_pages():
    series, organiser, _pool, _people = series_with(8, 2, first_meets_at=timezone.now() + timedelta(days=2))
    client = signed_in(organiser)
    response = client.post(f"/staff/circles/{series.slug}/form/", {"time_limit": "1"})
    assert response.status_code == 302
    # The circles are formed in the background (a thread of this process in embedded mode).
    assert background.wait_for_threads(timeout=30)
    assert "2 circles formed." in client.get(response["Location"]).content.decode()
    assert Circle.objects.filter(series=series).count() == 2
    preview = client.get(f"/staff/circles/{series.slug}/circles/").content.decode()
    assert "Why it looks like this" in preview
    assert "Every &#x27;not with&#x27; request is respected" in preview
    assert "Not met:" not in preview
    assert client.post(f"/staff/circles/{series.slug}/publish/").status_code == 302
    series.refresh_from_db()
    assert series.status == CircleSeries.Status.PUBLISHED
    assert Meeting.objects.filter(circle__series=series).count() == 2


@pytest.mark.django_db(transaction=True)
def test_infeasible_formation_shows_what_to_relax_and_saves_nothing():
    series, organiser, _pool, _people = series_with(5, 1, size_min=6, size_max=8)
    client = signed_in(organiser)
    response = client.post(f"/staff/circles/{series.slug}/form/", {"time_limit": "1"})
    assert response.status_code == 302
    assert background.wait_for_threads(timeout=30)
    body = client.get(response["Location"]).content.decode()
    assert "Could not form the circles" in body
    assert "The circles cannot be formed with these rules. Nothing has been saved." in body
    assert "lower the smallest circle size to 5 or fewer" in body
    assert Circle.objects.count() == 0


def test_a_refused_swap_names_the_rule_on_the_page():
    series, organiser, _pool, _people = series_with(6, 2)
    services.circles_form(series=series, actor=organiser, time_limit=1)
    first = CircleMembership.objects.filter(series=series).first()
    other = Circle.objects.filter(series=series).exclude(pk=first.circle_id).get()
    response = signed_in(organiser).post(
        f"/staff/circles/{series.slug}/circles/", {"first": first.pk, "to_circle": other.pk}
    )
    body = response.content.decode()
    assert "That change would break a rule, so nothing has changed." in body
    assert "has 3 members, outside 4-5" in body
    first.refresh_from_db()
    assert first.circle_id != other.pk


def test_organiser_creates_a_series_opens_it_and_writes_a_new_agreement_version():
    organiser = make_staff("organiser")
    facilitator = make_staff("facilitator")
    client = signed_in(organiser)
    response = client.post(
        "/staff/circles/new/",
        {
            "name": "Tuesday evenings online",
            "slug": "tuesday-evenings",
            "purpose": "Listening across experiences.",
            "format": "online",
            "schedule": "Tuesdays 19:00 for six weeks",
            "meeting_count": "6",
            "every_days": "7",
            "time_zone": "Europe/London",
            "online_link": "https://meet.example.org/tuesday",
            "rounds": "10 | Arriving",
            "size_min": "6",
            "size_max": "8",
            "cover_a": "lived_experience",
            "cover_b": "practitioner",
            "max_per_organisation": "2",
            "facilitators": [facilitator.pk],
        },
    )
    assert response.status_code == 302
    series = CircleSeries.objects.get(slug="tuesday-evenings")
    assert list(series.facilitators.all()) == [facilitator]
    assert series.agreements.get().version == 1
    client.post(f"/staff/circles/{series.slug}/open/")
    series.refresh_from_db()
    assert series.status == "open"
    client.post(f"/staff/circles/{series.slug}/agreement/", {"text": "Confidentiality.\nThe right to pass."})
    assert list(series.agreements.values_list("version", flat=True)) == [2, 1]


def test_the_series_editor_refuses_a_gathering_the_organiser_does_not_run():
    organiser = make_staff("organiser")
    other = EventFactory()
    response = signed_in(organiser).post(
        "/staff/circles/new/",
        {
            "name": "Circles",
            "slug": "circles-x",
            "purpose": "x",
            "format": "in_person",
            "schedule": "Saturday",
            "event": other.pk,
            "rounds": "10 | Arriving",
            "meeting_count": "1",
            "every_days": "7",
            "time_zone": "Europe/London",
            "size_min": "6",
            "size_max": "8",
            "cover_a": "lived_experience",
            "cover_b": "practitioner",
            "max_per_organisation": "2",
        },
    )
    assert response.status_code == 200
    assert CircleSeries.objects.count() == 0


def test_not_with_requests_are_shown_only_to_the_forming_organiser():
    event = EventFactory()
    organiser = make_staff("organiser")
    named = UserFactory(name="Named Person")
    series, _circle, membership, _meeting = published_circle(
        event=event, organiser=organiser, named=named.email
    )
    form_page = signed_in(organiser).get(f"/staff/circles/{series.slug}/form/").content.decode()
    assert named.email in form_page
    assert AuditEntry.objects.filter(actor=organiser, detail="'not with' requests").count() == 1
    series.memberships.create(user=named, agreement=series.agreements.get(), agreed_at=timezone.now())
    named_membership = series.memberships.get(user=named)
    for url in ("/my/circles/", f"/my/circles/{named_membership.pk}/"):
        assert named.email not in signed_in(named).get(url).content.decode()
    requester_page = signed_in(membership.user).get(f"/my/circles/{membership.pk}/").content.decode()
    assert named.email not in requester_page


def test_an_organiser_sets_where_one_circle_meets_and_members_see_it():
    event = EventFactory()
    organiser = make_staff("organiser")
    person = UserFactory()
    series, circle, membership, _meeting = published_circle(event=event, organiser=organiser, member=person)
    client = signed_in(organiser)
    url = f"/staff/circles/{series.slug}/circles/{circle.pk}/"
    bad = client.post(url, {"place": "Room 4", "online_link": "not a link"})
    assert "There is a problem" in bad.content.decode()
    circle.refresh_from_db()
    assert circle.place == ""
    assert client.post(url, {"place": "Room 4, first floor", "online_link": ""}).status_code == 302
    assert "Room 4, first floor" in signed_in(person).get(f"/my/circles/{membership.pk}/").content.decode()
    assert AuditEntry.objects.filter(actor=organiser, detail="where the circle meets").count() == 1
