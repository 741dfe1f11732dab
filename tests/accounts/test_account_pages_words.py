"""Every page allauth serves for Gathering speaks the site's words: sentence case, plain, calm."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ..conftest import signed_in
from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# allauth's own headings, buttons and sentences. None of them may reach a page.
ALLAUTH_WORDS = [
    # allauth's form labels, which the site's forms (accounts/forms.py) replace.
    "Remember Me",
    "Current Password",
    "New Password",
    "Password (again)",
    "Sign In",
    "Sign Up",
    "Signup",
    "Sign Out",
    "sign up",
    "Password Reset",
    "Reset My Password",
    "Change Password",
    "Set Password",
    "Bad Token",
    "Confirm Email Address",
    "Verify Your Email Address",
    "Email Address",
    "Change Email",
    "Add Email",
    "Make Primary",
    "Re-send Verification",
    "Cancel Change",
    "E-mail",
    "Account Inactive",
    "This account is inactive",
    "Confirm Access",
    "Please reauthenticate",
    "Re-authenticate",
    "Alternative options",
    "Request Code",
    "Enter Sign-In Code",
    "Two-Factor",
    "two-factor",
    "Authenticator App",
    "Activate Authenticator App",
    "Deactivate Authenticator App",
    "Recovery Codes",
    "Generate new codes",
    "Download codes",
    "Please contact us",
    "finalize",
]


@dataclass(frozen=True)
class Served:
    name: str  # allauth's URL name
    h1: str
    button: str | None  # the form's main submit button, when the page has a form
    open: Callable[[], tuple[Client, str]]  # a client in the right state, and the address to GET
    title: str | None = None  # the browser tab's title, when it is not the heading


def _anyone(url: str) -> Callable[[], tuple[Client, str]]:
    return lambda: (Client(), url)


def _participant(url: str) -> Callable[[], tuple[Client, str]]:
    return lambda: (signed_in(UserFactory()), url)


def _with_authenticator_app(url: str) -> Callable[[], tuple[Client, str]]:
    def open_page() -> tuple[Client, str]:
        person = UserFactory(mfa=True)
        RecoveryCodes.activate(person)
        return signed_in(person), url

    return open_page


def _without_a_password() -> tuple[Client, str]:
    person = UserFactory()
    person.set_unusable_password()
    person.save(update_fields=["password"])
    return signed_in(person), "/accounts/password/set/"


def _email_confirmation_link() -> tuple[Client, str]:
    person = UserFactory(verified=False)
    address = EmailAddress.objects.create(user=person, email=person.email, verified=False, primary=True)
    key = EmailConfirmationHMAC(address).key
    return Client(), reverse("account_confirm_email", args=[key])


def _password_reset_link() -> tuple[Client, str]:
    person = UserFactory()
    client = Client()
    url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(person), "key": default_token_generator.make_token(person)},
    )
    response = client.get(url)  # allauth moves the key into the session and sends the browser on
    assert response.status_code == 302
    return client, response.url


def _inactive_sign_in() -> tuple[Client, str]:
    person = UserFactory(is_active=False)
    client = Client()
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.url == "/accounts/inactive/"
    return client, response.url


def _second_step_of_signing_in() -> tuple[Client, str]:
    person = UserFactory(mfa=True)
    client = Client()
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.url == "/accounts/2fa/authenticate/"
    return client, response.url


def _pending_email_change() -> tuple[Client, str]:
    client = signed_in(UserFactory())
    response = client.post("/accounts/email/", {"action_add": "", "email": "new.address@example.org"})
    assert response.status_code == 302
    return client, "/accounts/email/"


def _emailed_code() -> tuple[Client, str]:
    person = UserFactory()
    client = signed_in(person)
    response = client.post("/accounts/reauthenticate/code/", {"recipient": person.email})
    assert response.url == "/accounts/reauthenticate/code/confirm/"
    return client, response.url


SERVED = [
    Served("account_login", "Sign in", "Sign in", _anyone("/accounts/login/")),
    Served("account_signup", "Create an account", "Create account", _anyone("/accounts/signup/")),
    Served("account_logout", "Sign out", "Sign out", _participant("/accounts/logout/")),
    Served("account_inactive", "You cannot sign in with this account", None, _inactive_sign_in),
    Served(
        "account_reset_password",
        "Reset your password",
        "Email me a reset link",
        _anyone("/accounts/password/reset/"),
    ),
    Served(
        "account_reset_password",
        "Reset your password",
        "Email me a reset link",
        _participant("/accounts/password/reset/"),
    ),
    Served(
        "account_reset_password_done", "Check your email", None, _anyone("/accounts/password/reset/done/")
    ),
    Served(
        "account_reset_password_from_key", "Choose a new password", "Save new password", _password_reset_link
    ),
    Served(
        "account_reset_password_from_key",
        "This link does not work",
        None,
        _anyone("/accounts/password/reset/key/1-not-a-real-key/"),
    ),
    Served(
        "account_reset_password_from_key_done",
        "Your password has been changed",
        None,
        _anyone("/accounts/password/reset/key/done/"),
    ),
    Served(
        "account_change_password",
        "Change your password",
        "Change password",
        _participant("/accounts/password/change/"),
    ),
    Served("account_set_password", "Choose a password", "Save password", _without_a_password),
    Served(
        "account_email_verification_sent",
        "Confirm your email address",
        None,
        _anyone("/accounts/confirm-email/"),
    ),
    Served(
        "account_confirm_email",
        "Confirm your email address",
        "Confirm email address",
        _email_confirmation_link,
    ),
    Served(
        "account_confirm_email",
        "Confirm your email address",
        None,
        _anyone("/accounts/confirm-email/not-a-key/"),
    ),
    Served(
        "account_email", "Change your email address", "Change email address", _participant("/accounts/email/")
    ),
    Served("account_email", "Change your email address", "Send the link again", _pending_email_change),
    Served(
        "account_reauthenticate", "Confirm it is you", "Continue", _participant("/accounts/reauthenticate/")
    ),
    Served(
        "account_reauthenticate",
        "Confirm it is you",
        "Continue",
        _with_authenticator_app("/accounts/reauthenticate/"),
    ),
    Served(
        "account_request_reauthentication_code",
        "Confirm it is you",
        "Email me a code",
        _participant("/accounts/reauthenticate/code/"),
    ),
    Served(
        "account_confirm_reauthentication_code",
        "Enter the code we emailed you",
        "Continue",
        _emailed_code,
        title="Confirm it is you",
    ),
    Served(
        "mfa_authenticate", "Two-step verification", "Sign in", _second_step_of_signing_in, title="Sign in"
    ),
    Served(
        "mfa_reauthenticate",
        "Confirm it is you",
        "Continue",
        _with_authenticator_app("/accounts/2fa/reauthenticate/"),
    ),
    Served("mfa_index", "Two-step verification", None, _participant("/accounts/2fa/")),
    Served("mfa_index", "Two-step verification", None, _with_authenticator_app("/accounts/2fa/")),
    Served(
        "mfa_activate_totp",
        "Set up an authenticator app",
        "Turn on two-step verification",
        _participant("/accounts/2fa/totp/activate/"),
    ),
    Served(
        "mfa_deactivate_totp",
        "Turn off two-step verification",
        "Turn off two-step verification",
        _with_authenticator_app("/accounts/2fa/totp/deactivate/"),
    ),
    Served(
        "mfa_view_recovery_codes",
        "Recovery codes",
        None,
        _with_authenticator_app("/accounts/2fa/recovery-codes/"),
    ),
    Served(
        "mfa_generate_recovery_codes",
        "Make new recovery codes",
        "Make new codes",
        _with_authenticator_app("/accounts/2fa/recovery-codes/generate/"),
    ),
]

# allauth routes under /accounts/ that are not HTML pages of their own, with the reason.
NOT_PAGES = {
    "mfa_download_recovery_codes": "a text file of the codes",
    "account_confirm_login_code": "sign-in by emailed code is switched off",
}


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def _allauth_route_names() -> set[str]:
    def walk(patterns: list) -> set[str]:
        names = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                names |= walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.callback.__module__.startswith("allauth."):
                names.add(pattern.name)
        return names

    return walk(get_resolver().url_patterns)


def test_every_allauth_page_the_site_serves_is_checked_here():
    assert _allauth_route_names() == {page.name for page in SERVED} | set(NOT_PAGES)


@pytest.mark.parametrize("page", SERVED, ids=[f"{i}-{page.name}" for i, page in enumerate(SERVED)])
def test_allauth_pages_speak_the_sites_words(page):
    client, url = page.open()

    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert [word for word in ALLAUTH_WORDS if word in html] == []
    assert [_text(h1) for h1 in re.findall(r"<h1\b[^>]*>(.*?)</h1>", html, flags=re.DOTALL)] == [page.h1]
    assert f"<title>{page.title or page.h1} – Gathering</title>" in " ".join(html.split())
    buttons = [
        _text(button) for button in re.findall(r"<button\b[^>]*>(.*?)</button>", _main(html), re.DOTALL)
    ]
    if page.button is None:
        assert buttons == []
    else:
        assert page.button in buttons


def test_a_pending_email_change_can_be_sent_again_or_cancelled():
    client, url = _pending_email_change()

    main = _main(client.get(url).content.decode())

    assert 'form="pending-email" name="action_send" type="submit">Send the link again</button>' in main
    assert 'form="pending-email" name="action_remove" type="submit">Cancel the change</button>' in main
    assert '<form hidden id="pending-email" method="post" action="/accounts/email/">' in main
    assert 'value="new.address@example.org"' in main
