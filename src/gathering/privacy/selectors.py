"""Reads about consent and the audit log that views and other apps share."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gathering.accounts.models import User

from .models import AuditEntry, ConsentRecord
from .notices import CURRENT, Notice


@dataclass(frozen=True)
class ConsentStatus:
    notice: Notice
    # The live record, or None when the person has not given (or has withdrawn) consent.
    record: ConsentRecord | None
    # The latest withdrawn record, for "you withdrew on ...".
    withdrawn: ConsentRecord | None


def consent_active(*, user: User, purpose: str) -> bool:
    if user.pk is None:
        return False
    return ConsentRecord.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True).exists()


def consents_for(*, user: User) -> list[ConsentStatus]:
    """Each purpose with its current notice and where the person stands (one query)."""
    active: dict[str, ConsentRecord] = {}
    withdrawn: dict[str, ConsentRecord] = {}
    for record in ConsentRecord.objects.filter(user=user).order_by("-given_at", "-pk"):
        if record.withdrawn_at is None:
            active.setdefault(record.purpose, record)
        else:
            withdrawn.setdefault(record.purpose, record)
    return [
        ConsentStatus(notice=notice, record=active.get(purpose), withdrawn=withdrawn.get(purpose))
        for purpose, notice in CURRENT.items()
    ]


def consent_withdrawal_preview(*, user: User, purpose: str) -> list[str]:
    """What withdrawing `user`'s consent for `purpose` will delete or stop, in the person's words: each app
    answers `consent_withdrawal_previewing` from the rows its `consent_withdrawn` receiver changes."""
    from .signals import consent_withdrawal_previewing

    texts: list[str] = []
    for _receiver, answer in consent_withdrawal_previewing.send(
        sender=ConsentRecord, user=user, purpose=purpose
    ):
        texts.extend(str(text) for text in answer or ())
    return texts


def audit_entries(*, action: str | None = None) -> QuerySet[AuditEntry]:
    """The audit log, newest first, optionally only one kind of action."""
    entries = AuditEntry.objects.select_related("actor").order_by("-at", "-pk")
    if action:
        entries = entries.filter(action=action)
    return entries


# What deleting an account does, grouped as the deletion page shows it; apps answer with these keys.
LEAVING_GROUPS = {
    "places": _("Your places at Gatherings"),
    "circles": _("Listening circles you will leave"),
    "sessions": _("Sessions you proposed or facilitate"),
    "kept": _("What we keep, without your name"),
}


@dataclass(frozen=True)
class LeavingStep:
    """One thing deleting the account will do, in the person's words; `group` is a key of LEAVING_GROUPS."""

    group: str
    text: str


@dataclass(frozen=True)
class LeavingGroup:
    heading: str
    steps: list[str]


def erasure_preview(*, user: User) -> list[LeavingGroup]:
    """What deleting `user`'s account (or erasing them) will do, group by group, in LEAVING_GROUPS order.
    Each app answers `erasure_previewing` from the same selector its erasure acts on."""
    from .signals import erasure_previewing

    steps: dict[str, list[str]] = {group: [] for group in LEAVING_GROUPS}
    for _receiver, answer in erasure_previewing.send(sender=type(user), user=user):
        for step in answer or ():
            steps[step.group].append(step.text)
    return [
        LeavingGroup(heading=str(LEAVING_GROUPS[group]), steps=texts)
        for group, texts in steps.items()
        if texts
    ]
