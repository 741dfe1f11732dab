"""Bursaries: apply once, blind review, decisions within the fund, an award brings a supported place; the
circumstances are encrypted; only the Gathering's organisers see or decide."""

import pytest
from django.db import connection

from gathering.core.models import OutboxMessage
from gathering.events.bursaries import bursary_decide, fund_set
from gathering.events.models import BursaryApplication, BursaryFund, Registration
from gathering.events.services import RegistrationError, RegistrationInput, registration_create

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db

SECRET = "I care for my mother and my benefits were cut in March"


@pytest.fixture
def organiser():
    return make_staff("organiser")


@pytest.fixture
def event(organiser):
    event = EventFactory(capacity=10, organisers=[organiser])
    TicketTypeFactory(event=event, name="Standard", kind="fixed", price_minor=2500)
    TicketTypeFactory(event=event, name="Supported place", kind="supported", invitation_code="")
    BursaryFund.objects.create(event=event, total_minor=10_000)
    return event


def apply(event, person, **changes):
    data = {"support": ["ticket", "travel"], "amount": "40", "circumstances": SECRET, **changes}
    return signed_in(person).post(f"/gatherings/{event.slug}/bursary/", data)


def test_apply_once_and_the_circumstances_are_encrypted(event):
    person = UserFactory()
    assert apply(event, person).status_code == 302
    assert apply(event, person).status_code == 200  # shows the existing application
    application = BursaryApplication.objects.get()
    assert (application.amount_requested_minor, application.support) == (4000, ["ticket", "travel"])
    assert application.circumstances == SECRET
    with connection.cursor() as cursor:
        cursor.execute("SELECT circumstances FROM events_bursaryapplication")
        raw = cursor.fetchone()[0]
    assert SECRET not in raw and raw.startswith("gAAAAA")
    assert OutboxMessage.objects.filter(kind="bursary_received").count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"support": []}, "support", "Choose at least one kind of support"),
        ({"support": ["yacht"]}, "support", "Select a valid choice"),
        ({"amount": "-3"}, "amount", "The amount cannot be negative"),
        ({"amount": "a lot"}, "amount", "Enter the amount in pounds"),
        ({"circumstances": "x" * 4001}, "circumstances", "4,000 characters or fewer"),
    ],
)
def test_bad_applications_are_refused(event, changes, field, message):
    response = apply(event, UserFactory(), **changes)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert BursaryApplication.objects.count() == 0


def test_closed_fund_says_so(event):
    BursaryFund.objects.filter(event=event).update(open=False)
    response = apply(event, UserFactory())
    assert "Bursary applications are closed" in response.content.decode()
    assert BursaryApplication.objects.count() == 0


def test_queue_hides_names_by_default(event, organiser):
    apply(event, UserFactory(name="Quinn Private"))
    client = signed_in(organiser)
    blind = client.get(f"/staff/gatherings/{event.slug}/bursaries/").content.decode()
    assert "Quinn Private" not in blind and "B0" in blind
    assert (
        "Quinn Private" in client.get(f"/staff/gatherings/{event.slug}/bursaries/?names=1").content.decode()
    )


def test_award_creates_a_supported_place_and_emails(event, organiser):
    person = UserFactory()
    apply(event, person)
    application = BursaryApplication.objects.get()
    response = signed_in(organiser).post(
        f"/staff/gatherings/{event.slug}/bursaries/{application.pk}/",
        {
            "decide": "1",
            "decide-decision": "awarded_full",
            "decide-amount_awarded": "40",
            "decide-travel_owed": "15",
            "decide-message": "See you there.",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.amount_awarded_minor, application.travel_owed_minor) == (
        "awarded_full",
        4000,
        1500,
    )
    registration = Registration.objects.get(email=person.email)
    assert (registration.ticket_type.name, registration.status, registration.amount_minor) == (
        "Supported place",
        "confirmed",
        0,
    )
    assert OutboxMessage.objects.filter(kind="bursary_decision").count() == 1


def test_award_upgrades_an_existing_paid_registration(event, organiser):
    person = UserFactory()
    standard = event.ticket_types.get(name="Standard")
    registration_create(
        event=event,
        user=person,
        data=RegistrationInput(
            ticket_type_id=standard.pk, name=person.name, email=person.email, payment="invoice"
        ),
    )
    apply(event, person)
    application = BursaryApplication.objects.get()
    bursary_decide(
        application=application, actor=organiser, decision="awarded_partial", amount_awarded_minor=2500
    )
    registration = Registration.objects.get(email=person.email)
    assert (registration.ticket_type.name, registration.status, registration.amount_minor) == (
        "Supported place",
        "confirmed",
        0,
    )


def test_awards_cannot_exceed_the_fund(event, organiser):
    first, second = UserFactory(), UserFactory()
    apply(event, first)
    apply(event, second)
    a, b = BursaryApplication.objects.order_by("pk")
    bursary_decide(application=a, actor=organiser, decision="awarded_full", amount_awarded_minor=8000)
    with pytest.raises(RegistrationError, match="more than is left"):
        bursary_decide(application=b, actor=organiser, decision="awarded_full", amount_awarded_minor=3000)
    b.refresh_from_db()
    assert b.status == "submitted"
    with pytest.raises(RegistrationError, match="less than is already awarded"):
        fund_set(event=event, actor=organiser, total_minor=5000, open=True)


def test_other_organisers_cannot_see_or_decide(event):
    apply(event, UserFactory())
    application = BursaryApplication.objects.get()
    outsider = make_staff("organiser")
    client = signed_in(outsider)
    assert client.get(f"/staff/gatherings/{event.slug}/bursaries/").status_code == 403
    response = client.get(f"/staff/gatherings/{event.slug}/bursaries/{application.pk}/")
    assert response.status_code == 403
    assert SECRET not in response.content.decode()
    response = client.post(
        f"/staff/gatherings/{event.slug}/bursaries/{application.pk}/",
        {"decide": "1", "decide-decision": "declined"},
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


def test_an_application_from_another_event_is_not_found_here(event, organiser):
    other = EventFactory()
    BursaryFund.objects.create(event=other, total_minor=100)
    person = UserFactory()
    apply(other, person)
    foreign = BursaryApplication.objects.get(event=other)
    assert (
        signed_in(organiser).get(f"/staff/gatherings/{event.slug}/bursaries/{foreign.pk}/").status_code == 404
    )
