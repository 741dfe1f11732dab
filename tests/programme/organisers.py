"""The organisers' and reviewers' programme pages and routes, for tests/programme/registry.py: what the
page tests open as an organiser, and what the wrong-person sweep checks on them."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone


# The shared Page and Route shapes (tests/pages.py, tests/test_access_sweep.py), declared here because both
# shared modules import this one while they load.
@dataclass(frozen=True)
class Page:
    url: str
    as_role: str | None
    name: str


@dataclass(frozen=True)
class Route:
    url: str
    refused_only: bool
    methods: tuple[str, ...] = ("get",)


STAFF = "/staff/programme/{event}"
PAGES: tuple = (
    Page("/staff/programme/", "organiser", "programme_staff:list"),
    Page(STAFF + "/", "organiser", "programme_staff:board"),
    Page(STAFF + "/settings/", "organiser", "programme_staff:settings"),
    Page(STAFF + "/grid/", "organiser", "programme_staff:grid"),
    Page(STAFF + "/slots/new/", "organiser", "programme_staff:slot_new"),
    Page(STAFF + "/slots/{staff_slot}/", "organiser", "programme_staff:slot"),
    Page(STAFF + "/rooms/new/", "organiser", "programme_staff:room_new"),
    Page(STAFF + "/rooms/{staff_room}/", "organiser", "programme_staff:room"),
    Page(STAFF + "/reviews/", "organiser", "programme_staff:reviews"),
    Page(STAFF + "/reviews/{staff_proposal}/", "organiser", "programme_staff:review"),
    Page(STAFF + "/sessions/{staff_session}/", "organiser", "programme_staff:session"),
    Page(STAFF + "/timetable/", "organiser", "programme_staff:timetable"),
    Page(STAFF + "/runs/{staff_run}/", "organiser", "programme_staff:run"),
    Page("/gatherings/{event}/programme/call/", "participant", "programme:cfp"),
)
POST_ONLY = "POST only; tested in tests/programme/"
NOT_PAGES: dict[str, str] = {
    "programme_staff:create": POST_ONLY + "test_staff_grid.py",
    "programme_staff:slot_delete": POST_ONLY + "test_staff_grid.py",
    "programme_staff:room_delete": POST_ONLY + "test_staff_grid.py",
    "programme_staff:decide": POST_ONLY + "test_cfp.py",
    "programme_staff:session_move": POST_ONLY + "test_staff_board.py",
    "programme_staff:session_pin": POST_ONLY + "test_staff_board.py",
    "programme_staff:session_merge": POST_ONLY + "test_staff_board.py",
    "programme_staff:session_approve": POST_ONLY + "test_approval.py",
    "programme_staff:session_drop": POST_ONLY + "test_staff_board.py",
    "programme_staff:optimise": POST_ONLY + "test_runs.py",
    "programme_staff:run_publish": POST_ONLY + "test_runs.py",
    "programme_staff:run_discard": POST_ONLY + "test_runs.py",
}


def _world(event, owner, description: str = "A session about listening.") -> dict[str, object]:
    """A programme with a grid, the owner's proposal to the call, an open-space session the owner
    facilitates (placed), and a finished optimiser run."""
    from gathering.programme.models import Programme, Room, Session, Slot, TimetableRun

    programme, _created = Programme.objects.get_or_create(event=event)
    programme.cfp_opens_at = timezone.now() - timedelta(days=1)
    programme.cfp_closes_at = timezone.now() + timedelta(days=30)
    programme.save(update_fields=["cfp_opens_at", "cfp_closes_at"])
    # A week after the Gathering's own day, clear of any slots the attendees' pages create.
    start = event.starts_at + timedelta(days=7)
    slot = Slot.objects.create(programme=programme, starts_at=start, ends_at=start + timedelta(hours=1))
    Slot.objects.create(
        programme=programme,
        starts_at=start + timedelta(hours=1),
        ends_at=start + timedelta(hours=2),
        is_break=True,
        label="Lunch",
    )
    room = Room.objects.create(programme=programme, name="Garden room", capacity=20, features=["step_free"])
    proposal = Session.objects.create(
        programme=programme,
        title="Open Dialogue in practice",
        description=description,
        track=Session.Track.CURATED,
        format=Session.Format.SHOWCASE,
        proposer=owner,
    )
    proposal.facilitators.add(owner)
    # A scheduled session's description is public (its page and the API show it to anyone), so the secret
    # lives only in the proposal under review, which organisers and reviewers alone may read.
    session = Session.objects.create(
        programme=programme,
        title="Peer support on the ward",
        description="What peer support looks like on an acute ward.",
        slot=slot,
        room=room,
        status=Session.Status.SCHEDULED,
    )
    session.facilitators.add(owner)
    run = TimetableRun.objects.create(
        programme=programme,
        status=TimetableRun.Status.DONE,
        objective=0,
        bound=0,
        terms={"clash": 0, "overflow": 0, "moves": 0},
        assignments={f"s{session.pk}": [f"t{slot.pk}", f"r{room.pk}"]},
        explanation=[
            {
                "session": session.pk,
                "title": session.title,
                "interested": 0,
                "clashing_people": 0,
                "clashes_with": [],
                "overflow": 0,
            }
        ],
        # One published session the run moves, with its reason, so the page shows the changes table.
        diff=[
            {
                "session": session.pk,
                "title": session.title,
                "kind": "moved",
                "before": ["Sat 10:00–11:00", "Garden room"],
                "after": ["Sat 11:00–12:00", "Garden room"],
                "blocked_by": ["Open Dialogue in practice"],
                "possible": True,
                "spared": None,
            }
        ],
    )
    return {
        "staff_slot": slot.pk,
        "staff_room": room.pk,
        "staff_proposal": proposal.pk,
        "staff_session": session.pk,
        "staff_run": run.pk,
    }


def page_values(page, user, event) -> dict[str, object]:
    if not page.url.startswith(("/staff/programme/{event}", "/gatherings/{event}/programme/call/")):
        return {}
    from gathering.accounts.models import User

    proposer = User.objects.create_user(
        email=f"proposer-{event.slug}@example.org", password=None, name="Ada Proposer"
    )
    return _world(event, proposer)


PUBLIC: set[str] = set()
STAFF_SWEEP = "/staff/programme/{slug}"
GET_POST = ("get", "post")
ROUTES: dict = {
    "programme_staff:list": Route("/staff/programme/", refused_only=False),
    "programme_staff:board": Route(STAFF_SWEEP + "/", refused_only=True),
    "programme_staff:create": Route(STAFF_SWEEP + "/create/", refused_only=True, methods=("post",)),
    "programme_staff:settings": Route(STAFF_SWEEP + "/settings/", refused_only=True, methods=GET_POST),
    "programme_staff:grid": Route(STAFF_SWEEP + "/grid/", refused_only=True),
    "programme_staff:slot_new": Route(STAFF_SWEEP + "/slots/new/", refused_only=True, methods=GET_POST),
    "programme_staff:slot": Route(STAFF_SWEEP + "/slots/{staff_slot}/", refused_only=True, methods=GET_POST),
    "programme_staff:slot_delete": Route(
        STAFF_SWEEP + "/slots/{staff_slot}/delete/", refused_only=True, methods=("post",)
    ),
    "programme_staff:room_new": Route(STAFF_SWEEP + "/rooms/new/", refused_only=True, methods=GET_POST),
    "programme_staff:room": Route(STAFF_SWEEP + "/rooms/{staff_room}/", refused_only=True, methods=GET_POST),
    "programme_staff:room_delete": Route(
        STAFF_SWEEP + "/rooms/{staff_room}/delete/", refused_only=True, methods=("post",)
    ),
    "programme_staff:reviews": Route(STAFF_SWEEP + "/reviews/", refused_only=True),
    "programme_staff:review": Route(
        STAFF_SWEEP + "/reviews/{staff_proposal}/", refused_only=True, methods=GET_POST
    ),
    "programme_staff:decide": Route(
        STAFF_SWEEP + "/reviews/{staff_proposal}/decide/", refused_only=True, methods=("post",)
    ),
    "programme_staff:session": Route(STAFF_SWEEP + "/sessions/{staff_session}/", refused_only=True),
    **{
        f"programme_staff:session_{action}": Route(
            STAFF_SWEEP + f"/sessions/{{staff_session}}/{action}/", refused_only=True, methods=("post",)
        )
        for action in ("move", "pin", "merge", "drop", "approve")
    },
    "programme_staff:timetable": Route(STAFF_SWEEP + "/timetable/", refused_only=True),
    "programme_staff:optimise": Route(STAFF_SWEEP + "/optimise/", refused_only=True, methods=("post",)),
    "programme_staff:run": Route(STAFF_SWEEP + "/runs/{staff_run}/", refused_only=True),
    "programme_staff:run_publish": Route(
        STAFF_SWEEP + "/runs/{staff_run}/publish/", refused_only=True, methods=("post",)
    ),
    "programme_staff:run_discard": Route(
        STAFF_SWEEP + "/runs/{staff_run}/discard/", refused_only=True, methods=("post",)
    ),
    "programme:cfp": Route("/gatherings/{slug}/programme/call/", refused_only=False, methods=GET_POST),
}


def world_values(*, owner, organiser, event, wrong) -> dict[str, object]:
    from ..test_access_sweep import SECRET

    return _world(event, owner, description=SECRET)
