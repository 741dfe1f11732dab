"""A Gathering's page in the page cache: kept for people who are not signed in until anything it shows
changes, places left included; never kept for, or shown to, signed-in people."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gathering.events.models import EventResource, Registration
from gathering.events.services import RegistrationInput, registration_cancel, registration_create

from ..conftest import signed_in
from ..factories import (
    EventFactory,
    TicketTypeFactory,
    UserFactory,
    VenueFactory,
    event_edit_form,
    make_staff,
)

pytestmark = pytest.mark.django_db


def _register(event, person=None):
    person = person or UserFactory()
    ticket = event.ticket_types.first()
    return registration_create(
        event=event,
        user=person,
        data=RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email),
    ).registration


def test_a_second_anonymous_visit_reads_no_database(django_assert_num_queries):
    event = EventFactory()
    TicketTypeFactory(event=event)
    client = Client()

    # The Gathering with its venue and programme, tickets, resources, places taken, bursaries.
    with django_assert_num_queries(5):
        first = client.get(f"/gatherings/{event.slug}/")
    with django_assert_num_queries(0):
        second = client.get(f"/gatherings/{event.slug}/")

    assert second.status_code == 200
    assert second.content == first.content


def test_an_organisers_edit_on_the_edit_page_shows_on_the_next_visit():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], title="Spring Gathering", summary="A day together.")
    TicketTypeFactory(event=event)
    client = Client()
    assert "A day together." in client.get(f"/gatherings/{event.slug}/").content.decode()

    response = signed_in(organiser).post(
        f"/staff/gatherings/{event.slug}/edit/", event_edit_form(event, summary="A day of listening.")
    )
    assert response.status_code == 302

    body = client.get(f"/gatherings/{event.slug}/").content.decode()
    assert "A day of listening." in body
    assert "A day together." not in body


def test_places_left_are_never_out_of_date():
    event = EventFactory(capacity=2)
    TicketTypeFactory(event=event)
    client = Client()
    assert "2 places left" in client.get(f"/gatherings/{event.slug}/").content.decode()

    first = _register(event)
    assert "1 place left" in client.get(f"/gatherings/{event.slug}/").content.decode()
    _register(event)
    full = client.get(f"/gatherings/{event.slug}/").content.decode()
    assert "Full: you can join the waiting list" in full
    assert "Join the waiting list" in full

    registration_cancel(registration=first, user=first.user)
    assert "1 place left" in client.get(f"/gatherings/{event.slug}/").content.decode()


def test_offers_that_expire_free_their_places_on_the_page():
    from gathering.events.services import waitlist_expire_offers

    event = EventFactory(capacity=1)
    ticket = TicketTypeFactory(event=event)
    Registration.objects.create(
        event=event,
        ticket_type=ticket,
        name="Ann",
        email="ann@example.org",
        status=Registration.Status.OFFERED,
        offer_expires_at=timezone.now() - timedelta(minutes=1),
    )
    client = Client()
    assert "Full: you can join the waiting list" in client.get(f"/gatherings/{event.slug}/").content.decode()

    assert waitlist_expire_offers() == 1

    assert "1 place left" in client.get(f"/gatherings/{event.slug}/").content.decode()


def test_tickets_venue_and_resources_changes_show_at_once():
    venue = VenueFactory(step_free_route="Ramp at the side door.")
    event = EventFactory(venue=venue)
    ticket = TicketTypeFactory(event=event, name="Standard")
    client = Client()
    client.get(f"/gatherings/{event.slug}/")

    ticket.name = "Community ticket"
    ticket.save()
    venue.step_free_route = "Level entrance at the front."
    venue.save()
    EventResource.objects.create(event=event, title="Slides from the day", url="https://example.org/s")

    body = client.get(f"/gatherings/{event.slug}/").content.decode()
    assert "Community ticket" in body
    assert "Level entrance at the front." in body
    assert "Slides from the day" in body


def test_a_new_web_address_leaves_nothing_at_the_old_one():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], slug="spring")
    TicketTypeFactory(event=event)
    client = Client()
    assert client.get("/gatherings/spring/").status_code == 200

    signed_in(organiser).post("/staff/gatherings/spring/edit/", event_edit_form(event, slug="spring-2027"))

    assert client.get("/gatherings/spring/").status_code == 404
    assert client.get("/gatherings/spring-2027/").status_code == 200


def test_signed_in_people_see_their_own_registration_not_the_kept_page():
    event = EventFactory()
    TicketTypeFactory(event=event)
    person = UserFactory()
    _register(event, person)
    anonymous = Client().get(f"/gatherings/{event.slug}/").content.decode()
    assert "Your registration" not in anonymous

    mine = signed_in(person).get(f"/gatherings/{event.slug}/")

    assert "Your registration" in mine.content.decode()
    assert mine["Cache-Control"] == "no-store, private"
    assert "Your registration" not in Client().get(f"/gatherings/{event.slug}/").content.decode()


def test_the_kept_page_has_no_csrf_token():
    event = EventFactory()
    TicketTypeFactory(event=event)
    client = Client()
    client.get(f"/gatherings/{event.slug}/")

    kept = client.get(f"/gatherings/{event.slug}/")

    assert "csrfmiddlewaretoken" not in kept.content.decode()
    assert "csrftoken" not in kept.cookies


def test_a_draft_is_never_kept_for_anyone(django_assert_num_queries):
    organiser = make_staff("organiser")
    draft = EventFactory(status="draft", organisers=[organiser])
    assert Client().get(f"/gatherings/{draft.slug}/").status_code == 404

    preview = signed_in(organiser).get(f"/gatherings/{draft.slug}/")
    assert preview.status_code == 200
    assert Client().get(f"/gatherings/{draft.slug}/").status_code == 404


def test_the_page_is_kept_only_until_registration_opens():
    from gathering.core import pagecache
    from gathering.events.pagecache import event_page_changes_at

    opens = timezone.now() + timedelta(minutes=2)
    event = EventFactory(registration_opens_at=opens)
    state = pagecache.PageState(tokens=())

    class Request:
        pagecache = state

    pagecache.changes_at(Request, *event_page_changes_at(event))

    assert state.until == opens
    assert 110 <= state.timeout() <= 120


def test_the_apis_list_of_gatherings_is_kept_until_one_changes(django_assert_num_queries):
    event = EventFactory(title="Spring Gathering")
    ticket = TicketTypeFactory(event=event, name="Standard")
    client = Client()
    first = client.get("/api/v1/events/").json()
    assert [e["title"] for e in first["results"]] == ["Spring Gathering"]

    with django_assert_num_queries(0):
        assert client.get("/api/v1/events/").json() == first
    # Another page size is another answer, with its own count and links.
    assert client.get("/api/v1/events/?per_page=1").json()["results"][0]["title"] == "Spring Gathering"

    ticket.name = "Community ticket"
    ticket.save()
    event.title = "Summer Gathering"
    event.save()

    again = client.get("/api/v1/events/").json()["results"][0]
    assert again["title"] == "Summer Gathering"
    assert [t["name"] for t in again["ticket_types"]] == ["Community ticket"]
    assert client.get("/api/v1/events/?page=2").status_code == 404
