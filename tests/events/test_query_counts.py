"""Every Gatherings page does the same number of SQL queries with 1x and 10x the data."""

import pytest
from django.utils import timezone

from gathering.events.models import BursaryApplication, BursaryFund, FeedbackResponse, Question, Registration

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db

ORGANISER_PAGES = ["", "bursaries/", "feedback/", "setup/", "check-in/", "message/", "edit/"]
PUBLIC_PAGES = [
    "/gatherings/",
    "/gatherings/past/",
    "/gatherings/{slug}/",
    "/my/gatherings/",
    "/gatherings/{other}/register/",
    "/gatherings/{slug}/bursary/",
    "/privacy/my-data/",
]


def grow(event, person, n):
    ticket = event.ticket_types.first()
    for i in range(n):
        k = Registration.objects.count()
        Registration.objects.create(
            event=event,
            ticket_type=ticket,
            name=f"P{k}",
            email=f"p{k}@example.org",
            status="confirmed",
            access_needs=["bsl"],
            perspectives=["services"],
        )
        BursaryApplication.objects.create(
            event=event, name=f"A{k}", email=f"a{k}@example.org", support=["travel"]
        )
        for _ in range(5):  # the feedback report shows figures from five responses
            FeedbackResponse.objects.create(event=event, outcome_ratings={"0": 4}, felt_safe=5, comment="ok")
        Question.objects.create(event=event, text=f"Q{k}", kind="yes_no")
        other = EventFactory(starts_at=timezone.now() - timezone.timedelta(days=400 + k))
        TicketTypeFactory(event=other)
        if i % 2 == 0:
            Registration.objects.create(
                event=other,
                ticket_type=other.ticket_types.first(),
                user=person,
                name="Me",
                email=person.email,
                status="confirmed",
            )


@pytest.mark.parametrize("suffix", ORGANISER_PAGES)
def test_organiser_pages(django_assert_max_num_queries, suffix):
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], learning_outcomes="Listen")
    TicketTypeFactory(event=event)
    BursaryFund.objects.create(event=event, total_minor=1000)
    client = signed_in(organiser)
    url = f"/staff/gatherings/{event.slug}/{suffix}"
    grow(event, organiser, 1)
    with django_assert_max_num_queries(80) as small:
        assert client.get(url).status_code == 200
    grow(event, organiser, 10)
    with django_assert_max_num_queries(80) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages(django_assert_max_num_queries, url):
    person = UserFactory()
    event = EventFactory()
    TicketTypeFactory(event=event)
    BursaryFund.objects.create(event=event, total_minor=1000)
    other = EventFactory()
    TicketTypeFactory(event=other)
    client = signed_in(person)
    target = url.format(slug=event.slug, other=other.slug)
    grow(event, person, 1)
    with django_assert_max_num_queries(80) as small:
        assert client.get(target).status_code == 200
    grow(event, person, 10)
    with django_assert_max_num_queries(80) as large:
        assert client.get(target).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
