"""The directory's entries in the site-wide page list (tests/pages.py) and wrong-person sweep
(tests/test_access_sweep.py), kept here so each app lists its own routes."""

from dataclasses import dataclass

from . import partner_registry


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
    Page("/find-support/approaches/", None, "directory:approaches"),
    Page("/find-support/approaches/open-dialogue/", None, "directory:approach"),
    Page("/find-support/approaches/open-dialogue/", "organiser", "directory:approach"),
    Page("/network/", None, "network:list"),
    Page("/network/?relation=partner&country=GB", None, "network:list"),
    Page("/network/{organisation}/", None, "network:organisation"),
    Page("/staff/directory/approaches/", "organiser", "directory_staff:approaches"),
    Page("/staff/directory/approaches/open-dialogue/", "admin", "directory_staff:approach"),
)
# Partners' and organisers' moderation pages are listed in partner_registry.py.
PAGES += partner_registry.PAGES
# Named routes that are not pages of their own, with the reason.
NOT_PAGES: dict[str, str] = {**partner_registry.NOT_PAGES}


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
    if page.name.startswith(("partners:", "directory_staff:")) and "{partner_" in page.url:
        return partner_registry.page_values(page, user)
    if not page.name.startswith(("directory:", "network:")) or "{" not in page.url:
        return {}
    service = listed_service()
    if "{organisation}" in page.url:
        organisation = service.organization
        organisation.network_relation = "partner"
        organisation.save(update_fields=["network_relation"])
        return {"organisation": organisation.pk}
    return {"service": service.pk, "district": "LS1"}


# Sweep: routes anyone may open (no object behind them, or a public listing), by name.
PUBLIC: set[str] = {"directory:search", "directory:service", "directory:report", "directory:report_sent"}
# The approaches and our network: public pages about no one's data.
PUBLIC |= {"directory:approaches", "directory:approach", "network:list", "network:organisation"}


@dataclass(frozen=True)
class Route:
    """tests.test_access_sweep.Route's fields; defined here too because that module imports this one."""

    url: str
    refused_only: bool
    methods: tuple[str, ...] = ("get",)


# Any organiser may change an approach's page (it belongs to no Gathering), so the organiser of another
# Gathering may open it; the other wrong people are refused, for GET and POST alike
# (tests/directory/test_approaches.py).
ROUTES: dict = {
    "directory_staff:approaches": Route("/staff/directory/approaches/", refused_only=False),
    "directory_staff:approach": Route("/staff/directory/approaches/open-dialogue/", refused_only=False),
}


ROUTES.update(partner_registry.ROUTES)


def world_values(*, owner, organiser, event, wrong) -> dict[str, object]:
    from ..test_access_sweep import SECRET

    return partner_registry.world_values(owner=owner, secret=SECRET)
