"""Consent records and the append-only audit log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .notices import PURPOSE_CHOICES


class ConsentRecord(models.Model):
    """One consent a person gave for one purpose, under one version of its notice, until withdrawn."""

    class Method(models.TextChoices):
        FORM = "form", _("Web form")
        API = "api", _("API")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=40, choices=PURPOSE_CHOICES)
    notice_version = models.PositiveSmallIntegerField(_("notice version"))
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    method = models.CharField(_("how it was given"), max_length=10, choices=Method.choices)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-given_at", "-pk"]
        indexes = [models.Index(fields=["user", "purpose"], name="privacy_consent_user_purpose")]
        constraints = [
            # At most one live consent per person and purpose, even if two requests race.
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="privacy_consent_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} v{self.notice_version}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise TypeError("The audit log is append-only: entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only: entries cannot be deleted.")


class AuditEntry(models.Model):
    """Who did what to which record, and when. Never holds special-category values, names or emails."""

    class Action(models.TextChoices):
        VIEWED = "viewed", _("Viewed")
        EXPORTED = "exported", _("Exported")
        CHANGED = "changed", _("Changed")
        DELETED = "deleted", _("Deleted")
        ROLE_CHANGED = "role_changed", _("Role changed")
        CONSENT_GIVEN = "consent_given", _("Consent given")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        ERASED = "erased", _("Erased")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # SET_NULL: erasing a person keeps the record of what was done, without who did it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_description = models.CharField(_("actor’s roles at the time"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    subject_type = models.CharField(_("record type"), max_length=100, blank=True)
    subject_id = models.CharField(_("record id"), max_length=64, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["action", "-at"], name="privacy_audit_action_at")]

    def __str__(self) -> str:
        return f"{self.action} {self.subject_type}:{self.subject_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise TypeError("The audit log is append-only: entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only: entries cannot be deleted.")
