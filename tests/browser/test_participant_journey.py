"""A newcomer's whole journey, by clicking only what the site shows: from the home page to the next
Gathering, signing up (with the emailed verification link), registering, finding the ticket on My Gatherings,
marking sessions and seeing them on My programme, joining a listening circle, giving feedback after the
Gathering, registering for the one after, downloading their data, and deleting the account, which cancels
the upcoming place and offers it to the next person on the waiting list."""

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from gathering.accounts.models import User
from gathering.circles.models import CircleMembership
from gathering.events.models import Event, FeedbackReceipt, FeedbackResponse, Registration
from gathering.events.services import RegistrationInput, registration_create
from gathering.programme.models import Interest

from ..factories import CircleSeriesFactory, EventFactory, TicketTypeFactory, UserFactory
from ..programme.attendee_data import grid, programme_for, publish, session
from .conftest import screenshot_folder, shot

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Hearing Voices Gathering in Leeds"
NAME = "Sam Newcomer"
EMAIL = "sam.newcomer@example.org"
PASSWORD = "a-kind-and-long-passphrase-77"
TICKET = "Free place"
NEXT_TITLE = "Hearing Voices Gathering in York"
CIRCLES = "Leeds listening circles"
REALLY_WANT = "Listening without fixing"
WOULD_LIKE = "Writing our own crisis plans"
COMMENT = "The quiet room made the whole day possible."


def header_link(page, name: str):
    """A link in the site's header, whichever of its two layouts (menu or inline) is showing."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def register_by_clicking(page, folder: Path, step: str, event: Event) -> None:
    """From the header's Gatherings link to a confirmed place: the form, check your answers, confirm."""
    main = page.locator("main")
    header_link(page, "Gatherings").click()
    page.wait_for_url("**/gatherings/")
    main.get_by_role("link", name=event.title).click()
    page.wait_for_url(f"**{event.get_absolute_url()}")
    main.get_by_role("link", name="Register", exact=True).click()
    page.wait_for_url("**/register/")
    assert page.get_by_label("Your name").input_value() == NAME
    page.get_by_role("radio", name=re.compile(TICKET)).check()
    main.get_by_role("button", name="Continue").click()
    assert "Check your answers" in page.get_by_role("heading", level=1).inner_text()
    assert TICKET in main.inner_text()
    shot(page, folder, f"{step}a-check-answers")
    main.get_by_role("button", name="Confirm and register").click()
    page.wait_for_url("**/my/gatherings/")
    assert "You are registered" in main.inner_text()
    shot(page, folder, f"{step}b-confirmed")


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


def test_newcomer_from_finding_a_gathering_to_deleting_their_account(new_page, live_server, settings):
    settings.GATHERING_BASE_URL = live_server.url
    folder = screenshot_folder("participant")

    event = EventFactory(title=TITLE, capacity=1)
    TicketTypeFactory(event=event, name=TICKET, kind="fixed", price_minor=0)
    # The Gathering has a published timetable of two sessions, and listening circles open for joining.
    programme = programme_for(event)
    (first_slot, second_slot), (room,) = grid(programme, slots=2, rooms=1, breaks=())
    for title, slot in ((REALLY_WANT, first_slot), (WOULD_LIKE, second_slot)):
        session(programme, title=title, slot=slot, room=room, status="scheduled")
    publish(programme)
    CircleSeriesFactory(event=event, name=CIRCLES)
    # The Gathering after it, a month later, has one place.
    next_event = EventFactory(title=NEXT_TITLE, capacity=1, starts_at=event.starts_at + timedelta(days=30))
    TicketTypeFactory(event=next_event, name=TICKET, kind="fixed", price_minor=0)

    page = new_page()
    main = page.locator("main")

    # 1. From the home page to the next Gathering.
    page.goto("/")
    page.get_by_role("link", name=TITLE).first.click()
    page.wait_for_url(f"**{event.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert "1 place left" in main.inner_text()
    shot(page, folder, "01-gathering")

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
    assert header_link(page, "Sign out").is_visible()
    shot(page, folder, "02-signed-in")

    # 3. Back to the Gathering by clicking, register, check the answers, confirm.
    register_by_clicking(page, folder, "03", event)
    assert any(EMAIL in m.to and TITLE in m.body for m in mail.outbox), "no confirmation email"
    newcomer = User.objects.get(email=EMAIL)
    place = Registration.objects.get(event=event, user=newcomer)
    assert place.status == Registration.Status.CONFIRMED

    # 4. My Gatherings holds the place and the ticket for the door: the reference from the email.
    header_link(page, "My Gatherings").click()
    page.wait_for_url("**/my/gatherings/")
    mine = main.locator("section.panel", has=page.get_by_role("link", name=TITLE))
    assert "Confirmed" in mine.inner_text()
    assert f"Ticket: {TICKET}" in mine.inner_text()
    assert f"Your reference for the door: G{event.pk}-{place.pk}." in mine.inner_text()
    shot(page, folder, "04-ticket")

    # 5. From the Gathering to its programme: mark two sessions, then see them on My programme.
    header_link(page, "Gatherings").click()
    page.wait_for_url("**/gatherings/")
    main.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"**{event.get_absolute_url()}")
    main.get_by_role("link", name=re.compile("^Programme")).click()
    page.wait_for_url(f"**/gatherings/{event.slug}/programme/")
    for level, title in (("Really want", REALLY_WANT), ("Would like", WOULD_LIKE)):
        button = main.get_by_role("button", name=f"{level} to attend “{title}”")
        button.click()
        main.locator(f"button[aria-pressed=true]:has-text('{title}')").wait_for()
    shot(page, folder, "05a-sessions-marked")
    header_link(page, "My programme").click()
    page.wait_for_url("**/my/programme/")
    agenda = main.get_by_role("table", name=f"Your sessions at {TITLE}")
    for level, title in (("Really want", REALLY_WANT), ("Would like", WOULD_LIKE)):
        row = agenda.get_by_role("row").filter(has=page.get_by_role("link", name=title))
        assert row.get_by_role("cell").last.inner_text() == level
    shot(page, folder, "05b-my-programme")
    levels = dict(Interest.objects.filter(user=newcomer).values_list("session__title", "level"))
    assert levels == {REALLY_WANT: Interest.Level.REALLY_WANT, WOULD_LIKE: Interest.Level.WOULD_LIKE}

    # 6. Join the Gathering's listening circles (open to people with a place), then see them in My circles.
    header_link(page, "Listening circles").click()
    page.wait_for_url("**/circles/")
    main.locator("section.panel", has_text=TITLE).get_by_role("link", name=CIRCLES).click()
    main.get_by_role("link", name="Join these circles").click()
    page.wait_for_url("**/join/")
    page.get_by_label("I have read the group agreement and I agree to it").check()
    main.get_by_role("button", name="Join", exact=True).click()
    page.wait_for_url("**/my/circles/*/")
    assert "You have joined." in page.inner_text("body")
    shot(page, folder, "06a-joined-circles")
    header_link(page, "My circles").click()
    page.wait_for_url("**/my/circles/")
    circles = main.locator("section.panel", has=page.get_by_role("link", name=CIRCLES))
    assert "Taking part" in circles.inner_text()
    shot(page, folder, "06b-my-circles")
    membership = CircleMembership.objects.get(user=newcomer)
    assert (membership.series.event, membership.status) == (event, CircleMembership.Status.ACTIVE)

    # 7. Time passes: moving the Gathering's dates into the past stands for the day having come and gone.
    # My Gatherings then offers the anonymous feedback survey.
    # Saved as an organiser's change would be, so the pages kept in the cache learn of it.
    started = timezone.now() - timedelta(days=2)
    event.starts_at, event.ends_at = started, started + timedelta(hours=7)
    event.save(update_fields=["starts_at", "ends_at"])
    header_link(page, "My Gatherings").click()
    page.wait_for_url("**/my/gatherings/")
    mine.get_by_role("link", name=re.compile("^Give feedback")).click()
    page.wait_for_url(f"**/gatherings/{event.slug}/feedback/?t=*")
    assert page.get_by_role("heading", level=1).inner_text() == f"How was {TITLE}?"
    main.get_by_role("group", name=re.compile("Did you feel safe")).get_by_label("5").check()
    main.get_by_label(re.compile("Anything else you would like to tell the organisers")).fill(COMMENT)
    shot(page, folder, "07a-feedback")
    main.get_by_role("button", name="Send feedback").click()
    page.get_by_role("heading", level=1, name="Thank you for your feedback").wait_for()
    header_link(page, "My Gatherings").click()
    page.wait_for_url("**/my/gatherings/")
    assert "Thank you, we have your feedback." in mine.inner_text()
    assert "Your reference for the door" not in mine.inner_text()  # the door has closed
    shot(page, folder, "07b-feedback-given")
    assert FeedbackReceipt.objects.filter(registration=place).exists()
    response = FeedbackResponse.objects.get(event=event)
    assert (response.felt_safe, response.comment) == (5, COMMENT)

    # 8. On to the next Gathering: its one place is theirs.
    register_by_clicking(page, folder, "08", next_event)
    next_place = Registration.objects.get(event=next_event, user=newcomer)
    assert next_place.status == Registration.Status.CONFIRMED

    # Someone else wants to come: the next Gathering (capacity 1) is full, so they wait.
    waiting_person = UserFactory(name="Wren Waiting")
    ticket = next_event.ticket_types.get()
    waiting = registration_create(
        event=next_event,
        user=waiting_person,
        data=RegistrationInput(
            ticket_type_id=ticket.pk, name=waiting_person.name, email=waiting_person.email
        ),
    ).registration
    assert waiting.status == Registration.Status.WAITLISTED

    # 9. Download everything held about them: each link in the file names what it points at.
    header_link(page, "My data").click()
    page.wait_for_url("**/privacy/my-data/")
    assert TITLE in main.inner_text() and NEXT_TITLE in main.inner_text()
    shot(page, folder, "09-my-data")
    with page.expect_download() as download_info:
        main.get_by_role("link", name=re.compile("Download it as a file")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    exported = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert exported["exported_for"] == EMAIL
    data = exported["data"]
    places = {row["event"]: row for row in data["events.registration"]["rows"]}
    assert {pk: (row["event_name"], row["status"], row["name"]) for pk, row in places.items()} == {
        event.pk: (TITLE, "confirmed", NAME),
        next_event.pk: (NEXT_TITLE, "confirmed", NAME),
    }
    assert sorted(row["session_name"] for row in data["programme.interest"]["rows"]) == [
        f"“{REALLY_WANT}” at {TITLE}",
        f"“{WOULD_LIKE}” at {TITLE}",
    ]
    (joined,) = data["circles.circlemembership"]["rows"]
    assert (joined["series_name"], joined["status"]) == (CIRCLES, "active")

    # 10. Delete the account: the page says what happens to the place, the circles and the marks.
    header_link(page, "Account").click()
    page.wait_for_url("**/account/")
    page.get_by_role("navigation", name="Your account").get_by_role("link", name="Delete account").click()
    page.wait_for_url("**/account/delete/")
    leaving = main.inner_text()
    assert f"{NEXT_TITLE}: your place will be cancelled" in leaving
    assert f"{TITLE}: your place" not in leaving  # that Gathering is over: the place stays, for the counts
    assert f"{CIRCLES}: you will leave quietly." in leaving
    assert "your marks on sessions" in leaving
    assert "That a place at a Gathering was taken or cancelled, with its ticket, without your name" in leaving
    shot(page, folder, "10a-delete-account")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label(re.compile("I understand")).check()
    main.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Your account has been deleted" in page.inner_text("body")
    shot(page, folder, "10b-deleted")

    assert not User.objects.filter(email=EMAIL).exists()
    next_place.refresh_from_db()
    assert next_place.status == Registration.Status.CANCELLED
    assert next_place.user is None and next_place.name == "Erased person" and EMAIL not in next_place.email
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.OFFERED
    assert waiting.offer_expires_at is not None
    place.refresh_from_db()
    assert place.status == Registration.Status.CONFIRMED
    assert place.user is None and place.name == "Erased person" and EMAIL not in place.email
    membership.refresh_from_db()
    assert (membership.status, membership.user) == (CircleMembership.Status.LEFT, None)
    assert not Interest.objects.exists()
