"""Bursaries: applying, blind review, decisions within the fund, and the supported place an award brings."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gathering.accounts.models import User
from gathering.core.outbox import outbox_enqueue
from gathering.privacy.services import audit_record

from .models import BursaryApplication, BursaryFund, Event, Registration, TicketType
from .notifications import place_attachments
from .rules import can_manage_event
from .services import (
    MAX_AMOUNT_MINOR,
    RegistrationError,
    RegistrationInput,
    _clean_text,
    _fits,
    _holding_counts,
    registration_create,
)

Status = BursaryApplication.Status

# What an award does when the Gathering has no place left: the organiser chooses, on purpose.
GIVE_PLACE = "give_place"  # a place over capacity, counted and recorded as such
WHEN_FREES = "when_frees"  # first in the waiting list for the next place that frees
PLACE_CHOICES = (GIVE_PLACE, WHEN_FREES)


@dataclass(frozen=True)
class FundSummary:
    total_minor: int
    committed_minor: int

    @property
    def remaining_minor(self) -> int:
        return self.total_minor - self.committed_minor


def fund_summary(*, event: Event) -> FundSummary:
    fund = BursaryFund.objects.filter(event=event).first()
    committed = BursaryApplication.objects.filter(
        event=event, status__in=BursaryApplication.AWARDED
    ).aggregate(n=Sum("amount_awarded_minor"))["n"]
    return FundSummary(total_minor=fund.total_minor if fund else 0, committed_minor=committed or 0)


def bursary_apply(
    *, event: Event, user: User, support: list[str], amount_requested_minor: int, circumstances: str
) -> BursaryApplication:
    fund = BursaryFund.objects.filter(event=event).first()
    if fund is None or not fund.open or event.is_past:
        raise RegistrationError(_("This Gathering is not taking bursary applications."))
    support = list(dict.fromkeys(support))
    if not support:
        raise RegistrationError({"support": _("Choose at least one kind of support")})
    if set(support) - set(BursaryApplication.Support.values):
        raise RegistrationError({"support": _("Choose from the kinds of support listed")})
    if amount_requested_minor < 0 or amount_requested_minor > MAX_AMOUNT_MINOR:
        raise RegistrationError({"amount": _("Enter an amount between £0 and £10,000")})
    circumstances = _clean_text(
        circumstances, field_name="circumstances", label=_("your circumstances"), limit=4000
    )
    with transaction.atomic():
        existing = (
            BursaryApplication.objects.filter(event=event, email=user.email.lower())
            .exclude(status=Status.WITHDRAWN)
            .first()
        )
        if existing is not None:
            return existing
        application = BursaryApplication.objects.create(
            event=event,
            user=user,
            name=user.name,
            email=user.email.lower(),
            support=support,
            amount_requested_minor=amount_requested_minor,
            circumstances=circumstances,
        )
        outbox_enqueue(
            kind="bursary_received",
            to=[application.email],
            template="events/bursary_received",
            context={"application": application, "event": event},
            dedupe_key=f"bursary:{application.pk}:received",
        )
    return application


def bursary_review(*, application: BursaryApplication, actor: User, score: int | None, notes: str) -> None:
    if not can_manage_event(actor, application.event):
        raise PermissionDenied
    if score is not None and not 1 <= score <= 5:
        raise RegistrationError({"score": _("Give a score from 1 to 5")})
    notes = _clean_text(notes, field_name="notes", label=_("notes"), limit=4000)
    application.score = score
    application.reviewer_notes = notes
    application.save(update_fields=["score", "reviewer_notes"])


def bursary_decide(
    *,
    application: BursaryApplication,
    actor: User,
    decision: str,
    amount_awarded_minor: int = 0,
    travel_owed_minor: int = 0,
    message: str = "",
    place: str = "",
    now: datetime | None = None,
) -> BursaryApplication:
    """Decide an application. An award must fit in what is left of the fund, and brings a supported place:
    a new registration, or the person's existing one moved onto the supported ticket.

    When the Gathering has no place left, `place` says what the organiser chose: GIVE_PLACE (confirmed
    over capacity, recorded on the registration and in the audit log) or WHEN_FREES (first in the waiting
    list). The person gets one email, about what happened; never a separate registration email."""
    event = application.event
    if not can_manage_event(actor, event):
        raise PermissionDenied
    if decision not in {Status.AWARDED_FULL, Status.AWARDED_PARTIAL, Status.DECLINED, Status.WAITLISTED}:
        raise RegistrationError({"decision": _("Choose a decision")})
    awarded = decision in BursaryApplication.AWARDED
    if awarded and not 0 <= amount_awarded_minor <= MAX_AMOUNT_MINOR:
        raise RegistrationError({"amount_awarded": _("Enter an amount between £0 and £10,000")})
    if not 0 <= travel_owed_minor <= amount_awarded_minor:
        raise RegistrationError({"travel_owed": _("Travel to repay cannot be more than the amount awarded")})
    message = _clean_text(message, field_name="message", label=_("the message"), limit=4000)
    now = now or timezone.now()
    with transaction.atomic():
        # The event row first, as every change to places does, so the count below stays true.
        event = Event.objects.select_for_update().get(pk=event.pk)
        fund = BursaryFund.objects.select_for_update().filter(event=event).first()
        application = BursaryApplication.objects.select_for_update().get(pk=application.pk)
        if application.status in {Status.WITHDRAWN, *BursaryApplication.AWARDED}:
            raise RegistrationError(_("This application has already been decided."))
        if awarded:
            summary = fund_summary(event=event)
            if fund is None or amount_awarded_minor > summary.remaining_minor:
                raise RegistrationError(
                    {
                        "amount_awarded": _("That is more than is left in the fund (%(left)s pence).")
                        % {"left": summary.remaining_minor}
                    }
                )
        application.event = event
        registration = _supported_place(application, actor=actor, place=place) if awarded else None
        application.status = decision
        application.amount_awarded_minor = amount_awarded_minor if awarded else 0
        application.travel_owed_minor = travel_owed_minor if awarded else 0
        application.decision_message = message
        application.decided_at = now
        application.decided_by = actor
        application.save()
        audit_record(
            actor=actor, action="changed", subject=application, detail=f"bursary decision: {decision}"
        )
        with_place = registration is not None and registration.holds_place
        outbox_enqueue(
            kind="bursary_decision",
            to=[application.email],
            template="events/bursary_decision",
            context={
                "application": application,
                "event": event,
                "awarded": awarded,
                "with_place": with_place,
                "waiting_for_place": registration is not None and not with_place,
            },
            attachments=place_attachments(registration) if with_place else (),
            dedupe_key=f"bursary:{application.pk}:decision:{decision}",
        )
    return application


def event_has_place_for_award(*, event: Event) -> bool:
    """Whether an award now would bring a place without going over capacity (or over the supported
    tickets); when not, the organiser chooses between GIVE_PLACE and WHEN_FREES."""
    ticket = _supported_ticket(event)
    if ticket is None:
        return True  # the decision itself says there is no supported ticket to give
    total, per_type = _holding_counts(event)
    return _fits(event, ticket, total, per_type)


def _supported_ticket(event: Event) -> TicketType | None:
    return (
        TicketType.objects.filter(event=event, kind=TicketType.Kind.SUPPORTED, active=True)
        .order_by("position")
        .first()
    )


def _supported_place(application: BursaryApplication, *, actor: User, place: str) -> Registration:
    """The award's place: the person's registration on the supported ticket, holding a place if one is
    free, otherwise as the organiser chose. Call with the event locked. No registration email: the
    decision email says what happened."""
    event = application.event
    ticket = _supported_ticket(event)
    if ticket is None:
        raise RegistrationError(_("This Gathering has no supported-place ticket to give. Add one first."))
    registration = (
        Registration.objects.select_for_update().filter(event=event, email=application.email).live().first()
    )
    if registration is None or registration.status == Registration.Status.WAITLISTED:
        total, per_type = _holding_counts(event)
        if not _fits(event, ticket, total, per_type) and place not in PLACE_CHOICES:
            raise RegistrationError(
                {"place": _("This Gathering is full: choose whether to give a place or to wait for one")}
            )
    if registration is None:
        registration = registration_create(
            event=event,
            user=application.user,
            data=RegistrationInput(
                ticket_type_id=ticket.pk,
                name=application.name,
                email=application.email,
                invitation_code=ticket.invitation_code,
            ),
            award=True,
            notify=False,
        ).registration
    registration.ticket_type = ticket
    registration.amount_minor = 0
    registration.payment = Registration.Payment.NONE
    fields = ["ticket_type", "amount_minor", "payment", "status", "updated_at"]
    if registration.status in {Registration.Status.PENDING_PAYMENT, Registration.Status.OFFERED}:
        registration.status = Registration.Status.CONFIRMED
        registration.offer_expires_at = None
        fields.append("offer_expires_at")
    elif registration.status == Registration.Status.WAITLISTED:
        total, per_type = _holding_counts(event)
        if _fits(event, ticket, total, per_type) or place == GIVE_PLACE:
            registration.over_capacity = not _fits(event, ticket, total, per_type)
            registration.status = Registration.Status.CONFIRMED
            registration.waitlisted_at = None
            registration.waitlist_priority = False
            fields += ["over_capacity", "waitlisted_at", "waitlist_priority"]
        else:
            registration.waitlist_priority = True
            fields.append("waitlist_priority")
    registration.save(update_fields=fields)
    if registration.over_capacity:
        audit_record(
            actor=actor,
            action="changed",
            subject=registration,
            detail="place given over capacity with a bursary award",
        )
    return registration


def fund_set(*, event: Event, actor: User, total_minor: int, open: bool) -> BursaryFund:
    if not can_manage_event(actor, event):
        raise PermissionDenied
    with transaction.atomic():
        fund, _created = BursaryFund.objects.select_for_update().get_or_create(event=event)
        committed = fund_summary(event=event).committed_minor
        if total_minor < committed:
            raise RegistrationError(
                {
                    "total": _("The fund cannot be less than is already awarded (%(n)s pence).")
                    % {"n": committed}
                }
            )
        fund.total_minor = total_minor
        fund.open = open
        fund.save(update_fields=["total_minor", "open"])
    return fund


def bursary_queue(*, event: Event) -> list[BursaryApplication]:
    return list(
        BursaryApplication.objects.filter(event=event)
        .exclude(status=Status.WITHDRAWN)
        .order_by("status", "-score", "created_at", "pk")
    )
