"""The command line: seed-demo is idempotent and prints working logins; api-token prints a working key."""

import io
import os
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core.management import CommandError, call_command
from django.test import Client

from gathering.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from gathering.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_demo_creates_one_person_per_role_and_is_idempotent():
    first = run("seed-demo")
    counts = (User.objects.count(), EmailAddress.objects.count(), Authenticator.objects.count())
    second = run("seed-demo")
    assert (User.objects.count(), EmailAddress.objects.count(), Authenticator.objects.count()) == counts
    # One person per role signs in with the demo password; the other demo people (attendees, circle members)
    # have no usable password.
    with_password = [user.email for user in User.objects.all() if user.has_usable_password()]
    assert len(with_password) == 5
    for email in ("participant@", "facilitator@", "organiser@", "safeguarding@", "admin@"):
        assert email in first and email in second
    assert DEMO_PASSWORD in first


def test_demo_logins_work(client):
    run("seed-demo", "--quiet-logins")
    assert client.login(email="participant@demo.gathering.test", password=DEMO_PASSWORD)
    organiser = User.objects.get(email="organiser@demo.gathering.test")
    assert set(organiser.groups.values_list("name", flat=True)) == {"Participant", "Organiser"}
    totp = TOTP(Authenticator.objects.get(user=organiser, type=Authenticator.Type.TOTP))
    codes = [format_hotp_value(hotp_value(DEMO_TOTP_SECRET, c)) for c in yield_hotp_counters_from_time()]
    # Retry once in case the 30-second window turned between computing and checking.
    assert totp.validate_code(codes[0]) or totp.validate_code(
        format_hotp_value(hotp_value(DEMO_TOTP_SECRET, next(iter(yield_hotp_counters_from_time()))))
    )


def test_demo_staff_sign_in_with_the_printed_recovery_code():
    output = run("seed-demo")
    code = next(
        line.split()[-1]
        for line in output.splitlines()
        if "organiser@demo" in line and "password" not in line
    )
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "organiser@demo.gathering.test", "password": DEMO_PASSWORD}
    )
    assert response.url == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/staff/team/").status_code == 200


def test_seed_demo_refuses_bad_scale():
    with pytest.raises(CommandError, match="--scale must be 1 or more"):
        run("seed-demo", "--scale", "0")


def test_api_token_prints_a_key_that_works(participant):
    key = run("api-token", participant.email.upper()).strip()
    assert key.startswith("gth_")
    assert ApiToken.objects.filter(user=participant).count() == 1
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.json()["email"] == participant.email


def test_api_token_for_an_unknown_email_fails_clearly():
    with pytest.raises(CommandError, match="No account uses that email address"):
        run("api-token", "nobody@example.org")


def test_the_gathering_command_is_manage_py():
    result = subprocess.run(
        [sys.executable, "-m", "gathering", "help", "seed-demo"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "gathering.settings"},
    )
    assert result.returncode == 0
    assert "Load demo data (idempotent)" in result.stdout


def test_demo_gatherings_past_nearly_full_and_online():
    from django.utils import timezone

    from gathering.events.models import BursaryApplication, Event, Registration

    run("seed-demo", "--quiet-logins")
    counts = (Event.objects.count(), Registration.objects.count(), BursaryApplication.objects.count())
    run("seed-demo", "--quiet-logins")
    assert (Event.objects.count(), Registration.objects.count(), BursaryApplication.objects.count()) == counts
    past = Event.objects.get(slug="manchester-gathering-2025")
    assert past.ends_at < timezone.now()
    assert past.registrations.exclude(checked_in_at=None).count() == 12
    upcoming = Event.objects.get(slug="spring-gathering")
    holding = upcoming.registrations.filter(status__in=Registration.HOLDING).count()
    assert holding == upcoming.capacity
    assert upcoming.registrations.filter(status="waitlisted").exists()
    assert Event.objects.get(slug="online-hearing-voices-evening").format == "online"
    # The events demo's three bursary applications (the impact demo's past Gatherings add their own).
    assert BursaryApplication.objects.filter(email__startswith="applicant").count() == 3
