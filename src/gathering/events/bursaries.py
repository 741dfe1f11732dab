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

from .models import BursaryApplication, BursaryFund, Event, Registration, TicketType
from .rules import can_manage_event
from .services import MAX_AMOUNT_MINOR, RegistrationError, RegistrationInput, _clean_text, registration_create

Status = BursaryApplication.Status


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
    now: datetime | None = None,
) -> BursaryApplication:
    """Decide an application. An award must fit in what is left of the fund, and brings a supported place:
    a new registration, or the person's existing one moved onto the supported ticket."""
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
        application.status = decision
        application.amount_awarded_minor = amount_awarded_minor if awarded else 0
        application.travel_owed_minor = travel_owed_minor if awarded else 0
        application.decision_message = message
        application.decided_at = now
        application.decided_by = actor
        application.save()
        if awarded:
            _supported_place(application)
        outbox_enqueue(
            kind="bursary_decision",
            to=[application.email],
            template="events/bursary_decision",
            context={"application": application, "event": event},
            dedupe_key=f"bursary:{application.pk}:decision:{decision}",
        )
    return application


def _supported_place(application: BursaryApplication) -> None:
    event = application.event
    ticket = (
        TicketType.objects.filter(event=event, kind=TicketType.Kind.SUPPORTED, active=True)
        .order_by("position")
        .first()
    )
    if ticket is None:
        raise RegistrationError(_("This Gathering has no supported-place ticket to give. Add one first."))
    existing = (
        Registration.objects.select_for_update()
        .filter(event=event, email=application.email)
        .exclude(status__in=Registration.ENDED)
        .first()
    )
    if existing is not None:
        existing.ticket_type = ticket
        existing.amount_minor = 0
        existing.payment = Registration.Payment.NONE
        if existing.status == Registration.Status.PENDING_PAYMENT:
            existing.status = Registration.Status.CONFIRMED
        existing.save(update_fields=["ticket_type", "amount_minor", "payment", "status", "updated_at"])
        return
    registration_create(
        event=event,
        user=application.user,
        data=RegistrationInput(
            ticket_type_id=ticket.pk,
            name=application.name,
            email=application.email,
            invitation_code=ticket.invitation_code,
        ),
        award=True,
    )


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
