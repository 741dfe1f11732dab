"""What circles keeps when a person's account is erased: circle sizes and attendance counts, anonymised."""

from django.db import transaction

from gathering.accounts.models import User

from .models import CircleMembership, NotWithRequest


@transaction.atomic
def anonymise_person(*, user: User) -> dict[str, str]:
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
        if membership.status == CircleMembership.Status.ACTIVE:
            membership.status = CircleMembership.Status.LEFT
        membership.save()
    if memberships:
        kept["circles.circlemembership"] = "circle and attendance only, for counts; nothing about the person"
    # Requests naming the person hold their email or name in encrypted text: found by decrypting.
    keys = {user.email.lower(), " ".join(user.name.lower().split())}
    naming = [r.pk for r in NotWithRequest.objects.all() if " ".join(r.named.lower().split()) in keys]
    NotWithRequest.objects.filter(pk__in=naming).delete()
    return kept


def on_account_deleting(sender: object, user: User, **kwargs: object) -> dict[str, str]:
    return anonymise_person(user=user)
