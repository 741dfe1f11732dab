"""What Gatherings does when a person's account is erased: their upcoming places are cancelled as any
cancellation is (the place goes to the next person waiting), then counts and financial records are kept,
anonymised."""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gathering.accounts.models import User
from gathering.privacy.selectors import LeavingStep

from .models import BursaryApplication, Registration
from .pagecache import my_gatherings_forget
from .services import registration_cancel

ERASED_NAME = "Erased person"


def _mine(user: User) -> Q:
    return Q(user=user) | Q(email__iexact=user.email)


def registrations_to_cancel(*, user: User) -> QuerySet[Registration]:
    """The person's places and waiting-list entries at Gatherings that have not ended: erasure cancels each
    one, and the deletion page lists each one."""
    return (
        Registration.objects.filter(
            Q(user=user) | Q(user__isnull=True, email__iexact=user.email), event__ends_at__gt=timezone.now()
        )
        .live()
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )


def _leaving_text(registration: Registration) -> str:
    title = registration.event.title
    if registration.status == Registration.Status.WAITLISTED:
        return _("%(event)s: you will leave the waiting list.") % {"event": title}
    if registration.status == Registration.Status.OFFERED:
        return _("%(event)s: the place offered to you will be offered to the next person waiting.") % {
            "event": title
        }
    return _("%(event)s: your place will be cancelled and offered to the next person waiting.") % {
        "event": title
    }


def on_erasure_previewing(sender: object, user: User, **kwargs: object) -> list[LeavingStep]:
    steps = [
        LeavingStep("places", _leaving_text(registration))
        for registration in registrations_to_cancel(user=user)
    ]
    if Registration.objects.filter(_mine(user)).exists():
        steps.append(
            LeavingStep(
                "kept",
                _(
                    "That a place at a Gathering was taken or cancelled, with its ticket, without your name, "
                    "email or answers, so that attendance counts stay right."
                ),
            )
        )
    if BursaryApplication.objects.filter(_mine(user)).exists():
        steps.append(
            LeavingStep(
                "kept",
                _(
                    "The amounts of any bursary you asked for or were given, without your name or "
                    "circumstances, as financial records."
                ),
            )
        )
    return steps


def _cancel_upcoming(user: User) -> None:
    """Cancel through the same service a person uses, so the waiting list moves on in the same way."""
    for registration in registrations_to_cancel(user=user):
        if registration.user_id is None:
            # Made signed out with the same address: it is the person's too, theirs to cancel.
            Registration.objects.filter(pk=registration.pk).update(user=user)
            registration.user = user
        registration_cancel(registration=registration, user=user)


@transaction.atomic
def anonymise_person(*, user: User) -> dict[str, str]:
    _cancel_upcoming(user)
    mine = _mine(user)
    kept: dict[str, str] = {}
    registrations = list(Registration.objects.select_for_update().filter(mine))
    for registration in registrations:
        registration.user = None
        registration.name = ERASED_NAME
        registration.email = f"erased-{registration.pk}@erased.invalid"
        registration.pronouns = ""
        registration.region = ""
        registration.perspectives = None
        registration.access_needs = None
        registration.access_needs_other = ""
        registration.dietary_needs = ""
        registration.answers = None
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
    # Their rows no longer name them, so no change above reaches their list in the page cache: it goes here.
    my_gatherings_forget(user_id=user.pk)
    return kept


def on_account_deleting(sender: object, user: User, **kwargs: object) -> dict[str, str]:
    return anonymise_person(user=user)
