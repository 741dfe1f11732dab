"""Reads that the learning pages, the API and certificates share: the catalogue, a course and its cohorts,
a person's enrolments, attendance and completion, and the outcomes' change with small numbers suppressed."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from gathering.accounts.models import User
from gathering.events.models import Event, Registration
from gathering.events.selectors import SUPPRESS_BELOW

from .models import (
    Attendance,
    BreakoutGroup,
    BreakoutMember,
    Certificate,
    Cohort,
    CohortSession,
    Course,
    CourseMaterial,
    LearningOutcome,
    SelfAssessment,
)


def _cohorts_shown() -> QuerySet[Cohort]:
    return (
        Cohort.objects.published()
        .select_related("event", "event__venue")
        .prefetch_related(Prefetch("sessions", queryset=CohortSession.objects.order_by("starts_at", "pk")))
        .order_by("event__starts_at", "pk")
    )


@dataclass(frozen=True)
class CatalogueFilters:
    format: str = ""
    online: bool = False
    starts_from: date | None = None
    starts_until: date | None = None


def courses_catalogue(*, filters: CatalogueFilters | None = None) -> list[Course]:
    """Published courses, each with `shown_cohorts`: its cohorts that have not ended (within the dates, when
    given). With dates, only courses with a cohort starting in them are listed."""
    filters = filters or CatalogueFilters()
    now = timezone.now()
    cohorts = _cohorts_shown().filter(event__ends_at__gt=now)
    zone = timezone.get_current_timezone()
    if filters.starts_from:
        cohorts = cohorts.filter(event__starts_at__gte=datetime.combine(filters.starts_from, time.min, zone))
    if filters.starts_until:
        cohorts = cohorts.filter(event__starts_at__lte=datetime.combine(filters.starts_until, time.max, zone))
    courses = Course.objects.published()
    if filters.format:
        courses = courses.filter(format=filters.format)
    if filters.online:
        courses = courses.filter(format__in=[Course.Format.ONLINE, Course.Format.BLENDED])
    if filters.starts_from or filters.starts_until:
        courses = courses.filter(pk__in=cohorts.values("course_id"))
    return list(
        courses.prefetch_related(
            "outcomes", Prefetch("cohorts", queryset=cohorts, to_attr="shown_cohorts")
        ).order_by("title", "pk")
    )


def courses_next(*, limit: int) -> list[Cohort]:
    """The next cohorts open for enrolment, soonest first, for the home page."""
    now = timezone.now()
    return list(
        Cohort.objects.published()
        .filter(event__status=Event.Status.PUBLISHED, event__starts_at__gt=now)
        .select_related("course", "event")
        .order_by("event__starts_at", "pk")[:limit]
    )


def course_get_published(*, slug: str) -> Course:
    return (
        Course.objects.published()
        .prefetch_related(
            "outcomes",
            Prefetch("facilitators", queryset=User.objects.order_by("name")),
            Prefetch("cohorts", queryset=_cohorts_shown(), to_attr="shown_cohorts"),
        )
        .get(slug=slug)
    )


def places_left(*, cohorts: list[Cohort]) -> dict[int, int | None]:
    """Places left in each cohort's Gathering (None: no limit), from one count for all of them."""
    events = [cohort.event for cohort in cohorts]
    held = dict(
        Registration.objects.filter(event__in=events, status__in=Registration.HOLDING)
        .values_list("event_id")
        .annotate(n=Count("pk"))
        .values_list("event_id", "n")
    )
    return {
        cohort.pk: None
        if cohort.event.capacity is None
        else max(0, cohort.event.capacity - held.get(cohort.event_id, 0))
        for cohort in cohorts
    }


def has_confirmed_place(*, user: User, course: Course) -> bool:
    """Whether `user` holds a confirmed place in a cohort of `course`: they see its materials."""
    if not user.is_authenticated:
        return False
    return Registration.objects.filter(
        user=user, status__in=Registration.CONFIRMED_PLACE, event__cohort__course=course
    ).exists()


def materials_for(*, course: Course) -> list[CourseMaterial]:
    return list(course.materials.order_by("position", "pk"))


# ---------------------------------------------------------------------------------------------- completion


@dataclass(frozen=True)
class Completion:
    attended: int
    sessions: int
    required_percent: int

    @property
    def percent(self) -> int:
        return round(100 * self.attended / self.sessions) if self.sessions else 0

    @property
    def complete(self) -> bool:
        """Attended sessions / sessions >= the cohort's completion percentage (exactly, no rounding)."""
        return self.sessions > 0 and self.attended * 100 >= self.required_percent * self.sessions


def cohort_completion(*, cohort: Cohort) -> dict[int, Completion]:
    """Each confirmed place's completion, by registration id, from two counts."""
    sessions = CohortSession.objects.filter(cohort=cohort).count()
    attended = dict(
        Attendance.objects.filter(session__cohort=cohort)
        .values_list("registration_id")
        .annotate(n=Count("pk"))
        .values_list("registration_id", "n")
    )
    confirmed = Registration.objects.filter(event_id=cohort.event_id, status__in=Registration.CONFIRMED_PLACE)
    return {
        pk: Completion(attended.get(pk, 0), sessions, cohort.completion_percent)
        for pk in confirmed.values_list("pk", flat=True)
    }


def completion(*, registration: Registration) -> Completion:
    cohort = Cohort.objects.get(event_id=registration.event_id)
    sessions = CohortSession.objects.filter(cohort=cohort).count()
    attended = Attendance.objects.filter(session__cohort=cohort, registration=registration).count()
    return Completion(attended, sessions, cohort.completion_percent)


def completed(*, cohort: Cohort) -> list[Registration]:
    """The confirmed places that met the completion rule, by name: who may have a certificate."""
    done = [pk for pk, c in cohort_completion(cohort=cohort).items() if c.complete]
    return list(Registration.objects.filter(pk__in=done).select_related("user").order_by("name", "pk"))


def completed_for_user(*, user: User) -> list[tuple[Registration, Cohort, Completion]]:
    """The cohorts `user` completed, with the facts a certificate states (course, dates, CPD hours)."""
    rows = []
    for registration in enrolments_for_user(user=user):
        if registration.status in Registration.CONFIRMED_PLACE and registration.completion.complete:
            rows.append((registration, registration.event.cohort, registration.completion))
    return rows


# ---------------------------------------------------------------------------------------------- my learning


def enrolments_for_user(*, user: User) -> list[Registration]:
    """The person's live registrations for cohorts, soonest first, each with `completion`, `attended_ids`,
    `assessments` ({stage: SelfAssessment with ratings}) and the cohort's course, outcomes, sessions and
    materials, in a fixed number of queries."""
    registrations = list(
        Registration.objects.filter(user=user, event__cohort__isnull=False)
        .live()
        .select_related(
            "event",
            "event__cohort",
            "event__cohort__course",
            "feedback_receipt",
            "breakout__group",
            "certificate",
        )
        .prefetch_related(
            Prefetch("event__cohort__sessions", queryset=CohortSession.objects.order_by("starts_at", "pk")),
            Prefetch(
                "event__cohort__course__outcomes", queryset=LearningOutcome.objects.order_by("position")
            ),
            Prefetch(
                "event__cohort__course__materials", queryset=CourseMaterial.objects.order_by("position", "pk")
            ),
            Prefetch(
                "learning_attendances",
                queryset=Attendance.objects.only("pk", "session_id", "registration_id"),
            ),
            Prefetch("self_assessments", queryset=SelfAssessment.objects.prefetch_related("ratings")),
        )
        .order_by("event__starts_at", "pk")
    )
    for registration in registrations:
        cohort = registration.event.cohort
        sessions = list(cohort.sessions.all())
        registration.attended_ids = {a.session_id for a in registration.learning_attendances.all()}
        registration.completion = Completion(
            len(registration.attended_ids & {s.pk for s in sessions}),
            len(sessions),
            cohort.completion_percent,
        )
        registration.assessments = {a.stage: a for a in registration.self_assessments.all()}
    return registrations


def enrolment_for_user(*, user: User, registration_id: int) -> Registration:
    """One of the person's own enrolments; someone else's is "does not exist"."""
    for registration in enrolments_for_user(user=user):
        if registration.pk == registration_id:
            return registration
    raise Registration.DoesNotExist


@dataclass(frozen=True)
class OwnChange:
    outcome: str
    before: int | None
    after: int | None

    @property
    def change(self) -> int | None:
        return None if self.before is None or self.after is None else self.after - self.before


def own_change(*, registration: Registration) -> list[OwnChange]:
    """A participant's own before and after on each outcome (from enrolments_for_user's prefetches)."""
    outcomes = list(registration.event.cohort.course.outcomes.all())
    by_stage = {
        stage: {r.outcome_id: r.rating for r in assessment.ratings.all()}
        for stage, assessment in registration.assessments.items()
    }
    before = by_stage.get(SelfAssessment.Stage.BEFORE, {})
    after = by_stage.get(SelfAssessment.Stage.AFTER, {})
    return [OwnChange(o.text, before.get(o.pk), after.get(o.pk)) for o in outcomes]


# ---------------------------------------------------------------------------------------- facilitator view


def cohorts_for_staff(*, user: User) -> QuerySet[Cohort]:
    """Cohorts `user` may open: of courses they organise or facilitate, or of Gatherings they organise."""
    cohorts = Cohort.objects.select_related("course", "event").order_by("-event__starts_at", "pk")
    if user.has_perm("accounts.manage_roles"):
        return cohorts
    return cohorts.filter(
        Q(course__organisers=user) | Q(course__facilitators=user) | Q(event__organisers=user)
    ).distinct()


def courses_for_staff(*, user: User) -> QuerySet[Course]:
    courses = Course.objects.annotate(cohort_total=Count("cohorts", distinct=True)).order_by("title", "pk")
    if user.has_perm("accounts.manage_roles"):
        return courses
    return courses.filter(Q(organisers=user) | Q(facilitators=user)).distinct()


def course_for_staff(*, slug: str) -> Course:
    return Course.objects.prefetch_related(
        Prefetch("outcomes", queryset=LearningOutcome.objects.order_by("position")),
        Prefetch("materials", queryset=CourseMaterial.objects.order_by("position", "pk")),
        Prefetch(
            "cohorts", queryset=Cohort.objects.select_related("event").order_by("event__starts_at", "pk")
        ),
        "facilitators",
        "organisers",
    ).get(slug=slug)


def cohort_for_staff(*, cohort_id: int) -> Cohort:
    return Cohort.objects.select_related("course", "event").get(pk=cohort_id)


@dataclass
class GridRow:
    registration: Registration
    cells: list[Attendance | None]
    completion: Completion


@dataclass
class AttendanceGrid:
    sessions: list[CohortSession]
    rows: list[GridRow] = field(default_factory=list)


def attendance_grid(*, cohort: Cohort) -> AttendanceGrid:
    """People with a confirmed place (rows) by sessions (columns), in three queries."""
    sessions = list(CohortSession.objects.filter(cohort=cohort).order_by("starts_at", "pk"))
    registrations = list(
        Registration.objects.filter(
            event_id=cohort.event_id, status__in=Registration.CONFIRMED_PLACE
        ).order_by("name", "pk")
    )
    marks: dict[tuple[int, int], Attendance] = {
        (a.registration_id, a.session_id): a for a in Attendance.objects.filter(session__cohort=cohort)
    }
    grid = AttendanceGrid(sessions=sessions)
    for registration in registrations:
        cells = [marks.get((registration.pk, s.pk)) for s in sessions]
        attended = sum(1 for cell in cells if cell is not None)
        grid.rows.append(
            GridRow(registration, cells, Completion(attended, len(sessions), cohort.completion_percent))
        )
    return grid


@dataclass(frozen=True)
class OutcomeChangeRow:
    outcome: str
    people: int  # who rated it both before and after
    before: float | None  # mean, None when fewer than five people
    after: float | None

    @property
    def shown(self) -> bool:
        return self.before is not None and self.after is not None

    @property
    def change(self) -> float | None:
        return round(self.after - self.before, 1) if self.shown else None


@dataclass(frozen=True)
class OutcomeChange:
    people: int  # who gave both self-assessments
    shown: bool
    rows: list[OutcomeChangeRow]


def outcome_change(*, cohort: Cohort) -> OutcomeChange:
    """The mean confidence before and after on each outcome, over the people who gave both. Nothing is shown
    for fewer than five people, overall or on an outcome: nobody can be picked out of an average."""
    ratings: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    rows = (
        SelfAssessment.objects.filter(
            registration__event_id=cohort.event_id, registration__status__in=Registration.CONFIRMED_PLACE
        )
        .values_list("registration_id", "stage", "ratings__outcome_id", "ratings__rating")
        .order_by()
    )
    both_people: dict[int, set[str]] = defaultdict(set)
    for registration_id, stage, outcome_id, rating in rows:
        both_people[registration_id].add(stage)
        if outcome_id is not None:
            ratings[(outcome_id, registration_id)][stage] = rating
    people = sum(1 for stages in both_people.values() if len(stages) == 2)
    outcomes = list(cohort.course.outcomes.order_by("position"))
    if people < SUPPRESS_BELOW:
        return OutcomeChange(people, False, [OutcomeChangeRow(o.text, 0, None, None) for o in outcomes])
    result = []
    for outcome in outcomes:
        pairs = [
            (stages["before"], stages["after"])
            for (outcome_id, _pk), stages in ratings.items()
            if outcome_id == outcome.pk and len(stages) == 2
        ]
        if len(pairs) < SUPPRESS_BELOW:
            result.append(OutcomeChangeRow(outcome.text, len(pairs), None, None))
            continue
        before = round(sum(b for b, _a in pairs) / len(pairs), 1)
        after = round(sum(a for _b, a in pairs) / len(pairs), 1)
        result.append(OutcomeChangeRow(outcome.text, len(pairs), before, after))
    return OutcomeChange(people, True, result)


def suppressed_count(n: int) -> int | None:
    """A count of people as shown to facilitators and organisers: None below five."""
    return n if n >= SUPPRESS_BELOW else None


def assessment_counts(*, cohort: Cohort) -> dict[str, int | None]:
    counts = dict(
        SelfAssessment.objects.filter(
            registration__event_id=cohort.event_id, registration__status__in=Registration.CONFIRMED_PLACE
        )
        .values_list("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    return {stage: suppressed_count(counts.get(stage, 0)) for stage in SelfAssessment.Stage.values}


def breakout_groups(*, cohort: Cohort) -> list[BreakoutGroup]:
    """The cohort's breakout groups in order, each with its members' registrations, in two queries."""
    members = BreakoutMember.objects.select_related("registration").order_by("registration__name", "pk")
    return list(
        BreakoutGroup.objects.filter(cohort=cohort)
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("number")
    )


# ----------------------------------------------------------------------------------------------- certificates


def certificate_for_code(*, code: str) -> Certificate:
    """The certificate with this (normalised) code, with what its verification page shows, in one query."""
    return Certificate.objects.select_related("cohort__course", "cohort__event").get(code=code)


def revoked_status_indexes() -> set[int]:
    return set(Certificate.objects.revoked().values_list("status_list_index", flat=True))


def certificates_for_cohort(*, cohort: Cohort) -> list[Certificate]:
    return list(
        Certificate.objects.filter(cohort=cohort)
        .select_related("registration")
        .order_by("registration__name", "pk")
    )
