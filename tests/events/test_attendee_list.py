"""The attendee list: people with a confirmed place who chose to be on it see each other's preferred names
and pronouns on the Gathering page; nobody else sees it, and it costs the same queries at any size."""

import pytest

from gathering.events.models import Registration
from gathering.events.services import RegistrationInput, registration_create

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = EventFactory(capacity=4)
    TicketTypeFactory(event=event)
    return event


def register(event, *, listed, **person):
    user = UserFactory(**person)
    data = RegistrationInput(
        ticket_type_id=event.ticket_types.get().pk,
        name=user.name,
        email=user.email,
        pronouns=user.pronouns,
        on_attendee_list=listed,
    )
    return user, registration_create(event=event, user=user, data=data).registration


def page(event, user):
    return signed_in(user).get(f"/gatherings/{event.slug}/").content.decode()


def test_confirmed_people_who_opted_in_see_each_other(event):
    viewer, _ = register(event, listed=True, name="Viewer Person", preferred_name="Vee")
    register(event, listed=True, name="Alexandra Jones", preferred_name="Sasha", pronouns="she/her")
    register(event, listed=True, name="Morgan Lee", preferred_name="", pronouns="")
    register(event, listed=False, name="Private Person", preferred_name="Priv")
    html = page(event, viewer)
    assert "Who else is coming" in html
    assert "Sasha (she/her)" in html and "Alexandra" not in html
    assert "Morgan Lee" in html
    assert "Priv" not in html
    assert "Vee" not in html.split("Who else is coming")[1]


def test_nobody_else_sees_the_list(event):
    register(event, listed=True, name="Alexandra Jones", preferred_name="Sasha")
    not_listed, _ = register(event, listed=False)
    for user in (not_listed, UserFactory()):
        html = page(event, user)
        assert "Who else is coming" not in html and "Sasha" not in html
    assert "Sasha" not in signed_in(UserFactory()).get(f"/gatherings/{event.slug}/").content.decode()
    for _n in range(3):
        register(event, listed=True)  # fills the event: the next one waits
    waiting, registration = register(event, listed=True)
    assert registration.status == "waitlisted"
    assert "Who else is coming" not in page(event, waiting)


def test_people_waiting_or_cancelled_are_not_shown(event):
    viewer, _ = register(event, listed=True)
    _, gone = register(event, listed=True, preferred_name="Gone Soon")
    Registration.objects.filter(pk=gone.pk).update(status="cancelled")
    html = page(event, viewer)
    assert "Who else is coming" in html and "Gone Soon" not in html


def test_the_list_costs_the_same_queries_at_any_size(django_assert_max_num_queries):
    event = EventFactory(capacity=None)
    TicketTypeFactory(event=event)
    viewer, _ = register(event, listed=True)
    register(event, listed=True)
    with django_assert_max_num_queries(80) as small:
        page(event, viewer)
    for _n in range(10):
        register(event, listed=True)
    with django_assert_max_num_queries(80) as large:
        html = page(event, viewer)
    assert html.count('<li class="attendee">') == 11
    assert len(large.captured_queries) == len(small.captured_queries)
