"""Account emails cannot be used to take an account: changing the address, pending addresses, sign-up
timing and the links in account emails (issue 11, faults 4, 5, 7 and 11)."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import mail
from django.test import Client, override_settings

from gathering.accounts.models import User
from gathering.core.models import OutboxMessage

from ..conftest import signed_in
from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BASE_URL = "https://gathering.example.org"
NEW_PASSWORD = "plenty-of-words-here"


def sign_up_data(email: str) -> dict[str, str]:
    return {"name": "Robin Ash", "email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}


def links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def link_to(body: str, path_prefix: str) -> str:
    """The path of the one link in `body` whose path starts with `path_prefix`."""
    found = [
        re.sub(r"^https?://[^/]+", "", link)
        for link in links(body)
        if re.sub(r"^https?://[^/]+", "", link).startswith(path_prefix)
    ]
    assert len(found) == 1, body
    return found[0]


def mail_to(address: str) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [address]]


def stale(client: Client) -> Client:
    """The session of someone who signed in an hour ago: what a thief who copied the cookie holds."""
    session = client.session
    for method in session["account_authentication_methods"]:
        method["at"] = time.time() - 3600
    session.save()
    return client


def request_change(client: Client, new_email: str, capture) -> None:
    with capture(execute=True):
        response = client.post("/accounts/email/", {"action_add": "", "email": new_email})
    assert response.status_code == 302
    assert response.url == "/accounts/email/"


# --- Fault 4: a stolen session is not enough to change the address ----------------------------------------


def test_changing_email_from_a_session_without_a_recent_sign_in_asks_for_the_password_first(participant):
    client = stale(signed_in(participant))

    response = client.post("/accounts/email/", {"action_add": "", "email": "thief@example.org"})

    assert response.status_code == 302
    assert response.url == "/accounts/reauthenticate/?next=%2Faccounts%2Femail%2F"
    assert not EmailAddress.objects.filter(email="thief@example.org").exists()
    assert mail.outbox == []
    assert OutboxMessage.objects.count() == 0


def test_entering_the_password_again_lets_the_change_go_ahead(
    participant, django_capture_on_commit_callbacks
):
    client = stale(signed_in(participant))
    client.post("/accounts/email/", {"action_add": "", "email": "second@example.org"})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/reauthenticate/?next=%2Faccounts%2Femail%2F", {"password": PASSWORD}
        )

    assert response.status_code == 302
    address = EmailAddress.objects.get(email="second@example.org")
    assert (address.user, address.verified) == (participant, False)


@override_settings(GATHERING_BASE_URL=BASE_URL)
def test_a_change_request_tells_the_old_address_with_an_undo_link(
    participant, django_capture_on_commit_callbacks
):
    old = participant.email

    request_change(signed_in(participant), "second@example.org", django_capture_on_commit_callbacks)

    participant.refresh_from_db()
    assert participant.email == old
    assert len(mail_to("second@example.org")) == 1
    [notice] = mail_to(old)
    assert notice.subject == "Someone asked to change your email address"
    assert "second@example.org" not in notice.body
    undo = link_to(notice.body, "/account/email/undo/")
    assert f"{BASE_URL}{undo}" in notice.body
    # The token carries the addresses only encrypted.
    assert "example.org" not in undo
    assert "person" not in undo


def test_the_undo_link_cancels_a_pending_change_for_someone_signed_out(
    participant, django_capture_on_commit_callbacks
):
    old = participant.email
    request_change(signed_in(participant), "thief@example.org", django_capture_on_commit_callbacks)
    undo = link_to(mail_to(old)[0].body, "/account/email/undo/")
    confirm = link_to(mail_to("thief@example.org")[0].body, "/accounts/confirm-email/")
    owner = Client()

    page = owner.get(undo)
    assert page.status_code == 200
    assert '<form method="post"' in page.content.decode()
    assert EmailAddress.objects.filter(email="thief@example.org").exists()  # opening the link changes nothing

    done = owner.post(undo)

    assert done.status_code == 200
    assert 'href="/accounts/password/reset/"' in done.content.decode()
    assert not EmailAddress.objects.filter(email="thief@example.org").exists()
    assert Client().post(confirm).status_code == 404
    participant.refresh_from_db()
    assert participant.email == old
    assert list(
        EmailAddress.objects.filter(user=participant).values_list("email", "verified", "primary")
    ) == [(old, True, True)]


def test_the_change_waits_for_the_new_address_and_the_undo_link_puts_the_old_one_back(
    participant, django_capture_on_commit_callbacks
):
    old = participant.email
    request_change(signed_in(participant), "thief@example.org", django_capture_on_commit_callbacks)
    undo = link_to(mail_to(old)[0].body, "/account/email/undo/")
    confirm = link_to(mail_to("thief@example.org")[0].body, "/accounts/confirm-email/")
    participant.refresh_from_db()
    assert participant.email == old  # not before the new address is confirmed

    assert Client().post(confirm).status_code == 302
    participant.refresh_from_db()
    assert participant.email == "thief@example.org"

    done = Client().post(undo)

    assert done.status_code == 200
    assert 'href="/accounts/password/reset/"' in done.content.decode()
    participant.refresh_from_db()
    assert participant.email == old
    assert list(
        EmailAddress.objects.filter(user=participant).values_list("email", "verified", "primary")
    ) == [(old, True, True)]
    response = Client().post("/accounts/login/", {"login": old, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/account/"


def test_a_tampered_undo_link_changes_nothing(participant, django_capture_on_commit_callbacks):
    old = participant.email
    request_change(signed_in(participant), "second@example.org", django_capture_on_commit_callbacks)
    undo = link_to(mail_to(old)[0].body, "/account/email/undo/")
    tampered = undo[:-3] + ("A" if undo[-3] != "A" else "B") + undo[-2:]

    response = Client().post(tampered)

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert EmailAddress.objects.filter(email="second@example.org", user=participant).exists()


# --- Fault 5: a pending change never captures someone else's address ---------------------------------------


def test_signing_up_with_an_address_pending_on_another_account_makes_a_new_account(
    django_capture_on_commit_callbacks,
):
    attacker = UserFactory(email="attacker@example.org")
    request_change(signed_in(attacker), "owner@example.org", django_capture_on_commit_callbacks)
    mail.outbox.clear()
    owner = Client()

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post("/accounts/signup/", sign_up_data("owner@example.org"))

    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    new = User.objects.get(email="owner@example.org")
    assert new != attacker
    [confirmation] = mail_to("owner@example.org")
    confirm = link_to(confirmation.body, "/accounts/confirm-email/")
    assert owner.post(confirm).status_code == 302
    assert list(EmailAddress.objects.filter(email="owner@example.org").values_list("user", "verified")) == [
        (new.pk, True)
    ]
    attacker.refresh_from_db()
    assert attacker.email == "attacker@example.org"


def test_the_pending_change_link_stops_working_once_the_owner_signs_up(django_capture_on_commit_callbacks):
    attacker = UserFactory(email="attacker@example.org")
    request_change(signed_in(attacker), "owner@example.org", django_capture_on_commit_callbacks)
    attackers_link = link_to(mail_to("owner@example.org")[0].body, "/accounts/confirm-email/")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/signup/", sign_up_data("owner@example.org"))

    response = Client().post(attackers_link)

    assert response.status_code == 404
    assert not EmailAddress.objects.filter(user=attacker, email="owner@example.org").exists()
    attacker.refresh_from_db()
    assert attacker.email == "attacker@example.org"


def test_password_reset_for_an_address_only_pending_sends_no_reset_link(django_capture_on_commit_callbacks):
    attacker = UserFactory(email="attacker@example.org")
    request_change(signed_in(attacker), "owner@example.org", django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/accounts/password/reset/", {"email": "owner@example.org"})

    assert response.status_code == 302
    assert response.url == "/accounts/password/reset/done/"
    [message] = mail.outbox
    assert message.to == ["owner@example.org"]
    assert "/accounts/password/reset/key/" not in message.body
    assert "/accounts/signup/" in message.body


def test_password_reset_still_works_for_a_new_account_that_is_not_yet_verified(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/signup/", sign_up_data("new@example.org"))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": "new@example.org"})

    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    assert "/accounts/password/reset/key/" in message.body


# --- Fault 7: sign-up does the same work whether or not the address has an account ------------------------


class CountingHasher(Argon2PasswordHasher):
    """The real Argon2 hasher, counting how many passwords it hashes."""

    encoded: list[str] = []

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.encoded.append(password)
        return super().encode(password, salt)


@override_settings(PASSWORD_HASHERS=["tests.accounts.test_email_security.CountingHasher"])
def test_sign_up_does_the_same_work_for_a_known_and_a_new_address(participant):
    outcomes = {}
    for case, email in {"known": participant.email, "new": "new@example.org"}.items():
        CountingHasher.encoded.clear()
        client = Client()

        response = client.post("/accounts/signup/", sign_up_data(email))

        page = client.get(response.url)
        outcomes[case] = {
            "status": response.status_code,
            "redirect": response.url,
            "page": (page.status_code, page.content.decode().replace(email, "ADDRESS")),
            "hashed": list(CountingHasher.encoded),
            "sent inline": len(mail.outbox),
            "queued": list(OutboxMessage.objects.filter(to=[email]).values_list("status", flat=True)),
        }
        mail.outbox.clear()

    assert outcomes["known"] == outcomes["new"]
    assert outcomes["new"]["status"] == 302
    assert outcomes["new"]["redirect"] == "/accounts/confirm-email/"
    assert outcomes["new"]["hashed"] == [NEW_PASSWORD]
    assert outcomes["new"]["sent inline"] == 0
    assert outcomes["new"]["queued"] == [OutboxMessage.Status.PENDING]


# --- Fault 11: links in account emails come from GATHERING_BASE_URL, not the Host header -------------------


def _sign_up_new(client: Client) -> None:
    client.post("/accounts/signup/", sign_up_data("new@example.org"), HTTP_HOST="evil.example")


def _sign_up_known(client: Client) -> None:
    UserFactory(email="known@example.org")
    client.post("/accounts/signup/", sign_up_data("known@example.org"), HTTP_HOST="evil.example")


def _reset_known(client: Client) -> None:
    UserFactory(email="known@example.org")
    client.post("/accounts/password/reset/", {"email": "known@example.org"}, HTTP_HOST="evil.example")


def _reset_unknown(client: Client) -> None:
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, HTTP_HOST="evil.example")


def _change_email(client: Client) -> None:
    user = UserFactory(email="known@example.org")
    signed_in(user).post(
        "/accounts/email/", {"action_add": "", "email": "second@example.org"}, HTTP_HOST="evil.example"
    )


@override_settings(GATHERING_BASE_URL=BASE_URL, ALLOWED_HOSTS=["testserver", "evil.example"])
@pytest.mark.parametrize(
    ("action", "expected_links"),
    [
        (_sign_up_new, 1),
        (_sign_up_known, 1),
        (_reset_known, 1),
        (_reset_unknown, 1),
        (_change_email, 2),
    ],
)
def test_account_email_links_use_the_site_address_not_the_host_header(
    action, expected_links, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action(Client())

    assert mail.outbox
    account_links = [
        link
        for message in mail.outbox
        for link in links(message.body)
        if "/accounts/" in link or "/account/email/" in link
    ]
    assert len(account_links) >= expected_links
    for message in mail.outbox:
        assert "evil.example" not in message.body
        assert all(link.startswith(f"{BASE_URL}/") for link in links(message.body)), message.body
