"""My Gatherings in the page cache: a person's list is kept for them alone and shows every change at the
next visit, whoever made it (the person, an organiser, someone else's cancellation, a periodic job); the
rest of the page, and the CSRF token of its forms, is theirs at every request."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from gathering.accounts.services import account_delete
from gathering.core import pagecache
from gathering.events.bursaries import bursary_decide
from gathering.events.feedback import feedback_submit
from gathering.events.models import BursaryApplication, BursaryFund, Registration
from gathering.events.services import (
    RegistrationInput,
    calendar_feed_renew,
    registration_cancel,
    registration_create,
    waitlist_expire_offers,
)

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory, event_edit_form, make_staff

pytestmark = pytest.mark.django_db

MY = "/my/gatherings/"


def _register(event, person):
    ticket = event.ticket_types.first()
    data = RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email)
    return registration_create(event=event, user=person, data=data).registration


def _gathering(**fields):
    event = EventFactory(**fields)
    TicketTypeFactory(event=event)
    return event


def _kept_entry(person):
    return cache.get(f"pagecache:personal:my-gatherings:{pagecache.person(person.pk)}")


def test_a_second_visit_reads_only_the_session_and_the_person(django_assert_num_queries):
    person = UserFactory()
    for _ in range(3):
        _register(_gathering(), person)
    client = signed_in(person)

    # Session, person, roles; then the Gatherings listed (for the cache), registrations, bursary
    # applications, calendar feed.
    with django_assert_num_queries(7):
        first = client.get(MY)
    with django_assert_num_queries(3):
        second = client.get(MY)

    assert second.status_code == 200
    body = second.content.decode()
    assert body.count('class="panel"') == 3
    assert first.content.decode().count('class="panel"') == 3


def test_a_second_visit_makes_one_round_trip_to_the_cache(monkeypatch):
    person = UserFactory()
    _register(_gathering(), person)
    client = signed_in(person)
    client.get(MY)
    reads = []

    class Counting:
        def __getattr__(self, name):
            if name in {"get", "get_many", "add", "set", "set_many"}:
                reads.append(name)
            return getattr(cache, name)

    monkeypatch.setattr(pagecache, "cache", Counting())
    client.get(MY)

    # The person's version, the versions of the Gatherings listed and the list itself, together.
    assert reads == ["get_many"]


def test_the_kept_list_holds_no_csrf_token_and_every_visit_gets_one_that_works():
    holder, waiting = UserFactory(), UserFactory()
    event = _gathering(capacity=1)
    mine = _register(event, holder)
    offered = _register(event, waiting)
    registration_cancel(registration=mine, user=holder)
    client = signed_in(waiting)
    client.get(MY)

    body = client.get(MY).content.decode()

    kept_html = _kept_entry(waiting)[4]
    assert "csrfmiddlewaretoken" not in kept_html
    assert kept_html.count(pagecache.CSRF_HOLE) == 2  # accept the offer, and the calendar address
    assert "<!--csrf-->" not in body
    assert body.count('name="csrfmiddlewaretoken"') == 2
    checked = Client(enforce_csrf_checks=True)
    checked.cookies = client.cookies
    page = checked.get(MY).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = checked.post(
        f"/my/gatherings/{offered.pk}/offer/", {"answer": "accept", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.status == Registration.Status.CONFIRMED


def test_a_place_freed_by_someone_elses_cancellation_shows_at_the_next_visit():
    holder, waiting = UserFactory(), UserFactory()
    event = _gathering(capacity=1, title="Autumn Gathering")
    held = _register(event, holder)
    _register(event, waiting)
    client = signed_in(waiting)
    assert "number 1 on the waiting list" in client.get(MY).content.decode()
    assert "number 1 on the waiting list" in client.get(MY).content.decode()

    registration_cancel(registration=held, user=holder)

    body = client.get(MY).content.decode()
    assert "A place has come up for you" in body
    assert "Accept the place" in body
    assert "on the waiting list" not in body


def test_a_number_in_the_waiting_list_moves_up_when_someone_ahead_leaves_it():
    holder, first, second = UserFactory(), UserFactory(), UserFactory()
    event = _gathering(capacity=1)
    _register(event, holder)
    ahead = _register(event, first)
    _register(event, second)
    client = signed_in(second)
    assert "number 2 on the waiting list" in client.get(MY).content.decode()

    registration_cancel(registration=ahead, user=first)

    assert "number 1 on the waiting list" in client.get(MY).content.decode()


def test_an_organisers_edit_of_the_gathering_shows_at_the_next_visit():
    organiser = make_staff("organiser")
    event = _gathering(organisers=[organiser], title="Spring Gathering")
    person = UserFactory()
    _register(event, person)
    client = signed_in(person)
    assert "Spring Gathering" in client.get(MY).content.decode()
    new_start = timezone.localtime(event.starts_at + timedelta(days=7)).replace(hour=9, minute=30)

    response = signed_in(organiser).post(
        f"/staff/gatherings/{event.slug}/edit/",
        event_edit_form(
            event,
            title="Summer Gathering",
            starts_at=new_start.strftime("%Y-%m-%dT%H:%M"),
            ends_at=(new_start + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 302

    body = client.get(MY).content.decode()
    assert "Summer Gathering" in body
    assert "Spring Gathering" not in body
    assert new_start.strftime("%A %-d %B %Y, 09:30") in body


def test_a_new_ticket_name_shows_at_the_next_visit():
    event = _gathering()
    person = UserFactory()
    _register(event, person)
    client = signed_in(person)
    assert "Ticket: Standard" in client.get(MY).content.decode()

    ticket = event.ticket_types.get()
    ticket.name = "Community"
    ticket.save()

    assert "Ticket: Community" in client.get(MY).content.decode()


@pytest.fixture
def bursaries():
    organiser = make_staff("organiser")
    event = _gathering(organisers=[organiser], title="Autumn Gathering")
    TicketTypeFactory(event=event, name="Supported place", kind="supported", invitation_code="")
    BursaryFund.objects.create(event=event, total_minor=10_000, open=True)
    return event, organiser


def _apply(client, event):
    response = client.post(
        f"/gatherings/{event.slug}/bursary/",
        {"support": ["ticket", "travel"], "amount": "40", "circumstances": "Travel is hard for me."},
    )
    assert response.status_code == 302
    return BursaryApplication.objects.get(event=event)


@pytest.mark.parametrize(
    ("decision", "amount", "shown"),
    [("declined", 0, "Not awarded"), ("awarded_full", 4000, "Awarded in full (£40)")],
)
def test_an_organisers_bursary_decision_shows_at_the_next_visit(bursaries, decision, amount, shown):
    event, organiser = bursaries
    client = signed_in(UserFactory())
    application = _apply(client, event)
    assert "Waiting for a decision" in client.get(MY).content.decode()

    bursary_decide(application=application, actor=organiser, decision=decision, amount_awarded_minor=amount)

    body = client.get(MY).content.decode()
    assert shown in body
    assert "Waiting for a decision" not in body


def test_an_award_brings_its_place_to_the_next_visit(bursaries):
    event, organiser = bursaries
    client = signed_in(UserFactory())
    application = _apply(client, event)
    assert "Ticket: Supported place" not in client.get(MY).content.decode()

    bursary_decide(application=application, actor=organiser, decision="awarded_full", amount_awarded_minor=10)

    assert "Ticket: Supported place" in client.get(MY).content.decode()


def test_withdrawing_a_registration_or_an_application_shows_at_the_next_visit(bursaries):
    event, _organiser = bursaries
    other = _gathering(title="Winter Gathering")
    person = UserFactory()
    client = signed_in(person)
    application = _apply(client, event)
    leaving = _register(other, person)
    body = client.get(MY).content.decode()
    assert "Winter Gathering" in body
    assert "Bursary applications" in body

    registration_cancel(registration=leaving, user=person)
    assert "Winter Gathering" not in client.get(MY).content.decode()

    application.status = BursaryApplication.Status.WITHDRAWN
    application.save()
    assert "Bursary applications" not in client.get(MY).content.decode()


def test_an_offer_ended_by_the_periodic_job_shows_at_the_next_visit():
    holder, waiting = UserFactory(), UserFactory()
    event = _gathering(capacity=1, title="Autumn Gathering")
    held = _register(event, holder)
    offered = _register(event, waiting)
    registration_cancel(registration=held, user=holder)
    client = signed_in(waiting)
    assert "A place has come up for you" in client.get(MY).content.decode()

    # The job writes with QuerySet.update(), which sends no signals.
    assert waitlist_expire_offers(now=timezone.now() + timedelta(hours=49)) == 1

    offered.refresh_from_db()
    assert offered.status == Registration.Status.EXPIRED
    body = client.get(MY).content.decode()
    assert "A place has come up for you" not in body
    assert "Autumn Gathering" not in body


def test_a_new_calendar_address_shows_at_the_next_visit():
    person = UserFactory()
    client = signed_in(person)
    assert "Get a calendar address" in client.get(MY).content.decode()

    calendar_feed_renew(user=person)
    first = person.calendar_feed.token
    assert first in client.get(MY).content.decode()

    calendar_feed_renew(user=person)
    person.calendar_feed.refresh_from_db()
    body = client.get(MY).content.decode()
    assert person.calendar_feed.token in body
    assert first not in body


def test_feedback_given_shows_at_the_next_visit():
    person = UserFactory()
    event = _gathering(starts_at=timezone.now() - timedelta(days=2))
    registration = Registration.objects.create(
        event=event,
        ticket_type=event.ticket_types.get(),
        user=person,
        name=person.name,
        email=person.email,
        status=Registration.Status.CONFIRMED,
    )
    client = signed_in(person)
    assert "Give feedback" in client.get(MY).content.decode()

    feedback_submit(registration=registration, outcome_ratings={}, felt_safe=5, answers={}, comment="")

    body = client.get(MY).content.decode()
    assert "Thank you, we have your feedback." in body
    assert "Give feedback" not in body


def test_a_gathering_that_ends_changes_the_list_by_itself():
    person = UserFactory()
    event = _gathering(starts_at=timezone.now() - timedelta(hours=2))
    event.ends_at = timezone.now() + timedelta(seconds=1.5)
    event.save()
    _register(event, person)
    client = signed_in(person)
    assert "Cancel this registration" in client.get(MY).content.decode()

    time.sleep(2.1)

    body = client.get(MY).content.decode()
    assert "Cancel this registration" not in body
    assert "Give feedback" in body


def test_one_persons_list_is_never_shown_to_another():
    mine, theirs = _gathering(title="Autumn Gathering"), _gathering(title="Winter Gathering")
    me, them = UserFactory(), UserFactory()
    my_place = _register(mine, me)
    their_place = _register(theirs, them)
    calendar_feed_renew(user=me)
    calendar_feed_renew(user=them)
    me_client, them_client = signed_in(me), signed_in(them)

    for _ in range(2):
        my_body = me_client.get(MY).content.decode()
        their_body = them_client.get(MY).content.decode()

        assert "Autumn Gathering" in my_body
        assert my_place.reference in my_body
        assert me.calendar_feed.token in my_body
        for leaked in (
            "Autumn Gathering",
            my_place.reference,
            me.calendar_feed.token,
            f"/{my_place.pk}/cancel/",
        ):
            assert leaked not in their_body
        for leaked in ("Winter Gathering", their_place.reference, them.calendar_feed.token):
            assert leaked not in my_body
    assert _kept_entry(me)[4] != _kept_entry(them)[4]


def test_erasing_the_account_clears_the_kept_list():
    person = UserFactory()
    _register(_gathering(), person)
    client = signed_in(person)
    client.get(MY)
    assert _kept_entry(person) is not None

    account_delete(user=person)

    assert _kept_entry(person) is None
    assert cache.get(f"pagecache:version:{pagecache.person(person.pk)}") is None


def test_nothing_is_kept_when_page_caching_is_off(settings, django_assert_num_queries):
    settings.GATHERING_PAGE_CACHE_SECONDS = 0
    person = UserFactory()
    _register(_gathering(), person)
    client = signed_in(person)
    client.get(MY)

    # Session, person, roles, registrations, bursary applications, calendar feed.
    with django_assert_num_queries(6):
        body = client.get(MY).content.decode()
    assert _kept_entry(person) is None
    assert 'name="csrfmiddlewaretoken"' in body
