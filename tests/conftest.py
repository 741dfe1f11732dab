"""Shared fixtures: people in each role, signed-in clients, and a clean cache for rate limits."""

import time

import pytest
from allauth.mfa.utils import is_mfa_enabled
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


def signed_in(user, *, second_factor: bool | None = None) -> Client:
    """A client signed in as `user` the way allauth records it: with the password (recently, so pages
    that ask for a recent sign-in open directly) and, when the person has an authenticator app, with the
    second factor too. `second_factor=False` leaves it out: a session that never passed it."""
    client = Client()
    client.force_login(user)
    session = client.session
    now = time.time()
    methods = [{"method": "password", "at": now, "email": user.email, "reauthenticated": True}]
    if second_factor is None:
        second_factor = is_mfa_enabled(user)
    if second_factor:
        methods.append({"method": "mfa", "at": now, "type": "totp"})
    session["account_authentication_methods"] = methods
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def token_client(user, *, second_factor: bool | None = None) -> Client:
    """A client that sends `Authorization: Token KEY` with a new API token of `user`'s, made (unless
    `second_factor` says otherwise) in a session that passed the second factor if the person has one."""
    from gathering.accounts.services import api_token_create

    if second_factor is None:
        second_factor = is_mfa_enabled(user)
    _token, key = api_token_create(user=user, name="tests", second_factor=second_factor)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def token_client_without_second_factor(user) -> Client:
    """A client with a token that was not made with the second factor: one made before a staff role (which
    a role change ends) or by any path that might skip the check. Staff powers must never come with it."""
    from gathering.accounts.models import ApiToken

    key = ApiToken.new_key()
    ApiToken.objects.create(
        user=user,
        name="old",
        key_hash=ApiToken.hash_key(key),
        hint=key[:8],
        credentials_hash=user.get_session_auth_hash(),
    )
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def participant_client(participant):
    return signed_in(participant)
