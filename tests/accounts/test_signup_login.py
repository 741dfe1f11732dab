"""Sign up with a verified email, sign in with email, throttled failures, password reset, Argon2."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from gathering.accounts.models import User

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD_SIGNUP = {
    "name": "Robin Ash",
    "email": "robin@example.org",
    "password1": "plenty-of-words-here",
    "password2": "plenty-of-words-here",
}


def _link(message: str) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/[^\s]+)", message).group(1)


def test_sign_up_needs_email_verification_then_signs_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", GOOD_SIGNUP)
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    user = User.objects.get(email="robin@example.org")
    assert user.name == "Robin Ash"
    assert list(user.groups.values_list("name", flat=True)) == ["Participant"]
    assert user.password.startswith("argon2")
    assert EmailAddress.objects.get(user=user).verified is False
    assert client.get("/account/").status_code == 302  # not signed in until verified

    assert len(mail.outbox) == 1
    confirm_url = _link(mail.outbox[0].body)
    assert client.get(confirm_url).status_code == 200
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True
    assert client.get("/account/").status_code == 200


def test_sign_in_with_an_unverified_email_is_held_back(client):
    UserFactory(email="new@example.org", verified=False)
    response = client.post("/accounts/login/", {"login": "new@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert client.get("/account/").status_code == 302


def test_sign_in_with_email_and_password(client, participant):
    response = client.post("/accounts/login/", {"login": participant.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter your full name"),
        ({"name": "x" * 151}, "name", "Your name must be 150 characters or fewer"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"password2": "something-else-entirely"}, "password2", "You must type the same password each time."),
        ({"password1": "short", "password2": "short"}, "password1", "This password is too short"),
        ({"email": ""}, "email", "Enter your email address"),
        ({"password1": ""}, "password1", "Enter a password"),
    ],
)
def test_sign_up_bad_input_gets_a_specific_message_and_changes_nothing(client, changes, field, message):
    response = client.post("/accounts/signup/", {**GOOD_SIGNUP, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field])
    assert "There is a problem" in response.content.decode()
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_signing_up_twice_with_one_email_does_not_reveal_or_duplicate(
    client, participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", {**GOOD_SIGNUP, "email": participant.email})
    # Enumeration prevention: the page looks like success, and the owner is told by email instead.
    assert response.status_code == 302
    assert User.objects.filter(email=participant.email).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [participant.email]


def test_empty_sign_in_names_each_missing_field(client):
    response = client.post("/accounts/login/", {"login": "", "password": ""})
    errors = response.context["form"].errors
    assert errors["login"] == ["Enter your email address"]
    assert errors["password"] == ["Enter your password"]


def test_wrong_password_says_so_without_saying_which_part(client, participant):
    response = client.post("/accounts/login/", {"login": participant.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()


def test_failed_sign_ins_are_throttled_per_account(client, participant):
    for _ in range(5):
        client.post("/accounts/login/", {"login": participant.email, "password": "wrong-password"})
    response = client.post("/accounts/login/", {"login": participant.email, "password": PASSWORD})
    assert response.status_code in {200, 429}
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/account/").status_code == 302


def test_password_reset_by_email(client, participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": participant.email})
    assert response.status_code == 302
    url = _link(mail.outbox[0].body)
    response = client.get(url)
    assert response.status_code == 302  # allauth moves the key into the session
    new = "a-brand-new-passphrase-7"
    response = client.post(response.url, {"password1": new, "password2": new})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.check_password(new)


def test_password_reset_for_an_unknown_email_looks_the_same(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == "/accounts/password/reset/done/"


def test_change_email_needs_the_new_address_verified(
    participant_client, participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = participant_client.post(
            "/accounts/email/", {"action_add": "", "email": "second@example.org"}
        )
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="second@example.org").verified is False
    assert [message.to for message in mail.outbox] == [["second@example.org"], [participant.email]]
    participant.refresh_from_db()
    assert participant.email != "second@example.org"
