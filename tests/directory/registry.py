"""The directory's entries in the site-wide page list (tests/pages.py) and wrong-person sweep
(tests/test_access_sweep.py), kept here so each app lists its own routes."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """tests.pages.Page's fields; defined here too because that module imports this one."""

    url: str
    as_role: str | None
    name: str


S = "/find-support/services/{service}"
# Pages: tests.pages.Page(url, as_role, route name); {service} is a listed service near {district}.
PAGES: tuple = (
    Page("/find-support/", None, "directory:search"),
    Page("/find-support/", "participant", "directory:search"),
    Page("/find-support/?place={district}&approach=open-dialogue", None, "directory:search"),
    Page(f"{S}/", None, "directory:service"),
    Page(f"{S}/", "participant", "directory:service"),
    Page(f"{S}/report/", None, "directory:report"),
    Page(f"{S}/report/sent/", None, "directory:report_sent"),
)
# Named routes that are not pages of their own, with the reason.
NOT_PAGES: dict[str, str] = {}


def listed_service():
    """A listed Open Dialogue service with its details, at the centre of the LS1 district."""
    from gathering.directory import geo

    from . import builders

    centre = geo.outcode_centroids()["LS1"]
    return builders.service(
        "Leeds Open Dialogue",
        at=(centre.latitude, centre.longitude),
        approach=["open-dialogue", "family-and-carers"],
        ways_in=["self-referral", "phone"],
        cost=0,
        schedules=[{"byday": "FR,SA", "opens_at": "22:00", "closes_at": "02:00"}],
        eligibility_description="Adults in Leeds.",
        email="team@example.org",
    )


def page_values(page, user, event) -> dict[str, object]:
    """Values for this app's placeholders in page.url."""
    if not page.name.startswith("directory:") or "{" not in page.url:
        return {}
    return {"service": listed_service().pk, "district": "LS1"}


# Sweep: routes anyone may open (no object behind them, or a public listing), by name.
PUBLIC: set[str] = {"directory:search", "directory:service", "directory:report", "directory:report_sent"}
ROUTES: dict = {}


def world_values(*, owner, organiser, event, wrong) -> dict[str, object]:
    return {}
