"""Every staff read or export of special-category data writes exactly one audit entry."""

import csv
import io

import pytest

from gathering.events.models import BursaryApplication, BursaryFund
from gathering.events.services import RegistrationInput, registration_create
from gathering.privacy.models import AuditEntry
from gathering.support.services import concern_raise

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db


def reads():
    """Audit entries for staff reads and exports (consents given at registration are logged too)."""
    return AuditEntry.objects.filter(action__in=["viewed", "exported"])


@pytest.fixture
def setup():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], capacity=5)
    ticket = TicketTypeFactory(event=event)
    person = UserFactory(name="Dana")
    registration_create(
        event=event,
        user=person,
        data=RegistrationInput(
            ticket_type_id=ticket.pk,
            name="Dana",
            email=person.email,
            access_needs=["bsl"],
            special_category_consent=True,
            share_access_with_venue=True,
        ),
    )
    return organiser, event


def test_csv_without_special_columns_is_not_audited(setup):
    organiser, event = setup
    response = signed_in(organiser).get(f"/staff/gatherings/{event.slug}/registrations.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["name", "pronouns", "email"] and "access_needs" not in rows[0]
    assert rows[1][0] == "Dana"
    assert reads().count() == 0


def test_csv_with_special_columns_is_audited_once(setup):
    organiser, event = setup
    response = signed_in(organiser).get(f"/staff/gatherings/{event.slug}/registrations.csv?special=1")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][rows[0].index("access_needs")] == "A British Sign Language interpreter"
    entry = reads().get()
    assert (entry.action, entry.actor, entry.subject_type) == ("exported", organiser, "events.event")
    assert "Sign Language" not in entry.detail


def test_special_columns_need_the_permission(setup):
    _organiser, event = setup
    facilitator = make_staff("facilitator")
    assert (
        signed_in(facilitator).get(f"/staff/gatherings/{event.slug}/registrations.csv?special=1").status_code
        == 403
    )
    assert reads().count() == 0


def test_csv_cells_cannot_run_as_formulas():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], capacity=5)
    ticket = TicketTypeFactory(event=event)
    person = UserFactory()
    registration_create(
        event=event,
        user=person,
        data=RegistrationInput(ticket_type_id=ticket.pk, name="=HYPERLINK(1)", email=person.email),
    )
    body = signed_in(organiser).get(f"/staff/gatherings/{event.slug}/registrations.csv").content.decode()
    assert "'=HYPERLINK(1)" in body


def test_reading_access_needs_at_check_in_is_audited(setup):
    organiser, event = setup
    signed_in(organiser).post(f"/staff/gatherings/{event.slug}/check-in/", {"q": "Dana"})
    assert list(reads().values_list("action", "detail")) == [
        ("viewed", "access needs of 1 people at check-in")
    ]


def test_reading_a_bursary_application_is_audited(setup):
    organiser, event = setup
    BursaryFund.objects.create(event=event, total_minor=100)
    application = BursaryApplication.objects.create(
        event=event, name="A", email="a@example.org", circumstances="x"
    )
    signed_in(organiser).get(f"/staff/gatherings/{event.slug}/bursaries/{application.pk}/")
    assert reads().get().subject_id == str(application.pk)


def test_reading_a_concern_is_audited():
    concern = concern_raise(reporter=None, severity="normal", details="worried")
    signed_in(make_staff("safeguarding_lead")).get(f"/staff/safeguarding/{concern.pk}/")
    entry = reads().get()
    assert (entry.action, entry.subject_type) == ("viewed", "support.concern")
