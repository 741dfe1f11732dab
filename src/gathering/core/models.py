"""Rows the shared machinery needs: email waiting in the outbox, and when each periodic job last ran."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One email, written in the transaction that caused it and delivered afterwards by a job with retries.

    The rendered subject and bodies are stored, not the template context, so a message reads the same
    whenever it is delivered. Rows hold personal data (addresses, names in bodies): sent ones are purged
    after a retention period (`outbox_purge_sent`).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=64)
    to = models.JSONField(_("to"), default=list)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("plain-text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # Where a reply goes when it should reach a person (an organiser's message); empty for no Reply-To.
    reply_to = models.CharField(_("reply to"), max_length=320, blank=True)
    # The recipient chose discreet emails: sent under a plain sender name (the subject is already plain).
    discreet = models.BooleanField(_("discreet"), default=False)
    # NULL rather than "" so that any number of messages can go without a key while keys stay unique.
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The exception's class and a short reason; never the content or an address.
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        # Partial indexes: each of the three queries the delivery job runs reads only its own small slice.
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="core_outbox_due_idx"
            ),
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="core_outbox_claimed_idx"
            ),
            models.Index(fields=["sent_at"], condition=Q(status="sent"), name="core_outbox_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class JobRun(models.Model):
    """When a periodic job last started and finished; the row is locked while a runner decides to run it."""

    name = models.CharField(_("name"), max_length=100, primary_key=True)
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    # Set while a runner is working on the job, so a second runner leaves it alone.
    running_since = models.DateTimeField(_("running since"), null=True, blank=True)
    last_succeeded = models.BooleanField(_("last run succeeded"), null=True, blank=True)
    # The exception's class name only: job failures are logged with code locations, never data.
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return self.name
