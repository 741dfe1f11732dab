"""The attendees' and public programme pages and routes, for tests/programme/registry.py: the pages anyone
or a confirmed attendee opens, and what the wrong-person sweep checks on them."""

from dataclasses import dataclass

NOT_PAGES: dict[str, str] = {
    "programme:interest": "POST only (HTMX swaps the buttons in place); see tests/programme/test_pages.py",
    "programme:calendar_renew": "POST only; tested in tests/programme/test_calendar.py",
    "programme:ics": "a calendar file, not a page; tested in tests/programme/test_calendar.py",
    "programme:feed": "a private calendar file, not a page; tested in tests/programme/test_calendar.py",
    "api:v1:sessions": "JSON API; tested in tests/programme/test_api.py",
    "api:v1:session": "JSON API; tested in tests/programme/test_api.py",
    "api:v1:session_interest": "JSON API; tested in tests/programme/test_api.py",
    "api:v1:timetable": "JSON API; tested in tests/programme/test_api.py",
    "api:v1:my_interests": "JSON API; tested in tests/programme/test_api.py",
}


@dataclass(frozen=True)
class Page:
    """The same fields as tests.pages.Page (which imports this module while it loads)."""

    url: str
    as_role: str | None
    name: str


EVENT_PROGRAMME = "/gatherings/{event}/programme/"
PAGES: tuple = (
    Page(EVENT_PROGRAMME, None, "programme:timetable"),
    Page(EVENT_PROGRAMME, "participant", "programme:timetable"),
    Page(EVENT_PROGRAMME + "board/", None, "programme:board"),
    Page(EVENT_PROGRAMME + "board/", "participant", "programme:board"),
    Page(EVENT_PROGRAMME + "propose/", "participant", "programme:propose"),
    Page(EVENT_PROGRAMME + "sessions/{session}/", None, "programme:session"),
    Page(EVENT_PROGRAMME + "sessions/{session}/", "participant", "programme:session"),
    Page(EVENT_PROGRAMME + "sessions/{own_session}/withdraw/", "participant", "programme:withdraw"),
    Page(EVENT_PROGRAMME + "print/", None, "programme:print"),
    Page(EVENT_PROGRAMME + "now/", "organiser", "programme:now_next"),
    # {agenda} is empty: it asks page_values for a Gathering whose programme the person has marked.
    Page("/my/programme/{agenda}", "participant", "programme:agenda"),
)


@dataclass(frozen=True)
class Route:
    """The same fields as tests.test_access_sweep.Route (which imports this module, so cannot be imported)."""

    url: str
    refused_only: bool
    methods: tuple[str, ...] = ("get",)


PUBLIC: set[str] = set()
ROUTES: dict = {
    "programme:timetable": Route("/gatherings/{slug}/programme/", refused_only=False),
    "programme:board": Route("/gatherings/{slug}/programme/board/", refused_only=False),
    "programme:print": Route("/gatherings/{slug}/programme/print/", refused_only=False),
    "programme:ics": Route("/gatherings/{slug}/programme/programme.ics", refused_only=False),
    "programme:propose": Route(
        "/gatherings/{slug}/programme/propose/", refused_only=False, methods=("get", "post")
    ),
    "programme:session": Route(
        "/gatherings/{slug}/programme/sessions/{programme_session}/", refused_only=False
    ),
    "programme:interest": Route(
        "/gatherings/{slug}/programme/sessions/{programme_session}/interest/",
        refused_only=False,
        methods=("post",),
    ),
    "programme:withdraw": Route(
        "/gatherings/{slug}/programme/sessions/{programme_own_session}/withdraw/",
        refused_only=True,
        methods=("get", "post"),
    ),
    "programme:now_next": Route("/gatherings/{slug}/programme/now/", refused_only=True),
    "programme:agenda": Route("/my/programme/", refused_only=False),
    "programme:calendar_renew": Route("/my/programme/calendar/", refused_only=False, methods=("post",)),
    # Without the owner's private key the feed is not found, whoever asks.
    "programme:feed": Route("/calendar/programme.ics", refused_only=True),
    # The API: proposing and marking are refused to people without a place before the body is read;
    # taking back a mark touches only the caller's own (204, nothing of the owner's).
    "api:v1:sessions": Route("/api/v1/events/{slug}/sessions/", refused_only=False, methods=("get", "post")),
    "api:v1:session": Route("/api/v1/events/{slug}/sessions/{programme_session}/", refused_only=False),
    "api:v1:session_interest": Route(
        "/api/v1/events/{slug}/sessions/{programme_session}/interest/",
        refused_only=False,
        methods=("put", "delete"),
    ),
    "api:v1:timetable": Route("/api/v1/events/{slug}/timetable/", refused_only=False),
    "api:v1:my_interests": Route("/api/v1/me/interests/", refused_only=False),
}


def _published_programme(event):
    from gathering.programme.models import Programme

    from .attendee_data import grid, publish, session

    programme = Programme.objects.filter(event=event).first()
    if programme is None:
        programme = Programme.objects.create(event=event)
        # Later in the day than the organisers' entries (tests/programme/organisers.py) add their slots.
        slots, rooms = grid(programme, slots=4, rooms=3, after_hours=3)
        session(programme, title="Hearing voices together", slot=slots[0], room=rooms[0])
        session(programme, title="Open dialogue in practice", slot=slots[0], room=rooms[1], length=2)
        session(programme, title="What helped after discharge", slot=slots[3], room=rooms[2])
        publish(programme)
    return programme


def page_values(page, user, event) -> dict[str, object]:
    if page not in PAGES:
        return {}
    from gathering.programme.models import Interest
    from gathering.programme.services import session_propose

    from .attendee_data import attendee

    programme = _published_programme(event)
    first = programme.sessions.order_by("pk").first()
    values: dict[str, object] = {"session": first.pk, "agenda": ""}
    if page.as_role == "participant":
        attendee(event, user)
        Interest.objects.create(user=user, session=first, level=Interest.Level.REALLY_WANT)
        Interest.objects.create(user=user, session=programme.sessions.order_by("pk")[1], level=1)
        own = session_propose(programme=programme, user=user, title="Peer support on the ward", length=1)
        values["own_session"] = own.pk
    return values


def world_values(*, owner, organiser, event, wrong) -> dict[str, object]:
    """The owner marks sessions, proposes one (in play) and withdraws another whose title holds the SECRET
    (so it shows only in the owner's own agenda), and has a private calendar key."""
    from gathering.events.services import calendar_feed_renew
    from gathering.programme.services import interest_set, session_propose, session_withdraw

    from ..test_access_sweep import SECRET

    programme = _published_programme(event)
    public = programme.sessions.order_by("pk").first()
    interest_set(user=owner, session=public, level=2)
    own = session_propose(programme=programme, user=owner, title="Sharing what works")
    hidden = session_propose(programme=programme, user=owner, title=f"Plan {SECRET}", description=SECRET)
    session_withdraw(session=hidden, user=owner)
    calendar_feed_renew(user=owner)
    return {"programme_session": public.pk, "programme_own_session": own.pk}
