"""No stored choice code ('step_free', 'pending_payment') reaches a page: people read the label."""

import html
import inspect
import re

import pytest
from django.apps import apps
from django.db import models

from gathering.events.bursaries import bursary_apply
from gathering.events.models import BursaryApplication, BursaryFund, Registration
from gathering.events.services import RegistrationInput, registration_create
from gathering.support.models import Concern, ConcernNote
from gathering.support.services import concern_raise

from .conftest import signed_in
from .factories import EventFactory, TicketTypeFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db


def _choice_classes() -> list[type[models.Choices]]:
    found: set[type[models.Choices]] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("gathering."):
            continue
        module = config.models_module
        if module is None:
            continue
        owners = [module, *(m for m in vars(module).values() if inspect.isclass(m))]
        for owner in owners:
            for value in vars(owner).values():
                if inspect.isclass(value) and issubclass(value, models.Choices):
                    found.add(value)
    return sorted(found, key=lambda c: c.__qualname__)


def raw_codes() -> set[str]:
    """Codes that are plainly not words: with an underscore, or (for the lists stored as JSON) a code its
    label does not contain, such as 'bsl' or 'childcare'."""
    codes = set()
    for choices in _choice_classes():
        for value in choices.values:
            if not isinstance(value, str) or "/" in value:
                continue
            if "_" in value:
                codes.add(value)
    for choices in (Registration.AccessNeed, Registration.Perspective, BursaryApplication.Support):
        for value, label in zip(choices.values, choices.labels, strict=True):
            if value not in str(label) and value != "other":
                codes.add(value)
    return codes


def visible_text(page: str) -> str:
    """The text a reader sees: no tags (so no name= or value= attributes), no script or style bodies."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def codes_in(page: str) -> list[str]:
    text = visible_text(page)
    return sorted(code for code in raw_codes() if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text))


@pytest.fixture
def world():
    organiser = make_staff("organiser")
    lead = make_staff("safeguarding_lead")
    event = EventFactory(organisers=[organiser], capacity=5)
    ticket = TicketTypeFactory(event=event, price_minor=2500)
    BursaryFund.objects.create(event=event, total_minor=10_000)
    person = UserFactory(name="Dana")
    registration = registration_create(
        event=event,
        user=person,
        data=RegistrationInput(
            ticket_type_id=ticket.pk,
            name="Dana",
            email=person.email,
            amount_minor=2500,
            payment=Registration.Payment.ON_THE_DAY,
            perspectives=list(Registration.Perspective.values),
            access_needs=list(Registration.AccessNeed.values),
            access_needs_other="Wheelchair user",
            special_category_consent=True,
            share_access_with_venue=True,
        ),
    ).registration
    application = bursary_apply(
        event=event,
        user=person,
        support=list(BursaryApplication.Support.values),
        amount_requested_minor=4000,
        circumstances="A long journey.",
    )
    BursaryApplication.objects.filter(pk=application.pk).update(
        status=BursaryApplication.Status.AWARDED_PARTIAL
    )
    concern = concern_raise(reporter=None, severity=Concern.Severity.URGENT, details="Someone was upset.")
    Concern.objects.filter(pk=concern.pk).update(status=Concern.Status.IN_PROGRESS, assigned_to=lead)
    ConcernNote.objects.create(
        concern=concern, author=lead, action=ConcernNote.Action.CONTACTED, text="Rang them."
    )
    return {
        "organiser": organiser,
        "lead": lead,
        "event": event,
        "person": person,
        "registration": registration,
        "application": application,
        "concern": concern,
    }


def test_the_raw_codes_include_the_ones_people_reported():
    assert {"step_free", "pending_payment", "lived_experience", "on_the_day", "childcare", "in_progress"} <= (
        raw_codes()
    )


def test_pages_a_person_sees_show_labels_not_codes(world):
    client = signed_in(world["person"])
    event = world["event"]
    for url in (
        "/my/gatherings/",
        event.get_absolute_url(),
        f"/my/gatherings/{world['registration'].pk}/edit/",
        f"/gatherings/{event.slug}/bursary/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert codes_in(response.content.decode()) == [], url


def test_pages_an_organiser_sees_show_labels_not_codes(world):
    client = signed_in(world["organiser"])
    slug = world["event"].slug
    pages = {
        "registrations": client.get(f"/staff/gatherings/{slug}/"),
        "check-in": client.post(f"/staff/gatherings/{slug}/check-in/", {"q": "Dana"}),
        "bursaries": client.get(f"/staff/gatherings/{slug}/bursaries/"),
        "bursary": client.get(f"/staff/gatherings/{slug}/bursaries/{world['application'].pk}/"),
        "gatherings": client.get("/staff/gatherings/"),
    }
    assert "Step-free access" in pages["check-in"].content.decode()
    found = {name: codes_in(page.content.decode()) for name, page in pages.items()}
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    assert found == {name: [] for name in pages}


def test_pages_a_safeguarding_lead_sees_show_labels_not_codes(world):
    client = signed_in(world["lead"])
    pages = {
        "queue": client.get("/staff/safeguarding/"),
        "concern": client.get(f"/staff/safeguarding/{world['concern'].pk}/"),
    }
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    found = {name: codes_in(page.content.decode()) for name, page in pages.items()}
    assert found == {name: [] for name in pages}


def test_programme_pages_an_organiser_sees_show_labels_not_codes():
    from gathering.programme.models import Room

    from .programme.staff_data import make_programme, open_session

    programme, organiser = make_programme(slots=1, rooms=1)
    Room.objects.filter(programme=programme).update(features=["step_free", "hearing_loop"])
    session = open_session(
        programme,
        "Walk and talk",
        needs=["step_free", "hearing_loop"],
        format="sharing_circle",
        track="curated",
    )
    client = signed_in(organiser)
    slug = programme.event.slug
    pages = {
        "grid": client.get(f"/staff/programme/{slug}/grid/"),
        "review": client.get(f"/staff/programme/{slug}/reviews/{session.pk}/"),
        "session": client.get(f"/staff/programme/{slug}/sessions/{session.pk}/"),
    }
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    found = {name: codes_in(page.content.decode()) for name, page in pages.items()}
    assert found == {name: [] for name in pages}
