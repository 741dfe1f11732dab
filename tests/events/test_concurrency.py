"""Registration rushes on PostgreSQL with real threads: exactly the capacity confirmed, the rest queued in
order, no duplicates, no errors. SQLite serialises writers, so it cannot show overbooking: skipped there."""

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from gathering.accounts.services import api_token_create
from gathering.events.models import Registration
from gathering.events.services import RegistrationInput, registration_cancel, registration_create

from ..factories import EventFactory, TicketTypeFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

PEOPLE = 200
PLACES = 20
WORKERS = 40  # PostgreSQL allows 100 connections here; 40 at once is a real rush without exhausting it


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is shown on PostgreSQL (DATABASE_URL); SQLite serialises every write")


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return run


def _check_outcome(event):
    regs = list(Registration.objects.filter(event=event))
    assert len(regs) == PEOPLE
    assert len({r.email for r in regs}) == PEOPLE
    confirmed = [r for r in regs if r.status == "confirmed"]
    waiting = sorted((r for r in regs if r.status == "waitlisted"), key=lambda r: (r.waitlisted_at, r.pk))
    assert len(confirmed) == PLACES
    assert len(waiting) == PEOPLE - PLACES
    return waiting


def test_200_simultaneous_registrations_for_20_places():
    event = EventFactory(capacity=PLACES)
    ticket = TicketTypeFactory(event=event)
    people = [UserFactory(email=f"rush{n}@example.org") for n in range(PEOPLE)]
    barrier = threading.Barrier(WORKERS)

    @_in_thread
    def attempt(n):
        if n < WORKERS:
            barrier.wait()
        person = people[n]
        data = RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email)
        return registration_create(event=event, user=person, data=data)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(attempt, range(PEOPLE)))

    assert all(r.created for r in results)
    waiting = _check_outcome(event)
    from gathering.events.selectors import waitlist_position

    assert [waitlist_position(r) for r in waiting] == list(range(1, PEOPLE - PLACES + 1))
    reported = sorted(r.waitlist_position for r in results if r.waitlist_position is not None)
    assert reported == list(range(1, PEOPLE - PLACES + 1))


def test_the_same_rush_through_the_http_api(live_server):
    event = EventFactory(capacity=PLACES)
    ticket = TicketTypeFactory(event=event)
    keys = [
        api_token_create(user=UserFactory(email=f"api{n}@example.org"), name="rush")[1] for n in range(PEOPLE)
    ]
    barrier = threading.Barrier(WORKERS)
    url = f"{live_server.url}/api/v1/events/{event.slug}/registrations/"

    @_in_thread
    def attempt(n):
        if n < WORKERS:
            barrier.wait()
        request = urllib.request.Request(  # noqa: S310 - our own live server
            url,
            data=json.dumps({"ticket_type": ticket.pk}).encode(),
            headers={"Authorization": f"Token {keys[n]}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own live server
            return response.status, json.loads(response.read())

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        answers = list(pool.map(attempt, range(PEOPLE)))

    assert {status for status, _body in answers} == {201}
    statuses = [body["status"] for _status, body in answers]
    assert statuses.count("confirmed") == PLACES
    assert statuses.count("waitlisted") == PEOPLE - PLACES
    positions = sorted(body["waitlist_position"] for _s, body in answers if body["status"] == "waitlisted")
    assert positions == list(range(1, PEOPLE - PLACES + 1))
    _check_outcome(event)


def test_cancellations_racing_registrations_never_leave_a_free_place_while_someone_waits():
    event = EventFactory(capacity=PLACES)
    ticket = TicketTypeFactory(event=event)
    holders = []
    for n in range(PLACES):
        person = UserFactory(email=f"holder{n}@example.org")
        data = RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email)
        holders.append(registration_create(event=event, user=person, data=data).registration)
    newcomers = [UserFactory(email=f"new{n}@example.org") for n in range(60)]
    barrier = threading.Barrier(WORKERS)

    @_in_thread
    def act(n):
        if n < WORKERS:
            barrier.wait()
        if n % 4 == 0 and n // 4 < len(holders):
            holder = holders[n // 4]
            return registration_cancel(registration=holder, user=holder.user)
        person = newcomers[n - n // 4 - 1]  # the 60 actions that are not cancellations, one person each
        data = RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email)
        return registration_create(event=event, user=person, data=data).registration

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(act, range(80)))

    holding = Registration.objects.filter(event=event, status__in=Registration.HOLDING).count()
    waiting = Registration.objects.filter(event=event, status="waitlisted").count()
    assert holding == PLACES
    assert waiting == 60 - PLACES  # 60 newcomers: 20 took the freed places, 40 wait
    assert Registration.objects.filter(event=event, status="cancelled").count() == 20


def test_freed_places_go_first_to_bursary_awards_waiting_for_one_while_others_rush():
    from gathering.events.bursaries import WHEN_FREES, bursary_decide
    from gathering.events.models import BursaryApplication, BursaryFund

    from ..factories import make_staff

    organiser = make_staff("organiser")
    event = EventFactory(capacity=PLACES, organisers=[organiser])
    ticket = TicketTypeFactory(event=event)
    TicketTypeFactory(event=event, name="Supported place", kind="supported", invitation_code="")
    BursaryFund.objects.create(event=event, total_minor=100_000)

    def register(email):
        person = UserFactory(email=email)
        data = RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email)
        return registration_create(event=event, user=person, data=data).registration

    holders = [register(f"holder{n}@example.org") for n in range(PLACES)]
    queue = [register(f"queue{n}@example.org") for n in range(20)]
    awardees = []
    for n in range(5):
        person = UserFactory(email=f"award{n}@example.org")
        application = BursaryApplication.objects.create(
            event=event, user=person, name=person.name, email=person.email, support=["ticket"]
        )
        bursary_decide(
            application=application,
            actor=organiser,
            decision="awarded_full",
            amount_awarded_minor=1000,
            place=WHEN_FREES,
        )
        awardees.append(person.email)
    newcomers = [UserFactory(email=f"late{n}@example.org") for n in range(30)]
    barrier = threading.Barrier(WORKERS)

    @_in_thread
    def act(n):
        if n < WORKERS:
            barrier.wait()
        if n % 4 == 0:  # 10 cancellations among 40 actions
            holder = holders[n // 4]
            return registration_cancel(registration=holder, user=holder.user)
        person = newcomers[n - n // 4 - 1]
        data = RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email)
        return registration_create(event=event, user=person, data=data).registration

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(act, range(40)))

    offered = set(Registration.objects.filter(event=event, status="offered").values_list("email", flat=True))
    # Ten places freed: five to the awards first, the other five to the longest waiting, none to late comers.
    assert offered == set(awardees) | {r.email for r in queue[:5]}
    assert Registration.objects.filter(event=event, status__in=Registration.HOLDING).count() == PLACES
    assert not Registration.objects.filter(event=event, email__startswith="late").exclude(status="waitlisted")
