"""The outbox against a real SMTP server (aiosmtpd on 127.0.0.1): a mail server that is down delays email
but loses none, and once it is back every message arrives exactly once."""

import email
import socket
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from gathering.core.models import OutboxMessage
from gathering.core.outbox import Attachment, DeliveryReport, outbox_deliver_due, outbox_enqueue

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 5


class Recorder:
    """An aiosmtpd handler that keeps every message it accepts, and which connection brought it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[tuple[str, int], list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 <nobody@example.org>: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.received.append((session.peer, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_port(settings) -> int:
    """A free local port, with Django's SMTP backend pointed at it; nothing listens there yet."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.GATHERING_TASKS_EAGER = True
    return port


@pytest.fixture
def start_server(smtp_port):
    controllers = []

    def start() -> Recorder:
        recorder = Recorder()
        controller = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        controllers.append(controller)
        return recorder

    yield start
    for controller in controllers:
        controller.stop()


def register(n: int) -> OutboxMessage:
    """What a user action does: its own change and its email, in one committed transaction."""
    with transaction.atomic():
        return outbox_enqueue(
            kind="outbox_test",
            to=[f"person{n}@example.org"],
            template="outbox_test",
            context={},
            dedupe_key=f"test:{n}",
        )


def states() -> list[tuple[str, int]]:
    return list(OutboxMessage.objects.order_by("pk").values_list("status", "attempts"))


def errors() -> list[str]:
    return list(OutboxMessage.objects.values_list("last_error", flat=True))


def test_a_dead_mail_server_delays_email_and_loses_none(start_server):
    # The mail server is down: every user action still succeeds, quickly, and its email waits.
    started = time.monotonic()
    messages = [register(n) for n in range(MESSAGES)]
    assert time.monotonic() - started < 5

    assert states() == [("pending", 1)] * MESSAGES
    assert all(error.startswith("ConnectionRefusedError") for error in errors())

    # A user retrying an action does not queue its email twice.
    assert register(0).pk == messages[0].pk

    # The server is back; past the first backoff, one delivery run sends everything over one connection.
    recorder = start_server()
    later = timezone.now() + timedelta(minutes=2)
    assert outbox_deliver_due(now=later) == DeliveryReport(sent=MESSAGES)

    recipients = Counter(address for _peer, rcpt_tos, _content in recorder.received for address in rcpt_tos)
    assert recipients == Counter(f"person{n}@example.org" for n in range(MESSAGES))
    assert len({peer for peer, _rcpt_tos, _content in recorder.received}) == 1
    assert states() == [("sent", 1)] * MESSAGES

    # Delivery again, however much later, sends nothing more.
    assert outbox_deliver_due(now=later + timedelta(days=1)) == DeliveryReport()
    assert len(recorder.received) == MESSAGES


def test_a_message_arrives_whole_through_smtp(start_server):
    recorder = start_server()
    calendar = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    invitation = Attachment(filename="gathering.ics", content=calendar, content_type="text/calendar")
    with transaction.atomic():
        message = outbox_enqueue(
            kind="outbox_test",
            to=["ada@example.org"],
            template="outbox_test",
            context={},
            attachments=[invitation],
        )

    # Embedded mode: delivered straight after the commit, no job needed.
    [(_peer, rcpt_tos, content)] = recorder.received
    assert rcpt_tos == ["ada@example.org"]
    parsed = email.message_from_bytes(content)
    assert parsed["Subject"] == "Test message from Gathering"
    assert parsed["Auto-Submitted"] == "auto-generated"
    parts = {part.get_content_type(): part for part in parsed.walk() if not part.is_multipart()}
    assert set(parts) == {"text/plain", "text/html", "text/calendar"}
    assert "116 123" in parts["text/plain"].get_payload(decode=True).decode()
    assert "116 123" in parts["text/html"].get_payload(decode=True).decode()
    assert parts["text/calendar"].get_filename() == "gathering.ics"
    assert parts["text/calendar"].get_payload(decode=True) == calendar
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_refused_recipient_is_retried_without_the_address_in_the_error(start_server):
    recorder = start_server()
    with transaction.atomic():
        refused = outbox_enqueue(
            kind="outbox_test", to=["nobody@example.org"], template="outbox_test", context={}
        )
        delivered = outbox_enqueue(
            kind="outbox_test", to=["ada@example.org"], template="outbox_test", context={}
        )

    refused.refresh_from_db()
    delivered.refresh_from_db()
    assert (refused.status, refused.attempts) == ("pending", 1)
    assert refused.last_error == "SMTPRecipientsRefused: refused with 550"
    assert delivered.status == "sent"
    assert [rcpt_tos for _peer, rcpt_tos, _content in recorder.received] == [["ada@example.org"]]
