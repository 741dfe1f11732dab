"""The organisers' CSV opens in a spreadsheet by double-click, keeps accents, and guards only formula text."""

import csv
import io

import pytest

from gathering.core.spreadsheets import spreadsheet_cell
from gathering.events.services import RegistrationInput, registration_create

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db


def export_rows(*, name: str, pronouns: str = "", dietary_needs: str = "") -> tuple[bytes, list[list[str]]]:
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], capacity=5)
    ticket = TicketTypeFactory(event=event)
    person = UserFactory()
    registration_create(
        event=event,
        user=person,
        data=RegistrationInput(
            ticket_type_id=ticket.pk,
            name=name,
            email=person.email,
            pronouns=pronouns,
            dietary_needs=dietary_needs,
        ),
    )
    response = signed_in(organiser).get(f"/staff/gatherings/{event.slug}/registrations.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_registrations_csv_starts_with_a_byte_order_mark_and_keeps_accents():
    body, rows = export_rows(name="Zoë Ó Briain")
    assert body.startswith(b"\xef\xbb\xbfname,")
    assert rows[0][0] == "name"
    assert rows[1][0] == "Zoë Ó Briain"


def test_registrations_csv_leaves_empty_and_plain_cells_alone():
    _body, rows = export_rows(name="Anne", pronouns="", dietary_needs="no")
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["name"] == "Anne"
    assert row["pronouns"] == ""
    assert row["dietary_needs"] == "no"
    assert row["paid"] == ""
    assert row["checked_in"] == ""
    assert not any(cell.startswith("'") for cell in rows[1])


def test_registrations_csv_guards_formula_text():
    _body, rows = export_rows(name="=SUM(A1)", dietary_needs="-5")
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["name"], row["dietary_needs"]) == ("'=SUM(A1)", "'-5")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        ("no", "no"),
        ("Anne", "Anne"),
        ("Zoë", "Zoë"),
        ("-5", "'-5"),
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+44 161", "'+44 161"),
        ("@home", "'@home"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        (0, 0),
        (None, None),
    ],
)
def test_spreadsheet_cell_guards_only_formula_leading_text(value, expected):
    assert spreadsheet_cell(value) == expected
