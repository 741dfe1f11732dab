"""The approaches our network showcases: a page for each (its words, the services that offer it, and past
Gathering sessions and resources about it), reachable from the home page, the search and every service
that offers one; organisers change the words, sanitised and audited, and nobody else can."""

import re
import uuid
from datetime import timedelta
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gathering.core.templatetags.gathering_text import markdown
from gathering.directory import approaches, geo, services, showcase
from gathering.directory import models as m
from gathering.directory.demo import seed_directory
from gathering.events.models import EventResource
from gathering.privacy.models import AuditEntry

from ..conftest import signed_in
from ..factories import EventFactory, UserFactory, make_staff
from ..programme.attendee_data import programme_for, session
from . import builders

pytestmark = pytest.mark.django_db

LS1 = geo.outcode_centroids()["LS1"]
HOSTILE = (
    "<script>alert('script')</script>\n\n"
    "[a javascript link](javascript:alert('link'))\n\n"
    '<img src="x" onerror="alert(\'image\')">\n\n'
    '<a href="https://example.org/evidence" onclick="alert(\'click\')">the evidence</a>\n\n'
    '<iframe src="https://example.org/frame"></iframe>\n\n'
    '<p style="position: fixed; inset: 0">covering the page</p>\n\n'
    "[a data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n\n"
    "<svg onload=\"alert('svg')\"></svg>\n\n"
    "- **still** a list"
)


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def past_gathering(title: str = "Autumn Gathering", *, days_ago: int = 60, **fields):
    start = timezone.now() - timedelta(days=days_ago)
    return EventFactory(title=title, starts_at=start, ends_at=start + timedelta(hours=7), **fields)


def resource(event, title: str, kind: str = "slides") -> EventResource:
    return EventResource.objects.create(event=event, title=title, url="https://example.org/r", kind=kind)


# -------------------------------------------------------- the starting words


def test_every_approach_starts_with_plain_words_and_named_sources():
    pages = {page.term.code: page for page in m.ApproachPage.objects.select_related("term")}

    assert sorted(pages) == sorted(approaches.CODES)
    for code, page in pages.items():
        assert 0 < len(page.summary) <= 200, code
        assert page.what_it_is and page.first_contact and page.evidence, code
        # Facts and names, no made-up figures.
        assert "%" not in page.evidence, code
    assert "Hearing Voices Network" in pages["hearing-voices"].evidence
    assert "Western Lapland" in pages["open-dialogue"].evidence
    assert "ODDESSI" in pages["open-dialogue"].evidence
    assert "Loren Mosher" in pages["soteria"].evidence


# -------------------------------------------------------- the public pages


def test_the_approaches_page_lists_every_approach_with_its_summary(client):
    page = main(client.get("/find-support/approaches/"))

    links = re.findall(r'<h2><a href="([^"]+)">([^<]+)</a></h2>', page)
    assert links == [(f"/find-support/approaches/{code}/", name) for code, name in approaches.TERMS]
    soteria = m.ApproachPage.objects.get(term__code="soteria")
    assert soteria.summary in text(page)
    assert "116 123" in page


def test_an_approach_page_shows_its_words_its_services_and_the_search_for_all(client):
    soteria = builders.service("Hearth House", approach=["soteria"], at=(LS1.latitude, LS1.longitude))
    builders.service("Crisis café on Mill Street", approach=["crisis-cafe"], at=(LS1.latitude, LS1.longitude))
    builders.service("Closed Soteria", approach=["soteria"], status=m.Service.Status.INACTIVE)

    response = client.get("/find-support/approaches/soteria/")

    assert response.status_code == 200
    page = main(response)
    words = m.ApproachPage.objects.get(term__code="soteria")
    assert "<h1>Soteria</h1>" in page
    assert words.summary in text(page)
    for heading in (
        "What it is",
        "What a first contact looks like",
        "Where the evidence and the people behind it are",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert "<li>The first Soteria house was opened in 1971" in page  # Markdown made into a list
    services_html = section(page, "services-heading")
    assert f'href="/find-support/services/{soteria.pk}/"' in services_html
    assert "One service in our directory offers Soteria." in text(services_html)
    assert "Crisis café" not in services_html
    assert "Closed Soteria" not in services_html
    assert 'href="/find-support/?approach=soteria"' in services_html
    assert "Change the words on this page" not in page


def test_an_approach_page_lists_twenty_services_by_name_and_counts_them_all(client):
    for number in range(23):
        builders.service(f"Peer house {number:02d}", approach=["peer-respite"])

    page = main(client.get("/find-support/approaches/peer-respite/"))

    services_html = section(page, "services-heading")
    names = re.findall(r'<a href="/find-support/services/[^"]+/">([^<]+)</a>', services_html)
    assert names == [f"Peer house {number:02d}" for number in range(20)]
    assert "23 services in our directory offer Peer respite." in text(services_html)
    assert "The first 20, by name:" in text(services_html)


def test_an_approach_page_lists_past_sessions_and_resources_that_mention_it(client):
    past = past_gathering("Autumn Gathering 2026")
    programme = programme_for(past)
    talk = session(programme, title="Open Dialogue in a Leeds team", format="talk")
    described = session(programme, title="Meeting families", description="How open dialogue meetings begin.")
    session(programme, title="Gardening together")
    session(programme, title="Open Dialogue, withdrawn", status="withdrawn")
    session(programme, title="Open Dialogue, not yet accepted", track="curated", status="proposed")
    resource(past, "Open Dialogue: slides from the morning")
    resource(past, "Photographs of the day", kind="other")
    coming = EventFactory(title="Spring Gathering")
    session(programme_for(coming), title="Open Dialogue next spring")
    resource(coming, "Open Dialogue reading list")
    draft = past_gathering("Draft Gathering", status="draft")
    session(programme_for(draft), title="Open Dialogue in a draft")
    resource(draft, "Open Dialogue draft notes")

    page = main(client.get("/find-support/approaches/open-dialogue/"))

    related = section(page, "gatherings-heading")
    sessions = re.findall(r'<a href="(/gatherings/[^"]+/programme/sessions/\d+/)">([^<]+)</a>', related)
    assert sorted(sessions) == sorted(
        [
            (f"/gatherings/{past.slug}/programme/sessions/{talk.pk}/", "Open Dialogue in a Leeds team"),
            (f"/gatherings/{past.slug}/programme/sessions/{described.pk}/", "Meeting families"),
        ]
    )
    assert "(talk)" in related
    assert f'<a href="/gatherings/{past.slug}/">Autumn Gathering 2026</a>' in related
    assert (
        '<a href="https://example.org/r" rel="noreferrer">Open Dialogue: slides from the morning</a>'
        in related
    )
    for absent in ("Gardening", "withdrawn", "not yet accepted", "next spring", "reading list", "draft"):
        assert absent not in related, absent
    for url, _title in sessions:
        assert client.get(url).status_code == 200


def test_with_nothing_about_it_yet_the_page_says_so_calmly(client):
    page = main(client.get("/find-support/approaches/arts-and-creative/"))

    assert "No service in our directory offers it yet." in text(page)
    assert "No sessions or resources about it from past Gatherings yet." in text(page)
    assert 'href="/gatherings/past/"' in page


def test_an_approach_without_its_words_still_has_a_page(client):
    m.ApproachPage.objects.filter(term__code="crisis-cafe").delete()

    page = main(client.get("/find-support/approaches/crisis-cafe/"))

    assert "<h1>Crisis café</h1>" in page
    assert "Our network has not written about this approach yet." in text(page)


def test_an_unknown_approach_is_not_found(client):
    assert client.get("/find-support/approaches/no-such-approach/").status_code == 404
    assert client.get("/find-support/approaches/self-referral/").status_code == 404


def test_organisers_see_a_link_to_change_the_words(organiser):
    page = main(signed_in(organiser).get("/find-support/approaches/soteria/"))

    assert '<a href="/staff/directory/approaches/soteria/">Change the words on this page</a>' in page


# -------------------------------------------------------- reachable by links


def test_the_home_page_links_to_every_approach_and_the_list(client):
    html = client.get("/").content.decode()

    block = section(html, "approaches-home")
    for code, name in approaches.TERMS:
        assert f'<a href="/find-support/approaches/{code}/">{name}</a>' in block
    assert 'href="/find-support/approaches/"' in block


def test_every_service_links_to_the_pages_of_its_approaches(client):
    service = builders.service("Leeds Open Dialogue", approach=["open-dialogue", "family-and-carers"])

    page = main(client.get(f"/find-support/services/{service.pk}/"))

    listed = page[page.index('class="approach-list"') :]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', listed[: listed.index("</ul>")]) == [
        ("/find-support/approaches/open-dialogue/", "Open Dialogue"),
        ("/find-support/approaches/family-and-carers/", "Family and carers"),
    ]


def test_from_home_to_an_approach_to_one_of_its_services_by_links(client):
    service = builders.service("Hearing Voices in Leeds", approach=["hearing-voices"])

    home = client.get("/").content.decode()
    approach_url = re.search(
        r'<a href="(/find-support/approaches/hearing-voices/)">Hearing Voices</a>', home
    )[1]
    approach_page = client.get(approach_url).content.decode()
    service_url = re.search(rf'<a href="(/find-support/services/{service.pk}/)">', approach_page)[1]

    assert "<h1>Hearing Voices in Leeds</h1>" in client.get(service_url).content.decode()


# -------------------------------------------------------- sanitised Markdown


def test_the_markdown_filter_keeps_plain_formatting_and_drops_anything_active():
    html = str(markdown(HOSTILE))

    for active in ("<script", "alert(", "onerror", "onclick", "onload", "javascript:", "<iframe", "<img"):
        assert active not in html, active
    for kept_out in ("style=", "data:text", "<svg"):
        assert kept_out not in html, kept_out
    assert '<a href="https://example.org/evidence" rel="noopener noreferrer">the evidence</a>' in html
    assert "<li><strong>still</strong> a list</li>" in html
    assert "covering the page" in html


def test_hostile_words_saved_by_an_organiser_are_shown_harmless(organiser, client):
    response = signed_in(organiser).post(
        "/staff/directory/approaches/soteria/",
        {
            "summary": "<b onmouseover=alert(1)>Calm</b>",
            "what_it_is": HOSTILE,
            "first_contact": HOSTILE,
            "evidence": HOSTILE,
            "save": "",
        },
    )
    assert response.status_code == 302

    page = main(client.get("/find-support/approaches/soteria/"))

    for active in (
        "<script",
        "alert(",
        "onerror",
        "onclick",
        "onload",
        "onmouseover",
        "javascript:",
        "<iframe",
    ):
        assert active not in page.replace("&lt;b onmouseover=alert(1)&gt;", ""), active
    assert "&lt;b onmouseover=alert(1)&gt;Calm&lt;/b&gt;" in page  # the one-line summary is plain text
    assert page.count("<li><strong>still</strong> a list</li>") == 3


# -------------------------------------------------------- organisers change the words


def form_data(**changes: str) -> dict[str, str]:
    page = m.ApproachPage.objects.get(term__code="hearing-voices")
    data = {name: getattr(page, name) for name in services.APPROACH_PAGE_FIELDS}
    return {**data, **changes}


@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_an_organiser_changes_the_words_with_an_audit_entry(role):
    person = make_staff(role)
    browser = signed_in(person)

    form = browser.get("/staff/directory/approaches/hearing-voices/")
    assert form.status_code == 200
    assert "Hearing Voices Network" in form.content.decode()  # the current words, ready to change

    response = browser.post(
        "/staff/directory/approaches/hearing-voices/",
        form_data(first_contact="Come along to a group on **Tuesday** evenings.", save=""),
        follow=True,
    )

    assert response.redirect_chain == [("/find-support/approaches/hearing-voices/", 302)]
    page = response.content.decode()
    assert "The page about Hearing Voices is saved." in page
    assert "Come along to a group on <strong>Tuesday</strong> evenings." in page
    saved = m.ApproachPage.objects.get(term__code="hearing-voices")
    assert (saved.first_contact, saved.updated_by) == (
        "Come along to a group on **Tuesday** evenings.",
        person,
    )
    entry = AuditEntry.objects.get(subject_type="directory.approachpage")
    assert (entry.action, entry.actor, entry.subject_id, entry.detail) == (
        "changed",
        person,
        str(approaches.term_id("hearing-voices")),
        "approach page hearing-voices: first_contact",
    )


def test_preview_shows_the_sanitised_words_and_saves_nothing(organiser):
    before = m.ApproachPage.objects.get(term__code="hearing-voices").what_it_is

    response = signed_in(organiser).post(
        "/staff/directory/approaches/hearing-voices/",
        form_data(what_it_is="A *new* start.\n\n<script>alert(1)</script>", preview=""),
    )

    assert response.status_code == 200
    html = response.content.decode()
    preview = html[
        html.index('id="preview-heading"') : html.index("</section>", html.index("preview-heading"))
    ]
    assert "Preview: not saved yet" in preview
    assert "<p>A <em>new</em> start.</p>" in preview
    assert "<script" not in preview
    assert m.ApproachPage.objects.get(term__code="hearing-voices").what_it_is == before
    assert not AuditEntry.objects.filter(subject_type="directory.approachpage").exists()


def test_saving_unchanged_words_writes_nothing(organiser):
    response = signed_in(organiser).post(
        "/staff/directory/approaches/soteria/",
        {
            **{
                name: getattr(m.ApproachPage.objects.get(term__code="soteria"), name)
                for name in services.APPROACH_PAGE_FIELDS
            },
            "save": "",
        },
        follow=True,
    )

    assert "Nothing was changed on the page about Soteria." in response.content.decode()
    assert not AuditEntry.objects.filter(subject_type="directory.approachpage").exists()


def test_a_missing_summary_is_named_at_the_top_and_by_the_field(organiser):
    response = signed_in(organiser).post(
        "/staff/directory/approaches/soteria/", form_data(summary="   ", save="")
    )

    assert response.status_code == 400
    html = response.content.decode()
    summary = html[html.index('class="error-summary"') :]
    assert '<a href="#id_summary">Enter a summary of the approach in one line</a>' in summary
    assert 'id="id_summary_error"' in html
    assert "<title>Error:" in html


def test_a_missing_page_is_made_when_an_organiser_saves_it(organiser):
    m.ApproachPage.objects.filter(term__code="trauma-informed").delete()

    signed_in(organiser).post(
        "/staff/directory/approaches/trauma-informed/",
        {"summary": "Asks what happened.", "what_it_is": "", "first_contact": "", "evidence": "", "save": ""},
    )

    page = m.ApproachPage.objects.get(term__code="trauma-informed")
    assert (page.summary, page.updated_by) == ("Asks what happened.", organiser)
    assert AuditEntry.objects.get(subject_type="directory.approachpage").detail == (
        "approach page trauma-informed: created; summary"
    )


@pytest.mark.parametrize("url", ["/staff/directory/approaches/", "/staff/directory/approaches/soteria/"])
def test_nobody_else_may_open_or_change_the_words(client, url):
    before = m.ApproachPage.objects.get(term__code="soteria").summary
    changed = {"summary": "Changed by the wrong person", "save": ""}

    assert client.get(url).status_code == 302
    assert client.get(url).url.startswith("/accounts/login/")
    assert client.post(url, changed).status_code == 302
    for role in ("participant", "facilitator", "safeguarding_lead"):
        person = UserFactory() if role == "participant" else make_staff(role)
        browser = signed_in(person)
        assert browser.get(url).status_code == 403, role
        assert browser.post(url, changed).status_code == 403, role
    # An organiser whose session skipped the second factor holds no staff powers.
    unverified = signed_in(make_staff("organiser"), second_factor=False)
    for response in (unverified.get(url), unverified.post(url, changed)):
        assert response.status_code == 302
        assert response.url.startswith("/accounts/2fa/")

    assert m.ApproachPage.objects.get(term__code="soteria").summary == before
    assert not AuditEntry.objects.filter(subject_type="directory.approachpage").exists()


def test_the_service_refuses_people_without_the_organisers_permission(participant):
    with pytest.raises(PermissionDenied):
        services.approach_page_update(code="soteria", actor=participant, summary="Not allowed")
    assert m.ApproachPage.objects.get(term__code="soteria").summary != "Not allowed"


def test_the_staff_list_links_to_each_approachs_words(organiser):
    html = signed_in(organiser).get("/staff/directory/approaches/").content.decode()

    for code, name in approaches.TERMS:
        assert f'<a href="/staff/directory/approaches/{code}/">{name}</a>' in html
    staff_home = signed_in(organiser).get("/staff/").content.decode()
    assert 'href="/staff/directory/approaches/">Approach pages</a>' in staff_home


def test_an_unknown_approach_cannot_be_edited(organiser):
    assert signed_in(organiser).get("/staff/directory/approaches/no-such-approach/").status_code == 404


# -------------------------------------------------------- a fixed number of queries


def grow(n: int) -> None:
    """n more services offering Open Dialogue, and n more past sessions and resources about it."""
    for _k in range(n):
        builders.service(
            approach=["open-dialogue", "soteria"],
            at=(LS1.latitude, LS1.longitude),
            cost=0,
            schedules=[{"byday": "MO", "opens_at": "09:00", "closes_at": "17:00"}],
        )
        past = past_gathering(days_ago=30 + _k)
        session(programme_for(past), title=f"Open Dialogue {uuid.uuid4().hex[:6]}")
        resource(past, "Open Dialogue slides")


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/find-support/approaches/open-dialogue/", "/find-support/approaches/"])
def test_approach_pages_take_the_same_queries_whatever_the_data(client, url):
    grow(2)
    small = queries(client, url)
    grow(25)
    large = queries(client, url)

    assert large == small
    assert small <= 12


def test_the_showcase_reads_the_same_queries_for_an_approach_with_nothing_yet(django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        found = showcase.approach_showcase("arts-and-creative")
    assert (found.services.count, found.sessions, found.resources) == (0, [], [])


# -------------------------------------------------------- the demo


def test_every_approach_of_the_demo_has_services_on_its_page(client):
    seed_directory()

    for code, name in approaches.TERMS:
        page = main(client.get(f"/find-support/approaches/{code}/"))
        assert re.search(r"\d+ services in our directory offer", text(page)), name
