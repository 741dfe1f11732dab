"""An organiser's impact journey, by clicking only what the site shows: from the home page, signing in with a
code from their authenticator app, to Staff and Impact; last year's figures for the whole network (a small
cell hidden), a small Gathering's own figures (all hidden), one table downloaded as CSV; the annual report
for last year, its words written and saved, its PDF downloaded and read; then published, which turns the
public "Our impact" page from not found into last year's report for someone not signed in. The dashboard
also works without JavaScript. Every page on the way passes axe-core."""

import csv
import io
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.utils import timezone
from pdfminer.high_level import extract_text

from gathering.events.models import BursaryApplication, Event, Registration, TicketType
from gathering.impact.models import AnnualReport

from ..factories import TOTP_SECRET, UserFactory, make_staff
from ..impact.builders import bursary, feedback, gathering, register, ticket
from .conftest import axe_violations, screenshot_folder, shot
from .test_participant_journey import header_link
from .test_partner_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LAST_YEAR = timezone.now().year - 1
SPRING = "Spring Gathering in Leeds"
AUTUMN = "Autumn Gathering in York"
SMALL = "Evening gathering in Hull"
REGISTRATIONS = "Registrations and attendance"
ACTIVITIES = "We ran two Gatherings led by people with lived experience, and a small evening in Hull."
CONSULTATION = "We asked everyone who came how safe they felt, and changed the quiet room because of it."
OTHER = "Thank you to the Community Fund and to our partners in Leeds and York."
HEADINGS = (
    "Our activities and the benefit to the community",
    "How we consulted the people we serve",
    "Anything else",
)
S = Registration.Status
B = BursaryApplication.Status
# The answers people gave to how they come, in turn; every seventh person gave them without consent.
ANSWERS = (["lived_experience"], ["lived_experience", "family_carer"], ["services"], ["family_carer"])


def a_gathering(
    title: str, starts_at: datetime, *, came: int, cancelled: int, waiting: int, paid=(), regulars=()
):
    """A published Gathering last year: `came` people with a place (the first ones the `regulars`, who came
    before; the first len(`paid`) on a pay-what-you-can ticket, paying those amounts in pence), then
    `cancelled` people who cancelled and `waiting` people still on the waiting list."""
    event = gathering(title, starts_at, status=Event.Status.PUBLISHED)
    free = ticket(event, "Free place")
    pwyc = ticket(event, "Pay what you can", kind=TicketType.Kind.PAY_WHAT_YOU_CAN)
    people = [*regulars, *(UserFactory() for _ in range(came - len(regulars)))]
    for n, person in enumerate(people):
        register(
            pwyc if n < len(paid) else free,
            user=person,
            amount=paid[n] if n < len(paid) else 0,
            checked_in=n % 3 != 0,
            perspectives=ANSWERS[n % len(ANSWERS)],
            consent=n % 7 != 6,
        )
    for _ in range(cancelled):
        register(free, user=UserFactory(), status=S.CANCELLED)
    for _ in range(waiting):
        register(free, user=UserFactory(), status=S.WAITLISTED, waitlisted=True)
    return event, people


def last_years_network() -> None:
    """Counted by hand, for last year: 20 + 20 + 3 = 43 registrations; 14 + 13 + 3 = 30 came, 4 + 4 = 8
    cancelled, 2 + 3 = 5 still waiting. Eight bursary applications: 5 awarded, 2 not awarded (a small
    cell), 1 waiting for a decision. The evening in Hull alone has 3 people: every figure of it is small."""
    spring, regulars = a_gathering(
        SPRING,
        datetime(LAST_YEAR, 4, 18, 9, tzinfo=UTC),
        came=14,
        cancelled=4,
        waiting=2,
        paid=(500, 800, 1000, 1200, 1500, 2000),
    )
    autumn, _people = a_gathering(
        AUTUMN,
        datetime(LAST_YEAR, 10, 3, 9, tzinfo=UTC),
        came=13,
        cancelled=4,
        waiting=3,
        paid=(0, 700, 1000, 1000, 2500),
        regulars=regulars[:6],
    )
    small, _people = a_gathering(
        SMALL, datetime(LAST_YEAR, 11, 14, 18, tzinfo=UTC), came=3, cancelled=0, waiting=0
    )
    for event, decisions in (
        (spring, [(B.AWARDED_FULL, 1500), (B.AWARDED_PARTIAL, 800), (B.AWARDED_FULL, 1500), (B.DECLINED, 0)]),
        (autumn, [(B.AWARDED_FULL, 2000), (B.AWARDED_FULL, 1500), (B.DECLINED, 0), (B.SUBMITTED, 0)]),
    ):
        for status, awarded in decisions:
            bursary(event, status, awarded=awarded)
    feedback(spring, 5, 5, 4, 4, 5, 3, 5, 4, 5, 2)
    feedback(autumn, 5, 4, 4, 5, 5, 4, 3, 5)
    feedback(small, 5, 4)


def current_code() -> str:
    """The authenticator app's code now; near the end of its 30 seconds, the next one's, so that it is still
    the current code when the form arrives."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.2)
    return format_hotp_value(hotp_value(TOTP_SECRET, next(yield_hotp_counters_from_time())))


def counts(main, title: str) -> dict[str, str]:
    """A figures table's count column, by its row headings ("hidden" where a figure is hidden)."""
    table = main.get_by_role("table", name=title, exact=True)
    rows = table.locator("tbody tr")
    return {
        rows.nth(n).locator("th").inner_text().strip(): rows.nth(n).locator("td").first.inner_text().strip()
        for n in range(rows.count())
    }


def submit(page, button) -> None:
    """Press a form's button and wait for the page it leads to (the report's forms come back to it)."""
    with page.expect_navigation():
        button.click()


def show_last_year(page) -> None:
    """The dashboard's filters: last year, for the whole network."""
    page.get_by_label("Period", exact=True).select_option(label=str(LAST_YEAR))
    page.locator("main").get_by_role("button", name="Show the figures").click()
    page.wait_for_url(re.compile(rf"/staff/impact/\?period={LAST_YEAR}&"))


def test_an_organiser_reads_the_figures_writes_the_report_and_publishes_it(new_page):
    last_years_network()
    organiser = make_staff("organiser", email="morgan@example.org", name="Morgan Ellis")
    folder = screenshot_folder("impact")

    # 1. From the home page: sign in with the password and a code from the authenticator app; Staff, Impact.
    page = new_page()
    main = page.locator("main")
    sign_in(page, organiser.email)
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.locator("#id_code").fill(current_code())
    main.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")
    header_link(page, "Staff").click()
    page.wait_for_url("**/staff/")
    main.get_by_role("link", name="Impact", exact=True).click()
    page.wait_for_url("**/staff/impact/")
    assert page.get_by_role("heading", level=1).inner_text() == "Impact"

    # 2. Last year, the whole network: the figures counted by hand, and small ones hidden.
    show_last_year(page)
    assert main.get_by_role("heading", name=f"The whole network, {LAST_YEAR}").is_visible()
    assert counts(main, REGISTRATIONS) == {
        "Came": "30",
        # Nobody had a place and stayed away: that 0 is hidden, and the 5 still waiting with it, or the 0
        # could be worked out from the total.
        "Had a place, did not come": "hidden",
        "On the waiting list, never offered a place": "hidden",
        "Cancelled, or an offer not taken up": "8",
        "Registrations": "43",
    }
    bursaries = counts(main, "Bursaries")
    assert bursaries["Applications"] == "8"
    assert bursaries["Not awarded"] == "hidden"  # 2 people
    assert "“hidden” stands for fewer than five people" in main.inner_text()
    assert axe_violations(page) == []
    shot(page, folder, "1-dashboard-last-year")

    # 3. One table as CSV, by its link.
    with page.expect_download() as download_info:
        main.get_by_role("link", name=f"Download “{REGISTRATIONS}” as CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"impact-registrations-{LAST_YEAR}.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["figures_for", "table", "category", "count", "percent_of_total"]
    by_category = {row[2]: row for row in rows[1:]}
    assert by_category["Registrations"] == [
        f"The whole network, {LAST_YEAR}",
        REGISTRATIONS,
        "Registrations",
        "43",
        "",
    ]
    assert by_category["Came"][3:] == ["30", "70"]
    assert by_category["On the waiting list, never offered a place"][3] == "hidden"

    # 4. The small Gathering, from the activities of the period: three people, so every figure is hidden.
    main.get_by_role("link", name=SMALL, exact=True).click()
    page.wait_for_url(re.compile(r"/staff/impact/\?show=activity"))
    assert main.get_by_role("heading", name=SMALL, level=2).is_visible()
    small = counts(main, REGISTRATIONS)
    assert set(small.values()) == {"hidden"}, small
    assert len(small) == 5
    assert set(counts(main, "“I felt safe” (1 to 5)").values()) == {"hidden"}
    assert axe_violations(page) == []
    shot(page, folder, "2-small-gathering")

    # 5. The annual report for last year: write the words under the three headings and save them.
    main.get_by_role("link", name=f"The {LAST_YEAR} report").click()
    page.wait_for_url(f"**/staff/impact/report/{LAST_YEAR}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Annual report {LAST_YEAR}"
    assert "Not published: only organisers can see it." in main.inner_text()
    assert counts(main, REGISTRATIONS)["Registrations"] == "43"
    assert axe_violations(page) == []
    for heading, words in zip(HEADINGS, (ACTIVITIES, CONSULTATION, OTHER), strict=True):
        page.get_by_label(heading, exact=True).fill(words)
    submit(page, main.get_by_role("button", name="Save the words"))
    assert page.url.endswith(f"/staff/impact/report/{LAST_YEAR}/")
    assert "The report's words have been saved." in page.locator(".notices").inner_text()
    assert page.get_by_label(HEADINGS[0], exact=True).input_value() == ACTIVITIES
    assert axe_violations(page) == []
    shot(page, folder, "3-report-saved")

    # 6. The report as a PDF: the words, the three headings and the figures.
    with page.expect_download() as download_info:
        main.get_by_role("link", name="Download the report (PDF, A4)").click()
    download = download_info.value
    assert download.suggested_filename == f"impact-report-{LAST_YEAR}.pdf"
    pdf_text = re.sub(r"\s+", " ", extract_text(io.BytesIO(Path(download.path()).read_bytes())))
    for fact in (
        f"Annual impact report {LAST_YEAR}",
        ACTIVITIES,
        CONSULTATION,
        OTHER,
        *HEADINGS,
        REGISTRATIONS,
    ):
        assert fact in pdf_text, fact
    # The registrations table's column of counts and percentages, as pdfminer reads it: Came 30 (70%), two
    # hidden, 8 cancelled, 43 in all.
    assert "30 70% hidden hidden 8 43" in pdf_text, pdf_text

    # 7. Before it is published, someone not signed in finds no "Our impact" page: the home page does not
    # link it, and its addresses are not found.
    outsider = new_page()
    outsider.goto("/")
    assert outsider.get_by_role("heading", name="Our impact").count() == 0
    for address in ("/impact/", f"/impact/{LAST_YEAR}/"):
        response = outsider.goto(address)
        assert response.status == 404
        assert outsider.get_by_role("heading", level=1).inner_text() == "Page not found"

    # 8. Publish it; the public page now shows last year's report, with the words and the figures.
    submit(page, main.get_by_role("button", name="Publish on the public page"))
    assert (
        f"The {LAST_YEAR} figures are now on the public “Our impact” page."
        in page.locator(".notices").inner_text()
    )
    assert main.get_by_role("button", name="Take it off the public page").is_visible()
    assert AnnualReport.objects.get(year=LAST_YEAR).is_published
    # The outsider now finds it from the home page, by its link.
    outsider.goto("/")
    outsider.get_by_role("link", name=f"What the network did in {LAST_YEAR}: our report and figures").click()
    outsider.wait_for_url(f"**/impact/{LAST_YEAR}/")
    assert outsider.get_by_role("heading", level=1).inner_text() == f"Our impact in {LAST_YEAR}"
    public = outsider.locator("main")
    for words in (ACTIVITIES, CONSULTATION, OTHER, *HEADINGS):
        assert words in public.inner_text(), words
    assert counts(public, REGISTRATIONS)["Registrations"] == "43"
    assert SMALL not in public.inner_text()
    assert axe_violations(outsider) == []
    shot(outsider, folder, "4-public-page")

    # The organiser reaches the same page from the report, by its link.
    main.get_by_role("link", name="See the public page").click()
    page.wait_for_url(f"**/impact/{LAST_YEAR}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Our impact in {LAST_YEAR}"

    # 9. Without JavaScript, the dashboard's filters still work: the form is sent and the figures shown.
    plain = new_page(user=organiser, javascript=False)
    plain.goto("/")
    header_link(plain, "Staff").click()
    plain.wait_for_url("**/staff/")
    plain.locator("main").get_by_role("link", name="Impact", exact=True).click()
    plain.wait_for_url("**/staff/impact/")
    show_last_year(plain)
    assert counts(plain.locator("main"), REGISTRATIONS)["Registrations"] == "43"
    shot(plain, folder, "5-dashboard-without-javascript")
