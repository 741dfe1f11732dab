"""Raising and handling safeguarding concerns."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gathering.accounts.models import User
from gathering.accounts.roles import SAFEGUARDING_LEAD
from gathering.core.outbox import outbox_enqueue
from gathering.core.references import reference_describe

from .models import RESPONSE_TARGETS, Concern, ConcernNote, ConcernStatusChange

MAX_TEXT = 5000
MAX_CONTACT = 200


def _text(value: str, *, field: str, label: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("Tell us %(label)s") % {"label": label}})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: _("Please keep this to 5,000 characters or fewer")})
    return value


def concern_raise(
    *,
    reporter: User | None,
    severity: str,
    details: str,
    people_involved: str = "",
    context: str = "",
    anonymous: bool = False,
    contact: str = "",
    now: datetime | None = None,
) -> Concern:
    """Record a concern. Urgent ones alert every safeguarding lead by email at once (without the details:
    the email says only that a concern is waiting and where to read it)."""
    if severity not in Concern.Severity.values:
        raise ValidationError({"severity": _("Choose how urgent it is")})
    details = _text(details, field="details", label=_("what happened"), required=True)
    people_involved = _text(people_involved, field="people_involved", label=_("who is involved"))
    # Only someone signed out leaves a contact; a signed-in reporter is reached through their account.
    contact = "" if reporter is not None else (contact or "").strip()
    if len(contact) > MAX_CONTACT:
        raise ValidationError({"contact": _("Please keep this to 200 characters or fewer")})
    now = now or timezone.now()
    context = context[:120]
    raised_from = reference_describe(context)
    with transaction.atomic():
        concern = Concern.objects.create(
            reporter=None if anonymous else reporter,
            anonymous=anonymous or reporter is None,
            severity=severity,
            details=details,
            people_involved=people_involved,
            contact=contact,
            context=context,
            raised_from_label=raised_from.label[:250] if raised_from else "",
            raised_from_path=raised_from.path[:250] if raised_from else "",
            respond_by=now + RESPONSE_TARGETS[severity],
        )
        if severity == Concern.Severity.URGENT:
            leads = User.objects.filter(groups__name=SAFEGUARDING_LEAD.group_name, is_active=True).distinct()
            for lead in leads:
                outbox_enqueue(
                    kind="urgent_concern",
                    to=[lead.email],
                    template="support/urgent_concern",
                    context={
                        "concern": concern,
                        "queue_url": f"{settings.GATHERING_BASE_URL}/staff/safeguarding/",
                    },
                    dedupe_key=f"concern:{concern.pk}:urgent:{lead.pk}",
                )
    return concern


def _lead(actor: User) -> None:
    if not actor.has_perm("accounts.safeguard"):
        raise PermissionDenied


def concern_update(
    *,
    concern: Concern,
    actor: User,
    status: str,
    action: str = "",
    note: str = "",
    assign_to_me: bool = False,
) -> Concern:
    _lead(actor)
    if status not in Concern.Status.values:
        raise ValidationError({"status": _("Choose a status")})
    note = _text(note, field="note", label=_("the note"))
    if action and action not in ConcernNote.Action.values:
        raise ValidationError({"action": _("Choose an action")})
    now = timezone.now()
    with transaction.atomic():
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        if status != concern.status:
            ConcernStatusChange.objects.create(
                concern=concern, changed_by=actor, from_status=concern.status, to_status=status
            )
        if status != Concern.Status.NEW and concern.acknowledged_at is None:
            concern.acknowledged_at = now
        concern.closed_at = now if status == Concern.Status.CLOSED else None
        concern.status = status
        if assign_to_me:
            concern.assigned_to = actor
        concern.save()
        if note:
            ConcernNote.objects.create(
                concern=concern, author=actor, action=action or ConcernNote.Action.NOTE, text=note
            )
    return concern


def safeguarding_leads_exist() -> bool:
    return Group.objects.filter(name=SAFEGUARDING_LEAD.group_name, user__is_active=True).exists()


def on_account_deleting(sender: object, user: User, **kwargs: object) -> dict[str, str]:
    """Safeguarding records are kept (restricted) after erasure, with the reporter unlinked."""
    unlinked = Concern.objects.filter(reporter=user).update(reporter=None, anonymous=True)
    # A contact left while signed out is the person's own address: it goes, the concern stays. It is
    # encrypted, so it is compared here rather than in the database.
    email = (user.email or "").strip().lower()
    cleared = [
        concern.pk
        for concern in Concern.objects.only("pk", "contact").iterator()
        if email and concern.contact.strip().lower() == email
    ]
    Concern.objects.filter(pk__in=cleared).update(contact="")
    if not (unlinked or cleared):
        return {}
    return {
        "support.concern": "safeguarding records, restricted, reporter unlinked and their contact removed"
    }
