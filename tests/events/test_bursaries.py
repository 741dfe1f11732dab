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


# ------------------------------------------------------------------------- full Gatherings (issue 12, item 5)
@pytest.fixture
def full_event(organiser):
    """One place, taken; a supported ticket and money in the fund."""
    event = EventFactory(capacity=1, organisers=[organiser])
    standard = TicketTypeFactory(event=event, name="Standard", kind="fixed", price_minor=0)
    TicketTypeFactory(event=event, name="Supported place", kind="supported", invitation_code="")
    BursaryFund.objects.create(event=event, total_minor=10_000)
    taker = UserFactory()
    registration_create(
        event=event,
        user=taker,
        data=RegistrationInput(ticket_type_id=standard.pk, name=taker.name, email=taker.email),
    )
    return event


def _mail_to(email):
    return list(OutboxMessage.objects.filter(to=[email]).order_by("pk"))


def _applied(event, person):
    OutboxMessage.objects.all().delete()
    apply(event, person)
    OutboxMessage.objects.all().delete()
    return BursaryApplication.objects.get(event=event, email=person.email)


def test_award_on_a_full_gathering_asks_the_organiser_how(full_event, organiser):
    person = UserFactory()
    application = _applied(full_event, person)
    client = signed_in(organiser)
    page = client.get(f"/staff/gatherings/{full_event.slug}/bursaries/{application.pk}/").content.decode()
    assert "There is no place left at this Gathering" in page
    assert "Award and give a place" in page and "Award when a place frees" in page
    with pytest.raises(RegistrationError) as refused:
        bursary_decide(
            application=application, actor=organiser, decision="awarded_full", amount_awarded_minor=10
        )
    assert refused.value.message_dict == {
        "place": ["This Gathering is full: choose whether to give a place or to wait for one"]
    }
    application.refresh_from_db()
    assert application.status == "submitted"
    assert not Registration.objects.filter(email=person.email).exists()
    assert _mail_to(person.email) == []


def test_award_and_give_a_place_is_over_capacity_on_purpose(full_event, organiser):
    from gathering.privacy.models import AuditEntry

    person = UserFactory()
    application = _applied(full_event, person)
    response = signed_in(organiser).post(
        f"/staff/gatherings/{full_event.slug}/bursaries/{application.pk}/",
        {
            "decide": "1",
            "decide-decision": "awarded_full",
            "decide-amount_awarded": "40",
            "decide-place": "give_place",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(email=person.email)
    assert (registration.status, registration.over_capacity, registration.ticket_type.name) == (
        "confirmed",
        True,
        "Supported place",
    )
    entry = AuditEntry.objects.get(
        action="changed", subject_type="events.registration", subject_id=str(registration.pk)
    )
    assert entry.detail == "place given over capacity with a bursary award"
    [mail] = _mail_to(person.email)
    assert (mail.kind, mail.subject) == ("bursary_decision", "About your application")
    assert "with a place" in mail.body_text and "waiting list" not in mail.body_text
    page = signed_in(organiser).get(f"/staff/gatherings/{full_event.slug}/").content.decode()
    assert "2 of 1 places, 1 over capacity on purpose" in page


def test_award_when_a_place_frees_puts_the_person_first_in_the_queue(full_event, organiser):
    from gathering.events.selectors import waitlist_position
    from gathering.events.services import registration_cancel

    standard = full_event.ticket_types.get(name="Standard")
    earlier = UserFactory()
    registration_create(
        event=full_event,
        user=earlier,
        data=RegistrationInput(ticket_type_id=standard.pk, name=earlier.name, email=earlier.email),
    )
    person = UserFactory()
    application = _applied(full_event, person)
    bursary_decide(
        application=application,
        actor=organiser,
        decision="awarded_full",
        amount_awarded_minor=1000,
        place="when_frees",
    )
    registration = Registration.objects.get(email=person.email)
    assert (registration.status, registration.waitlist_priority, registration.over_capacity) == (
        "waitlisted",
        True,
        False,
    )
    assert waitlist_position(registration) == 1
    assert waitlist_position(Registration.objects.get(email=earlier.email)) == 2
    [mail] = _mail_to(person.email)
    assert mail.subject == "About your application"
    assert "first on the waiting list" in mail.body_text
    taker = Registration.objects.get(event=full_event, status="confirmed")
    registration_cancel(registration=taker, user=taker.user)
    registration.refresh_from_db()
    assert registration.status == "offered"
    assert Registration.objects.get(email=earlier.email).status == "waitlisted"


def test_award_with_a_free_place_sends_one_email(event, organiser):
    person = UserFactory()
    application = _applied(event, person)
    bursary_decide(application=application, actor=organiser, decision="awarded_full", amount_awarded_minor=10)
    [mail] = _mail_to(person.email)
    assert (mail.kind, mail.subject) == ("bursary_decision", "About your application")
    assert "with a place" in mail.body_text
    assert [a["filename"] for a in mail.attachments][:1] == [f"{event.slug}.ics"]
    assert Registration.objects.get(email=person.email).over_capacity is False


def test_decline_sends_one_neutral_email(full_event, organiser):
    person = UserFactory()
    application = _applied(full_event, person)
    bursary_decide(application=application, actor=organiser, decision="declined")
    [mail] = _mail_to(person.email)
    assert mail.subject == "About your application"
    assert "cannot offer you a bursary" in mail.body_text


def test_gathering_page_and_registration_error_link_to_the_bursary_application(event):
    link = f'href="/gatherings/{event.slug}/bursary/"'
    assert link in signed_in(UserFactory()).get(f"/gatherings/{event.slug}/").content.decode()
    supported = event.ticket_types.get(name="Supported place")
    response = signed_in(UserFactory()).post(
        f"/gatherings/{event.slug}/register/", {"ticket_type": supported.pk, "name": "Sam"}
    )
    body = response.content.decode()
    assert "Supported places need an invitation code" in body
    assert link in body
