"""Where a circle member lives: chosen from the regions, stored as the region's value, shown to the organiser
in words, and (for answers typed before regions were a list) shown as typed."""

import pytest

from gathering.circles import services
from gathering.circles.models import CircleMembership
from gathering.circles.selectors import circle_explanations
from gathering.circles.services import CirclesError

from ..conftest import signed_in
from ..factories import CircleSeriesFactory, UserFactory, make_staff
from .helpers import join

pytestmark = pytest.mark.django_db


def join_through_the_form(series, person, **fields):
    return signed_in(person).post(f"/circles/{series.slug}/join/", {"version": "1", "agree": "on", **fields})


def test_joining_with_a_region_stores_its_value():
    series = CircleSeriesFactory()
    person = UserFactory()

    response = join_through_the_form(series, person, region="north_west")

    assert response.status_code == 302
    assert CircleMembership.objects.get(user=person).region == "north_west"


def test_joining_without_a_region_is_fine():
    series = CircleSeriesFactory()
    person = UserFactory()

    response = join_through_the_form(series, person, region="")

    assert response.status_code == 302
    assert CircleMembership.objects.get(user=person).region == ""


def test_a_region_not_on_the_list_is_refused_and_nothing_is_saved():
    series = CircleSeriesFactory()

    response = join_through_the_form(series, UserFactory(), region="Leeds")

    assert response.status_code == 200
    assert response.context["form"].errors["region"] == ["Choose a region from the list, or leave it empty"]
    assert "There is a problem" in response.content.decode()
    assert CircleMembership.objects.count() == 0


def test_the_service_refuses_a_region_not_on_the_list():
    series = CircleSeriesFactory()

    with pytest.raises(CirclesError) as refused:
        join(series, UserFactory(), region="Leeds")

    assert refused.value.message_dict == {"region": ["Choose a region from the list, or leave it empty"]}
    assert CircleMembership.objects.count() == 0


def test_the_form_offers_the_regions_with_prefer_not_to_say_first():
    series = CircleSeriesFactory()

    form = signed_in(UserFactory()).get(f"/circles/{series.slug}/join/").context["form"]

    choices = [(value, str(label)) for value, label in form.fields["region"].choices]
    assert choices[:3] == [
        ("", "Prefer not to say"),
        ("north_east", "North East"),
        ("north_west", "North West"),
    ]
    assert choices[-1] == ("outside_uk", "Outside the UK")
    assert len(choices) == 14


def test_the_organiser_sees_each_members_region_in_words_and_old_answers_as_typed():
    organiser = make_staff("organiser")
    series = CircleSeriesFactory(organisers=[organiser], facilitators=[make_staff("facilitator")])
    people = [UserFactory(name=f"Member {k}") for k in range(4)]
    join(series, people[0], region="yorkshire_humber")
    join(series, people[1], region="outside_uk")
    join(series, people[2])
    old = join(series, people[3])
    # An answer kept from when the question was free text.
    CircleMembership.objects.filter(pk=old.pk).update(region="Leeds")
    services.circles_form(series=series, actor=organiser, time_limit=1)

    page = signed_in(organiser).get(f"/staff/circles/{series.slug}/circles/").content.decode()

    assert "Member 0 – Yorkshire and The Humber</li>" in page
    assert "Member 1 – Outside the UK</li>" in page
    assert "Member 2</li>" in page
    assert "Member 3 – Leeds</li>" in page
    assert "yorkshire_humber" not in page and "outside_uk" not in page


def test_an_old_answer_naming_a_region_counts_as_that_region():
    organiser = make_staff("organiser")
    series = CircleSeriesFactory(organisers=[organiser], facilitators=[make_staff("facilitator")])
    join(series, UserFactory(), region="north_west")
    old = join(series, UserFactory())
    CircleMembership.objects.filter(pk=old.pk).update(region="  north WEST ")
    join(series, UserFactory(), region="wales")
    services.circles_form(series=series, actor=organiser, time_limit=1)

    [explanation], _unassigned = circle_explanations(series=series)

    assert explanation.regions == 2
