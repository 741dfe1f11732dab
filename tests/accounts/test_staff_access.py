"""Staff powers only with the second factor, in this very session or token; what ends sessions and tokens.

Each test here reproduces a way in that was found by trying the demo as an attacker would."""

import re
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.utils import timezone

from gathering.accounts.models import ApiToken
from gathering.accounts.services import api_token_create, user_role_add, user_roles_set
from gathering.events.services import RegistrationInput, registration_create

from ..conftest import signed_in, token_client, token_client_without_second_factor
from ..factories import PASSWORD, TOTP_SECRET, EventFactory, TicketTypeFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db

SECRET_NEED = "MARKER-NEEDS-A-QUIET-ROOM-5521"


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def _password_session(user) -> Client:
    """A real sign-in with the password alone, as allauth does it."""
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _signed_in_user_id(client: Client) -> str | None:
    """Who the session belongs to, as the next request will see it (None: the session has ended)."""
    client.get("/account/")
    return client.session.get(SESSION_KEY)


def _event_with_a_registration(organiser):
    event = EventFactory(organisers=[organiser])
    ticket = TicketTypeFactory(event=event)
    person = UserFactory(name="Quinn Marlowe")
    registration_create(
        event=event,
        user=person,
        data=RegistrationInput(
            ticket_type_id=ticket.pk,
            name="Quinn Marlowe",
            email=person.email,
            special_category_consent=True,
            access_needs_other=SECRET_NEED,
        ),
    )
    return event


# ------------------------------------------------------------------------- 1. Django admin's own sign-in
def test_admin_sign_in_page_sends_people_to_the_sites_sign_in(admin_user):
    client = Client()
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_admin_sign_in_with_the_password_alone_signs_nobody_in(admin_user):
    client = Client()
    for _attempt in range(3):
        response = client.post(
            "/admin/login/", {"username": admin_user.email, "password": PASSWORD, "next": "/admin/"}
        )
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    assert SESSION_KEY not in client.session
    assert client.get("/admin/", follow=True).request["PATH_INFO"] == "/accounts/login/"
    assert client.get("/staff/audit/").url.startswith("/accounts/login/")


def test_the_code_page_speaks_the_sites_words(admin_user):
    client = _password_session(admin_user)
    body = client.get("/accounts/2fa/authenticate/").content.decode()
    assert "<h1>Two-step verification</h1>" in body.replace("\n", "").replace("  ", "")
    assert "Two-Factor" not in body
    assert "Sign In" not in body


def test_admin_signed_in_with_the_password_alone_is_asked_for_the_code(admin_user):
    client = _password_session(admin_user)
    # allauth asks for the second factor before the session is signed in at all.
    assert SESSION_KEY not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": _code(TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


# ------------------------------------------------------- 2. staff data in the API without the second factor
def test_a_participants_token_ends_when_they_are_given_a_staff_role(admin_user):
    person = UserFactory()
    event = _event_with_a_registration(person)
    client = token_client(person)
    assert client.get("/api/v1/me/").status_code == 200
    user_role_add(actor=admin_user, user=person, role_slug="admin")
    response = client.get(f"/api/v1/events/{event.slug}/registrations/")
    assert response.status_code == 401
    assert "Quinn" not in response.content.decode()
    assert not ApiToken.objects.filter(user=person).exists()


def test_staff_without_two_step_verification_cannot_make_a_token():
    person = make_staff("admin", mfa=False)
    client = signed_in(person)
    response = client.post("/api/v1/me/tokens/", {"name": "script"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["name"] == [
        "Staff need two-step verification to make a token. Sign in with it, then try again."
    ]
    response = client.post("/account/tokens/", {"name": "script"})
    assert "Staff need two-step verification to make a token." in response.content.decode()
    assert not ApiToken.objects.filter(user=person).exists()


@pytest.mark.parametrize("second_factor", [False, True])
def test_staff_api_data_needs_a_token_made_with_the_second_factor(second_factor):
    organiser = make_staff("organiser")
    event = _event_with_a_registration(organiser)
    client = token_client(organiser) if second_factor else token_client_without_second_factor(organiser)
    response = client.get(f"/api/v1/events/{event.slug}/registrations/")
    if second_factor:
        assert response.status_code == 200
        assert "Quinn Marlowe" in response.content.decode()
    else:
        assert response.status_code == 403
        assert "Quinn" not in response.content.decode()


def test_staff_api_data_needs_a_session_that_passed_the_second_factor():
    organiser = make_staff("organiser", mfa=False)
    event = _event_with_a_registration(organiser)
    response = signed_in(organiser).get(f"/api/v1/events/{event.slug}/registrations/")
    assert response.status_code == 403
    assert "Quinn" not in response.content.decode()


def test_the_venue_display_key_needs_the_second_factor():
    organiser = make_staff("organiser", mfa=False)
    event = EventFactory(organisers=[organiser])
    from gathering.programme.models import Programme

    programme = Programme.objects.create(event=event)
    response = signed_in(organiser).get(f"/gatherings/{event.slug}/programme/now/")
    assert programme.display_key not in response.content.decode()
    assert response.status_code == 404


# ------------------------------------------------- 3. this session must have passed it, not just the account
# allauth records the new authenticator after its transaction commits, as it does in a real request.
@pytest.mark.django_db(transaction=True)
def test_a_session_that_never_passed_the_second_factor_reaches_no_staff_page(admin_user):
    person = UserFactory()
    organiser_event = _event_with_a_registration(person)
    first, second = _password_session(person), _password_session(person)
    user_role_add(actor=admin_user, user=person, role_slug="admin")
    # The role ended both sessions: the next sign-in meets what the role needs.
    assert _signed_in_user_id(first) is None
    assert _signed_in_user_id(second) is None

    first, second = _password_session(person), _password_session(person)
    # In the second session they set up an authenticator app (the code proves it for that session).
    assert second.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    response = second.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    secret = second.session["mfa.totp.secret"]
    response = second.post("/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert response.status_code == 302

    staff_urls = (
        "/staff/",
        "/staff/team/",
        "/staff/safeguarding/",
        "/staff/audit/",
        "/admin/",
        f"/staff/gatherings/{organiser_event.slug}/registrations.csv?special=1",
    )
    for url in staff_urls:
        response = first.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/2fa/reauthenticate/"), url
    assert first.get(f"/api/v1/events/{organiser_event.slug}/registrations/").status_code == 403
    for url in staff_urls:
        assert second.get(url).status_code == 200, url

    # Entering a code in the first session opens the staff pages there too.
    response = first.post("/accounts/2fa/reauthenticate/", {"code": _code(secret)})
    assert response.status_code == 302
    assert first.get("/staff/audit/").status_code == 200


# --------------------------------------------------------------- role changes end sessions and tokens
@pytest.mark.parametrize(("before", "after"), [([], ["organiser"]), (["organiser"], [])])
def test_a_role_change_ends_the_persons_sessions_and_tokens(admin_user, before, after):
    person = UserFactory(roles=before, mfa=True)
    session = signed_in(person)
    token = token_client(person)
    assert _signed_in_user_id(session) == str(person.pk)
    user_roles_set(actor=admin_user, user=person, role_slugs={"participant", *after})
    assert _signed_in_user_id(session) is None
    assert token.get("/api/v1/me/").status_code == 401
    # The administrator who made the change is still signed in.
    admin_session = signed_in(admin_user)
    assert _signed_in_user_id(admin_session) == str(admin_user.pk)


def test_saving_the_same_roles_ends_nothing(admin_user):
    person = make_staff("organiser")
    session = signed_in(person)
    user_roles_set(actor=admin_user, user=person, role_slugs={"participant", "organiser"})
    assert _signed_in_user_id(session) == str(person.pk)


def test_an_administrator_changing_their_own_roles_keeps_this_session(admin_user):
    session = signed_in(admin_user)
    other_session = signed_in(admin_user)
    response = session.post(
        f"/staff/team/{admin_user.pk}/roles/", {"roles": ["participant", "admin", "facilitator"]}
    )
    assert response.status_code == 302
    assert _signed_in_user_id(session) == str(admin_user.pk)
    assert _signed_in_user_id(other_session) is None


def test_roles_cannot_be_changed_in_django_admin():
    superuser = UserFactory(is_superuser=True, is_staff=True, mfa=True)
    response = signed_in(superuser).get(f"/admin/accounts/user/{superuser.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="groups"' not in body
    assert 'name="is_superuser"' not in body


# ----------------------------------------------------------------------------- 6. tokens that end
def test_a_token_cannot_make_tokens(participant):
    response = token_client(participant).post(
        "/api/v1/me/tokens/", {"name": "child"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "A token cannot make tokens. Make one on your account page."
    assert ApiToken.objects.filter(user=participant).count() == 1


def test_making_a_token_asks_for_the_password_again(participant):
    client = Client()
    client.force_login(participant)  # a session whose sign-in is long past, as a stolen one may be
    response = client.post("/api/v1/me/tokens/", {"name": "script"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Confirm your password on the API tokens page of your account, then try again."
    )
    response = client.post("/account/tokens/", {"name": "script"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/reauthenticate/")
    assert not ApiToken.objects.filter(user=participant).exists()
    # Confirming the password carries on with the token that was asked for.
    response = client.post(response.url, {"password": PASSWORD})
    assert ApiToken.objects.filter(user=participant, name="script").exists()


def test_a_new_password_ends_every_token(participant):
    token = token_client(participant)
    client = signed_in(participant)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-brand-new-passphrase-9",
            "password2": "a-brand-new-passphrase-9",
        },
    )
    assert response.status_code == 302
    assert token.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=participant).exists()


def test_a_password_reset_ends_every_token(participant, django_capture_on_commit_callbacks):
    token = token_client(participant)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": participant.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[-1].body).group(1)
    response = client.get(link)
    form_url = response.url if response.status_code == 302 else link
    response = client.post(
        form_url, {"password1": "a-brand-new-passphrase-9", "password2": "a-brand-new-passphrase-9"}
    )
    assert response.status_code == 302
    assert token.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=participant).exists()


def test_a_password_set_elsewhere_ends_every_token_too(participant):
    token = token_client(participant)
    participant.set_password("set-by-an-operator-77")
    participant.save(update_fields=["password"])
    assert token.get("/api/v1/me/").status_code == 401


def test_revoke_all_tokens_from_the_account_page(participant):
    first, second = token_client(participant), token_client(participant)
    response = signed_in(participant).post("/account/tokens/revoke-all/", follow=True)
    assert "2 tokens have been revoked." in response.content.decode()
    assert first.get("/api/v1/me/").status_code == 401
    assert second.get("/api/v1/me/").status_code == 401


def test_staff_tokens_expire_and_participants_do_not(participant, settings, monkeypatch):
    settings.GATHERING_STAFF_TOKEN_DAYS = 30
    organiser = make_staff("organiser")
    staff_token, _key = api_token_create(user=organiser, name="script", second_factor=True)
    participant_token, _key = api_token_create(user=participant, name="script")
    assert participant_token.expires_at is None
    assert timedelta(days=29, hours=23) < staff_token.expires_at - timezone.now() <= timedelta(days=30)

    client = token_client(organiser)
    assert client.get("/api/v1/me/").status_code == 200
    later = timezone.now() + timedelta(days=30, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == (
        "The token is not valid. It may have been revoked, or it has expired."
    )


def test_removing_two_step_verification_ends_every_token():
    organiser = make_staff("organiser")
    token = token_client(organiser)
    from allauth.mfa.models import Authenticator

    client = signed_in(organiser)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=organiser, type="totp").exists()
    assert token.get("/api/v1/me/").status_code == 401
