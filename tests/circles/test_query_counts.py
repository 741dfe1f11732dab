"""Every circles list page does the same number of SQL queries with 1x and 10x the data."""

import pytest
from django.utils import timezone

from gathering.circles.models import CircleMembership, Feedback

from ..conftest import signed_in
from ..factories import EventFactory, UserFactory, make_staff
from .registry import published_circle

pytestmark = pytest.mark.django_db


def grow(*, event, organiser, facilitator, person, n):
    for _ in range(n):
        series, circle, _membership, _meeting = published_circle(
            event=event, organiser=organiser, facilitator=facilitator, access_needs="Quiet seat"
        )
        CircleMembership.objects.create(
            series=series,
            user=person,
            circle=circle,
            agreement=series.agreements.get(),
            agreed_at=timezone.now(),
        )
        extra = CircleMembership.objects.create(
            series=first_series(event),
            user=UserFactory(),
            circle=first_series(event).circles.get(),
            agreement=first_series(event).agreements.get(),
            agreed_at=timezone.now(),
            listed=True,
            access_needs="Large print",
            share_access_needs=True,
        )
        assert extra.pk
        for _k in range(5):
            Feedback.objects.create(
                meeting=first_series(event).circles.get().meetings.get(),
                felt_safe=4,
                felt_heard=4,
                come_again=4,
            )


def first_series(event):
    return event.circle_series.order_by("pk").first()


PAGES = [
    ("participant", "/circles/"),
    ("participant", "/my/circles/"),
    ("participant", "/my/circles/{membership}/"),
    ("participant", "/circles/{series}/"),
    ("organiser", "/staff/circles/"),
    ("organiser", "/staff/circles/{series}/"),
    ("organiser", "/staff/circles/{series}/circles/"),
    ("organiser", "/staff/circles/{series}/form/"),
    ("organiser", "/staff/circles/{series}/feedback/"),
    ("organiser", "/staff/circles/{series}/agreement/"),
    ("facilitator", "/staff/circles/facilitating/"),
    ("facilitator", "/staff/circles/facilitating/{circle}/"),
]


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_list_pages_do_constant_queries(django_assert_max_num_queries, who, url):
    organiser = make_staff("organiser")
    facilitator = make_staff("facilitator")
    person = UserFactory()
    event = EventFactory(organisers=[organiser])
    series, circle, membership, _meeting = published_circle(
        event=event, organiser=organiser, facilitator=facilitator, member=person, named="someone@example.org"
    )
    viewer = {"participant": person, "organiser": organiser, "facilitator": facilitator}[who]
    client = signed_in(viewer)
    target = url.format(series=series.slug, membership=membership.pk, circle=circle.pk)
    grow(event=event, organiser=organiser, facilitator=facilitator, person=person, n=1)
    with django_assert_max_num_queries(60) as small:
        assert client.get(target).status_code == 200
    grow(event=event, organiser=organiser, facilitator=facilitator, person=person, n=10)
    with django_assert_max_num_queries(60) as large:
        assert client.get(target).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
