"""The header in a real browser: on a phone the links sit in a "Menu" disclosure that opens with the keyboard
and without JavaScript, with no axe-core violations and no sideways scrolling, open or closed; on a wide
screen the same links are shown in a row."""

import pytest

from .conftest import axe_violations, tab_to

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


@pytest.mark.parametrize("role", [None, "participant", "admin"], ids=["visitor", "participant", "admin"])
def test_phone_menu_is_accessible_open_and_closed(new_page, role):
    page = new_page(role)
    page.set_viewport_size(PHONE)
    page.goto("/")
    menu = page.locator("nav.site-nav summary")
    assert menu.is_visible()
    assert menu.inner_text().strip().endswith("Menu")
    assert not page.get_by_role("link", name="Gatherings", exact=True).is_visible()
    assert not scrolls_sideways(page)
    assert axe_violations(page) == []

    tab_to(page, "nav.site-nav summary")
    page.keyboard.press("Enter")
    assert page.locator("details.nav-menu").get_attribute("open") is not None
    assert page.get_by_role("link", name="Gatherings", exact=True).is_visible()
    assert page.get_by_role("link", name="Get help now").is_visible()
    assert not scrolls_sideways(page)
    assert axe_violations(page) == []


def test_phone_menu_opens_without_javascript(new_page):
    page = new_page("participant", javascript=False)
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.locator("nav.site-nav summary").click()
    page.get_by_role("link", name="My programme").click()
    page.wait_for_url("**/my/programme/")
    assert page.locator("h1").count() == 1


def test_wide_screen_shows_the_links_in_a_row(new_page):
    page = new_page("participant")
    page.set_viewport_size(WIDE)
    page.goto("/gatherings/")
    assert not page.locator("nav.site-nav summary").is_visible()
    gatherings = page.get_by_role("link", name="Gatherings", exact=True)
    assert gatherings.count() == 1
    assert gatherings.is_visible()
    assert gatherings.get_attribute("aria-current") == "page"
    assert page.get_by_role("link", name="My Gatherings").is_visible()
    assert not scrolls_sideways(page)
    assert axe_violations(page) == []
