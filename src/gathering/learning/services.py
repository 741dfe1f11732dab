"""Every change to learning programmes: courses and their outcomes and materials, cohorts, sessions,
attendance, self-check-in and self-assessments.

Enrolment is not here: a cohort is a Gathering of kind "training", and people enrol through the Gathering's
own registration (events.services.registration_create), with its capacity, waiting list and bursaries.
"""

import hmac
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gathering.accounts.models import User
from gathering.events.models import Event, Registration
from gathering.events.rules import can_manage_event
from gathering.privacy.services import audit_record

from .models import (
    CHECK_IN_EARLY,
    Attendance,
    BreakoutGroup,
    BreakoutMember,
    Cohort,
    CohortSession,
    Course,
    CourseMaterial,
    LearningOutcome,
    OutcomeRating,
    SelfAssessment,
)
from .rules import can_facilitate_cohort, can_manage_cohort, can_manage_course

MAX_REFLECTION = 4_000
MAX_OUTCOMES = 20
# Addresses the staff pages use after /staff/learning/: a course cannot take them.
RESERVED_SLUGS = frozenset({"new", "cohorts"})


NOT_A_MEMBER = gettext_lazy(
    "Attendance can only be marked for people with a confirmed place in this cohort. Nothing was saved."
)


class LearningError(ValidationError):
    """A refusal with a message meant for the person acting."""


def _when(session: CohortSession) -> str:
    zone = session.cohort.event.zone
    starts = timezone.localtime(session.starts_at, zone)
    ends = timezone.localtime(session.ends_at, zone)
    return _("%(day)s, %(start)s to %(end)s") % {
        "day": formats.date_format(starts, "l j F Y"),
        "start": formats.time_format(starts, "H:i"),
        "end": formats.time_format(ends, "H:i"),
    }


# ------------------------------------------------------------------------------------------------ courses


def course_save(*, actor: User, course: Course, outcomes: list[str], creating: bool) -> Course:
    """Save a course and its learning outcomes, in the order given. An outcome people have already rated
    themselves on may be reworded but not removed: their before-and-after change would lose its subject."""
    if creating and not actor.has_perm("accounts.organise"):
        raise PermissionDenied
    if not creating and not can_manage_course(actor, Course.objects.get(pk=course.pk)):
        raise PermissionDenied
    if course.slug in RESERVED_SLUGS:
        raise LearningError(
            {
                "slug": _("“%(slug)s” is kept for a page of its own: choose another web address.")
                % {"slug": course.slug}
            }
        )
    texts = [text.strip() for text in outcomes if text.strip()]
    if len(texts) > MAX_OUTCOMES:
        raise LearningError({"outcomes": _("List at most %(n)s learning outcomes.") % {"n": MAX_OUTCOMES}})
    for text in texts:
        if len(text) > 300:
            raise LearningError({"outcomes": _("Keep each learning outcome under 300 characters.")})
    course.full_clean()
    with transaction.atomic():
        course.save()
        if creating:
            course.organisers.add(actor)
        existing = list(
            LearningOutcome.objects.select_for_update().filter(course=course).order_by("position")
        )
        for extra in existing[len(texts) :]:
            if extra.ratings.exists():
                raise LearningError(
                    {
                        "outcomes": _(
                            "People have rated their confidence on “%(outcome)s”, so it cannot be removed. "
                            "You can change its words."
                        )
                        % {"outcome": extra.text}
                    }
                )
            extra.delete()
        for position, text in enumerate(texts):
            if position < len(existing):
                outcome = existing[position]
                if outcome.text != text:
                    outcome.text = text
                    outcome.save(update_fields=["text"])
            else:
                LearningOutcome.objects.create(course=course, text=text, position=position)
        # Each cohort's Gathering asks about the same outcomes in its feedback survey.
        for cohort in Cohort.objects.filter(course=course).select_related("event"):
            _outcomes_to_event(cohort.event, texts)
        audit_record(
            actor=actor, action="changed", subject=course, detail="course created" if creating else ""
        )
    return course


def _outcomes_to_event(event: Event, texts: list[str]) -> None:
    joined = "\n".join(texts)
    if event.learning_outcomes != joined:
        event.learning_outcomes = joined
        event.save(update_fields=["learning_outcomes", "updated_at"])


def material_save(*, actor: User, material: CourseMaterial) -> CourseMaterial:
    if not can_manage_course(actor, material.course):
        raise PermissionDenied
    if bool(material.url) == bool(material.file):
        raise LearningError({"url": _("Give a link or choose a file, not both.")})
    material.full_clean()
    with transaction.atomic():
        material.save()
        audit_record(actor=actor, action="changed", subject=material)
    return material


# ------------------------------------------------------------------------------------------------ cohorts


def cohort_save(*, actor: User, cohort: Cohort) -> Cohort:
    """A course run as a Gathering of kind "training", which its organisers set up with places, tickets and
    bursaries under Gatherings. Both the course and the Gathering must be the actor's to organise."""
    course = cohort.course
    if not can_manage_course(actor, course):
        raise PermissionDenied
    event = cohort.event
    if event.kind != Event.Kind.TRAINING:
        raise LearningError(
            {
                "event": _(
                    "Choose a Gathering of the kind “Training”: its places and tickets are the cohort's."
                )
            }
        )
    if not can_manage_event(actor, event):
        raise LearningError({"event": _("Choose a Gathering you organise.")})
    clash = Cohort.objects.filter(event=event).exclude(pk=cohort.pk).select_related("course").first()
    if clash is not None:
        raise LearningError(
            {
                "event": _("That Gathering is already a cohort of “%(course)s”.")
                % {"course": clash.course.title}
            }
        )
    cohort.full_clean(validate_unique=False)
    with transaction.atomic():
        cohort.save()
        _outcomes_to_event(event, list(course.outcomes.values_list("text", flat=True)))
        audit_record(actor=actor, action="changed", subject=cohort)
    return cohort


def session_save(*, actor: User, session: CohortSession) -> CohortSession:
    """Add or change a session. Sessions of one cohort never overlap: a person cannot be in two at once,
    and attendance is counted per session."""
    cohort = session.cohort
    if not can_manage_cohort(actor, cohort):
        raise PermissionDenied
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        raise LearningError({"ends_at": _("The end must be after the start.")})
    if not session.place.strip() and not session.online_link.strip():
        raise LearningError({"place": _("Give the place, or the online joining link, or both.")})
    session.full_clean()
    with transaction.atomic():
        # Two organisers adding sessions at once each see the other's: the cohort row is the lock.
        Cohort.objects.select_for_update().get(pk=cohort.pk)
        clash = (
            CohortSession.objects.filter(
                cohort=cohort, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at
            )
            .exclude(pk=session.pk)
            .order_by("starts_at")
            .first()
        )
        if clash is not None:
            clash.cohort = cohort
            raise LearningError(
                {
                    "starts_at": _(
                        "This session overlaps another session of the cohort (%(when)s). Choose a time "
                        "after it ends or before it starts."
                    )
                    % {"when": _when(clash)}
                }
            )
        session.save()
        audit_record(actor=actor, action="changed", subject=session)
    return session


# ---------------------------------------------------------------------------------------- breakout groups

BREAKOUT_SIZES = range(2, 9)


def breakouts_form(
    *, actor: User, cohort: Cohort, size: int, time_limit: float | None = None
) -> list[BreakoutGroup]:
    """Form the cohort's breakout groups afresh from everyone with a confirmed place, groups of at most
    `size`, mixing perspectives; replaces any groups formed before."""
    from . import breakouts

    if not can_manage_cohort(actor, cohort):
        raise PermissionDenied
    if size not in BREAKOUT_SIZES:
        raise LearningError({"size": _("Choose a group size from 2 to 8.")})
    kwargs = {} if time_limit is None else {"time_limit": time_limit}
    try:
        groups = breakouts.form(cohort, size=size, **kwargs)
    except breakouts.Infeasible as refusal:
        raise LearningError(refusal.reasons) from None
    with transaction.atomic():
        Cohort.objects.select_for_update().get(pk=cohort.pk)
        BreakoutGroup.objects.filter(cohort=cohort).delete()
        saved = []
        for number, people in enumerate(groups, start=1):
            group = BreakoutGroup.objects.create(cohort=cohort, number=number)
            BreakoutMember.objects.bulk_create([BreakoutMember(group=group, registration=r) for r in people])
            saved.append(group)
        audit_record(actor=actor, action="changed", subject=cohort, detail=f"breakout groups: {len(saved)}")
    return saved


# --------------------------------------------------------------------------------------------- attendance


def _confirmed_in(cohort: Cohort, registration_ids: Iterable[int]) -> dict[int, Registration]:
    return {
        r.pk: r
        for r in Registration.objects.filter(
            pk__in=list(registration_ids), event_id=cohort.event_id, status__in=Registration.CONFIRMED_PLACE
        )
    }


def attendance_record(
    *, actor: User, session: CohortSession, present: Iterable[int], now: datetime | None = None
) -> int:
    """A facilitator's register for one session: exactly the registrations in `present` attended. Every
    one must be a confirmed place in this cohort; otherwise nothing is saved. Returns how many attended."""
    cohort = session.cohort
    if not can_facilitate_cohort(actor, cohort):
        raise PermissionDenied
    wanted = {int(pk) for pk in present}
    found = _confirmed_in(cohort, wanted)
    if set(found) != wanted:
        raise LearningError(str(NOT_A_MEMBER))
    with transaction.atomic():
        CohortSession.objects.select_for_update().get(pk=session.pk)
        marked = set(Attendance.objects.filter(session=session).values_list("registration_id", flat=True))
        Attendance.objects.filter(session=session).exclude(registration_id__in=wanted).delete()
        Attendance.objects.bulk_create(
            [
                Attendance(
                    session=session,
                    registration_id=pk,
                    how=Attendance.How.FACILITATOR,
                    recorded_at=now or timezone.now(),
                    recorded_by=actor,
                )
                for pk in sorted(wanted - marked)
            ],
            # A self-check-in landing at the same moment is the same fact: keep the one already there.
            ignore_conflicts=True,
        )
        audit_record(actor=actor, action="changed", subject=session, detail=f"attendance: {len(wanted)}")
    return len(wanted)


def attendance_mark(
    *, actor: User, session: CohortSession, registration: Registration, now: datetime | None = None
) -> Attendance:
    """Mark one person present (idempotent)."""
    if not can_facilitate_cohort(actor, session.cohort):
        raise PermissionDenied
    if registration.pk not in _confirmed_in(session.cohort, [registration.pk]):
        raise LearningError(_("This person does not have a confirmed place in this cohort."))
    with transaction.atomic():
        attendance, _created = Attendance.objects.get_or_create(
            session=session,
            registration=registration,
            defaults={
                "how": Attendance.How.FACILITATOR,
                "recorded_at": now or timezone.now(),
                "recorded_by": actor,
            },
        )
    return attendance


def _own_confirmed(user: User, registration: Registration) -> Cohort:
    if not user.is_authenticated or registration.user_id != user.pk:
        raise PermissionDenied
    if registration.status not in Registration.CONFIRMED_PLACE:
        raise LearningError(_("This is for people with a confirmed place in the cohort."))
    try:
        return Cohort.objects.select_related("course", "event").get(event_id=registration.event_id)
    except Cohort.DoesNotExist:
        raise PermissionDenied from None


def session_check_in(
    *, user: User, registration: Registration, code: str, now: datetime | None = None
) -> Attendance:
    """A participant checks themselves in with the code the facilitator shows, while a session is on (from
    a quarter of an hour before it starts until it ends). Checking in twice keeps the first."""
    cohort = _own_confirmed(user, registration)
    now = now or timezone.now()
    typed = "".join(code.split()).upper()
    if not typed:
        raise LearningError({"code": _("Enter the session code your facilitator shows.")})
    open_sessions = list(
        CohortSession.objects.filter(
            cohort=cohort, starts_at__lte=now + CHECK_IN_EARLY, ends_at__gt=now
        ).order_by("starts_at")
    )
    if not open_sessions:
        raise LearningError(
            {
                "code": _(
                    "No session is on now. Check-in opens 15 minutes before a session starts and closes "
                    "when it ends."
                )
            }
        )
    session = next((s for s in open_sessions if hmac.compare_digest(s.checkin_code, typed)), None)
    if session is None:
        raise LearningError(
            {"code": _("That is not the code of the session on now. Check the code and try again.")}
        )
    try:
        with transaction.atomic():
            attendance, _created = Attendance.objects.get_or_create(
                session=session,
                registration=registration,
                defaults={"how": Attendance.How.SELF, "recorded_at": now, "recorded_by": user},
            )
    except IntegrityError:
        attendance = Attendance.objects.get(session=session, registration=registration)
    return attendance


# ---------------------------------------------------------------------------------------- self-assessment


def assessment_window(cohort: Cohort, stage: str, now: datetime | None = None) -> str | None:
    """None when the stage is open now, otherwise why not, in words. "Before" is open until the first
    session ends; "after" from the start of the last session."""
    now = now or timezone.now()
    sessions = list(cohort.sessions.all())
    if not sessions:
        return _("The self-assessment opens once the cohort's sessions are set.")
    first = min(sessions, key=lambda s: s.starts_at)
    last = max(sessions, key=lambda s: s.starts_at)
    if stage == SelfAssessment.Stage.BEFORE and now >= first.ends_at:
        return _("The self-assessment before the course closed when the first session ended.")
    if stage == SelfAssessment.Stage.AFTER and now < last.starts_at:
        return _("The self-assessment after the course opens when the last session starts.")
    return None


def self_assessment_save(
    *,
    user: User,
    registration: Registration,
    stage: str,
    ratings: dict[int, object],
    reflection: str = "",
    now: datetime | None = None,
) -> SelfAssessment:
    """Save a participant's confidence on every learning outcome (1 to 5) and an optional reflection, all or
    nothing. Each stage is given once."""
    cohort = _own_confirmed(user, registration)
    if stage not in SelfAssessment.Stage.values:
        raise LearningError(_("Choose the self-assessment before or after the course."))
    closed = assessment_window(cohort, stage, now)
    if closed:
        raise LearningError(closed)
    outcomes = list(cohort.course.outcomes.all())
    if not outcomes:
        raise LearningError(_("This course has no learning outcomes to rate yet."))
    errors: dict[str, list[str]] = {}
    clean: dict[int, int] = {}
    for outcome in outcomes:
        value = ratings.get(outcome.pk)
        try:
            number = int(str(value)) if value not in (None, "") else None
        except ValueError:
            number = None
        if number is None or not 1 <= number <= 5:
            errors[f"outcome_{outcome.pk}"] = [
                _("Choose how confident you are about “%(outcome)s”, from 1 to 5.")
                % {"outcome": outcome.text}
            ]
        else:
            clean[outcome.pk] = number
    unknown = set(ratings) - {o.pk for o in outcomes}
    if unknown:
        errors["__all__"] = [_("One of the ratings is for an outcome this course does not have.")]
    reflection = (reflection or "").strip()
    if len(reflection) > MAX_REFLECTION:
        errors["reflection"] = [
            _("Keep your reflection under %(n)s characters.") % {"n": format(MAX_REFLECTION, ",")}
        ]
    if errors:
        raise LearningError(errors)
    try:
        with transaction.atomic():
            assessment = SelfAssessment.objects.create(
                registration=registration,
                stage=stage,
                reflection=reflection,
                submitted_at=now or timezone.now(),
            )
            OutcomeRating.objects.bulk_create(
                [
                    OutcomeRating(assessment=assessment, outcome_id=pk, rating=value)
                    for pk, value in clean.items()
                ]
            )
    except IntegrityError:
        raise LearningError(_("You have already given this self-assessment. Thank you.")) from None
    return assessment
