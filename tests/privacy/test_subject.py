"""Subject access and erasure across every app: nothing about the person is missed, nothing is left behind."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection

from gathering.accounts.services import account_delete, api_token_create
from gathering.events.models import BursaryApplication, Registration
from gathering.events.services import (
    RegistrationInput,
    registration_create,
    registration_status_counts_for_tests,
)
from gathering.privacy.subject import personal_paths, subject_erase, subject_export
from gathering.programme.models import Interest
from gathering.support.models import Concern
from gathering.support.services import concern_raise

from ..circles.helpers import join
from ..conftest import signed_in
from ..factories import CircleSeriesFactory, EventFactory, TicketTypeFactory, UserFactory, make_staff
from ..programme.attendee_data import mark, programme_for, session

# Committed transactions, so that pg_dump (another process) sees the rows.
pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Ottoline Wraxby"
EMAIL = "ottoline.wraxby@example.org"
ACCESS = "needs-a-ramp-and-ASL-9931"
CIRCUMSTANCES = "carer-for-brother-since-2019-7718"


def database_text() -> str:
    """The database as a backup would show it (SQLite .dump, pg_dump), and every row read back by SQL."""
    from .dump import database_dump_text

    return database_dump_text() + "\n" + _rows_as_text() + "\n" + _sessions_as_text()


def _sessions_as_text() -> str:
    # Session data is only encoded, not encrypted: anyone with a copy reads it.
    return "\n".join(str(session.get_decoded()) for session in Session.objects.all())


def _rows_as_text() -> str:
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT t::text FROM {quoted} t")  # noqa: S608 - table names from the schema
            else:
                cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
            parts.extend(str(row) for row in cursor.fetchall())
    return "\n".join(parts)


@pytest.fixture
def person():
    person = UserFactory(name=NAME, email=EMAIL)
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], capacity=10)
    ticket = TicketTypeFactory(event=event)
    registration_create(
        event=event,
        user=person,
        data=RegistrationInput(
            ticket_type_id=ticket.pk,
            name=NAME,
            email=EMAIL,
            special_category_consent=True,
            perspectives=["lived_experience"],
            access_needs_other=ACCESS,
        ),
    )
    BursaryApplication.objects.create(
        event=event,
        user=person,
        name=NAME,
        email=EMAIL,
        support=["travel"],
        circumstances=CIRCUMSTANCES,
        amount_awarded_minor=2000,
        status="awarded_full",
    )
    concern_raise(reporter=person, severity="normal", details="I felt unsafe in the lunch queue")
    api_token_create(user=person, name="my script")
    # Signed in on a phone and a laptop: allauth keeps how they signed in, with the address, in each session.
    signed_in(person), signed_in(person)
    event.organisers.add(person)
    return person


def test_every_model_with_a_path_to_the_person_is_in_the_export(person):
    export = subject_export(user=person)
    labels = {path.label for path in personal_paths()}
    assert labels <= set(export["data"])
    assert {
        "accounts.user",
        "events.registration",
        "events.bursaryapplication",
        "support.concern",
        "accounts.apitoken",
        "account.emailaddress",
        "events.event",
    } <= labels
    for section in export["data"].values():
        model_rows = section.get("rows")
        if model_rows is None:
            assert section["withheld"]
    registration = export["data"]["events.registration"]["rows"][0]
    assert registration["access_needs_other"] == ACCESS  # the person gets their own data in clear
    assert export["data"]["events.bursaryapplication"]["rows"][0]["circumstances"] == CIRCUMSTANCES
    assert "key_hash" not in export["data"]["accounts.apitoken"]["rows"][0]
    assert "password" not in export["data"]["accounts.user"]["rows"][0]


def test_the_download_names_what_each_row_links_to_beside_its_id(person):
    event = Registration.objects.get(user=person).event
    series = CircleSeriesFactory(event=event, name="Leeds listening circles")
    join(series, person)
    mark(person, session(programme_for(event), title="Listening without fixing"), Interest.Level.REALLY_WANT)

    data = subject_export(user=person)["data"]

    (place,) = data["events.registration"]["rows"]
    assert (place["event"], place["event_name"]) == (event.pk, event.title)
    assert place["ticket_type_name"] == f"{event.title}: Standard"
    (marked,) = data["programme.interest"]["rows"]
    assert marked["session_name"] == f"“Listening without fixing” at {event.title}"
    (membership,) = data["circles.circlemembership"]["rows"]
    assert (membership["series"], membership["series_name"]) == (series.pk, "Leeds listening circles")
    assert (membership["circle"], membership["circle_name"]) == (None, None)  # circles not formed yet
    assert membership["agreement_name"] == "Version 1"
    (application,) = data["events.bursaryapplication"]["rows"]
    assert application["event_name"] == event.title
    # A link to an account keeps only its id: a name beside it could be someone else's.
    assert place["user"] == person.pk and "user_name" not in place
    assert "decided_by_name" not in application


def test_special_category_values_never_reach_the_database_in_clear(person):
    text = database_text()
    assert ACCESS not in text
    assert CIRCUMSTANCES not in text
    assert "I felt unsafe in the lunch queue" not in text


@pytest.mark.parametrize("how", ["command", "self"])
def test_erasure_leaves_no_trace_and_keeps_the_counts(person, how):
    event = Registration.objects.get(user=person).event
    counts_before = registration_status_counts_for_tests(event)
    if how == "command":
        report = subject_erase(user=person)
        assert report.kept["events.registration"].startswith("status and ticket only")
        assert "support.concern" in report.kept
    else:
        account_delete(user=person)
    text = database_text()
    assert not Session.objects.exists()
    for trace in (NAME, EMAIL, "Ottoline", "wraxby"):
        assert trace.lower() not in text.lower()
    # The upcoming place is cancelled as any cancellation is (tests/privacy/test_leaving.py); the row stays.
    assert registration_status_counts_for_tests(event) == {
        **counts_before,
        "confirmed": counts_before["confirmed"] - 1,
        "cancelled": counts_before["cancelled"] + 1,
    }
    application = BursaryApplication.objects.get()
    assert (application.amount_awarded_minor, application.circumstances, application.user) == (2000, "", None)
    concern = Concern.objects.get()
    assert (concern.reporter, concern.anonymous) == (None, True)


def test_a_staff_members_export_does_not_carry_the_people_they_acted_on(person):
    from gathering.events.bursaries import bursary_decide

    organiser = Registration.objects.get(user=person).event.organisers.exclude(pk=person.pk).get()
    application = BursaryApplication.objects.get()
    application.status = "submitted"
    application.save()
    bursary_decide(application=application, actor=organiser, decision="declined")
    export = subject_export(user=organiser)
    assert CIRCUMSTANCES not in str(export)
    assert NAME not in str(export)


def test_a_person_downloads_their_own_data_at_once(person):
    from ..conftest import signed_in

    client = signed_in(person)
    page = client.get("/privacy/my-data/").content.decode()
    assert ACCESS in page and CIRCUMSTANCES in page
    download = client.get("/privacy/my-data.json")
    assert download["Content-Disposition"] == 'attachment; filename="my-gathering-data.json"'
    assert ACCESS in download.content.decode()
    assert "no-store" in download["Cache-Control"]
