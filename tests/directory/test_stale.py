"""Listings nobody has checked for more than twelve months: flagged on the public page and in members' and
organisers' lists, reminded to the organisation's members by a weekly job (each listing at most once in 30
days), and checked again when a member says "Still correct"."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gathering.core.jobs import registry
from gathering.core.models import OutboxMessage
from gathering.directory import models as m
from gathering.directory import search
from gathering.directory.jobs import check_reminders_job
from gathering.directory.moderation_selectors import stale_listings
from gathering.directory.querysets import is_stale, stale_cutoff
from gathering.privacy.models import AuditEntry

from ..conftest import signed_in
from ..factories import UserFactory, make_staff
from . import builders
from .partner_data import member_of

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 15, 10, 0, tzinfo=UTC)
YEAR_AGO = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)


# -------------------------------------------------------- the boundary


@pytest.mark.parametrize(
    ("verified_at", "stale"),
    [
        (None, True),
        (YEAR_AGO, False),  # exactly twelve months: not yet
        (YEAR_AGO - timedelta(microseconds=1), True),
        (YEAR_AGO + timedelta(days=1), False),
        (NOW, False),
    ],
)
def test_a_listing_is_stale_after_exactly_twelve_months(verified_at, stale):
    assert is_stale(verified_at, now=NOW) is stale
    service = builders.service(verified_at=verified_at)
    assert m.Service.objects.stale(NOW).filter(pk=service.pk).exists() is stale


def test_twelve_months_before_the_29th_of_february_is_the_28th():
    assert stale_cutoff(datetime(2028, 2, 29, 9, 0, tzinfo=UTC)) == datetime(2027, 2, 28, 9, 0, tzinfo=UTC)


# -------------------------------------------------------- the public page


@pytest.fixture
def at_now(monkeypatch):
    monkeypatch.setattr(search, "now", lambda: NOW)


@pytest.mark.parametrize(
    ("verified_at", "words"),
    [
        (
            YEAR_AGO - timedelta(days=1),
            "Last checked more than a year ago (by our network, on 14 March 2026). "
            "Check with them before you go.",
        ),
        (YEAR_AGO, "Last checked by our network on 15 March 2026."),
        (None, "Not yet checked by our network. Check with them before you go."),
    ],
)
def test_the_service_page_says_when_a_listing_is_more_than_a_year_old(at_now, verified_at, words):
    service = builders.service(verified_at=verified_at)
    html = Client().get(f"/find-support/services/{service.pk}/").content.decode()
    start = html.index('<p class="checked">')
    checked = unescape(re.sub(r"<[^>]+>", "", html[start : html.index("</p>", start)]))
    assert " ".join(checked.split()) == words
    assert ("Last checked more than a year ago" in html) is (words.startswith("Last checked more"))


# -------------------------------------------------------- the organisers' list


def test_the_organisers_list_shows_listed_stale_services_never_checked_first():
    now = timezone.now()
    organiser = make_staff("organiser")
    partners = builders.organization("Riverside Recovery Trust")
    member_of(partners)
    builders.service("Old listing", org=partners, verified_at=now - timedelta(days=400))
    builders.service("Never checked", verified_at=None)
    builders.service("Fresh listing", verified_at=now - timedelta(days=2))
    builders.service("Closed for good", verified_at=None, status="defunct")
    assert [s.name for s in stale_listings(now=now)] == ["Never checked", "Old listing"]
    client = signed_in(organiser)
    page = client.get("/staff/directory/needs-checking/").content.decode()
    assert page.index("Never checked") < page.index("Old listing")
    assert "Fresh listing" not in page and "Closed for good" not in page
    assert page.count("nobody acts for it yet") == 1
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/directory/needs-checking/")
    for n in range(10):
        builders.service(f"Also old {n}", verified_at=None)
    with CaptureQueriesContext(connection) as many:
        client.get("/staff/directory/needs-checking/")
    assert len(many) == len(few)


# -------------------------------------------------------- reminders


@pytest.fixture
def partner():
    """An organisation with two members, two stale listings, a fresh one and an inactive stale one."""
    organization = builders.organization("Riverside Recovery Trust")
    first = member_of(organization, UserFactory(email="robin@example.org", name="Robin Ashby"))
    second = member_of(organization, UserFactory(email="kit@example.org"))
    old = builders.service(
        "Riverside Crisis Café", org=organization, verified_at=YEAR_AGO - timedelta(days=10)
    )
    never = builders.service("Riverside Hearing Voices", org=organization, verified_at=None)
    builders.service("Riverside Open Dialogue", org=organization, verified_at=NOW - timedelta(days=10))
    builders.service("Riverside Old Project", org=organization, verified_at=None, status="inactive")
    return organization, (first, second), (old, never)


def reminders() -> list[tuple[list[str], str]]:
    return sorted(
        (message.to, message.body_text)
        for message in OutboxMessage.objects.filter(kind="directory_check_reminder")
    )


def test_the_job_is_registered_weekly():
    job = registry.get("directory.check_reminders")
    assert job.every == timedelta(days=7)


def test_each_member_is_reminded_of_the_stale_listings_once_in_30_days(partner):
    organization, _members, (old, never) = partner
    builders.service("Nobody's listing", verified_at=None)  # an organisation without members: skipped
    check_reminders_job(now=NOW)
    sent = reminders()
    assert [to for to, _body in sent] == [["kit@example.org"], ["robin@example.org"]]
    body = sent[1][1]
    assert "Hello Robin Ashby," in body
    assert "- Riverside Crisis Café: last checked on 5 March 2026" in body
    assert "- Riverside Hearing Voices: never checked" in body
    assert "Riverside Open Dialogue" not in body and "Riverside Old Project" not in body
    assert f"/my/organisations/{organization.pk}/" in body
    assert set(m.CheckReminder.objects.values_list("service_id", "sent_at")) == {
        (old.pk, NOW),
        (never.pk, NOW),
    }

    check_reminders_job(now=NOW + timedelta(days=7))
    check_reminders_job(now=NOW + timedelta(days=29, hours=23))
    assert len(reminders()) == 2
    check_reminders_job(now=NOW + timedelta(days=30))
    assert len(reminders()) == 4
    assert m.CheckReminder.objects.get(service=old).sent_at == NOW + timedelta(days=30)


def test_a_listing_confirmed_in_between_is_left_out_of_the_next_reminder(partner):
    organization, (first, _second), (_old, never) = partner
    client = signed_in(first.user)
    response = client.post(f"/my/organisations/{organization.pk}/services/{never.pk}/still-correct/")
    assert response.status_code == 302
    never.refresh_from_db()
    assert not is_stale(never.verified_at, now=never.verified_at)
    entry = AuditEntry.objects.get(detail="confirmed still correct")
    assert (entry.actor, entry.subject_id) == (first.user, str(never.pk))
    check_reminders_job(now=never.verified_at + timedelta(days=1))
    bodies = [body for _to, body in reminders()]
    assert all("Riverside Crisis Café" in body and "Riverside Hearing Voices" not in body for body in bodies)


def test_members_added_later_are_reminded_of_what_waited(partner):
    _organization, _members, _services = partner
    lonely = builders.organization("Solace Peer Respite")
    waiting = builders.service("Solace House", org=lonely, verified_at=None)
    check_reminders_job(now=NOW)
    assert not m.CheckReminder.objects.filter(service=waiting).exists()
    member_of(lonely, UserFactory(email="new@example.org"))
    check_reminders_job(now=NOW + timedelta(days=7))
    assert [to for to, _body in reminders()].count(["new@example.org"]) == 1
