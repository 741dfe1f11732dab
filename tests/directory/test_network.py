"""Our network: the partners, friends and aligned organisations, each with its description, logo (only with
words for it, and only from this site or an origin the operator allowed), website and the services it lists;
filtered by relation and country with a plain GET form; each organisation's page with its services."""

import re
import uuid
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gathering.directory import models as m
from gathering.directory import network
from gathering.directory.countries import country_name
from gathering.directory.demo import seed_directory
from gathering.directory.services import hsds_import_source
from gathering.directory.sources import Source, read_json

from ..core.test_navigation import clicks_from_home
from . import builders

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def names_listed(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/network/[^"]+/">([^<]+)</a></h3>', html)


def member(name: str, relation: str, *, country: str = "GB", services: int = 1, **fields) -> m.Organization:
    """An organisation with `relation` to the network and `services` listed services at a place in
    `country`."""
    organisation = builders.organization(name, network_relation=relation, **fields)
    for number in range(services):
        service = builders.service(f"{name} service {number + 1}", org=organisation, at=(53.8, -1.55))
        m.Address.objects.filter(location__service_at_locations__service=service).update(country=country)
    return organisation


@pytest.fixture
def world():
    return {
        "partner": member(
            "Riverside Peer Network",
            "partner",
            description="Peer support across the valley.",
            website="https://riverside.example.org/",
        ),
        "friend": member("Länsi Dialogue Network", "friend", country="FI"),
        "aligned": member("Harbour Arts", "aligned", services=0),
        "none": member("Unrelated Trust", ""),
    }


# -------------------------------------------------------- the list


def test_the_network_lists_partners_friends_and_aligned_organisations(client, world):
    response = client.get("/network/")

    assert response.status_code == 200
    page = main(response)
    assert names_listed(page) == ["Harbour Arts", "Länsi Dialogue Network", "Riverside Peer Network"]
    assert "3 organisations" in text(page)
    riverside = page[page.index("Riverside Peer Network") :]
    assert "Partner" in text(riverside[:500])
    assert "Peer support across the valley." in riverside
    assert '<a class="wrap-anywhere" href="https://riverside.example.org/">' in riverside
    service = m.Service.objects.get(name="Riverside Peer Network service 1")
    assert f'<a href="/find-support/services/{service.pk}/">Riverside Peer Network service 1</a>' in riverside
    assert "No services listed in our directory yet." in page[page.index("Harbour Arts") :]
    assert "Unrelated Trust" not in page


def test_the_filters_are_a_plain_get_form_of_relation_and_country(client, world):
    page = main(client.get("/network/"))

    form = page[page.index('<form method="get" action="/network/"') : page.index("</form>")]
    assert re.findall(r'<option value="([^"]*)"', form) == [
        "",
        "partner",
        "friend",
        "aligned",
        "",
        "FI",
        "GB",
    ]
    assert "<script" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"relation": "partner"}, ["Riverside Peer Network"]),
        ({"relation": "friend"}, ["Länsi Dialogue Network"]),
        ({"country": "FI"}, ["Länsi Dialogue Network"]),
        ({"country": "GB"}, ["Riverside Peer Network"]),
        ({"relation": "partner", "country": "FI"}, []),
        ({"country": "DE"}, []),
    ],
)
def test_filtering_by_relation_and_country(client, world, query, expected):
    response = client.get("/network/", query)

    assert response.status_code == 200
    assert names_listed(main(response)) == expected
    if not expected:
        assert "No organisation in our network matches what you chose." in text(main(response))


def test_the_country_comes_from_the_organisations_own_places_too(client, world):
    location = m.Location.objects.create(
        id=uuid.uuid4(), location_type="physical", organization=world["aligned"], name="Studio"
    )
    m.Address.objects.create(id=uuid.uuid4(), location=location, country="ie", address_type="physical")

    assert names_listed(main(client.get("/network/", {"country": "IE"}))) == ["Harbour Arts"]
    assert ("IE", "Ireland") in network.network_countries()


def test_an_unknown_relation_or_country_is_named_in_an_error_summary(client, world):
    response = client.get("/network/", {"relation": "enemy", "country": "Atlantis"})

    assert response.status_code == 400
    html = response.content.decode()
    summary = html[html.index('class="error-summary"') : html.index("</div>", html.index("error-summary"))]
    assert '<a href="#id_relation">Choose a relation from the list</a>' in summary
    assert '<a href="#id_country">Choose a country from the list</a>' in summary
    assert "<title>Error: Our network" in html


def test_the_list_comes_in_pages(client):
    for number in range(network.PER_PAGE + 2):
        builders.organization(f"Organisation {number:02d}", network_relation="friend")

    first = main(client.get("/network/"))
    second = main(client.get("/network/", {"page": 2}))

    assert len(names_listed(first)) == network.PER_PAGE
    assert names_listed(second) == [f"Organisation {number:02d}" for number in range(30, 32)]
    assert 'href="?page=2" rel="next"' in first


def test_many_services_are_summed_up_with_a_link_to_all_of_them(client):
    organisation = member("Busy Network", "partner", services=network.SERVICES_SHOWN + 2)

    page = main(client.get("/network/"))

    assert len(re.findall(r'href="/find-support/services/', page)) == network.SERVICES_SHOWN
    assert (
        f'<a href="/network/{organisation.pk}/">All {network.SERVICES_SHOWN + 2} services of Busy Network</a>'
        in page
    )


# -------------------------------------------------------- an organisation's page


def test_an_organisations_page_shows_its_services_and_website(client, world):
    partner = world["partner"]
    builders.service("Gone for good", org=partner, status=m.Service.Status.DEFUNCT)
    closed = builders.service("Closed for now", org=partner, status=m.Service.Status.TEMPORARILY_CLOSED)

    response = client.get(f"/network/{partner.pk}/")

    assert response.status_code == 200
    page = main(response)
    assert "<h1>Riverside Peer Network</h1>" in page
    assert "Partner · United Kingdom" in text(page)
    assert "Peer support across the valley." in page
    assert 'href="https://riverside.example.org/"' in page
    service = m.Service.objects.get(name="Riverside Peer Network service 1")
    assert (
        f'<a href="/find-support/services/{service.pk}/">Riverside Peer Network service 1</a>, Leeds' in page
    )
    assert f'<a href="/find-support/services/{closed.pk}/">Closed for now</a>' in page
    assert "Temporarily closed" in page
    assert "Gone for good" not in page
    assert "2 services in our directory, by name." in text(page)


def test_only_organisations_in_the_network_have_a_page(client, world):
    assert client.get(f"/network/{world['none'].pk}/").status_code == 404
    assert client.get(f"/network/{uuid.uuid4()}/").status_code == 404


def test_a_service_page_links_to_its_organisation_in_the_network(client, world):
    inside = m.Service.objects.get(organization=world["partner"])
    outside = m.Service.objects.get(organization=world["none"])

    assert f'Run by <a href="/network/{world["partner"].pk}/">Riverside Peer Network</a>' in main(
        client.get(f"/find-support/services/{inside.pk}/")
    )
    assert "Run by Unrelated Trust" in main(client.get(f"/find-support/services/{outside.pk}/"))


def test_a_website_that_is_not_a_web_address_is_not_a_link(client):
    organisation = member("Odd Website", "partner", website="javascript:alert(1)")

    assert "javascript:" not in client.get(f"/network/{organisation.pk}/").content.decode()
    assert "javascript:" not in client.get("/network/").content.decode()


# -------------------------------------------------------- logos


def test_a_logo_needs_words_for_people_who_cannot_see_it():
    organisation = m.Organization(id=uuid.uuid4(), name="Logo Trust", logo="/media/logos/trust.png")

    with pytest.raises(ValidationError) as refused:
        organisation.full_clean()
    assert "logo_alt" in refused.value.message_dict
    organisation.logo_alt = "A lighthouse over the sea"
    organisation.full_clean()


def test_a_logo_is_shown_only_with_its_words_and_from_this_site(client):
    shown = member("Shown", "partner", logo="/media/logos/shown.png", logo_alt="A green circle")
    member("No words", "partner", logo="/media/logos/none.png")
    member("Elsewhere", "partner", logo="https://images.example.org/logo.png", logo_alt="A blue square")

    html = client.get("/network/").content.decode()

    assert re.findall(r'<img class="organisation-logo" src="([^"]+)" alt="([^"]+)"', html) == [
        ("/media/logos/shown.png", "A green circle")
    ]
    assert "images.example.org" not in html
    page = client.get(f"/network/{shown.pk}/").content.decode()
    assert '<img class="organisation-logo" src="/media/logos/shown.png" alt="A green circle"' in page


def test_logos_from_an_allowed_origin_are_shown_and_allowed_on_that_page_only(client, settings):
    settings.GATHERING_LOGO_ORIGINS = ["https://images.example.org"]
    elsewhere = member(
        "Elsewhere", "partner", logo="https://images.example.org/logo.png", logo_alt="A square"
    )

    response = client.get(f"/network/{elsewhere.pk}/")

    assert 'src="https://images.example.org/logo.png" alt="A square"' in response.content.decode()
    img_src = re.search(r"img-src ([^;]+)", response["Content-Security-Policy"]).group(1).split()
    assert img_src == ["'self'", "data:", "https://images.example.org"]
    assert "images.example.org" in client.get("/network/")["Content-Security-Policy"]
    assert "images.example.org" not in client.get("/find-support/")["Content-Security-Policy"]


def test_an_import_keeps_the_words_for_a_logo():
    organisation = builders.organization("Imported", logo="/media/a.png", logo_alt="A tree")
    source = Source()
    read_json(
        {"id": str(organisation.pk), "name": "Imported again", "description": "", "logo": "/media/b.png"},
        "organization.json",
        kind="organization",
        source=source,
    )

    hsds_import_source(source=source)

    organisation.refresh_from_db()
    assert (organisation.name, organisation.logo, organisation.logo_alt) == (
        "Imported again",
        "/media/b.png",
        "A tree",
    )


# -------------------------------------------------------- reachable, and cheap


def test_the_network_is_one_click_from_home_and_on_the_about_page(client, world):
    clicks = clicks_from_home(client, depth=2)

    assert clicks["/network/"] == 1
    assert clicks[f"/network/{world['partner'].pk}/"] == 2
    assert 'href="/network/"' in main(client.get("/about/"))


def grow(n: int) -> None:
    for k in range(n):
        member(
            f"Grown {uuid.uuid4().hex[:6]}",
            ("partner", "friend", "aligned")[k % 3],
            services=2,
            country=("GB", "FI", "IE")[k % 3],
        )


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("query", ["", "?relation=partner", "?country=FI"])
def test_the_network_list_takes_the_same_queries_whatever_the_data(client, query):
    grow(3)
    small = queries(client, f"/network/{query}")
    grow(40)
    large = queries(client, f"/network/{query}")

    assert large == small
    assert small <= 6


def test_an_organisations_page_takes_the_same_queries_whatever_the_data(client):
    few = member("Few", "partner", services=1)
    many = member("Many", "partner", services=25)

    assert queries(client, f"/network/{few.pk}/") == queries(client, f"/network/{many.pk}/") <= 6


# -------------------------------------------------------- the demo


def test_the_demo_network_has_descriptions_and_no_logos_from_other_sites(client):
    seed_directory()

    in_network = m.Organization.objects.in_network()
    assert in_network.count() == 24
    assert not in_network.filter(description="").exists()
    assert not m.Organization.objects.exclude(logo="").exists()
    page = main(client.get("/network/"))
    assert len(names_listed(page)) == 24
    assert "<img" not in page
    countries = [name for _code, name in network.network_countries()]
    assert "United Kingdom" in countries and country_name("FI") in countries
    finnish = names_listed(main(client.get("/network/", {"country": "FI"})))
    assert finnish and all(name in names_listed(page) for name in finnish)
