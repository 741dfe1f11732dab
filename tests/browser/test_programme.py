"""The programme in a real browser: the printable board fits one A3 landscape sheet, marking interest works
without JavaScript and in place with it, the timetable turns into a list on phones, and the venue display
refreshes itself."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gathering.programme.models import Interest, Room, Session, Slot

from ..programme.attendee_data import attendee, programme_for, publish
from .conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

# A3 landscape in PDF points (1/72 inch): 420 mm x 297 mm.
A3_LANDSCAPE = (420 / 25.4 * 72, 297 / 25.4 * 72)
TITLES = [
    "Hearing voices: what helps and what does not",
    "Open Dialogue in practice: the first meeting",
    "Peer support on acute wards",
    "Writing our own crisis plans",
    "Recovery colleges: learning together",
    "Listening without fixing",
    "Running a sharing circle online",
    "Families and carers: being heard too",
]


def demo_programme():
    """The size of the demo Gathering: two days of four slots (and a lunch break), six rooms, 40 sessions."""
    programme = programme_for()
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=30)
    slots = []
    for day in range(2):
        for hour, is_break in ((0, False), (1, False), (3, True), (4, False), (5, False)):
            at = start + timedelta(days=day, hours=hour + (1 if hour >= 3 else 0))
            slots.append(
                Slot.objects.create(
                    programme=programme,
                    starts_at=at,
                    ends_at=at + timedelta(hours=1),
                    is_break=is_break,
                    label="Lunch" if is_break else "",
                )
            )
    rooms = [
        Room.objects.create(programme=programme, name=name, capacity=30, position=i, features=["step_free"])
        for i, name in enumerate(
            ["Main hall", "Garden room", "Library", "Quiet room", "Studio", "Online room"]
        )
    ]
    sessions = [s for s in slots if not s.is_break]
    for n in range(40):
        Session.objects.create(
            programme=programme,
            title=f"{TITLES[n % len(TITLES)]} ({n + 1})",
            slot=sessions[n // 6 if n < 48 else 0],
            room=rooms[n % 6],
            status="scheduled",
        )
    publish(programme)
    return programme


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The (width, height) of each page of a PDF written by Chromium, in points."""
    pages = re.findall(
        rb"/Type\s*/Page\b(?!s).*?/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", pdf, re.S
    )
    if not pages:  # the MediaBox may come before /Type in the page dictionary
        pages = re.findall(
            rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\][^>]*?/Type\s*/Page\b(?!s)",
            pdf,
            re.S,
        )
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in pages]


def test_the_printable_board_fits_one_a3_landscape_sheet(new_page):
    programme = demo_programme()
    page = new_page()
    page.goto(f"/gatherings/{programme.event.slug}/programme/print/")
    assert page.locator("table.grid").count() == 2
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    sizes = pdf_pages(pdf)
    assert len(sizes) == 1, sizes
    (width, height) = sizes[0]
    assert abs(width - A3_LANDSCAPE[0]) < 2 and abs(height - A3_LANDSCAPE[1]) < 2
    assert axe_violations(page) == []


def test_marking_interest_without_javascript(new_page):
    programme = demo_programme()
    page = new_page("participant", javascript=False)
    attendee(programme.event, page.user)
    page.goto(f"/gatherings/{programme.event.slug}/programme/board/")
    first = Session.objects.order_by("-created_at", "-pk").first()
    page.get_by_role("button", name=f"Really want to attend “{first.title}”").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/programme/board/")
    assert f"Your mark on “{first.title}” is saved." in page.locator(".notices").inner_text()
    assert Interest.objects.get(user=page.user).level == 2
    button = page.get_by_role("button", name=f"Really want to attend “{first.title}”")
    assert button.get_attribute("aria-pressed") == "true"
    button.click()  # pressing again takes the mark back
    page.wait_for_load_state("load")
    assert not Interest.objects.filter(user=page.user).exists()


def test_marking_interest_with_htmx_swaps_in_place(new_page):
    programme = demo_programme()
    page = new_page("participant")
    attendee(programme.event, page.user)
    page.goto(f"/gatherings/{programme.event.slug}/programme/board/")
    page.evaluate("window.stayedOnThePage = true")
    first = Session.objects.order_by("-created_at", "-pk").first()
    button = page.get_by_role("button", name=f"Would like to attend “{first.title}”")
    button.focus()
    page.keyboard.press("Enter")
    pressed = page.locator(f"button[aria-pressed=true]:has-text('{first.title}')")
    pressed.wait_for()
    assert page.evaluate("window.stayedOnThePage") is True  # no page load: the form was swapped in place
    # Keyboard and screen reader users stay on the button they pressed, now announced as pressed.
    assert page.evaluate("document.activeElement.id") == f"interest-{first.pk}-1"
    assert "1 would like" in page.locator(".interest").first.inner_text()
    assert Interest.objects.get(user=page.user).level == 1
    assert axe_violations(page) == []


@pytest.mark.parametrize(("width", "table", "listing"), [(375, False, True), (1280, True, False)])
def test_the_timetable_is_a_list_on_phones_and_a_table_on_wide_screens(new_page, width, table, listing):
    programme = demo_programme()
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/gatherings/{programme.event.slug}/programme/")
    assert page.locator("table.grid").first.is_visible() is table
    assert page.locator("ol.grid-list").first.is_visible() is listing
    assert axe_violations(page) == []


def test_the_venue_display_refreshes_itself_without_sign_in_or_javascript(new_page):
    programme = demo_programme()
    page = new_page(javascript=False)
    response = page.goto(f"/gatherings/{programme.event.slug}/programme/now/?key={programme.display_key}")
    assert response.status == 200
    assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "60"
    assert page.locator("h1").inner_text().startswith("Now and next")
    # The display is an unattended screen on the venue wall: refreshing is essential to it (WCAG 2.2.1's
    # essential exception), so axe's meta-refresh rule is the one rule not applied here. The same page
    # opened by a person (an organiser, without the key) does not refresh and passes every rule in
    # tests/browser/test_pages.py.
    page = new_page()
    page.goto(f"/gatherings/{programme.event.slug}/programme/now/?key={programme.display_key}")
    assert [v for v in axe_violations(page) if v["id"] != "meta-refresh"] == []


def test_before_publication_the_timetable_shows_the_board_accessibly(new_page):
    programme = programme_for()
    Session.objects.create(programme=programme, title="Hearing voices together")
    page = new_page()
    page.goto(f"/gatherings/{programme.event.slug}/programme/")
    assert "The timetable is not out yet." in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Hearing voices together").is_visible()
    assert axe_violations(page) == []


def test_a_bad_proposal_shows_an_accessible_error_summary(new_page):
    programme = programme_for()
    page = new_page("participant")
    attendee(programme.event, page.user)
    page.goto(f"/gatherings/{programme.event.slug}/programme/propose/")
    page.get_by_role("button", name="Post it on the board").click()
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert "Enter a title" in page.locator(".error-summary").inner_text()
    assert Session.objects.count() == 0
    assert axe_violations(page) == []
    page.fill("#id_title", "Walking and talking")
    page.get_by_role("button", name="Post it on the board").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Walking and talking"


def test_interest_marks_work_in_place_under_the_content_security_policy(new_page):
    programme = demo_programme()
    page = new_page("participant", bypass_csp=False)
    attendee(programme.event, page.user)
    complaints = []
    page.on("console", lambda message: complaints.append(message.text))
    page.goto(f"/gatherings/{programme.event.slug}/programme/board/")
    page.evaluate("window.stayedOnThePage = true")
    first = Session.objects.order_by("-created_at", "-pk").first()
    page.get_by_role("button", name=f"Really want to attend “{first.title}”").click()
    page.locator(f"#interest-{first.pk}-2[aria-pressed=true]").wait_for()
    assert page.evaluate("window.stayedOnThePage") is True
    assert [c for c in complaints if "Content Security Policy" in c] == []
    assert Interest.objects.get(user=page.user).level == 2
