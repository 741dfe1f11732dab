"""What learning does when a person's account is erased: their self-assessment reflections are deleted;
their ratings and attendance stay on the anonymised registration, for the cohort's aggregates only. Their
certificates are revoked and lose the printed name, so the verification page and the Open Badge status
list say "revoked" and show nobody's name."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gathering.accounts.models import User
from gathering.events.erasure import ERASED_NAME
from gathering.privacy.selectors import LeavingStep

from .models import Certificate, SelfAssessment


def on_erasure_previewing(sender: object, user: User, **kwargs: object) -> list[LeavingStep]:
    steps = []
    if Certificate.objects.valid().filter(registration__user=user).exists():
        steps.append(
            LeavingStep(
                "kept",
                _(
                    "Your certificates' codes, revoked and without your name: anyone who checks one is told "
                    "it no longer stands."
                ),
            )
        )
    if not SelfAssessment.objects.filter(registration__user=user).exists():
        return steps
    return [
        *steps,
        LeavingStep(
            "kept",
            _(
                "Your confidence ratings and which course sessions you came to, without your name or "
                "reflections, so that a course's averages stay right."
            ),
        ),
    ]


@transaction.atomic
def anonymise_person(*, user: User) -> dict[str, str]:
    # The events app may already have unlinked the registrations (receivers run in app order): a reflection
    # on any erased registration goes too, so none survives whichever runs first.
    mine = Q(registration__user=user) | Q(registration__user__isnull=True, registration__name=ERASED_NAME)
    # Encrypted, so compared once decrypted, not in SQL.
    assessments = list(SelfAssessment.objects.select_for_update().filter(mine))
    for assessment in assessments:
        if assessment.reflection:
            assessment.reflection = ""
            assessment.save(update_fields=["reflection"])
    kept = {}
    if assessments:
        kept["learning.selfassessment"] = "confidence ratings only, for aggregates; no reflection"
    certificates = Certificate.objects.filter(mine)
    named = certificates.exclude(name_on_certificate="").update(name_on_certificate="")
    certificates.valid().update(revoked_at=timezone.now(), revoked_reason="The holder deleted their account.")
    if named:
        kept["learning.certificate"] = "revoked, without the name: its code and the status list say so"
    return kept


def on_account_deleting(sender: object, user: User, **kwargs: object) -> dict[str, str]:
    return anonymise_person(user=user)
