"""The transactional outbox: email is written in the transaction that causes it and delivered, with retries,
after that transaction commits, so a broken mail server delays mail but loses none.

Delivery. When the transaction commits, the `outbox_deliver` task (core/tasks.py) tries to send the message
at once. The outbox sweep, every 30 seconds (Celery beat, or `gathering jobs` in embedded mode), sends what
is due: retries, and messages whose task never ran (the broker was down, or a worker died holding it).

Delivery guarantee. A message marked sent is never sent again, and a message is only claimed by one worker
at a time. The one gap is at-least-once, not exactly-once: if a worker dies after the mail server accepted a
message but before the row is marked sent, the message stays in `sending`, is reclaimed after
`STALE_CLAIM_AFTER` and sent a second time. Each message carries a Message-ID that is the same on every
attempt, so mail systems that drop duplicate Message-IDs hide even that.
"""

import base64
import contextlib
import dataclasses
import logging
import random
import re
import smtplib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Value, When
from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .background import after_commit
from .logging import scrub
from .models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
FIRST_RETRY_DELAY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=6)
# Retries wait up to this fraction longer than the schedule, so messages that failed together spread out.
RETRY_JITTER = 0.1
# A claim this old belongs to a worker that crashed; no delivery batch legitimately takes this long.
STALE_CLAIM_AFTER = timedelta(minutes=15)

Status = OutboxMessage.Status

# Mail a person can turn off in their email preferences (/account/): it carries List-Unsubscribe (RFC 2369),
# a link to that page. Everything else is transactional: the reply to something the person did or holds
# (a registration, a place offered, a decision, a changed Gathering, an organiser's message about a
# Gathering they are going to, a one-off feedback invitation, account security).
NON_TRANSACTIONAL_KINDS = frozenset({"reminder_7d", "reminder_1d", "network_news"})
# The sender name for people who chose discreet emails, and the subject they see instead of the real one.
DISCREET_SENDER_NAME = "Notifications"


def site_url(path: str) -> str:
    """`path` on the site's own address (GATHERING_BASE_URL): every link in an email is made with this,
    never from a request's Host header, which a client chooses."""
    return f"{settings.GATHERING_BASE_URL}{path}"


def discreet_subject() -> str:
    return _("A message from us")


def wants_discreet_email(address: str) -> bool:
    """Whether the account with this email address chose discreet emails (plain sender and subject)."""
    return get_user_model().objects.filter(email__iexact=address, email_discreet=True).exists()


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email, e.g. a calendar invitation or a certificate."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery run did: sent, put back to retry later, given up on, reclaimed from crashes."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    reclaimed: int = 0

    def __add__(self, other: "DeliveryReport") -> "DeliveryReport":
        return DeliveryReport(
            sent=self.sent + other.sent,
            retried=self.retried + other.retried,
            failed=self.failed + other.failed,
            reclaimed=self.reclaimed + other.reclaimed,
        )


def retry_delay(attempts: int, *, jitter: float | None = None) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1 minute, doubling, at most 6 hours.

    `jitter` (0 to 1, random when None) adds up to RETRY_JITTER of the delay; the wait is never shorter
    than the schedule.
    """
    if attempts < 1:
        raise ValueError("attempts starts at 1")
    # The exponent is capped too, so that no attempt count can overflow a timedelta.
    base = min(FIRST_RETRY_DELAY * 2 ** min(attempts - 1, 16), MAX_RETRY_DELAY)
    if jitter is None:
        jitter = random.random()  # noqa: S311 - spreading retries, not security
    return base * (1 + RETRY_JITTER * jitter)


def outbox_enqueue(
    *,
    kind: str,
    to: list[str],
    template: str,
    context: dict[str, object],
    attachments: Sequence[Attachment] = (),
    dedupe_key: str | None = None,
    reply_to: str = "",
) -> OutboxMessage:
    """Render `email/<template>` and put it in the outbox; call it inside the transaction of the change.

    The subject comes from `email/<template>_subject.txt`, the text body from `email/<template>.txt` and
    the HTML body, if there is one, from `email/<template>.html`; both bodies extend `email/base.*`, which
    adds the "Get help now" footer. Rendering uses the active language: wrap the call in
    `translation.override(...)` to write in the recipient's. If the transaction rolls back, the message
    was never written. With `dedupe_key`, a second call with the same key returns the first message
    unchanged, so a repeated user action never sends twice. Once the transaction commits, the
    `outbox_deliver` task tries to send it (core/background.py); on any failure the outbox sweep retries.

    Every message gets an HTML part: `email/<template>.html` if there is one, otherwise the text body in
    HTML (same words, links as links). `reply_to` is an address a reply should reach (an organiser), for
    messages people may want to answer. A recipient who chose discreet emails gets a plain subject (and,
    on delivery, a plain sender name); the body still has the details.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "outbox_enqueue must run inside the transaction that makes the change it reports."
        )
    if dedupe_key is not None:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    if not to:
        raise ValidationError(_("An email needs at least one recipient."))
    for address in to:
        validate_email(address)

    discreet = any(wants_discreet_email(address) for address in to)
    subject, body_text, body_html = render_email(
        template=template, context=context, subject=discreet_subject() if discreet else None
    )
    message = OutboxMessage(
        kind=kind,
        to=list(to),
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        reply_to=reply_to,
        discreet=discreet,
        attachments=[
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "content_base64": base64.b64encode(attachment.content).decode("ascii"),
            }
            for attachment in attachments
        ],
        dedupe_key=dedupe_key,
    )
    try:
        # A savepoint, so that losing a race on the dedupe key leaves the caller's transaction usable.
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        if dedupe_key is None:
            raise
        return OutboxMessage.objects.get(dedupe_key=dedupe_key)

    after_commit("gathering.core.tasks.outbox_deliver", message.pk)
    return message


def render_email(
    *, template: str, context: dict[str, object], subject: str | None = None
) -> tuple[str, str, str]:
    """Return (subject, text body, HTML body) for `email/<template>`, without storing anything; `subject`
    replaces the template's subject (discreet emails)."""
    engine = Engine.get_default()
    values = {"base_url": settings.GATHERING_BASE_URL, "site_name": settings.GATHERING_SITE_NAME, **context}
    # Plain text is not HTML: no escaping in the subject or the text body.
    subject_source = engine.get_template(f"email/{template}_subject.txt").render(
        Context(values, autoescape=False)
    )
    subject = subject or " ".join(subject_source.split())
    max_subject = OutboxMessage._meta.get_field("subject").max_length
    if len(subject) > max_subject:
        subject = subject[: max_subject - 1] + "…"
    values["subject"] = subject
    body_text = engine.get_template(f"email/{template}.txt").render(Context(values, autoescape=False))
    try:
        html_template = engine.get_template(f"email/{template}.html")
    except TemplateDoesNotExist:
        # The text's own words, in HTML: email/base.txt leaves out its footer for this rendering, and
        # email/base.html adds the same footer as HTML.
        content = engine.get_template(f"email/{template}.txt").render(
            Context({**values, "email_content_only": True}, autoescape=False)
        )
        values["content_html"] = text_to_html(content.strip())
        body_html = engine.get_template("email/from_text.html").render(Context(values))
    else:
        body_html = html_template.render(Context(values))
    return subject, body_text.strip() + "\n", body_html


_LINK = re.compile(r"https?://[^\s<>\"]+")


def _link(match: re.Match[str]) -> str:
    url = match.group(0)
    # A full stop or bracket after a link ends the sentence, not the link.
    trimmed = url.rstrip(".,;:!?)")
    tail = url[len(trimmed) :]
    return f'<a href="{trimmed}" style="color: #1a5e7a;">{trimmed}</a>{tail}'


def text_to_html(text: str) -> str:
    """Plain text as accessible HTML: escaped, blank-line paragraphs, line breaks kept, links as links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        if not block.strip():
            continue
        lines = [_LINK.sub(_link, str(escape(line))) for line in block.strip().splitlines()]
        paragraphs.append('<p style="margin: 0 0 16px;">' + "<br>\n".join(lines) + "</p>")
    # Every line is escaped before links are marked, so a quote cannot leave the href.
    return mark_safe("\n".join(paragraphs))  # noqa: S308  # nosec B308 B703


def outbox_deliver_due(*, limit: int = 50, now: datetime | None = None) -> DeliveryReport:
    """Send up to `limit` messages whose time has come, over one mail connection; see the module doc."""
    now = now or timezone.now()
    reclaimed = _reclaim_stale(now=now)
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(status=Status.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:limit]
            )
            OutboxMessage.objects.filter(pk__in=ids).update(status=Status.SENDING, claimed_at=now)
    else:
        # No row locks (SQLite): claim each row with a compare-and-set, so two workers never share one.
        candidates = (
            OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        ids = [
            pk
            for pk in list(candidates)
            if OutboxMessage.objects.filter(pk=pk, status=Status.PENDING).update(
                status=Status.SENDING, claimed_at=now
            )
        ]
    return dataclasses.replace(_send_claimed(ids, now=now), reclaimed=reclaimed)


def outbox_purge_sent(*, older_than_days: int = 30, now: datetime | None = None) -> int:
    """Delete messages sent more than `older_than_days` ago (they hold personal data); return how many."""
    now = now or timezone.now()
    deleted, _per_model = OutboxMessage.objects.filter(
        status=Status.SENT, sent_at__lt=now - timedelta(days=older_than_days)
    ).delete()
    return deleted


def outbox_requeue_failed(*, now: datetime | None = None) -> int:
    """Give every failed message a fresh set of attempts, e.g. after a long mail outage; return how many."""
    now = now or timezone.now()
    return OutboxMessage.objects.filter(status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now, claimed_at=None
    )


def outbox_forget_address(*, email: str) -> int:
    """Delete every message to `email`, whatever its state (erasure of a person); return how many.

    The outbox is kept small by `outbox_purge_sent`, so a scan is cheap, and it matches addresses the same
    way on every database (JSON containment differs between SQLite and PostgreSQL).
    """
    wanted = email.strip().casefold()
    ids = [
        pk
        for pk, to in OutboxMessage.objects.values_list("pk", "to").iterator()
        if any(address.casefold() == wanted for address in to)
    ]
    deleted, _per_model = OutboxMessage.objects.filter(pk__in=ids).delete()
    return deleted


def _reclaim_stale(*, now: datetime) -> int:
    # The claim counts as an attempt: a message that crashes its worker every time must end up failed.
    return OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM_AFTER).update(
        status=Case(
            When(attempts__gte=MAX_ATTEMPTS - 1, then=Value(Status.FAILED)), default=Value(Status.PENDING)
        ),
        attempts=F("attempts") + 1,
        next_attempt_at=now,
        claimed_at=None,
        last_error="StaleClaim: the worker stopped before recording the result",
    )


def outbox_deliver_message(*, message_id: int, now: datetime | None = None) -> DeliveryReport:
    """Try to send one message now, straight after the transaction that wrote it; a failure is recorded
    and left to the sweep's retries. Only a pending message is claimed, so a message already sent, or being
    sent by a sweep, is left alone: running this twice never sends twice."""
    now = now or timezone.now()
    if not OutboxMessage.objects.filter(pk=message_id, status=Status.PENDING).update(
        status=Status.SENDING, claimed_at=now
    ):
        return DeliveryReport()
    return _send_claimed([message_id], now=now)


def outbox_sweep(
    *, now: datetime | None = None, limit: int = 50, budget_seconds: float = 20
) -> DeliveryReport:
    """Deliver every message whose time has come (retries, and messages whose own delivery task never
    ran), in batches of `limit`, starting no new batch after `budget_seconds`; return what was done."""
    started = time.monotonic()
    total = DeliveryReport()
    while True:
        report = outbox_deliver_due(limit=limit, now=now)
        total += report
        handled = report.sent + report.retried + report.failed
        # A full batch means more may be waiting (a backlog after an outage): carry on while time allows.
        if handled < limit or time.monotonic() - started > budget_seconds:
            break
    if total != DeliveryReport():
        logger.info(
            "Outbox: %s sent, %s to retry, %s failed, %s reclaimed",
            total.sent,
            total.retried,
            total.failed,
            total.reclaimed,
        )
    return total


def _send_claimed(ids: list[int], *, now: datetime) -> DeliveryReport:
    messages = list(OutboxMessage.objects.filter(pk__in=ids).order_by("next_attempt_at", "pk"))
    sent = retried = failed = 0

    def fail(message: OutboxMessage, exc: Exception) -> None:
        nonlocal retried, failed
        if _record_failure(message, exc, now=now) == Status.FAILED:
            failed += 1
        else:
            retried += 1

    mail = get_connection(fail_silently=False)
    is_open = False
    for index, message in enumerate(messages):
        if not is_open:
            try:
                mail.open()
                is_open = True
            except Exception as exc:
                # No connection to the mail server: the whole batch waits for the next attempt, rather
                # than each message waiting out its own connection timeout.
                for waiting in messages[index:]:
                    fail(waiting, exc)
                break
        try:
            if not mail.send_messages([_email(message)]):
                raise NotSentError("the mail backend accepted nothing")
        except Exception as exc:
            fail(message, exc)
            # The connection may be broken; the next message opens a fresh one.
            _close_quietly(mail)
            is_open = False
        else:
            # The mail server has the message: record that whatever the claim's state, so it is not resent.
            OutboxMessage.objects.filter(pk=message.pk).update(
                status=Status.SENT, sent_at=now, claimed_at=None, last_error=""
            )
            sent += 1
    if is_open:
        _close_quietly(mail)
    return DeliveryReport(sent=sent, retried=retried, failed=failed)


class NotSentError(Exception):
    """The mail backend returned without sending and without raising."""


def _email(message: OutboxMessage) -> EmailMultiAlternatives:
    headers = {
        # The same on every attempt, so a duplicate after a crash can be recognised as one; in the site's
        # own domain, like django.core.mail.make_msgid(domain=...) but stable.
        "Message-ID": f"<outbox.{message.pk}.{int(message.created_at.timestamp())}@{_mail_domain()}>",
        # RFC 3834: no out-of-office replies to automatic mail.
        "Auto-Submitted": "auto-generated",
    }
    if message.kind in NON_TRANSACTIONAL_KINDS:
        # A link to the email preferences; no List-Unsubscribe-Post, as there is no one-click endpoint.
        headers["List-Unsubscribe"] = f"<{site_url('/account/')}>"
    from_email = settings.DEFAULT_FROM_EMAIL
    if message.discreet:
        from_email = formataddr((DISCREET_SENDER_NAME, parseaddr(from_email)[1]))
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=from_email,
        to=message.to,
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments:
        # A content type may carry parameters ("text/calendar; method=PUBLISH", RFC 6047); Django writes
        # them into the part's Content-Type header before the charset.
        email.attach(
            attachment["filename"],
            base64.b64decode(attachment["content_base64"]),
            attachment["content_type"],
        )
    return email


def _mail_domain() -> str:
    return urlsplit(settings.GATHERING_BASE_URL).hostname or "gathering.localhost"


def _record_failure(message: OutboxMessage, exc: Exception, *, now: datetime) -> str:
    attempts = message.attempts + 1
    status = Status.FAILED if attempts >= MAX_ATTEMPTS else Status.PENDING
    error = describe_error(exc)
    # Only if the claim is still ours: a reclaimed message belongs to whoever claimed it next.
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at).update(
        status=status,
        attempts=attempts,
        next_attempt_at=now + retry_delay(attempts),
        claimed_at=None,
        last_error=error,
    )
    log = logger.error if status == Status.FAILED else logger.warning
    log("Outbox message %s (%s) attempt %s failed: %s", message.pk, message.kind, attempts, error)
    return status


def describe_error(exc: BaseException) -> str:
    """The exception's class and, where it is known to hold no content or address, a short reason."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        reason = "refused with " + ", ".join(sorted({str(code) for code, _reply in exc.recipients.values()}))
    elif isinstance(exc, smtplib.SMTPResponseException):
        # The server's reply may quote an address back; scrub masks those.
        reply = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
        reason = scrub(f"{exc.smtp_code} {reply}")
    elif isinstance(exc, OSError):
        reason = exc.strerror or ""
    elif isinstance(exc, NotSentError):
        reason = str(exc)
    else:
        # Other messages may quote a header or the body (BadHeaderError does): the class name will do.
        reason = ""
    reason = " ".join(reason.split())[:200]
    return f"{name}: {reason}" if reason else name


def _close_quietly(mail: BaseEmailBackend) -> None:
    # Closing a broken connection may fail too; there is nothing more to do about it.
    with contextlib.suppress(Exception):
        mail.close()
