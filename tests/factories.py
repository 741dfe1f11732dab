"""Factories for test data: real rows in the real database, built the way the product builds them."""

from datetime import timedelta
from functools import lru_cache

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from gathering.accounts.models import User
from gathering.accounts.roles import PARTICIPANT, ROLES_BY_SLUG

PASSWORD = "a-long-test-password-42"
TOTP_SECRET = "JBSWY3DPEHPK3PXPTESTSECRETAAAAAA"


@lru_cache(maxsize=1)
def password_hash() -> str:
    # Argon2 is deliberately slow; hash the shared test password once.
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name", locale="en_GB")
    password = factory.LazyFunction(password_hash)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if not create:
            return
        slugs = ["participant", *(extracted or [])]
        self.groups.add(*(Group.objects.get(name=ROLES_BY_SLUG[slug].group_name) for slug in slugs))
        if "admin" in slugs:
            self.is_staff = True
            self.save(update_fields=["is_staff"])

    @factory.post_generation
    def mfa(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted:
            TOTP.activate(self, TOTP_SECRET)


def make_staff(role: str, *, mfa: bool = True, **kwargs: object) -> User:
    return UserFactory(roles=[role], mfa=mfa, **kwargs)


def has_mfa(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


__all__ = ["PARTICIPANT", "PASSWORD", "TOTP_SECRET", "UserFactory", "has_mfa", "make_staff"]


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Venue"

    name = factory.Sequence(lambda n: f"Community Hall {n}")
    address = "1 High Street\nLeeds"
    postcode = "LS1 1AA"
    step_free_route = "Level entrance from the car park; lift to all floors."


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Event"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Spring Gathering {n}")
    slug = factory.Sequence(lambda n: f"spring-gathering-{n}")
    summary = "A day of listening and learning together."
    description = "Come as you are."
    status = "published"
    format = "in_person"
    venue = factory.SubFactory(VenueFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=7))
    capacity = 20

    @factory.post_generation
    def organisers(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.organisers.add(*extracted)


class TicketTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.TicketType"

    event = factory.SubFactory(EventFactory)
    name = "Standard"
    kind = "fixed"
    price_minor = 0


class CircleSeriesFactory(factory.django.DjangoModelFactory):
    """An open series of listening circles with its first group agreement."""

    class Meta:
        model = "circles.CircleSeries"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Morning circles {n}")
    slug = factory.Sequence(lambda n: f"morning-circles-{n}")
    purpose = "To listen to each other across different experiences."
    schedule = "Saturday 10:00 to 11:30"
    place = "Room 2"
    rounds = "10 | Arriving and the agreement\n60 | Sharing rounds\n20 | Closing round"
    status = "open"
    size_min = 3
    size_max = 4

    @factory.post_generation
    def agreement(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted is not False:
            self.agreements.create(
                version=1, text=extracted or "What is said here stays here.\nListen without fixing."
            )

    @factory.post_generation
    def organisers(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.organisers.add(*extracted)

    @factory.post_generation
    def facilitators(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.facilitators.add(*extracted)


def event_edit_form(event, **changes) -> dict[str, str]:
    """What the staff edit form of `event` posts when nothing is changed, with `changes` on top."""
    form = {
        "title": event.title,
        "slug": event.slug,
        "summary": event.summary,
        "kind": "gathering",
        "format": "in_person",
        "venue": str(event.venue_id),
        "time_zone": "Europe/London",
        "starts_at": timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "offer_hours": "48",
        "capacity": str(event.capacity),
        "status": "published",
    }
    return {**form, **changes}


class CourseFactory(factory.django.DjangoModelFactory):
    """A published course with three learning outcomes."""

    class Meta:
        model = "learning.Course"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Trauma-informed practice {n}")
    slug = factory.Sequence(lambda n: f"trauma-informed-practice-{n}")
    summary = "What trauma-informed services do differently, and how to start."
    description = "Four sessions, **small groups**."
    audience = "Peer workers and ward staff"
    format = "online"
    cpd_hours = "6.0"
    status = "published"

    @factory.post_generation
    def outcomes(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            texts = extracted if extracted is not None else ["Notice", "Listen", "Change a service"]
            for position, text in enumerate(texts):
                self.outcomes.create(text=text, position=position)

    @factory.post_generation
    def organisers(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.organisers.add(*extracted)

    @factory.post_generation
    def facilitators(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.facilitators.add(*extracted)


def make_cohort(
    *, course=None, sessions: int = 4, capacity: int = 12, starts_at=None, organisers=(), **kwargs
):
    """A cohort of `course` (a new one if None): a published training Gathering with a free ticket and
    `sessions` weekly two-hour sessions from `starts_at` (30 days ahead by default)."""
    from gathering.learning.models import Cohort, CohortSession

    course = course or CourseFactory()
    starts_at = starts_at or timezone.now() + timedelta(days=30)
    event = EventFactory(
        kind="training",
        format="online",
        venue=None,
        online_join_url="https://meet.example.org/course",
        capacity=capacity,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=7 * max(sessions - 1, 0), hours=2),
        organisers=list(organisers),
        learning_outcomes="\n".join(course.outcomes.values_list("text", flat=True)),
    )
    TicketTypeFactory(event=event, name="Standard")
    cohort = Cohort.objects.create(course=course, event=event, **kwargs)
    for n in range(sessions):
        start = starts_at + timedelta(days=7 * n)
        CohortSession.objects.create(
            cohort=cohort,
            title=f"Session {n + 1}",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            online_link="https://meet.example.org/course",
        )
    return cohort


def enrol(cohort, user=None, **kwargs):
    """`user` (a new participant if None) registered for the cohort's Gathering through registration_create;
    returns the registration."""
    from gathering.events.services import RegistrationInput, registration_create

    user = user or UserFactory()
    ticket = cohort.event.ticket_types.first()
    data = RegistrationInput(ticket_type_id=ticket.pk, name=user.name, email=user.email, **kwargs)
    return registration_create(event=cohort.event, user=user, data=data, notify=False).registration
