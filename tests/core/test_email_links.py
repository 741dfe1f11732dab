"""Every email the project sends, triggered by the real action, with every link in it followed against the
running test server: each opens (200), or asks a signed-out reader to sign in first. A new email template
that no test here sends makes the test fail."""

import re
import urllib.error
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.test.signals import template_rendered
from django.utils import timezone

from gathering.accounts.services import account_delete
from gathering.circles.jobs import feedback_invitations_job as circles_feedback_job
from gathering.circles.models import CircleMembership, Meeting
from gathering.circles.services import circle_invite, circles_form, circles_publish, membership_remove
from gathering.events.bursaries import bursary_apply, bursary_decide
from gathering.events.jobs import expire_offers_job, online_reminders_job, reminders_job
from gathering.events.jobs import feedback_invitations_job as events_feedback_job
from gathering.events.models import BursaryFund
from gathering.events.services import (
    RegistrationInput,
    event_message_attendees,
    event_save,
    registration_cancel,
    registration_create,
)
from gathering.programme.models import Session
from gathering.programme.services import (
    ProposalInput,
    proposal_decide,
    proposal_submit,
    timetable_optimise_request,
    timetable_publish,
    timetable_run_execute,
)

from ..circles.helpers import series_with
from ..conftest import signed_in
from ..factories import PASSWORD, EventFactory, TicketTypeFactory, UserFactory, make_staff
from ..programme.staff_data import make_programme, open_session
from .email_templates import email_body_templates

LINK = re.compile(r"https?://[^\s<>\"]+")
ALLAUTH_EMAILS = {
    "account/email/email_confirmation_signup",
    "account/email/email_confirmation",
    "account/email/password_reset_key",
    "account/email/unknown_account",
    "account/email/account_already_exists",
    "account/email/login_code",
}
# Links the organisers set to another service (an online Gathering's meeting room): each must be in its email,
# and is not followed, as the test server does not serve it.
JOIN_URL = "https://meet.example.org/evening-circle"
ELSEWHERE = {JOIN_URL}


def every_email_template() -> set[str]:
    names = {name.removesuffix(".txt") for name in email_body_templates((".txt",))}
    # The allauth wrapper is sent as each account email below.
    return (names - {"email/accounts/allauth"}) | ALLAUTH_EMAILS


@pytest.fixture
def rendered():
    """The email templates rendered while the test runs (the test environment reports each rendering)."""
    names: set[str] = set()

    def record(sender, template, context, **kwargs):
        name = template.name or ""
        if name.startswith(("email/", "account/email/")) and name.endswith(".txt"):
            name = name.removesuffix(".txt")
            names.add(name.removesuffix("_message") if name.startswith("account/") else name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def links(message: mail.EmailMessage) -> set[str]:
    found = set(LINK.findall(message.body))
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            found |= set(re.findall(r'href="(https?://[^"]+)"', content))
    return {link.rstrip(".,;:)").replace("&amp;", "&") for link in found}


def opens(url: str) -> tuple[bool, str]:
    """Follow `url` (and its redirects) as a signed-out reader: 200, or the sign-in page."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    try:
        with opener.open(url, timeout=10) as response:
            final = urlsplit(response.geturl()).path
            return response.status == 200, f"{response.status} {final}"
    except urllib.error.HTTPError as error:
        return False, f"{error.code} {urlsplit(error.geturl()).path}"


def register(event, person):
    ticket = event.ticket_types.first()
    data = RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email)
    return registration_create(event=event, user=person, data=data).registration


def send_online_gathering_emails() -> None:
    """An online Gathering: the joining link a day before, from the online reminders job."""
    start = timezone.now() + timedelta(days=3)
    event = EventFactory(
        format="online",
        venue=None,
        online_join_url=JOIN_URL,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    TicketTypeFactory(event=event)
    register(event, UserFactory())
    online_reminders_job(now=start - timedelta(hours=23, minutes=55))


def send_feedback_invitations() -> None:
    """The survey invitation the day after a Gathering, to the people who came."""
    start = timezone.now() + timedelta(days=1)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=6))
    TicketTypeFactory(event=event)
    register(event, UserFactory())
    events_feedback_job(now=event.ends_at + timedelta(days=1, hours=1))


def send_circles_emails() -> None:
    """Circles: an invitation, the published circles to members and their facilitator, the invitation to give
    feedback after the first meeting, and a removal by the facilitator."""
    series, organiser, _pool, people = series_with(4, 1, first_meets_at=timezone.now() + timedelta(days=2))
    circle_invite(series=series, actor=organiser, email="guest@example.org")
    circles_form(series=series, actor=organiser, time_limit=1)
    circles_publish(series=series, actor=organiser)
    meeting = Meeting.objects.filter(circle__series=series).earliest("starts_at")
    circles_feedback_job(now=meeting.starts_at + timedelta(hours=3))
    membership = CircleMembership.objects.select_related("circle__facilitator").get(pk=people[0].pk)
    membership_remove(
        membership=membership, actor=membership.circle.facilitator, reason="Broke the agreement"
    )


def send_programme_emails() -> None:
    """The programme: a declined proposal, a session placed by the first timetable and moved by the next, and
    the organisers told when its facilitator deletes their account."""
    programme, organiser = make_programme(slots=2, rooms=1)
    programme.cfp_opens_at = timezone.now() - timedelta(days=1)
    programme.cfp_closes_at = timezone.now() + timedelta(days=10)
    programme.save(update_fields=["cfp_opens_at", "cfp_closes_at"])
    proposal = proposal_submit(
        programme=programme,
        proposer=UserFactory(),
        data=ProposalInput(
            title="Hearing Voices groups",
            description="Starting one.",
            format="talk",
            length=1,
            expected_size=None,
            needs=[],
        ),
    )
    proposal_decide(session=proposal, actor=organiser, accept=False)

    host = UserFactory()
    made = open_session(programme, "Listening without fixing", facilitators=[host])
    publish_timetable(programme, organiser)
    session = Session.objects.select_related("room", "slot").get(pk=made.pk)
    session.room.unavailable_slots.add(session.slot)
    publish_timetable(programme, organiser)
    # "The timetable:" in both emails leads to the timetable itself, not only to the Gathering's page.
    timetable = f"{settings.GATHERING_BASE_URL}/gatherings/{programme.event.slug}/programme/"
    told = [message for message in mail.outbox if message.to == [host.email]]
    assert [(message.subject, timetable in links(message)) for message in told] == [
        ("Your session “Listening without fixing” is in the timetable", True),
        ("New time or room for “Listening without fixing”", True),
    ]

    account_delete(user=host)


def send_directory_emails(organiser) -> None:
    """The directory: a member added and an address invited, a proposal approved and one not, a reply to
    someone who reported a change, and the reminder to check listings nobody has checked for a year."""
    from gathering.directory import moderation
    from gathering.directory.jobs import check_reminders_job
    from gathering.directory.models import ChangeReport

    from ..directory.partner_data import partner_service, propose

    service = partner_service()
    organization = service.organization
    partner = UserFactory(email="partner@example.org")
    moderation.member_add(organization=organization, email=partner.email, actor=organiser)
    moderation.member_add(organization=organization, email="invited@example.org", actor=organiser)
    approved = propose(service, partner, description="Now on Thursdays too.")
    moderation.proposal_approve(proposal=approved, actor=organiser)
    declined = propose(service, partner, description="Open every day.")
    moderation.proposal_reject(proposal=declined, actor=organiser, reason="It opens on Tuesdays only.")
    report = ChangeReport.objects.create(
        service=service, details="The phone number is wrong.", reply_email="reporter@example.org"
    )
    moderation.change_report_close(report=report, actor=organiser, reply="Corrected, thank you.")
    partner_service("Riverside Crisis Café", org=organization)  # never checked
    check_reminders_job(now=timezone.now())


def publish_timetable(programme, organiser) -> None:
    run = timetable_optimise_request(programme=programme, actor=organiser, time_limit=5, start=False)
    run = timetable_run_execute(run_id=run.pk)
    timetable_publish(run=run, actor=organiser)


@pytest.mark.django_db(transaction=True)
def test_every_email_is_sent_and_every_link_in_it_opens(live_server, settings, rendered):
    settings.GATHERING_BASE_URL = live_server.url
    settings.GATHERING_TASKS_EAGER = True
    mail.outbox.clear()

    # Accounts: sign up, already exists, unknown account, password reset, email change.
    client = Client()
    client.post(
        "/accounts/signup/",
        {"name": "Nia", "email": "nia@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    person = UserFactory(name="Kim", email="kim@example.org")
    Client().post(
        "/accounts/signup/",
        {"name": "Kim", "email": person.email, "password1": PASSWORD, "password2": PASSWORD},
    )
    Client().post("/accounts/password/reset/", {"email": person.email})
    changer = UserFactory(name="Lee", email="lee@example.org")
    signed_in(changer).post("/accounts/email/", {"action_add": "", "email": "lee.new@example.org"})
    signed_in(changer).post("/accounts/reauthenticate/code/", {"recipient": changer.email})

    # Gatherings: a place, the waiting list, an offer, its warning, a cancellation, reminders.
    organiser = make_staff("organiser", email="organiser@example.org")
    start = timezone.now() + timedelta(days=6, hours=12)
    event = EventFactory(
        capacity=1,
        offer_hours=48,
        organisers=[organiser],
        starts_at=start,
        ends_at=start + timedelta(hours=6),
    )
    TicketTypeFactory(event=event)
    holder, waiting = UserFactory(), UserFactory()
    held = register(event, holder)
    queued = register(event, waiting)
    registration_cancel(registration=held, user=holder)
    expire_offers_job(now=timezone.now() + timedelta(hours=40))
    queued.refresh_from_db()
    event.capacity = 5
    event_save(actor=organiser, event=event, creating=False)
    register(event, UserFactory())
    reminders_job(now=timezone.now())
    event_message_attendees(event=event, actor=organiser, subject="Parking", body="Use the back gate.")
    event.refresh_from_db()
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    event_save(actor=organiser, event=event, creating=False)
    event.refresh_from_db()
    event.status = "cancelled"
    event_save(actor=organiser, event=event, creating=False)

    # Bursaries: received and decided.
    funded = EventFactory(organisers=[organiser])
    TicketTypeFactory(event=funded, name="Supported place", kind="supported", invitation_code="")
    BursaryFund.objects.create(event=funded, total_minor=10_000)
    application = bursary_apply(
        event=funded, user=person, support=["ticket"], amount_requested_minor=0, circumstances="x"
    )
    bursary_decide(application=application, actor=organiser, decision="declined")

    # Support: an urgent concern alerts the safeguarding leads.
    make_staff("safeguarding_lead")
    Client().post("/help/concern/", {"severity": "urgent", "details": "Someone may be at risk tonight."})

    # The mail check an administrator runs.
    call_command("outbox", "send-test", "admin@example.org")

    # Online Gatherings, feedback surveys, circles and the programme.
    send_online_gathering_emails()
    send_feedback_invitations()
    send_circles_emails()
    send_programme_emails()
    send_directory_emails(organiser)

    missing = every_email_template() - rendered
    assert not missing, f"no test here sends {sorted(missing)}: trigger it above"
    assert mail.outbox
    broken = []
    followed = set()
    elsewhere = set()
    for message in mail.outbox:
        for url in sorted(links(message)):
            if url in ELSEWHERE:
                elsewhere.add(url)
                continue
            followed.add(url)
            assert url.startswith(live_server.url), f"{message.subject}: {url} is not the site's address"
            ok, outcome = opens(url)
            if not ok:
                broken.append(f"{message.subject}: {url} -> {outcome}")
    assert not broken, "\n".join(broken)
    assert elsewhere == ELSEWHERE
    # Confirmation, reset, undo, Gathering, My Gatherings, help, preferences, safeguarding queue at least.
    assert len(followed) >= 8, sorted(followed)
