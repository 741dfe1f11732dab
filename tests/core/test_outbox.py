"""The email outbox: written with the change, delivered after commit, retried with backoff, purged."""

import smtplib
import socket
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError
from django.db import connection, connections, transaction
from django.template import Context, Engine
from django.template.loader_tags import ExtendsNode
from django.utils import timezone

from gathering.core.models import OutboxMessage
from gathering.core.outbox import (
    MAX_ATTEMPTS,
    Attachment,
    DeliveryReport,
    describe_error,
    outbox_deliver_due,
    outbox_enqueue,
    outbox_forget_address,
    outbox_purge_sent,
    outbox_requeue_failed,
    retry_delay,
)

from .email_templates import email_body_templates

HELP_LINE = (
    "If you need support now: in the UK call Samaritans free on 116 123, text SHOUT to 85258, or in an "
    "emergency call 999. More helplines: https://gathering.example.org/help/"
)
PREFERENCES_LINE = "To change which emails Gathering sends you: https://gathering.example.org/account/"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.GATHERING_BASE_URL = "https://gathering.example.org"
    settings.GATHERING_SITE_NAME = "Gathering"


@pytest.fixture
def dead_smtp(settings):
    """An SMTP backend pointed at a local port nobody listens on: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2


def enqueue(to="ada@example.org", **kwargs) -> OutboxMessage:
    arguments = {"kind": "outbox_test", "to": [to], "template": "outbox_test", "context": {}} | kwargs
    with transaction.atomic():
        return outbox_enqueue(**arguments)


# Written with the change, and only if the change commits.


@pytest.mark.django_db(transaction=True)
def test_enqueue_in_a_rolled_back_transaction_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(kind="outbox_test", to=["ada@example.org"], template="outbox_test", context={})
        raise RuntimeError("the change failed")

    assert OutboxMessage.objects.count() == 0
    assert outbox_deliver_due() == DeliveryReport()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_enqueue_in_embedded_mode_delivers_right_after_commit(settings):
    settings.GATHERING_TASKS_EAGER = True
    with transaction.atomic():
        message = outbox_enqueue(
            kind="outbox_test", to=["ada@example.org"], template="outbox_test", context={}
        )
        assert mail.outbox == []

    assert [email.to for email in mail.outbox] == [["ada@example.org"]]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 0)


@pytest.mark.django_db(transaction=True)
def test_enqueue_with_a_broker_leaves_delivery_to_the_job(settings):
    settings.GATHERING_TASKS_EAGER = False
    message = enqueue()

    assert mail.outbox == []
    assert outbox_deliver_due() == DeliveryReport(sent=1)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused():
    with pytest.raises(transaction.TransactionManagementError):
        outbox_enqueue(kind="outbox_test", to=["ada@example.org"], template="outbox_test", context={})
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_enqueue_with_the_same_dedupe_key_returns_the_first_message():
    first = enqueue(dedupe_key="registration:42:confirmed")
    second = enqueue(to="someone-else@example.org", dedupe_key="registration:42:confirmed")

    assert second.pk == first.pk
    assert second.to == ["ada@example.org"]
    assert OutboxMessage.objects.count() == 1
    assert outbox_deliver_due() == DeliveryReport(sent=1)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_enqueue_without_dedupe_keys_keeps_every_message():
    enqueue()
    enqueue()
    assert OutboxMessage.objects.filter(dedupe_key=None).count() == 2


@pytest.mark.django_db
def test_enqueue_refuses_a_message_without_a_valid_recipient():
    with pytest.raises(ValidationError):
        enqueue(to="not an address")
    with pytest.raises(ValidationError), transaction.atomic():
        outbox_enqueue(kind="outbox_test", to=[], template="outbox_test", context={})
    assert OutboxMessage.objects.count() == 0


# What every email says.


@pytest.mark.django_db
def test_every_email_ends_with_the_help_line_and_preferences_link():
    enqueue()
    outbox_deliver_due()

    [email] = mail.outbox
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert email.body.endswith(f"Get help now\n{HELP_LINE}\n\n{PREFERENCES_LINE}\n")
    assert '<html lang="en-gb" dir="ltr">' in html
    assert "<h2" in html and ">Get help now</h2>" in html
    assert (
        'More helplines: <a href="https://gathering.example.org/help/" style="color: #1a5e7a;">'
        "https://gathering.example.org/help/</a>"
    ) in html
    assert 'href="https://gathering.example.org/account/"' in html


def email_templates() -> list[str]:
    """Every email body template in the project: email/**/*.txt and .html."""
    return email_body_templates()


def extends_chain(name: str) -> list[str]:
    engine = Engine.get_default()
    chain = []
    while True:
        nodes = [node for node in engine.get_template(name).nodelist if isinstance(node, ExtendsNode)]
        if not nodes:
            return chain
        name = nodes[0].parent_name.resolve(Context())
        chain.append(name)


def test_every_email_template_in_the_project_extends_the_base_with_the_help_footer():
    templates = email_templates()
    assert "email/outbox_test.txt" in templates
    for name in templates:
        base = "email/base.txt" if name.endswith(".txt") else "email/base.html"
        assert base in extends_chain(name), f"{name} must extend {base}, which carries the help line"


@pytest.mark.django_db
def test_text_is_not_escaped_and_html_is(settings):
    settings.GATHERING_SITE_NAME = "Tom & Jerry's"
    message = enqueue()

    assert message.subject == "Test message from Tom & Jerry's"
    assert "This is a test message from Tom & Jerry's." in message.body_text
    assert "This is a test message from Tom &amp; Jerry&#x27;s." in message.body_html


@pytest.mark.django_db
def test_attachments_arrive_intact():
    calendar = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    certificate = b"%PDF-1.7\n\x00\xff\xfe binary"
    enqueue(
        attachments=[
            Attachment(filename="gathering.ics", content=calendar, content_type="text/calendar"),
            Attachment(filename="certificate.pdf", content=certificate, content_type="application/pdf"),
        ]
    )
    outbox_deliver_due()

    [email] = mail.outbox
    assert [tuple(attachment) for attachment in email.attachments] == [
        ("gathering.ics", calendar.decode(), "text/calendar"),
        ("certificate.pdf", certificate, "application/pdf"),
    ]


@pytest.mark.django_db
def test_every_email_carries_the_same_message_id_on_every_attempt_and_no_autoreplies():
    message = enqueue()
    outbox_deliver_due()

    [email] = mail.outbox
    stamp = int(message.created_at.timestamp())
    # In the domain of the site's address (GATHERING_BASE_URL), not of the sender's.
    assert email.extra_headers["Message-ID"] == f"<outbox.{message.pk}.{stamp}@gathering.example.org>"
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"


# Delivery: once, in batches, with backoff when the mail server is away.


@pytest.mark.django_db
def test_a_sent_message_is_never_sent_again():
    messages = [enqueue(to=f"person{n}@example.org") for n in range(3)]

    assert outbox_deliver_due() == DeliveryReport(sent=3)
    assert outbox_deliver_due(now=timezone.now() + timedelta(days=1)) == DeliveryReport()
    assert sorted(email.to[0] for email in mail.outbox) == [m.to[0] for m in messages]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}


@pytest.mark.django_db
def test_delivery_takes_at_most_limit_messages_oldest_first():
    start = timezone.now()
    for n in range(3):
        message = enqueue(to=f"person{n}@example.org")
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=start - timedelta(minutes=n))

    assert outbox_deliver_due(limit=2, now=start) == DeliveryReport(sent=2)
    assert [email.to for email in mail.outbox] == [["person2@example.org"], ["person1@example.org"]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_delivering_at_once_send_each_message_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers are shown on PostgreSQL (DATABASE_URL)")
    settings.GATHERING_TASKS_EAGER = False
    for n in range(40):
        enqueue(to=f"person{n}@example.org")
    barrier = threading.Barrier(4)
    reports = []

    def worker():
        try:
            barrier.wait()
            while (report := outbox_deliver_due(limit=5)) != DeliveryReport():
                reports.append(report)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(report.sent for report in reports) == 40
    assert sorted(email.to[0] for email in mail.outbox) == sorted(f"person{n}@example.org" for n in range(40))


def test_retry_delay_doubles_from_one_minute_up_to_six_hours():
    schedule = [retry_delay(attempts, jitter=0) for attempts in range(1, 21)]

    assert schedule[:10] == [
        timedelta(minutes=minutes) for minutes in (1, 2, 4, 8, 16, 32, 64, 128, 256, 360)
    ]
    assert set(schedule[9:]) == {timedelta(hours=6)}
    assert retry_delay(1, jitter=1) == timedelta(seconds=66)
    assert retry_delay(20, jitter=1) == timedelta(hours=6, minutes=36)
    assert all(timedelta(minutes=4) <= retry_delay(3) <= timedelta(minutes=4.4) for _ in range(50))


@pytest.mark.django_db
def test_a_refused_connection_puts_the_message_back_with_backoff(dead_smtp):
    message = enqueue()
    start = timezone.now()

    assert outbox_deliver_due(now=start) == DeliveryReport(retried=1)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.claimed_at) == ("pending", 1, None)
    assert start + timedelta(minutes=1) <= message.next_attempt_at <= start + timedelta(seconds=66)
    assert message.last_error.startswith("ConnectionRefusedError: ")
    assert "@" not in message.last_error

    # Not due yet: nothing is tried.
    assert outbox_deliver_due(now=start + timedelta(seconds=59)) == DeliveryReport()
    later = message.next_attempt_at
    assert outbox_deliver_due(now=later) == DeliveryReport(retried=1)
    message.refresh_from_db()
    assert message.attempts == 2
    assert later + timedelta(minutes=2) <= message.next_attempt_at <= later + timedelta(seconds=132)


@pytest.mark.django_db
def test_a_message_fails_for_good_after_the_last_attempt(dead_smtp):
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 2)

    assert outbox_deliver_due() == DeliveryReport(retried=1)
    far = timezone.now() + timedelta(days=1)
    assert outbox_deliver_due(now=far) == DeliveryReport(failed=1)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 20)
    assert outbox_deliver_due(now=far + timedelta(days=30)) == DeliveryReport()

    # After the outage, staff can give failed messages a fresh start.
    assert outbox_requeue_failed() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 0)


@pytest.mark.django_db
def test_a_refused_connection_puts_back_the_whole_batch_at_once(dead_smtp):
    for n in range(3):
        enqueue(to=f"person{n}@example.org")

    assert outbox_deliver_due() == DeliveryReport(retried=3)
    assert list(OutboxMessage.objects.values_list("status", "attempts")) == [("pending", 1)] * 3


@pytest.mark.django_db
def test_a_message_stuck_in_sending_is_reclaimed_after_fifteen_minutes():
    message = enqueue()
    claimed = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(status="sending", claimed_at=claimed)

    # A live worker may still be sending it.
    assert outbox_deliver_due(now=claimed + timedelta(minutes=14)) == DeliveryReport()
    assert mail.outbox == []

    assert outbox_deliver_due(now=claimed + timedelta(minutes=16)) == DeliveryReport(sent=1, reclaimed=1)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_message_that_keeps_crashing_its_worker_ends_up_failed():
    message = enqueue()
    claimed = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status="sending", claimed_at=claimed, attempts=MAX_ATTEMPTS - 1
    )

    report = outbox_deliver_due(now=claimed + timedelta(minutes=16))
    assert report == DeliveryReport(reclaimed=1)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert mail.outbox == []


def test_errors_are_described_without_addresses_or_content():
    refused = smtplib.SMTPRecipientsRefused({"ada@example.org": (550, b"5.1.1 <ada@example.org> unknown")})
    rejected = smtplib.SMTPDataError(554, b"5.7.1 Message for <ada@example.org>\r\n rejected")

    assert describe_error(refused) == "SMTPRecipientsRefused: refused with 550"
    assert describe_error(rejected) == "SMTPDataError: 554 5.7.1 Message for <[email]> rejected"
    assert describe_error(ConnectionRefusedError(111, "Connection refused")) == (
        "ConnectionRefusedError: Connection refused"
    )
    assert describe_error(TimeoutError("timed out")) == "TimeoutError"
    assert describe_error(BadHeaderError("Header values can't contain newlines (got 'Ada Lovelace')")) == (
        "BadHeaderError"
    )


# Retention.


@pytest.mark.django_db
def test_purge_deletes_sent_messages_after_the_retention_period_only():
    sent, waiting = enqueue(), enqueue(to="bob@example.org")
    start = timezone.now()
    OutboxMessage.objects.filter(pk=sent.pk).update(status="sent", sent_at=start)
    OutboxMessage.objects.filter(pk=waiting.pk).update(created_at=start - timedelta(days=90))

    assert outbox_purge_sent(older_than_days=30, now=start + timedelta(days=29)) == 0
    assert outbox_purge_sent(older_than_days=30, now=start + timedelta(days=31)) == 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [waiting.pk]


@pytest.mark.django_db
def test_forgetting_an_address_deletes_every_message_to_it():
    enqueue(to="Ada@Example.org")
    sent = enqueue(to="ada@example.org")
    OutboxMessage.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now())
    kept = enqueue(to="bob@example.org")

    assert outbox_forget_address(email="ada@example.org") == 2
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [kept.pk]


@pytest.mark.django_db
def test_a_long_subject_is_shortened_to_fit(settings):
    settings.GATHERING_SITE_NAME = "x" * 300
    message = enqueue()
    assert len(message.subject) == 255
    assert message.subject.endswith("x…")
