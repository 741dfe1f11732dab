"""The facilitator's round-by-round guide in a real browser: a plain list without JavaScript, an optional
timer with it, and both accessible under the site's Content-Security-Policy."""

import pytest

from ..circles.registry import published_circle
from ..factories import EventFactory, make_staff
from .conftest import axe_violations

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _facilitator_page(new_page, *, javascript: bool):
    facilitator = make_staff("facilitator")
    _series, circle, _membership, _meeting = published_circle(event=EventFactory(), facilitator=facilitator)
    page = new_page(user=facilitator, javascript=javascript, bypass_csp=not javascript)
    page.goto(f"/staff/circles/facilitating/{circle.pk}/")
    return page


def test_without_javascript_the_rounds_are_a_plain_list(new_page):
    page = _facilitator_page(new_page, javascript=False)
    rounds = page.locator("[data-round-guide] li")
    assert rounds.count() == 3
    assert rounds.first.inner_text() == "Arriving and the agreement (10 minutes)"
    assert page.get_by_role("button", name="Start timer").count() == 0
    assert page.locator("form button[type=submit]").count() == 1


def test_with_javascript_each_timed_round_gets_an_optional_timer(new_page):
    page = _facilitator_page(new_page, javascript=True)
    complaints = []
    page.on("console", lambda message: complaints.append(message.text))
    page.reload()
    buttons = page.get_by_role("button", name="Start timer")
    assert buttons.count() == 3
    assert page.locator("[role=timer]").first.inner_text() == "10:00"
    buttons.first.click()
    page.wait_for_timeout(2500)
    assert page.locator("[role=timer]").first.inner_text() in {"9:59", "9:58", "9:57"}
    assert page.get_by_role("button", name="Pause timer").count() == 1
    assert [c for c in complaints if "Content Security Policy" in c] == []


def test_the_facilitator_page_with_timers_is_accessible(new_page):
    facilitator = make_staff("facilitator")
    _series, circle, _membership, _meeting = published_circle(event=EventFactory(), facilitator=facilitator)
    page = new_page(user=facilitator)
    page.goto(f"/staff/circles/facilitating/{circle.pk}/")
    assert page.get_by_role("button", name="Start timer").count() == 3
    assert axe_violations(page) == []
