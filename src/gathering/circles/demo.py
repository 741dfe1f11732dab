"""Demo data for the circles app, loaded by `gathering seed-demo` (idempotent): morning listening circles at
the upcoming demo Gathering, 60 people formed into circles and published, the demo facilitator leading the
demo participant's circle. Found by slug and email, so running it again adds nothing."""

import math
from datetime import timedelta

from django.contrib.auth.models import Group

from gathering.accounts.models import User
from gathering.accounts.roles import FACILITATOR, PARTICIPANT
from gathering.core.demo import DemoRun, demo_step
from gathering.core.regions import Region
from gathering.events.models import Event

from . import services
from .models import Circle, CircleInvitation, CircleMembership, CircleSeries

SLUG = "spring-gathering-circles"
PEOPLE = 60
PERSPECTIVES = (
    ["lived_experience"],
    ["family_carer"],
    ["practitioner"],
    ["service_designer"],
    ["lived_experience", "practitioner"],
    ["family_carer", "lived_experience"],
    [],
)
ORGANISATIONS = ("", "Mind", "NHS Greater Manchester", "Rethink", "Carers UK", "Hearing Voices Network", "")
# Mostly from around Manchester, some from further away, some not saying: a spread for the circles to mix.
REGIONS = (
    Region.NORTH_WEST,
    Region.YORKSHIRE_HUMBER,
    Region.NORTH_WEST,
    Region.WALES,
    "",
    Region.SCOTLAND,
    Region.NORTH_WEST,
    Region.LONDON,
    Region.WEST_MIDLANDS,
)


def _person(email: str, name: str, role=PARTICIPANT) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, name=name)
    user.groups.add(Group.objects.get(name=PARTICIPANT.group_name), Group.objects.get(name=role.group_name))
    return user


def seed_circles(*, people: dict[str, User], scale: int = 1) -> None:
    """people: the demo people by role (participant, facilitator, organiser, safeguarding_lead, admin)."""
    event = Event.objects.filter(slug="spring-gathering").first()
    organiser, facilitator, participant = people["organiser"], people["facilitator"], people["participant"]
    if event is None:
        return
    total = PEOPLE * scale
    series, created = CircleSeries.objects.get_or_create(
        slug=SLUG,
        defaults={
            "event": event,
            "name": "Morning listening circles",
            "purpose": (
                "Small circles where people with lived experience, carers and people who work in or design "
                "services listen to each other's experience of crisis care."
            ),
            "schedule": "The morning of the Gathering, 10:30 to 12:00",
            "first_meets_at": event.starts_at + timedelta(minutes=30),
            "time_zone": event.time_zone,
            "place": "Friends Meeting House, the rooms on the first floor",
            "rounds": services.DEFAULT_ROUNDS,
            "status": CircleSeries.Status.OPEN,
        },
    )
    series.organisers.add(organiser)
    if created:
        series.agreements.create(version=1, text=services.DEFAULT_AGREEMENT)
    pool = [facilitator] + [
        _person(f"circle-facilitator{n}@demo.gathering.test", f"Demo facilitator {n}", FACILITATOR)
        for n in range(1, math.ceil(total / series.size_max))
    ]
    series.facilitators.add(*pool)
    if series.status == CircleSeries.Status.PUBLISHED:
        return
    members = [participant] + [
        _person(f"circle{n}@demo.gathering.test", f"Demo circle member {n}") for n in range(1, total)
    ]
    # A Gathering's circles are for people with a place or an invitation: the demo members are invited
    # (rows only, as demo data sends no email).
    for user in members:
        CircleInvitation.objects.get_or_create(
            series=series, email=user.email.lower(), defaults={"invited_by": organiser}
        )
    agreement = services.agreement_current(series)
    for n, user in enumerate(members):
        if CircleMembership.objects.active().filter(series=series, user=user).exists():
            continue
        services.membership_join(
            series=series,
            user=user,
            data=services.JoinInput(
                agreement_version=agreement.version,
                perspectives=PERSPECTIVES[n % len(PERSPECTIVES)],
                special_category_consent=True,
                region=REGIONS[n % len(REGIONS)],
                organisation=ORGANISATIONS[n % len(ORGANISATIONS)],
                access_needs="A seat near the door" if n % 9 == 4 else "",
                share_access_needs=n % 9 == 4,
                listed=n % 4 != 3,
                not_with=["Demo circle member 2"] if n == 1 else [],
            ),
        )
    services.circles_form(series=series, actor=organiser, time_limit=2)
    _lead_the_participants_circle(series, participant=participant, facilitator=facilitator)
    services.circles_publish(series=series, actor=organiser, notify=False)


def _lead_the_participants_circle(series: CircleSeries, *, participant: User, facilitator: User) -> None:
    """Facilitators are interchangeable for the rules here (nobody in the demo asked not to be with one), so
    the demo facilitator swaps places with whoever leads the demo participant's circle."""
    theirs = CircleMembership.objects.active().get(series=series, user=participant).circle
    if theirs.facilitator_id == facilitator.pk:
        return
    current = Circle.objects.get(series=series, facilitator=facilitator)
    current.facilitator, theirs.facilitator = theirs.facilitator, facilitator
    current.save(update_fields=["facilitator"])
    theirs.save(update_fields=["facilitator"])


@demo_step("circles", order=40)
def seed(run: DemoRun) -> None:
    seed_circles(people=run.people, scale=run.scale)
