"""Organisers' side of Gatherings, continued: web addresses from titles, previews of drafts, copying a
Gathering, ticket prices and names, and feedback reachable from My Gatherings and by email."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from gathering.core.models import OutboxMessage
from gathering.events.feedback import feedback_invite_due, registration_from_token
from gathering.events.models import (
    BursaryApplication,
    Event,
    FeedbackQuestion,
    FeedbackReceipt,
    Question,
    Registration,
    TicketType,
)
from gathering.events.services import event_copy
from gathering.privacy.models import AuditEntry
from gathering.programme.models import Programme, Room, Session, Slot

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")

NEW = {
    "title": "Summer Gathering",
    "slug": "",
    "summary": "A day together.",
    "kind": "gathering",
    "format": "online",
    "online_join_url": "https://meet.example.org/summer",
    "time_zone": "Europe/London",
    "starts_at": "2027-07-01T10:00",
    "ends_at": "2027-07-01T16:00",
    "offer_hours": "48",
    "status": "draft",
}


# ------------------------------------------------------------------------------ web address from the title


def test_web_address_is_made_from_the_title_when_left_empty():
    client = signed_in(make_staff("organiser"))
    assert client.post("/staff/gatherings/new/", NEW).status_code == 302
    assert client.post("/staff/gatherings/new/", NEW).status_code == 302
    assert sorted(Event.objects.values_list("slug", flat=True)) == ["summer-gathering", "summer-gathering-2"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [("Past", "past-2"), ("New!", "new-2"), ("Venues", "venues-2"), ("???", "gathering")],
)
def test_web_address_never_shadows_a_fixed_page(title, expected):
    client = signed_in(make_staff("organiser"))
    assert client.post("/staff/gatherings/new/", {**NEW, "title": title}).status_code == 302
    assert Event.objects.get().slug == expected


def test_a_typed_web_address_that_is_a_fixed_page_is_refused():
    response = signed_in(make_staff("organiser")).post("/staff/gatherings/new/", {**NEW, "slug": "past"})
    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [
        "That web address is used by another page. Choose a different one."
    ]
    assert Event.objects.count() == 0


def test_editing_with_an_empty_web_address_keeps_the_old_one():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], slug="kept-address", format="online", venue=None)
    form = {**NEW, "title": "A new title", "status": "draft"}
    assert signed_in(organiser).post(f"/staff/gatherings/{event.slug}/edit/", form).status_code == 302
    event.refresh_from_db()
    assert (event.slug, event.title) == ("kept-address", "A new title")


# ------------------------------------------------------------------------------------ preview of a draft


@pytest.fixture
def draft():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], status="draft", slug="quiet-draft")
    TicketTypeFactory(event=event)
    return event, organiser


def test_organisers_and_administrators_preview_a_draft(draft):
    _event, organiser = draft
    for person in (organiser, make_staff("admin")):
        response = signed_in(person).get("/gatherings/quiet-draft/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Preview: this Gathering is not published yet. Only organisers can see this page." in html
        assert "/gatherings/quiet-draft/register/" not in html
        assert "Registration opens when the Gathering is published." in html
        assert {"private", "no-store"} <= {p.strip() for p in response["Cache-Control"].split(",")}


def test_a_draft_is_not_found_by_anyone_else(draft):
    _event, _organiser = draft
    others = [Client(), signed_in(UserFactory()), signed_in(make_staff("organiser"))]
    for client in others:
        for path in ("/gatherings/quiet-draft/", "/gatherings/quiet-draft/calendar.ics"):
            assert client.get(path).status_code == 404, path
    for client in others[1:]:
        assert client.get("/gatherings/quiet-draft/register/").status_code == 404


def test_staff_pages_of_a_draft_link_to_its_preview(draft):
    event, organiser = draft
    client = signed_in(organiser)
    for page in ("edit/", "setup/"):
        html = client.get(f"/staff/gatherings/{event.slug}/{page}").content.decode()
        assert 'href="/gatherings/quiet-draft/">Preview' in html, page


# ------------------------------------------------------------------------------------------------ copying


@pytest.fixture
def source():
    organiser = make_staff("organiser")
    start = datetime(2026, 3, 14, 10, 0, tzinfo=LONDON)
    event = EventFactory(
        organisers=[organiser],
        title="Spring Gathering 2026",
        slug="spring-2026",
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        description="Come as you are.",
        learning_outcomes="Listen\nPlan",
        capacity=40,
        time_zone="Europe/London",
        registration_closes_at=start - timedelta(days=2),
        online_join_url="https://meet.example.org/secret-room",
    )
    TicketType.objects.create(event=event, name="Standard", kind="fixed", price_minor=2500, position=1)
    TicketType.objects.create(
        event=event, name="Pay what you can", kind="pay_what_you_can", floor_minor=0, position=2
    )
    supported = TicketType.objects.create(
        event=event, name="Supported", kind="supported", invitation_code="LAST-YEAR", position=3
    )
    parent = Question.objects.create(event=event, text="Staying overnight?", kind="yes_no", position=1)
    Question.objects.create(
        event=event,
        text="Which night?",
        kind="choice",
        choices=["Fri", "Sat"],
        depends_on=parent,
        depends_value="yes",
        position=2,
    )
    FeedbackQuestion.objects.create(event=event, text="Was the food good?")
    programme = Programme.objects.create(
        event=event, cfp_opens_at=start - timedelta(days=60), cfp_closes_at=start - timedelta(days=20)
    )
    morning = Slot.objects.create(programme=programme, starts_at=start, ends_at=start + timedelta(hours=1))
    Slot.objects.create(
        programme=programme,
        starts_at=start + timedelta(hours=3),
        ends_at=start + timedelta(hours=4),
        is_break=True,
        label="Lunch",
    )
    hall = Room.objects.create(programme=programme, name="Hall", capacity=60, features=["step_free"])
    hall.unavailable_slots.add(morning)
    Session.objects.create(programme=programme, title="A proposal", description="From someone")
    person = UserFactory()
    Registration.objects.create(
        event=event, ticket_type=supported, name="P", email=person.email, user=person, status="confirmed"
    )
    BursaryApplication.objects.create(event=event, name="P", email=person.email, support=["travel"])
    return event, organiser


def test_copy_keeps_the_setup_and_shifts_the_dates(source):
    event, organiser = source
    retired = make_staff("organiser")
    event.organisers.add(retired)
    retired.groups.clear()  # no longer an organiser
    new_start = datetime(2027, 4, 10, 10, 0, tzinfo=LONDON)  # across a clock change: still 10:00 local

    copy = event_copy(actor=organiser, source=event, title="Spring Gathering 2027", starts_at=new_start)

    assert (copy.title, copy.slug, copy.status) == ("Spring Gathering 2027", "spring-gathering-2027", "draft")
    assert copy.starts_at == new_start
    assert copy.ends_at == datetime(2027, 4, 10, 17, 0, tzinfo=LONDON)
    assert copy.registration_closes_at == datetime(2027, 4, 8, 10, 0, tzinfo=LONDON)
    same = (
        "venue_id",
        "format",
        "kind",
        "description",
        "learning_outcomes",
        "capacity",
        "time_zone",
        "summary",
    )
    assert [getattr(copy, f) for f in same] == [getattr(event, f) for f in same]
    assert copy.online_join_url == ""
    assert list(copy.organisers.all()) == [organiser]
    assert [
        (t.name, t.kind, t.price_minor, t.floor_minor, t.invitation_code) for t in copy.ticket_types.all()
    ] == [
        ("Standard", "fixed", 2500, 0, ""),
        ("Pay what you can", "pay_what_you_can", 0, 0, ""),
        ("Supported", "supported", 0, 0, ""),
    ]
    parent, child = copy.questions.all()
    assert (child.text, child.choices, child.depends_on, child.depends_value) == (
        "Which night?",
        ["Fri", "Sat"],
        parent,
        "yes",
    )
    assert list(copy.feedback_questions.values_list("text", flat=True)) == ["Was the food good?"]
    programme = copy.programme
    assert programme.cfp_closes_at == datetime(2027, 3, 21, 10, 0, tzinfo=LONDON)
    assert programme.published_at is None
    assert [(s.starts_at, s.is_break, s.label) for s in programme.slots.all()] == [
        (new_start, False, ""),
        (new_start + timedelta(hours=3), True, "Lunch"),
    ]
    hall = programme.rooms.get()
    assert (hall.name, hall.capacity, hall.features) == ("Hall", 60, ["step_free"])
    assert list(hall.unavailable_slots.all()) == [programme.slots.first()]
    # None of the people
    assert not copy.registrations.exists()
    assert not copy.bursary_applications.exists()
    assert not programme.sessions.exists()
    assert not programme.reviewers.exists()
    assert AuditEntry.objects.filter(
        action="changed", subject_type="events.event", subject_id=str(copy.pk)
    ).exists()


def test_copy_page_makes_a_draft_and_opens_it(source):
    _event, organiser = source
    client = signed_in(organiser)
    page = client.get("/staff/gatherings/spring-2026/copy/")
    assert page.status_code == 200
    assert page.context["form"].initial["title"] == "Spring Gathering 2026"
    response = client.post(
        "/staff/gatherings/spring-2026/copy/", {"title": "Spring Gathering 2027", "starts_on": "2027-04-10"}
    )
    copy = Event.objects.get(slug="spring-gathering-2027")
    assert response.status_code == 302
    assert response["Location"] == "/staff/gatherings/spring-gathering-2027/edit/"
    assert copy.starts_at == datetime(2027, 4, 10, 10, 0, tzinfo=LONDON)
    assert copy.status == "draft"


def test_copy_page_shows_errors_in_the_summary(source):
    _event, organiser = source
    response = signed_in(organiser).post(
        "/staff/gatherings/spring-2026/copy/", {"title": "", "starts_on": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "title": ["Enter a title"],
        "starts_on": ["Enter the date the new Gathering starts"],
    }
    assert Event.objects.count() == 1


def test_only_those_who_manage_the_source_may_copy_it(source):
    event, _organiser = source
    outsider = make_staff("organiser")
    response = signed_in(outsider).post(
        "/staff/gatherings/spring-2026/copy/", {"title": "Mine now", "starts_on": "2027-04-10"}
    )
    assert response.status_code == 404
    assert signed_in(outsider).get("/staff/gatherings/spring-2026/copy/").status_code == 404
    assert signed_in(UserFactory()).get("/staff/gatherings/spring-2026/copy/").status_code == 403
    with pytest.raises(PermissionDenied):
        event_copy(actor=outsider, source=event, title="Mine now", starts_at=timezone.now())
    assert Event.objects.count() == 1
    admin = make_staff("admin")
    assert signed_in(admin).get("/staff/gatherings/spring-2026/copy/").status_code == 200


def test_staff_pages_link_to_copy(source):
    _event, organiser = source
    client = signed_in(organiser)
    for path in ("/staff/gatherings/", "/staff/gatherings/spring-2026/setup/"):
        assert 'href="/staff/gatherings/spring-2026/copy/"' in client.get(path).content.decode(), path


# ------------------------------------------------------------------------------- ticket prices and names


def test_ticket_lists_show_prices():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser], slug="priced")
    TicketType.objects.create(event=event, name="Standard", kind="fixed", price_minor=1250, position=1)
    TicketType.objects.create(
        event=event,
        name="Flexible",
        kind="pay_what_you_can",
        floor_minor=500,
        suggested_minor=[1500],
        position=2,
    )
    TicketType.objects.create(event=event, name="Gift", kind="fixed", price_minor=0, position=3)
    TicketType.objects.create(event=event, name="Helped", kind="supported", position=4)
    TicketType.objects.create(event=event, name="Solidarity", kind="solidarity", price_minor=4000, position=5)
    expected = [
        "£12.50",
        "Pay what you can, from £5, suggested £15",
        "Free",
        "Supported place: free, with an invitation code or a bursary",
        "From £40, to fund other people's places",
    ]
    staff = signed_in(organiser).get("/staff/gatherings/priced/setup/").content.decode()
    public = Client().get("/gatherings/priced/").content.decode()
    for text in expected:
        escaped = text.replace("'", "&#x27;")
        assert escaped in staff, text
        assert escaped in public, text


def test_a_ticket_name_is_unique_per_gathering_whatever_its_case():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser])
    TicketTypeFactory(event=event, name="Standard")
    TicketTypeFactory(event=EventFactory(), name="Early bird")  # another Gathering's name is free to use
    client = signed_in(organiser)
    form = {"name": "standard", "kind": "fixed", "price": "10", "active": "on", "position": "2"}
    response = client.post(f"/staff/gatherings/{event.slug}/tickets/new/", form)
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "There is already a ticket called standard for this Gathering"
    ]
    response = client.post(f"/staff/gatherings/{event.slug}/tickets/new/", {**form, "name": "Early bird"})
    assert response.status_code == 302
    assert event.ticket_types.count() == 2


def test_the_database_refuses_a_second_ticket_of_the_same_name():
    from django.db import IntegrityError, transaction

    event = EventFactory()
    TicketTypeFactory(event=event, name="Standard")
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketType.objects.create(event=event, name="STANDARD")


def test_renaming_a_ticket_to_its_own_name_is_allowed():
    organiser = make_staff("organiser")
    event = EventFactory(organisers=[organiser])
    ticket = TicketTypeFactory(event=event, name="Standard")
    form = {"name": "STANDARD", "kind": "fixed", "price": "10", "active": "on", "position": "1"}
    response = signed_in(organiser).post(f"/staff/gatherings/{event.slug}/tickets/{ticket.pk}/", form)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.name, ticket.price_minor) == ("STANDARD", 1000)


# ------------------------------------------------------------------------------------------------- feedback


@pytest.fixture
def ended():
    """A Gathering that ended 25 hours ago, with people in every state."""
    start = timezone.now() - timedelta(hours=31)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=6), slug="ended")
    ticket = TicketTypeFactory(event=event)
    people = {}
    for status in ("confirmed", "pending_payment", "waitlisted", "cancelled", "offered"):
        user = UserFactory()
        people[status] = Registration.objects.create(
            event=event,
            ticket_type=ticket,
            user=user,
            name=status,
            email=user.email,
            status=status,
            waitlisted_at=timezone.now() if status == "waitlisted" else None,
            offer_expires_at=timezone.now() if status == "offered" else None,
        )
    checked_in = UserFactory()
    people["checked_in"] = Registration.objects.create(
        event=event,
        ticket_type=ticket,
        user=checked_in,
        name="checked in",
        email=checked_in.email,
        status="pending_payment",
        checked_in_at=start,
    )
    return event, people


def test_my_gatherings_offers_feedback_to_those_who_came(ended):
    _event, people = ended
    for status in ("confirmed", "checked_in"):
        html = signed_in(people[status].user).get("/my/gatherings/").content.decode()
        assert "Give feedback" in html, status
        token = re.search(r'href="/gatherings/ended/feedback/\?t=([^"]+)"', html).group(1)
        assert registration_from_token(token) == people[status]
    for status in ("pending_payment", "waitlisted", "offered"):
        html = signed_in(people[status].user).get("/my/gatherings/").content.decode()
        assert "Give feedback" not in html, status


def test_my_gatherings_thanks_those_who_gave_feedback(ended):
    _event, people = ended
    FeedbackReceipt.objects.create(registration=people["confirmed"])
    html = signed_in(people["confirmed"].user).get("/my/gatherings/").content.decode()
    assert "Give feedback" not in html
    assert "Thank you, we have your feedback" in html


def test_no_feedback_link_before_the_gathering_ends():
    event = EventFactory()
    user = UserFactory()
    Registration.objects.create(
        event=event,
        ticket_type=TicketTypeFactory(event=event),
        user=user,
        name="P",
        email=user.email,
        status="confirmed",
    )
    assert "Give feedback" not in signed_in(user).get("/my/gatherings/").content.decode()


def test_feedback_email_goes_the_day_after_once_to_each_attendee(ended, settings):
    settings.GATHERING_BASE_URL = "https://gathering.example.org"
    event, people = ended
    opted_out = UserFactory(email_reminders=False)
    Registration.objects.create(
        event=event,
        ticket_type=event.ticket_types.get(),
        user=opted_out,
        name="quiet",
        email=opted_out.email,
        status="confirmed",
    )
    # Not yet: the Gathering ended less than a day before.
    assert feedback_invite_due(now=event.ends_at + timedelta(hours=20)) == 0
    assert feedback_invite_due() == 2
    assert feedback_invite_due() == 0
    assert feedback_invite_due(now=timezone.now() + timedelta(days=1)) == 0
    messages = OutboxMessage.objects.filter(kind="feedback_invitation").order_by("pk")
    assert sorted(m.to[0] for m in messages) == sorted(
        [people["confirmed"].email, people["checked_in"].email]
    )
    # The emailed link opens this person's form.
    message = messages.get(to=[people["confirmed"].email])
    link = next(
        word for word in message.body_text.split() if word.startswith("https://gathering.example.org/")
    )
    parts = urlsplit(link)
    response = Client().get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200
    assert response.context["event"] == event
    response = Client().post(parts.path, {"t": response.context["token"], "felt_safe": "5"})
    assert "Thank you for your feedback" in response.content.decode()
    assert FeedbackReceipt.objects.get().registration == people["confirmed"]


def test_feedback_email_is_not_sent_for_long_past_gatherings(ended):
    event, _people = ended
    assert feedback_invite_due(now=event.ends_at + timedelta(days=8)) == 0
