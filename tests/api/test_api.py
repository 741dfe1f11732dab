"""The API: /api/v1/me/, token authentication, one error shape, tokens endpoints, the OpenAPI schema."""

import pytest
from django.test import Client

from gathering.accounts.models import ApiToken
from gathering.accounts.services import api_token_create
from gathering.events.models import Registration

from ..conftest import signed_in
from ..factories import EventFactory

pytestmark = pytest.mark.django_db


def test_me_needs_authentication_and_says_so_in_the_error_shape(client):
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }
    assert response.headers["WWW-Authenticate"] == "Token"


def test_me_with_a_token(participant):
    _token, key = api_token_create(user=participant, name="script")
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json() == {
        "id": participant.pk,
        "email": participant.email,
        "name": participant.name,
        "preferred_name": "",
        "display_name": participant.name,
        "pronouns": "",
        "time_zone": "",
        "roles": ["participant"],
    }
    assert ApiToken.objects.get(user=participant).last_used_at is not None


def test_me_with_a_session(participant_client, participant):
    assert participant_client.get("/api/v1/me/").json()["email"] == participant.email


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token gth_not-a-real-key", "The token is not valid. It may have been revoked, or it has expired."),
        ("Token", "Send the header as: Authorization: Token KEY"),
        ("Token a b", "Send the header as: Authorization: Token KEY"),
    ],
)
def test_bad_tokens_are_refused_with_a_specific_message(header, message):
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == message


def test_a_revoked_token_stops_working(participant):
    token, key = api_token_create(user=participant, name="script")
    token.delete()
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_an_inactive_persons_token_stops_working(participant):
    _token, key = api_token_create(user=participant, name="script")
    participant.is_active = False
    participant.save(update_fields=["is_active"])
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_tokens_api_create_list_revoke(participant):
    api_token_create(user=participant, name="first")
    client = signed_in(participant)  # signed in with the password just now
    response = client.post("/api/v1/me/tokens/", {"name": "second"}, content_type="application/json")
    assert response.status_code == 201
    created = response.json()
    assert created["key"].startswith("gth_")
    listing = client.get("/api/v1/me/tokens/").json()
    assert listing["count"] == 2
    assert [t["name"] for t in listing["results"]] == ["second", "first"]
    assert "key" not in listing["results"][0]
    assert client.delete(f"/api/v1/me/tokens/{created['id']}/").status_code == 204
    assert client.get("/api/v1/me/tokens/").json()["count"] == 1


def test_tokens_api_bad_input_is_specific(participant_client):
    response = participant_client.post("/api/v1/me/tokens/", {"name": ""}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"name": ["This field may not be blank."]}
    response = participant_client.post(
        "/api/v1/me/tokens/", {"name": "x" * 101}, content_type="application/json"
    )
    assert response.json()["error"]["fields"] == {
        "name": ["Ensure this field has no more than 100 characters."]
    }
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize("depth", [2_000, 50_000])
def test_deeply_nested_json_is_refused_in_the_error_shape(participant_client, depth):
    # 50,000 levels in about 100 KB raised a RecursionError (a 500) on every authenticated JSON POST.
    body = '{"name": ' + "[" * depth + "]" * depth + "}"
    response = participant_client.post("/api/v1/me/tokens/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "parse_error",
        "message": "The JSON sent is nested too deeply.",
        "fields": {},
    }
    assert not ApiToken.objects.exists()


def test_tokens_api_cannot_touch_someone_elses_token(participant_client, other_participant):
    token, _key = api_token_create(user=other_participant, name="theirs")
    response = participant_client.delete(f"/api/v1/me/tokens/{token.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert participant_client.get("/api/v1/me/tokens/").json()["count"] == 0


def test_session_writes_need_csrf(participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    response = client.post("/api/v1/me/tokens/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_list_is_paginated_with_per_page(participant):
    for n in range(3):
        api_token_create(user=participant, name=f"t{n}")
    response = signed_in(participant).get("/api/v1/me/tokens/?per_page=2")
    data = response.json()
    assert (data["count"], len(data["results"])) == (3, 2)
    assert data["next"].endswith("page=2&per_page=2")


def test_openapi_schema_describes_the_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/me/", "/api/v1/me/tokens/", "/api/v1/me/tokens/{token_id}/"} <= set(schema["paths"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_schema_has_no_generation_warnings(capsys):
    from drf_spectacular.generators import SchemaGenerator

    SchemaGenerator().get_schema(request=None, public=True)
    captured = capsys.readouterr()
    assert "Warning" not in captured.err and "Error" not in captured.err


@pytest.mark.parametrize("value", ["null", "0", "-1", "201", "abc", "²", "9" * 5000, ""])
def test_a_page_size_that_is_not_one_is_refused(participant, value):
    api_token_create(user=participant, name="t")
    response = signed_in(participant).get("/api/v1/me/tokens/", {"per_page": value})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"per_page": ["Give a whole number from 1 to 200."]}


def test_a_body_over_the_size_limit_gets_the_json_error_body(participant, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    event = EventFactory()
    client = signed_in(participant)
    data = '{"name": "' + "x" * 5_000 + '"}'
    response = client.post(
        f"/api/v1/events/{event.slug}/registrations/", data, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"code": "too_large", "message": "The request is too large.", "fields": {}}
    }
    # A form body is not read at all: the API takes JSON only (415, in the same error body).
    response = client.post(
        f"/api/v1/events/{event.slug}/registrations/",
        "name=" + "x" * 5_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert not Registration.objects.exists()


def test_an_unknown_api_address_gets_the_json_error_body(client):
    response = client.get("/api/v1/no-such-thing/")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_the_schema_documents_the_error_body_and_nullable_venue(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    tokens = schema["paths"]["/api/v1/me/tokens/"]
    assert {"400", "401", "403", "429"} <= set(tokens["post"]["responses"])
    assert "404" in schema["paths"]["/api/v1/me/tokens/{token_id}/"]["delete"]["responses"]
    event = schema["paths"]["/api/v1/events/{slug}/"]["get"]["responses"]
    assert {"404", "429"} <= set(event) and "401" not in event  # anyone may read a published Gathering
    venue = schema["components"]["schemas"]["Event"]["properties"]["venue"]
    assert venue["nullable"] is True
    per_page = next(p for p in tokens["get"]["parameters"] if p["name"] == "per_page")
    assert per_page["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
