"""Listening circle series, their group agreements, who joined, the circles formed, meetings and feedback.

There is deliberately no field anywhere for what is said in a circle.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gathering.core.regions import region_label
from gathering.privacy.fields import EncryptedJSONField, EncryptedTextField


class Perspective(models.TextChoices):
    LIVED_EXPERIENCE = "lived_experience", _("My own lived experience of mental distress")
    FAMILY_CARER = "family_carer", _("As family or a carer")
    PRACTITIONER = "practitioner", _("I work in services (a practitioner)")
    SERVICE_DESIGNER = "service_designer", _("I design or commission services")
    OTHER = "other", _("Another way")


class CircleSeries(models.Model):
    """A run of listening circles: at a Gathering, or standalone online (weekly for six weeks, say)."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for joining")
        FORMED = "formed", _("Circles formed, not yet published")
        PUBLISHED = "published", _("Circles published")

    event = models.ForeignKey(
        "events.Event",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circle_series",
        verbose_name=_("Gathering"),
        help_text=_("Leave empty for a standalone online series."),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    purpose = models.TextField(_("purpose"), help_text=_("What the circles are for, in a few sentences."))
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    schedule = models.CharField(
        _("when the circles meet"),
        max_length=200,
        help_text=_("For example: Saturday 10:00 to 11:30, or weekly on Tuesdays at 19:00 for six weeks."),
    )
    first_meets_at = models.DateTimeField(
        _("first meeting"),
        null=True,
        blank=True,
        help_text=_("Meetings are set up when circles are published."),
    )
    meeting_count = models.PositiveSmallIntegerField(_("number of meetings"), default=1)
    every_days = models.PositiveSmallIntegerField(_("days between meetings"), default=7)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/London")
    place = models.CharField(_("where"), max_length=200, blank=True, help_text=_("For in-person circles."))
    online_link = models.URLField(_("online joining link"), blank=True, help_text=_("For online circles."))
    rounds = models.TextField(
        _("rounds"),
        help_text=_(
            "One round per line: the minutes, a vertical bar, then what happens. "
            "For example: 10 | Arriving and the agreement"
        ),
    )
    size_min = models.PositiveSmallIntegerField(_("smallest circle"), default=6)
    size_max = models.PositiveSmallIntegerField(_("largest circle"), default=8)
    cover_a = models.CharField(
        _("first perspective in every circle"),
        max_length=20,
        choices=Perspective.choices,
        default=Perspective.LIVED_EXPERIENCE,
    )
    cover_b = models.CharField(
        _("second perspective in every circle"),
        max_length=20,
        choices=Perspective.choices,
        default=Perspective.PRACTITIONER,
    )
    max_per_organisation = models.PositiveSmallIntegerField(_("most people from one organisation"), default=2)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="circle_series_facilitated", blank=True
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="circle_series_organised",
        blank=True,
        help_text=_("For a standalone series; a Gathering's organisers manage its series too."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("circle series")
        verbose_name_plural = _("circle series")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size_min__gte=2) & Q(size_max__gte=models.F("size_min")),
                name="circles_series_sizes",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("circles:series", kwargs={"slug": self.slug})

    @property
    def round_list(self) -> list[tuple[int | None, str]]:
        """The rounds as (minutes or None, what happens)."""
        found: list[tuple[int | None, str]] = []
        for line in self.rounds.splitlines():
            if not line.strip():
                continue
            minutes, bar, text = line.partition("|")
            if bar and minutes.strip().isdigit():
                found.append((int(minutes.strip()), text.strip()))
            else:
                found.append((None, line.strip()))
        return found

    @property
    def is_joinable(self) -> bool:
        return self.status in {self.Status.OPEN, self.Status.FORMED, self.Status.PUBLISHED}


class CircleInvitation(models.Model):
    """An organiser's invitation, by email, to join a Gathering's circles without a place at the Gathering."""

    series = models.ForeignKey(CircleSeries, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("circle invitation")
        verbose_name_plural = _("circle invitations")
        ordering = ["series", "email"]
        constraints = [
            models.UniqueConstraint(fields=["series", "email"], name="circles_invitation_one_per_email")
        ]

    def __str__(self) -> str:
        return f"{self.series}: {self.email}"


class GroupAgreement(models.Model):
    """One version of a series' group agreement. Versions are never edited: a change is a new version."""

    series = models.ForeignKey(CircleSeries, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("agreement"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group agreement")
        verbose_name_plural = _("group agreements")
        ordering = ["series", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="circles_agreement_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series}: v{self.version}"

    @property
    def points(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]


class Circle(models.Model):
    """One small group in a series, with its facilitator."""

    series = models.ForeignKey(CircleSeries, on_delete=models.CASCADE, related_name="circles")
    number = models.PositiveSmallIntegerField(_("number"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="circles_facilitated",
    )
    place = models.CharField(_("where"), max_length=200, blank=True, help_text=_("Room, if different."))
    online_link = models.URLField(_("online joining link"), blank=True)

    class Meta:
        verbose_name = _("circle")
        verbose_name_plural = _("circles")
        ordering = ["series", "number"]
        constraints = [models.UniqueConstraint(fields=["series", "number"], name="circles_circle_number")]

    def __str__(self) -> str:
        return _("Circle %(n)s") % {"n": self.number}

    @property
    def where(self) -> str:
        return self.place or self.series.place

    @property
    def link(self) -> str:
        return self.online_link or self.series.online_link


class CircleMembershipQuerySet(models.QuerySet):
    def active(self) -> "CircleMembershipQuerySet":
        """Memberships of people taking part: not left, not removed."""
        return self.filter(status=CircleMembership.Status.ACTIVE)


class CircleMembership(models.Model):
    """One person's place in a series: what they told us (with consent) and which circle they are in."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Taking part")
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed by a facilitator")

    series = models.ForeignKey(CircleSeries, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="circle_memberships",
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    # Special category: kept only with explicit consent, encrypted at rest.
    perspectives = EncryptedJSONField(_("perspectives"), null=True, blank=True)
    perspectives_consent_at = models.DateTimeField(null=True, blank=True)
    # A core.regions.Region value; older rows keep the free text people typed before it was a list.
    region = models.CharField(_("region"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=60, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    access_needs = EncryptedTextField(_("access needs"), blank=True, default="")
    share_access_needs = models.BooleanField(_("share access needs with my facilitator"), default=False)
    listed = models.BooleanField(_("show my first name to my circle"), default=False)
    agreement = models.ForeignKey(GroupAgreement, on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # May mention health: encrypted.
    removal_reason = EncryptedTextField(_("reason for removal"), blank=True, default="")
    ended_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = CircleMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("circle membership")
        verbose_name_plural = _("circle memberships")
        ordering = ["series", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "user"],
                condition=Q(status="active"),
                name="circles_membership_one_active",
            )
        ]
        indexes = [models.Index(fields=["series", "status"])]

    def __str__(self) -> str:
        return f"{self.series}: {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def region_label(self) -> str:
        """Where the person lives in words: the region's label, or the text of an answer from before."""
        return region_label(self.region)

    @property
    def first_name(self) -> str:
        if self.user is None:
            return ""
        name = self.user.preferred_name or self.user.name
        return name.split()[0] if name.split() else ""


class NotWithRequest(models.Model):
    """A private request not to share a circle with someone. Seen only by the organiser forming circles;
    it names the other person only in encrypted text, so nothing links it to their account."""

    series = models.ForeignKey(CircleSeries, on_delete=models.CASCADE, related_name="not_with_requests")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_not_with_requests"
    )
    named = EncryptedTextField(_("their email address or full name"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("'not with' request")
        verbose_name_plural = _("'not with' requests")
        ordering = ["series", "pk"]

    def __str__(self) -> str:
        return f"{self.series}: request {self.pk}"


class Meeting(models.Model):
    """One time a circle meets."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts"))

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["circle", "starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.circle}: {self.starts_at:%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    """Whether a member came to a meeting, marked by the facilitator."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(CircleMembership, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("came"))

    class Meta:
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance marks")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership"], name="circles_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.present}"


def _one_to_five(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 5}), name=f"circles_feedback_{name}_1_5"
    )


class Feedback(models.Model):
    """One anonymous response after a meeting: nothing links it to the person who gave it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="feedback")
    felt_safe = models.PositiveSmallIntegerField(_("I felt safe"))
    felt_heard = models.PositiveSmallIntegerField(_("I felt heard"))
    come_again = models.PositiveSmallIntegerField(_("I would come again"))
    comment = EncryptedTextField(_("comment"), blank=True, default="")

    class Meta:
        verbose_name = _("circle feedback")
        verbose_name_plural = _("circle feedback")
        constraints = [_one_to_five("felt_safe"), _one_to_five("felt_heard"), _one_to_five("come_again")]

    def __str__(self) -> str:
        return f"{self.meeting}: feedback"


class FeedbackReceipt(models.Model):
    """That a member has answered for a meeting, kept apart from the answers so they stay anonymous."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(CircleMembership, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("circle feedback receipt")
        verbose_name_plural = _("circle feedback receipts")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership"], name="circles_feedback_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.membership_id}"


class FormationRun(models.Model):
    """One forming (or re-forming) of a series' circles, asked for by an organiser and run in the background
    with progress, as the timetable's optimiser runs are: queued, running, then done or failed, with what
    happened in plain words. One at a time per series."""

    class Mode(models.TextChoices):
        FORM = "form", _("Form from scratch")
        REFORM = "reform", _("Re-form, moving as few people as possible")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Forming circles")
        DONE = "done", _("Done")
        FAILED = "failed", _("Could not form the circles")

    series = models.ForeignKey(CircleSeries, on_delete=models.CASCADE, related_name="formation_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.FORM)
    count = models.PositiveSmallIntegerField(null=True, blank=True)  # circles asked for; None: the fewest
    time_limit = models.FloatField(_("time limit in seconds"), default=3.0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent of the time limit used
    # What happened, in the organiser's words: the outcome when done, what to relax (one per line) if failed.
    summary = models.TextField(blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The background task running it, and how many times a task has started it (as TimetableRun).
    runner = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("circle formation run")
        verbose_name_plural = _("circle formation runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.series} formation {self.pk} ({self.status})"

    @property
    def working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def message_lines(self) -> list[str]:
        return [line for line in self.message.splitlines() if line.strip()]
