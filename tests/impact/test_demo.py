"""The impact demo: a past network whose every table shows figures, four Gatherings whose registrations show,
one small Gathering whose figures are hidden; seeding it again adds nothing."""

from collections import Counter

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from gathering.circles.models import Attendance, CircleSeries, Feedback, Meeting
from gathering.core.demo import DemoRegistry, registry, seed_demo
from gathering.events.models import Event, Registration
from gathering.impact import demo
from gathering.impact.figures import activities, figures_for
from gathering.impact.measures import TABLES
from gathering.impact.models import AnnualReport
from gathering.impact.selectors import Scope, figures_changed, scope_tables
from gathering.learning.models import OutcomeRating

pytestmark = pytest.mark.django_db


def _steps(names: set[str]) -> DemoRegistry:
    """The project's demo steps with these names."""
    steps = DemoRegistry()
    for step in registry.steps():
        if step.name in names:
            steps.demo_step(step.name, order=step.order)(step.function)
    return steps


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The whole demo, seeded once for the module and rolled back after it: every other app's steps, then
    the impact step (with the people it needs)."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(steps=_steps({step.name for step in registry.steps()} - {"impact"}))
        seed_demo(steps=_steps({"people", "impact"}))
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def figures(seeded, django_db_blocker) -> dict:
    """The figures the tests read, counted once for the module: the network's tables, and the registrations
    table of each of the four Gatherings and of the small one, by slug."""
    with django_db_blocker.unblock():
        figures_changed()
        found = {"network": {table.table.key: table for table in scope_tables(Scope())}}
        for slug in [spec.slug for spec in demo.GATHERINGS] + [demo.SMALL_SLUG]:
            event = Event.objects.get(slug=slug)
            found[slug] = next(
                table
                for table in scope_tables(Scope(activity=f"event:{event.pk}"))
                if table.table.key == "registrations"
            )
    return found


def _counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_demo_impact_step_is_registered_after_every_other_step():
    steps = registry.steps()
    assert steps[-1].name == "impact"
    assert all(step.order < steps[-1].order for step in steps[:-1])


def test_demo_seeded_again_changes_nothing(seeded):
    before = _counts()

    seed_demo()

    assert _counts() == before


def test_demo_network_shows_a_figure_in_every_table(figures):
    network = figures["network"]

    hidden_everywhere = [
        key for key, table in network.items() if all(row.count is None for row in (*table.rows, table.total))
    ]

    assert sorted(network) == sorted(table.key for table in TABLES)
    assert hidden_everywhere == []


def test_demo_four_past_gatherings_in_two_years_show_their_registrations(figures):
    gatherings = [Event.objects.get(slug=spec.slug) for spec in demo.GATHERINGS]

    totals = [figures[event.slug].total.count for event in gatherings]

    assert totals == [59, 59, 59, 59]
    assert [event.registrations.count() for event in gatherings] == [59, 59, 59, 59]
    assert all(event.ends_at < timezone.now() for event in gatherings)
    assert len({event.starts_at.year for event in gatherings}) == 2


def test_demo_gatherings_have_every_outcome_kind_of_ticket_and_answer(seeded):
    for spec in demo.GATHERINGS:
        registrations = Registration.objects.filter(event__slug=spec.slug)
        places = registrations.filter(status__in=Registration.HOLDING)
        assert registrations.filter(status=Registration.Status.WAITLISTED).count() >= 5
        assert registrations.filter(status__in=Registration.ENDED).count() >= 5
        assert places.exclude(status=Registration.Status.CONFIRMED).count() >= 5
        kinds = {kind: places.filter(ticket_type__kind=kind).count() for kind in demo.PLACE_KINDS}
        assert min(kinds.values()) >= 5
        answered = [r.perspectives for r in places if r.special_category_consent_at and r.perspectives]
        for value in ("lived_experience", "family_carer", "services"):
            assert sum(value in answer for answer in answered) >= 5
            assert sum(value not in answer for answer in answered) >= 5


def test_demo_activities_count_at_least_five_in_every_category(seeded):
    """Before disclosure control: every category of every table is five or more for the four Gatherings, the
    two cohorts and the series, except where people live (a few regions each) and, for the series, the
    network's first activity, people coming back."""
    ours = {spec.slug for spec in (*demo.GATHERINGS, *demo.COHORTS)} | {demo.SERIES_SLUG}
    found = [activity for activity in activities() if activity.slug in ours]
    raw = figures_for(found)

    small = {
        (activity.slug, table, category)
        for activity in found
        for table, cells in raw[activity.key].items()
        for category, (count, _money) in cells.items()
        if count < 5 and table != "area"
    }

    assert len(found) == 7
    assert small == {(demo.SERIES_SLUG, "returning", "returning")}


def test_demo_courses_have_a_past_cohort_rated_before_and_after(seeded):
    for spec in demo.COHORTS:
        event = Event.objects.get(slug=spec.slug)
        for stage in ("before", "after"):
            ratings = Counter(
                OutcomeRating.objects.filter(
                    assessment__registration__event=event, assessment__stage=stage
                ).values_list("rating", flat=True)
            )
            assert sorted(ratings) == [1, 2, 3, 4, 5]
            assert min(ratings.values()) >= 5
        assert event.ends_at < timezone.now()


def test_demo_listening_circles_met_in_the_past(seeded):
    series = CircleSeries.objects.get(slug=demo.SERIES_SLUG)
    meetings = Meeting.objects.filter(circle__series=series)

    present = Counter(Attendance.objects.filter(meeting__in=meetings).values_list("present", flat=True))
    felt_safe = Counter(Feedback.objects.filter(meeting__in=meetings).values_list("felt_safe", flat=True))
    felt_heard = Counter(Feedback.objects.filter(meeting__in=meetings).values_list("felt_heard", flat=True))

    assert series.circles.count() == 5
    assert meetings.count() == 15
    assert meetings.filter(starts_at__gte=timezone.now()).count() == 0
    assert min(present[True], present[False]) >= 5
    assert sorted(felt_safe) == sorted(felt_heard) == [1, 2, 3, 4, 5]
    assert min(*felt_safe.values(), *felt_heard.values()) >= 5


def test_demo_small_gathering_has_its_registrations_hidden(figures):
    small = Event.objects.get(slug=demo.SMALL_SLUG)

    registrations = figures[demo.SMALL_SLUG]

    assert small.title == "Small evening gathering"
    assert small.registrations.count() == 4
    assert small.ends_at < timezone.now()
    assert registrations.total.count is None
    assert [row.count for row in registrations.rows] == [None, None, None, None]


def test_demo_last_years_report_is_written_and_not_published(seeded):
    report = AnnualReport.objects.get(year=timezone.localdate().year - 1)

    assert not report.is_published
    assert report.activities and report.consultation and report.other
    assert AnnualReport.objects.published().count() == 0
