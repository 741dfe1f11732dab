"""Gatherings and their venues, ticket types, questions and registrations."""

import functools
import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gathering.core.regions import Region
from gathering.privacy.fields import EncryptedJSONField, EncryptedTextField


@functools.cache
def _time_zones() -> tuple[tuple[str, str], ...]:
    # Read from the time zone files on disk, which is slow: once per process.
    return tuple(
        (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name
    )


def time_zone_choices() -> list[tuple[str, str]]:
    return list(_time_zones())


class Venue(models.Model):
    """A place where Gatherings happen, with the access information people ask for before they come."""

    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"))
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    step_free_route = models.TextField(_("step-free route"), blank=True)
    accessible_toilets = models.TextField(_("accessible toilets"), blank=True)
    hearing_loop = models.TextField(_("hearing loop"), blank=True)
    quiet_room = models.TextField(_("quiet room"), blank=True)
    seating = models.TextField(_("seating"), blank=True)
    lighting = models.TextField(_("lighting and sound"), blank=True)
    parking = models.TextField(_("parking"), blank=True)
    public_transport = models.TextField(_("nearest public transport"), blank=True)
    entrance_photo = models.ImageField(_("photo of the entrance"), upload_to="venues/", blank=True)
    entrance_photo_alt = models.CharField(
        _("description of the entrance photo"),
        max_length=300,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    # Who added it: they may edit it, as may organisers of a Gathering held there. SET_NULL: erasing the
    # person keeps the venue, which administrators and those organisers still look after.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.entrance_photo and not self.entrance_photo_alt.strip():
            raise ValidationError({"entrance_photo_alt": _("Describe what the photo of the entrance shows.")})

    ACCESS_FIELDS = (
        "step_free_route",
        "accessible_toilets",
        "hearing_loop",
        "quiet_room",
        "seating",
        "lighting",
        "parking",
        "public_transport",
    )

    @property
    def entrance_photo_shown(self) -> bool:
        """A photo stored before uploads were re-encoded (any other extension) is not served: leave it out."""
        from gathering.core.images import SERVED_TYPES

        name = self.entrance_photo.name or ""
        return "." in name and name.rsplit(".", 1)[1].lower() in SERVED_TYPES

    @property
    def address_lines(self) -> list[str]:
        """The address one line each, then the postcode unless the address already ends with it."""
        lines = [line.strip().rstrip(",") for line in self.address.splitlines() if line.strip()]
        postcode = self.postcode.strip()
        if postcode and (not lines or lines[-1].upper() != postcode.upper()):
            lines.append(postcode)
        return lines

    @property
    def access_information(self) -> list[tuple[str, str]]:
        return [
            (str(self._meta.get_field(field).verbose_name), getattr(self, field))
            for field in self.ACCESS_FIELDS
            if getattr(self, field)
        ]


class Event(models.Model):
    """A Gathering, training or online session. Shown to people as a "Gathering"."""

    class Kind(models.TextChoices):
        GATHERING = "gathering", _("Gathering")
        TRAINING = "training", _("Training")
        ONLINE_SESSION = "online_session", _("Online session")
        CIRCLE_SERIES = "circle_series", _("Listening circle series")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid (in person and online)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GATHERING)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", choices=time_zone_choices
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    online_join_url = models.URLField(
        _("online joining link"),
        blank=True,
        help_text=_(
            "Needed for an online or hybrid Gathering. Only people with a confirmed place see it: in their "
            "confirmation, on My Gatherings and in reminders."
        ),
    )
    online_join_details = models.TextField(
        _("joining details"),
        blank=True,
        help_text=_("Anything else people need to join, such as a meeting ID or passcode."),
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    offer_hours = models.PositiveIntegerField(
        _("hours to accept a freed place"), default=48, help_text=_("How long a waitlist offer stays open.")
    )
    currency = models.CharField(_("currency"), max_length=3, default="GBP")
    learning_outcomes = models.TextField(
        _("key learning outcomes"), blank=True, help_text=_("One outcome per line.")
    )
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="organised_events", blank=True)
    place = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("For the archive: where it was, when there is no venue."),
    )
    themes = models.CharField(_("themes"), max_length=300, blank=True)
    attendance_recorded = models.PositiveIntegerField(
        _("attendance"), null=True, blank=True, help_text=_("For past Gatherings entered from records.")
    )
    # iCalendar's SEQUENCE: raised by event_save on every change of time, place, format or status, so a
    # calendar app updates the entry it has (same UID) instead of keeping the old one.
    calendar_sequence = models.PositiveIntegerField(_("calendar revision"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Gathering")
        verbose_name_plural = _("Gatherings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="events_event_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})
        if (
            self.format in {self.Format.IN_PERSON, self.Format.HYBRID}
            and self.venue_id is None
            and not self.place
        ):
            raise ValidationError({"venue": _("An in-person or hybrid Gathering needs a venue.")})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def outcomes(self) -> list[str]:
        return [line.strip() for line in self.learning_outcomes.splitlines() if line.strip()]

    def registration_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status != self.Status.PUBLISHED or now >= self.ends_at:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now >= self.registration_closes_at)

    @property
    def is_online(self) -> bool:
        """Some or all of it happens online (online or hybrid)."""
        return self.format in {self.Format.ONLINE, self.Format.HYBRID}

    @property
    def is_in_person(self) -> bool:
        """Some or all of it happens in a room (in person or hybrid)."""
        return self.format in {self.Format.IN_PERSON, self.Format.HYBRID}

    def join_link_visible(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.online_join_url) and self.starts_at - timedelta(minutes=30) <= now < self.ends_at


class TicketType(models.Model):
    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed price")
        PAY_WHAT_YOU_CAN = "pay_what_you_can", _("Pay what you can")
        SUPPORTED = "supported", _("Supported place")
        SOLIDARITY = "solidarity", _("Solidarity (pay more to fund others)")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FIXED)
    price_minor = models.PositiveIntegerField(
        _("price (pence)"), default=0, help_text=_("Fixed price, or the least a solidarity ticket costs.")
    )
    floor_minor = models.PositiveIntegerField(
        _("lowest amount (pence)"), default=0, help_text=_("For pay what you can: may be zero.")
    )
    suggested_minor = models.JSONField(_("suggested amounts (pence)"), default=list, blank=True)
    quantity = models.PositiveIntegerField(
        _("places of this type"),
        null=True,
        blank=True,
        help_text=_("Leave empty to share the event's places."),
    )
    invitation_code = models.CharField(
        _("invitation code"),
        max_length=40,
        blank=True,
        help_text=_("Supported places: people need this code (or a bursary award) to choose this ticket."),
    )
    active = models.BooleanField(_("on sale"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["event", "position", "pk"]
        constraints = [
            # People choose a ticket by its name: two that differ only in case would read as one.
            models.UniqueConstraint("event", Lower("name"), name="events_tickettype_name_unique_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.name}"

    @property
    def is_free(self) -> bool:
        return (
            self.kind == self.Kind.SUPPORTED
            or (self.kind in {self.Kind.FIXED} and self.price_minor == 0)
            or (
                self.kind == self.Kind.PAY_WHAT_YOU_CAN and self.floor_minor == 0 and not self.suggested_minor
            )
        )

    @property
    def minimum_minor(self) -> int:
        if self.kind == self.Kind.PAY_WHAT_YOU_CAN:
            return self.floor_minor
        if self.kind == self.Kind.SUPPORTED:
            return 0
        return self.price_minor


class Question(models.Model):
    """A question an event asks at registration, beyond the standard ones."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CHOICE = "choice", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        YES_NO = "yes_no", _("Yes or no")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # Special category unless the organiser says otherwise: a free question can draw out health or care.
    sensitive = models.BooleanField(
        _("answers may be sensitive"),
        default=True,
        help_text=_(
            "Answers may say something about a person's health or their experience of services. People "
            "answer only if they agree to how we use such answers; the answers are kept encrypted and "
            "deleted soon after the Gathering. Untick only for practical questions, like lunch or travel."
        ),
    )
    depends_on = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="dependents"
    )
    depends_value = models.CharField(
        _("shown when the answer is"),
        max_length=200,
        blank=True,
        help_text=_("For yes/no questions: yes or no."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["event", "position", "pk"]

    def __str__(self) -> str:
        return self.text


def new_checkin_code() -> str:
    return secrets.token_urlsafe(18)


class RegistrationQuerySet(models.QuerySet):
    def live(self) -> "RegistrationQuerySet":
        """Registrations not cancelled or expired: a place, an offer, or a place in the waiting list."""
        return self.exclude(status__in=Registration.ENDED)

    def attended(self) -> "RegistrationQuerySet":
        """Registrations of people who came: confirmed, or checked in on the day with a place."""
        return self.filter(
            Q(status=Registration.Status.CONFIRMED)
            | Q(status__in=Registration.HOLDING, checked_in_at__isnull=False)
        )


class Registration(models.Model):
    """One person's place (or place in the queue) at one Gathering."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        PENDING_PAYMENT = "pending_payment", _("Confirmed, payment due")
        WAITLISTED = "waitlisted", _("On the waiting list")
        OFFERED = "offered", _("Place offered")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Offer expired")

    # Statuses that hold one of the event's places, and those that are over.
    HOLDING = (Status.CONFIRMED, Status.PENDING_PAYMENT, Status.OFFERED)
    # A confirmed place, paid or with payment due ("Confirmed, payment due"): the people who get the
    # joining link of an online or hybrid Gathering. Never an offer, the waiting list or an ended place.
    CONFIRMED_PLACE = (Status.CONFIRMED, Status.PENDING_PAYMENT)
    ENDED = (Status.CANCELLED, Status.EXPIRED)

    class Payment(models.TextChoices):
        NONE = "none", _("Nothing to pay")
        ON_THE_DAY = "on_the_day", _("Pay on the day")
        INVOICE = "invoice", _("Bank transfer or invoice")

    class Perspective(models.TextChoices):
        LIVED_EXPERIENCE = "lived_experience", _("My own lived experience of mental distress")
        FAMILY_CARER = "family_carer", _("As family or a carer")
        SERVICES = "services", _("I work in, or design, services")
        OTHER = "other", _("Another way")

    class AccessNeed(models.TextChoices):
        STEP_FREE = "step_free", _("Step-free access")
        HEARING_LOOP = "hearing_loop", _("A hearing loop")
        BSL = "bsl", _("A British Sign Language interpreter")
        QUIET_SPACE = "quiet_space", _("A quiet space to take breaks")
        LARGE_PRINT = "large_print", _("Large print materials")
        COMPANION = "companion", _("To bring a support worker or companion")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    # A region and never finer (see core.regions), for counting how far people travel: too coarse to be
    # special category, so kept like pronouns, without consent or encryption.
    region = models.CharField(_("region you live in"), max_length=20, choices=Region.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    amount_minor = models.PositiveIntegerField(_("amount (pence)"), default=0)
    payment = models.CharField(max_length=20, choices=Payment.choices, default=Payment.NONE)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Special category (Article 9): asked only with explicit consent, stored encrypted.
    perspectives = EncryptedJSONField(_("how you come to this Gathering"), null=True, blank=True)
    access_needs = EncryptedJSONField(_("access needs"), null=True, blank=True)
    access_needs_other = EncryptedTextField(_("other access needs"), blank=True, default="")
    special_category_consent_at = models.DateTimeField(null=True, blank=True)
    dietary_needs = EncryptedTextField(_("dietary needs"), blank=True, default="")
    # Answers to the Gathering's own questions, {question id: answer}: those to sensitive questions only
    # with the consent above, so all are encrypted.
    answers = EncryptedJSONField(_("answers"), null=True, blank=True)
    # Set once the retention job has cleared the answers above, so it never rereads this row.
    answers_purged = models.BooleanField(default=False, editable=False)
    on_attendee_list = models.BooleanField(_("appear on the attendee list"), default=False)
    share_access_with_venue = models.BooleanField(_("share access needs with the venue team"), default=False)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    # A bursary award waiting for a place: offered the next free place before everyone else in the queue.
    waitlist_priority = models.BooleanField(_("first in the waiting list"), default=False)
    # A place an organiser gave on purpose when the Gathering was full, counted as over capacity.
    over_capacity = models.BooleanField(_("place given over capacity"), default=False)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    checkin_code = models.CharField(max_length=32, unique=True, default=new_checkin_code, editable=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status__in=["cancelled", "expired"]),
                name="events_registration_one_live_per_email",
            ),
            models.CheckConstraint(
                condition=Q(status="offered", offer_expires_at__isnull=False) | ~Q(status="offered"),
                name="events_registration_offer_has_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["event", "status", "waitlisted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.get_status_display()}"

    @property
    def holds_place(self) -> bool:
        return self.status in self.HOLDING

    @property
    def reference(self) -> str:
        """The short reference printed in the confirmation email (and used for bank transfers): typed at
        the check-in desk when the QR code cannot be shown."""
        return f"G{self.event_id}-{self.pk}"

    @property
    def attended(self) -> bool:
        """The same rule as RegistrationQuerySet.attended, for one row already loaded."""
        return self.status == self.Status.CONFIRMED or (
            self.status in self.HOLDING and self.checked_in_at is not None
        )

    @property
    def gets_join_link(self) -> bool:
        """Whether this person may see the Gathering's joining link: a confirmed place at an online or
        hybrid Gathering that has one."""
        return (
            self.status in self.CONFIRMED_PLACE and self.event.is_online and bool(self.event.online_join_url)
        )

    @property
    def access_needs_labels(self) -> list[str]:
        """The access needs in words, the person's own description last, for a comma-separated list."""
        labels = dict(self.AccessNeed.choices)
        shown = [str(labels.get(need, need)) for need in self.access_needs or []]
        other = self.access_needs_other.strip().rstrip(";,").strip()
        return [*shown, other] if other else shown

    @property
    def perspectives_labels(self) -> list[str]:
        labels = dict(self.Perspective.choices)
        return [str(labels.get(value, value)) for value in self.perspectives or []]


class OnlineReminder(models.Model):
    """That the reminder with the joining link, due `hours_before` the start, went to this registration:
    each reminder goes once, however often the job runs."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="online_reminders")
    hours_before = models.PositiveIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("online reminder")
        verbose_name_plural = _("online reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "hours_before"], name="events_onlinereminder_once_per_registration"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.hours_before}h"


class BursaryFund(models.Model):
    """Money set aside for one Gathering's bursaries."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="bursary_fund")
    total_minor = models.PositiveIntegerField(_("fund total (pence)"), default=0)
    open = models.BooleanField(_("accepting applications"), default=True)

    class Meta:
        verbose_name = _("bursary fund")
        verbose_name_plural = _("bursary funds")

    def __str__(self) -> str:
        return f"{self.event}: {self.total_minor}"


class BursaryApplication(models.Model):
    """A request for help to come: ticket, travel, accommodation, childcare or a carer's place."""

    class Support(models.TextChoices):
        TICKET = "ticket", _("A free ticket")
        TRAVEL = "travel", _("Travel")
        ACCOMMODATION = "accommodation", _("Accommodation")
        CHILDCARE = "childcare", _("Childcare")
        CARER = "carer", _("A place for a carer or support worker")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for a decision")
        AWARDED_FULL = "awarded_full", _("Awarded in full")
        AWARDED_PARTIAL = "awarded_partial", _("Partly awarded")
        DECLINED = "declined", _("Not awarded")
        WAITLISTED = "waitlisted", _("On the bursary waiting list")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    AWARDED = (Status.AWARDED_FULL, Status.AWARDED_PARTIAL)

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="bursary_applications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="bursaries"
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    support = models.JSONField(_("support asked for"), default=list)
    amount_requested_minor = models.PositiveIntegerField(_("amount asked for (pence)"), default=0)
    # Special category: circumstances often reveal health; encrypted, purged after the retention period.
    circumstances = EncryptedTextField(_("circumstances"), blank=True, default="")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    reviewer_notes = EncryptedTextField(_("reviewer notes"), blank=True, default="")
    circumstances_purged = models.BooleanField(default=False, editable=False)
    amount_awarded_minor = models.PositiveIntegerField(_("amount awarded (pence)"), default=0)
    travel_owed_minor = models.PositiveIntegerField(_("travel to repay (pence)"), default=0)
    decision_message = models.TextField(_("message to the applicant"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bursary application")
        verbose_name_plural = _("bursary applications")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="withdrawn"),
                name="events_bursary_one_per_email",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="events_bursary_score_1_5",
            ),
        ]

    def __str__(self) -> str:
        return _("Bursary application %(n)s") % {"n": self.pk}

    @property
    def reference(self) -> str:
        return f"B{self.pk:05d}"

    @property
    def support_labels(self) -> list[str]:
        """The kinds of support asked for, in words, in the order the form lists them."""
        return [str(label) for value, label in self.Support.choices if value in (self.support or [])]


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A private calendar address for one person's Gatherings; making a new one revokes the old."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user}: calendar feed"


class FeedbackQuestion(models.Model):
    """An extra question an event asks in its feedback survey, besides the outcomes and feeling safe."""

    class Kind(models.TextChoices):
        SCALE = "scale", _("A scale from 1 to 5")
        TEXT = "text", _("Free text")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feedback_questions")
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SCALE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("feedback question")
        verbose_name_plural = _("feedback questions")
        ordering = ["event", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class FeedbackResponse(models.Model):
    """One anonymous response: nothing links it to the person who gave it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feedback_responses")
    outcome_ratings = models.JSONField(default=dict)  # {"0": 4, "1": 5}: outcome index -> 1..5
    felt_safe = models.PositiveSmallIntegerField(null=True, blank=True)
    answers = EncryptedJSONField(null=True, blank=True)  # {question id: 1..5 or text}
    comment = EncryptedTextField(blank=True, default="")
    # The day only: a timestamp could be matched against who left the room when.
    received_on = models.DateField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback response")
        verbose_name_plural = _("feedback responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(felt_safe__isnull=True) | Q(felt_safe__gte=1, felt_safe__lte=5),
                name="events_feedback_felt_safe_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event}: feedback"


class FeedbackReceipt(models.Model):
    """That a registration has answered, kept apart from the answers so they stay anonymous."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="feedback_receipt"
    )

    class Meta:
        verbose_name = _("feedback receipt")
        verbose_name_plural = _("feedback receipts")

    def __str__(self) -> str:
        return f"{self.registration_id}"


class EventResource(models.Model):
    """Something to look back on: slides, a recording, a report."""

    class Kind(models.TextChoices):
        SLIDES = "slides", _("Slides")
        RECORDING = "recording", _("Recording")
        REPORT = "report", _("Report")
        OTHER = "other", _("Link")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["event", "position", "pk"]

    def __str__(self) -> str:
        return self.title
