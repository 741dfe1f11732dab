"""What circles does when a person's account is erased: they leave each circle as anyone leaves, then
circle sizes and attendance counts are kept, anonymised."""

from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gathering.accounts.models import User
from gathering.privacy.selectors import LeavingStep
from gathering.privacy.signals import consent_withdrawal_previewing

from .models import CircleInvitation, CircleMembership, FormationRun, NotWithRequest
from .services import membership_leave


def memberships_to_leave(*, user: User) -> QuerySet[CircleMembership]:
    """The circles the person still takes part in: erasure leaves each, the deletion page lists each."""
    return (
        CircleMembership.objects.active()
        .filter(user=user)
        .select_related("series")
        .order_by("series__name", "pk")
    )


def on_erasure_previewing(sender: object, user: User, **kwargs: object) -> list[LeavingStep]:
    steps = [
        LeavingStep("circles", _("%(series)s: you will leave quietly.") % {"series": membership.series.name})
        for membership in memberships_to_leave(user=user)
    ]
    if CircleMembership.objects.filter(user=user).exists():
        steps.append(
            LeavingStep(
                "kept",
                _(
                    "That someone was in a circle and came to its meetings, with nothing about you, "
                    "for counts."
                ),
            )
        )
    return steps


@transaction.atomic
def anonymise_person(*, user: User) -> dict[str, str]:
    for membership in memberships_to_leave(user=user):
        membership_leave(membership=membership, user=user)
    kept: dict[str, str] = {}
    memberships = list(CircleMembership.objects.select_for_update().filter(user=user))
    for membership in memberships:
        membership.user = None
        membership.perspectives = None
        membership.perspectives_consent_at = None
        membership.region = ""
        membership.language = ""
        membership.organisation = ""
        membership.access_needs = ""
        membership.share_access_needs = False
        membership.listed = False
        membership.removal_reason = ""
        membership.save()
    if memberships:
        kept["circles.circlemembership"] = "circle and attendance only, for counts; nothing about the person"
    # Requests naming the person hold their email or name in encrypted text: found by decrypting.
    keys = {user.email.lower(), " ".join(user.name.lower().split())}
    naming = [r.pk for r in NotWithRequest.objects.all() if " ".join(r.named.lower().split()) in keys]
    NotWithRequest.objects.filter(pk__in=naming).delete()
    # An invitation is only the person's email address: nothing to keep.
    CircleInvitation.objects.filter(email=user.email.lower()).delete()
    # Why a forming failed may name people (who could not be placed together): not kept once one leaves.
    if user.name.strip():
        FormationRun.objects.filter(message__icontains=user.name.strip()).update(message=str(ERASED_MESSAGE))
    return kept


ERASED_MESSAGE = gettext_lazy(
    "The circles could not be formed. The reasons named someone whose account has since been deleted, so "
    "they are no longer shown: form the circles again to see what stands in the way now."
)


def on_account_deleting(sender: object, user: User, **kwargs: object) -> dict[str, str]:
    return anonymise_person(user=user)


@receiver(consent_withdrawal_previewing, dispatch_uid="circles_consent_preview")
def on_consent_withdrawal_previewing(sender: object, user: User, purpose: str, **kwargs: object) -> list[str]:
    """What withdrawing special-category consent deletes in circles: the rows services.on_consent_withdrawn
    clears (every membership of the person's), one sentence per series with something to delete."""
    from gathering.privacy import notices

    if purpose != notices.SPECIAL_CATEGORY_EVENT:
        return []
    memberships = (
        CircleMembership.objects.filter(user=user).select_related("series").order_by("series__name", "pk")
    )
    return [
        _("%(series)s: your perspectives and access needs") % {"series": membership.series.name}
        for membership in memberships
        if membership.perspectives or membership.access_needs
    ]
