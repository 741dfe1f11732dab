"""Every change to registrations: joining, the waiting list, offers of freed places, cancelling.

Capacity never oversells: each change that could take or free a place locks the event's row once, late,
inside one transaction, re-counts, then writes. After every such change the waiting list is topped up, so
no place stays free while someone who could take it is waiting.
"""

import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gathering.accounts.models import User
from gathering.core.money import format_money
from gathering.core.regions import CHOOSE_FROM_THE_LIST, Region

from .models import Event, Question, Registration, TicketType, Venue
from .notifications import calendar_attachment, notify_cancelled, notify_registration
from .pagecache import people_changed, places_changed
from .payments import PROVIDERS
from .selectors import answers_needing_consent, event_holding_counts, ticket_fits, waitlist_position

MAX_AMOUNT_MINOR = 1_000_000  # £10,000: anything above is a typing slip, not a donation
MAX_TEXT = 2_000
SENSITIVE_ANSWER_NEEDS_CONSENT = gettext_lazy(
    "To answer “%(q)s”, tick the box to agree to how we use what you tell us about your experience and "
    "access needs. Or leave that question empty."
)


class RegistrationError(ValidationError):
    """A refusal with a message meant for the person registering."""


@dataclass
class RegistrationInput:
    ticket_type_id: int
    name: str
    email: str
    pronouns: str = ""
    region: str = ""
    amount_minor: int | None = None
    payment: str = Registration.Payment.NONE
    invitation_code: str = ""
    special_category_consent: bool = False
    perspectives: list[str] = field(default_factory=list)
    access_needs: list[str] = field(default_factory=list)
    access_needs_other: str = ""
    dietary_needs: str = ""
    answers: dict[str, object] = field(default_factory=dict)
    on_attendee_list: bool = False
    share_access_with_venue: bool = False


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    created: bool
    waitlist_position: int | None


# ---------------------------------------------------------------------------------------------- validation


def _clean_text(value: str, *, field_name: str, label: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RegistrationError({field_name: _("Enter %(label)s") % {"label": label}})
    if len(value) > limit:
        raise RegistrationError(
            {
                field_name: _("%(label)s must be %(n)s characters or fewer")
                % {"label": label.capitalize(), "n": limit}
            }
        )
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise RegistrationError(
            {field_name: _("%(label)s cannot contain control characters") % {"label": label}}
        )
    return value


def _clean_region(value: str) -> str:
    """A region from the list (core.regions), or nothing: never a town or a postcode."""
    value = (value or "").strip()
    if value and value not in Region.values:
        raise RegistrationError({"region": CHOOSE_FROM_THE_LIST})
    return value


def _validate_amount(ticket: TicketType, data: RegistrationInput) -> int:
    amount = data.amount_minor
    if ticket.kind == TicketType.Kind.PAY_WHAT_YOU_CAN:
        if amount is None:
            raise RegistrationError(
                {
                    "amount_minor": _("Enter how much you can pay, which can be %(floor)s")
                    % {"floor": format_money(ticket.floor_minor, ticket.event.currency)}
                }
            )
        if amount < ticket.floor_minor:
            raise RegistrationError(
                {
                    "amount_minor": _("The least you can pay for this ticket is %(floor)s")
                    % {"floor": format_money(ticket.floor_minor, ticket.event.currency)}
                }
            )
    elif ticket.kind == TicketType.Kind.SOLIDARITY:
        amount = ticket.price_minor if amount is None else amount
        if amount < ticket.price_minor:
            raise RegistrationError(
                {
                    "amount_minor": _("A solidarity ticket is at least %(price)s")
                    % {"price": format_money(ticket.price_minor, ticket.event.currency)}
                }
            )
    elif ticket.kind == TicketType.Kind.SUPPORTED:
        amount = 0
    else:
        amount = ticket.price_minor
    if amount < 0:
        raise RegistrationError({"amount_minor": _("The amount cannot be negative")})
    if amount > MAX_AMOUNT_MINOR:
        raise RegistrationError(
            {
                "amount_minor": _("The amount must be %(max)s or less")
                % {"max": format_money(MAX_AMOUNT_MINOR, ticket.event.currency)}
            }
        )
    return amount


def _validate_answers(
    event: Event, answers: dict[str, object], *, consent: bool
) -> tuple[dict[str, object], set[str]]:
    """Check custom answers against the event's questions; returns them keyed by question id, and the ids
    of those answered that are sensitive. A sensitive answer needs the special-category consent."""
    questions = {str(q.pk): q for q in event.questions.all()}
    unknown = set(answers) - set(questions)
    if unknown:
        raise RegistrationError(
            {
                "answers": _("These questions are not part of this Gathering: %(ids)s")
                % {"ids": ", ".join(sorted(unknown))}
            }
        )
    cleaned: dict[str, object] = {}
    for key, question in questions.items():
        if question.depends_on_id is not None:
            parent = answers.get(str(question.depends_on_id))
            shown = _answer_matches(parent, question.depends_value)
            if not shown:
                continue
        value = answers.get(key)
        if value in (None, "", []):
            if question.required:
                raise RegistrationError({f"q{key}": _("Answer the question: %(q)s") % {"q": question.text}})
            continue
        if question.kind == Question.Kind.TEXT:
            if not isinstance(value, str):
                raise RegistrationError({f"q{key}": _("Answer with text: %(q)s") % {"q": question.text}})
            cleaned[key] = _clean_text(value, field_name=f"q{key}", label=_("your answer"), limit=MAX_TEXT)
        elif question.kind == Question.Kind.CHOICE:
            if value not in question.choices:
                raise RegistrationError(
                    {f"q{key}": _("Choose one of the options for: %(q)s") % {"q": question.text}}
                )
            cleaned[key] = value
        elif question.kind == Question.Kind.MULTIPLE:
            if not isinstance(value, list) or any(v not in question.choices for v in value):
                raise RegistrationError(
                    {f"q{key}": _("Choose from the options for: %(q)s") % {"q": question.text}}
                )
            cleaned[key] = sorted(set(value), key=question.choices.index)
        else:
            if value not in ("yes", "no"):
                raise RegistrationError({f"q{key}": _("Answer yes or no: %(q)s") % {"q": question.text}})
            cleaned[key] = value
        if question.sensitive and not consent:
            raise RegistrationError({f"q{key}": SENSITIVE_ANSWER_NEEDS_CONSENT % {"q": question.text}})
    return cleaned, {key for key in cleaned if questions[key].sensitive}


def _answer_matches(answer: object, wanted: str) -> bool:
    if isinstance(answer, list):
        return wanted in answer
    return answer == wanted


def _ticket_chosen(event: Event, data: RegistrationInput, *, award: bool = False) -> TicketType:
    """The ticket on offer the person chose; a supported place needs its invitation code (or an award)."""
    ticket = next((t for t in event.ticket_types.all() if t.pk == data.ticket_type_id and t.active), None)
    if ticket is None:
        raise RegistrationError({"ticket_type": _("Choose one of the tickets on offer")})
    if (
        ticket.kind == TicketType.Kind.SUPPORTED
        and not award
        and not (
            ticket.invitation_code
            and hmac.compare_digest(data.invitation_code.strip(), ticket.invitation_code)
        )
    ):
        raise RegistrationError(
            {
                "invitation_code": _(
                    "Supported places need an invitation code from the organisers, or a bursary."
                )
            }
        )
    return ticket


def _payment_chosen(amount: int, data: RegistrationInput) -> str:
    if amount == 0:
        return Registration.Payment.NONE
    if data.payment in PROVIDERS:
        return data.payment
    raise RegistrationError({"payment": _("Choose how you will pay: on the day, or by bank transfer")})


def _validate(
    event: Event, data: RegistrationInput, now: datetime, *, award: bool = False
) -> tuple[TicketType, dict[str, object]]:
    if not event.registration_open(now):
        raise RegistrationError(_("Registration for this Gathering is closed."))
    ticket = _ticket_chosen(event, data, award=award)
    clean: dict[str, object] = {
        "name": _clean_text(data.name, field_name="name", label=_("your name"), limit=150, required=True),
        "pronouns": _clean_text(data.pronouns, field_name="pronouns", label=_("pronouns"), limit=40),
        "region": _clean_region(data.region),
        "email": _validate_email(data.email),
        "amount_minor": _validate_amount(ticket, data),
        "dietary_needs": _clean_text(
            data.dietary_needs, field_name="dietary_needs", label=_("dietary needs"), limit=MAX_TEXT
        ),
        "on_attendee_list": bool(data.on_attendee_list),
    }
    clean["answers"], sensitive_answered = _validate_answers(
        event, data.answers, consent=data.special_category_consent
    )
    perspectives = list(dict.fromkeys(data.perspectives))
    needs = list(dict.fromkeys(data.access_needs))
    other = _clean_text(
        data.access_needs_other,
        field_name="access_needs_other",
        label=_("other access needs"),
        limit=MAX_TEXT,
    )
    if set(perspectives) - set(Registration.Perspective.values):
        raise RegistrationError({"perspectives": _("Choose from the ways of coming listed")})
    if set(needs) - set(Registration.AccessNeed.values):
        raise RegistrationError({"access_needs": _("Choose from the access needs listed, or describe them")})
    if (perspectives or needs or other) and not data.special_category_consent:
        raise RegistrationError(
            {
                "special_category_consent": _(
                    "To tell us about your experience or access needs, tick the box to agree to how we use "
                    "them. "
                    "Or leave those questions empty."
                )
            }
        )
    clean.update(
        perspectives=perspectives or None,
        access_needs=needs or None,
        access_needs_other=other,
        special_category=bool(perspectives or needs or other or sensitive_answered),
        share_access_with_venue=bool(data.share_access_with_venue) and bool(needs or other),
    )
    clean["payment"] = _payment_chosen(clean["amount_minor"], data)
    return ticket, clean


def _validate_email(email: str) -> str:
    from django.core.validators import validate_email

    email = (email or "").strip().lower()
    if not email:
        raise RegistrationError({"email": _("Enter your email address")})
    if len(email) > 254:
        raise RegistrationError({"email": _("Your email address must be 254 characters or fewer")})
    try:
        validate_email(email)
    except ValidationError:
        raise RegistrationError(  # noqa: B904 - the validator's own message is replaced, not chained
            {"email": _("Enter an email address in the right format, like name@example.org")}
        )
    return email


# ---------------------------------------------------------------------------------------------- capacity


# The counting lives in selectors, so the pages that say "Join the waiting list" use the same rule as here.
def _holding_counts(event: Event) -> tuple[int, dict[int, int]]:
    return event_holding_counts(event=event)


def _fits(event: Event, ticket: TicketType, total: int, per_type: dict[int, int]) -> bool:
    return ticket_fits(event=event, ticket=ticket, total=total, per_type=per_type)


# The waiting list's order: bursary awards waiting for a place first, then everyone by the time they joined.
WAITLIST_ORDER = ("-waitlist_priority", "waitlisted_at", "pk")


def _offer_free_places(event: Event, now: datetime) -> list[Registration]:
    """Offer every free place to the longest-waiting person who can take it. Call with the event locked."""
    offered = []
    total, per_type = _holding_counts(event)
    waiting = (
        Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED)
        .select_related("ticket_type")
        .order_by(*WAITLIST_ORDER)
    )
    for registration in waiting:
        if event.capacity is not None and total >= event.capacity:
            break
        if not _fits(event, registration.ticket_type, total, per_type):
            continue
        registration.status = Registration.Status.OFFERED
        registration.offer_expires_at = now + timedelta(hours=event.offer_hours)
        registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
        registration.event = event
        notify_registration(registration)
        total += 1
        per_type[registration.ticket_type_id] = per_type.get(registration.ticket_type_id, 0) + 1
        offered.append(registration)
    return offered


def validate_registration(*, event: Event, data: RegistrationInput, now: datetime | None = None) -> None:
    """Raise the same RegistrationError registration_create would, without writing anything."""
    _validate(event, data, now or timezone.now())


def registration_create(
    *,
    event: Event,
    user: User | None,
    data: RegistrationInput,
    now: datetime | None = None,
    notify: bool = True,
    award: bool = False,
) -> RegistrationResult:
    """Register one person: a confirmed place if one is free, otherwise the waiting list.

    The same email registering again gets its existing registration back, never a second one. The
    confirmation or waiting-list email goes into the outbox in the same transaction (not for imports and
    demo data, which pass notify=False). `award` is a bursary award: it stands in for an invitation code.
    """
    ticket, clean = _validate(event, data, now or timezone.now(), award=award)
    email = clean["email"]
    existing = Registration.objects.filter(event=event, email=email).live().first()
    if existing is not None:
        return RegistrationResult(existing, False, waitlist_position(existing))
    try:
        with transaction.atomic():
            # The lock: once, late, on the event row. Everything below sees a stable count.
            locked = Event.objects.select_for_update().get(pk=event.pk)
            existing = Registration.objects.filter(event=locked, email=email).live().first()
            if existing is not None:
                return RegistrationResult(existing, False, waitlist_position(existing))
            total, per_type = _holding_counts(locked)
            # Queue order is lock order: take the time only now that the lock is held.
            locked_at = now if now is not None else timezone.now()
            if _fits(locked, ticket, total, per_type):
                status = (
                    Registration.Status.CONFIRMED
                    if clean["payment"] == Registration.Payment.NONE
                    else Registration.Status.PENDING_PAYMENT
                )
            else:
                status = Registration.Status.WAITLISTED
            registration = Registration.objects.create(
                event=locked,
                ticket_type=ticket,
                user=user,
                name=clean["name"],
                email=email,
                pronouns=clean["pronouns"],
                region=clean["region"],
                status=status,
                amount_minor=clean["amount_minor"],
                payment=clean["payment"],
                perspectives=clean["perspectives"],
                access_needs=clean["access_needs"],
                access_needs_other=clean["access_needs_other"],
                special_category_consent_at=locked_at if clean["special_category"] else None,
                dietary_needs=clean["dietary_needs"],
                answers=clean["answers"] or None,
                on_attendee_list=clean["on_attendee_list"],
                share_access_with_venue=clean["share_access_with_venue"],
                waitlisted_at=locked_at if status == Registration.Status.WAITLISTED else None,
            )
            _record_consents(user=user, registration=registration)
            if notify:
                notify_registration(registration)
    except IntegrityError:
        # A twin request with the same email won the race between our check and the insert.
        existing = Registration.objects.filter(event=event, email=email).live().first()
        if existing is None:
            raise
        return RegistrationResult(existing, False, waitlist_position(existing))
    return RegistrationResult(registration, True, waitlist_position(registration))


def _record_consents(*, user: User | None, registration: Registration) -> None:
    """A signed-in person's explicit agreements, kept as consent records they can see and withdraw."""
    if user is None:
        return
    from gathering.privacy import notices
    from gathering.privacy.services import consent_give

    if registration.special_category_consent_at is not None:
        consent_give(user=user, purpose=notices.SPECIAL_CATEGORY_EVENT, method="form")
    if registration.share_access_with_venue:
        consent_give(user=user, purpose=notices.SHARE_ACCESS_NEEDS_WITH_VENUE, method="form")
    if registration.on_attendee_list:
        consent_give(user=user, purpose=notices.ATTENDEE_LIST, method="form")


def on_consent_withdrawn(sender: object, user: User, purpose: str, **kwargs: object) -> None:
    """Withdrawal takes effect at once: the answers tied to the purpose are deleted or hidden."""
    from gathering.privacy import notices

    # The same rows consent_withdrawal_steps (selectors) lists on the "Are you sure" page.
    live = Registration.objects.filter(user=user).live()
    if purpose == notices.SPECIAL_CATEGORY_EVENT:
        answered = list(live.filter(answers__isnull=False))
        needing_consent = answers_needing_consent(registrations=answered)
        for registration in answered:
            needing = needing_consent.get(registration.pk)
            if needing:
                kept = {key: value for key, value in registration.answers.items() if key not in needing}
                registration.answers = kept or None
                registration.save(update_fields=["answers", "updated_at"])
        live.update(
            perspectives=None,
            access_needs=None,
            access_needs_other="",
            special_category_consent_at=None,
            share_access_with_venue=False,
        )
    elif purpose == notices.SHARE_ACCESS_NEEDS_WITH_VENUE:
        live.update(share_access_with_venue=False)
    elif purpose == notices.ATTENDEE_LIST:
        live.update(on_attendee_list=False)


def _owned(registration: Registration, user: User) -> None:
    if registration.user_id != user.pk:
        raise PermissionDenied


def _refuse_after_the_end(registration: Registration, now: datetime) -> None:
    if registration.event.ends_at <= now:
        raise RegistrationError(
            _("%(event)s has ended, so its registration can no longer be changed or cancelled.")
            % {"event": registration.event.title}
        )


def registration_cancel(
    *, registration: Registration, user: User, now: datetime | None = None
) -> Registration:
    """The person gives up their place (or leaves the waiting list); a freed place is offered on at once.
    Not once the Gathering has ended: who came is part of its record, and there is no place to offer on."""
    _owned(registration, user)
    now = now or timezone.now()
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.select_related("event").get(pk=registration.pk)
        if registration.status in Registration.ENDED:
            return registration
        _refuse_after_the_end(registration, now)
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = now
        registration.offer_expires_at = None
        registration.save(update_fields=["status", "cancelled_at", "offer_expires_at", "updated_at"])
        notify_cancelled(registration)
        _offer_free_places(registration.event, now)
    return registration


def registration_offer_accept(
    *, registration: Registration, user: User, now: datetime | None = None
) -> Registration:
    _owned(registration, user)
    now = now or timezone.now()
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status != Registration.Status.OFFERED:
            raise RegistrationError(_("There is no place on offer to accept."))
        if registration.offer_expires_at <= now:
            raise RegistrationError(_("Sorry, this offer has ended."))
        registration.status = (
            Registration.Status.CONFIRMED
            if registration.payment == Registration.Payment.NONE
            else Registration.Status.PENDING_PAYMENT
        )
        registration.offer_expires_at = None
        registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
        notify_registration(registration)
    return registration


def registration_offer_decline(
    *, registration: Registration, user: User, now: datetime | None = None
) -> Registration:
    _owned(registration, user)
    if registration.status != Registration.Status.OFFERED:
        raise RegistrationError(_("There is no place on offer to decline."))
    return registration_cancel(registration=registration, user=user, now=now)


def waitlist_expire_offers(*, now: datetime | None = None) -> int:
    """Scheduled: offers nobody answered in time pass to the next person waiting."""
    now = now or timezone.now()
    expired = 0
    event_ids = (
        Registration.objects.filter(status=Registration.Status.OFFERED, offer_expires_at__lte=now)
        .values_list("event_id", flat=True)
        .distinct()
    )
    for event_id in list(event_ids):
        with transaction.atomic():
            event = Event.objects.select_for_update().get(pk=event_id)
            ending = Registration.objects.filter(
                event=event, status=Registration.Status.OFFERED, offer_expires_at__lte=now
            )
            people = list(ending.values_list("user_id", flat=True))
            expired += ending.update(
                status=Registration.Status.EXPIRED, offer_expires_at=None, updated_at=now
            )
            # An update sends no signals: the page's count of places left, and the lists of the people whose
            # offers ended, are told here.
            places_changed(slug=event.slug)
            people_changed(user_ids=people)
            _offer_free_places(event, now)
    return expired


def registration_mark_paid(
    *, registration: Registration, actor: User, now: datetime | None = None
) -> Registration:
    """An organiser records that a person has paid (on the day, or by bank transfer)."""
    from .rules import can_manage_event

    if not can_manage_event(actor, registration.event):
        raise PermissionDenied
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Registration.Status.PENDING_PAYMENT:
            raise RegistrationError(_("Only a registration with a payment due can be marked as paid."))
        registration.status = Registration.Status.CONFIRMED
        registration.paid_at = now or timezone.now()
        registration.save(update_fields=["status", "paid_at", "updated_at"])
    return registration


def registration_check_in(
    *, registration: Registration, actor: User, now: datetime | None = None
) -> tuple[Registration, bool]:
    """Check a person in (idempotent): returns the registration and whether this call checked them in."""
    from .rules import can_manage_event

    if not can_manage_event(actor, registration.event):
        raise PermissionDenied
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
        )
        if registration.status not in Registration.HOLDING:
            raise RegistrationError(_("This person does not have a place, so cannot be checked in."))
        if registration.checked_in_at is not None:
            return registration, False
        registration.checked_in_at = now or timezone.now()
        registration.save(update_fields=["checked_in_at", "updated_at"])
    return registration, True


def registration_check_in_undo(*, registration: Registration, actor: User) -> Registration:
    """Take back a check-in made by mistake at the desk (the wrong Sam, a double tap); recorded in the
    audit log, since arrival counts feed attendance and certificates."""
    from gathering.privacy.services import audit_record

    from .rules import can_manage_event

    if not can_manage_event(actor, registration.event):
        raise PermissionDenied
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.checked_in_at is None:
            raise RegistrationError(_("This person is not checked in."))
        registration.checked_in_at = None
        registration.save(update_fields=["checked_in_at", "updated_at"])
        audit_record(actor=actor, action="changed", subject=registration, detail="check-in undone")
    return registration


def calendar_feed_renew(*, user: User) -> str:
    """A new private calendar address for `user`; the old one stops working at once."""
    from .models import CalendarFeed, new_feed_token

    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        if not created:
            feed.token = new_feed_token()
            feed.save(update_fields=["token"])
    return feed.token


def event_message_attendees(*, event: Event, actor: User, subject: str, body: str) -> int:
    """An organiser's message to everyone with a place; returns how many it goes to."""
    from gathering.core.outbox import outbox_enqueue

    from .rules import can_manage_event

    if not can_manage_event(actor, event):
        raise PermissionDenied
    subject = _clean_text(subject, field_name="subject", label=_("a subject"), limit=150, required=True)
    body = _clean_text(body, field_name="body", label=_("a message"), limit=5000, required=True)
    with transaction.atomic():
        recipients = list(
            Registration.objects.filter(event=event, status__in=Registration.HOLDING)
            .exclude(status=Registration.Status.OFFERED)
            .values_list("pk", "email", "name")
        )
        stamp = timezone.now().isoformat()
        for pk, email, name in recipients:
            outbox_enqueue(
                kind="organiser_message",
                to=[email],
                template="events/organiser_message",
                context={"event": event, "subject": subject, "body": body, "name": name},
                dedupe_key=f"message:{event.pk}:{pk}:{stamp}",
                # A reply reaches a person: the team's inbox if one is configured, else the organiser.
                reply_to=settings.GATHERING_REPLY_TO or actor.email,
            )
    return len(recipients)


EVENT_NOTIFY_FIELDS = ("starts_at", "ends_at", "venue_id", "format", "time_zone")
# A change to any of these raises the Gathering's calendar SEQUENCE (RFC 5545 3.8.7.4).
EVENT_CALENDAR_FIELDS = (*EVENT_NOTIFY_FIELDS, "status", "title")
SLUG_MAX = Event._meta.get_field("slug").max_length


def _routes(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        else:
            yield route


def event_slugs_reserved() -> frozenset[str]:
    """Addresses a Gathering may not have: the fixed pages beside /gatherings/<slug>/ and
    /staff/gatherings/<slug>/ ("past", "new", "venues"), read from the site's routes so a new one is never
    missed. Read through the resolver, not by importing the URL modules, whose views import this module."""
    reserved = set()
    for route in _routes(get_resolver()):
        for prefix in ("gatherings/", "staff/gatherings/"):
            if not route.startswith(prefix):
                continue
            first = route.removeprefix(prefix).split("/", 1)[0]
            if first and "<" not in first:
                reserved.add(first.split(".", 1)[0])
    return frozenset(reserved)


def event_slug_from_title(*, title: str, exclude_pk: int | None = None) -> str:
    """A free address made from the title: "summer-gathering", then "summer-gathering-2", "-3" ..."""
    base = slugify(title)[:SLUG_MAX].strip("-") or "gathering"
    reserved = event_slugs_reserved()
    taken = set(
        Event.objects.filter(slug__startswith=base[: SLUG_MAX - 4])
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    n = 1
    candidate = base
    while candidate in taken or candidate in reserved:
        n += 1
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
    return candidate


def _event_slug_settle(event: Event) -> None:
    if not event.slug:
        event.slug = event_slug_from_title(title=event.title, exclude_pk=event.pk)
    elif event.slug in event_slugs_reserved():
        raise ValidationError(
            {"slug": _("That web address is used by another page. Choose a different one.")}
        )


def event_save(*, actor: User, event: Event, creating: bool) -> tuple[Event, list[str]]:
    """Save an organiser's edits. When the date, place or format of a published Gathering changes, or it is
    cancelled, everyone registered is told (once per change). Returns what changed that people were told."""
    from gathering.core.outbox import outbox_enqueue

    from .rules import can_manage_event

    if not creating and not can_manage_event(actor, event):
        raise PermissionDenied
    if creating and not actor.has_perm("accounts.organise"):
        raise PermissionDenied
    _event_slug_settle(event)
    event.full_clean()
    with transaction.atomic():
        before = Event.objects.select_for_update().filter(pk=event.pk).first() if event.pk else None
        if before is not None:
            # Counted from the locked row, not the form's copy, so two edits at once both count.
            moved = any(getattr(before, f) != getattr(event, f) for f in EVENT_CALENDAR_FIELDS)
            event.calendar_sequence = before.calendar_sequence + moved
        event.save()
        if creating:
            event.organisers.add(actor)
        told: list[str] = []
        if before is not None and before.status == Event.Status.PUBLISHED:
            if event.status == Event.Status.CANCELLED:
                told = ["cancelled"]
            else:
                told = [f for f in EVENT_NOTIFY_FIELDS if getattr(before, f) != getattr(event, f)]
        if told:
            stamp = timezone.now().isoformat()
            template = "events/cancelled_event" if told == ["cancelled"] else "events/changed"
            for registration in Registration.objects.filter(event=event).live():
                registration.event = event
                outbox_enqueue(
                    kind="event_cancelled" if told == ["cancelled"] else "event_changed",
                    to=[registration.email],
                    template=template,
                    context={
                        "event": event,
                        "registration": registration,
                        "event_url": f"{settings.GATHERING_BASE_URL}{event.get_absolute_url()}",
                    },
                    # The updated file: the same UID with a higher SEQUENCE updates the entry in place.
                    attachments=[calendar_attachment(registration)],
                    dedupe_key=f"event:{event.pk}:{registration.pk}:{'-'.join(told)}:{stamp}",
                )
        if event.capacity is not None or before is not None:
            # More places (or none now limited) may let people off the waiting list.
            _offer_free_places(Event.objects.select_for_update().get(pk=event.pk), timezone.now())
    return event, told


def venue_save(*, actor: User, venue: Venue) -> Venue:
    """Save an organiser's venue. Any organiser may add one, and is recorded as having added it; an existing
    venue is changed only by someone rules.can_edit_venue allows, judged on the row as stored. A new photo
    must come from core.images.image_clean (the venue form's photo field): nothing else is stored."""
    from gathering.core.images import CleanImageFile
    from gathering.privacy.services import audit_record

    from .rules import can_edit_venue

    creating = venue.pk is None
    if creating and not actor.has_perm("accounts.organise"):
        raise PermissionDenied
    photo = venue.entrance_photo
    if photo and not photo._committed and not isinstance(photo.file, CleanImageFile):
        raise ValueError("A venue photo must be re-encoded by gathering.core.images.image_clean first.")
    venue.full_clean(exclude=["created_by"])
    with transaction.atomic():
        replaced = ""
        if not creating:
            stored = Venue.objects.select_for_update().get(pk=venue.pk)
            if not can_edit_venue(actor, stored):
                raise PermissionDenied
            venue.created_by_id = stored.created_by_id  # not the form's to change
            replaced = stored.entrance_photo.name
        else:
            venue.created_by = actor
        venue.save()
        if replaced and replaced != venue.entrance_photo.name:
            # A photo taken down, or replaced, is not kept: it may show more than people meant to share.
            storage = venue.entrance_photo.storage
            transaction.on_commit(lambda: storage.delete(replaced))
        audit_record(
            actor=actor, action="changed", subject=venue, detail="venue added" if creating else "venue edited"
        )
    return venue


def ticket_name_taken_message(name: str) -> str:
    return _("There is already a ticket called %(name)s for this Gathering") % {"name": name}


def ticket_name_taken(*, event: Event, name: str, ticket: TicketType | None = None) -> bool:
    """Whether another ticket of `event` has this name, whatever its case (the constraint
    events_tickettype_name_unique_per_event)."""
    others = TicketType.objects.filter(event=event, name__iexact=name.strip())
    if ticket is not None and ticket.pk is not None:
        others = others.exclude(pk=ticket.pk)
    return others.exists()


def ticket_type_save(*, actor: User, ticket: TicketType) -> TicketType:
    """Save an organiser's ticket. A name another ticket of the Gathering has is refused with a message,
    also when two organisers add the same name at the same moment."""
    from gathering.privacy.services import audit_record

    from .rules import can_manage_event

    if not can_manage_event(actor, ticket.event):
        raise PermissionDenied
    creating = ticket.pk is None
    if ticket_name_taken(event=ticket.event, name=ticket.name, ticket=ticket):
        raise ValidationError({"name": ticket_name_taken_message(ticket.name)})
    try:
        with transaction.atomic():
            ticket.save()
            audit_record(
                actor=actor,
                action="changed",
                subject=ticket.event,
                detail="ticket added" if creating else "ticket edited",
            )
    except IntegrityError:
        if creating:
            ticket.pk = None
        raise ValidationError({"name": ticket_name_taken_message(ticket.name)}) from None
    return ticket


def _shift(moment: datetime | None, delta: timedelta, zone) -> datetime | None:
    """`moment` moved by `delta` on the wall clock of `zone`: 10:00 stays 10:00 across a clock change."""
    if moment is None:
        return None
    local = timezone.localtime(moment, zone).replace(tzinfo=None)
    return timezone.make_aware(local + delta, zone)


def event_copy(*, actor: User, source: Event, title: str, starts_at: datetime) -> Event:
    """A new draft Gathering set up like `source`, starting at `starts_at`: the same venue, format, words,
    places, tickets, questions and programme grid (rooms and slots), every date moved by the same amount.
    None of the people come with it: no registrations, bursaries, proposals, reviewers or circles. Its
    organisers are `actor` and those of the source who still organise."""
    from gathering.privacy.services import audit_record

    from .models import FeedbackQuestion
    from .rules import can_manage_event

    if not can_manage_event(actor, source):
        raise PermissionDenied
    title = _clean_text(title, field_name="title", label=_("a title"), limit=200, required=True)
    zone = source.zone
    delta = timezone.localtime(starts_at, zone).replace(tzinfo=None) - timezone.localtime(
        source.starts_at, zone
    ).replace(tzinfo=None)
    copy = Event(
        title=title,
        summary=source.summary,
        description=source.description,
        kind=source.kind,
        format=source.format,
        starts_at=_shift(source.starts_at, delta, zone),
        ends_at=_shift(source.ends_at, delta, zone),
        time_zone=source.time_zone,
        status=Event.Status.DRAFT,
        venue_id=source.venue_id,
        place=source.place,
        capacity=source.capacity,
        registration_opens_at=_shift(source.registration_opens_at, delta, zone),
        registration_closes_at=_shift(source.registration_closes_at, delta, zone),
        offer_hours=source.offer_hours,
        currency=source.currency,
        learning_outcomes=source.learning_outcomes,
        themes=source.themes,
        # Not the joining link: last time's meeting room may be gone or reused for something else.
    )
    copy.slug = event_slug_from_title(title=title)
    copy.full_clean()
    organisers = [
        person
        for person in source.organisers.filter(is_active=True).exclude(pk=actor.pk)
        if person.has_perm("accounts.organise")
    ]
    with transaction.atomic():
        copy.save()
        copy.organisers.add(actor, *organisers)
        TicketType.objects.bulk_create(
            TicketType(
                event=copy,
                name=t.name,
                description=t.description,
                kind=t.kind,
                price_minor=t.price_minor,
                floor_minor=t.floor_minor,
                suggested_minor=t.suggested_minor,
                quantity=t.quantity,
                active=t.active,
                position=t.position,
                # Not the invitation code: it was given to last time's people.
            )
            for t in source.ticket_types.all()
        )
        copied: dict[int, Question] = {}
        for question in source.questions.all():
            copied[question.pk] = Question.objects.create(
                event=copy,
                text=question.text,
                help_text=question.help_text,
                kind=question.kind,
                choices=question.choices,
                required=question.required,
                sensitive=question.sensitive,
                position=question.position,
            )
        for question in source.questions.filter(depends_on__isnull=False):
            child = copied[question.pk]
            child.depends_on = copied.get(question.depends_on_id)
            child.depends_value = question.depends_value
            child.save(update_fields=["depends_on", "depends_value"])
        FeedbackQuestion.objects.bulk_create(
            FeedbackQuestion(event=copy, text=q.text, kind=q.kind, position=q.position)
            for q in source.feedback_questions.all()
        )
        _programme_copy(source=source, copy=copy, delta=delta, zone=zone)
        audit_record(actor=actor, action="changed", subject=copy, detail=f"Gathering copied from {source.pk}")
    return copy


def _programme_copy(*, source: Event, copy: Event, delta: timedelta, zone) -> None:
    """The programme's settings, slots and rooms; never its sessions, reviews, reviewers or interest."""
    from gathering.programme.models import Programme, Room, Slot

    programme = Programme.objects.filter(event=source).first()
    if programme is None:
        return
    new = Programme.objects.create(
        event=copy,
        cfp_opens_at=_shift(programme.cfp_opens_at, delta, zone),
        cfp_closes_at=_shift(programme.cfp_closes_at, delta, zone),
        anonymised_review=programme.anonymised_review,
        open_space=programme.open_space,
        move_cost=programme.move_cost,
    )
    slots = {
        slot.pk: Slot.objects.create(
            programme=new,
            starts_at=_shift(slot.starts_at, delta, zone),
            ends_at=_shift(slot.ends_at, delta, zone),
            is_break=slot.is_break,
            label=slot.label,
        )
        for slot in programme.slots.all()
    }
    for room in programme.rooms.prefetch_related("unavailable_slots"):
        new_room = Room.objects.create(
            programme=new,
            name=room.name,
            capacity=room.capacity,
            features=room.features,
            is_online=room.is_online,
            position=room.position,
        )
        new_room.unavailable_slots.set([slots[s.pk] for s in room.unavailable_slots.all() if s.pk in slots])


def registration_update(
    *, registration: Registration, user: User, data: RegistrationInput, now: datetime | None = None
) -> Registration:
    """The person changes their own answers, and may change ticket. Special-category answers still
    need their consent; withdrawing it (unticking) clears those answers at once. Changing ticket keeps the
    place they have, or their place in the waiting list: it is never a new registration."""
    _owned(registration, user)
    if registration.status in Registration.ENDED:
        raise RegistrationError(_("This registration is no longer active."))
    _refuse_after_the_end(registration, now or timezone.now())
    event = registration.event
    pronouns = _clean_text(data.pronouns, field_name="pronouns", label=_("pronouns"), limit=40)
    region = _clean_region(data.region)
    name = _clean_text(data.name, field_name="name", label=_("your name"), limit=150, required=True)
    dietary = _clean_text(
        data.dietary_needs, field_name="dietary_needs", label=_("dietary needs"), limit=MAX_TEXT
    )
    other = _clean_text(
        data.access_needs_other,
        field_name="access_needs_other",
        label=_("other access needs"),
        limit=MAX_TEXT,
    )
    # Unticking a consent given before withdraws it: the sensitive answers go with the others below.
    withdrawing = registration.special_category_consent_at is not None and not data.special_category_consent
    answers, sensitive_answered = _validate_answers(
        event, data.answers, consent=data.special_category_consent or withdrawing
    )
    perspectives = list(dict.fromkeys(data.perspectives))
    needs = list(dict.fromkeys(data.access_needs))
    if set(perspectives) - set(Registration.Perspective.values):
        raise RegistrationError({"perspectives": _("Choose from the ways of coming listed")})
    if set(needs) - set(Registration.AccessNeed.values):
        raise RegistrationError({"access_needs": _("Choose from the access needs listed, or describe them")})
    if not data.special_category_consent:
        perspectives, needs, other = [], [], ""
        answers = {key: value for key, value in answers.items() if key not in sensitive_answered}
        sensitive_answered = set()
    with transaction.atomic():
        if data.ticket_type_id != registration.ticket_type_id:
            # Locks the event before the registration, in the order every capacity change takes them.
            _registration_change_ticket(registration=registration, data=data, now=now)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        registration.name = name
        registration.pronouns = pronouns
        registration.region = region
        registration.dietary_needs = dietary
        registration.answers = answers or None
        registration.perspectives = perspectives or None
        registration.access_needs = needs or None
        registration.access_needs_other = other
        special = bool(perspectives or needs or other or sensitive_answered)
        if special and registration.special_category_consent_at is None:
            registration.special_category_consent_at = now or timezone.now()
        if not special:
            registration.special_category_consent_at = None
        registration.share_access_with_venue = bool(data.share_access_with_venue) and bool(needs or other)
        registration.on_attendee_list = bool(data.on_attendee_list)
        registration.save()
    return registration


def _registration_change_ticket(
    *, registration: Registration, data: RegistrationInput, now: datetime | None
) -> Registration:
    """Move the registration to another ticket of the same Gathering, keeping its place or its place in the
    waiting list. Only the new ticket's own limit can refuse it: the person already counts against the
    Gathering's places. A limited ticket left behind may free a place for someone waiting for it."""
    if registration.status == Registration.Status.OFFERED:
        raise RegistrationError(
            {"ticket_type": _("Accept or decline the place you have been offered first, then change ticket.")}
        )
    ticket = _ticket_chosen(registration.event, data)
    amount = _validate_amount(ticket, data)
    payment = _payment_chosen(amount, data)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status in Registration.HOLDING:
            _total, per_type = _holding_counts(locked)
            if ticket.quantity is not None and per_type.get(ticket.pk, 0) >= ticket.quantity:
                raise RegistrationError(
                    {
                        "ticket_type": _(
                            "There are no places left with that ticket. Your place and ticket are unchanged."
                        )
                    }
                )
            # Paid already, for at least the new ticket's amount: still confirmed. Otherwise the amount
            # of the new ticket is due, and the place stays held meanwhile.
            paid_enough = registration.paid_at is not None and amount <= registration.amount_minor
            registration.status = (
                Registration.Status.CONFIRMED
                if amount == 0 or paid_enough
                else Registration.Status.PENDING_PAYMENT
            )
        registration.ticket_type = ticket
        registration.amount_minor = amount
        registration.payment = payment
        registration.save(update_fields=["ticket_type", "amount_minor", "payment", "status", "updated_at"])
        _offer_free_places(locked, now)
    return registration


def registration_status_counts_for_tests(event: Event) -> dict[str, int]:
    from .selectors import registration_status_counts

    return registration_status_counts(event=event)
