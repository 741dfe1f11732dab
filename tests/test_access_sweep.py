"""The wrong-person sweep: every route, requested by people who must not see the owner's data (anonymous,
another participant, a facilitator, the organiser of another Gathering), answers with a refusal or with
their own data, and never shows the owner's. A route added without an entry here fails the sweep."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from gathering.accounts.models import User
from gathering.accounts.services import api_token_create
from gathering.events.models import BursaryApplication, BursaryFund, Event, Question
from gathering.events.services import RegistrationInput, registration_create
from gathering.support.services import concern_raise

from .circles import registry as circles_registry
from .conftest import signed_in, token_client_without_second_factor
from .directory import registry as directory_registry
from .directory.api_routes import HSDS_API_ROUTES
from .factories import EventFactory, TicketTypeFactory, UserFactory, make_staff
from .impact import registry as impact_registry
from .learning import registry as learning_registry
from .programme import registry as programme_registry

pytestmark = pytest.mark.django_db

MARKER = "Zelda Quillfeather"  # the owner's name: it must never reach a wrong person
SECRET = "MARKER-ACCESS-NEED-7731"
REFUSED = {302, 401, 403, 404, 405}


@dataclass(frozen=True)
class Route:
    url: str  # with {slug}, {registration}, {token}, {ticket}, {question}, {application}, {concern}, {user}
    refused_only: bool  # True: a wrong person must be refused; False: they may see the page, but not the data
    methods: tuple[str, ...] = ("get",)


# Public pages and allauth's own flows are listed as not-object routes with the reason.
PUBLIC = {
    "accounts:email_change_undo",  # a signed link from an email: the token is the only key
    "core:home",
    "core:about",
    "core:health",
    "events:list",
    "events:past",
    "support:help",
    "support:concern",
    "api:schema",
    "api:v1:events",
    "events:feedback",
    "events:calendar_feed",
    "privacy:csp_report",
    *HSDS_API_ROUTES,
}

ROUTES = {
    "events:detail": Route("/gatherings/{slug}/", refused_only=False),
    "events:ics": Route("/gatherings/{slug}/calendar.ics", refused_only=False),
    "events:register": Route("/gatherings/{slug}/register/", refused_only=False),
    "events:bursary": Route("/gatherings/{slug}/bursary/", refused_only=False),
    "events:my": Route("/my/gatherings/", refused_only=False),
    "events:calendar_renew": Route("/my/gatherings/calendar/", refused_only=False, methods=("post",)),
    "events:cancel": Route(
        "/my/gatherings/{registration}/cancel/", refused_only=True, methods=("get", "post")
    ),
    "events:edit": Route("/my/gatherings/{registration}/edit/", refused_only=True, methods=("get", "post")),
    "events:offer": Route("/my/gatherings/{registration}/offer/", refused_only=True, methods=("post",)),
    "accounts:profile": Route("/account/", refused_only=False),
    "accounts:tokens": Route("/account/tokens/", refused_only=False),
    "accounts:token_revoke": Route("/account/tokens/{token}/revoke/", refused_only=True, methods=("post",)),
    "accounts:tokens_revoke_all": Route("/account/tokens/revoke-all/", refused_only=False, methods=("post",)),
    "accounts:delete": Route("/account/delete/", refused_only=False),
    "events_staff:list": Route("/staff/gatherings/", refused_only=False),
    "events_staff:create": Route("/staff/gatherings/new/", refused_only=False),
    "events_staff:venues": Route("/staff/gatherings/venues/", refused_only=False),
    "events_staff:venue_new": Route("/staff/gatherings/venues/new/", refused_only=False),
    "events_staff:venue": Route(
        "/staff/gatherings/venues/{venue}/", refused_only=True, methods=("get", "post")
    ),
    "events_staff:edit": Route("/staff/gatherings/{slug}/edit/", refused_only=True, methods=("get", "post")),
    "events_staff:setup": Route("/staff/gatherings/{slug}/setup/", refused_only=True),
    "events_staff:copy": Route("/staff/gatherings/{slug}/copy/", refused_only=True, methods=("get", "post")),
    "events_staff:ticket_new": Route(
        "/staff/gatherings/{slug}/tickets/new/", refused_only=True, methods=("get", "post")
    ),
    "events_staff:ticket": Route(
        "/staff/gatherings/{slug}/tickets/{ticket}/", refused_only=True, methods=("get", "post")
    ),
    "events_staff:question_new": Route("/staff/gatherings/{slug}/questions/new/", refused_only=True),
    "events_staff:question": Route("/staff/gatherings/{slug}/questions/{question}/", refused_only=True),
    "events_staff:registrations": Route("/staff/gatherings/{slug}/", refused_only=True),
    "events_staff:mark_paid": Route(
        "/staff/gatherings/{slug}/registrations/{registration}/paid/", refused_only=True, methods=("post",)
    ),
    "events_staff:registrations_csv": Route("/staff/gatherings/{slug}/registrations.csv", refused_only=True),
    "events_staff:check_in": Route(
        "/staff/gatherings/{slug}/check-in/", refused_only=True, methods=("get", "post")
    ),
    "events_staff:message": Route(
        "/staff/gatherings/{slug}/message/", refused_only=True, methods=("get", "post")
    ),
    "events_staff:feedback": Route("/staff/gatherings/{slug}/feedback/", refused_only=True),
    "events_staff:bursaries": Route("/staff/gatherings/{slug}/bursaries/", refused_only=True),
    "events_staff:bursary": Route(
        "/staff/gatherings/{slug}/bursaries/{application}/", refused_only=True, methods=("get", "post")
    ),
    "safeguarding:queue": Route("/staff/safeguarding/", refused_only=True),
    "safeguarding:concern": Route(
        "/staff/safeguarding/{concern}/", refused_only=True, methods=("get", "post")
    ),
    "staff:home": Route("/staff/", refused_only=False),
    "privacy:consents": Route("/privacy/consents/", refused_only=False),
    "privacy:my_data": Route("/privacy/my-data/", refused_only=False),
    "privacy:my_data_json": Route("/privacy/my-data.json", refused_only=False),
    "audit:list": Route("/staff/audit/", refused_only=True),
    "staff:team": Route("/staff/team/", refused_only=False),
    "staff:person_roles": Route("/staff/team/{user}/roles/", refused_only=True, methods=("get", "post")),
    "api:v1:event": Route("/api/v1/events/{slug}/", refused_only=False),
    "api:v1:event_registrations": Route("/api/v1/events/{slug}/registrations/", refused_only=True),
    "api:v1:my_registrations": Route("/api/v1/me/registrations/", refused_only=False),
    "api:v1:my_registration": Route(
        "/api/v1/me/registrations/{registration}/", refused_only=True, methods=("delete",)
    ),
    "api:v1:me": Route("/api/v1/me/", refused_only=False),
    "api:v1:tokens": Route("/api/v1/me/tokens/", refused_only=False),
    "api:v1:token": Route("/api/v1/me/tokens/{token}/", refused_only=True, methods=("delete",)),
}


# Apps with their own routes list them in tests/<app>/registry.py.
APP_REGISTRIES = (
    programme_registry,
    circles_registry,
    learning_registry,
    directory_registry,
    impact_registry,
)
for _registry in APP_REGISTRIES:
    PUBLIC |= _registry.PUBLIC
    ROUTES.update(_registry.ROUTES)


def _named_routes(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from _named_routes(
                pattern, namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_route_has_a_rule():
    # allauth's account and two-step pages act only on the signed-in person's own account.
    ours = {name for name in _named_routes() if not name.startswith(("account_", "mfa_"))}
    missing = sorted(ours - set(ROUTES) - PUBLIC)
    assert missing == [], f"add an access rule for: {missing}"


@pytest.fixture
def world():
    """An owner with data everywhere, in a Gathering run by one organiser."""
    organiser = make_staff("organiser")
    owner = UserFactory(name=MARKER)
    event = EventFactory(organisers=[organiser], capacity=1, learning_outcomes="Listen")
    ticket = TicketTypeFactory(event=event, kind="solidarity", price_minor=1000)
    question = Question.objects.create(event=event, text="Help host?", kind="yes_no")
    BursaryFund.objects.create(event=event, total_minor=10_000)
    registration = registration_create(
        event=event,
        user=owner,
        data=RegistrationInput(
            ticket_type_id=ticket.pk,
            name=MARKER,
            email=owner.email,
            payment="invoice",
            special_category_consent=True,
            access_needs_other=SECRET,
            share_access_with_venue=True,
        ),
    ).registration
    application = BursaryApplication.objects.create(
        event=event, user=owner, name=MARKER, email=owner.email, support=["travel"], circumstances=SECRET
    )
    concern = concern_raise(reporter=owner, severity="high", details=SECRET)
    token, _key = api_token_create(user=owner, name=MARKER)
    values = {
        "slug": event.slug,
        "registration": registration.pk,
        "token": token.pk,
        "ticket": ticket.pk,
        "question": question.pk,
        "application": application.pk,
        "concern": concern.pk,
        "user": owner.pk,
        "venue": event.venue_id,
    }
    wrong = {
        "anonymous": None,
        "other participant": UserFactory(),
        "facilitator": make_staff("facilitator"),
        "organiser of another Gathering": make_staff("organiser"),
    }
    EventFactory(organisers=[wrong["organiser of another Gathering"]])
    for registry in APP_REGISTRIES:
        values.update(registry.world_values(owner=owner, organiser=organiser, event=event, wrong=wrong))
    values["organiser"] = organiser
    return values, wrong


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_wrong_people_never_see_the_owners_data(world, name):
    values, wrong = world
    route = ROUTES[name]
    url = route.url.format(**values)
    for who, person in wrong.items():
        client = Client() if person is None else signed_in(person)
        for method in route.methods:
            response = getattr(client, method)(url, {} if method == "get" else {"status": "closed"})
            body = response.content.decode(errors="replace")
            assert MARKER not in body, f"{who} saw the owner's name on {method.upper()} {url}"
            assert SECRET not in body, f"{who} saw the owner's secret on {method.upper()} {url}"
            if route.refused_only or method != "get":
                # 204: a DELETE that acted on the caller's own nothing (taking back a mark they never made).
                allowed = REFUSED | ({200, 204} if not route.refused_only else set())
                assert response.status_code in allowed, (
                    f"{who}: {method.upper()} {url} -> {response.status_code}"
                )


# ------------------------------------------------------------------------------------------------------
# The second-factor sweep: a staff role's powers need the second factor in the very session or token used.
# Everything under these prefixes is staff-only; outside them, each route is decided here by name.
STAFF_AREA = ("/staff/", "/admin/")
STAFF_ONLY_ELSEWHERE = {
    "api:v1:event_registrations": ("get",),  # the organisers' list (POST is registering oneself)
    "programme:now_next": ("get",),  # organisers see the venue display's key
    **impact_registry.STAFF_ONLY_ELSEWHERE,
}
FOR_EVERYONE = {
    # one's own account, data and places; public pages and feeds
    *("accounts:delete", "accounts:profile", "accounts:token_revoke", "accounts:tokens"),
    *(
        "accounts:email_change_undo",
        "accounts:tokens_revoke_all",
        "privacy:consents",
        "privacy:csp_report",
        "privacy:my_data",
    ),
    *("privacy:my_data_json", "core:about", "core:home", "support:concern", "support:help"),
    "core:health",
    *("api:schema", "api:v1:event", "api:v1:events", "api:v1:me", "api:v1:my_interests"),
    *("api:v1:my_registration", "api:v1:my_registrations", "api:v1:session", "api:v1:session_interest"),
    *("api:v1:sessions", "api:v1:timetable", "api:v1:token", "api:v1:tokens"),
    *("circles:feedback", "circles:join", "circles:leave", "circles:list", "circles:membership"),
    *("circles:my", "circles:not_with", "circles:series"),
    *("events:bursary", "events:calendar_feed", "events:calendar_renew", "events:cancel", "events:detail"),
    *("events:edit", "events:feedback", "events:ics", "events:list", "events:my", "events:offer"),
    *("events:past", "events:register"),
    *("programme:agenda", "programme:board", "programme:calendar_renew", "programme:cfp", "programme:feed"),
    *("programme:ics", "programme:interest", "programme:print", "programme:propose", "programme:session"),
    *("programme:timetable", "programme:withdraw"),
    *("directory:search", "directory:service", "directory:report", "directory:report_sent"),
    *directory_registry.partner_registry.FOR_EVERYONE,
    *learning_registry.FOR_EVERYONE,
    *impact_registry.FOR_EVERYONE,
    *("directory:approaches", "directory:approach", "network:list", "network:organisation"),
    *HSDS_API_ROUTES,
}


def _in_staff_area(name: str) -> bool:
    return name in ROUTES and ROUTES[name].url.startswith(STAFF_AREA)


def test_every_route_is_decided_staff_only_or_not():
    ours = {name for name in _named_routes() if not name.startswith(("account_", "mfa_"))}
    outside = {name for name in ours if not _in_staff_area(name)}
    undecided = sorted(outside - set(STAFF_ONLY_ELSEWHERE) - FOR_EVERYONE)
    assert undecided == [], f"decide whether these need a staff role's powers: {undecided}"
    assert not set(STAFF_ONLY_ELSEWHERE) & FOR_EVERYONE


def _staff_only_requests():
    """(route name, method) for every staff-only route in ROUTES."""
    for name in sorted(ROUTES):
        if _in_staff_area(name):
            yield from ((name, method) for method in ROUTES[name].methods)
        elif name in STAFF_ONLY_ELSEWHERE:
            yield from ((name, method) for method in STAFF_ONLY_ELSEWHERE[name])


def _admin_urls(values) -> list[str]:
    """Every page of Django's admin: the index, each app, and each model's list, add and change pages."""
    from django.contrib import admin

    urls = ["/admin/"]
    for model in admin.site._registry:
        meta = model._meta
        urls += [f"/admin/{meta.app_label}/", f"/admin/{meta.app_label}/{meta.model_name}/"]
        urls.append(f"/admin/{meta.app_label}/{meta.model_name}/add/")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(f"/admin/{meta.app_label}/{meta.model_name}/{first.pk}/change/")
    return sorted(set(urls))


def _holding_every_role(user):
    """`user` with every staff role (and so every permission), organising the world's Gathering."""
    from gathering.accounts.roles import ROLES

    user.groups.add(*Group.objects.filter(name__in=[role.group_name for role in ROLES]))
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return User.objects.get(pk=user.pk)


@pytest.fixture
def unverified_staff(world):
    """The Gathering's organiser, given every role so that a refusal can only be the second factor's; and
    the ways in without it."""
    values, _wrong = world
    organiser = _holding_every_role(values["organiser"])
    no_app = _holding_every_role(UserFactory())
    Event.objects.get(slug=values["slug"]).organisers.add(no_app)
    clients = {
        "session that skipped the second factor": signed_in(organiser, second_factor=False),
        "token made without the second factor": token_client_without_second_factor(organiser),
        "staff member without an authenticator app": signed_in(no_app),
        "token of a staff member without an authenticator app": token_client_without_second_factor(no_app),
    }
    return values, signed_in(organiser), clients


def _refused(response) -> bool:
    if response.status_code == 302:
        # To sign in, or to set up or enter the second factor: never into the page.
        return response.url.startswith(("/accounts/login/", "/accounts/2fa/", "/admin/login/"))
    return response.status_code in {401, 403, 404, 405}


@pytest.mark.parametrize(("name", "method"), list(_staff_only_requests()))
def test_staff_only_routes_need_the_second_factor(unverified_staff, name, method):
    values, verified, clients = unverified_staff
    url = ROUTES[name].url.format(**values)
    data = {} if method == "get" else {"status": "closed"}
    opened = getattr(verified, method)(url, data)
    for who, client in clients.items():
        response = getattr(client, method)(url, data)
        assert _refused(response), f"{who}: {method.upper()} {url} -> {response.status_code}"
        body = response.content.decode(errors="replace")
        assert MARKER not in body and SECRET not in body, f"{who} saw the owner's data on {url}"
    if method == "get" and name in {
        "staff:home",
        "audit:list",
        "safeguarding:queue",
        "events_staff:registrations",
    }:
        assert opened.status_code == 200, f"the same person with the second factor must open {url}"


def test_django_admin_needs_the_second_factor(unverified_staff):
    values, verified, clients = unverified_staff
    urls = _admin_urls(values)
    assert verified.get("/admin/").status_code == 200
    for url in urls:
        for who, client in clients.items():
            response = client.get(url)
            assert _refused(response), f"{who}: GET {url} -> {response.status_code}"
