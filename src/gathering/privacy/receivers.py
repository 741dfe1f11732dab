"""Audit entries for changes other apps make: the other apps send signals and never import privacy."""

from typing import Any

from django.utils.translation import gettext as _

from gathering.accounts.models import User

from .models import AuditEntry
from .selectors import LeavingStep
from .services import audit_record


def audit_roles_changed(
    sender: Any, *, actor: User | None, user: User, before: set[str], after: set[str], **kwargs: Any
) -> None:
    if before == set(after):
        return
    added, removed = sorted(set(after) - set(before)), sorted(set(before) - set(after))
    detail = "; ".join(
        part
        for part in (
            f"added {', '.join(added)}" if added else "",
            f"removed {', '.join(removed)}" if removed else "",
        )
        if part
    )
    audit_record(actor=actor, action=AuditEntry.Action.ROLE_CHANGED, subject=user, detail=detail)


def audit_account_deleting(sender: Any, *, user: User, **kwargs: Any) -> dict[str, str]:
    """One `erased` entry per account deleted or erased; the person's own audit entries stay, unlinked."""
    audit_record(
        actor=None, action=AuditEntry.Action.ERASED, subject=user, detail="account and personal data"
    )
    return {
        "privacy.auditentry": "audit entries stay, with the person unlinked: they record what was done, "
        "never what a record said"
    }


def preview_kept(sender: Any, *, user: User, **kwargs: Any) -> list[LeavingStep]:
    """What is kept whoever the person is: the audit log, and safeguarding concerns (the support app keeps
    them and does not depend on privacy, so privacy says it here)."""
    return [
        LeavingStep(
            "kept",
            _(
                "Our record of what was done with data, such as that an account was deleted, no longer "
                "linked to you."
            ),
        ),
        LeavingStep(
            "kept",
            _(
                "If you raised a concern, the safeguarding lead keeps it for people's safety, no longer "
                "linked to you."
            ),
        ),
    ]
