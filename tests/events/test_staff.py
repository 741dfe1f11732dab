"""Organisers' pages: only the Gathering's own organisers (and administrators) get in; counts, filters,
payments and idempotent check-in; access needs shown at check-in only with the person's consent."""

import pytest

from gathering.events.models import Registration
from gathering.events.selectors import checkin_payload

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff
from .conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(staff_event):
    return staff_event


@pytest.mark.parametrize("suffix", ["", "check-in/"])
def test_only_this_events_organisers_and_admins_get_in(event, suffix):
    url = f"/staff/gatherings/{event.slug}/{suffix}"
    register(event, "Jamie Lee")
    assert signed_in(event.organisers.first()).get(url).status_code == 200
    assert signed_in(make_staff("admin")).get(url).status_code == 200
    for outsider in (make_staff("organiser"), make_staff("facilitator"), UserFactory()):
        response = signed_in(outsider).get(url)
        assert response.status_code == 403
        assert "Jamie Lee" not in response.content.decode()


def test_registrations_page_counts_and_filters(event, organiser):
    register(event, "Ann")
    register(event, "Bea", ticket="Solidarity", amount_minor=3000, payment="invoice")
    client = signed_in(organiser)
    html = client.get(f"/staff/gatherings/{event.slug}/").content.decode()
    assert "Ann" in html and "Bea" in html
    filtered = client.get(f"/staff/gatherings/{event.slug}/?status=pending_payment").content.decode()
    assert "Bea" in filtered and "Ann" not in filtered
    assert "fewer than 5" in html  # small perspective counts are suppressed


def test_mark_paid(event, organiser):
    registration = register(event, "Bea", ticket="Solidarity", amount_minor=3000, payment="invoice")
    url = f"/staff/gatherings/{event.slug}/registrations/{registration.pk}/paid/"
    assert signed_in(make_staff("organiser")).post(url).status_code == 403
    assert signed_in(organiser).post(url).status_code == 302
    registration.refresh_from_db()
    assert registration.status == "confirmed" and registration.paid_at is not None


def test_mark_paid_for_another_events_registration_is_not_found(event, organiser):
    other = EventFactory()
    TicketTypeFactory(event=other, name="Standard")
    foreign = register(other, "Cy")
    response = signed_in(organiser).post(f"/staff/gatherings/{event.slug}/registrations/{foreign.pk}/paid/")
    assert response.status_code == 404


def test_check_in_by_name_then_idempotent(event, organiser):
    registration = register(event, "Dana Smith")
    client = signed_in(organiser)
    url = f"/staff/gatherings/{event.slug}/check-in/"
    found = client.post(url, {"q": "dana"})
    assert "Dana Smith" in found.content.decode()
    client.post(url, {"registration": registration.pk})
    registration.refresh_from_db()
    first = registration.checked_in_at
    assert first is not None
    response = client.post(url, {"registration": registration.pk}, follow=True)
    assert "was already checked in" in response.content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at == first


def test_check_in_by_signed_ticket_code(event, organiser):
    registration = register(event, "Eli")
    response = signed_in(organiser).post(
        f"/staff/gatherings/{event.slug}/check-in/", {"q": checkin_payload(registration)}
    )
    assert "Eli" in response.content.decode()


def test_access_needs_shown_at_check_in_only_with_consent(event, organiser):
    register(event, "Fay", access_needs=["bsl"], special_category_consent=True, share_access_with_venue=True)
    register(event, "Gus", access_needs=["hearing_loop"], special_category_consent=True)
    client = signed_in(organiser)
    url = f"/staff/gatherings/{event.slug}/check-in/"
    assert "British Sign Language" in client.post(url, {"q": "Fay"}).content.decode()
    assert "hearing loop" not in client.post(url, {"q": "Gus"}).content.decode().lower()


def test_people_without_a_place_cannot_be_checked_in(event, organiser):
    event.capacity = 1
    event.save()
    register(event, "Holder")
    waiting = register(event, "Waiting")
    assert waiting.status == "waitlisted"
    client = signed_in(organiser)
    response = client.post(
        f"/staff/gatherings/{event.slug}/check-in/", {"registration": waiting.pk}, follow=True
    )
    assert "does not have a place" in response.content.decode()
    assert Registration.objects.get(pk=waiting.pk).checked_in_at is None


def test_registrations_page_query_count_is_constant(event, organiser, django_assert_max_num_queries):
    client = signed_in(organiser)
    register(event, "One")
    with django_assert_max_num_queries(60) as small:
        client.get(f"/staff/gatherings/{event.slug}/")
    for n in range(9):
        register(event, f"Person {n}", access_needs=["bsl"], special_category_consent=True)
    with django_assert_max_num_queries(60) as large:
        client.get(f"/staff/gatherings/{event.slug}/")
    assert len(large.captured_queries) == len(small.captured_queries)
