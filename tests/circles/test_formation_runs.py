"""Forming circles in the background: the organiser's "form circles" asks for a run and answers at once; a
task (a worker's, or a thread straight after the request in embedded mode) forms the circles as the request
used to, and the run's page shows how far it is, then what happened. One run at a time per series; a run is
done once, however many times its task runs."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from gathering.celery import app
from gathering.circles import formation, services, tasks
from gathering.circles.models import Circle, CircleMembership, CircleSeries, FormationRun
from gathering.core import background
from gathering.core.jobs import registry
from gathering.privacy.models import AuditEntry

from ..conftest import signed_in
from ..factories import make_staff
from .helpers import series_with

pytestmark = pytest.mark.django_db


def form_url(series: CircleSeries) -> str:
    return f"/staff/circles/{series.slug}/form/"


def run_url(series: CircleSeries, run: FormationRun) -> str:
    return f"/staff/circles/{series.slug}/runs/{run.pk}/"


def test_the_form_action_queues_a_run_and_answers_at_once(django_capture_on_commit_callbacks):
    series, organiser, _pool, _people = series_with(8, 2)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = signed_in(organiser).post(form_url(series), {"time_limit": "2", "count": "2"})

    run = FormationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run_url(series, run)
    assert (run.status, run.mode, run.count, run.time_limit, run.requested_by) == (
        "queued",
        "form",
        2,
        2.0,
        organiser,
    )
    # Nothing is formed in the request: the task is queued to run once the request's transaction commits.
    assert len(queued) == 1
    assert Circle.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_in_embedded_mode_the_run_forms_the_circles_as_the_request_did():
    series, organiser, _pool, _people = series_with(8, 2)
    client = signed_in(organiser)

    response = client.post(form_url(series), {"time_limit": "1"})
    assert background.wait_for_threads(timeout=30)

    run = FormationRun.objects.get()
    assert (run.status, run.progress, run.attempts, run.message) == ("done", 100, 1, "")
    assert run.summary == "2 circles formed."
    assert run.started_at <= run.finished_at
    series.refresh_from_db()
    assert series.status == CircleSeries.Status.FORMED
    circles = Circle.objects.filter(series=series)
    assert circles.count() == 2
    assert all(circle.facilitator_id for circle in circles)
    assert not CircleMembership.objects.filter(series=series, circle__isnull=True).exists()
    # The same audit entry as when the request formed the circles, by the organiser who asked.
    entry = AuditEntry.objects.get(detail="formed 2 circles")
    assert entry.actor == organiser
    body = client.get(response["Location"]).content.decode()
    assert "2 circles formed." in body
    assert f'href="/staff/circles/{series.slug}/circles/"' in body
    assert "http-equiv" not in body  # finished: the page no longer refreshes itself


@pytest.mark.django_db(transaction=True)
def test_a_published_series_is_re_formed_in_the_background():
    series, organiser, _pool, _people = series_with(8, 2)
    services.circles_form(series=series, actor=organiser, time_limit=1)
    services.circles_publish(series=series, actor=organiser, notify=False)

    signed_in(organiser).post(form_url(series), {"time_limit": "1"})
    assert background.wait_for_threads(timeout=30)

    run = FormationRun.objects.get()
    assert (run.mode, run.status, run.summary) == ("reform", "done", "Circles re-formed: 0 people moved.")
    assert AuditEntry.objects.filter(detail="re-formed circles, 0 moved").count() == 1


def test_a_second_run_is_refused_while_one_is_queued_or_running():
    series, organiser, _pool, _people = series_with(8, 2)
    first = services.formation_run_request(series=series, actor=organiser, time_limit=1, start=False)

    response = signed_in(organiser).post(form_url(series), {"time_limit": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "Circles are already being formed for this series. Wait for that to finish, then try again." in body
    )
    assert run_url(series, first) in body  # the page links to the run in progress

    services.formation_run_claim(run_id=first.pk, runner="task-1")
    with pytest.raises(services.CirclesError) as running:
        services.formation_run_request(series=series, actor=organiser, time_limit=1, start=False)
    assert running.value.messages == [
        "Circles are already being formed for this series. Wait for that to finish, then try again."
    ]
    assert FormationRun.objects.count() == 1


def test_what_is_plain_without_solving_is_refused_at_once():
    series, organiser, _pool, _people = series_with(0, 1)
    stranger = make_staff("organiser")

    with pytest.raises(services.CirclesError) as nobody:
        services.formation_run_request(series=series, actor=organiser, start=False)
    with pytest.raises(PermissionDenied):
        services.formation_run_request(series=series, actor=stranger, start=False)

    assert nobody.value.messages == ["Nobody has joined yet, so there is nobody to form circles with."]
    assert FormationRun.objects.count() == 0


def test_a_solve_that_cannot_meet_the_rules_fails_with_what_to_relax():
    series, organiser, _pool, _people = series_with(5, 1, size_min=6, size_max=8)
    run = services.formation_run_request(series=series, actor=organiser, time_limit=1, start=False)

    run = services.formation_run_execute(run_id=run.pk)

    assert run.status == "failed"
    assert run.finished_at is not None
    assert run.message_lines[0] == "The circles cannot be formed with these rules. Nothing has been saved."
    assert "lower the smallest circle size to 5 or fewer" in run.message_lines[1]
    assert Circle.objects.count() == 0
    body = signed_in(organiser).get(run_url(series, run)).content.decode()
    assert "Could not form the circles" in body
    assert "lower the smallest circle size to 5 or fewer" in body
    assert f'href="/staff/circles/{series.slug}/form/"' in body


def test_an_unexpected_error_fails_the_run_in_plain_words(monkeypatch):
    series, organiser, _pool, _people = series_with(8, 2)
    run = services.formation_run_request(series=series, actor=organiser, time_limit=1, start=False)

    def broken(*args, **kwargs):
        raise RuntimeError("Ada Lovelace broke it")

    monkeypatch.setattr(formation, "solve_grouping", broken)
    run = services.formation_run_execute(run_id=run.pk)

    assert run.status == "failed"
    assert run.message == (
        "Forming the circles stopped with an error. Nothing has been saved. Try again; if it happens again, "
        "tell the site team."
    )
    assert Circle.objects.count() == 0


def test_the_task_run_twice_forms_the_circles_once():
    series, organiser, _pool, _people = series_with(8, 2)
    run = services.formation_run_request(series=series, actor=organiser, time_limit=1, start=False)

    tasks.formation_run(run.pk)
    circles = set(Circle.objects.values_list("pk", flat=True))
    placed = dict(CircleMembership.objects.values_list("pk", "circle_id"))
    tasks.formation_run(run.pk)

    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 1)
    assert set(Circle.objects.values_list("pk", flat=True)) == circles
    assert dict(CircleMembership.objects.values_list("pk", "circle_id")) == placed
    assert AuditEntry.objects.filter(detail="formed 2 circles").count() == 1


def test_a_run_whose_runner_died_is_taken_again_and_only_its_current_runner_saves():
    series, organiser, _pool, _people = series_with(8, 2)
    run = services.formation_run_request(series=series, actor=organiser, time_limit=1, start=False)
    start = run.created_at
    old = services.formation_run_claim(run_id=run.pk, runner="task-1", now=start)

    # Another task, within the time any run may last: a live runner is left alone.
    assert services.formation_run_claim(run_id=run.pk, runner="task-2", now=start) is None
    # The same task handed out again (its worker died): taken again at once.
    again = services.formation_run_claim(run_id=run.pk, runner="task-1", now=start + timedelta(seconds=1))
    # Another task once the run is older than any run may last.
    later = start + timedelta(seconds=2 + services.formation_run_time_limit(run))
    new = services.formation_run_claim(run_id=run.pk, runner="task-2", now=later)

    assert (again.attempts, new.attempts, new.runner) == (2, 3, "task-2")
    stale = services.formation_run_perform(run=old)
    assert (stale.status, stale.runner) == ("running", "task-2")
    assert Circle.objects.count() == 0  # what the old runner formed was rolled back
    done = services.formation_run_perform(run=new)
    assert (done.status, done.summary) == ("done", "2 circles formed.")
    assert AuditEntry.objects.filter(detail="formed 2 circles").count() == 1
    # After three starts a run that stopped again fails rather than holding the queue.
    FormationRun.objects.filter(pk=run.pk).update(status="running", finished_at=None)
    assert (
        services.formation_run_claim(run_id=run.pk, runner="task-3", now=later + timedelta(hours=1)) is None
    )
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.message.startswith("Forming the circles stopped unexpectedly several times.")


def test_the_run_page_refreshes_itself_while_the_circles_are_formed():
    series, organiser, _pool, _people = series_with(8, 2)
    run = services.formation_run_request(series=series, actor=organiser, time_limit=3, start=False)
    FormationRun.objects.filter(pk=run.pk).update(status="running", progress=40)

    body = signed_in(organiser).get(run_url(series, run)).content.decode()

    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in body
    assert 'hx-trigger="every 2s"' in body
    assert 'value="40"' in body
    assert "This page refreshes itself." in body


def test_the_series_page_links_to_the_latest_run():
    series, organiser, _pool, _people = series_with(8, 2)
    run = services.formation_run_request(series=series, actor=organiser, time_limit=1, start=False)

    body = signed_in(organiser).get(f"/staff/circles/{series.slug}/").content.decode()

    assert f'href="{run_url(series, run)}"' in body


def test_another_organisers_run_page_is_refused():
    series, organiser, _pool, _people = series_with(8, 2)
    run = services.formation_run_request(series=series, actor=organiser, time_limit=1, start=False)
    other_series, other_organiser, _pool, _people = series_with(6, 1)

    # An organiser of another series: refused outright.
    assert signed_in(other_organiser).get(run_url(series, run)).status_code == 403
    # Their own series' address with this run's number: no such run there.
    assert signed_in(other_organiser).get(run_url(other_series, run)).status_code == 404
    # A facilitator: refused.
    assert signed_in(make_staff("facilitator")).get(run_url(series, run)).status_code == 403


def test_formation_runs_share_the_optimiser_queue_and_have_a_sweep():
    assert app.amqp.router.route({}, tasks.formation_run.name)["queue"].name == "optimise"
    job = next(job for job in registry.jobs() if job.name == "circles.formation_runs")
    assert (job.function.__module__, job.every) == ("gathering.circles.jobs", timedelta(minutes=1))


def test_the_sweep_queues_again_runs_whose_task_was_lost(django_capture_on_commit_callbacks):
    series, organiser, _pool, _people = series_with(8, 2)
    run = services.formation_run_request(series=series, actor=organiser, time_limit=1, start=False)

    assert services.formation_runs_sweep(now=run.created_at + timedelta(seconds=5)) == 0
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert services.formation_runs_sweep(now=run.created_at + timedelta(minutes=2)) == 1
    assert len(queued) == 1


def test_erasing_someone_named_in_a_failed_run_replaces_its_reasons():
    from gathering.circles.erasure import anonymise_person

    series, organiser, _pool, people = series_with(8, 2)
    person = people[0].user
    run = services.formation_run_request(series=series, actor=organiser, time_limit=1, start=False)
    FormationRun.objects.filter(pk=run.pk).update(
        status="failed",
        message=f"The circles cannot be formed.\n{person.name} and someone else cannot be apart.",
    )

    anonymise_person(user=person)

    run.refresh_from_db()
    assert person.name not in run.message
    assert run.message.startswith("The circles could not be formed. The reasons named someone")
