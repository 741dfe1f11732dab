"""The circles app's entries in the site-wide page list (tests/pages.py) and wrong-person sweep
(tests/test_access_sweep.py), kept here so each app lists its own routes."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Page:
    """tests.pages.Page's fields; defined here too because that module imports this one."""

    url: str
    as_role: str | None
    name: str


S = "/staff/circles"
# Pages: tests.pages.Page(url, as_role, route name); a URL may use {event} and what page_values fills.
PAGES: tuple = (
    # participants' and public pages
    Page("/circles/", None, "circles:list"),
    Page("/circles/{series}/", None, "circles:series"),
    Page("/circles/{series}/", "participant", "circles:series"),
    Page("/circles/{series}/join/", "participant", "circles:join"),
    Page("/my/circles/", "participant", "circles:my"),
    Page("/my/circles/{membership}/", "participant", "circles:membership"),
    Page("/my/circles/{membership}/leave/", "participant", "circles:leave"),
    Page("/my/circles/{membership}/not-with/", "participant", "circles:not_with"),
    Page("/my/circles/{membership}/feedback/{meeting}/", "participant", "circles:feedback"),
    # organisers' pages
    Page(f"{S}/", "organiser", "circles_staff:list"),
    Page(f"{S}/new/", "organiser", "circles_staff:create"),
    Page(f"{S}/{{series}}/", "organiser", "circles_staff:series"),
    Page(f"{S}/{{series}}/edit/", "organiser", "circles_staff:edit"),
    Page(f"{S}/{{series}}/agreement/", "organiser", "circles_staff:agreement"),
    Page(f"{S}/{{series}}/invitations/", "organiser", "circles_staff:invitations"),
    Page(f"{S}/{{series}}/form/", "organiser", "circles_staff:form"),
    Page(f"{S}/{{series}}/runs/{{run}}/", "organiser", "circles_staff:run"),
    Page(f"{S}/{{series}}/circles/", "organiser", "circles_staff:circles"),
    Page(f"{S}/{{series}}/circles/{{circle}}/", "organiser", "circles_staff:circle"),
    Page(f"{S}/{{series}}/publish/", "organiser", "circles_staff:publish"),
    Page(f"{S}/{{series}}/feedback/", "organiser", "circles_staff:feedback"),
    # facilitators' pages
    Page(f"{S}/facilitating/", "facilitator", "circles_staff:facilitating"),
    Page(f"{S}/facilitating/{{circle}}/", "facilitator", "circles_staff:facilitate"),
    Page(f"{S}/facilitating/{{circle}}/remove/{{member}}/", "facilitator", "circles_staff:remove"),
)
# Named routes that are not pages of their own, with the reason.
NOT_PAGES: dict[str, str] = {
    "circles_staff:open": "POST only; tested in tests/circles/test_pages.py",
    "circles_staff:invitation_withdraw": "POST only; tested in tests/circles/test_pages.py",
}


def published_circle(*, event, facilitator=None, member=None, organiser=None, access_needs="", named=""):
    """A published series at `event` with one circle of three, meeting an hour ago, led by `facilitator`;
    `member` (if given) is in it."""
    from gathering.circles.models import Circle, CircleMembership, CircleSeries, Meeting

    from ..factories import CircleSeriesFactory, UserFactory, make_staff

    facilitator = facilitator or make_staff("facilitator")
    series = CircleSeriesFactory(
        event=event,
        status=CircleSeries.Status.PUBLISHED,
        facilitators=[facilitator],
        organisers=[organiser] if organiser else [],
        online_link="https://meet.example.org/circle",
    )
    agreement = series.agreements.get()
    circle = Circle.objects.create(series=series, number=1, facilitator=facilitator)
    memberships = []
    for person in [member or UserFactory(), UserFactory(), UserFactory()]:
        memberships.append(
            CircleMembership.objects.create(
                series=series,
                user=person,
                circle=circle,
                agreement=agreement,
                agreed_at=timezone.now(),
                listed=True,
                access_needs=access_needs,
                share_access_needs=bool(access_needs),
                perspectives=["lived_experience"],
                organisation="Mind",
            )
        )
    if named:
        series.not_with_requests.create(requester=memberships[0].user, named=named)
    meeting = Meeting.objects.create(circle=circle, starts_at=timezone.now() - timedelta(hours=1))
    return series, circle, memberships[0], meeting


def page_values(page, user, event) -> dict[str, object]:
    """Values for this app's placeholders in page.url: creates what the page shows for `user` in `event`."""
    if not page.name.startswith(("circles:", "circles_staff:")) or "{" not in page.url:
        return {}
    if page.name == "circles:join":
        series, _circle, _membership, _meeting = published_circle(event=event)
        if user is not None:  # a Gathering's circles take people with a place or, as here, an invitation
            series.invitations.create(email=user.email.lower())
        return {"series": series.slug}
    if page.as_role == "facilitator":
        series, circle, membership, meeting = published_circle(
            event=event, facilitator=user, access_needs="BSL"
        )
    else:
        member = user if page.as_role == "participant" else None
        series, circle, membership, meeting = published_circle(event=event, member=member)
    values = {
        "series": series.slug,
        "membership": membership.pk,
        "meeting": meeting.pk,
        "circle": circle.pk,
        "member": membership.pk,
    }
    if "{run}" in page.url:
        values["run"] = formation_run(series).pk
    return values


def formation_run(series):
    """A finished formation run of `series`, as the run page shows it once the circles are formed."""
    from gathering.circles.models import FormationRun

    return FormationRun.objects.create(
        series=series,
        status=FormationRun.Status.DONE,
        progress=100,
        summary="1 circles formed.",
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )


# Sweep: routes anyone may open (no object behind them), and test_access_sweep.Route entries by name.
PUBLIC: set[str] = {"circles:list"}


@dataclass(frozen=True)
class Route:
    """The sweep's route entry (same fields as tests/test_access_sweep.py's, which imports this module)."""

    url: str
    refused_only: bool
    methods: tuple[str, ...] = ("get",)


_BOTH = ("get", "post")
ROUTES: dict = {
    "circles:series": Route("/circles/{circle_series}/", refused_only=False),
    "circles:join": Route("/circles/{circle_series}/join/", refused_only=False, methods=_BOTH),
    "circles:my": Route("/my/circles/", refused_only=False),
    "circles:membership": Route("/my/circles/{circle_membership}/", refused_only=True),
    "circles:leave": Route("/my/circles/{circle_membership}/leave/", refused_only=True, methods=_BOTH),
    "circles:not_with": Route("/my/circles/{circle_membership}/not-with/", refused_only=True, methods=_BOTH),
    "circles:feedback": Route(
        "/my/circles/{circle_membership}/feedback/{circle_meeting}/", refused_only=True, methods=_BOTH
    ),
    "circles_staff:list": Route(f"{S}/", refused_only=False),
    "circles_staff:create": Route(f"{S}/new/", refused_only=False, methods=_BOTH),
    "circles_staff:facilitating": Route(f"{S}/facilitating/", refused_only=False),
    "circles_staff:facilitate": Route(f"{S}/facilitating/{{circle}}/", refused_only=True, methods=_BOTH),
    "circles_staff:remove": Route(
        f"{S}/facilitating/{{circle}}/remove/{{circle_membership}}/", refused_only=True, methods=_BOTH
    ),
    "circles_staff:series": Route(f"{S}/{{circle_series}}/", refused_only=True),
    "circles_staff:edit": Route(f"{S}/{{circle_series}}/edit/", refused_only=True, methods=_BOTH),
    "circles_staff:open": Route(f"{S}/{{circle_series}}/open/", refused_only=True, methods=("post",)),
    "circles_staff:agreement": Route(f"{S}/{{circle_series}}/agreement/", refused_only=True, methods=_BOTH),
    "circles_staff:invitations": Route(
        f"{S}/{{circle_series}}/invitations/", refused_only=True, methods=_BOTH
    ),
    "circles_staff:invitation_withdraw": Route(
        f"{S}/{{circle_series}}/invitations/{{circle_invitation}}/withdraw/",
        refused_only=True,
        methods=("post",),
    ),
    "circles_staff:form": Route(f"{S}/{{circle_series}}/form/", refused_only=True, methods=_BOTH),
    "circles_staff:run": Route(f"{S}/{{circle_series}}/runs/{{circle_run}}/", refused_only=True),
    "circles_staff:circles": Route(f"{S}/{{circle_series}}/circles/", refused_only=True, methods=_BOTH),
    "circles_staff:circle": Route(
        f"{S}/{{circle_series}}/circles/{{circle}}/", refused_only=True, methods=_BOTH
    ),
    "circles_staff:publish": Route(f"{S}/{{circle_series}}/publish/", refused_only=True, methods=_BOTH),
    "circles_staff:feedback": Route(f"{S}/{{circle_series}}/feedback/", refused_only=True),
}


def world_values(*, owner, organiser, event, wrong) -> dict[str, object]:
    """Objects owned by `owner` (named MARKER, holding SECRET) in `event` run by `organiser`; returns the
    placeholder values for ROUTES. `wrong` maps who -> user (None for anonymous) for the wrong people."""
    from ..test_access_sweep import SECRET

    series, circle, membership, meeting = published_circle(
        event=event, member=owner, organiser=organiser, access_needs=SECRET, named=SECRET
    )
    return {
        "circle_invitation": series.invitations.create(email=f"{SECRET.lower()}@example.org").pk,
        "circle_run": formation_run(series).pk,
        "circle_series": series.slug,
        "circle_membership": membership.pk,
        "circle_meeting": meeting.pk,
        "circle": circle.pk,
    }
