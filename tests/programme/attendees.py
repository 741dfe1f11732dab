"""The attendees' and public programme pages and routes, for tests/programme/registry.py: the pages anyone
or a confirmed attendee opens, and what the wrong-person sweep checks on them."""

PAGES: tuple = ()
NOT_PAGES: dict[str, str] = {}
PUBLIC: set[str] = set()
ROUTES: dict = {}


def page_values(page, user, event) -> dict[str, object]:
    return {}


def world_values(*, owner, organiser, event, wrong) -> dict[str, object]:
    return {}
