"""Every email is well formed and discreet: it parses under the strict policy, has an HTML part with the
same words as the text, says it is automatic, carries our own Message-ID domain, List-Unsubscribe only on
mail a person can turn off, a Reply-To that reaches a person on organisers' messages, and a subject that
gives nothing away on a lock screen when it must."""

import email
import email.policy
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from gathering.core.outbox import NON_TRANSACTIONAL_KINDS, outbox_deliver_due, outbox_enqueue
from gathering.events.bursaries import bursary_apply
from gathering.events.jobs import reminders_job
from gathering.events.models import BursaryFund
from gathering.events.services import RegistrationInput, event_message_attendees, registration_create

from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff
from .email_templates import email_body_templates

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.GATHERING_BASE_URL = "https://gathering.example.org"
    settings.GATHERING_SITE_NAME = "Gathering"
    settings.GATHERING_REPLY_TO = ""
    settings.DEFAULT_FROM_EMAIL = "Gathering <no-reply@mail.example.net>"


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in {"head", "style", "script"}

    def handle_endtag(self, tag):
        self._skip -= tag in {"head", "style", "script"}

    def handle_data(self, data):
        if not self._skip:
            self.words.extend(words(data))


def words(text: str) -> list[str]:
    return re.findall(r"[\w£@./:'’-]+", text.replace("---", " "))


def visible_words(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return parser.words


def parsed(message: mail.EmailMessage) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.strict)


def parts(message: email.message.EmailMessage) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if part.get_content_type() in {"text/plain", "text/html"} and not part.get_filename()
    }


def body_templates() -> list[str]:
    return [name.removeprefix("email/").removesuffix(".txt") for name in email_body_templates((".txt",))]


def send(*, kind: str, template: str, to: str = "ada@example.org", **kwargs: object) -> email.message.Message:
    # Enough context for every template to render; the real values are the links test's business.
    context = {"name": "Ada", "valid_days": 7, "days": 1, "event": EventFactory.build(title="Harvest")}
    mail.outbox.clear()
    with transaction.atomic():
        outbox_enqueue(kind=kind, to=[to], template=template, context=context, **kwargs)
    outbox_deliver_due()
    [sent] = mail.outbox
    return sent


@pytest.mark.parametrize("template", body_templates())
def test_every_email_is_strict_with_html_beside_the_text_in_the_same_words(template):
    sent = send(kind=template.replace("/", "_"), template=template)
    message = parsed(sent)
    bodies = parts(message)

    assert set(bodies) == {"text/plain", "text/html"}
    assert words(bodies["text/plain"]) == visible_words(bodies["text/html"])
    html = bodies["text/html"]
    assert re.search(r'<html lang="en-gb"', html, re.IGNORECASE)
    assert "<title>" in html and "<img" not in html
    assert 'href="https://gathering.example.org/help/"' in html
    assert message["Auto-Submitted"] == "auto-generated"
    assert re.fullmatch(r"<[^@<>]+@gathering\.example\.org>", message["Message-ID"])
    assert message["List-Unsubscribe"] is None


def test_links_in_the_text_become_links_in_the_html_and_text_is_escaped():
    with transaction.atomic():
        outbox_enqueue(
            kind="organiser_message",
            to=["ada@example.org"],
            template="events/organiser_message",
            context={"name": "Ada", "body": "Tea & <cake>: https://gathering.example.org/gatherings/x/."},
        )
    outbox_deliver_due()
    [sent] = mail.outbox
    html = parts(parsed(sent))["text/html"]
    assert "Tea &amp; &lt;cake&gt;:" in html
    assert '<a href="https://gathering.example.org/gatherings/x/"' in html


def test_reminders_carry_list_unsubscribe_to_the_email_preferences():
    assert {"reminder_7d", "reminder_1d"} <= NON_TRANSACTIONAL_KINDS
    start = timezone.now() + timedelta(days=6, hours=12)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=6))
    ticket = TicketTypeFactory(event=event)
    person = UserFactory()
    registration_create(
        event=event,
        user=person,
        data=RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email),
    )
    outbox_deliver_due()
    mail.outbox.clear()

    reminders_job(now=timezone.now())
    outbox_deliver_due()

    [sent] = mail.outbox
    message = parsed(sent)
    assert message["List-Unsubscribe"] == "<https://gathering.example.org/account/>"
    assert message["List-Unsubscribe-Post"] is None
    assert message["Auto-Submitted"] == "auto-generated"


def test_organiser_messages_reply_to_the_organiser_or_the_configured_address(settings):
    organiser = make_staff("organiser", email="org@example.org")
    event = EventFactory(organisers=[organiser])
    ticket = TicketTypeFactory(event=event)
    person = UserFactory()
    registration_create(
        event=event,
        user=person,
        data=RegistrationInput(ticket_type_id=ticket.pk, name=person.name, email=person.email),
    )
    outbox_deliver_due()
    mail.outbox.clear()

    event_message_attendees(event=event, actor=organiser, subject="Parking", body="Use the back gate.")
    outbox_deliver_due()
    settings.GATHERING_REPLY_TO = "Gathering team <team@example.org>"
    event_message_attendees(event=event, actor=organiser, subject="Lunch", body="Bring a plate.")
    outbox_deliver_due()

    first, second = (parsed(sent) for sent in mail.outbox)
    assert first["Reply-To"] == "org@example.org"
    assert second["Reply-To"] == "Gathering team <team@example.org>"
    assert first["List-Unsubscribe"] is None


def test_other_emails_have_no_reply_to():
    message = parsed(send(kind="outbox_test", template="outbox_test"))
    assert message["Reply-To"] is None


def test_bursary_emails_have_a_neutral_subject():
    event = EventFactory(title="Recovery Gathering")
    BursaryFund.objects.create(event=event, total_minor=10_000)
    person = UserFactory()

    bursary_apply(event=event, user=person, support=["ticket"], amount_requested_minor=0, circumstances="x")
    outbox_deliver_due()

    [sent] = mail.outbox
    assert sent.subject == "About your application"
    assert "Recovery Gathering" in sent.body


def test_a_person_who_chose_discreet_emails_gets_a_plain_sender_and_subject():
    event = EventFactory(title="Bereavement Gathering")
    ticket = TicketTypeFactory(event=event)
    person = UserFactory(email_discreet=True)
    other = UserFactory()

    for someone in (person, other):
        registration_create(
            event=event,
            user=someone,
            data=RegistrationInput(ticket_type_id=ticket.pk, name=someone.name, email=someone.email),
        )
    outbox_deliver_due()

    discreet = next(sent for sent in mail.outbox if sent.to == [person.email])
    ordinary = next(sent for sent in mail.outbox if sent.to == [other.email])
    message = parsed(discreet)
    assert message["Subject"] == "A message from us"
    assert message["From"] == "Notifications <no-reply@mail.example.net>"
    assert "Bereavement Gathering" not in parts(message)["text/html"].split("</title>")[0]
    assert "Bereavement Gathering" in discreet.body
    assert parsed(ordinary)["Subject"] == "Your place at Bereavement Gathering is confirmed"
    assert parsed(ordinary)["From"] == "Gathering <no-reply@mail.example.net>"


def test_discreet_emails_is_a_choice_on_the_account_page(participant):
    from ..conftest import signed_in

    client = signed_in(participant)
    page = client.get("/account/").content.decode()
    assert 'name="email_discreet"' in page
    assert "does not show what it is about" in page
