"""A Gathering's programme: the grid of slots and rooms, sessions (curated and open space), reviews,
interest marks, and optimiser runs that turn interest into a timetable."""

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gathering.events.models import Event

if TYPE_CHECKING:
    from gathering.accounts.models import User


class Need(models.TextChoices):
    """What a session needs from its room; a room offers some of these as features."""

    STEP_FREE = "step_free", _("Step-free room")
    QUIET = "quiet", _("Quiet room")
    PROJECTOR = "projector", _("Projector")
    HEARING_LOOP = "hearing_loop", _("Hearing loop")
    ONLINE = "online", _("Online-capable")


class Programme(models.Model):
    """The programme of one Gathering: its call for sessions, open space settings and publication state."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="programme")
    cfp_opens_at = models.DateTimeField(_("call for sessions opens"), null=True, blank=True)
    cfp_closes_at = models.DateTimeField(_("call for sessions closes"), null=True, blank=True)
    anonymised_review = models.BooleanField(
        _("anonymised review"),
        default=True,
        help_text=_("Reviewers do not see who proposed a session."),
    )
    open_space = models.BooleanField(
        _("open space"),
        default=True,
        help_text=_("Confirmed attendees may propose sessions before and during the Gathering."),
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="reviewing_programmes", blank=True
    )
    proposals_need_approval = models.BooleanField(
        _("open-space proposals wait for approval"),
        default=False,
        help_text=_("New proposals stay off the board and the timetable until an organiser approves them."),
    )
    move_cost = models.PositiveIntegerField(
        _("cost of moving a published session"),
        default=20,
        help_text=_(
            "When the timetable is optimised again, a published session moves only if its place is needed "
            "or the move spares more than this many interest clashes."
        ),
    )
    published_at = models.DateTimeField(_("timetable published"), null=True, blank=True)
    # A secret for the venue display ("now and next") so the screen needs no sign-in.
    display_key = models.CharField(max_length=43, default=secrets.token_urlsafe, editable=False)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return str(self.event)

    def cfp_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(
            self.cfp_opens_at
            and self.cfp_opens_at <= now
            and (not self.cfp_closes_at or now < self.cfp_closes_at)
        )


class Slot(models.Model):
    """A block of time in the programme; breaks are shown on the grid but never hold a session."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    is_break = models.BooleanField(_("break"), default=False)
    label = models.CharField(_("label"), max_length=80, blank=True, help_text=_("For example: Lunch."))

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
            models.UniqueConstraint(fields=["programme", "starts_at"], name="slot_start_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%a %H:%M}–{self.ends_at:%H:%M}"


class Room(models.Model):
    """A room (or an online room) sessions can take place in, with its capacity and access features."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=120)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    features = models.JSONField(_("features"), default=list, blank=True)  # Need values
    is_online = models.BooleanField(_("online room"), default=False)
    position = models.PositiveIntegerField(_("position on the grid"), default=0)
    unavailable_slots = models.ManyToManyField(
        Slot, related_name="unavailable_rooms", blank=True, verbose_name=_("unavailable in")
    )

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="room_name_unique")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.features) - set(Need.values)
        if unknown:
            raise ValidationError({"features": _("Unknown room features: %s.") % ", ".join(sorted(unknown))})


class SessionQuerySet(models.QuerySet):
    def in_play(self) -> "SessionQuerySet":
        """Sessions in play: on the board, placed by the timetable, shown publicly (`Session.is_in_play`)."""
        return self.filter(in_play_q())


class Session(models.Model):
    """A session in the programme: curated through the call for sessions, or proposed in the open space."""

    class Format(models.TextChoices):
        TALK = "talk", _("Talk")
        WORKSHOP = "workshop", _("Workshop")
        SHARING_CIRCLE = "sharing_circle", _("Sharing circle")
        SHOWCASE = "showcase", _("Showcase of an approach")
        OPEN_SPACE = "open_space", _("Open space conversation")

    class Track(models.TextChoices):
        CURATED = "curated", _("Curated")
        OPEN_SPACE = "open_space", _("Open space")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        SCHEDULED = "scheduled", _("Scheduled")
        WAITING = "waiting", _("Waiting for approval")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        MERGED = "merged", _("Merged into another session")

    class ShownAs(models.TextChoices):
        PREFERRED_NAME = "preferred_name", _("Your preferred name")
        PARTICIPANT = "participant", _("“A participant”")

    # Statuses of a session still on the programme: not waiting for approval, declined, withdrawn or merged.
    # A curated proposal under review is on the programme but not yet in play (`is_in_play`).
    ON_PROGRAMME = (Status.PROPOSED, Status.ACCEPTED, Status.SCHEDULED)
    # A curated session is in play once accepted.
    CURATED_IN_PLAY = (Status.ACCEPTED, Status.SCHEDULED)

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.OPEN_SPACE)
    track = models.CharField(_("track"), max_length=20, choices=Track.choices, default=Track.OPEN_SPACE)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_sessions",
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_sessions", blank=True
    )
    # How the proposer is named wherever the session is shown publicly (page, API).
    proposer_shown_as = models.CharField(
        _("how the proposer's name is shown"),
        max_length=20,
        choices=ShownAs.choices,
        default=ShownAs.PREFERRED_NAME,
    )
    length = models.PositiveSmallIntegerField(
        _("length in slots"), default=1, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    expected_size = models.PositiveIntegerField(_("expected size"), null=True, blank=True)
    needs = models.JSONField(_("needs"), default=list, blank=True)  # Need values
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    decision_message = models.TextField(_("message to the proposer"), blank=True)
    pinned = models.BooleanField(
        _("pinned"), default=False, help_text=_("The optimiser keeps a pinned session where it is.")
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_sessions"
    )
    # The published place: first slot and room (a session longer than one slot runs on in the next slots).
    slot = models.ForeignKey(Slot, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions")
    room = models.ForeignKey(Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions")
    # iCalendar's SEQUENCE: raised by the services that move a session or change its slot's times.
    calendar_sequence = models.PositiveIntegerField(_("calendar revision"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["programme", "slot__starts_at", "title"]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        unknown = set(self.needs) - set(Need.values)
        if unknown:
            raise ValidationError({"needs": _("Unknown needs: %s.") % ", ".join(sorted(unknown))})

    def public_name(self, person: "User") -> str:
        """How `person`, one of the facilitators, is named publicly: as they chose, if they proposed it."""
        if person.pk == self.proposer_id and self.proposer_shown_as == self.ShownAs.PARTICIPANT:
            return str(_("A participant"))
        return person.display_name

    @property
    def public_facilitator_names(self) -> list[str]:
        return [self.public_name(person) for person in self.facilitators.all()]

    @property
    def is_in_play(self) -> bool:
        """On the board, in the timetable and public: an open-space proposal from the moment it is posted, a
        curated one once accepted. `Session.objects.in_play()` and `in_play_q` are the same rule in SQL."""
        if self.track == self.Track.CURATED:
            return self.status in self.CURATED_IN_PLAY
        return self.status in self.ON_PROGRAMME


def in_play_q(prefix: str = "") -> Q:
    """`Session.is_in_play` as a filter; `prefix` reaches the session through a relation ("session__")."""
    return Q(**{f"{prefix}track": Session.Track.OPEN_SPACE, f"{prefix}status__in": Session.ON_PROGRAMME}) | Q(
        **{f"{prefix}track": Session.Track.CURATED, f"{prefix}status__in": Session.CURATED_IN_PLAY}
    )


class Review(models.Model):
    """A reviewer's score and comment on a curated proposal."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [models.UniqueConstraint(fields=["session", "reviewer"], name="review_once")]

    def __str__(self) -> str:
        return f"{self.session}: {self.score}"


class Interest(models.Model):
    """An attendee's wish to attend a session: guidance for the optimiser, never a booking."""

    class Level(models.IntegerChoices):
        WOULD_LIKE = 1, _("Would like")
        REALLY_WANT = 2, _("Really want")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="interests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interests")
    level = models.PositiveSmallIntegerField(_("how much"), choices=Level.choices, default=Level.WOULD_LIKE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="interest_once")]

    def __str__(self) -> str:
        return f"{self.session} ({self.get_level_display()})"


class TimetableRun(models.Model):
    """One optimisation of a programme: queued, run in the background with progress, then reviewed as a
    diff against the published timetable and published (or discarded) by an organiser."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Optimising")
        DONE = "done", _("Ready to review")
        FAILED = "failed", _("Could not finish")
        PUBLISHED = "published", _("Published")
        DISCARDED = "discarded", _("Discarded")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    time_limit = models.PositiveIntegerField(_("time limit in seconds"), default=20)
    move_cost = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)  # percent of the time limit used
    objective = models.IntegerField(null=True, blank=True)
    bound = models.IntegerField(null=True, blank=True)
    terms = models.JSONField(default=dict, blank=True)
    # {session id: [slot id, room id]} for the proposed timetable; the explanation per session; the diff.
    assignments = models.JSONField(default=dict, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    diff = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The background task running it, and how many times a task has started it: a run whose worker died
    # is started again by the same task, or by the sweep once it is surely orphaned, a few times at most.
    runner = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("timetable run")
        verbose_name_plural = _("timetable runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.programme} run {self.pk} ({self.status})"
