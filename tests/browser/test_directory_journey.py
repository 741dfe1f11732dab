"""Someone looking for help, by clicking only what the site shows, without an account: from the home page to
Find support, a search from their postcode for Open Dialogue, the service's page, and a report that its
details have changed, thanked for it; from the home page to an approach's page and one of its services; from
the footer to our network, an organisation and its service. Every page passes axe-core, runs under the
Content-Security-Policy, and the search and the service page work the same with JavaScript off."""

import re

import pytest

from gathering.directory import approaches
from gathering.directory import models as m
from gathering.directory.demo import seed_directory

from .conftest import axe_violations, screenshot_folder, shot

pytestmark = pytest.mark.django_db(transaction=True)


def demo_open_dialogue_service() -> tuple[m.Service, str]:
    """A listed Open Dialogue service of the demo in Great Britain, and the postcode of its place."""
    service = (
        m.Service.objects.listed()
        .with_terms([m.TaxonomyTerm.objects.get(code="open-dialogue").pk])
        .filter(service_at_locations__location__addresses__country="GB", status="active")
        .order_by("name")
        .first()
    )
    address = m.Address.objects.get(location__service_at_locations__service=service)
    return service, address.postal_code


def test_finding_an_open_dialogue_service_near_a_postcode_and_reporting_a_change(new_page, live_server):
    seed_directory()
    service, postcode = demo_open_dialogue_service()
    folder = screenshot_folder("directory")

    page = new_page()
    main = page.locator("main")

    # 1. The home page leads to Find support from the header.
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find support", exact=True).click()
    page.wait_for_url("**/find-support/")
    assert page.get_by_role("heading", level=1).inner_text() == "Find support"
    assert "116 123" in page.locator(".crisis-box").inner_text()
    shot(page, folder, "01-find-support")

    # 2. A postcode within 25 km and Open Dialogue: the service is in the list, nearest first, on a map.
    page.get_by_label("Where? (optional)").fill(postcode)
    page.get_by_label("Type of approach (optional)").select_option(label="Open Dialogue")
    main.get_by_role("button", name="Search").click()
    page.wait_for_url("**/find-support/?**")
    heading = page.locator("#results-heading").inner_text()
    assert re.fullmatch(rf"\d+ services? within 25 km of {postcode.split()[0]}", heading), heading
    results = page.locator("ol.results > li")
    assert results.count() >= 1
    assert "km away" in results.first.inner_text()
    page.locator("#results-map .leaflet-marker-icon").first.wait_for()
    assert page.locator("#results-map .leaflet-marker-icon").count() == results.count()
    assert (
        page.locator(".crisis-box").bounding_box()["y"] < page.locator("#results-heading").bounding_box()["y"]
    )
    assert axe_violations(page) == []
    shot(page, folder, "02-results")

    # 3. The service's page.
    main.locator(f'h3 a[href="/find-support/services/{service.pk}/"]').click()
    page.wait_for_url(f"**/find-support/services/{service.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == service.name
    assert "Open Dialogue" in main.inner_text()
    assert axe_violations(page) == []
    shot(page, folder, "03-service")

    # 4. Report a change, and be thanked.
    main.get_by_role("link", name="Report a change to this listing").click()
    page.wait_for_url("**/report/")
    assert axe_violations(page) == []
    main.get_by_role("button", name="Send").click()
    assert page.locator(".error-summary").is_visible()
    assert "Tell us what needs changing" in page.locator(".error-summary").inner_text()
    assert axe_violations(page) == []
    page.get_by_label("What needs changing?").fill("The team now also meets on Saturdays.")
    main.get_by_role("button", name="Send").click()
    page.wait_for_url("**/report/sent/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for telling us"
    assert axe_violations(page) == []
    shot(page, folder, "04-thank-you")
    report = m.ChangeReport.objects.get()
    assert (report.service_id, report.details) == (service.pk, "The team now also meets on Saturdays.")


def test_from_the_home_page_to_an_approach_and_one_of_its_services_by_clicks(new_page):
    seed_directory()
    # Browser tests start from an emptied database: the page's words are written as an organiser would.
    m.ApproachPage.objects.update_or_create(
        term_id=approaches.term_id("open-dialogue"),
        defaults={
            "summary": "Meetings with you and the people who matter to you, held early and often.",
            "what_it_is": "Network meetings with the person, their family and friends and a small team.",
            "first_contact": "A team aims to meet within a day of the first call, often at home.",
            "evidence": "- Developed in **Western Lapland**, Finland.\n- The ODDESSI trial in the UK.",
        },
    )
    folder = screenshot_folder("directory")
    page = new_page()
    main = page.locator("main")

    # 1. The home page lists the approaches our network showcases.
    page.goto("/")
    main.locator("section.approaches-home").get_by_role("link", name="Open Dialogue", exact=True).click()
    page.wait_for_url("**/find-support/approaches/open-dialogue/")
    assert page.get_by_role("heading", level=1).inner_text() == "Open Dialogue"
    assert main.get_by_role("heading", name="What it is").is_visible()
    assert "Western Lapland" in main.inner_text()
    assert axe_violations(page) == []
    shot(page, folder, "05-approach")

    # 2. One of the services that offer it, and back to the approach from the service's page.
    services = main.locator("#services-heading ~ ol.results > li h3 a")
    assert services.count() >= 1
    name = services.first.inner_text()
    services.first.click()
    page.wait_for_url("**/find-support/services/**")
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert axe_violations(page) == []
    main.locator(".approach-list").get_by_role("link", name="Open Dialogue").click()
    page.wait_for_url("**/find-support/approaches/open-dialogue/")


def test_our_network_from_the_footer_to_an_organisation_and_its_service(new_page):
    seed_directory()
    folder = screenshot_folder("directory")
    page = new_page()
    main = page.locator("main")

    page.goto("/")
    page.locator("footer").get_by_role("link", name="Our network").click()
    page.wait_for_url("**/network/")
    assert page.get_by_role("heading", level=1).inner_text() == "Our network"
    assert axe_violations(page) == []
    shot(page, folder, "06-network")

    finnish = m.Organization.objects.in_network().in_country("FI").order_by("name", "id").first()
    relation = {"partner": "Partners", "friend": "Friends", "aligned": "Aligned organisations"}
    page.get_by_label("Relation to our network").select_option(label=relation[finnish.network_relation])
    page.get_by_label("Country").select_option(label="Finland")
    main.get_by_role("button", name="Show organisations").click()
    page.wait_for_url(f"**/network/?relation={finnish.network_relation}&country=FI")
    organisations = main.locator("ul.network-members > li h3 a")
    assert organisations.first.inner_text() == finnish.name
    organisations.first.click()
    page.wait_for_url("**/network/*/")
    assert axe_violations(page) == []
    main.locator(".member-services a").first.click()
    page.wait_for_url("**/find-support/services/**")
    assert "Run by" in main.locator(".lead").inner_text()


def test_the_map_and_the_schema_org_data_run_under_the_content_security_policy(new_page):
    seed_directory()
    service, postcode = demo_open_dialogue_service()
    page = new_page(bypass_csp=False)
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(message.text))
    page.on("pageerror", lambda error: complaints.append(str(error)))

    page.goto(f"/find-support/?place={postcode.split()[0]}&approach=open-dialogue")
    page.locator("#results-map .leaflet-marker-icon").first.wait_for()
    assert page.locator("#results-map path.leaflet-interactive, #results-map path").count() >= 1
    page.goto(f"/find-support/services/{service.pk}/")
    page.wait_for_load_state("load")

    assert complaints == []


def test_the_search_works_without_javascript_and_keeps_the_map_out_of_the_way(new_page):
    seed_directory()
    service, postcode = demo_open_dialogue_service()

    page = new_page(javascript=False)
    page.goto("/")
    page.get_by_label("Your postcode or town (optional)").fill(postcode)
    page.locator("main").get_by_role("button", name="Find support").click()
    page.wait_for_url("**/find-support/?**")
    assert "within 25 km of" in page.locator("#results-heading").inner_text()
    assert not page.locator(".results-map-section").is_visible()
    page.locator("summary", has_text="More ways to narrow the search").click()
    page.get_by_label("Free to use").check()
    page.locator("main").get_by_role("button", name="Search").click()
    page.wait_for_url("**only=free**")
    page.locator(f'main h3 a[href="/find-support/services/{service.pk}/"]').click()
    page.wait_for_url(f"**/find-support/services/{service.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == service.name


def test_search_errors_are_accessible(new_page):
    page = new_page()
    page.goto("/find-support/?place=ZZ1+1ZZ&radius=30")

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "is not a UK postcode" in summary.inner_text()
    assert "Choose a distance from the list" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_place"
    assert axe_violations(page) == []
