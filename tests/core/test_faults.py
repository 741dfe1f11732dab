"""A database that cannot be reached mid-request: a calm 503 page (or the API's error body) saying nothing
was saved half-way, with the crisis numbers on the page itself; other failures stay server errors.

Here the connection is cut with Django's own hook for wrapping queries (`connection.execute_wrapper`), which
raises what the driver raises when PostgreSQL ends a connection. tests/faults/ shows the same against a real
gunicorn whose PostgreSQL connections are terminated under load.
"""

import socket
import sqlite3
import time

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.test import Client

from gathering.core.faults import is_database_unreachable
from gathering.core.models import OutboxMessage
from gathering.events.models import Registration
from gathering.privacy.models import AuditEntry, ConsentRecord

from ..conftest import signed_in, token_client
from ..factories import EventFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db

UNAVAILABLE = "Sorry, we could not reach our records"
NOT_HALF_SAVED = "Nothing was saved half-way: a change is kept whole or not at all."


def lost_connection(execute, sql, params, many, context):
    # What Django raises when PostgreSQL ends the connection in the middle of a query.
    raise OperationalError("consuming input failed: server closed the connection unexpectedly")


def lost_at(table: str):
    """Queries run until the first one that writes to `table`: the connection is lost mid-transaction."""

    def wrapper(execute, sql, params, many, context):
        if sql.startswith(f'INSERT INTO "{table}"'):
            lost_connection(execute, sql, params, many, context)
        return execute(sql, params, many, context)

    return wrapper


def as_django(error: Exception) -> OperationalError:
    """The driver's error as Django's database layer passes it on (its class, the driver's as the cause)."""
    wrapped = OperationalError(*error.args)
    wrapped.__cause__ = error
    return wrapped


def test_a_page_whose_database_is_lost_answers_503_calmly():
    client = Client(raise_request_exception=False)

    with connection.execute_wrapper(lost_connection):
        response = client.get("/gatherings/")

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert html.count("<h1>") == 1
    assert f"<h1>{UNAVAILABLE}</h1>" in html
    assert NOT_HALF_SAVED in html
    assert "Please wait a moment and try again." in html
    assert '<a href="/gatherings/">Try this page again</a>' in html
    # Crisis help on the page itself, and the header's two buttons, as on every page.
    assert '<a href="tel:116123">116 123</a>' in html
    assert "text SHOUT to 85258" in html
    assert html.count(">Get help now</a>") == 1
    assert "data-quick-exit" in html
    assert "Traceback" not in html
    assert "OperationalError" not in html
    # The security headers still come from the middleware outside the failure.
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_signed_in_person_gets_the_same_page_when_their_session_cannot_be_read(participant):
    client = signed_in(participant)
    client.raise_request_exception = False

    # The session middleware is the first to need the database: the failure is outside any view.
    with connection.execute_wrapper(lost_connection):
        response = client.get("/account/")

    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()


def test_a_registration_cut_off_mid_write_saves_nothing_and_a_retry_registers_once(participant):
    event = EventFactory(capacity=10)
    ticket = TicketTypeFactory(event=event, name="Free")
    client = signed_in(participant)
    client.raise_request_exception = False
    form = {"ticket_type": ticket.pk, "name": "Robin Ash", "on_attendee_list": "on", "confirm": "1"}
    url = f"/gatherings/{event.slug}/register/"

    # Lost after the registration, its consent record and audit entry were written, before its email.
    with connection.execute_wrapper(lost_at("core_outboxmessage")):
        response = client.post(url, form)

    assert response.status_code == 503
    assert NOT_HALF_SAVED in response.content.decode()
    assert "Try this page again" not in response.content.decode()  # a form is sent again, not reloaded
    assert not Registration.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CONSENT_GIVEN).exists()
    assert not OutboxMessage.objects.exists()

    response = client.post(url, form)
    assert (response.status_code, response["Location"]) == (302, "/my/gatherings/")
    [registration] = Registration.objects.all()
    assert registration.status == Registration.Status.CONFIRMED
    assert list(OutboxMessage.objects.values_list("dedupe_key", flat=True)) == [
        f"registration:{registration.pk}:confirmed"
    ]
    assert ConsentRecord.objects.filter(user=participant).count() == 1


def test_the_api_answers_503_in_its_one_error_body(participant):
    client = token_client(participant)
    client.raise_request_exception = False

    with connection.execute_wrapper(lost_connection):
        response = client.get("/api/v1/me/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": {
            "code": "unavailable",
            "message": "The service could not reach its records. Nothing was saved half-way; "
            "try again in a moment.",
            "fields": {},
        }
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_while_input_is_validated_is_not_called_invalid_input(participant):
    # Django's validation of a conditional unique constraint (one active consent per purpose) takes a
    # database error for a violation: without DatabaseLostMiddleware this answered 400 "not valid".
    if connection.vendor != "postgresql":
        pytest.skip("ends a real PostgreSQL connection")
    event = EventFactory(capacity=10)
    ticket = TicketTypeFactory(event=event, name="Free")
    client = token_client(participant)
    client.raise_request_exception = False
    db = connection.settings_dict
    # In autocommit: each look at pg_stat_activity is its own transaction. Inside one transaction PostgreSQL
    # answers from the snapshot of its first look, so a backend seen alive once would be seen alive forever.
    other = psycopg.connect(
        dbname=db["NAME"],
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db.get("PASSWORD"),
        autocommit=True,
    )

    def terminated_at_the_constraint_check(execute, sql, params, many, context):
        if '"_check"' in sql and '"privacy_consentrecord"' in sql:
            pid = context["connection"].connection.info.backend_pid
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
            while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                time.sleep(0.01)
        return execute(sql, params, many, context)

    with other, connection.execute_wrapper(terminated_at_the_constraint_check):
        response = client.post(
            f"/api/v1/events/{event.slug}/registrations/",
            {"ticket_type": ticket.pk, "on_attendee_list": True},
            content_type="application/json",
        )

    assert response.status_code == 503, response.content
    assert response.json()["error"]["code"] == "unavailable"
    assert not Registration.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_other_database_errors_stay_server_errors():
    client = Client(raise_request_exception=False)

    def broken_query(execute, sql, params, many, context):
        raise ProgrammingError('relation "events_event" does not exist')

    with connection.execute_wrapper(broken_query):
        response = client.get("/gatherings/")

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_which_database_errors_mean_it_could_not_be_reached(tmp_path):
    path = tmp_path / "locked.sqlite3"
    writer = sqlite3.connect(path, timeout=0, isolation_level=None)
    writer.execute("CREATE TABLE t (n integer)")
    writer.execute("BEGIN EXCLUSIVE")
    reader = sqlite3.connect(path, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as busy:
        reader.execute("SELECT * FROM t")
    writer.close()
    with pytest.raises(sqlite3.OperationalError) as missing:
        reader.execute("SELECT * FROM no_such_table")
    reader.close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(f"host=127.0.0.1 port={closed} dbname=x user=x connect_timeout=2")

    assert busy.value.sqlite_errorname == "SQLITE_BUSY"
    assert is_database_unreachable(as_django(busy.value))
    assert not is_database_unreachable(as_django(missing.value))  # a fault, not an outage
    assert is_database_unreachable(as_django(refused.value))
    assert is_database_unreachable(InterfaceError("connection already closed"))
    assert not is_database_unreachable(ValueError("not a database error"))
    assert not is_database_unreachable(None)
