"""Narrow phones: the check-in desk, the registrations page, My programme and the account page fit 390 px
and 320 px wide screens without scrolling sideways (wide tables scroll inside their own labelled region),
and have no axe-core violations there."""

import pytest

from gathering.events.services import RegistrationInput, registration_create

from ..factories import EventFactory, TicketTypeFactory, UserFactory
from ..programme.attendee_data import attendee, grid, mark, programme_for, publish, session
from .conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [390, 320]
LONG_EMAIL = "someone.with.a.rather.long.address.for.testing@an-organisation-with-a-long-name.example.org"


def desk_event(organiser):
    """A Gathering with people in every state the desk shows: due to pay, arrived, with access needs."""
    event = EventFactory(
        title="Spring Gathering of the Compassionate Mental Health Network",
        capacity=20,
        organisers=[organiser],
    )
    TicketTypeFactory(event=event, name="Standard ticket with a long name")
    TicketTypeFactory(event=event, name="Solidarity", kind="solidarity", price_minor=3000)
    for n, (name, extra) in enumerate(
        [
            ("Alexandria Montgomery-Wolstenholme", {}),
            ("Bea", {"amount_minor": 3000, "payment": "on_the_day"}),
            (
                "Cy",
                {
                    "access_needs": ["step_free", "bsl"],
                    "special_category_consent": True,
                    "share_access_with_venue": True,
                },
            ),
        ]
    ):
        person = UserFactory(name=name, email=f"{n}.{LONG_EMAIL}")
        ticket = event.ticket_types.get(
            name="Solidarity" if "amount_minor" in extra else "Standard ticket with a long name"
        )
        registration_create(
            event=event,
            user=person,
            data=RegistrationInput(ticket_type_id=ticket.pk, name=name, email=person.email, **extra),
        )
    return event


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def too_wide(page) -> list[str]:
    """The elements that reach past the right edge, for the failure message."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .filter(e => !e.closest(".table-scroll, .visually-hidden"))
        .slice(0, 8).map(e => e.tagName + "." + e.className + ": " + (e.textContent || "").slice(0, 40))"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_pages_fit_a_narrow_phone(new_page, width):
    page = new_page("organiser")
    event = desk_event(page.user)
    page.set_viewport_size({"width": width, "height": 800})
    for url in (f"/staff/gatherings/{event.slug}/check-in/", f"/staff/gatherings/{event.slug}/"):
        response = page.goto(url)
        assert response.status == 200
        page.locator("details.desk-access summary").first.click() if "check-in" in url else None
        assert fits(page), (url, too_wide(page))
        assert axe_violations(page) == [], url


@pytest.mark.parametrize("width", WIDTHS)
def test_my_programme_and_account_fit_a_narrow_phone(new_page, width):
    person = UserFactory(name="Sam", email=LONG_EMAIL)
    event = EventFactory(title="Spring Gathering of the Compassionate Mental Health Network")
    programme = programme_for(event)
    slots, rooms = grid(programme, slots=3, rooms=2)
    attendee(event, person)
    made = session(
        programme,
        title="Hearing voices: what helps, what does not, and what we would change",
        status="scheduled",
        slot=slots[0],
        room=rooms[0],
    )
    mark(person, made)
    publish(programme)
    page = new_page(user=person)
    page.set_viewport_size({"width": width, "height": 800})
    for url in ("/my/programme/", "/account/"):
        response = page.goto(url)
        assert response.status == 200
        assert fits(page), (url, too_wide(page))
        assert axe_violations(page) == [], url
