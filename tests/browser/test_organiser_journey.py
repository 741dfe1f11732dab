"""An organiser's whole journey, by clicking only what the site shows: from the home page to an earlier
Gathering, copying it as a new draft, previewing what the public will see, publishing it, running the
check-in desk on a phone-sized screen, and optimising and publishing the programme's timetable."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gathering.events.models import Event, Registration
from gathering.events.services import RegistrationInput, registration_create
from gathering.programme import services as programme_services
from gathering.programme.models import Session, TimetableRun

from ..factories import EventFactory, TicketTypeFactory, UserFactory
from .conftest import screenshot_folder, shot

pytestmark = pytest.mark.django_db(transaction=True)

PAST_TITLE = "Autumn Gathering in Leeds"
NEW_TITLE = "Spring Gathering in Leeds"
FREE = "Free place"
STANDARD = "Standard"
LONDON = ZoneInfo("Europe/London")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Confirmed attendees of the new Gathering; the last one pays at the door.
PEOPLE = ["Ada Okafor", "Bea Lindqvist", "Cal Mensah", "Dee Rahman"]
PAYS_AT_THE_DOOR = "Dee Rahman"
SESSIONS = [
    "Hearing voices: what helps",
    "Open Dialogue, the first meeting",
    "Peer support on acute wards",
    "Writing our own crisis plans",
    "Listening without fixing",
]


def local(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def past_gathering(organiser) -> Event:
    """An earlier Gathering, long over: two tickets and a programme grid of four sessions' slots, a lunch
    break and two rooms, made by the organiser the way the grid page makes them."""
    day = timezone.localdate() - timedelta(days=200)
    event = EventFactory(
        title=PAST_TITLE,
        organisers=[organiser],
        starts_at=local(day, 10),
        ends_at=local(day, 17),
        capacity=40,
    )
    TicketTypeFactory(event=event, name=FREE, price_minor=0, position=0)
    TicketTypeFactory(event=event, name=STANDARD, price_minor=1500, position=1)
    programme = programme_services.programme_create(event=event, actor=organiser)
    for hour in (10, 11, 12, 13, 14):
        programme_services.slot_save(
            programme=programme,
            actor=organiser,
            starts_at=local(day, hour),
            ends_at=local(day, hour + 1),
            is_break=hour == 12,
            label="Lunch" if hour == 12 else "",
        )
    for position, (name, capacity, features) in enumerate(
        [("Main hall", 40, ["step_free"]), ("Garden room", 12, [])]
    ):
        programme_services.room_save(
            programme=programme,
            actor=organiser,
            data=programme_services.RoomInput(
                name=name, capacity=capacity, features=features, position=position
            ),
        )
    return event


def registrations_and_proposals(event: Event) -> None:
    """People register for the new Gathering (one to pay at the door), propose open-space sessions and
    mark the ones they want: Ada and Bea both want the first two, so those two must not share a slot."""
    people = {}
    for n, name in enumerate(PEOPLE):
        person = UserFactory(name=name, email=f"attendee{n}@example.org")
        ticket = event.ticket_types.get(name=STANDARD if name == PAYS_AT_THE_DOOR else FREE)
        extra = {"amount_minor": 1500, "payment": "on_the_day"} if name == PAYS_AT_THE_DOOR else {}
        registration_create(
            event=event,
            user=person,
            data=RegistrationInput(ticket_type_id=ticket.pk, name=name, email=person.email, **extra),
        )
        people[name] = person
    programme = event.programme
    proposers = [people[name] for name in PEOPLE if name != PAYS_AT_THE_DOOR]
    sessions = [
        programme_services.session_propose(
            programme=programme, user=proposers[n % len(proposers)], title=title
        )
        for n, title in enumerate(SESSIONS)
    ]
    for name in ("Ada Okafor", "Bea Lindqvist"):
        programme_services.interest_set(user=people[name], session=sessions[0], level=2)
        programme_services.interest_set(user=people[name], session=sessions[1], level=1)


def submit(page, button) -> None:
    """Press a form's button and wait for the page it leads to: the desk's forms come back to the same
    address, so there is no new URL to wait for."""
    with page.expect_navigation():
        button.click()


def desk_counts(page) -> dict[str, int]:
    """The check-in desk's numbers, by their labels."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll(".desk-counts div")]
        .map(d => [d.querySelector("dt").textContent.trim(), Number(d.querySelector("dd").textContent)]))"""
    )


def public_grid(page) -> dict[str, list[str]]:
    """Each session in the public timetable grid, with the times of its row and the room of its column."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("table.grid td a")].map(a => {
            const cell = a.closest("td"), row = cell.closest("tr");
            const room = row.closest("table").querySelectorAll("thead th")[cell.cellIndex];
            return [a.textContent.trim(), [row.querySelector("th").textContent.trim(), room.textContent]];
        }))"""
    )


def hours(slot) -> str:
    return (
        f"{timezone.localtime(slot.starts_at, LONDON):%H:%M}–{timezone.localtime(slot.ends_at, LONDON):%H:%M}"
    )


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > 390")


def test_organiser_copies_publishes_checks_in_and_publishes_the_timetable(new_page, live_server):
    folder = screenshot_folder("organiser")

    page = new_page("organiser")
    organiser = page.user
    past = past_gathering(organiser)
    page.set_viewport_size(DESKTOP)
    main = page.locator("main")
    new_date = timezone.localdate() + timedelta(days=60)

    # 1. From the home page to the earlier Gathering in the staff area, and copy it as a new draft.
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    page.wait_for_url("**/staff/")
    shot(page, folder, "1a-staff-home")
    main.get_by_role("link", name="Gatherings", exact=True).click()
    page.wait_for_url("**/staff/gatherings/")
    main.get_by_role("link", name=PAST_TITLE, exact=True).click()
    page.wait_for_url(f"**/staff/gatherings/{past.slug}/")
    main.get_by_role("link", name="Copy as a new Gathering").click()
    page.wait_for_url(f"**/staff/gatherings/{past.slug}/copy/")
    assert page.get_by_label("Title of the new Gathering").input_value() == PAST_TITLE
    page.get_by_label("Title of the new Gathering").fill(NEW_TITLE)
    page.get_by_label("Date it starts").fill(new_date.isoformat())
    shot(page, folder, "1b-copy-form")
    main.get_by_role("button", name="Copy as a new Gathering").click()
    page.wait_for_url("**/edit/")
    new = Event.objects.get(title=NEW_TITLE)
    assert page.url.endswith(f"/staff/gatherings/{new.slug}/edit/")
    assert "The new Gathering is a draft" in page.locator(".notices").inner_text()
    assert page.get_by_label("Status").input_value() == "draft"
    assert new.status == Event.Status.DRAFT
    assert timezone.localtime(new.starts_at, LONDON).date() == new_date
    assert timezone.localtime(new.starts_at, LONDON).time() == time(10)
    assert sorted(new.ticket_types.values_list("name", flat=True)) == [FREE, STANDARD]
    assert list(new.organisers.all()) == [organiser]
    assert new.programme.slots.filter(is_break=False).count() == 4
    assert list(new.programme.rooms.values_list("name", flat=True)) == ["Main hall", "Garden room"]
    shot(page, folder, "1c-draft-saved")

    # 2. Preview the draft: the public page as it will look, which nobody else can open yet.
    main.get_by_role("link", name=re.compile("^Preview")).click()
    page.wait_for_url(f"{live_server.url}/gatherings/{new.slug}/")
    assert "Preview: this Gathering is not published yet" in main.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == NEW_TITLE
    assert main.get_by_role("button", name="Register").is_disabled()
    assert "Registration opens when the Gathering is published." in main.inner_text()
    assert main.locator("h2:text-is('Tickets') + ul").inner_text() == f"{FREE}: Free\n{STANDARD}: £15"
    assert main.get_by_role("link", name="Programme: sessions, timetable and proposal board").is_visible()
    shot(page, folder, "2-preview")

    # 3. Back to the staff page of the new Gathering, and publish it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    page.wait_for_url("**/staff/")
    main.get_by_role("link", name="Gatherings", exact=True).click()
    page.wait_for_url("**/staff/gatherings/")
    row = main.get_by_role("row", name=re.compile(NEW_TITLE))
    assert "Draft" in row.inner_text()
    main.get_by_role("link", name=NEW_TITLE, exact=True).click()
    page.wait_for_url(f"**/staff/gatherings/{new.slug}/")
    main.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url(f"**/staff/gatherings/{new.slug}/edit/")
    page.get_by_label("Status").select_option(label="Published")
    main.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/staff/gatherings/{new.slug}/")
    assert "Saved." in page.locator(".notices").inner_text()
    new.refresh_from_db()
    assert new.status == Event.Status.PUBLISHED
    main.get_by_role("link", name="Public page").click()
    page.wait_for_url(f"{live_server.url}/gatherings/{new.slug}/")
    assert "Preview" not in main.inner_text()
    assert main.get_by_role("link", name="Register", exact=True).is_visible()
    assert "40 places left" in main.inner_text()
    shot(page, folder, "3-published")

    # People register (one pays at the door) and propose sessions for the programme.
    registrations_and_proposals(new)

    # 4. The check-in desk on a phone: find a person, check them in, undo it, check them in again, and take
    # the door payment.
    page.set_viewport_size(PHONE)
    page.get_by_role("navigation", name="Main").get_by_text("Menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    page.wait_for_url("**/staff/")
    main.get_by_role("link", name="Gatherings", exact=True).click()
    page.wait_for_url("**/staff/gatherings/")
    main.get_by_role("link", name=NEW_TITLE, exact=True).click()
    page.wait_for_url(f"**/staff/gatherings/{new.slug}/")
    main.get_by_role("link", name="Open check-in").click()
    page.wait_for_url(f"**/staff/gatherings/{new.slug}/check-in/")
    assert desk_counts(page) == {"Expected": 4, "Arrived": 0, "Payment due": 1}
    assert not scrolls_sideways(page)
    shot(page, folder, "4a-desk")

    page.get_by_label("Name, or the reference from the email").fill("ada")
    submit(page, main.get_by_role("button", name="Find"))
    assert main.get_by_role("heading", name="Matches").is_visible()
    assert main.locator(".checkin-list > li").count() == 1
    assert not scrolls_sideways(page)
    shot(page, folder, "4b-search")
    submit(page, main.get_by_role("button", name="Check in Ada Okafor"))
    assert "Ada Okafor is checked in." in page.locator(".notices").inner_text()
    assert desk_counts(page) == {"Expected": 4, "Arrived": 1, "Payment due": 1}
    shot(page, folder, "4c-checked-in")

    submit(page, main.get_by_role("button", name="Undo check-in – Ada Okafor"))
    assert "Ada Okafor is no longer checked in." in page.locator(".notices").inner_text()
    assert desk_counts(page) == {"Expected": 4, "Arrived": 0, "Payment due": 1}
    assert not scrolls_sideways(page)
    shot(page, folder, "4d-undone")

    submit(page, main.get_by_role("button", name="Check in Ada Okafor"))
    assert "Ada Okafor is checked in." in page.locator(".notices").inner_text()
    submit(page, main.get_by_role("button", name=f"Mark paid – {PAYS_AT_THE_DOOR}"))
    assert f"{PAYS_AT_THE_DOOR} has paid." in page.locator(".notices").inner_text()
    submit(page, main.get_by_role("button", name=f"Check in {PAYS_AT_THE_DOOR}"))
    assert desk_counts(page) == {"Expected": 4, "Arrived": 2, "Payment due": 0}
    assert not scrolls_sideways(page)
    shot(page, folder, "4e-desk-after")
    arrived = Registration.objects.filter(event=new, checked_in_at__isnull=False)
    assert sorted(arrived.values_list("name", flat=True)) == ["Ada Okafor", PAYS_AT_THE_DOOR]
    assert Registration.objects.get(event=new, name=PAYS_AT_THE_DOOR).paid_at is not None

    # 5. Back at a desk: the programme, the optimiser (the shortest time), and publishing its timetable.
    page.set_viewport_size(DESKTOP)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    page.wait_for_url("**/staff/")
    main.get_by_role("link", name="Programmes", exact=True).click()
    page.wait_for_url("**/staff/programme/")
    main.get_by_role("link", name=NEW_TITLE, exact=True).click()
    page.wait_for_url(f"**/staff/programme/{new.slug}/")
    assert "The timetable is not published yet." in main.inner_text()
    assert "The grid has 4 slots and 2 rooms." in main.inner_text()
    for title in SESSIONS:
        assert main.get_by_role("link", name=title).is_visible()
    shot(page, folder, "5a-programme")
    main.get_by_role("radio", name="5 seconds").check()
    main.get_by_role("button", name="Optimise").click()
    page.wait_for_url(re.compile(rf"/staff/programme/{new.slug}/runs/\d+/$"))
    shot(page, folder, "5b-run-working")
    # The run page refreshes itself while the optimiser works.
    publish = main.get_by_role("button", name="Publish this timetable")
    publish.wait_for(timeout=60_000)
    assert page.get_by_role("status").filter(has_text="Ready to review").is_visible()
    assert "0 sessions move, 5 newly placed, 0 unchanged." in main.inner_text()
    assert main.locator("dt:text-is('Interest clashes') + dd").inner_text() == "0"
    shot(page, folder, "5c-run-done")
    publish.click()
    page.wait_for_url(f"**/staff/programme/{new.slug}/timetable/")
    assert "The timetable is published." in main.inner_text()
    run = TimetableRun.objects.get(programme__event=new)
    assert run.status == TimetableRun.Status.PUBLISHED
    placed = Session.objects.filter(programme__event=new)
    assert {s.status for s in placed} == {Session.Status.SCHEDULED}
    assert all(s.slot_id and s.room_id for s in placed)
    wanted = placed.filter(title__in=SESSIONS[:2])
    assert len({s.slot_id for s in wanted}) == 2, "the two sessions Ada and Bea want share a slot"
    shot(page, folder, "5d-staff-timetable")

    # What the public now sees: every session in the grid.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gatherings", exact=True).click()
    page.wait_for_url(f"{live_server.url}/gatherings/")
    main.get_by_role("link", name=NEW_TITLE).click()
    page.wait_for_url(f"{live_server.url}/gatherings/{new.slug}/")
    main.get_by_role("link", name="Programme: sessions, timetable and proposal board").click()
    page.wait_for_url(f"**/gatherings/{new.slug}/programme/")
    assert "The timetable is not out yet." not in main.inner_text()
    assert main.locator("table.grid").is_visible()
    assert public_grid(page) == {
        session.title: [hours(session.slot), session.room.name]
        for session in placed.select_related("slot", "room")
    }
    shot(page, folder, "5e-public-programme")
