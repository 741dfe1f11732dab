"""Publishing a timetable tells each facilitator when their session is placed for the first time or moves
(time or room), once per publish, through the outbox; unchanged sessions send nothing."""

import pytest

from gathering.core.models import OutboxMessage
from gathering.programme import services
from gathering.programme.models import Session

from ..factories import UserFactory
from .staff_data import make_programme, open_session

pytestmark = pytest.mark.django_db


def publish_now(programme, organiser):
    run = services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)
    run = services.timetable_run_execute(run_id=run.pk)
    return services.timetable_publish(run=run, actor=organiser)


def test_first_publish_emails_each_facilitator_their_new_place_once():
    programme, organiser = make_programme(slots=2, rooms=2)
    host, cohost = UserFactory(email="host@example.org"), UserFactory(email="cohost@example.org")
    placed = open_session(programme, "Listening without fixing", facilitators=[host, cohost])
    open_session(programme, "Nobody facilitates this")

    publish_now(programme, organiser)

    emails = OutboxMessage.objects.filter(kind="session_placed").order_by("to")
    assert [m.to for m in emails] == [["cohost@example.org"], ["host@example.org"]]
    session = Session.objects.get(pk=placed.pk)
    where = f"{session.room.name}"
    assert all("“Listening without fixing”" in m.body_text and where in m.body_text for m in emails)
    assert not OutboxMessage.objects.filter(kind="session_moved").exists()


def test_publishing_again_without_changes_sends_nothing_new():
    programme, organiser = make_programme(slots=2, rooms=2)
    open_session(programme, "Listening without fixing", facilitators=[UserFactory()])
    publish_now(programme, organiser)

    publish_now(programme, organiser)

    assert OutboxMessage.objects.filter(kind__in=["session_placed", "session_moved"]).count() == 1


def test_a_move_at_the_next_publish_is_emailed_once_as_a_move():
    programme, organiser = make_programme(slots=2, rooms=1)
    host = UserFactory(email="host@example.org")
    made = open_session(programme, "Listening without fixing", facilitators=[host])
    publish_now(programme, organiser)
    session = Session.objects.get(pk=made.pk)
    session.room.unavailable_slots.add(session.slot)

    publish_now(programme, organiser)

    assert [m.to for m in OutboxMessage.objects.filter(kind="session_moved")] == [["host@example.org"]]
    assert OutboxMessage.objects.filter(kind="session_placed").count() == 1
