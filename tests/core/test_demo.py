"""The demo registry: apps register their steps, and seed_demo runs them in order, sharing what they made."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from gathering.core.demo import DemoLogin, DemoRegistry, DemoRun, registry, seed_demo

pytestmark = pytest.mark.django_db


def test_steps_run_in_order_and_see_what_earlier_steps_made():
    steps = DemoRegistry()
    seen = []

    @steps.demo_step("second", order=20)
    def second(run: DemoRun) -> None:
        seen.append(("second", sorted(run.people), run.scale))

    @steps.demo_step("first", order=10)
    def first(run: DemoRun) -> None:
        seen.append(("first", sorted(run.people), run.scale))
        run.people["organiser"] = object()
        run.logins.append(DemoLogin("o@example.org", "Organiser", "pw", None, None))

    logins = seed_demo(scale=2, steps=steps)

    assert seen == [("first", [], 2), ("second", ["organiser"], 2)]
    assert [login.email for login in logins] == ["o@example.org"]


def test_registering_two_steps_under_one_name_is_refused():
    steps = DemoRegistry()
    steps.demo_step("people", order=10)(lambda run: None)
    with pytest.raises(ImproperlyConfigured):
        steps.demo_step("people", order=10)(lambda run: None)


def test_the_apps_register_people_first_then_gatherings_programme_circles_learning_and_the_directory():
    assert [step.name for step in registry.steps()] == [
        "people",
        "events",
        "programme",
        "circles",
        "learning",
        "directory",
        "impact",
    ]
