"""API token checks kept in the cache: a script's repeated requests read no database, and every way a token
ends (revoked, a new password, a role change, signing out everywhere, deactivation, expiry, erasure) refuses
the very next request."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from gathering.accounts import token_cache
from gathering.accounts.models import ApiToken, User
from gathering.accounts.services import (
    account_delete,
    api_token_create,
    api_token_revoke,
    user_roles_set,
    user_sign_out_everywhere,
)

from ..conftest import signed_in, token_client_without_second_factor
from ..factories import PASSWORD, EventFactory, TicketTypeFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"
ME = "/api/v1/me/"


def _token(user, **kwargs):
    token, key = api_token_create(user=user, name="script", **kwargs)
    return token, Client(HTTP_AUTHORIZATION=f"Token {key}")


def _refused(client) -> bool:
    response = client.get(ME)
    return response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed"


def test_a_repeated_request_reads_no_database(participant, django_assert_num_queries):
    _token_row, client = _token(participant)
    EventFactory()

    # The token with its person, its last use written; the list of Gatherings.
    with django_assert_num_queries(5):
        assert client.get(EVENTS).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(EVENTS).status_code == 200
    # Views that need the person have it whole.
    with django_assert_num_queries(1):  # the person's roles
        assert client.get(ME).json()["email"] == participant.email


def test_the_kept_check_holds_no_password_hash(participant):
    token, client = _token(participant)
    client.get(ME)

    entry = cache.get(token_cache._key(token.key_hash))

    assert isinstance(entry, tuple)
    assert participant.password not in repr(entry)
    assert participant.email in repr(entry)


def test_a_revoked_token_is_refused_at_the_next_request(participant):
    token, client = _token(participant)
    assert client.get(ME).status_code == 200

    api_token_revoke(user=participant, token_id=token.pk)

    assert _refused(client)


def test_a_token_revoked_on_the_account_page_is_refused_at_the_next_request(participant):
    account = signed_in(participant)
    token, client = _token(participant)
    assert client.get(ME).status_code == 200

    response = account.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302

    assert _refused(client)


def test_a_new_password_ends_the_token_at_the_next_request(participant):
    _token_row, client = _token(participant)
    assert client.get(ME).status_code == 200

    response = signed_in(participant).post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "another-long-password-99",
            "password2": "another-long-password-99",
        },
    )
    assert response.status_code == 302

    assert _refused(client)


def test_a_password_set_without_the_password_pages_ends_the_token_too(participant):
    # The token row stays; its credentials no longer match the person's.
    _token_row, client = _token(participant)
    assert client.get(ME).status_code == 200

    participant.set_password("another-long-password-99")
    participant.save()

    assert ApiToken.objects.filter(user=participant).exists()
    assert _refused(client)


def test_a_role_change_ends_the_token_at_the_next_request(participant, admin_user):
    _token_row, client = _token(participant)
    assert client.get(ME).status_code == 200

    user_roles_set(actor=admin_user, user=participant, role_slugs={"participant", "facilitator"})

    assert _refused(client)


def test_signing_out_everywhere_ends_the_token_at_the_next_request(participant):
    _token_row, client = _token(participant)
    assert client.get(ME).status_code == 200

    user_sign_out_everywhere(user=participant)

    assert _refused(client)


def test_a_deactivated_persons_token_is_refused_at_the_next_request(participant):
    _token_row, client = _token(participant)
    assert client.get(ME).status_code == 200

    participant.is_active = False
    participant.save(update_fields=["is_active"])

    assert _refused(client)


def test_a_person_changed_by_an_update_is_checked_afresh_once_told(participant):
    _token_row, client = _token(participant)
    assert client.get(ME).status_code == 200

    User.objects.filter(pk=participant.pk).update(is_active=False)
    token_cache.person_changed(participant.pk)

    assert _refused(client)


def test_a_changed_name_shows_at_the_next_request(participant):
    _token_row, client = _token(participant)
    assert client.get(ME).json()["name"] == participant.name

    participant.name = "Robin Newname"
    participant.save()

    assert client.get(ME).json()["name"] == "Robin Newname"


def test_an_expired_token_is_refused_though_its_check_is_kept(monkeypatch):
    staff = make_staff("facilitator")
    token, client = _token(staff, second_factor=True)
    assert client.get(ME).status_code == 200
    assert isinstance(cache.get(token_cache._key(token.key_hash)), tuple)

    later = token.expires_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert _refused(client)


def test_a_token_about_to_expire_is_kept_no_longer_than_its_life(participant):
    token, client = _token(participant)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(milliseconds=500))

    assert client.get(ME).status_code == 200

    assert cache.get(token_cache._key(token.key_hash)) is None


def test_an_erased_persons_token_is_refused_and_its_check_dropped(participant):
    token, client = _token(participant)
    assert client.get(ME).status_code == 200

    account_delete(user=participant)

    assert cache.get(token_cache._key(token.key_hash)) == "ended"
    assert _refused(client)


def test_a_request_that_read_the_token_before_it_was_revoked_cannot_keep_it(participant):
    token, client = _token(participant)
    assert client.get(ME).status_code == 200
    cache.clear()  # the check kept by that request has expired
    stale = ApiToken.objects.select_related("user").get(pk=token.pk)

    api_token_revoke(user=participant, token_id=token.pk)
    # A request that read the row just before the revocation writes its check just after it.
    token_cache.keep(stale.user, stale, timezone.now())

    assert _refused(client)


def test_the_last_use_is_written_once_a_minute_and_read_afresh_then(participant, monkeypatch):
    token, client = _token(participant)
    client.get(ME)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    client.get(ME)
    token.refresh_from_db()
    assert token.last_used_at == first

    later = first + timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client.get(ME)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_a_token_without_the_second_factor_never_carries_staff_powers_however_often_used():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser])
    TicketTypeFactory(event=event)
    url = f"/api/v1/events/{event.slug}/registrations/"
    without = token_client_without_second_factor(organiser)
    _token_row, with_it = _token(organiser, second_factor=True)

    assert [without.get(url).status_code for _ in range(3)] == [403, 403, 403]
    assert [with_it.get(url).status_code for _ in range(3)] == [200, 200, 200]


def test_one_persons_token_never_answers_as_another():
    first, second = UserFactory(), UserFactory()
    _row, first_client = _token(first)
    _row, second_client = _token(second)

    for _ in range(2):
        assert first_client.get(ME).json()["email"] == first.email
        assert second_client.get(ME).json()["email"] == second.email
