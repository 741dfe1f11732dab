"""A facilitator runs a circle meeting and raises a concern; a safeguarding lead handles it. Both start at
the home page and click only what the site shows: the facilitator goes from the staff area to their circle,
follows the round-by-round guide with its timer, marks who came, and raises a concern from the circle's
page; the lead finds it in the safeguarding queue, sees which circle it came from and who raised it,
acknowledges it, records what they did, closes it, and reads the status changes back in its history."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gathering.circles.models import Attendance, CircleMembership, CircleSeries, Meeting
from gathering.support.models import Concern, ConcernNote

from ..circles.registry import published_circle
from ..factories import EventFactory, UserFactory, make_staff
from .conftest import screenshot_folder, shot

pytestmark = pytest.mark.django_db(transaction=True)

SERIES = "Tuesday evening circles"
FACILITATOR = "Robin Facilitator"
LEAD = "Alex Lead"
CAME = "Sam Member"
ALSO_CAME = "Jo Member"
STAYED_AWAY = "Kit Member"
CIRCLE_LABEL = f"Circle 1 of {SERIES}, facilitated by {FACILITATOR}"
DETAILS = "During the sharing round Kit said they had stopped eating and did not feel safe at home."


def test_facilitator_runs_a_meeting_raises_a_concern_and_a_safeguarding_lead_handles_it(new_page):
    facilitator = make_staff("facilitator", name=FACILITATOR)
    lead = make_staff("safeguarding_lead", name=LEAD)
    series, circle, came, due = published_circle(
        event=EventFactory(), facilitator=facilitator, member=UserFactory(name=CAME)
    )
    CircleSeries.objects.filter(pk=series.pk).update(name=SERIES)
    also_came, stayed_away = CircleMembership.objects.filter(circle=circle).exclude(pk=came.pk).order_by("pk")
    for membership, name in ((also_came, ALSO_CAME), (stayed_away, STAYED_AWAY)):
        membership.user.name = name
        membership.user.save(update_fields=["name"])
    # Next week's meeting is listed too; only the one that is due gets marked.
    Meeting.objects.create(circle=circle, starts_at=timezone.now() + timedelta(days=7))
    due_legend = due.starts_at.astimezone(ZoneInfo(series.time_zone)).strftime("%A %-d %B %Y, %H:%M")

    # ---------------------------------------------------------------------------------------- facilitator
    folder = screenshot_folder("facilitator")
    page = new_page(user=facilitator)
    main = page.locator("main")

    # 1. From the home page through the staff area to the circles they facilitate.
    page.goto("/")
    page.get_by_role("link", name="Staff", exact=True).first.click()
    page.wait_for_url("**/staff/")
    shot(page, folder, "1a-staff-area")
    main.get_by_role("link", name="Circles you facilitate").click()
    page.wait_for_url("**/staff/circles/facilitating/")
    shot(page, folder, "1b-circles-you-facilitate")

    # 2. Their circle: the members, the agreement and the rounds.
    main.get_by_role("link", name=re.compile(f"^{SERIES}: ")).click()
    page.wait_for_url(f"**/staff/circles/facilitating/{circle.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"{SERIES}: ")
    members = main.get_by_role("table", name="Members of this circle")
    for name in (CAME, ALSO_CAME, STAYED_AWAY):
        assert members.get_by_role("cell", name=name, exact=True).is_visible()
    shot(page, folder, "2-their-circle")

    # 3. Run the meeting: the first round's timer, started and paused.
    guide = main.locator("[data-round-guide]")
    assert guide.locator("li").first.inner_text().startswith("Arriving and the agreement (10 minutes)")
    timer = guide.locator("[role=timer]").first
    assert timer.inner_text() == "10:00"
    guide.get_by_role("button", name="Start timer").first.click()
    page.wait_for_function("timer => timer.textContent !== '10:00'", arg=timer.element_handle())
    assert re.fullmatch(r"9:5\d", timer.inner_text())
    shot(page, folder, "3a-round-timer-running")
    guide.get_by_role("button", name="Pause timer").click()
    assert guide.get_by_role("button", name="Resume timer").is_visible()

    # 4. Mark who came to the meeting that is due, and save.
    meeting = main.locator("form", has=page.get_by_role("group", name=due_legend))
    meeting.get_by_label(CAME).check()
    meeting.get_by_label(ALSO_CAME).check()
    shot(page, folder, "4a-attendance")
    meeting.get_by_role("button", name=re.compile("^Save attendance")).click()
    main.get_by_role("status").get_by_text("Attendance saved.").wait_for()
    assert meeting.get_by_label(CAME).is_checked()
    assert meeting.get_by_label(ALSO_CAME).is_checked()
    assert not meeting.get_by_label(STAYED_AWAY).is_checked()
    shot(page, folder, "4b-attendance-saved")
    marks = {(mark.membership_id, mark.present) for mark in Attendance.objects.filter(meeting__circle=circle)}
    assert marks == {(came.pk, True), (also_came.pk, True), (stayed_away.pk, False)}
    assert not Attendance.objects.exclude(meeting=due).exists()

    # 5. Raise a concern about what came up, from the circle's page.
    main.get_by_role("link", name="Raise a concern").click()
    page.wait_for_url("**/help/concern/**")
    page.get_by_role("radio", name="Serious, but no one is in danger right now").check()
    page.get_by_label("What happened, or what worries you?").fill(DETAILS)
    page.get_by_label("Who is involved? (optional)").fill(STAYED_AWAY)
    shot(page, folder, "5a-concern-form")
    main.get_by_role("button", name="Send to the safeguarding leads").click()
    page.get_by_role("heading", level=1, name="Thank you. Your concern has been sent").wait_for()
    concern = Concern.objects.get()
    assert concern.reference in main.inner_text()
    shot(page, folder, "5b-concern-sent")
    assert (concern.reporter, concern.severity, concern.status) == (
        facilitator,
        Concern.Severity.HIGH,
        Concern.Status.NEW,
    )
    assert (concern.raised_from_label, concern.raised_from_path) == (CIRCLE_LABEL, series.get_absolute_url())

    # ---------------------------------------------------------------------------------- safeguarding lead
    folder = screenshot_folder("safeguarding_lead")
    page = new_page(user=lead)
    main = page.locator("main")

    # 6. From the home page through the staff area to the queue, where the new concern waits.
    page.goto("/")
    page.get_by_role("link", name="Staff", exact=True).first.click()
    page.wait_for_url("**/staff/")
    main.get_by_role("link", name="Safeguarding").click()
    page.wait_for_url("**/staff/safeguarding/")
    row = main.get_by_role("row", name=re.compile(concern.reference))
    assert "Serious, but no one is in danger right now" in row.inner_text()
    assert "New" in row.inner_text()
    shot(page, folder, "6-queue")

    # 7. The concern names the circle it came from and the facilitator who raised it.
    row.get_by_role("link", name=concern.reference).click()
    page.wait_for_url(f"**/staff/safeguarding/{concern.pk}/")
    summary = main.locator("dl.summary-list")
    assert summary.get_by_role("link", name=CIRCLE_LABEL).get_attribute("href") == series.get_absolute_url()
    assert f"{FACILITATOR} ({facilitator.email})" in summary.inner_text()
    assert DETAILS in summary.inner_text()
    assert STAYED_AWAY in summary.inner_text()
    assert "Nothing recorded yet." in main.inner_text()
    shot(page, folder, "7-concern")

    # 8. Acknowledge it and take it on.
    page.get_by_label("Status").select_option(label="Acknowledged")
    page.get_by_label("I will handle this").check()
    page.get_by_label("Note (optional)").fill("Read it; calling the facilitator this evening.")
    main.get_by_role("button", name="Save").click()
    main.get_by_text("Status: New → Acknowledged").wait_for()
    assert main.get_by_role("status").inner_text() == "Saved."
    assert f"Acknowledged, handled by {LEAD}" in summary.inner_text()
    shot(page, folder, "8-acknowledged")

    # 9. Record the call, then close it.
    page.get_by_label("Status").select_option(label="Being handled")
    page.get_by_label("What you did (optional)").select_option(label="Contacted the person")
    page.get_by_label("Note (optional)").fill("Spoke with Kit; they agreed to a referral to their GP.")
    main.get_by_role("button", name="Save").click()
    main.get_by_text("Status: Acknowledged → Being handled").wait_for()
    page.get_by_label("Status").select_option(label="Closed")
    page.get_by_label("What you did (optional)").select_option(label="Referred to another service")
    page.get_by_label("Note (optional)").fill("GP referral made; nothing more for us to do.")
    main.get_by_role("button", name="Save").click()
    main.get_by_text("Status: Being handled → Closed").wait_for()
    assert f"Closed, handled by {LEAD}" in summary.inner_text()

    # 10. The history shows each status change and note, oldest first, by the lead.
    history = [entry.inner_text() for entry in main.locator(".inset").all()]
    assert [entry.split(" – ")[0] for entry in history] == [
        "Status: New → Acknowledged",
        "Note",
        "Status: Acknowledged → Being handled",
        "Contacted the person",
        "Status: Being handled → Closed",
        "Referred to another service",
    ]
    assert all(f" – {LEAD}, " in entry for entry in history)
    shot(page, folder, "10-history")
    concern.refresh_from_db()
    assert (concern.status, concern.assigned_to) == (Concern.Status.CLOSED, lead)
    assert concern.acknowledged_at is not None and concern.closed_at is not None
    assert list(concern.notes.values_list("action", flat=True)) == [
        ConcernNote.Action.NOTE,
        ConcernNote.Action.CONTACTED,
        ConcernNote.Action.REFERRED,
    ]

    # 11. Back in the queue it has gone from the open list and shows with the closed ones.
    main.get_by_role("link", name="All concerns").click()
    page.wait_for_url("**/staff/safeguarding/")
    assert main.get_by_role("link", name=concern.reference).count() == 0
    main.get_by_role("link", name="Show closed concerns too").click()
    page.wait_for_url("**/staff/safeguarding/?closed=1")
    row = main.get_by_role("row", name=re.compile(concern.reference))
    assert "Closed" in row.inner_text()
    assert LEAD in row.inner_text()
    shot(page, folder, "11-queue-with-closed")
