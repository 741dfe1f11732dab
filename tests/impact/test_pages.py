"""The impact pages: the organisers' dashboard with its filters and CSV files, the annual report with its
narrative, PDF and publishing, the public page, who may open what, and constant query counts."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pdfminer.high_level import extract_text

from gathering.events.models import Registration, TicketType
from gathering.impact import selectors
from gathering.impact.models import AnnualReport

from ..conftest import signed_in
from ..factories import UserFactory, make_staff
from .builders import gathering, register, ticket

pytestmark = pytest.mark.django_db

THIS_YEAR = datetime.now(UTC).year
LAST_YEAR = THIS_YEAR - 1


def make_gathering(title: str, when: datetime, came: int, *, lived: int = 0, paid: int = 0):
    """A Gathering where `came` people came; `lived` of them said they have lived experience (with consent),
    the others that they work in services; `paid` paid £12 each on a pay-what-you-can ticket."""
    event = gathering(title, when, status="published")
    free = ticket(event, "Free")
    pwyc = ticket(event, "Pay what you can", kind=TicketType.Kind.PAY_WHAT_YOU_CAN)
    for n in range(came):
        person = UserFactory()
        answer = (
            [Registration.Perspective.LIVED_EXPERIENCE] if n < lived else [Registration.Perspective.SERVICES]
        )
        register(pwyc if n < paid else free, user=person, amount=1200 if n < paid else 0, perspectives=answer)
    return event


@pytest.fixture
def network():
    big = make_gathering(
        "Spring Gathering", datetime(LAST_YEAR, 4, 20, 10, tzinfo=UTC), 40, lived=25, paid=10
    )
    autumn = make_gathering(
        "Autumn Gathering", datetime(LAST_YEAR, 10, 5, 10, tzinfo=UTC), 30, lived=12, paid=8
    )
    small = make_gathering("Small evening", datetime(LAST_YEAR, 10, 20, 18, tzinfo=UTC), 3, lived=2)
    selectors.figures_changed()
    return {"big": big, "autumn": autumn, "small": small}


def as_role(role: str):
    return signed_in(make_staff(role))


def organiser_client():
    return as_role("organiser")


def test_the_dashboard_shows_the_networks_figures_and_hides_small_ones(network):
    client = organiser_client()
    page = client.get(reverse("impact_staff:dashboard"), {"period": str(LAST_YEAR)})
    assert page.status_code == 200
    html = page.content.decode()
    # 40 + 30 + 3 registrations, all came.
    assert "73" in html
    # The small Gathering alone: every figure hidden.
    small = client.get(reverse("impact_staff:dashboard"), {"show": f"activity:event:{network['small'].pk}"})
    text = small.content.decode()
    assert "Small evening" in text
    assert 'numeric">3<' not in text and 'numeric">2<' not in text
    assert "hidden" in text


def test_a_filter_that_does_not_parse_says_why_and_shows_all_time(network):
    client = organiser_client()
    page = client.get(reverse("impact_staff:dashboard"), {"start": "2025-05-01"})
    assert page.status_code == 200
    assert "Give both the first and the last day of the period." in page.content.decode()


def test_a_custom_range_is_widened_to_whole_quarters_and_says_so(network):
    client = organiser_client()
    page = client.get(
        reverse("impact_staff:dashboard"), {"start": f"{LAST_YEAR}-04-10", "end": f"{LAST_YEAR}-05-01"}
    )
    html = page.content.decode()
    assert "Figures are counted by whole quarter" in html
    assert f"April to June {LAST_YEAR}" in html


def test_every_table_downloads_as_csv_with_hidden_figures_marked(network):
    client = organiser_client()
    response = client.get(reverse("impact_staff:csv", args=["registrations"]), {"period": str(LAST_YEAR)})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["figures_for", "table", "category", "count"]
    by_category = {row[2]: row[3] for row in rows[1:]}
    assert by_category["Registrations"] == "73"
    # Everyone came: the other three are 0, and showing "Came" (73) beside the total would give them away.
    assert by_category["Came"] == "hidden"
    assert by_category["Cancelled, or an offer not taken up"] == "hidden"
    for row in rows[1:]:
        assert row[3] == "hidden" or int(row[3]) >= 5


def test_csv_of_a_table_that_does_not_exist_is_not_found(network):
    client = organiser_client()
    assert client.get(reverse("impact_staff:csv", args=["nothing"])).status_code == 404


@pytest.mark.parametrize("role", ["facilitator", "safeguarding_lead"])
def test_only_organisers_open_the_impact_pages(network, role):
    client = as_role(role)
    for url in (
        reverse("impact_staff:dashboard"),
        reverse("impact_staff:csv", args=["registrations"]),
        reverse("impact_staff:report", args=[LAST_YEAR]),
        reverse("impact_staff:report_pdf", args=[LAST_YEAR]),
    ):
        assert client.get(url).status_code == 403
    assert (
        client.post(reverse("impact_staff:report_publish", args=[LAST_YEAR]), {"publish": "1"}).status_code
        == 403
    )
    assert not AnnualReport.objects.exists()


def test_people_not_signed_in_are_sent_to_sign_in(client, network):
    response = client.get(reverse("impact_staff:dashboard"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_report_keeps_the_narrative_and_prints_it_with_the_figures(network):
    client = organiser_client()
    url = reverse("impact_staff:report", args=[LAST_YEAR])
    response = client.post(
        url,
        {
            "activities": "We ran two Gatherings where people with lived experience led.",
            "consultation": "We asked everyone who came; 9 in 10 felt safe.",
            "other": "Thank you to our funders.",
        },
    )
    assert response.status_code == 302
    report = AnnualReport.objects.get(year=LAST_YEAR)
    assert report.activities.startswith("We ran two Gatherings")
    pdf = client.get(reverse("impact_staff:report_pdf", args=[LAST_YEAR]))
    assert pdf["Content-Type"] == "application/pdf"
    text = extract_text(io.BytesIO(pdf.content))
    assert "We ran two Gatherings where people with lived experience led." in text
    assert "Our activities and the benefit to the community" in text
    assert "How we consulted the people we serve" in text
    assert "Registrations and attendance" in text
    assert "73" in text


def test_a_report_for_a_year_far_away_is_not_found(network):
    client = organiser_client()
    assert client.get(reverse("impact_staff:report", args=[1500])).status_code == 404


def test_the_public_page_appears_only_once_published(client, network):
    assert client.get(reverse("impact:page")).status_code == 404
    assert client.get(reverse("impact:year", args=[LAST_YEAR])).status_code == 404
    public_url = reverse("impact:year", args=[LAST_YEAR])
    assert public_url not in client.get("/").content.decode()
    AnnualReport.objects.create(year=LAST_YEAR, activities="What we did.")
    assert client.get(reverse("impact:year", args=[LAST_YEAR])).status_code == 404
    staff_client = organiser_client()
    staff_client.post(reverse("impact_staff:report_publish", args=[LAST_YEAR]), {"publish": "1"})
    # The home page links the report from the moment it is published.
    assert public_url in client.get("/").content.decode()
    page = client.get(reverse("impact:page"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "What we did." in html and "73" in html
    assert 'numeric">3<' not in html
    pdf = client.get(reverse("impact:year_pdf", args=[LAST_YEAR]))
    assert "What we did." in extract_text(io.BytesIO(pdf.content))
    staff_client.post(reverse("impact_staff:report_publish", args=[LAST_YEAR]), {"publish": "0"})
    assert client.get(reverse("impact:page")).status_code == 404
    assert public_url not in client.get("/").content.decode()


def queries_of(client, url, data) -> int:
    client.get(url, data)  # the figures are counted once per change, then kept
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data).status_code == 200
    return len(captured.captured_queries)


def test_the_dashboards_queries_do_not_grow_with_the_network(network):
    client = organiser_client()
    url = reverse("impact_staff:dashboard")
    year = {"period": str(LAST_YEAR)}
    before = queries_of(client, url, year)
    for n in range(6):
        make_gathering(f"More {n}", datetime(LAST_YEAR, 6, 1 + n, 10, tzinfo=UTC), 8)
    assert queries_of(client, url, year) <= before
    assert before <= 10


def test_counting_afresh_takes_a_constant_number_of_queries(django_assert_max_num_queries, network):
    selectors.build()
    with django_assert_max_num_queries(40) as before:
        selectors.build()
    for n in range(6):
        make_gathering(f"More {n}", datetime(LAST_YEAR, 6, 1 + n, 10, tzinfo=UTC), 8)
    with django_assert_max_num_queries(len(before.captured_queries)):
        selectors.build()


def test_the_staff_home_links_to_impact(network):
    client = organiser_client()
    assert reverse("impact_staff:dashboard") in client.get(reverse("staff:home")).content.decode()
