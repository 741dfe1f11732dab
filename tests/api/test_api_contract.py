"""Faults Schemathesis found (tests/api/test_schemathesis.py), each pinned by a plain test: the API answers
only with statuses its schema documents, refuses what the schema calls invalid and accepts what it calls
valid."""

import pytest

from gathering.events.models import Registration
from gathering.programme.models import Session

from ..conftest import signed_in, token_client
from ..factories import EventFactory, TicketTypeFactory, UserFactory
from ..programme.attendee_data import attendee, programme_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


@pytest.mark.parametrize("value", ["0", "", "x", "-1", "1.5"])
def test_a_page_number_that_is_not_one_is_refused(client, value):
    # DRF answered 404 (undocumented on /events/) for "page=0"; it is a bad request, like a bad page size.
    response = client.get("/api/v1/events/", {"page": value})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"page": ["Give a whole number from 1."]}


def test_a_page_past_the_last_is_not_found_and_documented(client, schema):
    EventFactory()
    for value in ("2", "9" * 30):
        response = client.get("/api/v1/events/", {"page": value})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    for path in (
        "/api/v1/events/",
        "/api/v1/me/tokens/",
        "/api/v1/me/registrations/",
        "/api/v1/me/interests/",
    ):
        assert "404" in schema["paths"][path]["get"]["responses"]


def test_the_api_takes_json_only_and_says_so(participant, schema):
    # Form encodings cannot tell 0 from false or 1 from "1": a form proposal with length=1 was refused, and a
    # form registration took share_access_with_venue=0 for false. The schema offered both encodings.
    event = EventFactory()
    ticket = TicketTypeFactory(event=event)
    response = token_client(participant).post(
        f"/api/v1/events/{event.slug}/registrations/", {"ticket_type": ticket.pk}
    )  # multipart
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert not Registration.objects.exists()
    operation = schema["paths"]["/api/v1/events/{slug}/registrations/"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json"}
    assert "415" in operation["responses"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"share_access_with_venue": 0}, "share_access_with_venue", "Must be a valid boolean."),
        ({"on_attendee_list": "yes"}, "on_attendee_list", "Must be a valid boolean."),
        ({"name": 5}, "name", "Not a valid string."),
        ({"amount": "0"}, "amount", "A valid integer is required."),
        ({"answers": []}, "answers", 'Expected a dictionary of items but got type "list".'),
        ({"access_needs": "step_free"}, "access_needs", 'Expected a list of items but got type "str".'),
    ],
)
def test_registration_values_of_the_wrong_json_type_are_refused(participant, body, field, message):
    # DRF coerced them (0 became false, 5 became "5"), accepting what the schema calls invalid.
    event = EventFactory()
    ticket = TicketTypeFactory(event=event)
    response = token_client(participant).post(
        f"/api/v1/events/{event.slug}/registrations/",
        {"ticket_type": ticket.pk, **body},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}
    assert not Registration.objects.exists()


def test_errors_for_items_of_a_list_are_listed_under_the_field(participant):
    # They came nested as {"access_needs": {"0": [...]}}, not the documented list of messages.
    event = EventFactory()
    ticket = TicketTypeFactory(event=event)
    response = token_client(participant).post(
        f"/api/v1/events/{event.slug}/registrations/",
        {"ticket_type": ticket.pk, "access_needs": ["AAA"], "special_category_consent": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"access_needs": ['"AAA" is not a valid choice.']}


@pytest.mark.parametrize(
    ("name", "ok"), [("Ada", True), ("   ", False), ("Ada\x7f", False), ("A\x00", False)]
)
def test_registration_text_follows_the_documented_pattern(participant, schema, name, ok):
    import re

    pattern = schema["components"]["schemas"]["RegistrationCreateRequest"]["properties"]["name"]["pattern"]
    assert bool(re.search(pattern, name)) is ok
    event = EventFactory()
    ticket = TicketTypeFactory(event=event)
    response = token_client(participant).post(
        f"/api/v1/events/{event.slug}/registrations/",
        {"ticket_type": ticket.pk, "name": name},
        content_type="application/json",
    )
    assert response.status_code == (201 if ok else 400)


def test_the_consent_rule_is_in_the_schema(schema):
    # A registration with access needs but no consent is refused; the schema called it valid.
    rule = schema["components"]["schemas"]["RegistrationCreateRequest"]["anyOf"]
    assert rule[0]["properties"]["special_category_consent"] == {"enum": [True]}
    assert rule[1]["properties"]["access_needs"] == {"maxItems": 0}


def test_a_token_name_of_only_spaces_or_not_text_is_refused():
    user = UserFactory()
    client = signed_in(user)
    for name, message in (
        ("   ", "This field may not be blank."),
        (5, "Not a valid string."),
    ):
        response = client.post("/api/v1/me/tokens/", {"name": name}, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {"name": [message]}


def test_text_that_is_not_unicode_is_refused_in_the_error_body(participant):
    # A lone surrogate parses as JSON but cannot be stored (PostgreSQL fails on it: a 500).
    response = signed_in(participant).post(
        "/api/v1/me/tokens/", '{"name": "\\ud800"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "parse_error",
        "message": "The JSON sent has text that is not valid Unicode.",
        "fields": {},
    }


@pytest.fixture
def proposer():
    programme = programme_for(open_space=True)
    return programme, token_client(attendee(programme.event))


def _propose(client, programme, body):
    return client.post(
        f"/api/v1/events/{programme.event.slug}/sessions/", body, content_type="application/json"
    )


def test_a_proposal_description_that_is_not_text_is_refused(proposer):
    # {} was saved as an empty description.
    programme, client = proposer
    response = _propose(client, programme, {"title": "Fine", "description": {}})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"description": ["Not a valid string."]}
    assert not Session.objects.exists()


def test_the_same_proposal_twice_is_a_documented_conflict(proposer, schema):
    # Valid input that clashes with what is there: 409, not 400 (the schema called it valid).
    programme, client = proposer
    assert _propose(client, programme, {"title": "Walking"}).status_code == 201
    again = _propose(client, programme, {"title": "walking"})
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "conflict",
        "message": "Some of the information sent is not valid.",
        "fields": {"title": ["You have already proposed a session with this title."]},
    }
    responses = schema["paths"]["/api/v1/events/{slug}/sessions/"]["post"]["responses"]
    assert responses["409"] == {"$ref": "#/components/responses/Error409"}


@pytest.mark.parametrize("title", ["Circle \U000f0001", "New letter \U000bcc88"])
def test_proposal_titles_may_have_private_use_and_new_characters(proposer, title):
    # They were refused though the schema (which cannot name unassigned characters) calls them valid.
    programme, client = proposer
    assert _propose(client, programme, {"title": title}).status_code == 201
