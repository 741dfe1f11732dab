"""The demo directory: 200 fictional services from 30 organisations, the same on every run, with safe
phone numbers and addresses, places near their postcode districts, and every kind of opening hours."""

import json
import re

import pytest
from django.db.models import Count

from gathering.core.demo import registry
from gathering.directory import access, approaches, geo
from gathering.directory import models as m
from gathering.directory.demo import seed_directory
from gathering.directory.exports import hsds_export
from gathering.directory.hsds import validate
from gathering.directory.services import hsds_import

pytestmark = pytest.mark.django_db

# Ofcom's ranges for drama (https://www.ofcom.org.uk/phones-and-broadband/phone-numbers/numbers-for-drama),
# and the 555-01xx range kept for fiction in North America.
DRAMA = re.compile(
    r"(020 7946 0|0113 496 0|0114 496 0|0115 496 0|0116 496 0|0117 496 0|0121 496 0|0131 496 0|0141 496 0"
    r"|0151 496 0|0161 496 0|0191 498 0|029 2018 0)\d{3}|01632 960\d{3}|07700 900\d{3}|\+1 802 555 01\d{2}"
)


def snapshot() -> dict[str, object]:
    return {
        "services": sorted(m.Service.objects.values_list("id", "name", "organization_id", "status")),
        "organisations": sorted(m.Organization.objects.values_list("id", "name", "network_relation")),
        "places": sorted(m.Location.objects.values_list("id", "latitude", "longitude", "time_zone")),
        "phones": sorted(m.Phone.objects.values_list("id", "number")),
        "schedules": sorted(m.Schedule.objects.values_list("id", "byday", "opens_at", "closes_at")),
        "attributes": m.Attribute.objects.count(),
    }


def test_the_demo_directory_is_200_services_from_30_organisations():
    seed_directory()

    assert m.Service.objects.count() == 200
    assert m.Organization.objects.count() == 30
    assert m.Service.objects.listed().count() == 196
    relations = dict(m.Organization.objects.values_list("network_relation").annotate(n=Count("id")))
    assert relations == {"partner": 12, "friend": 6, "aligned": 6, "": 6}
    assert m.Organization.objects.exclude(parent_organization_id=None).count() == 4


def test_running_the_demo_again_changes_nothing_and_it_is_the_same_every_time():
    seed_directory()
    first = snapshot()
    seed_directory()
    assert snapshot() == first

    for model in (m.Attribute, m.Schedule, m.Phone, m.Language, m.CostOption, m.ServiceArea):
        model.objects.all().delete()
    m.Service.objects.all().delete()
    m.Location.objects.all().delete()
    m.Organization.objects.all().delete()
    seed_directory()
    assert snapshot() == first


def test_scale_multiplies_the_directory():
    seed_directory(scale=2)

    assert m.Service.objects.count() == 400
    assert m.Organization.objects.count() == 60


def test_every_service_has_approaches_ways_in_a_cost_and_a_safe_phone_number():
    seed_directory()

    for service in m.Service.objects.all():
        terms = set(
            m.Attribute.objects.filter(link_id=service.pk).values_list(
                "taxonomy_term__taxonomy_detail_id", flat=True
            )
        )
        assert terms == {approaches.TAXONOMY_ID, access.TAXONOMY_ID}, service.name
        assert service.cost_options.count() == 1
        assert service.email.endswith(".example.org") and service.url.startswith("https://")
    numbers = list(m.Phone.objects.values_list("number", flat=True))
    assert len(numbers) > 150
    assert [number for number in numbers if not DRAMA.fullmatch(number)] == []
    assert not m.Organization.objects.exclude(email__endswith=".example.org").exists()


def test_places_are_near_their_postcode_districts_and_a_few_are_abroad():
    seed_directory()

    centroids = geo.outcode_centroids()
    uk = m.Address.objects.filter(country="GB").select_related("location")
    assert uk.count() > 150
    for address in uk:
        district = address.postal_code.split()[0]
        place = (float(address.location.latitude), float(address.location.longitude))
        assert geo.distance_km(centroids[district], place) < 1.5, address.postal_code
    abroad = m.Address.objects.exclude(country="GB")
    assert set(abroad.values_list("country", flat=True)) == {"FI", "IE", "NL", "DE", "NO", "US", "AU"}
    assert set(m.Service.objects.exclude(time_zone="Europe/London").values_list("time_zone", flat=True)) >= {
        "Europe/Helsinki",
        "America/New_York",
        "Australia/Melbourne",
    }
    assert m.Location.objects.filter(location_type="virtual", latitude=None).exists()


def test_opening_hours_include_nights_past_midnight_weekends_monthly_and_unknown():
    seed_directory()

    schedules = m.Schedule.objects.all()
    assert schedules.filter(opens_at="18:00", closes_at="02:00", byday="FR,SA,SU").exists()
    assert schedules.filter(opens_at="19:00", closes_at="01:00").exists()
    assert schedules.filter(byday="SA,SU").exists()
    assert schedules.filter(freq="MONTHLY", byday="1TU").exists()
    assert schedules.filter(interval=2).exists()
    assert m.Service.objects.filter(schedules__isnull=True).exists()


def test_every_approach_is_offered_near_a_real_district():
    seed_directory()

    for code, _name in approaches.TERMS:
        offered = m.Service.objects.listed().with_terms([approaches.term_id(code)])
        assert offered.filter(service_at_locations__location__addresses__country="GB").exists(), code


def test_the_demo_step_is_registered_after_the_apps_it_lists_services_for():
    # Only the impact step, which counts what every other step made, comes after it.
    names = [step.name for step in registry.steps()]
    assert names[-2:] == ["directory", "impact"]


def test_the_demo_directory_is_valid_hsds_and_imports_again_as_it_was(tmp_path):
    # The schemas judge the exported documents (3.0 and the UK profile: both allow only WEEKLY and MONTHLY
    # schedules); importing them again finds nothing to change.
    seed_directory()
    before = snapshot()
    hsds_export(folder=tmp_path)
    for path in sorted((tmp_path / "services").glob("*.json")):
        assert validate(json.loads(path.read_text()), "service") == [], path.name
    result = hsds_import(path=tmp_path)
    assert result.created == {} or not any(result.created.values())
    assert snapshot() == before
