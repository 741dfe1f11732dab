"""Journeys a person makes with the keyboard alone, and the quick exit."""

import re

import pytest
from django.core import mail

from gathering.accounts.models import User

from ..factories import PASSWORD, UserFactory
from .conftest import tab_to

pytestmark = pytest.mark.django_db(transaction=True)

NEUTRAL = "https://neutral.example/weather"


def test_keyboard_only_sign_up_and_email_verification(new_page):
    page = new_page()
    page.goto("/")
    tab_to(page, "a[href='/accounts/signup/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/signup/")
    tab_to(page, "#id_name")
    page.keyboard.type("Robin Ash")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_email"
    page.keyboard.type("robin@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("plenty-of-words-here")
    page.keyboard.press("Tab")
    page.keyboard.type("plenty-of-words-here")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/confirm-email/")
    assert User.objects.filter(email="robin@example.org", name="Robin Ash").exists()

    link = re.search(r"http://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[-1].body).group(1)
    page.goto(link)
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/account/")
    assert "Your profile" in page.locator("h1").inner_text()


def test_keyboard_only_sign_in(new_page):
    person = UserFactory(email="kim@example.org")
    page = new_page()
    page.goto("/accounts/login/")
    tab_to(page, "#id_login")
    page.keyboard.type("kim@example.org")
    tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/account/")
    assert page.locator("#id_name").input_value() == person.name


def test_skip_link_moves_focus_to_the_main_content(new_page):
    page = new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.fixture
def neutral_site(settings):
    settings.GATHERING_QUICK_EXIT_URL = NEUTRAL


def _serve_neutral(page):
    page.route(
        re.compile(r"^https://neutral\.example/.*"), lambda route: route.fulfill(body="<h1>Weather</h1>")
    )


def test_quick_exit_button_leaves_and_drops_the_page_from_history(new_page, neutral_site):
    page = new_page()
    _serve_neutral(page)
    page.goto("/")
    page.goto("/about/")
    page.get_by_role("link", name="Leave this site").click()
    page.wait_for_url(NEUTRAL)
    page.go_back()
    # The About page was replaced in history: going back lands on the page before it.
    assert page.url.endswith("/") and not page.url.endswith("/about/")


def test_pressing_escape_twice_leaves(new_page, neutral_site):
    page = new_page()
    _serve_neutral(page)
    page.goto("/about/")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)


def test_help_page_quick_exit_drops_the_page_from_history(new_page, neutral_site):
    page = new_page()
    _serve_neutral(page)
    page.goto("/")
    page.goto("/help/")
    page.get_by_role("link", name="Leave this site").click()
    page.wait_for_url(NEUTRAL)
    page.go_back()
    # The help page was replaced in history: going back lands on the page before it.
    assert page.url.endswith("/") and not page.url.endswith("/help/")


def test_pressing_escape_twice_leaves_the_help_page(new_page, neutral_site):
    page = new_page()
    _serve_neutral(page)
    page.goto("/help/")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)


def test_quick_exit_works_as_a_plain_link_without_javascript(new_page, neutral_site):
    page = new_page(javascript=False)
    _serve_neutral(page)
    page.goto("/help/")
    page.get_by_role("link", name="Leave this site").click()
    page.wait_for_url(NEUTRAL)


def test_help_country_switch_without_javascript(new_page):
    page = new_page(javascript=False)
    page.goto("/help/")
    page.select_option("#country", "NZ")
    page.get_by_role("button", name="Show helplines").click()
    page.wait_for_url("**/help/?country=NZ")
    assert "Helplines in New Zealand" in page.locator("main").inner_text()
