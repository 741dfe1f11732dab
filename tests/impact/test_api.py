"""The impact figures in the API (GET /api/v1/impact/): organisers only, the dashboard's protected figures
for the same scope and never a count below five, parameters refused with a message, and as many queries
for eight Gatherings as for two once the figures are kept."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from gathering.events.models import Event, Registration
from gathering.impact import periods, selectors

from ..conftest import signed_in, token_client, token_client_without_second_factor
from ..factories import CourseFactory, make_cohort
from .builders import gathering, member, person, register, series, ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/impact/"
MAY = datetime(2026, 5, 2, 10, tzinfo=UTC)
S = Registration.Status
GATHERING_TABLES = [
    "registrations",
    "waiting_list",
    "returning",
    "lived_experience",
    "family_carer",
    "services",
    "area",
    "places",
    "bursaries",
    "sessions",
    "felt_safe",
]
HIDDEN_MEANS = (
    "null stands for fewer than five people, or for a figure hidden so that a small number cannot be "
    "worked out from the others. Percentages are of the figures shown, rounded."
)


@dataclass
class Network:
    big: Event
    small: Event


@pytest.fixture
def network() -> Network:
    """Three Gatherings in April to June 2026: Big, with 12 registrations (8 confirmed, 4 cancelled; 6 paid
    10.00 for a solidarity place), Small, with 3 confirmed, and Late, with 10 confirmed."""
    big = gathering("Big", MAY)
    small = gathering("Small", MAY + timedelta(days=7))
    fixed, solidarity = ticket(big, "Standard"), ticket(big, "Solidarity", kind="solidarity", price=1000)
    for n in range(12):
        chosen, amount = (solidarity, 1000) if n < 6 else (fixed, 0)
        register(chosen, user=person(f"Big{n}"), status=S.CONFIRMED if n < 8 else S.CANCELLED, amount=amount)
    small_ticket = ticket(small, "Standard")
    for n in range(3):
        register(small_ticket, user=person(f"Small{n}"))
    late_ticket = ticket(gathering("Late", MAY + timedelta(days=30)), "Standard")
    for n in range(10):
        register(late_ticket, user=person(f"Late{n}"))
    selectors.figures_changed()
    return Network(big=big, small=small)


@pytest.fixture
def organiser_api(organiser):
    return token_client(organiser)


def _expected(scope: selectors.Scope) -> list[dict]:
    """The selector's tables for the scope, in the API's words."""

    def row(found: selectors.Row, money: bool, *, total: bool = False) -> dict:
        shown = {"label": found.label, "count": found.count}
        if not total:
            shown = {"key": found.key, **shown, "percent": found.percent}
        return {**shown, "amount_minor": found.money} if money else shown

    return [
        {
            "key": data.table.key,
            "title": str(data.table.title),
            "group": str(data.table.group),
            "total": row(data.total, data.table.money, total=True),
            "rows": [row(found, data.table.money) for found in data.rows],
            "mean": data.mean,
        }
        for data in selectors.scope_tables(scope)
    ]


def _every(key: str, value) -> list:
    """Every value under `key` anywhere in an answer."""
    if isinstance(value, dict):
        found = [value[key]] if key in value else []
        return found + [item for child in value.values() for item in _every(key, child)]
    if isinstance(value, list):
        return [item for child in value for item in _every(key, child)]
    return []


def test_an_organisers_token_gets_the_networks_figures(network, organiser_api):
    response = organiser_api.get(URL, {"period": "2026"})

    assert response.status_code == 200
    body = response.json()
    assert body["figures_for"] == "The whole network, 2026"
    assert body["period"] == {
        "label": "2026",
        "first_day": "2026-01-01",
        "last_day": "2026-12-31",
        "widened": False,
    }
    assert body["hidden_means"] == HIDDEN_MEANS
    assert [table["key"] for table in body["tables"]] == GATHERING_TABLES
    registrations = body["tables"][0]
    assert (registrations["title"], registrations["group"]) == ("Registrations and attendance", "People")
    assert registrations["total"] == {"label": "Registrations", "count": 25}
    big = organiser_api.get(URL, {"gathering": network.big.slug}).json()
    assert (big["figures_for"], big["tables"][0]["total"]["count"]) == ("Big", 12)


@pytest.mark.parametrize(
    ("params", "scope"),
    [
        ({}, lambda network: selectors.Scope()),
        ({"period": "all"}, lambda network: selectors.Scope()),
        ({"period": "2026"}, lambda network: selectors.Scope(period=periods.year(2026))),
        ({"period": "2026-q2"}, lambda network: selectors.Scope(period=periods.parse("2026-Q2"))),
        (
            {"from": "2026-04-15", "to": "2026-05-01"},
            lambda network: selectors.Scope(period=periods.parse("", "2026-04-15", "2026-05-01")),
        ),
        ({"gathering": "big"}, lambda network: selectors.Scope(activity=f"event:{network.big.pk}")),
        ({"gathering": "small"}, lambda network: selectors.Scope(activity=f"event:{network.small.pk}")),
    ],
)
def test_the_figures_are_the_selectors_for_the_same_scope(network, organiser_api, params, scope):
    params = {
        key: getattr(network, value).slug if key == "gathering" else value for key, value in params.items()
    }
    chosen = scope(network)

    body = organiser_api.get(URL, params).json()

    assert body["figures_for"] == selectors.describe(chosen)
    assert body["tables"] == _expected(chosen)
    assert body["tables"]  # every scope here has figures to compare


def test_a_gathering_of_three_shows_no_count(network, organiser_api):
    body = organiser_api.get(URL, {"gathering": network.small.slug}).json()

    assert body["figures_for"] == "Small"
    assert body["period"] == {"label": "All time", "first_day": None, "last_day": None, "widened": False}
    assert set(_every("count", body)) == set(_every("amount_minor", body)) == {None}
    registrations, places = body["tables"][0], body["tables"][7]
    assert registrations == {
        "key": "registrations",
        "title": "Registrations and attendance",
        "group": "People",
        "total": {"label": "Registrations", "count": None},
        "rows": [
            {"key": "attended", "label": "Came", "count": None, "percent": None},
            {"key": "not_attended", "label": "Had a place, did not come", "count": None, "percent": None},
            {
                "key": "waitlisted",
                "label": "On the waiting list, never offered a place",
                "count": None,
                "percent": None,
            },
            {
                "key": "cancelled",
                "label": "Cancelled, or an offer not taken up",
                "count": None,
                "percent": None,
            },
        ],
        "mean": None,
    }
    assert places["total"] == {"label": "Places given", "count": None, "amount_minor": None}
    assert places["rows"][0] == {
        "key": "fixed",
        "label": "Fixed price",
        "count": None,
        "percent": None,
        "amount_minor": None,
    }


@pytest.mark.parametrize(
    "params",
    [{}, {"period": "2026"}, {"period": "2026-Q2"}, {"gathering": "big"}, {"gathering": "small"}],
)
def test_no_count_below_five_is_ever_in_the_answer(network, organiser_api, params):
    params = {
        key: getattr(network, value).slug if key == "gathering" else value for key, value in params.items()
    }

    body = organiser_api.get(URL, params).json()

    counts = _every("count", body)
    assert len(counts) > 20
    assert all(count is None or count >= 5 for count in counts)


def test_admins_and_signed_in_organisers_get_the_figures_too(network, admin_user, organiser):
    for client in (token_client(admin_user), signed_in(organiser)):
        response = client.get(URL, {"period": "2026"})
        assert response.status_code == 200
        assert response.json()["tables"][0]["total"]["count"] == 25


@pytest.mark.parametrize("who", ["participant", "facilitator"])
def test_participants_and_facilitators_tokens_are_refused(network, request, who):
    response = token_client(request.getfixturevalue(who)).get(URL)

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "permission_denied",
            "message": "Only organisers may see the impact figures.",
            "fields": {},
        }
    }


def test_an_organisers_token_without_the_second_factor_is_refused(network, organiser):
    assert token_client_without_second_factor(organiser).get(URL).status_code == 403
    assert signed_in(organiser, second_factor=False).get(URL).status_code == 403


def test_without_a_token_it_asks_for_one(network, client):
    response = client.get(URL)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("params", "fields", "message"),
    [
        (
            {"period": "2026-Q5"},
            ["period"],
            "Choose a year such as 2026, a quarter such as 2026-Q2, or all time.",
        ),
        (
            {"period": " 2026"},
            ["period"],
            "Choose a year such as 2026, a quarter such as 2026-Q2, or all time.",
        ),
        ({"from": "2026-04-01"}, ["from"], "Give both the first and the last day of the period."),
        (
            {"from": "2026-06-01", "to": "2026-04-01"},
            ["from", "to"],
            "The last day must be on or after the first day.",
        ),
        (
            {"from": "2026/04/01", "to": "2026-06-30"},
            ["from", "to"],
            "Enter the days as year-month-day, for example 2026-04-01.",
        ),
        (
            {"from": "20260401", "to": "2026-06-30"},
            ["from", "to"],
            "Enter the days as year-month-day, for example 2026-04-01.",
        ),
        ({"period": "0000"}, ["period"], "Choose a year between 1900 and 2999."),
        (
            {"from": "2026-01-01", "to": "9999-12-31"},
            ["from", "to"],
            "Choose a year between 1900 and 2999.",
        ),
    ],
)
def test_a_period_that_is_not_one_is_refused_with_its_message(
    network, organiser_api, params, fields, message
):
    response = organiser_api.get(URL, params)

    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "invalid", "message": message, "fields": {field: [message] for field in fields}}
    }


def test_a_custom_range_is_widened_to_whole_quarters(network, organiser_api):
    body = organiser_api.get(URL, {"from": "2026-04-15", "to": "2026-05-01"}).json()

    assert body["period"] == {
        "label": "April to June 2026",
        "first_day": "2026-04-01",
        "last_day": "2026-06-30",
        "widened": True,
    }
    assert body["figures_for"] == "The whole network, April to June 2026"


def test_a_series_and_a_course_have_their_own_figures(network, organiser_api):
    circles = series("Morning circles", first_meets_at=MAY)
    for n in range(6):
        member(circles, person(f"Member{n}"))
    course = CourseFactory(title="Listening well", slug="listening-well")
    make_cohort(course=course, starts_at=MAY)
    selectors.figures_changed()

    by_series = organiser_api.get(URL, {"series": circles.slug}).json()
    by_course = organiser_api.get(URL, {"course": "listening-well", "period": "2026"}).json()

    assert by_series["figures_for"] == "Morning circles"
    assert by_series["tables"] == _expected(selectors.Scope(activity=f"series:{circles.pk}"))
    assert by_course["figures_for"] == "Listening well, 2026"
    assert by_course["tables"] == _expected(
        selectors.Scope(period=periods.year(2026), course="listening-well")
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("gathering", "No Gathering in the figures has that slug."),
        ("series", "No series of listening circles in the figures has that slug."),
        ("course", "No course with cohorts in the figures has that slug."),
    ],
)
def test_an_unknown_slug_is_not_found(network, organiser_api, name, message):
    response = organiser_api.get(URL, {name: "no-such-thing"})

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": message, "fields": {}}}


def test_a_gathering_the_figures_do_not_count_is_not_found(network, organiser_api):
    draft = gathering("Draft", MAY, status=Event.Status.DRAFT)
    selectors.figures_changed()

    assert organiser_api.get(URL, {"gathering": draft.slug}).status_code == 404
    # A Gathering's slug is not a series'.
    assert organiser_api.get(URL, {"series": network.big.slug}).status_code == 404


def test_an_unknown_parameter_is_refused(network, organiser_api):
    response = organiser_api.get(URL, {"year": "2026", "page": "2"})

    message = "Unknown parameter: page, year. This address takes period, from, to, gathering, series, course."
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "invalid", "message": message, "fields": {"page": [message], "year": [message]}}
    }


@pytest.mark.parametrize(
    ("query", "fields", "message"),
    [
        ("period=2026&period=2025", ["period"], "Send period once."),
        (
            "period=2026&from=2026-01-01&to=2026-03-31",
            ["period", "from", "to"],
            "Send either period, or from and to, not both.",
        ),
        (
            "gathering=big&course=c",
            ["gathering", "course"],
            "Ask for one of gathering, series or course, not more.",
        ),
        (
            "gathering=big&period=2026",
            ["gathering", "period"],
            "A Gathering's or a series' figures are its own, whatever the period: leave out the period.",
        ),
    ],
)
def test_parameters_that_do_not_go_together_are_refused(network, organiser_api, query, fields, message):
    response = organiser_api.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "invalid", "message": message, "fields": {field: [message] for field in fields}}
    }


@pytest.mark.parametrize("name", ["period", "from", "gathering"])
def test_an_empty_parameter_is_refused(network, organiser_api, name):
    # As the schema states: no value is not one.
    response = organiser_api.get(f"{URL}?{name}=")

    message = f"Give {name} a value, or leave it out."
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid", "message": message, "fields": {name: [message]}}


@pytest.mark.parametrize("gatherings", [2, 8])
def test_the_query_count_does_not_grow_with_the_gatherings(
    organiser_api, django_assert_max_num_queries, gatherings
):
    events = []
    for number in range(gatherings):
        event = gathering(f"Gathering {number}", MAY + timedelta(days=number))
        standard = ticket(event, "Standard")
        for n in range(6):
            register(standard, user=person(f"G{number}P{n}"))
        events.append(event)
    selectors.figures_changed()
    assert organiser_api.get(URL).status_code == 200  # counts and protects the figures, and keeps them

    # The person's permissions (their own and their roles'); the token check and the figures are kept.
    for params in (
        {"period": "2026"},
        {"from": "2026-04-15", "to": "2026-05-01"},
        {"gathering": events[-1].slug},
    ):
        with django_assert_max_num_queries(2):
            assert organiser_api.get(URL, params).status_code == 200


def test_the_schema_documents_the_endpoint(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"]["/api/v1/impact/"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} == {
        "period",
        "from",
        "to",
        "gathering",
        "series",
        "course",
    }
    assert {"200", "400", "401", "403", "404", "429"} <= set(operation["responses"])
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Impact"
    }
    count = schema["components"]["schemas"]["ImpactRow"]["properties"]["count"]
    assert (count["minimum"], count["nullable"]) == (5, True)
