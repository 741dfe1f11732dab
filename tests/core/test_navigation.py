"""Finding one's way: every page a person may use is reachable from the home page in at most two clicks,
the header shows the right links for each role and marks the current section, the staff home lists exactly
the areas a role may open, and the home page leads with what is next in a fixed number of queries."""

from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils import timezone

from gathering.circles.models import CircleSeries
from gathering.events.models import Event, Registration

from ..conftest import signed_in
from ..factories import CircleSeriesFactory, EventFactory, TicketTypeFactory, UserFactory, make_staff
from ..programme.attendee_data import grid, mark, programme_for, publish, session

pytestmark = pytest.mark.django_db

SECTIONS = [
    ("Gatherings", "/gatherings/"),
    ("Learning", "/learning/"),
    ("Listening circles", "/circles/"),
    ("Find support", "/find-support/"),
    ("About", "/about/"),
]
SIGNED_IN = [
    ("My Gatherings", "/my/gatherings/"),
    ("My programme", "/my/programme/"),
    ("My circles", "/my/circles/"),
    ("My learning", "/my/learning/"),
    ("My data", "/privacy/my-data/"),
    ("Account", "/account/"),
]
SIGN_OUT = [("Sign out", "/accounts/logout/")]
STAFF = [("Staff", "/staff/")]

STAFF_AREAS = {
    "facilitator": ["Programmes", "Learning programmes", "Circles you facilitate"],
    "organiser": [
        "Gatherings",
        "Bursaries",
        "Programmes",
        "Listening circles",
        "Learning programmes",
        "Directory",
        "Approach pages",
        "Impact",
        "Team",
    ],
    "safeguarding_lead": ["Programmes", "Safeguarding"],
    "admin": [
        "Gatherings",
        "Bursaries",
        "Programmes",
        "Listening circles",
        "Learning programmes",
        "Directory",
        "Approach pages",
        "Circles you facilitate",
        "Impact",
        "Safeguarding",
        "Audit log",
        "Team",
        "Site administration",
    ],
}
AREA_URLS = {
    "Impact": "/staff/impact/",
    "Gatherings": "/staff/gatherings/",
    "Bursaries": "/staff/gatherings/",
    "Programmes": "/staff/programme/",
    "Listening circles": "/staff/circles/",
    "Learning programmes": "/staff/learning/",
    "Directory": "/staff/directory/",
    "Approach pages": "/staff/directory/approaches/",
    "Circles you facilitate": "/staff/circles/facilitating/",
    "Safeguarding": "/staff/safeguarding/",
    "Audit log": "/staff/audit/",
    "Team": "/staff/team/",
    "Site administration": "/admin/",
}


class Links(HTMLParser):
    """Every <a href> in a piece of HTML, with its text and aria-current."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and dict(attrs).get("href"):
            values = dict(attrs)
            self._open = {"href": values["href"], "current": values.get("aria-current"), "text": ""}
            self.links.append(self._open)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self._open["text"] = " ".join(self._open["text"].split())
            self._open = None


def links_in(html: str) -> list[dict[str, str | None]]:
    parser = Links()
    parser.feed(html)
    return parser.links


def header_links(html: str) -> list[dict[str, str | None]]:
    """The header's links as shown on a wide screen (the narrow-screen menu holds the same ones)."""
    inline = html[html.index('<div class="nav-inline">') : html.index("</nav>")]
    return links_in(inline)


def menu_links(html: str) -> list[dict[str, str | None]]:
    menu = html[html.index('<details class="nav-menu">') : html.index("</details>")]
    return links_in(menu)


def clicks_from_home(client, *, depth: int = 2) -> dict[str, int]:
    """How many clicks each same-site address is from `/`, following only links found in pages (GET only),
    breadth first, up to `depth` clicks."""
    seen = {"/": 0}
    frontier = ["/"]
    for clicks in range(1, depth + 1):
        following = []
        for path in frontier:
            if path == "/accounts/logout/":
                continue  # the page asks to confirm; following it cannot sign out, but nothing is behind it
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            for link in links_in(response.content.decode()):
                parts = urlsplit(urljoin(f"http://testserver{path}", link["href"]))
                if parts.scheme not in {"http", "https"} or parts.netloc != "testserver":
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if target not in seen:
                    seen[target] = clicks
                    following.append(target)
        frontier = following
    return seen


@pytest.fixture
def world():
    """An upcoming Gathering with a published programme, a past Gathering and an open circle series."""
    event = EventFactory(title="Autumn Gathering")
    TicketTypeFactory(event=event)
    programme = programme_for(event)
    grid(programme, slots=2, rooms=1, breaks=())
    session(programme, title="Listening to carers", status="scheduled")
    publish(programme)
    start = timezone.now() - timedelta(days=100)
    past = EventFactory(title="Old Gathering", starts_at=start, ends_at=start + timedelta(hours=6))
    series = CircleSeriesFactory(name="Tuesday circles")
    return {"event": event, "programme": programme, "past": past, "series": series}


# -------------------------------------------------------- reachable in two clicks


def test_a_visitor_reaches_every_public_section_within_two_clicks(client, world):
    event = world["event"]
    clicks = clicks_from_home(client)
    expected = {
        "/gatherings/": 1,
        f"/gatherings/{event.slug}/": 1,
        "/gatherings/past/": 1,
        "/circles/": 1,
        "/learning/": 1,
        "/find-support/": 1,
        "/help/": 1,
        "/about/": 1,
        "/network/": 1,
        "/find-support/approaches/": 1,
        "/find-support/approaches/open-dialogue/": 1,
        f"/circles/{world['series'].slug}/": 1,
        f"/gatherings/{event.slug}/programme/": 2,
        f"/gatherings/{world['past'].slug}/": 2,
    }
    assert {path: clicks.get(path) for path in expected} == expected
    for path in expected:
        assert client.get(path).status_code == 200, path


def test_a_participant_reaches_their_own_pages_in_one_click(participant, world):
    client = signed_in(participant)
    clicks = clicks_from_home(client, depth=1)
    expected = {url: 1 for _label, url in SIGNED_IN}
    assert {path: clicks.get(path) for path in expected} == expected
    for path in expected:
        assert client.get(path).status_code == 200, path
    assert "/staff/" not in clicks


@pytest.mark.parametrize("role", sorted(STAFF_AREAS))
def test_staff_reach_the_staff_home_in_one_click_and_each_area_in_two(role, world):
    client = signed_in(make_staff(role))
    clicks = clicks_from_home(client)
    assert clicks["/staff/"] == 1
    areas = {AREA_URLS[label] for label in STAFF_AREAS[role]}
    assert {path: clicks.get(path) for path in areas} == dict.fromkeys(areas, 2)


# -------------------------------------------------------- the header


def test_a_visitor_sees_the_sections_and_sign_in(client):
    html = client.get("/").content.decode()
    expected = [*SECTIONS, ("Sign in", "/accounts/login/"), ("Create an account", "/accounts/signup/")]
    assert [(link["text"], link["href"]) for link in header_links(html)] == expected
    assert [(link["text"], link["href"]) for link in menu_links(html)] == expected


def test_a_participant_sees_their_own_pages_and_no_staff_link(participant):
    html = signed_in(participant).get("/").content.decode()
    expected = [*SECTIONS, *SIGNED_IN, *SIGN_OUT]
    assert [(link["text"], link["href"]) for link in header_links(html)] == expected
    assert [(link["text"], link["href"]) for link in menu_links(html)] == expected


def test_a_facilitator_also_sees_the_staff_link(facilitator):
    html = signed_in(facilitator).get("/").content.decode()
    expected = [*SECTIONS, *SIGNED_IN, *STAFF, *SIGN_OUT]
    assert [(link["text"], link["href"]) for link in header_links(html)] == expected


def test_the_narrow_screen_menu_is_a_disclosure_named_menu(client):
    html = client.get("/").content.decode()
    nav = html[html.index('<nav class="wrap site-nav" aria-label="Main">') : html.index("</nav>")]
    menu = nav[nav.index('<details class="nav-menu">') : nav.index("</details>")]
    assert menu.split("<summary>")[1].split("</summary>")[0] == "Menu"
    assert '<details class="nav-menu" open' not in nav  # closed until the person opens it


def current_links(client, path: str) -> dict[str, str]:
    response = client.get(path)
    assert response.status_code == 200
    return {
        link["text"]: link["current"] for link in header_links(response.content.decode()) if link["current"]
    }


def test_the_current_section_is_marked(client, participant, organiser, world):
    event = world["event"]
    assert current_links(client, "/") == {}
    assert current_links(client, "/gatherings/") == {"Gatherings": "page"}
    assert current_links(client, f"/gatherings/{event.slug}/") == {"Gatherings": "true"}
    assert current_links(client, f"/gatherings/{event.slug}/programme/") == {"Gatherings": "true"}
    assert current_links(client, "/gatherings/past/") == {"Gatherings": "true"}
    assert current_links(client, "/circles/") == {"Listening circles": "page"}
    assert current_links(client, "/learning/") == {"Learning": "page"}
    assert current_links(client, f"/circles/{world['series'].slug}/") == {"Listening circles": "true"}
    assert current_links(client, "/about/") == {"About": "page"}
    assert current_links(client, "/find-support/") == {"Find support": "page"}
    assert current_links(client, "/find-support/approaches/soteria/") == {"Find support": "true"}
    assert current_links(client, "/network/") == {"About": "true"}
    assert current_links(client, "/accounts/login/") == {"Sign in": "page"}
    person = signed_in(participant)
    assert current_links(person, "/my/gatherings/") == {"My Gatherings": "page"}
    assert current_links(person, "/my/programme/") == {"My programme": "page"}
    assert current_links(person, "/my/circles/") == {"My circles": "page"}
    assert current_links(person, "/my/learning/") == {"My learning": "page"}
    assert current_links(person, "/privacy/my-data/") == {"My data": "page"}
    assert current_links(person, "/privacy/consents/") == {"My data": "true"}
    assert current_links(person, "/account/") == {"Account": "page"}
    assert current_links(person, "/account/tokens/") == {"Account": "true"}
    assert current_links(person, "/accounts/email/") == {"Account": "true"}
    assert current_links(person, "/my/organisations/") == {"Account": "true"}
    staff = signed_in(organiser)
    assert current_links(staff, "/staff/") == {"Staff": "page"}
    assert current_links(staff, "/staff/gatherings/") == {"Staff": "true"}
    assert current_links(staff, "/staff/team/") == {"Staff": "true"}


# -------------------------------------------------------- the staff home


@pytest.mark.parametrize("role", sorted(STAFF_AREAS))
def test_the_staff_home_lists_exactly_the_areas_a_role_may_open(role):
    client = signed_in(make_staff(role))
    html = client.get("/staff/").content.decode()
    areas = html[html.index('<ul class="staff-areas">') : html.index("</ul>", html.index("staff-areas"))]
    listed = [(link["text"], link["href"]) for link in links_in(areas)]
    assert listed == [(label, AREA_URLS[label]) for label in STAFF_AREAS[role]]
    for _label, url in listed:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", sorted(STAFF_AREAS))
def test_areas_left_off_the_staff_home_are_closed_to_the_role(role):
    client = signed_in(make_staff(role))
    closed = set(AREA_URLS.values()) - {AREA_URLS[label] for label in STAFF_AREAS[role]}
    for url in sorted(closed):
        assert client.get(url).status_code in {302, 403}, url


# -------------------------------------------------------- the home page


def registration(event: Event, *, user=None, status: str = Registration.Status.CONFIRMED) -> Registration:
    ticket = event.ticket_types.first() or TicketTypeFactory(event=event)
    person = user or UserFactory()
    return Registration.objects.create(
        event=event, ticket_type=ticket, user=person, name=person.name, email=person.email, status=status
    )


def test_the_home_page_leads_with_the_next_gatherings_and_open_circles(client):
    soon = timezone.now() + timedelta(days=3)
    full = EventFactory(title="Full Gathering", capacity=1, starts_at=soon)
    registration(full)
    roomy = EventFactory(title="Roomy Gathering", capacity=20, starts_at=soon + timedelta(days=1))
    registration(roomy)
    registration(roomy)
    EventFactory(
        title="Online Gathering",
        format="online",
        venue=None,
        capacity=None,
        starts_at=soon + timedelta(days=2),
    )
    EventFactory(title="Hybrid Gathering", format="hybrid", starts_at=soon + timedelta(days=3))
    EventFactory(title="Draft Gathering", status="draft", starts_at=soon)
    CircleSeriesFactory(name="Tuesday circles")
    CircleSeriesFactory(name="Formed circles", status=CircleSeries.Status.FORMED)

    html = client.get("/").content.decode()

    articles = html.split("<article")[1:]
    assert [a.split("</a>")[0].rsplit(">", 1)[1] for a in articles] == [
        "Full Gathering",
        "Roomy Gathering",
        "Online Gathering",
        "Hybrid Gathering",
        "Tuesday circles",
    ]
    assert f'href="/gatherings/{full.slug}/">Full Gathering</a>' in articles[0]
    assert "Waiting list" in articles[0]
    assert "18 places left" in articles[1]
    assert "Online" in articles[2] and "places left" not in articles[2]
    assert "Online and in person · Community Hall" in articles[3]
    assert f"{full.venue.name}" in articles[0]
    assert 'href="/gatherings/past/"' in html
    assert "Your next Gathering" not in html


def test_the_home_page_shows_dates_in_the_gatherings_time_zone(client):
    starts = timezone.now().replace(month=1, day=10, hour=9, minute=30, second=0, microsecond=0)
    starts = starts.replace(year=timezone.now().year + 1)
    EventFactory(title="Far away", time_zone="America/New_York", starts_at=starts)
    html = client.get("/").content.decode()
    assert "04:30" in html and "(EST)" in html


def test_the_home_page_has_the_crisis_help_box(client):
    html = client.get("/").content.decode()
    box = html[html.index('<aside class="help-box"') : html.index("</aside>")]
    for text in ("999", "116 123", "text SHOUT to 85258", "NHS 111, then option 2", 'href="/help/"'):
        assert text in box
    assert "What is this?" in html


def test_a_signed_in_person_sees_their_next_gathering_first(participant):
    mine = EventFactory(title="My Gathering", starts_at=timezone.now() + timedelta(days=40))
    EventFactory(title="Sooner Gathering", starts_at=timezone.now() + timedelta(days=2))
    registration(mine, user=participant)
    html = signed_in(participant).get("/").content.decode()
    yours = html.index("Your next Gathering")
    assert yours < html.index("Coming up")
    assert html.index("My Gathering", yours) < html.index("Coming up")
    assert "Confirmed" in html[yours : html.index("Coming up")]


def test_a_signed_in_person_sees_their_next_programme_session(participant):
    event = EventFactory(starts_at=timezone.now() + timedelta(days=5))
    programme = programme_for(event)
    slots, rooms = grid(programme, slots=2, rooms=1, breaks=())
    made = session(programme, title="Peer support", status="scheduled", slot=slots[0], room=rooms[0])
    publish(programme)
    mark(participant, made)
    html = signed_in(participant).get("/").content.decode()
    box = html[html.index("Your next session") : html.index("Coming up")]
    assert f'href="/gatherings/{event.slug}/programme/sessions/{made.pk}/">Peer support</a>' in box
    assert "Room A" in box


# -------------------------------------------------------- a fixed number of queries


def grow(person, n: int) -> None:
    """n more of everything the home page shows: Gatherings with registrations, circles, programme marks."""
    for i in range(n):
        event = EventFactory(starts_at=timezone.now() + timedelta(days=10 + i), capacity=5 + i)
        registration(event)
        registration(event, user=person)
        CircleSeriesFactory()
        programme = programme_for(event)
        slots, rooms = grid(programme, slots=1, rooms=1, breaks=())
        made = session(
            programme, status="scheduled", slot=slots[0], room=rooms[0], facilitators=[UserFactory()]
        )
        publish(programme)
        mark(person, made)


@pytest.mark.parametrize("signed", [False, True], ids=["visitor", "participant"])
def test_the_home_page_makes_the_same_queries_whatever_the_data(
    django_assert_max_num_queries, client, signed
):
    person = UserFactory()
    browser = signed_in(person) if signed else client
    grow(person, 1)
    with django_assert_max_num_queries(30) as small:
        assert browser.get("/").status_code == 200
    grow(person, 10)
    with django_assert_max_num_queries(30) as large:
        assert browser.get("/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
