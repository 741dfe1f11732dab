"""Learning programmes: courses with ordered learning outcomes and materials, cohorts (each a Gathering of
kind "training", so registration, tickets, bursaries, the waiting list and check-in are the Gathering's),
their sessions, attendance at each session, and self-assessments before and after."""

import os
import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gathering.privacy.fields import EncryptedTextField

MATERIAL_TYPES = ("pdf", "docx", "odt", "pptx", "odp", "xlsx", "ods", "txt", "epub")
# Letters and digits that cannot be mistaken for each other when read aloud or from a slide.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# Self-check-in opens this long before a session starts and closes when it ends.
CHECK_IN_EARLY = timedelta(minutes=15)


class MaterialsStorage(FileSystemStorage):
    """Course material files under GATHERING_PRIVATE_ROOT, outside MEDIA_ROOT: they are for people with a
    confirmed place, sent only by our view after it checks, never by the web server. The folder is read from
    the settings each time, not fixed when the models load."""

    @property
    def base_location(self) -> str:
        return str(Path(settings.GATHERING_PRIVATE_ROOT) / "learning")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def materials_storage() -> Storage:
    return MaterialsStorage()


def new_session_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class CourseQuerySet(models.QuerySet):
    def published(self) -> "CourseQuerySet":
        return self.filter(status=Course.Status.PUBLISHED)


class Course(models.Model):
    """A programme the network teaches, run as one or more cohorts."""

    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        BLENDED = "blended", _("Blended (online and in person)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    audience = models.CharField(
        _("who it is for"),
        max_length=300,
        blank=True,
        help_text=_("For example: peer workers, ward staff and commissioners."),
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.ONLINE)
    cpd_hours = models.DecimalField(
        _("CPD hours"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("999"))],
        help_text=_("The continuing professional development hours a certificate states."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="facilitated_courses",
        blank=True,
        verbose_name=_("facilitators"),
        help_text=_("They see each cohort's attendance and mark it."),
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="organised_courses", blank=True, verbose_name=_("organisers")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cpd_hours__gte=0), name="learning_course_cpd_hours_positive")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:course", kwargs={"slug": self.slug})

    @property
    def is_online(self) -> bool:
        return self.format in {self.Format.ONLINE, self.Format.BLENDED}


class LearningOutcome(models.Model):
    """What a participant should be able to do by the end, in the order the course lists them."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="outcomes")
    text = models.CharField(_("learning outcome"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("learning outcome")
        verbose_name_plural = _("learning outcomes")
        ordering = ["course", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="learning_outcome_position_unique")
        ]

    def __str__(self) -> str:
        return self.text


class CourseMaterial(models.Model):
    """A link or a file for the course, shown only to people with a confirmed place in one of its cohorts."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(
        _("file"),
        upload_to="materials/",
        storage=materials_storage,
        blank=True,
        validators=[FileExtensionValidator(MATERIAL_TYPES)],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("course material")
        verbose_name_plural = _("course materials")
        ordering = ["course", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="learning_material_link_or_file",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CohortQuerySet(models.QuerySet):
    def published(self) -> "CohortQuerySet":
        """Cohorts people can see: a published course and a published (or cancelled, to say so) Gathering."""
        from gathering.events.models import Event

        return self.filter(
            course__status=Course.Status.PUBLISHED,
            event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
        )


class Cohort(models.Model):
    """One run of a course: its Gathering (kind "training") holds the dates, places, tickets and bursaries."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    event = models.OneToOneField(
        "events.Event",
        on_delete=models.PROTECT,
        related_name="cohort",
        verbose_name=_("Gathering"),
        limit_choices_to={"kind": "training"},
    )
    completion_percent = models.PositiveSmallIntegerField(
        _("sessions to attend for completion (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["event__starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completion_percent__gte=1, completion_percent__lte=100),
                name="learning_cohort_completion_1_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.event}"


class CohortSession(models.Model):
    """One meeting of a cohort, in a place or online. Participants type its code to check themselves in."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online joining link"), max_length=500, blank=True)
    checkin_code = models.CharField(_("check-in code"), max_length=12, default=new_session_code)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["cohort", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="learning_session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title or str(_("Session"))

    def is_now(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at - CHECK_IN_EARLY <= now < self.ends_at


class Attendance(models.Model):
    """That a person with a confirmed place came to one session."""

    class How(models.TextChoices):
        FACILITATOR = "facilitator", _("Marked by a facilitator")
        SELF = "self", _("Checked in with the session code")

    session = models.ForeignKey(CohortSession, on_delete=models.CASCADE, related_name="attendances")
    registration = models.ForeignKey(
        "events.Registration", on_delete=models.CASCADE, related_name="learning_attendances"
    )
    how = models.CharField(_("how"), max_length=20, choices=How.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "registration"], name="learning_attendance_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.registration_id}"


class SelfAssessment(models.Model):
    """A participant's confidence on each learning outcome, before the first session or after the last."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("Before the course")
        AFTER = "after", _("After the course")

    registration = models.ForeignKey(
        "events.Registration", on_delete=models.CASCADE, related_name="self_assessments"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    # Special category: a reflection on one's own practice often speaks of one's own mental health.
    reflection = EncryptedTextField(_("reflection"), blank=True, default="")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "stage"], name="learning_assessment_once_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.stage}"


class OutcomeRating(models.Model):
    """Confidence on one learning outcome, from 1 (not at all) to 5 (very)."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="ratings")
    outcome = models.ForeignKey(LearningOutcome, on_delete=models.PROTECT, related_name="ratings")
    rating = models.PositiveSmallIntegerField(
        _("confidence"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("outcome rating")
        verbose_name_plural = _("outcome ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "outcome"], name="learning_rating_once_per_outcome"
            ),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="learning_rating_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome_id}: {self.rating}"


class BreakoutGroup(models.Model):
    """A small group within a cohort for discussion, formed by the grouping optimiser to mix perspectives."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="breakout_groups")
    number = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("breakout group")
        verbose_name_plural = _("breakout groups")
        ordering = ["cohort", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "number"], name="learning_breakout_number_unique")
        ]

    def __str__(self) -> str:
        return _("Breakout group %(n)s") % {"n": self.number}


class BreakoutMember(models.Model):
    """A confirmed place in one breakout group: each registration is in at most one group."""

    group = models.ForeignKey(BreakoutGroup, on_delete=models.CASCADE, related_name="members")
    registration = models.OneToOneField(
        "events.Registration", on_delete=models.CASCADE, related_name="breakout"
    )

    class Meta:
        verbose_name = _("breakout group member")
        verbose_name_plural = _("breakout group members")

    def __str__(self) -> str:
        return f"{self.group_id}: {self.registration_id}"


# Certificate codes: twelve characters from the unambiguous alphabet (about 59 bits), shown in groups of
# four, so a code can be typed from paper and cannot be guessed.
CERTIFICATE_CODE_LENGTH = 12
CERTIFICATE_CODE_GROUP = 4


def new_certificate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CERTIFICATE_CODE_LENGTH))


def normalise_certificate_code(text: str) -> str:
    """A code as typed (any case, with or without spaces and dashes) in its stored form."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


class CertificateQuerySet(models.QuerySet):
    def valid(self) -> "CertificateQuerySet":
        return self.filter(revoked_at__isnull=True)

    def revoked(self) -> "CertificateQuerySet":
        return self.filter(revoked_at__isnull=False)


class Certificate(models.Model):
    """A certificate of attendance for one completed place in a cohort: the PDF and the Open Badge both
    carry its code, and its status-list index is the bit that shows it revoked."""

    registration = models.OneToOneField(
        "events.Registration", on_delete=models.PROTECT, related_name="certificate"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="certificates")
    code = models.CharField(_("verification code"), max_length=CERTIFICATE_CODE_LENGTH, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    name_on_certificate = models.CharField(_("name as printed"), max_length=200)
    identity_salt = models.CharField(max_length=64)
    status_list_index = models.PositiveIntegerField(unique=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=500, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["issued_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="learning_certificate_revoked_with_reason",
            )
        ]

    def __str__(self) -> str:
        return self.grouped_code

    def get_absolute_url(self) -> str:
        return reverse("learning:certificate_verify", kwargs={"code": self.grouped_code})

    @property
    def grouped_code(self) -> str:
        step = CERTIFICATE_CODE_GROUP
        return "-".join(self.code[i : i + step] for i in range(0, len(self.code), step))

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
