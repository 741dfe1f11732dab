"""Find support's search, through its page: distance by great circle, open now in each place's own time
zone and across midnight, filters together, messages for what cannot be searched, pages of results, a fixed
number of queries, and nothing of the search kept in logs or caches."""

import logging
import re
from datetime import UTC, datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gathering.core.logging import NoPersonalDataFilter
from gathering.directory import geo, search
from gathering.directory import models as m

from . import builders

pytestmark = pytest.mark.django_db

LS1 = geo.outcode_centroids()["LS1"]
URL = "/find-support/"
LONDON = ZoneInfo("Europe/London")
# Friday 22:00 to Saturday 02:00, the way a crisis café opens.
FRIDAY_NIGHT = {"byday": "FR", "opens_at": "22:00", "closes_at": "02:00"}


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def heading(response) -> str:
    found = re.search(r'<h2 id="results-heading">(.*?)</h2>', response.content.decode(), re.S)
    return text(found.group(1)) if found else ""


def names(response) -> list[str]:
    html = response.content.decode()
    return [
        text(name) for name in re.findall(r'<li class="result".*?<h3>.*?<a [^>]*>(.*?)</a></h3>', html, re.S)
    ]


def results_html(response) -> list[str]:
    return re.findall(r'<li class="result".*?</li>', response.content.decode(), re.S)


@pytest.fixture
def at_moment(monkeypatch):
    """Fix the moment "open now" means."""

    def set_moment(moment: datetime) -> None:
        monkeypatch.setattr(search, "now", lambda: moment)

    return set_moment


# ------------------------------------------------------------------------------------------------ distance


def test_radius_is_measured_by_great_circle_distance(client):
    just_inside = builders.north_of(LS1, 24.95)
    just_outside = builders.north_of(LS1, 25.05)
    assert geo.distance_km(LS1, just_inside) < 25 < geo.distance_km(LS1, just_outside)
    builders.service("Just inside", at=just_inside)
    builders.service("Just outside", at=just_outside)
    builders.service("In the centre", at=(LS1.latitude, LS1.longitude))

    response = client.get(URL, {"place": "LS1 4AP", "radius": "25"})

    assert response.status_code == 200
    assert heading(response) == "2 services within 25 km of LS1"
    assert names(response) == ["In the centre", "Just inside"]
    assert "25 km away" in text(results_html(response)[1])
    assert "0 km away" in text(results_html(response)[0])
    wider = client.get(URL, {"place": "LS1", "radius": "50"})
    assert names(wider) == ["In the centre", "Just inside", "Just outside"]


def test_distances_are_shown_to_a_tenth_of_a_kilometre_nearby(client):
    builders.service("Near", at=builders.north_of(LS1, 4.2))
    builders.service("Further", at=builders.north_of(LS1, 12.4))

    response = client.get(URL, {"place": "LS1"})

    near, further = (text(item) for item in results_html(response))
    assert "4.2 km away, Leeds" in near
    assert "12 km away, Leeds" in further


def test_the_nearest_of_a_services_places_counts(client):
    record = builders.service("Two places", at=builders.north_of(LS1, 40))
    second = m.Location.objects.create(
        id="3a4f6a3e-8f4d-4c8b-9b9b-2d1f5c6e7a01",
        location_type=m.LocationType.PHYSICAL,
        latitude=round(builders.north_of(LS1, 3)[0], 7),
        longitude=round(LS1.longitude, 7),
    )
    m.ServiceAtLocation.objects.create(
        id="3a4f6a3e-8f4d-4c8b-9b9b-2d1f5c6e7a02", service=record, location=second
    )

    response = client.get(URL, {"place": "LS1", "radius": "5"})

    assert names(response) == ["Two places"]
    assert "3.0 km away" in text(results_html(response)[0])


def test_a_town_is_found_from_the_directorys_own_places(client):
    builders.service("In Leeds", at=builders.north_of(LS1, 1), city="Leeds")
    builders.service("Far away", at=(51.5, -0.1), city="London")

    response = client.get(URL, {"place": "leeds", "radius": "10"})

    assert heading(response) == "1 service within 10 km of Leeds"
    assert names(response) == ["In Leeds"]


def test_only_listed_services_are_found(client):
    builders.service("Active", at=(LS1.latitude, LS1.longitude))
    builders.service("Closed for now", at=(LS1.latitude, LS1.longitude), status="temporarily closed")
    builders.service("Inactive", at=(LS1.latitude, LS1.longitude), status="inactive")
    builders.service("Gone", at=(LS1.latitude, LS1.longitude), status="defunct")

    response = client.get(URL, {"place": "LS1"})

    assert names(response) == ["Active", "Closed for now"]
    assert "Temporarily closed" in text(results_html(response)[1])


# ------------------------------------------------------------------------------------------------ open now


def test_open_now_across_midnight_in_each_services_own_time_zone(client, at_moment):
    builders.service("London café", at=(LS1.latitude, LS1.longitude), schedules=[FRIDAY_NIGHT])
    builders.service(
        "New York café", at=(LS1.latitude, LS1.longitude), schedules=[FRIDAY_NIGHT], zone="America/New_York"
    )
    builders.service("No hours given", at=(LS1.latitude, LS1.longitude))
    builders.service(
        "Place hours",
        at=(LS1.latitude, LS1.longitude),
        place_schedules=[FRIDAY_NIGHT],
        place_zone="America/New_York",
    )

    # Saturday 01:00 in London: the London café is still open from Friday night; in New York it is Friday
    # 20:00, before its café opens.
    at_moment(datetime(2027, 1, 9, 1, 0, tzinfo=LONDON))
    assert names(client.get(URL, {"only": "open"})) == ["London café"]
    everything = client.get(URL, {"place": "LS1"})
    statuses = {
        name: text(item) for name, item in zip(names(everything), results_html(everything), strict=True)
    }
    assert "Open now" in statuses["London café"]
    assert "Closed now" in statuses["New York café"]
    assert "Open now" not in statuses["No hours given"] and "Closed now" not in statuses["No hours given"]

    # Saturday 03:00 in London is Friday 22:00 in New York: now it is the other way round.
    at_moment(datetime(2027, 1, 9, 3, 0, tzinfo=LONDON))
    assert names(client.get(URL, {"only": "open", "place": "LS1"})) == ["New York café", "Place hours"]

    # Saturday 02:00 in London: the London café has just closed.
    at_moment(datetime(2027, 1, 9, 2, 0, tzinfo=LONDON))
    assert names(client.get(URL, {"only": "open"})) == []


def test_unknown_opening_hours_count_as_not_open_now(client, at_moment):
    at_moment(datetime(2027, 1, 9, 12, 0, tzinfo=UTC))
    builders.service(
        "Unreadable hours", at=(LS1.latitude, LS1.longitude), schedules=[{"description": "Varies"}]
    )
    builders.service(
        "Always open",
        at=(LS1.latitude, LS1.longitude),
        schedules=[{"opens_at": "00:00", "closes_at": "00:00", "freq": "DAILY"}],
    )

    assert names(client.get(URL, {"only": "open", "place": "LS1"})) == ["Always open"]


# ------------------------------------------------------------------------------------------------ filters


@pytest.fixture
def mixed(at_moment):
    at_moment(datetime(2027, 1, 8, 12, 0, tzinfo=LONDON))  # a Friday at midday
    near = (LS1.latitude, LS1.longitude)
    weekdays = [{"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}]
    builders.service(
        "Leeds Open Dialogue",
        at=near,
        approach=["open-dialogue", "family-and-carers"],
        ways_in=["self-referral", "phone"],
        cost=0,
        schedules=weekdays,
        description="Network meetings at home.",
    )
    builders.service(
        "Leeds Hearing Voices Group",
        at=builders.north_of(LS1, 5),
        approach=["hearing-voices", "peer-support-group"],
        ways_in=["drop-in"],
        cost=0,
        schedules=[{"byday": "WE", "opens_at": "18:00", "closes_at": "20:00"}],
    )
    builders.service(
        "Leeds Counselling",
        at=builders.north_of(LS1, 8),
        approach=["trauma-informed"],
        ways_in=["self-referral", "online"],
        cost=15,
        schedules=weekdays,
    )
    builders.service(
        "York Open Dialogue",
        at=builders.north_of(LS1, 35),
        approach=["open-dialogue"],
        ways_in=["phone"],
        cost=0,
        schedules=weekdays,
    )
    builders.service("Online Voices", online=True, approach=["hearing-voices"], ways_in=["online"], cost=0)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"place": "LS1"}, ["Leeds Open Dialogue", "Leeds Hearing Voices Group", "Leeds Counselling"]),
        ({"place": "LS1", "approach": "open-dialogue"}, ["Leeds Open Dialogue"]),
        (
            {"place": "LS1", "radius": "50", "approach": "open-dialogue"},
            ["Leeds Open Dialogue", "York Open Dialogue"],
        ),
        ({"approach": "hearing-voices"}, ["Leeds Hearing Voices Group", "Online Voices"]),
        ({"place": "LS1", "access": ["online"]}, ["Leeds Counselling"]),
        (
            {"place": "LS1", "access": ["online", "drop-in"]},
            ["Leeds Hearing Voices Group", "Leeds Counselling"],
        ),
        ({"place": "LS1", "only": "free"}, ["Leeds Open Dialogue", "Leeds Hearing Voices Group"]),
        ({"place": "LS1", "only": "open"}, ["Leeds Open Dialogue", "Leeds Counselling"]),
        ({"place": "LS1", "only": ["open", "free"]}, ["Leeds Open Dialogue"]),
        ({"place": "LS1", "access": "self-referral", "only": "free"}, ["Leeds Open Dialogue"]),
        ({"q": "voices"}, ["Leeds Hearing Voices Group", "Online Voices"]),
        ({"q": "network meetings", "place": "LS1"}, ["Leeds Open Dialogue"]),
        (
            {"q": "dialogue", "radius": "100", "place": "LS1", "only": "open", "access": "phone"},
            ["Leeds Open Dialogue", "York Open Dialogue"],
        ),
        ({"q": "voices", "only": "free", "access": "online"}, ["Online Voices"]),
        ({"place": "LS1", "approach": "soteria"}, []),
    ],
)
def test_filters_combine(client, mixed, query, expected):
    response = client.get(URL, query)

    assert response.status_code == 200
    assert names(response) == expected


def test_results_show_organisation_approaches_and_a_line_of_description(client, mixed):
    response = client.get(URL, {"place": "LS1", "approach": "open-dialogue"})

    item = text(results_html(response)[0])
    assert "Leeds Open Dialogue" in item
    assert "0 km away, Leeds" in item
    assert "Approaches: Open Dialogue, Family and carers" in item
    assert "Network meetings at home." in item
    assert "Open now" in item


def test_no_results_offer_a_wider_search_fewer_filters_and_the_helplines(client, mixed):
    response = client.get(URL, {"place": "LS1", "radius": "10", "approach": "soteria"})

    html = unescape(response.content.decode())
    assert heading(response) == "No services found within 10 km of LS1"
    assert 'href="/find-support/?place=LS1&approach=soteria&radius=25"' in html
    assert 'href="/find-support/?place=LS1&radius=10"' in html
    assert 'href="/find-support/?approach=soteria"' in html
    assert 'href="tel:116123"' in html.split('class="no-results"')[1]
    assert "text SHOUT to 85258" in html.split('class="no-results"')[1]


def test_crisis_help_is_above_the_results(client, mixed):
    html = client.get(URL, {"place": "LS1"}).content.decode()

    crisis = html.index('class="help-box crisis-box"')
    assert crisis < html.index('id="results-heading"')
    block = text(html[crisis : html.index("</aside>", crisis)])
    for words in ("999", "Samaritans", "116 123", "SHOUT to 85258", "NHS 111, then option 2"):
        assert words in block
    assert 'href="/help/"' in html[crisis : html.index("</aside>", crisis)]


# ------------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"place": "SW1A 1A"}, "place", "“SW1A 1A” is not a UK postcode."),
        ({"place": "12345"}, "place", "“12345” is not a UK postcode."),
        ({"place": "ZE9 9ZZ"}, "place", "We do not know the postcode area “ZE9”."),
        ({"place": "BT1 1AA"}, "place", "We cannot search from postcodes in Northern Ireland yet."),
        ({"place": "Atlantis"}, "place", "We do not have any services in a town called “Atlantis”."),
        ({"radius": "500"}, "radius", "Choose a distance between 1 and 200 km"),
        ({"radius": "far"}, "radius", "Choose how far you could travel from the list"),
        ({"radius": "30"}, "radius", "Choose a distance from the list: 5, 10, 25, 50, 100 km"),
        ({"approach": "astrology"}, "approach", "Choose a type of approach from the list"),
        ({"access": "teleport"}, "access", "Choose how you would like to get support from the list"),
        ({"only": "cheap"}, "only", "Choose from the options given"),
        ({"q": "x" * 101}, "q", "Enter 100 characters or fewer"),
        ({"q": "a\x00b"}, "q", "Remove the unusual characters from this answer"),
    ],
)
def test_bad_input_gets_a_message_on_the_form_and_no_results(client, mixed, query, field, message):
    response = client.get(URL, query)

    assert response.status_code == 400
    html = unescape(response.content.decode())
    summary = html[
        html.index('class="error-summary"') : html.index("</div>", html.index('class="error-summary"'))
    ]
    assert f'href="#id_{field}' in summary
    assert message in text(summary)
    assert f'id="id_{field}_error"' in html
    assert message in text(html.split(f'id="id_{field}_error"')[1].split("</p>")[0])
    assert html.index('class="error-summary"') < html.index("<h1")
    # Nothing half-done: no count, no list, no map.
    assert 'id="results-heading"' not in html
    assert 'class="result"' not in html
    assert "results-map" not in html
    assert "<title>Error:" in html


def test_a_full_postcode_is_shown_back_only_as_its_district(client, mixed):
    response = client.get(URL, {"place": "ls1 4ap"})

    assert heading(response) == "3 services within 25 km of LS1"
    assert "4AP" not in heading(response)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(["q", "place", "radius", "approach", "access", "only", "page"]),
        st.text(max_size=30),
        max_size=5,
    )
)
def test_any_query_gets_a_page_or_a_message_never_an_error(client, query):
    response = client.get(URL, query)

    assert response.status_code in {200, 400}
    assert b"<h1>Find support</h1>" in response.content


# ------------------------------------------------------------------------------------------------ pages


def test_results_come_a_page_at_a_time_with_a_clear_count(client):
    for n in range(45):
        builders.service(f"Group {n:02d}", at=builders.north_of(LS1, n * 0.2))

    first = client.get(URL, {"place": "LS1", "q": "group"})
    third = client.get(URL, {"place": "LS1", "q": "group", "page": "3"})

    assert heading(first) == "45 services within 25 km of LS1"
    assert names(first) == [f"Group {n:02d}" for n in range(20)]
    assert names(third) == [f"Group {n:02d}" for n in range(40, 45)]
    assert "Page 1 of 3" in text(first.content.decode())
    assert 'href="?place=LS1&amp;q=group&amp;page=2" rel="next"' in first.content.decode()
    assert 'href="?place=LS1&amp;q=group&amp;page=2" rel="prev"' in third.content.decode()
    assert names(client.get(URL, {"place": "LS1", "q": "group", "page": "99"})) == names(third)


def test_the_map_is_given_the_places_and_the_search_circle(client, mixed):
    html = client.get(URL, {"place": "LS1"}).content.decode()

    assert '<section class="results-map-section" aria-labelledby="map-heading" hidden>' in html
    assert 'data-radius-km="25"' in html
    assert f'data-lat="{LS1.latitude:.6f}"' in html
    assert html.count('<li class="result" data-lat=') == 3
    assert "/static/directory/map.js" in html
    assert "/static/directory/leaflet/leaflet.js" in html


def test_the_form_alone_loads_no_map_script(client):
    html = client.get(URL).content.decode()

    assert "map.js" not in html
    assert 'id="results-heading"' not in html


# ------------------------------------------------------------------------------------------------ privacy


def test_results_are_not_kept_by_browsers_proxies_or_search_engines(client, mixed):
    response = client.get(URL, {"place": "LS1", "q": "voices"})

    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_a_search_leaves_no_postcode_or_words_in_the_logs(client, mixed, caplog):
    caplog.set_level(logging.DEBUG)
    client.get(URL, {"place": "LS1 4AP", "q": "voices"})
    client.get(URL, {"place": "ZE9 9QQ", "q": "quietword"})  # an unknown district: a 400
    client.get(URL, {"place": "AB1 2CD3", "radius": "999"})

    logged = "\n".join(f"{record.name} {record.getMessage()}" for record in caplog.records)
    for typed in ("4AP", "LS1 4AP", "LS1+4AP", "ZE9", "9QQ", "quietword", "voices", "AB1", "2CD3"):
        assert typed not in logged


def test_request_lines_logged_by_the_server_lose_the_search(settings):
    line = '"GET /find-support/?place=LS1+4AP&q=hearing+voices HTTP/1.1" 200 5120'
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, line, None, None)

    assert NoPersonalDataFilter().filter(record) is True
    assert record.getMessage() == '"GET /find-support/?… HTTP/1.1" 200 5120'
    assert "no_personal_data" in settings.LOGGING["handlers"]["console"]["filters"]
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]


def test_a_tile_server_is_allowed_for_images_on_the_search_page_only(client, mixed, settings):
    assert "tile" not in client.get(URL, {"place": "LS1"})["Content-Security-Policy"]

    settings.GATHERING_MAP_TILES_URL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    response = client.get(URL, {"place": "LS1"})

    img_src = re.search(r"img-src ([^;]+)", response["Content-Security-Policy"]).group(1).split()
    assert img_src == ["'self'", "data:", "https://*.tile.example.org"]
    assert 'data-tiles="https://{s}.tile.example.org/{z}/{x}/{y}.png"' in response.content.decode()
    assert "tile.example.org" not in client.get("/about/")["Content-Security-Policy"]


# ------------------------------------------------------------------------------------------------ queries


def _grow(copies: int) -> None:
    weekdays = [{"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}]
    for n in range(copies):
        builders.service(
            f"Peer group {n}",
            at=builders.north_of(LS1, n % 20),
            approach=["peer-support-group", "hearing-voices"],
            ways_in=["drop-in", "self-referral"],
            cost=0,
            schedules=weekdays,
            place_schedules=weekdays,
        )


@pytest.mark.parametrize(
    "query",
    [
        {"place": "LS1"},
        {
            "place": "Leeds",
            "q": "peer",
            "approach": "hearing-voices",
            "access": "drop-in",
            "only": ["free", "open"],
        },
        {"q": "peer"},
        {"only": "open"},
        {"place": "LS1", "page": "2"},
    ],
    ids=["place", "everything", "words", "open-now", "second-page"],
)
def test_a_results_page_takes_the_same_queries_for_more_data(client, at_moment, query):
    at_moment(datetime(2027, 1, 8, 12, 0, tzinfo=LONDON))

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, query)
        assert response.status_code == 200
        return len(queries), len(results_html(response))

    _grow(25)
    small, shown = count()
    _grow(225)
    large, shown_large = count()
    assert shown > 0 and shown_large > 0
    assert small == large
