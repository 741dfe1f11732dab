"""Safeguarding concerns and what the safeguarding leads do about them."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gathering.privacy.fields import EncryptedTextField

# How soon a safeguarding lead should first respond, by severity.
RESPONSE_TARGETS = {
    "urgent": timedelta(hours=1),
    "high": timedelta(hours=24),
    "normal": timedelta(hours=72),
}


class Concern(models.Model):
    class Severity(models.TextChoices):
        URGENT = "urgent", _("Urgent: someone may be at risk now")
        HIGH = "high", _("Serious, but no one is in danger right now")
        NORMAL = "normal", _("Something that worried me")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("Being handled")
        CLOSED = "closed", _("Closed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns_raised",
    )
    anonymous = models.BooleanField(_("raised anonymously"), default=False)
    severity = models.CharField(_("how urgent"), max_length=10, choices=Severity.choices)
    # Special category: what happened and who is involved often reveal health and risk; encrypted.
    details = EncryptedTextField(_("what happened"))
    people_involved = EncryptedTextField(_("who is involved"), blank=True, default="")
    # How to reach someone who raised it signed out: identifies them, so encrypted like the details.
    contact = EncryptedTextField(_("how to get back to them"), blank=True, default="")
    context = models.CharField(_("where it was raised"), max_length=120, blank=True)
    # The context in words and its page, named when the concern was raised (a circle, a Gathering), so the
    # record stays readable if the thing is later renamed or removed.
    raised_from_label = models.CharField(_("raised from"), max_length=250, blank=True)
    raised_from_path = models.CharField(_("page it was raised from"), max_length=250, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns_assigned",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    respond_by = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("safeguarding concern")
        verbose_name_plural = _("safeguarding concerns")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "respond_by"])]

    def __str__(self) -> str:
        return _("Concern %(ref)s") % {"ref": self.reference}

    @property
    def reference(self) -> str:
        return f"C{self.pk:05d}"


class ConcernNote(models.Model):
    """What a safeguarding lead did or decided. Kept with the concern; encrypted."""

    class Action(models.TextChoices):
        NOTE = "note", _("Note")
        CONTACTED = "contacted", _("Contacted the person")
        REFERRED = "referred", _("Referred to another service")
        EMERGENCY = "emergency", _("Called emergency services")
        REMOVED = "removed", _("Removed someone from an activity")

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, default=Action.NOTE)
    text = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("concern note")
        verbose_name_plural = _("concern notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.concern}: {self.get_action_display()}"


class ConcernStatusChange(models.Model):
    """One change of a concern's status by a safeguarding lead: who, when, from and to."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="status_changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Concern.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Concern.Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("concern status change")
        verbose_name_plural = _("concern status changes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.concern}: {self.get_from_status_display()} → {self.get_to_status_display()}"
