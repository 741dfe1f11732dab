"""Every write to consent records and the audit log goes through one of these functions."""

from django.db import models, transaction
from django.utils import timezone

from gathering.accounts.models import User

from .models import AuditEntry, ConsentRecord
from .notices import notice_current
from .signals import consent_withdrawn

DETAIL_MAX = 200


def _actor_description(actor: User | None) -> str:
    """The actor's roles at the time (never their name or email), so the entry still means something
    after the person's account is erased."""
    if actor is None:
        return "system"
    names = sorted(actor.groups.values_list("name", flat=True))
    if actor.is_superuser:
        names.insert(0, "Superuser")
    return ", ".join(names)[:200] or "no role"


@transaction.atomic
def audit_record(
    *,
    actor: User | None,
    action: str,
    subject: models.Model | None = None,
    subject_type: str | None = None,
    subject_id: str | int | None = None,
    detail: str = "",
) -> AuditEntry:
    """Append one entry to the audit log. `detail` is short and must never hold special-category values."""
    if action not in AuditEntry.Action.values:
        raise ValueError(f"Unknown audit action: {action!r}")
    if subject is not None:
        subject_type = subject_type or subject._meta.label_lower
        subject_id = subject.pk if subject_id is None else subject_id
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk is not None else None,
        actor_description=_actor_description(actor),
        action=action,
        subject_type=subject_type or "",
        subject_id="" if subject_id is None else str(subject_id),
        detail=detail[:DETAIL_MAX],
    )


@transaction.atomic
def consent_give(*, user: User, purpose: str, method: str) -> ConsentRecord:
    """Record that `user` agrees to `purpose` under its current notice. Giving it again is a no-op."""
    notice = notice_current(purpose)
    if method not in ConsentRecord.Method.values:
        raise ValueError(f"Unknown consent method: {method!r}")
    # Lock the person's row so two submissions at once cannot both create a record.
    User.objects.select_for_update().filter(pk=user.pk).first()
    active = ConsentRecord.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True).first()
    if active is not None and active.notice_version == notice.version:
        return active
    now = timezone.now()
    if active is not None:
        # Agreeing to a newer notice closes the record for the old one; consent itself never lapsed, so
        # this is not a withdrawal and nothing is deleted.
        active.withdrawn_at = now
        active.save(update_fields=["withdrawn_at"])
    record = ConsentRecord(
        user=user, purpose=purpose, notice_version=notice.version, given_at=now, method=method
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=user,
        action=AuditEntry.Action.CONSENT_GIVEN,
        subject=record,
        detail=f"{purpose} v{notice.version} by {method}",
    )
    return record


@transaction.atomic
def consent_withdraw(*, user: User, purpose: str) -> bool:
    """Withdraw `user`'s consent for `purpose`; False if there was none to withdraw.

    Receivers of `consent_withdrawn` hide or delete the data tied to the purpose in this same transaction.
    """
    notice_current(purpose)
    User.objects.select_for_update().filter(pk=user.pk).first()
    record = ConsentRecord.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True).first()
    if record is None:
        return False
    record.withdrawn_at = timezone.now()
    record.save(update_fields=["withdrawn_at"])
    audit_record(
        actor=user,
        action=AuditEntry.Action.CONSENT_WITHDRAWN,
        subject=record,
        detail=f"{purpose} v{record.notice_version}",
    )
    consent_withdrawn.send(sender=ConsentRecord, user=user, purpose=purpose)
    return True
