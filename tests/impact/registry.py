"""The impact app's entries in the site-wide page list (tests/pages.py) and wrong-person sweep
(tests/test_access_sweep.py), kept here so each app lists its own routes."""

from dataclasses import dataclass
from datetime import UTC, datetime

YEAR = datetime.now(UTC).year - 1


@dataclass(frozen=True)
class Page:
    """tests.pages.Page's fields; defined here too because that module imports this one."""

    url: str
    as_role: str | None
    name: str


S = "/staff/impact"
# "{impact}" (empty) makes tests/pages.py build the impact world (page_values) before opening the page.
PAGES: tuple = (
    Page(f"{S}/{{impact}}", "organiser", "impact_staff:dashboard"),
    Page(f"{S}/{{impact}}?period={YEAR}&show=", "organiser", "impact_staff:dashboard"),
    Page(f"{S}/{{impact}}?start={YEAR}-02-01&end={YEAR}-05-31", "organiser", "impact_staff:dashboard"),
    Page(f"{S}/report/{YEAR}/{{impact}}", "organiser", "impact_staff:report"),
    Page("/impact/{impact}", None, "impact:page"),
    Page(f"/impact/{YEAR}/{{impact}}", None, "impact:year"),
)
NOT_PAGES: dict[str, str] = {
    "impact_staff:csv": "a CSV file; tested in tests/impact/test_pages.py",
    "impact_staff:report_pdf": "a PDF file; tested in tests/impact/test_pages.py",
    "impact_staff:report_publish": "POST only; tested in tests/impact/test_pages.py",
    "impact:year_pdf": "a PDF file; tested in tests/impact/test_pages.py",
    "api:v1:impact": "JSON API; tested in tests/impact/test_api.py",
}


def impact_world() -> None:
    """Two Gatherings last year, one with fewer than five people, and the year's report published."""
    from gathering.events.models import Registration
    from gathering.impact.models import AnnualReport
    from gathering.impact.selectors import figures_changed

    from ..factories import UserFactory
    from .builders import gathering, register, ticket

    for title, month, people in (("Spring impact Gathering", 4, 12), ("Small impact evening", 10, 3)):
        event = gathering(title, datetime(YEAR, month, 12, 10, tzinfo=UTC), status="published")
        place = ticket(event, "Free")
        for n in range(people):
            status = Registration.Status.CANCELLED if n == 0 else Registration.Status.CONFIRMED
            register(place, user=UserFactory(), status=status, perspectives=["lived_experience"])
    AnnualReport.objects.update_or_create(
        year=YEAR,
        defaults={
            "activities": "Two Gatherings.",
            "consultation": "We asked.",
            "published_at": datetime.now(UTC),
        },
    )
    figures_changed()


def page_values(page, user, event) -> dict[str, object]:
    if not page.name.startswith(("impact:", "impact_staff:")):
        return {}
    impact_world()
    return {"impact": ""}


# Sweep: routes anyone may open (the public page, once published), and Route entries by name.
PUBLIC: set[str] = {"impact:page", "impact:year", "impact:year_pdf"}
# Routes outside /staff/ that need no staff role (test_access_sweep's second-factor sweep).
FOR_EVERYONE: set[str] = {"impact:page", "impact:year", "impact:year_pdf"}
# Routes outside /staff/ that do.
STAFF_ONLY_ELSEWHERE: dict[str, tuple[str, ...]] = {"api:v1:impact": ("get",)}


@dataclass(frozen=True)
class Route:
    url: str
    refused_only: bool
    methods: tuple[str, ...] = ("get",)


# Any organiser sees the whole network's figures (never a person's), so a wrong organiser is not refused;
# the sweep checks that nobody's name or secret ever appears in them.
ROUTES: dict = {
    "impact_staff:dashboard": Route(f"{S}/", refused_only=False),
    "impact_staff:csv": Route(f"{S}/tables/registrations.csv", refused_only=False),
    "impact_staff:report": Route(f"{S}/report/{YEAR}/", refused_only=False, methods=("get", "post")),
    "impact_staff:report_pdf": Route(f"{S}/report/{YEAR}/report.pdf", refused_only=False),
    "impact_staff:report_publish": Route(
        f"{S}/report/{YEAR}/publish/", refused_only=False, methods=("post",)
    ),
    "api:v1:impact": Route("/api/v1/impact/", refused_only=False),
}


def world_values(*, owner, organiser, event, wrong) -> dict[str, object]:
    return {}
