"""A service's page (everything people need, opening hours in words, schema.org data), reporting a change
(kept for the organisers, rate-limited, thanked), and Find support on the home page, the help page and in
the header."""

import json
import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gathering.directory import approaches, geo, hours, search
from gathering.directory import models as m

from . import builders

pytestmark = pytest.mark.django_db

LS1 = geo.outcode_centroids()["LS1"]
LONDON = ZoneInfo("Europe/London")


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def full_service(monkeypatch):
    monkeypatch.setattr(search, "now", lambda: datetime(2027, 1, 8, 12, 0, tzinfo=LONDON))  # a Friday
    org = builders.organization(
        "Compass Partnership", website="https://compass.example.org/", email="hello@compass.example.org"
    )
    service = builders.service(
        "Leeds Open Dialogue",
        org=org,
        at=(LS1.latitude, LS1.longitude),
        location_name="The Old Chapel",
        postcode="LS1 4AP",
        approach=["family-and-carers", "open-dialogue"],
        ways_in=["self-referral", "phone"],
        cost=0,
        schedules=[
            {"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:30"},
            {"byday": "SA", "opens_at": "22:00", "closes_at": "02:00"},
            {"freq": "MONTHLY", "byday": "1TU", "opens_at": "18:30", "closes_at": "20:30"},
        ],
        description="Network meetings with you and the people who matter to you.\nWithin a day of your call.",
        eligibility_description="Adults in Leeds.",
        minimum_age=Decimal(18),
        application_process="Call us, or ask someone close to you to call.",
        wait_time="A day",
        email="team@compass.example.org",
        url="https://compass.example.org/leeds",
        verified_at=datetime(2026, 11, 3, 10, 0, tzinfo=UTC),
        interpretation_services="Interpreters on request.",
    )
    m.Phone.objects.create(id=uuid.uuid4(), service=service, number="0113 496 0123", description="team")
    m.Language.objects.create(id=uuid.uuid4(), service=service, name="English")
    m.Language.objects.create(id=uuid.uuid4(), service=service, name="Urdu")
    m.ServiceArea.objects.create(id=uuid.uuid4(), service=service, name="West Yorkshire")
    location = service.service_at_locations.get().location
    location.transportation = "Buses stop outside."
    location.save(update_fields=["transportation"])
    m.Accessibility.objects.create(id=uuid.uuid4(), location=location, description="Step-free entrance.")
    return service


def test_the_service_page_shows_what_people_need(client, full_service):
    response = client.get(f"/find-support/services/{full_service.pk}/")

    assert response.status_code == 200
    page = text(main(response))
    html = main(response)
    for words in (
        "Leeds Open Dialogue",
        "Run by Compass Partnership",
        "Open now",
        "Network meetings with you and the people who matter to you.",
        "Who it is for Adults in Leeds. Ages 18 and over.",
        "Self-referral: You can ask for this support yourself",
        "By phone: You can get the support by phone.",
        "Call us, or ask someone close to you to call.",
        "Waiting time: A day",
        "Cost Free",
        "Monday to Friday, 9am to 5:30pm",
        "Saturday, 10pm to 2am the next day",
        "The first Tuesday of each month, 6:30pm to 8:30pm",
        "Times are UK time.",
        "The Old Chapel",
        "Mill Street",
        "LS1 4AP",
        "Getting there: Buses stop outside.",
        "Step-free entrance.",
        "English, Urdu",
        "Interpreters on request.",
        "West Yorkshire",
        "Last checked by our network on 3 November 2026.",
    ):
        assert words in page, words
    assert '<a href="tel:01134960123">0113 496 0123</a>' in html
    assert page.index("Monday to Friday") < page.index("Saturday, 10pm") < page.index("The first Tuesday")
    assert 'href="mailto:team@compass.example.org"' in html
    assert 'href="https://compass.example.org/leeds"' in html
    assert 'href="https://compass.example.org/"' in html
    assert '<a href="/find-support/approaches/open-dialogue/">Open Dialogue</a>' in html
    assert html.index(">Open Dialogue<") < html.index(">Family and carers<")
    assert f'href="/find-support/services/{full_service.pk}/report/"' in html


def test_the_page_says_when_a_closed_service_opens_again(client, monkeypatch, full_service):
    monkeypatch.setattr(search, "now", lambda: datetime(2027, 1, 8, 18, 0, tzinfo=LONDON))

    page = text(main(client.get(f"/find-support/services/{full_service.pk}/")))

    assert "Closed now. Opens again on Saturday 9 January at 10pm (UK time)." in page


def test_the_service_page_describes_the_service_in_schema_org_terms(client, full_service):
    html = client.get(f"/find-support/services/{full_service.pk}/").content.decode()

    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Service"
    assert data["name"] == "Leeds Open Dialogue"
    assert data["url"] == f"http://127.0.0.1:8000/find-support/services/{full_service.pk}/"
    assert data["provider"] == {
        "@type": "Organization",
        "name": "Compass Partnership",
        "url": "https://compass.example.org/",
        "email": "hello@compass.example.org",
    }
    assert data["category"] == ["Open Dialogue", "Family and carers"]
    assert data["offers"] == {"@type": "Offer", "price": "0", "priceCurrency": "GBP"}
    channel = data["availableChannel"][0]
    assert channel["serviceLocation"]["address"]["postalCode"] == "LS1 4AP"
    assert channel["serviceLocation"]["geo"]["latitude"] == pytest.approx(LS1.latitude, abs=1e-6)
    assert channel["servicePhone"]["telephone"] == "0113 496 0123"
    assert channel["availableLanguage"] == ["English", "Urdu"]
    assert data["hoursAvailable"][0]["dayOfWeek"][0] == "https://schema.org/Monday"
    assert {spec["opens"] for spec in data["hoursAvailable"]} == {"09:00", "22:00"}


def test_text_in_the_schema_org_block_cannot_end_it(client):
    record = builders.service(
        "Tricky </script><script>alert(1)</script> & co", at=(LS1.latitude, LS1.longitude)
    )

    html = client.get(f"/find-support/services/{record.pk}/").content.decode()

    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block)["name"] == "Tricky </script><script>alert(1)</script> & co"
    assert "<script>alert" not in html


@pytest.mark.parametrize("status", ["inactive", "defunct"])
def test_unlisted_and_unknown_services_have_no_page(client, status):
    record = builders.service(at=(LS1.latitude, LS1.longitude), status=status)

    assert client.get(f"/find-support/services/{record.pk}/").status_code == 404
    assert client.get(f"/find-support/services/{record.pk}/report/").status_code == 404
    assert client.get(f"/find-support/services/{uuid.uuid4()}/").status_code == 404


def test_a_temporarily_closed_service_says_so(client):
    record = builders.service(
        at=(LS1.latitude, LS1.longitude), status="temporarily closed", alert="Back in May."
    )

    page = text(main(client.get(f"/find-support/services/{record.pk}/")))

    assert "This service is closed for now." in page
    assert "Back in May." in page


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (
            {"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"},
            "Monday to Friday, 9am to 5pm",
        ),
        (
            {"byday": "TU,TH", "opens_at": "10:30", "closes_at": "12:00"},
            "Tuesday and Thursday, 10:30am to midday",
        ),
        (
            {"byday": "FR,SA,SU", "opens_at": "18:00", "closes_at": "02:00"},
            "Friday to Sunday, 6pm to 2am the next day",
        ),
        ({"byday": "SA", "opens_at": "18:00", "closes_at": "00:00"}, "Saturday, 6pm to midnight"),
        ({"freq": "DAILY", "opens_at": "00:00", "closes_at": "00:00"}, "Every day, open all day and night"),
        ({"freq": "DAILY", "opens_at": "19:00", "closes_at": "24:00"}, "Every day, 7pm to midnight"),
        (
            {"freq": "MONTHLY", "byday": "-1FR", "opens_at": "14:00", "closes_at": "16:00"},
            "The last Friday of each month, 2pm to 4pm",
        ),
        (
            {"freq": "MONTHLY", "byday": "1WE,3WE", "opens_at": "14:00", "closes_at": "16:00"},
            "The first and third Wednesday of each month, 2pm to 4pm",
        ),
        (
            {"freq": "MONTHLY", "bymonthday": "1,15", "opens_at": "09:00", "closes_at": "12:00"},
            "The 1st and the 15th of each month, 9am to midday",
        ),
        (
            {
                "byday": "TH",
                "interval": 2,
                "dtstart": date(2027, 1, 7),
                "opens_at": "14:00",
                "closes_at": "16:00",
            },
            "Every other week: Thursday, 2pm to 4pm",
        ),
        (
            {
                "byday": "MO",
                "opens_at": "09:00",
                "closes_at": "10:00",
                "valid_from": date(2027, 4, 1),
                "valid_to": date(2027, 6, 30),
            },
            "Monday, 9am to 10am (from 1 April 2027 to 30 June 2027)",
        ),
        (
            {"dtstart": date(2027, 5, 1), "freq": "", "opens_at": "10:00", "closes_at": "15:00"},
            "On Saturday 1 May 2027, 10am to 3pm",
        ),
        ({"description": "Ring for times", "opens_at": "", "closes_at": ""}, "Ring for times"),
        (
            {
                "freq": "YEARLY",
                "byyearday": "1",
                "opens_at": "10:00",
                "closes_at": "11:00",
                "description": "",
            },
            "",
        ),
    ],
)
def test_opening_hours_in_plain_words(schedule, words):
    record = m.Schedule(**{"freq": "WEEKLY", **schedule})

    assert hours.describe(record) == words


def test_a_service_page_takes_the_same_queries_for_more_data(client):
    def grown(n: int) -> m.Service:
        record = builders.service(
            at=(LS1.latitude, LS1.longitude),
            approach=["open-dialogue"],
            ways_in=["phone"],
            cost=0,
            schedules=[{"byday": "MO", "opens_at": "09:00", "closes_at": "17:00"}] * n,
            place_schedules=[{"byday": "TU", "opens_at": "09:00", "closes_at": "17:00"}] * n,
        )
        for k in range(n):
            m.Phone.objects.create(id=uuid.uuid4(), service=record, number=f"0113 496 0{k:03d}")
            m.Language.objects.create(id=uuid.uuid4(), service=record, name=f"Language {k}")
            location = m.Location.objects.create(
                id=uuid.uuid4(), location_type="physical", latitude=LS1.latitude, longitude=LS1.longitude
            )
            m.Address.objects.create(
                id=uuid.uuid4(), location=location, city="Leeds", address_type="physical"
            )
            m.Accessibility.objects.create(id=uuid.uuid4(), location=location, description="Ramp")
            m.Phone.objects.create(id=uuid.uuid4(), location=location, number="0113 496 0999")
            m.ServiceAtLocation.objects.create(id=uuid.uuid4(), service=record, location=location)
        return record

    def queries(record: m.Service) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/find-support/services/{record.pk}/").status_code == 200
        return len(captured)

    assert queries(grown(1)) == queries(grown(10))


# ---------------------------------------------------------------------------------------- report a change


def test_reporting_a_change_keeps_it_for_the_organisers_and_says_thank_you(client, full_service):
    url = f"/find-support/services/{full_service.pk}/report/"
    form = client.get(url)
    assert form.status_code == 200
    assert "Report a change to Leeds Open Dialogue" in text(main(form))

    response = client.post(
        url, {"details": "  The Tuesday group has moved to Wednesdays. ", "reply_email": "jo@example.org"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/find-support/services/{full_service.pk}/report/sent/"
    report = m.ChangeReport.objects.get()
    assert (report.service_id, report.details, report.reply_email, report.status) == (
        full_service.pk,
        "The Tuesday group has moved to Wednesdays.",
        "jo@example.org",
        "new",
    )
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Thank you for telling us" in text(main(thanks))
    assert f'href="/find-support/services/{full_service.pk}/"' in main(thanks)


def test_a_report_needs_words_and_a_real_email_if_one_is_given(client, full_service):
    url = f"/find-support/services/{full_service.pk}/report/"

    response = client.post(url, {"details": "", "reply_email": "not an email"})

    assert response.status_code == 200
    page = text(response.content.decode())
    assert "There is a problem" in page
    assert "Tell us what needs changing" in page
    assert "Enter an email address in the correct format, like name@example.org" in page
    assert m.ChangeReport.objects.count() == 0
    assert client.post(url, {"details": "Closed now"}).status_code == 302
    assert m.ChangeReport.objects.get().reply_email == ""


def test_reports_are_limited_per_address(full_service):
    client = Client()
    url = f"/find-support/services/{full_service.pk}/report/"
    for n in range(10):
        assert client.post(url, {"details": f"Change {n}"}).status_code == 302

    response = client.post(url, {"details": "One more"})

    assert response.status_code == 429
    assert "Please wait a little and try again" in response.content.decode()
    assert m.ChangeReport.objects.count() == 10


# ------------------------------------------------------------------------------------------------ the beacon


def test_find_support_is_in_the_header(client):
    html = client.get("/").content.decode()
    nav = html[html.index('<div class="nav-inline">') : html.index("</nav>")]

    assert '<a href="/find-support/">Find support</a>' in nav
    assert nav.index(">Listening circles<") < nav.index(">Find support<") < nav.index(">About<")
    search_page = client.get("/find-support/").content.decode()
    assert '<a href="/find-support/" aria-current="page">Find support</a>' in search_page
    record = builders.service(at=(LS1.latitude, LS1.longitude))
    service_page = client.get(f"/find-support/services/{record.pk}/").content.decode()
    assert '<a href="/find-support/" aria-current="true">Find support</a>' in service_page


def test_the_home_page_searches_in_one_click(client):
    html = client.get("/").content.decode()

    block = html[html.index('id="find-support-home"') :]
    form = block[block.index("<form") : block.index("</form>")]
    assert 'action="/find-support/"' in form and 'method="get"' in form
    assert 'name="place"' in form
    assert ">Find support</button>" in form


def test_the_help_page_offers_find_support_under_the_helplines(client):
    html = client.get("/help/").content.decode()

    assert html.index('class="helplines"') < html.index('id="find-support"')
    assert 'action="/find-support/"' in html[html.index('id="find-support"') :]


def test_before_any_search_every_approach_is_a_link_to_its_page_and_its_services(client):
    soteria = builders.service(name="Soteria house", approach=["soteria"], at=(LS1.latitude, LS1.longitude))
    builders.service(name="Drop-in café", approach=["crisis-cafe"], at=(LS1.latitude, LS1.longitude))

    page = client.get("/find-support/").content.decode()
    browse = page[page.index('id="browse-heading"') :]
    rows = re.findall(
        r'<li><a href="([^"]+)">([^<]+)</a> · <a href="([^"]+)">find services',
        browse[: browse.index("</section>")],
    )

    assert [label for _page, label, _url in rows] == [label for _code, label in approaches.TERMS]
    approach_page, url = {label: (page, href) for page, label, href in rows}["Soteria"]
    assert approach_page == "/find-support/approaches/soteria/"
    assert 'href="/find-support/approaches/"' in browse
    assert unescape(url) == "/find-support/?approach=soteria"
    results = client.get(unescape(url)).content.decode()
    assert f"/find-support/services/{soteria.pk}/" in results
    assert "Drop-in café" not in results
    assert 'id="browse-heading"' not in results
