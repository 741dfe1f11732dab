"""Optimiser runs: requested by an organiser, run by a background task (a worker's, or a thread straight after
the request in embedded mode), shown with progress, reviewed as a diff and explanation, then published or
discarded. A run whose runner died is started again, a few times at most."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gathering.core import background
from gathering.core.jobs import registry
from gathering.core.models import OutboxMessage
from gathering.privacy.models import AuditEntry
from gathering.programme import services, tasks
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
    return services.timetable_run_execute(run_id=run.pk, **kwargs)


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


def test_the_task_runs_a_queued_run_and_stores_timetable_explanation_and_diff():
    programme, organiser = make_programme(slots=2, rooms=2)
    sessions = board(programme)
    run = services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)

    tasks.timetable_run(run.pk)

    run.refresh_from_db()
    assert run.status == "done"
    assert (run.progress, run.attempts) == (100, 1)
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


def test_a_run_held_by_a_live_runner_is_left_alone():
    programme, organiser = make_programme()
    board(programme)
    run = services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)
    claimed = services.timetable_run_claim(run_id=run.pk, runner="task-1", now=run.created_at)

    # Another copy of the task, within the time any run may take (5 s + the margin): not its to do.
    later = run.created_at + timedelta(seconds=5 + services.RUN_MARGIN_SECONDS)
    assert services.timetable_run_claim(run_id=run.pk, runner="task-2", now=later) is None

    assert (claimed.status, claimed.runner, claimed.attempts) == ("running", "task-1", 1)
    run.refresh_from_db()
    assert (run.status, run.runner, run.attempts) == ("running", "task-1", 1)


def test_a_run_whose_runner_died_is_started_again_and_fails_after_three_starts():
    programme, organiser = make_programme()
    board(programme)
    run = services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)
    start = run.created_at
    services.timetable_run_claim(run_id=run.pk, runner="task-1", now=start)

    # The same task, handed out again because its worker died: started again at once.
    again = services.timetable_run_claim(run_id=run.pk, runner="task-1", now=start + timedelta(seconds=2))
    # Another task (the sweep's), once the run is older than any run may last.
    orphaned_at = start + timedelta(seconds=2 + 5 + services.RUN_MARGIN_SECONDS + 1)
    third = services.timetable_run_claim(run_id=run.pk, runner="task-2", now=orphaned_at)
    fourth = services.timetable_run_claim(run_id=run.pk, runner="task-2", now=orphaned_at)

    assert (again.attempts, again.started_at) == (2, start + timedelta(seconds=2))
    assert (third.attempts, third.runner) == (3, "task-2")
    assert fourth is None
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("failed", 3)
    assert run.message == (
        "The optimiser stopped unexpectedly several times on this board. Try a shorter time limit; if it "
        "happens again, tell the site team."
    )


def test_only_the_runner_holding_a_run_stores_its_result():
    programme, organiser = make_programme(slots=2, rooms=2)
    board(programme)
    run = services.timetable_optimise_request(programme=programme, actor=organiser, time_limit=5)
    old = services.timetable_run_claim(run_id=run.pk, runner="task-1", now=run.created_at)
    later = run.created_at + timedelta(seconds=5 + services.RUN_MARGIN_SECONDS + 1)
    new = services.timetable_run_claim(run_id=run.pk, runner="task-2", now=later)

    stale = services.timetable_run_store(run=old, fields=services.timetable_run_solve(run=old))
    assert (stale.status, stale.runner, stale.assignments) == ("running", "task-2", {})
    done = services.timetable_run_store(run=new, fields=services.timetable_run_solve(run=new))

    assert (done.status, done.runner, done.attempts) == ("done", "task-2", 2)


@pytest.mark.django_db(transaction=True)
def test_the_sweep_queues_again_runs_whose_task_was_lost_or_whose_runner_died():
    two_minutes_ago = timezone.now() - timedelta(minutes=2)
    lost_programme, organiser = make_programme(slots=2, rooms=2)
    board(lost_programme)
    lost = services.timetable_optimise_request(
        programme=lost_programme, actor=organiser, time_limit=5, start=False
    )
    TimetableRun.objects.filter(pk=lost.pk).update(created_at=two_minutes_ago)
    running_programme, other = make_programme(slots=2, rooms=2)
    board(running_programme)
    running = services.timetable_optimise_request(
        programme=running_programme, actor=other, time_limit=5, start=False
    )
    services.timetable_run_claim(run_id=running.pk, runner="task-elsewhere")
    fresh_programme, third = make_programme(slots=2, rooms=2)
    fresh = services.timetable_optimise_request(
        programme=fresh_programme, actor=third, time_limit=5, start=False
    )

    # Queued two minutes ago: its task was lost. Just queued, or running within its time: left alone.
    assert services.timetable_runs_sweep() == 1
    # Embedded mode: the run is solved in a thread of this process.
    assert background.wait_for_threads(timeout=30)
    # The runner of the other run died two minutes ago.
    TimetableRun.objects.filter(pk=running.pk).update(started_at=two_minutes_ago)
    assert services.timetable_runs_sweep() == 1
    assert background.wait_for_threads(timeout=30)

    lost.refresh_from_db()
    running.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, lost.attempts) == ("done", 1)
    assert (running.status, running.attempts) == ("done", 2)
    assert (fresh.status, fresh.attempts) == ("queued", 0)


def test_the_sweep_is_the_programmes_periodic_job():
    job = next(job for job in registry.jobs() if job.name == "programme.timetable_runs")
    assert (job.function.__module__, job.every) == ("gathering.programme.jobs", timedelta(minutes=1))


def test_someone_else_cannot_publish_or_see_a_run():
    programme, organiser = make_programme()
    run = run_now(programme, organiser)
    stranger = make_staff("organiser")

    with pytest.raises(PermissionDenied):
        services.timetable_publish(run=run, actor=stranger)
    response = signed_in(stranger).get(f"/staff/programme/{programme.event.slug}/runs/{run.pk}/")

    assert response.status_code == 403
