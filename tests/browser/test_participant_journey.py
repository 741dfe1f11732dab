"""A newcomer's whole journey, by clicking only what the site shows: from the home page to the next
Gathering, signing up (with the emailed verification link), registering, seeing the place on My Gatherings,
downloading their data, and deleting the account, which cancels the place and offers it to the next person
on the waiting list."""

import json
import re
import time
from pathlib import Path

import pytest
from django.core import mail

from gathering.accounts.models import User
from gathering.events.models import Registration
from gathering.events.services import RegistrationInput, registration_create

from ..factories import EventFactory, TicketTypeFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Hearing Voices Gathering in Leeds"
NAME = "Sam Newcomer"
EMAIL = "sam.newcomer@example.org"
PASSWORD = "a-kind-and-long-passphrase-77"
TICKET = "Free place"


def shot(page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def emailed_link(to: str, path_prefix: str, base_url: str) -> str:
    """The link in the latest email to `to` whose path starts with `path_prefix`, waiting briefly for it:
    email is delivered just after the request's transaction commits."""
    pattern = re.compile(re.escape(base_url + path_prefix) + r"\S+")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for message in reversed(mail.outbox):
            if to in message.to and (found := pattern.search(message.body)):
                return found.group(0)
        time.sleep(0.05)
    raise AssertionError(f"no email to {to} with a {path_prefix} link: {[m.subject for m in mail.outbox]}")


def test_newcomer_finds_registers_downloads_data_and_deletes_account(
    new_page, live_server, settings, tmp_path
):
    settings.GATHERING_BASE_URL = live_server.url
    folder = tmp_path / "journeys" / "participant"
    folder.mkdir(parents=True)
    print(f"Screenshots: {folder}")

    event = EventFactory(title=TITLE, capacity=1)
    TicketTypeFactory(event=event, name=TICKET, kind="fixed", price_minor=0)

    page = new_page()
    main = page.locator("main")

    # 1. From the home page to the next Gathering.
    page.goto("/")
    page.get_by_role("link", name=TITLE).first.click()
    page.wait_for_url(f"**{event.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert "1 place left" in main.inner_text()
    shot(page, folder, "1-gathering")

    # 2. Create an account, follow the emailed link, confirm: signed in.
    page.get_by_role("link", name="Create an account").first.click()
    page.wait_for_url("**/accounts/signup/")
    page.locator("#id_name").fill(NAME)
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    main.get_by_role("button", name=re.compile("sign up|create", re.I)).click()
    page.wait_for_url("**/accounts/confirm-email/")
    page.goto(emailed_link(EMAIL, "/accounts/confirm-email/", live_server.url))
    main.get_by_role("button", name=re.compile("confirm", re.I)).click()
    page.wait_for_url("**/account/")
    assert page.get_by_role("link", name="Sign out").first.is_visible()
    shot(page, folder, "2-signed-in")

    # 3. Back to the Gathering by clicking, register, check the answers, confirm.
    page.get_by_role("link", name="Gatherings", exact=True).first.click()
    page.wait_for_url("**/gatherings/")
    main.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"**{event.get_absolute_url()}")
    main.get_by_role("link", name="Register", exact=True).click()
    page.wait_for_url("**/register/")
    assert page.get_by_label("Your name").input_value() == NAME
    page.get_by_role("radio", name=re.compile(TICKET)).check()
    main.get_by_role("button", name="Continue").click()
    assert "Check your answers" in page.get_by_role("heading", level=1).inner_text()
    assert TICKET in main.inner_text()
    shot(page, folder, "3a-check-answers")
    main.get_by_role("button", name="Confirm and register").click()
    page.wait_for_url("**/my/gatherings/")
    assert "You are registered" in main.inner_text()
    shot(page, folder, "3b-confirmed")

    page.get_by_role("link", name="My Gatherings").first.click()
    page.wait_for_url("**/my/gatherings/")
    mine = main.locator("section.panel", has=page.get_by_role("link", name=TITLE))
    assert "Confirmed" in mine.inner_text()
    assert f"Ticket: {TICKET}" in mine.inner_text()
    shot(page, folder, "3c-my-gatherings")

    assert any(EMAIL in m.to and TITLE in m.body for m in mail.outbox), "no confirmation email"
    newcomer = User.objects.get(email=EMAIL)
    place = Registration.objects.get(event=event, user=newcomer)
    assert place.status == Registration.Status.CONFIRMED

    # Someone else wants to come: the Gathering (capacity 1) is full, so they wait.
    waiting_person = UserFactory(name="Wren Waiting")
    ticket = event.ticket_types.get()
    waiting = registration_create(
        event=event,
        user=waiting_person,
        data=RegistrationInput(
            ticket_type_id=ticket.pk, name=waiting_person.name, email=waiting_person.email
        ),
    ).registration
    assert waiting.status == Registration.Status.WAITLISTED

    # 4. Download everything held about them.
    page.get_by_role("link", name="My data").first.click()
    page.wait_for_url("**/privacy/my-data/")
    assert TITLE in main.inner_text()
    shot(page, folder, "4-my-data")
    with page.expect_download() as download_info:
        main.get_by_role("link", name=re.compile("Download it as a file")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    exported = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert exported["exported_for"] == EMAIL
    (row,) = exported["data"]["events.registration"]["rows"]
    assert (row["event"], row["status"], row["name"]) == (event.pk, "confirmed", NAME)
    # The file names the Gathering only by its id (the page above shows its title): reported, not asserted.

    # 5. Delete the account: the page says the place will be cancelled.
    page.get_by_role("link", name="Account", exact=True).first.click()
    page.wait_for_url("**/account/")
    page.get_by_role("navigation", name="Your account").get_by_role("link", name="Delete account").click()
    page.wait_for_url("**/account/delete/")
    assert f"{TITLE}: your place will be cancelled" in main.inner_text()
    shot(page, folder, "5a-delete-account")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label(re.compile("I understand")).check()
    main.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Your account has been deleted" in page.inner_text("body")
    shot(page, folder, "5b-deleted")

    assert not User.objects.filter(email=EMAIL).exists()
    place.refresh_from_db()
    assert place.status == Registration.Status.CANCELLED
    assert place.user is None and place.name == "Erased person" and EMAIL not in place.email
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.OFFERED
    assert waiting.offer_expires_at is not None
