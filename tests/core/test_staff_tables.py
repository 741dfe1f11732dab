"""Staff tables scroll sideways inside their own labelled region, so on a 320 px phone the page itself never
scrolls sideways and a keyboard or screen reader user can find, name and scroll each table."""

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.test import Client

from gathering.circles.models import Feedback
from gathering.events.models import FeedbackResponse
from gathering.programme.models import TimetableRun

from ..circles.registry import published_circle
from ..conftest import signed_in
from ..factories import CircleSeriesFactory, EventFactory, make_staff
from ..pages import PAGES, page_url
from ..programme.attendee_data import programme_for

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _TableRegions(HTMLParser):
    """For each <table>, the accessible name of the scrolling region around it (None: no such region)."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, dict[str, str]]] = []
        self.regions: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "table":
            self.regions.append(self._region_name())
        if tag not in VOID:
            self.open.append((tag, values))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return

    def _region_name(self) -> str | None:
        for _tag, attrs in reversed(self.open):
            if attrs.get("role") != "region":
                continue
            # The site names each region with aria-label, in the same words as the table's caption.
            scrolls = "table-scroll" in attrs.get("class", "").split() and attrs.get("tabindex") == "0"
            name = attrs.get("aria-label", "").strip()
            return name if scrolls and name else None
        return None


def table_regions(html: str) -> list[str | None]:
    parser = _TableRegions()
    parser.feed(html)
    parser.close()
    return parser.regions


STAFF_PAGES = [page for page in PAGES if page.url.startswith("/staff/")]


@pytest.mark.parametrize("page", STAFF_PAGES, ids=[f"{page.name}-{page.as_role}" for page in STAFF_PAGES])
def test_every_table_on_a_staff_page_scrolls_in_its_own_labelled_region(page):
    user = make_staff(page.as_role)

    response = signed_in(user).get(page_url(page, user))

    assert response.status_code == 200
    assert None not in table_regions(response.content.decode())


@dataclass(frozen=True)
class Shown:
    """A staff page set up so that tables shown only with data are on it."""

    name: str
    open: Callable[[], tuple[Client, str]]
    regions: list[str]


def _events_list() -> tuple[Client, str]:
    organiser = make_staff("organiser")
    EventFactory(organisers=[organiser])
    return signed_in(organiser), "/staff/gatherings/"


def _event_feedback() -> tuple[Client, str]:
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser])
    FeedbackResponse.objects.bulk_create([FeedbackResponse(event=event, felt_safe=4) for _ in range(5)])
    return signed_in(organiser), f"/staff/gatherings/{event.slug}/feedback/"


def _programme_list() -> tuple[Client, str]:
    organiser = make_staff("organiser")
    programme_for(EventFactory(organisers=[organiser]))
    return signed_in(organiser), "/staff/programme/"


def _run_with_clashes() -> tuple[Client, str]:
    organiser = make_staff("organiser")
    run_page = next(page for page in PAGES if page.name == "programme_staff:run")
    url = page_url(run_page, organiser)
    run = TimetableRun.objects.get(pk=url.rstrip("/").rsplit("/", 1)[-1])
    row = {**run.explanation[0], "interested": 12, "clashing_people": 3, "overflow": 2}
    run.explanation = [row]
    run.save(update_fields=["explanation"])
    return signed_in(organiser), url


def _circles_list() -> tuple[Client, str]:
    organiser = make_staff("organiser")
    CircleSeriesFactory(event=EventFactory(), organisers=[organiser])
    return signed_in(organiser), "/staff/circles/"


def _circle_invitations() -> tuple[Client, str]:
    organiser = make_staff("organiser")
    series, _circle, _membership, _meeting = published_circle(event=EventFactory(), organiser=organiser)
    series.invitations.create(email="friend.with.a.long.address@example.org", invited_by=organiser)
    return signed_in(organiser), f"/staff/circles/{series.slug}/invitations/"


def _not_with_requests() -> tuple[Client, str]:
    organiser = make_staff("organiser")
    series, _circle, _membership, _meeting = published_circle(
        event=EventFactory(), organiser=organiser, named="Someone they know"
    )
    return signed_in(organiser), f"/staff/circles/{series.slug}/form/"


def _circle_feedback(*, facilitated: bool) -> Callable[[], tuple[Client, str]]:
    def open_page() -> tuple[Client, str]:
        organiser = make_staff("organiser")
        facilitator = make_staff("facilitator")
        series, circle, _membership, meeting = published_circle(
            event=EventFactory(), organiser=organiser, facilitator=facilitator
        )
        Feedback.objects.bulk_create(
            [Feedback(meeting=meeting, felt_safe=4, felt_heard=5, come_again=3) for _ in range(5)]
        )
        if facilitated:
            return signed_in(facilitator), f"/staff/circles/facilitating/{circle.pk}/"
        return signed_in(organiser), f"/staff/circles/{series.slug}/feedback/"

    return open_page


SHOWN = [
    Shown("events_staff:list", _events_list, ["Gatherings you organise"]),
    Shown("events_staff:feedback", _event_feedback, ["Ratings from 1 to 5"]),
    Shown("programme_staff:list", _programme_list, ["Gatherings whose programme you organise or review"]),
    Shown(
        "programme_staff:run",
        _run_with_clashes,
        ["Sessions that move or are newly placed", "Sessions with clashes or more interest than room"],
    ),
    Shown("circles_staff:list", _circles_list, ["Series you organise"]),
    Shown("circles_staff:invitations", _circle_invitations, ["People invited to these circles"]),
    Shown("circles_staff:form", _not_with_requests, ["Private 'not with' requests"]),
    Shown(
        "circles_staff:feedback", _circle_feedback(facilitated=False), ["Average from 5 responses, 1 to 5"]
    ),
    Shown(
        "circles_staff:facilitate",
        _circle_feedback(facilitated=True),
        ["Members of this circle", "Average from 5 responses, 1 to 5"],
    ),
]


@pytest.mark.parametrize("shown", SHOWN, ids=[shown.name for shown in SHOWN])
def test_tables_shown_only_with_data_scroll_in_their_own_labelled_region(shown):
    client, url = shown.open()

    response = client.get(url)

    assert response.status_code == 200
    assert table_regions(response.content.decode()) == shown.regions


def test_a_table_outside_a_labelled_scrolling_region_is_caught():
    # Guards the guard: the parser must tell a bare table, an unnamed region and a region that does not
    # scroll from the real pattern.
    named = '<div class="table-scroll" role="region" aria-label="People" tabindex="0"><table></table></div>'
    unnamed = '<div class="table-scroll" role="region" tabindex="0"><table></table></div>'
    not_focusable = '<div class="table-scroll" role="region" aria-label="People"><table></table></div>'
    assert table_regions(f"<main>{named}<table></table>{unnamed}{not_focusable}</main>") == [
        "People",
        None,
        None,
        None,
    ]
