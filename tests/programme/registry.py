"""The programme app's entries in the site-wide page list (tests/pages.py) and wrong-person sweep
(tests/test_access_sweep.py), kept here so each app lists its own routes."""

from . import attendees, organisers

# Pages: tests.pages.Page(url, as_role, route name); a URL may use {event} and what page_values fills.
PAGES: tuple = (
    # attendees' and public pages
    *attendees.PAGES,
    # organisers' and reviewers' pages
    *organisers.PAGES,
)
# Named routes that are not pages of their own, with the reason.
NOT_PAGES: dict[str, str] = {**attendees.NOT_PAGES, **organisers.NOT_PAGES}


def page_values(page, user, event) -> dict[str, object]:
    """Values for this app's placeholders in page.url: creates what the page shows for `user` in `event`."""
    values = attendees.page_values(page, user, event)
    values.update(organisers.page_values(page, user, event))
    return values


# Sweep: routes anyone may open (no object behind them), and test_access_sweep.Route entries by name.
PUBLIC: set[str] = set(attendees.PUBLIC) | organisers.PUBLIC
ROUTES: dict = {
    # attendees' and public routes
    **attendees.ROUTES,
    # organisers' and reviewers' routes
    **organisers.ROUTES,
}


def world_values(*, owner, organiser, event, wrong) -> dict[str, object]:
    """Objects owned by `owner` (named MARKER, holding SECRET) in `event` run by `organiser`; returns the
    placeholder values for ROUTES. `wrong` maps who -> user (None for anonymous) for the wrong people."""
    values = attendees.world_values(owner=owner, organiser=organiser, event=event, wrong=wrong)
    values.update(organisers.world_values(owner=owner, organiser=organiser, event=event, wrong=wrong))
    return values
