"""The raw figures of each activity, checked cell by cell against one small network counted by hand."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from gathering.circles.models import CircleSeries
from gathering.events.models import BursaryApplication, Event, Registration
from gathering.impact import measures
from gathering.impact.figures import Activity, activities, figures_for
from gathering.learning.models import OutcomeRating, SelfAssessment
from gathering.programme.models import Programme, Session, Slot

from ..factories import CourseFactory, make_cohort
from .builders import (
    bursary,
    circle,
    circle_feedback,
    feedback,
    gathering,
    meeting,
    member,
    person,
    programme_session,
    register,
    series,
    ticket,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
S = Registration.Status
T = Session.Status


@dataclass
class Network:
    cohort: Event  # C1, 1 Feb 2026
    spring: Event  # G1, 31 March 23:30 UTC = 1 April in London
    circles: CircleSeries  # S1, the series, 20 April
    online: Event  # G2, 10 May
    draft: Event
    cancelled: Event
    circle_event: Event  # a Gathering of kind circle_series: not an activity


@pytest.fixture
def network() -> Network:
    """Four activities and four things that are not. People and what they did, by start date:

    - Draft Gathering (Jan 10) and cancelled Gathering (Jan 15): Cat confirmed at both; not activities.
    - A draft series (Jan 20): Pat a member; not an activity.
    - A Gathering of kind circle_series (March 1): Sam confirmed; not an activity.
    - C1, the cohort (Feb 1): Ann confirmed, Mo confirmed, Jo cancelled, Ned payment due.
    - G1, the Spring Gathering (April 1 in London): ten registrations, see `test_registrations`.
    - S1, the series (April 20): Ann, Eve, Pat, Quin (left), Rae (removed), Sam.
    - G2, the online session (May 10): Ben, Dan (a guest), Kit, Lee (a guest, waiting).
    """
    ann, ben, cat, eve = person("Ann"), person("Ben"), person("Cat"), person("Eve")
    jo, kit, mo, ned = person("Jo"), person("Kit"), person("Mo"), person("Ned")
    pat, quin, rae, sam = person("Pat"), person("Quin"), person("Rae"), person("Sam")
    fay, gus, hal, ivy = person("Fay"), person("Gus"), person("Hal"), person("Ivy")

    draft = gathering("Draft", datetime(2026, 1, 10, 10, tzinfo=UTC), status=Event.Status.DRAFT)
    register(ticket(draft, "Standard"), user=cat)
    feedback(draft, 1, 1)
    cancelled = gathering("Cancelled", datetime(2026, 1, 15, 10, tzinfo=UTC), status=Event.Status.CANCELLED)
    register(ticket(cancelled, "Standard"), user=cat)
    draft_series = series(
        "Draft circles", first_meets_at=datetime(2026, 1, 20, 18, tzinfo=UTC), status="draft"
    )
    member(draft_series, pat)
    circle_event = gathering(
        "Circles at the Spring Gathering", datetime(2026, 3, 1, 10, tzinfo=UTC), kind=Event.Kind.CIRCLE_SERIES
    )
    register(ticket(circle_event, "Standard"), user=sam)

    # C1: a cohort of a course with three outcomes.
    course = CourseFactory(title="Trauma-informed practice", slug="trauma-informed-practice")
    cohort = make_cohort(course=course, starts_at=datetime(2026, 2, 1, 10, tzinfo=UTC), sessions=2).event
    standard = cohort.ticket_types.get()
    ann_c1 = register(standard, user=ann, perspectives=["services"])
    mo_c1 = register(standard, user=mo)
    register(standard, user=jo, status=S.CANCELLED)
    register(standard, user=ned, status=S.PENDING_PAYMENT)
    outcomes = list(course.outcomes.order_by("position"))
    for registration, stage, ratings in (
        (ann_c1, "before", (2, 2, 3)),
        (mo_c1, "before", (1, 2, 4)),
        (ann_c1, "after", (4, 4, 5)),
        (mo_c1, "after", (3, 4, 5)),
    ):
        assessment = SelfAssessment.objects.create(registration=registration, stage=stage)
        for outcome, rating in zip(outcomes, ratings, strict=True):
            OutcomeRating.objects.create(assessment=assessment, outcome=outcome, rating=rating)
    bursary(cohort, BursaryApplication.Status.AWARDED_FULL, awarded=1500)
    feedback(cohort, 3)

    # G1: 23:30 UTC on 31 March is 00:30 on 1 April in London (summer time began on 29 March).
    spring = gathering("Spring Gathering", datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    fixed = ticket(spring, "Standard", price=1000)
    pwyc = ticket(spring, "Pay what you can", kind="pay_what_you_can")
    supported = ticket(spring, "Supported", kind="supported")
    solidarity = ticket(spring, "Solidarity", kind="solidarity", price=3000)
    register(fixed, user=ann, amount=1000, perspectives=["lived_experience", "services"])
    register(pwyc, user=ben, amount=500, checked_in=True, perspectives=["family_carer"])
    register(fixed, user=cat, status=S.PENDING_PAYMENT, amount=1000, checked_in=True, perspectives=["other"])
    register(
        supported,
        email="Dan@Example.org",
        status=S.PENDING_PAYMENT,
        perspectives=["lived_experience"],
        consent=False,
    )
    register(
        solidarity, email="EVE@example.org", status=S.OFFERED, amount=3000, waitlisted=True, perspectives=[]
    )
    register(fixed, user=fay, status=S.WAITLISTED, waitlisted=True)
    register(fixed, user=gus, status=S.CANCELLED, waitlisted=True)
    register(pwyc, user=hal, status=S.EXPIRED, waitlisted=True)
    register(fixed, user=ivy, status=S.CANCELLED, amount=1000, perspectives=["lived_experience"])
    register(supported, user=jo, waitlisted=True, perspectives=["lived_experience", "family_carer"])
    for status, awarded in (
        (BursaryApplication.Status.AWARDED_FULL, 2000),
        (BursaryApplication.Status.AWARDED_PARTIAL, 800),
        (BursaryApplication.Status.DECLINED, 0),
        (BursaryApplication.Status.SUBMITTED, 0),
        (BursaryApplication.Status.WAITLISTED, 0),
        (BursaryApplication.Status.WITHDRAWN, 0),
    ):
        bursary(spring, status, awarded=awarded)
    feedback(spring, 5, 5, 4, 2, None)
    programme = Programme.objects.create(event=spring)
    morning = Slot.objects.create(
        programme=programme,
        starts_at=spring.starts_at + timedelta(hours=1),
        ends_at=spring.starts_at + timedelta(hours=2),
    )
    noon = Slot.objects.create(
        programme=programme,
        starts_at=spring.starts_at + timedelta(hours=3),
        ends_at=spring.starts_at + timedelta(hours=4),
    )
    kept = programme_session(programme, "Peer support", status=T.SCHEDULED, slot=morning)
    programme_session(programme, "Crisis lines", status=T.SCHEDULED, track="curated", slot=noon)
    programme_session(programme, "Placed, never published", status=T.PROPOSED, slot=morning)
    programme_session(programme, "Curated under review", status=T.PROPOSED, track="curated", slot=noon)
    programme_session(programme, "On the board", status=T.PROPOSED, slot=None)
    programme_session(programme, "Declined", status=T.DECLINED, track="curated", slot=None)
    programme_session(programme, "Withdrawn", status=T.WITHDRAWN, slot=None)
    programme_session(programme, "Lost its slot", status=T.SCHEDULED, slot=None)
    merged = programme_session(programme, "Merged", status=T.MERGED, slot=None)
    merged.merged_into = kept
    merged.save(update_fields=["merged_into"])

    # S1: three circles, meetings from 20 April; one meeting of circle 1 is after NOW.
    circles = series(
        "Spring circles",
        first_meets_at=datetime(2026, 4, 20, 17, tzinfo=UTC),
        status="published",
        event=circle_event,
    )
    one, two, three = circle(circles, 1), circle(circles, 2), circle(circles, 3)
    ann_s1 = member(circles, ann, in_circle=one, perspectives=["practitioner"])
    eve_s1 = member(circles, eve, in_circle=one, perspectives=["family_carer", "lived_experience"])
    pat_s1 = member(circles, pat, in_circle=two, perspectives=["lived_experience", "service_designer"])
    quin_s1 = member(circles, quin, in_circle=two, status="left", perspectives=["other"])
    member(circles, rae, in_circle=two, status="removed", perspectives=["lived_experience"])
    member(circles, sam, in_circle=three)
    first = datetime(2026, 4, 20, 17, tzinfo=UTC)
    week = timedelta(days=7)
    held = meeting(one, first, present=[ann_s1, eve_s1])
    circle_feedback(held, (5, 4), (4, 4))
    meeting(one, first + week, present=[ann_s1], absent=[eve_s1])
    meeting(one, first + 7 * week)
    held = meeting(two, first, present=[pat_s1, quin_s1])
    circle_feedback(held, (5, 5), (3, 2))
    meeting(two, first + week, absent=[pat_s1, quin_s1])
    meeting(three, first)

    # G2: an online session of two hours.
    online = gathering(
        "Online session", datetime(2026, 5, 10, 10, tzinfo=UTC), hours=2, kind="online_session"
    )
    free = ticket(online, "Free")
    register(free, user=ben)
    register(free, email="dan@example.org")
    register(free, user=kit, status=S.PENDING_PAYMENT, perspectives=["services"])
    register(free, email="lee@example.org", status=S.WAITLISTED, waitlisted=True)

    return Network(cohort, spring, circles, online, draft, cancelled, circle_event)


def key(thing) -> str:
    return f"{'event' if isinstance(thing, Event) else 'series'}:{thing.pk}"


def figures(network: Network, now: datetime = NOW) -> dict[str, dict]:
    """The figures of every activity of the network."""
    return figures_for(activities(), now=now)


def cells(table: dict, *categories: str) -> dict:
    """The table's counts (not money) of the given categories, then the total."""
    return {category: table[category][0] for category in (*categories, measures.TOTAL)}


def test_activities_are_the_published_gatherings_and_the_series_in_order(network):
    found = activities()

    assert [a.key for a in found] == [
        key(network.cohort),
        key(network.spring),
        key(network.circles),
        key(network.online),
    ]
    cohort, spring, circles, online = found
    assert cohort == Activity(
        key=key(network.cohort),
        kind=measures.COHORT,
        title=network.cohort.title,
        slug=network.cohort.slug,
        starts_on=date(2026, 2, 1),
        course_slug="trauma-informed-practice",
        course_title="Trauma-informed practice",
    )
    assert (spring.kind, spring.title, spring.course_slug, spring.course_title) == (
        measures.GATHERING,
        "Spring Gathering",
        None,
        None,
    )
    assert (circles.kind, circles.title, circles.slug, circles.starts_on) == (
        measures.SERIES,
        "Spring circles",
        network.circles.slug,
        date(2026, 4, 20),
    )
    assert (online.kind, online.starts_on) == (measures.GATHERING, date(2026, 5, 10))


def test_starts_on_is_the_local_date_in_the_events_time_zone(network):
    spring = next(a for a in activities() if a.key == key(network.spring))

    assert network.spring.starts_at.astimezone(UTC).date() == date(2026, 3, 31)
    assert spring.starts_on == date(2026, 4, 1)


def test_a_series_without_a_first_meeting_time_starts_with_its_first_meeting_or_its_creation(db):
    # 23:30 UTC on 30 June is 1 July in London; the creation date likewise in Auckland (UTC+12 in winter).
    met = series("Met", first_meets_at=None, status="published", time_zone="Europe/London")
    meeting(circle(met, 1), datetime(2026, 7, 9, 18, tzinfo=UTC))
    meeting(circle(met, 2), datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    never = series("Never met", first_meets_at=None, status="open", time_zone="Pacific/Auckland")
    type(never).objects.filter(pk=never.pk).update(created_at=datetime(2026, 6, 30, 13, tzinfo=UTC))

    found = {a.key: a.starts_on for a in activities()}

    assert found == {key(met): date(2026, 7, 1), key(never): date(2026, 7, 1)}
    assert [a.key for a in activities()] == sorted([key(met), key(never)])


def test_registrations(network):
    # G1, ten registrations: came: Ann and Jo (confirmed), Ben (confirmed, checked in), Cat (payment due,
    # checked in); a place, did not come: Dan (payment due), Eve (offered); waiting: Fay; cancelled: Gus,
    # Ivy (cancelled), Hal (offer expired).
    # C1: came: Ann, Mo; a place: Ned (payment due); cancelled: Jo.
    # G2: came: Ben, Dan; a place: Kit (payment due); waiting: Lee.
    found = figures(network)
    columns = ("attended", "not_attended", "waitlisted", "cancelled")

    assert cells(found[key(network.spring)]["registrations"], *columns) == {
        "attended": 4,
        "not_attended": 2,
        "waitlisted": 1,
        "cancelled": 3,
        "total": 10,
    }
    assert cells(found[key(network.cohort)]["registrations"], *columns) == {
        "attended": 2,
        "not_attended": 1,
        "waitlisted": 0,
        "cancelled": 1,
        "total": 4,
    }
    assert cells(found[key(network.online)]["registrations"], *columns) == {
        "attended": 2,
        "not_attended": 1,
        "waitlisted": 1,
        "cancelled": 0,
        "total": 4,
    }


def test_waiting_list(network):
    # G1: joined the list: Eve (now offered), Jo (now confirmed), Hal (offer expired): offered; Fay (still
    # waiting), Gus (cancelled while waiting): never offered. G2: Lee, still waiting. C1: nobody waited.
    found = figures(network)

    assert cells(found[key(network.spring)]["waiting_list"], "offered", "never_offered") == {
        "offered": 3,
        "never_offered": 2,
        "total": 5,
    }
    assert cells(found[key(network.online)]["waiting_list"], "offered", "never_offered") == {
        "offered": 0,
        "never_offered": 1,
        "total": 1,
    }
    assert cells(found[key(network.cohort)]["waiting_list"], "offered", "never_offered") == {
        "offered": 0,
        "never_offered": 0,
        "total": 0,
    }


def test_returning_people_across_gatherings_and_series(network):
    # In order: C1 (Feb 1): Ann, Mo, Ned all first (Jo cancelled: no place, so not counted anywhere here).
    # G1 (Apr 1): Ann back from C1; first: Ben, Cat (draft and cancelled Gatherings do not count), Dan (a
    # guest), Eve (a guest with her account's address, in capitals), Jo (cancelled at C1).
    # S1 (Apr 20): Ann and Eve back; first: Pat (the draft series does not count), Quin (left), Sam (his
    # circle_series Gathering is not an activity); Rae was removed: not counted.
    # G2 (May 10): Ben back, Dan back (same guest address, other case); Kit first; Lee only waited.
    found = figures(network)
    table = {k: cells(f["returning"], "first_time", "returning") for k, f in found.items()}

    assert table == {
        key(network.cohort): {"first_time": 3, "returning": 0, "total": 3},
        key(network.spring): {"first_time": 5, "returning": 1, "total": 6},
        key(network.circles): {"first_time": 3, "returning": 2, "total": 5},
        key(network.online): {"first_time": 1, "returning": 2, "total": 3},
    }


def test_a_guest_is_the_same_person_by_email_whatever_its_case(db):
    first = gathering("First", datetime(2026, 3, 1, 10, tzinfo=UTC))
    second = gathering("Second", datetime(2026, 4, 1, 10, tzinfo=UTC))
    register(ticket(first, "Free"), email="Someone@Example.org")
    register(ticket(second, "Free"), email="someone@example.ORG")
    register(second.ticket_types.get(), email="someone.else@example.org")

    found = figures_for(activities(), now=NOW)

    assert cells(found[key(first)]["returning"], "first_time", "returning") == {
        "first_time": 1,
        "returning": 0,
        "total": 1,
    }
    assert cells(found[key(second)]["returning"], "first_time", "returning") == {
        "first_time": 1,
        "returning": 1,
        "total": 2,
    }


def test_perspectives(network):
    # G1, with a place, consent and an answer: Ann (lived, services), Ben (family), Cat (other), Jo (lived,
    # family). Left out: Dan (no consent), Eve (empty answer), Ivy (cancelled), and those who gave none.
    # C1: Ann (services). G2: Kit (services).
    # S1: Ann (practitioner), Eve (family, lived), Pat (lived, service designer), Quin (other, left); Rae was
    # removed, Sam gave none.
    found = figures(network)
    expected = {
        key(network.spring): {"lived_experience": (2, 2), "family_carer": (2, 2), "services": (1, 3)},
        key(network.cohort): {"lived_experience": (0, 1), "family_carer": (0, 1), "services": (1, 0)},
        key(network.online): {"lived_experience": (0, 1), "family_carer": (0, 1), "services": (1, 0)},
        key(network.circles): {"lived_experience": (2, 2), "family_carer": (1, 3), "services": (2, 2)},
    }

    for activity, tables in expected.items():
        for table, (yes, no) in tables.items():
            assert cells(found[activity][table], "yes", "no") == {"yes": yes, "no": no, "total": yes + no}, (
                activity,
                table,
            )


def test_perspectives_are_stored_encrypted_and_read_decrypted(network):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT perspectives FROM events_registration WHERE event_id = %s AND perspectives IS NOT NULL",
            [network.spring.pk],
        )
        stored = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT perspectives FROM circles_circlemembership WHERE perspectives IS NOT NULL")
        stored += [row[0] for row in cursor.fetchall()]

    # G1: Ann, Ben, Cat, Dan, Eve (an empty list), Ivy, Jo; S1: Ann, Eve, Pat, Quin, Rae.
    assert len(stored) == 7 + 5
    assert not any(
        "lived_experience" in value or "services" in value or "practitioner" in value for value in stored
    )
    found = figures(network)
    assert found[key(network.spring)]["lived_experience"]["yes"] == (2, 0)
    assert found[key(network.circles)]["services"]["yes"] == (2, 0)


def test_places_by_ticket_kind_with_money(network):
    # G1, places held (came or not): Ann £10 and Cat £10 fixed; Ben £5 pay what you can; Dan and Jo supported;
    # Eve £30 solidarity (offered). Cancelled Ivy's £10 does not count.
    found = figures(network)

    assert found[key(network.spring)]["places"] == {
        "fixed": (2, 2000),
        "pay_what_you_can": (1, 500),
        "supported": (2, 0),
        "solidarity": (1, 3000),
        "total": (6, 5500),
    }
    assert found[key(network.cohort)]["places"] == {
        "fixed": (3, 0),
        "pay_what_you_can": (0, 0),
        "supported": (0, 0),
        "solidarity": (0, 0),
        "total": (3, 0),
    }
    assert found[key(network.online)]["places"]["total"] == (3, 0)


def test_bursaries(network):
    # G1: awarded £20 in full and £8 in part; declined one; other: submitted, waitlisted, withdrawn.
    found = figures(network)

    assert found[key(network.spring)]["bursaries"] == {
        "awarded": (2, 2800),
        "not_awarded": (1, 0),
        "other": (3, 0),
        "total": (6, 2800),
    }
    assert found[key(network.cohort)]["bursaries"] == {
        "awarded": (1, 1500),
        "not_awarded": (0, 0),
        "other": (0, 0),
        "total": (1, 1500),
    }
    assert found[key(network.online)]["bursaries"]["total"] == (0, 0)


def test_sessions_run_and_not_run(network):
    # G1 is over by NOW. Run: two scheduled in a slot, and an open-space proposal placed in a slot (in play).
    # Not run: a curated proposal in a slot (not accepted, so not in play), a proposal never placed, a
    # declined, a withdrawn, and a scheduled session whose slot went. The merged one is left out.
    found = figures(network)

    assert cells(found[key(network.spring)]["sessions"], "run", "not_run") == {
        "run": 3,
        "not_run": 5,
        "total": 8,
    }
    assert cells(found[key(network.online)]["sessions"], "run", "not_run") == {
        "run": 0,
        "not_run": 0,
        "total": 0,
    }
    assert "sessions" not in found[key(network.cohort)]


def test_before_the_gathering_is_over_only_scheduled_sessions_run(network):
    found = figures(network, now=network.spring.starts_at)

    assert cells(found[key(network.spring)]["sessions"], "run", "not_run") == {
        "run": 2,
        "not_run": 6,
        "total": 8,
    }


def test_circles_meetings_and_attendance(network):
    # Three circles; six meetings of which one (circle 1, seven weeks on) is after NOW. Attendance: circle 1
    # Ann, Eve present then Ann present, Eve absent; circle 2 Pat, Quin present then both absent: present
    # 2 + 1 + 2 = 5, absent 1 + 2 = 3.
    found = figures(network)[key(network.circles)]

    assert found["circles"] == {"total": (3, 0)}
    assert found["meetings"] == {"total": (5, 0)}
    assert cells(found["circle_attendance"], "present", "absent") == {"present": 5, "absent": 3, "total": 8}
    assert figures(network, now=datetime(2026, 8, 1, tzinfo=UTC))[key(network.circles)]["meetings"] == {
        "total": (6, 0)
    }


def test_confidence_before_and_after(network):
    # Before: Ann 2, 2, 3 and Mo 1, 2, 4. After: Ann 4, 4, 5 and Mo 3, 4, 5.
    found = figures(network)[key(network.cohort)]
    ratings = ("1", "2", "3", "4", "5")

    assert cells(found["confidence_before"], *ratings) == {"1": 1, "2": 3, "3": 1, "4": 1, "5": 0, "total": 6}
    assert cells(found["confidence_after"], *ratings) == {"1": 0, "2": 0, "3": 1, "4": 3, "5": 2, "total": 6}


def test_felt_safe_and_felt_heard(network):
    # G1: 5, 5, 4, 2 and one left blank; C1: 3; the draft Gathering's two 1s are not counted.
    # S1 (felt safe, felt heard): (5, 4), (4, 4) after circle 1's first meeting; (5, 5), (3, 2) after
    # circle 2's.
    found = figures(network)
    ratings = ("1", "2", "3", "4", "5")

    assert cells(found[key(network.spring)]["felt_safe"], *ratings) == {
        "1": 0,
        "2": 1,
        "3": 0,
        "4": 1,
        "5": 2,
        "total": 4,
    }
    assert cells(found[key(network.cohort)]["felt_safe"], *ratings)["total"] == 1
    assert cells(found[key(network.online)]["felt_safe"], *ratings)["total"] == 0
    assert cells(found[key(network.circles)]["felt_safe"], *ratings) == {
        "1": 0,
        "2": 0,
        "3": 1,
        "4": 1,
        "5": 2,
        "total": 4,
    }
    assert cells(found[key(network.circles)]["felt_heard"], *ratings) == {
        "1": 0,
        "2": 1,
        "3": 0,
        "4": 2,
        "5": 1,
        "total": 4,
    }


def test_every_table_that_applies_has_every_category_and_adds_up(network):
    everything = figures(network)
    for activity in activities():
        found = everything[activity.key]
        assert set(found) == {t.key for t in measures.TABLES if activity.kind in t.applies_to}
        for table_key, table in found.items():
            spec = measures.TABLES_BY_KEY[table_key]
            assert set(table) == {*spec.category_keys, measures.TOTAL}
            if spec.categories:
                parts = [table[c] for c in spec.category_keys]
                assert table[measures.TOTAL] == (sum(n for n, _ in parts), sum(m for _, m in parts))
            if not spec.money:
                assert all(money == 0 for _, money in table.values())


def test_only_the_activities_asked_for_are_returned(network):
    wanted = [a for a in activities() if a.key == key(network.online)]

    found = figures_for(wanted, now=NOW)

    assert list(found) == [key(network.online)]
    # First-timers still look at the whole network: Ben and Dan came before.
    assert found[key(network.online)]["returning"]["returning"] == (2, 0)
    assert figures_for([], now=NOW) == {}


def test_a_constant_number_of_queries(network, django_assert_num_queries):
    more = gathering("Autumn Gathering", datetime(2026, 9, 1, 10, tzinfo=UTC))
    register(ticket(more, "Free"), user=person("Uma"), perspectives=["lived_experience"])
    other = series("Autumn circles", first_meets_at=datetime(2026, 9, 8, 17, tzinfo=UTC), status="open")
    member(other, person("Val"), perspectives=["family_carer"])
    found = activities()
    assert len(found) == 6
    two = [a for a in found if a.key in {key(network.spring), key(network.circles)}]

    with django_assert_num_queries(15):
        figures_for(two, now=NOW)
    with django_assert_num_queries(15):
        figures_for(found, now=NOW)


def test_where_people_came_from(db):
    # A Gathering: three places in the North West, one in Wales, one who did not say, and one cancelled in
    # London (no place, not counted). A series: two members in Scotland, one whose older free-text answer
    # names a region ("  north west "), one whose answer is a town ("Leeds": did not say as a region), and one
    # removed (not counted).
    event = gathering("Regions Gathering", datetime(2026, 3, 3, 10, tzinfo=UTC), status="published")
    place = ticket(event, "Free")
    for region in ("north_west", "north_west", "north_west", "wales", ""):
        registration = register(place, user=person(f"Reg{region or 'none'}{Registration.objects.count()}"))
        Registration.objects.filter(pk=registration.pk).update(region=region)
    cancelled = register(place, user=person("Cancelled"), status=S.CANCELLED)
    Registration.objects.filter(pk=cancelled.pk).update(region="london")
    circles = series("Regions circles", first_meets_at=datetime(2026, 3, 10, 18, tzinfo=UTC), status="open")
    for name, region, status in (
        ("Sco1", "scotland", "active"),
        ("Sco2", "scotland", "left"),
        ("Old", "  north west ", "active"),
        ("Town", "Leeds", "active"),
        ("Gone", "wales", "removed"),
    ):
        membership = member(circles, person(name), status=status)
        membership.region = region
        membership.save(update_fields=["region"])
    found = figures_for([a for a in activities() if a.title in ("Regions Gathering", "Regions circles")])
    area = found[f"event:{event.pk}"]["area"]
    assert (area["north_west"], area["wales"], area["not_given"], area["london"]) == (
        (3, 0),
        (1, 0),
        (1, 0),
        (0, 0),
    )
    assert area["total"] == (5, 0)
    area = found[f"series:{circles.pk}"]["area"]
    assert (area["scotland"], area["north_west"], area["not_given"], area["wales"]) == (
        (2, 0),
        (1, 0),
        (1, 0),
        (0, 0),
    )
    assert area["total"] == (4, 0)
