"""A partner organisation's member and an organiser, by clicking only what the site shows: the member signs
in, goes to their organisation from the account pages and proposes a change to one of its services; the
organiser signs in with a code from their authenticator app, opens the directory's moderation queue, reads
the differences in words and approves them; the public page of the service then shows the change. Every
page on the way passes axe-core."""

import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

from gathering.directory import models as m

from ..directory.partner_data import member_of, partner_service
from ..factories import PASSWORD, TOTP_SECRET, UserFactory, make_staff
from .conftest import axe_violations, screenshot_folder, shot

pytestmark = pytest.mark.django_db(transaction=True)

NEW_WORDS = "A group for people who hear voices, now on Thursday evenings as well as Tuesdays."


def sign_in(page, email: str) -> None:
    """From the home page: the header's "Sign in", then the email address and password."""
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").first.click()
    page.wait_for_url("**/accounts/login/**")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()


def test_a_partner_proposes_a_change_and_an_organiser_approves_it(new_page):
    service = partner_service()
    member = member_of(service.organization, UserFactory(name="Robin Ashby", email="robin@example.org"))
    organiser = make_staff("organiser", email="morgan@example.org", name="Morgan Ellis")
    folder = screenshot_folder("partner")

    # 1. The member signs in, and reaches their organisation from the account pages.
    page = new_page()
    main = page.locator("main")
    sign_in(page, member.user.email)
    page.wait_for_url("**/account/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").first.click()
    page.wait_for_url("**/account/")
    page.get_by_role("navigation", name="Your account").get_by_role("link", name="Your organisations").click()
    page.wait_for_url("**/my/organisations/")
    assert axe_violations(page) == []
    main.get_by_role("link", name="Riverside Recovery Trust").click()
    page.wait_for_url(f"**/my/organisations/{service.organization.pk}/")
    assert "Never checked" in main.inner_text()
    assert axe_violations(page) == []
    shot(page, folder, "1-organisation")

    # 2. They propose an edit: new words, and Thursday evenings as well as Tuesdays.
    main.get_by_role("link", name="Propose an edit to Leeds Hearing Voices Group").click()
    page.wait_for_url("**/edit/")
    assert page.get_by_label("Name of the service").input_value() == "Leeds Hearing Voices Group"
    assert page.get_by_label("Tuesday: opens").input_value() == "18:00"
    assert axe_violations(page) == []
    page.get_by_label("What the service offers (optional)").fill(NEW_WORDS)
    page.get_by_label("Thursday: opens").fill("18:00")
    shot(page, folder, "2a-proposal-form")
    main.get_by_role("button", name="Send to an organiser").click()
    # A mistake first: a closing time is missing, and the page says which.
    assert "Enter when it closes on Thursday" in page.locator(".error-summary").inner_text()
    assert axe_violations(page) == []
    page.get_by_label("Thursday: closes").fill("20:00")
    main.get_by_role("button", name="Send to an organiser").click()
    page.wait_for_url("**/proposals/*/")
    assert "Waiting for an organiser" in main.inner_text()
    assert "Tuesday and Thursday, 6pm to 8pm" in main.inner_text()
    assert axe_violations(page) == []
    shot(page, folder, "2b-proposal-sent")
    proposal = m.ServiceProposal.objects.get()

    # 3. The organiser signs in with the code from their authenticator app.
    staff = new_page()
    staff_main = staff.locator("main")
    sign_in(staff, organiser.email)
    staff.wait_for_url("**/accounts/2fa/authenticate/**")
    code = format_hotp_value(hotp_value(TOTP_SECRET, next(iter(yield_hotp_counters_from_time()))))
    staff.locator("#id_code").fill(code)
    staff_main.get_by_role("button", name="Sign in").click()
    staff.wait_for_url("**/account/")

    # 4. Staff, Directory: the proposal waits in the queue.
    staff.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").first.click()
    staff.wait_for_url("**/staff/")
    staff_main.get_by_role("link", name="Directory", exact=True).click()
    staff.wait_for_url("**/staff/directory/")
    assert "One proposal waiting" in staff_main.inner_text()
    assert axe_violations(staff) == []
    shot(staff, folder, "3-queue")
    staff_main.get_by_role("link", name="Changes to Leeds Hearing Voices Group").click()
    staff.wait_for_url(f"**/staff/directory/proposals/{proposal.pk}/")

    # 5. The differences, in words, part by part; then approve.
    rows = staff_main.locator("table.changes tbody tr")
    assert rows.count() == 2
    description = rows.nth(0).inner_text()
    assert description.startswith("Description")
    assert "A group for people who hear voices." in description and NEW_WORDS in description
    hours = rows.nth(1).inner_text()
    assert re.search(r"Opening hours\s+Tuesday, 6pm to 8pm\s+Tuesday and Thursday, 6pm to 8pm", hours), hours
    assert "Robin Ashby" in staff_main.inner_text()
    assert axe_violations(staff) == []
    shot(staff, folder, "4-differences")
    staff_main.get_by_role("button", name="Approve", exact=True).click()
    staff.wait_for_url("**/staff/directory/")
    assert (
        "Approved: “Leeds Hearing Voices Group” now shows the changes."
        in staff.locator(".notices").inner_text()
    )
    assert "Nothing is waiting." in staff_main.inner_text()

    # 6. From the decided proposal to the public page, which shows the change.
    staff_main.get_by_role("link", name="Leeds Hearing Voices Group").first.click()
    staff.wait_for_url(f"**/staff/directory/proposals/{proposal.pk}/")
    staff_main.get_by_role("link", name="Leeds Hearing Voices Group").click()
    staff.wait_for_url(f"**/find-support/services/{service.pk}/")
    public = staff_main.inner_text()
    assert NEW_WORDS in public
    assert "Tuesday and Thursday, 6pm to 8pm" in public
    assert "Last checked by our network on" in public
    assert axe_violations(staff) == []
    shot(staff, folder, "5-public-page")

    # The member sees it approved.
    page.reload()
    assert "Approved" in main.inner_text()
