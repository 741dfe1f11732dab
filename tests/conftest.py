"""Shared fixtures: people in each role, signed-in clients, and a clean cache for rate limits."""

import time

import pytest
from django.core.cache import cache
from django.core.servers.basehttp import WSGIServer
from django.test import Client

from .factories import UserFactory, make_staff

# The test live server's listen backlog (5 by default) would reset connections in the registration rush
# tests; production servers (gunicorn) listen with a backlog of 2048.
WSGIServer.request_queue_size = 128


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate limits live in the cache; each test starts with none spent.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def participant(db):
    return UserFactory()


@pytest.fixture
def other_participant(db):
    return UserFactory()


@pytest.fixture
def facilitator(db):
    return make_staff("facilitator")


@pytest.fixture
def organiser(db):
    return make_staff("organiser")


@pytest.fixture
def safeguarding_lead(db):
    return make_staff("safeguarding_lead")


@pytest.fixture
def admin_user(db):
    return make_staff("admin")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    # What allauth records when someone signs in with a password (and a second factor, for staff), so
    # pages that ask for a recent sign-in, such as setting up two-step verification, open directly.
    session = client.session
    now = time.time()
    methods = [{"method": "password", "at": now, "email": user.email, "reauthenticated": True}]
    if user.is_staff_member:
        methods.append({"method": "mfa", "at": now, "type": "totp"})
    session["account_authentication_methods"] = methods
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def token_client(user) -> Client:
    """A client that sends `Authorization: Token KEY` with a new API token of `user`'s."""
    from gathering.accounts.services import api_token_create

    _token, key = api_token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def participant_client(participant):
    return signed_in(participant)
