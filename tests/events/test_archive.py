"""The past Gatherings archive and its all-or-nothing CSV import."""

import io

import pytest
from django.core.management import CommandError, call_command

from gathering.events.models import Event, EventResource

pytestmark = pytest.mark.django_db

HEADER = "title,start_date,end_date,place,attendance,themes,links\n"
GOOD = (
    HEADER
    + 'Leeds Gathering,2016-05-14,2016-05-14,Leeds,85,"Crisis, peer support",'
    + '"Slides|https://example.org/s.pdf;Report|https://example.org/r"\n'
    + "Online Gathering,2020-11-07,2020-11-08,,140,Open Dialogue,https://example.org/video\n"
)


def run(tmp_path, text):
    path = tmp_path / "past.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("events", "import-past", str(path), stdout=out)
    return out.getvalue()


def test_import_and_browse(tmp_path, client):
    assert "Imported 2 past Gatherings." in run(tmp_path, GOOD)
    leeds = Event.objects.get(title="Leeds Gathering")
    assert (leeds.place, leeds.attendance_recorded, leeds.format) == ("Leeds", 85, "in_person")
    assert list(leeds.resources.values_list("kind", "url")) == [
        ("slides", "https://example.org/s.pdf"),
        ("report", "https://example.org/r"),
    ]
    assert Event.objects.get(title="Online Gathering").format == "online"
    html = client.get("/gatherings/past/").content.decode()
    assert "Leeds Gathering" in html and "85 people came" in html
    detail = client.get(f"/gatherings/{leeds.slug}/").content.decode()
    assert "https://example.org/s.pdf" in detail and "Crisis, peer support" in detail


def test_importing_twice_updates_rather_than_duplicates(tmp_path):
    run(tmp_path, GOOD)
    run(tmp_path, GOOD)
    assert Event.objects.count() == 2
    assert EventResource.objects.count() == 3


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",2016-05-14,2016-05-14,Leeds,85,,\n", "line 3, title: is empty"),
        ("Bad,14/05/2016,,Leeds,85,,\n", "line 3, start_date: '14/05/2016' is not a date"),
        ("Bad,2016-05-14,2016-05-13,Leeds,85,,\n", "line 3, end_date: before start_date"),
        ("Bad,2016-05-14,2016-05-14,Leeds,lots,,\n", "line 3, attendance: 'lots' is not a whole number"),
        ("Bad,2016-05-14,2016-05-14,Leeds,1,,javascript:alert(1)\n", "line 3, links:"),
        ("Bad,2099-05-14,2099-05-14,Leeds,1,,\n", "line 3, start_date: not in the past"),
    ],
)
def test_one_bad_row_imports_nothing(tmp_path, row, message):
    text = HEADER + "Fine,2016-05-14,2016-05-14,Leeds,85,,\n" + row
    with pytest.raises(CommandError) as caught:
        run(tmp_path, text)
    assert message in str(caught.value)
    assert Event.objects.count() == 0


def test_missing_columns_are_named(tmp_path):
    with pytest.raises(CommandError, match="missing column"):
        run(tmp_path, "title,date\nX,2016-01-01\n")
