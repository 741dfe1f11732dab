"""Password guessing is limited without letting a stranger elsewhere lock a person out."""

import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core import mail
from django.test import Client

from gathering.accounts.models import User

from ..factories import PASSWORD, TOTP_SECRET, UserFactory

pytestmark = pytest.mark.django_db

REFUSED = "Too many failed login attempts"


def _sign_in(client: Client, email: str, password: str) -> str:
    response = client.post("/accounts/login/", {"login": email, "password": password})
    return response.content.decode() if response.status_code == 200 else response.url


def _from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


# Fault 12: failed sign-ins count per account and address together, then slowly per account.


def test_a_stranger_failing_elsewhere_does_not_lock_the_person_out(participant):
    stranger = _from("203.0.113.9")
    for _ in range(5):
        assert "not correct" in _sign_in(stranger, participant.email, "wrong-password")

    person = _from("198.51.100.7")
    assert _sign_in(person, participant.email, PASSWORD) == "/account/"
    assert person.get("/account/").status_code == 200


def test_five_failures_from_one_address_lock_that_account_there(participant, other_participant):
    stranger = _from("203.0.113.9")
    for _ in range(5):
        _sign_in(stranger, participant.email, "wrong-password")

    assert REFUSED in _sign_in(stranger, participant.email, PASSWORD)
    assert stranger.get("/account/").status_code == 302
    # The address is not blocked for other accounts, and the account not from other addresses.
    assert _sign_in(_from("203.0.113.9"), other_participant.email, PASSWORD) == "/account/"
    assert _sign_in(_from("198.51.100.7"), participant.email, PASSWORD) == "/account/"


def test_successful_sign_ins_do_not_count(participant):
    client = _from("203.0.113.9")
    for _ in range(4):
        _sign_in(client, participant.email, "wrong-password")
    for _ in range(3):
        assert _sign_in(_from("203.0.113.9"), participant.email, PASSWORD) == "/account/"
    assert "not correct" in _sign_in(client, participant.email, "wrong-password")


def test_guessing_from_many_addresses_is_limited_per_account(participant):
    for n in range(29):
        _sign_in(_from(f"203.0.113.{n + 1}"), participant.email, "wrong-password")
    assert _sign_in(_from("198.51.100.7"), participant.email, PASSWORD) == "/account/"

    _sign_in(_from("203.0.113.100"), participant.email, "wrong-password")
    assert REFUSED in _sign_in(_from("198.51.100.7"), participant.email, PASSWORD)


def test_a_password_reset_lifts_the_per_account_limit(participant, django_capture_on_commit_callbacks):
    for n in range(30):
        _sign_in(_from(f"203.0.113.{n + 1}"), participant.email, "wrong-password")
    person = _from("198.51.100.7")
    assert REFUSED in _sign_in(person, participant.email, PASSWORD)

    with django_capture_on_commit_callbacks(execute=True):  # account emails leave after the commit
        person.post("/accounts/password/reset/", {"email": participant.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+)", mail.outbox[-1].body).group(1)
    new = "a-brand-new-passphrase-7"
    assert person.post(person.get(link).url, {"password1": new, "password2": new}).status_code == 302
    assert _sign_in(_from("198.51.100.8"), participant.email, new) == "/account/"


def test_one_address_guessing_many_accounts_is_limited():
    people = UserFactory.create_batch(11)
    client = _from("203.0.113.9")
    for person in people[:10]:
        _sign_in(client, person.email, "wrong-password")
    assert REFUSED in _sign_in(client, people[10].email, PASSWORD)
    assert _sign_in(_from("198.51.100.7"), people[10].email, PASSWORD) == "/account/"


def _totp_code(*, wrong: bool = False) -> str:
    valid = {format_hotp_value(hotp_value(TOTP_SECRET, n)) for n in yield_hotp_counters_from_time()}
    if not wrong:
        return next(iter(valid))
    return next(code for code in ("123456", "654321", "111111") if code not in valid)


def test_the_second_factor_cannot_be_tried_without_the_password(facilitator):
    stranger = _from("203.0.113.9")
    response = stranger.post("/accounts/2fa/authenticate/", {"code": _totp_code()})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert stranger.get("/staff/").status_code == 302

    assert "not correct" in _sign_in(stranger, facilitator.email, "wrong-password")
    response = stranger.post("/accounts/2fa/authenticate/", {"code": _totp_code()})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_second_factor_codes_are_limited_per_person_across_addresses(facilitator):
    for n in range(30):
        client = _from(f"203.0.113.{n + 1}")
        assert _sign_in(client, facilitator.email, PASSWORD) == "/accounts/2fa/authenticate/"
        response = client.post("/accounts/2fa/authenticate/", {"code": _totp_code(wrong=True)})
        assert response.status_code == 200

    client = _from("198.51.100.7")
    assert _sign_in(client, facilitator.email, PASSWORD) == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": _totp_code()})
    assert response.status_code == 200
    assert client.get("/staff/").status_code == 302


# Fault 9: the password asked before deleting an account cannot be guessed without limit.


def _delete(client: Client, password: str, *, confirm: bool = True):
    return client.post("/account/delete/", {"password": password, **({"confirm": "on"} if confirm else {})})


def _signed_in_from(user: User, address: str) -> Client:
    client = _from(address)
    client.force_login(user)
    return client


def test_wrong_passwords_before_deleting_are_limited_per_account(participant):
    for n in range(5):
        client = _signed_in_from(participant, f"203.0.113.{n + 1}")
        assert "The password is not right" in _delete(client, "wrong-password").content.decode()

    response = _delete(_signed_in_from(participant, "198.51.100.7"), PASSWORD)
    assert response.status_code == 429
    assert "Please wait a little and try again" in response.content.decode()
    assert User.objects.filter(pk=participant.pk).exists()


def test_wrong_passwords_before_deleting_are_limited_per_address():
    people = UserFactory.create_batch(3)
    for person in people[:2]:
        client = _signed_in_from(person, "203.0.113.9")
        for _ in range(5):
            _delete(client, "wrong-password")

    response = _delete(_signed_in_from(people[2], "203.0.113.9"), PASSWORD)
    assert response.status_code == 429
    assert User.objects.count() == 3


def test_only_wrong_passwords_count_before_deleting(participant):
    client = _signed_in_from(participant, "203.0.113.9")
    for _ in range(4):
        _delete(client, "wrong-password")
    for _ in range(3):
        assert "Enter your password" in _delete(client, "").content.decode()
        assert "Tick the box" in _delete(client, PASSWORD, confirm=False).content.decode()

    response = _delete(client, PASSWORD)
    assert response.status_code == 302
    assert not User.objects.filter(pk=participant.pk).exists()
