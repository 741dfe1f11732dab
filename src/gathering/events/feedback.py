"""Feedback after a Gathering: an anonymous survey, and reports that show only groups of five or more."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gathering.core.models import OutboxMessage
from gathering.core.outbox import outbox_enqueue

from .models import Event, FeedbackQuestion, FeedbackReceipt, FeedbackResponse, Registration
from .services import RegistrationError, _clean_text

MIN_RESPONSES = 5
SALT = "gathering.feedback"
LINK_DAYS = 60


def feedback_link_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk}, salt=SALT)


def feedback_link_path(registration: Registration) -> str:
    """The person's own survey address (without the site's address): the token is the only key."""
    path = reverse("events:feedback", kwargs={"slug": registration.event.slug})
    return f"{path}?t={feedback_link_token(registration)}"


def feedback_state(registration: Registration) -> str | None:
    """For My Gatherings: "given" once the person has answered, "open" when they came to a Gathering that
    has ended and may still answer, otherwise None."""
    event = registration.event
    if event.status != Event.Status.PUBLISHED or not event.is_past or not registration.attended:
        return None
    return "given" if hasattr(registration, "feedback_receipt") else "open"


def registration_from_token(token: str) -> Registration | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=timedelta(days=LINK_DAYS))
    except signing.BadSignature:
        return None
    return Registration.objects.select_related("event").filter(pk=data.get("r")).first()


def feedback_submit(
    *,
    registration: Registration,
    outcome_ratings: dict[str, int],
    felt_safe: int | None,
    answers: dict[str, object],
    comment: str,
) -> FeedbackResponse:
    event = registration.event
    if not event.is_past or registration.status not in Registration.HOLDING:
        raise RegistrationError(_("This survey is for people who came to the Gathering, after it ends."))
    outcomes = event.outcomes
    for key, value in outcome_ratings.items():
        if not key.isdigit() or int(key) >= len(outcomes) or value not in range(1, 6):
            raise RegistrationError({"outcomes": _("Rate each outcome from 1 to 5")})
    if felt_safe is not None and felt_safe not in range(1, 6):
        raise RegistrationError({"felt_safe": _("Choose from 1 to 5")})
    questions = {str(q.pk): q for q in FeedbackQuestion.objects.filter(event=event)}
    clean_answers: dict[str, object] = {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            raise RegistrationError(_("One of the answers is to a question this survey does not ask."))
        if question.kind == FeedbackQuestion.Kind.SCALE:
            if value not in range(1, 6):
                raise RegistrationError({f"f{key}": _("Choose from 1 to 5")})
            clean_answers[key] = value
        else:
            clean_answers[key] = _clean_text(
                str(value), field_name=f"f{key}", label=_("your answer"), limit=2000
            )
    comment = _clean_text(comment, field_name="comment", label=_("your comment"), limit=4000)
    try:
        with transaction.atomic():
            FeedbackReceipt.objects.create(registration=registration)
            return FeedbackResponse.objects.create(
                event=event,
                outcome_ratings=outcome_ratings,
                felt_safe=felt_safe,
                answers=clean_answers or None,
                comment=comment,
            )
    except IntegrityError:
        raise RegistrationError(_("Thank you: you have already answered this survey.")) from None


@dataclass(frozen=True)
class ScaleSummary:
    label: str
    responses: int
    average: float | None
    counts: list[int]  # how many chose 1, 2, 3, 4, 5


@dataclass(frozen=True)
class FeedbackReport:
    responses: int
    shown: bool
    scales: list[ScaleSummary]
    comments: list[str]


def _scale(label: str, values: list[int]) -> ScaleSummary:
    counter = Counter(values)
    average = round(sum(values) / len(values), 1) if values else None
    return ScaleSummary(label, len(values), average, [counter.get(n, 0) for n in range(1, 6)])


def feedback_report(*, event: Event) -> FeedbackReport:
    """Aggregates only: nothing is shown until five people have answered, and a scale answered by fewer
    than five shows no figures."""
    responses = list(FeedbackResponse.objects.filter(event=event).order_by("?"))
    if len(responses) < MIN_RESPONSES:
        return FeedbackReport(len(responses), False, [], [])
    scales = []
    for index, outcome in enumerate(event.outcomes):
        values = [r.outcome_ratings[str(index)] for r in responses if str(index) in r.outcome_ratings]
        scales.append(_scale(outcome, values))
    scales.append(_scale(_("Felt safe"), [r.felt_safe for r in responses if r.felt_safe]))
    for question in FeedbackQuestion.objects.filter(event=event, kind=FeedbackQuestion.Kind.SCALE):
        key = str(question.pk)
        scales.append(
            _scale(question.text, [r.answers[key] for r in responses if r.answers and key in r.answers])
        )
    scales = [
        s if s.responses >= MIN_RESPONSES else ScaleSummary(s.label, s.responses, None, []) for s in scales
    ]
    comments = [r.comment for r in responses if r.comment]
    return FeedbackReport(len(responses), True, scales, comments)


INVITE_AFTER = timedelta(days=1)
INVITE_UNTIL = timedelta(days=7)


def feedback_invite_due(*, now: datetime | None = None) -> int:
    """Invite everyone who came to a Gathering, once each, the day after it ends: from a day after its end,
    for a week (so a stopped worker catches up), never twice (the outbox's dedupe key). People who turned off
    reminders are not emailed; they still find the survey in My Gatherings. Returns how many were invited."""
    now = now or timezone.now()
    invited = 0
    ended = Event.objects.filter(
        status=Event.Status.PUBLISHED, ends_at__lte=now - INVITE_AFTER, ends_at__gt=now - INVITE_UNTIL
    )
    registrations = (
        Registration.objects.attended()
        .filter(event__in=ended, feedback_receipt__isnull=True)
        .exclude(user__email_reminders=False)
        .select_related("event")
    )
    for registration in registrations:
        dedupe_key = f"feedback:{registration.pk}"
        with transaction.atomic():
            if OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
                continue
            outbox_enqueue(
                kind="feedback_invitation",
                to=[registration.email],
                template="events/feedback_invitation",
                context={
                    "event": registration.event,
                    "registration": registration,
                    "link": f"{settings.GATHERING_BASE_URL}{feedback_link_path(registration)}",
                },
                dedupe_key=dedupe_key,
            )
        invited += 1
    return invited
