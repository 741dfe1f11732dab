"""What Gatherings keeps when a person's account is erased: counts and financial records, anonymised."""

from django.db import transaction
from django.db.models import Q

from gathering.accounts.models import User

from .models import BursaryApplication, Registration

ERASED_NAME = "Erased person"


@transaction.atomic
def anonymise_person(*, user: User) -> dict[str, str]:
    mine = Q(user=user) | Q(email__iexact=user.email)
    kept: dict[str, str] = {}
    registrations = list(Registration.objects.select_for_update().filter(mine))
    for registration in registrations:
        registration.user = None
        registration.name = ERASED_NAME
        registration.email = f"erased-{registration.pk}@erased.invalid"
        registration.pronouns = ""
        registration.perspectives = None
        registration.access_needs = None
        registration.access_needs_other = ""
        registration.dietary_needs = ""
        registration.answers = {}
        registration.special_category_consent_at = None
        registration.on_attendee_list = False
        registration.share_access_with_venue = False
        registration.save()
    if registrations:
        kept["events.registration"] = (
            "status and ticket only, for attendance counts; no name, email or answers"
        )
    applications = list(BursaryApplication.objects.select_for_update().filter(mine))
    for application in applications:
        application.user = None
        application.name = ERASED_NAME
        application.email = f"erased-bursary-{application.pk}@erased.invalid"
        application.circumstances = ""
        application.reviewer_notes = ""
        application.decision_message = ""
        application.save()
    if applications:
        kept["events.bursaryapplication"] = "amounts asked for and awarded, as financial records, anonymised"
    return kept


def on_account_deleting(sender: object, user: User, **kwargs: object) -> dict[str, str]:
    return anonymise_person(user=user)
