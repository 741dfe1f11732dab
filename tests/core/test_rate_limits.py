"""Forms anyone can send are rate-limited: past the limit a plain 429 page, and nothing more is saved."""

import pytest
from django.test import Client

from gathering.support.models import Concern

pytestmark = pytest.mark.django_db


def test_concerns_are_limited_per_address():
    client = Client()
    for _ in range(10):
        assert client.post("/help/concern/", {"severity": "normal", "details": "Worried"}).status_code == 200
    response = client.post("/help/concern/", {"severity": "normal", "details": "Worried"})
    assert response.status_code == 429
    assert "Please wait a little and try again" in response.content.decode()
    assert "Get help now" in response.content.decode()
    assert Concern.objects.count() == 10


def test_token_creation_is_limited_per_person(participant_client):
    for n in range(20):
        participant_client.post("/account/tokens/", {"name": f"t{n}"})
    assert participant_client.post("/account/tokens/", {"name": "one more"}).status_code == 429
