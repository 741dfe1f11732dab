"""Optimiser runs: requested by an organiser, run by the background job (or straight after the request in
embedded mode), shown with progress, reviewed as a diff and explanation, then published or discarded."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from gathering.core.jobs import registry
from gathering.core.models import OutboxMessage
from gathering.privacy.models import AuditEntry
from gathering.programme import services
from gathering.programme.models import Session, TimetableRun

from ..conftest import signed_in
from ..factories import UserFactory, make_staff
from .staff_data import attendee, interest, make_programme, open_session, playable_slots

pytestmark = pytest.mark.django_db


def board(programme, n: int = 4):
    """`n` open-space sessions; two people want sessions 1 and 2, so those must not share a slot."""
    sessions = [open_session(programme, f"Session {k + 1}") for k in range(n)]
    for _ in range(2):
        person = attendee(programme.event)
        interest(person, sessions[0], 2)
        interest(person, sessions[1], 1)
    return sessions


def run_now(programme, organiser, **kwargs) -> TimetableRun:
    run = services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)
    return services.timetable_run_execute(run_id=run.pk, report_progress=False, **kwargs)


def test_a_request_queues_a_run_with_the_programmes_move_cost():
    programme, organiser = make_programme()
    programme.move_cost = 7
    programme.save()

    response = signed_in(organiser).post(
        f"/staff/programme/{programme.event.slug}/optimise/", {"time_limit": "5"}
    )

    run = TimetableRun.objects.get()
    assert response["Location"] == f"/staff/programme/{programme.event.slug}/runs/{run.pk}/"
    assert (run.status, run.time_limit, run.move_cost, run.requested_by) == ("queued", 5, 7, organiser)


def test_only_one_run_at_a_time_and_only_with_a_grid():
    programme, organiser = make_programme()
    empty, other_organiser = make_programme(slots=0, rooms=0)
    services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)

    with pytest.raises(services.ProgrammeChangeError) as twice:
        services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)
    with pytest.raises(services.ProgrammeChangeError) as no_grid:
        services.timetable_optimise_request(programme=empty, actor=other_organiser, time_limit=5)
    with pytest.raises(PermissionDenied):
        services.timetable_optimise_request(programme=programme, actor=other_organiser, time_limit=5)

    assert twice.value.messages == ["An optimisation is already running for this programme."]
    assert no_grid.value.messages == ["Add at least one slot and one room to the grid first."]
    assert TimetableRun.objects.count() == 1


def test_the_job_runs_queued_runs_and_stores_timetable_explanation_and_diff():
    programme, organiser = make_programme(slots=2, rooms=2)
    sessions = board(programme)
    run = services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)
    job = next(job for job in registry.jobs() if job.name == "programme.timetable_runs")

    job.function(now=run.created_at)

    run.refresh_from_db()
    assert run.status == "done"
    assert run.progress == 100
    assert (run.objective, run.bound) == (0, 0)
    assert run.terms["clash"] == 0 and run.terms["overflow"] == 0
    assert set(run.assignments) == {f"s{s.pk}" for s in sessions}
    first, second = (run.assignments[f"s{s.pk}"][0] for s in sessions[:2])
    assert first != second
    assert sorted(row["kind"] for row in run.diff) == ["new"] * 4
    assert {row["session"]: row["interested"] for row in run.explanation} == {
        sessions[0].pk: 2,
        sessions[1].pk: 2,
        sessions[2].pk: 0,
        sessions[3].pk: 0,
    }


def test_the_explanation_names_who_clashes_with_what_when_clashes_cannot_be_avoided():
    programme, organiser = make_programme(slots=1, rooms=2)
    sessions = board(programme, n=2)

    run = run_now(programme, organiser)

    assert run.status == "done"
    assert run.objective == 2  # two people lose their "would like" session
    first = next(row for row in run.explanation if row["session"] == sessions[0].pk)
    assert first["clashing_people"] == 2
    assert first["clashes_with"] == [{"session": sessions[1].pk, "title": "Session 2", "people": 2}]


def test_really_want_weighs_three_times_would_like():
    programme, organiser = make_programme(slots=1, rooms=2)
    sessions = [open_session(programme, f"Session {k + 1}") for k in range(2)]
    both = attendee(programme.event)
    interest(both, sessions[0], 2)  # really want
    interest(both, sessions[1], 2)

    run = run_now(programme, organiser)

    assert run.terms["clash"] == 3  # the data README's weights: 1 would like, 3 really want


def test_a_run_that_cannot_place_everything_fails_with_the_reason():
    programme, organiser = make_programme(slots=1, rooms=1)
    board(programme, n=2)

    run = run_now(programme, organiser)

    assert run.status == "failed"
    assert run.message.startswith("2 session-slots are needed but the grid has 1.")


def test_the_run_page_refreshes_itself_while_the_optimiser_works():
    programme, organiser = make_programme()
    run = services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)
    TimetableRun.objects.filter(pk=run.pk).update(status="running", progress=40)

    body = (
        signed_in(organiser).get(f"/staff/programme/{programme.event.slug}/runs/{run.pk}/").content.decode()
    )

    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in body
    assert 'hx-trigger="every 2s"' in body
    assert 'value="40"' in body


def test_publish_applies_the_run_in_one_go_and_tells_facilitators_whose_sessions_moved():
    programme, organiser = make_programme(slots=3, rooms=2)
    facilitator = UserFactory(email="host@example.org")
    sessions = board(programme)
    sessions[0].facilitators.add(facilitator)
    first = run_now(programme, organiser)
    services.timetable_publish(run=first, actor=organiser)
    placed = {s.pk: (s.slot_id, s.room_id) for s in Session.objects.all()}
    # Force session 1 to move: its published room becomes unavailable in its slot.
    session = Session.objects.get(pk=sessions[0].pk)
    session.room.unavailable_slots.add(session.slot)

    second = run_now(programme, organiser)
    client = signed_in(organiser)
    page = client.get(f"/staff/programme/{programme.event.slug}/runs/{second.pk}/").content.decode()
    response = client.post(f"/staff/programme/{programme.event.slug}/runs/{second.pk}/publish/")

    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "published"
    assert [row["session"] for row in second.diff if row["kind"] == "moved"] == [sessions[0].pk]
    assert "1 session moves, 0 newly placed, 3 unchanged." in page
    moved = Session.objects.get(pk=sessions[0].pk)
    assert (moved.slot_id, moved.room_id) != placed[sessions[0].pk]
    assert all((s.slot_id, s.room_id) == placed[s.pk] for s in Session.objects.exclude(pk=sessions[0].pk))
    assert set(Session.objects.values_list("status", flat=True)) == {"scheduled"}
    emails = OutboxMessage.objects.filter(kind="session_moved")
    assert [m.to for m in emails] == [["host@example.org"]]
    programme.refresh_from_db()
    assert programme.published_at is not None
    assert (
        AuditEntry.objects.filter(subject_type="programme.timetablerun", detail__contains="1 moved").count()
        == 1
    )


def test_a_run_made_before_the_board_changed_is_not_published():
    programme, organiser = make_programme(slots=3, rooms=2)
    board(programme)
    run = run_now(programme, organiser)
    open_session(programme, "Arrived late")

    with pytest.raises(services.ProgrammeChangeError) as error:
        services.timetable_publish(run=run, actor=organiser)

    assert error.value.messages == [
        "The board changed after this run (new: “Arrived late”). Optimise again to place them."
    ]
    assert not Session.objects.filter(slot__isnull=False).exists()


def test_discard_leaves_the_published_timetable_alone():
    programme, organiser = make_programme(slots=2, rooms=2)
    board(programme)
    run = run_now(programme, organiser)

    response = signed_in(organiser).post(f"/staff/programme/{programme.event.slug}/runs/{run.pk}/discard/")

    run.refresh_from_db()
    assert response.status_code == 302
    assert run.status == "discarded"
    assert not Session.objects.filter(slot__isnull=False).exists()


def test_long_sessions_never_run_across_a_break():
    programme, organiser = make_programme(slots=4, rooms=1, lunch_after=2)
    long = open_session(programme, "Long workshop", length=2)
    open_session(programme, "Short one")
    open_session(programme, "Another short one")

    run = run_now(programme, organiser)

    slots = playable_slots(programme)
    start = run.assignments[f"s{long.pk}"][0]
    assert start in (f"t{slots[0].pk}", f"t{slots[2].pk}")


def test_runs_that_died_with_their_runner_are_marked_failed():
    programme, organiser = make_programme()
    run = services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)
    TimetableRun.objects.filter(pk=run.pk).update(status="running", started_at=run.created_at)

    services.timetable_runs_execute_queued(now=run.created_at + timedelta(hours=1))

    run.refresh_from_db()
    assert run.status == "failed"
    assert run.message == "The optimisation stopped before it finished. Please run it again."


def test_someone_else_cannot_publish_or_see_a_run():
    programme, organiser = make_programme()
    run = run_now(programme, organiser)
    stranger = make_staff("organiser")

    with pytest.raises(PermissionDenied):
        services.timetable_publish(run=run, actor=stranger)
    response = signed_in(stranger).get(f"/staff/programme/{programme.event.slug}/runs/{run.pk}/")

    assert response.status_code == 403
