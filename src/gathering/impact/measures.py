"""The catalogue of measures: every table the impact pages, CSV files, the report and the API show.

Each table is a partition of one population (its total) into categories, so that its cells add up to
the total; the disclosure rules (disclosure.py) rely on that. A table with no categories is a single count.
Figures are kept per activity: a Gathering, a training cohort (a Gathering of kind training) or a series of
listening circles; periods, courses and the whole network are sums of activities.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from gathering.core.regions import Region

# What an activity is: a Gathering (kinds gathering and online session), a cohort of a course (a Gathering of
# kind training), or a series of listening circles.
GATHERING = "gathering"
COHORT = "cohort"
SERIES = "series"
ACTIVITY_KINDS = (GATHERING, COHORT, SERIES)

TOTAL = "total"
RATINGS = tuple(str(value) for value in range(1, 6))


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    total_label: str
    categories: tuple[tuple[str, str], ...]  # (key, label)
    applies_to: tuple[str, ...]  # activity kinds
    money: bool = False  # cells also carry an amount in minor units
    ratings: bool = False  # categories are the answers 1 to 5 of a scale; a mean is shown when all are
    group: str = ""  # the heading it is shown under

    @property
    def category_keys(self) -> tuple[str, ...]:
        return tuple(key for key, _label in self.categories)

    def label(self, category: str) -> str:
        if category == TOTAL:
            return str(self.total_label)
        return str(dict(self.categories)[category])


EVENTS = (GATHERING, COHORT)
EVERYTHING = (GATHERING, COHORT, SERIES)
_YES_NO = (("yes", _("Yes")), ("no", _("No")))
_SCALE = tuple((value, value) for value in RATINGS)

PEOPLE = _("People")
PERSPECTIVES = _("Who came (from answers given with consent)")
MONEY = _("Places and money")
PROGRAMME = _("Sessions")
CIRCLES = _("Listening circles")
LEARNING = _("Learning")
FEEDBACK = _("Feedback")
GROUPS = (PEOPLE, PERSPECTIVES, MONEY, PROGRAMME, CIRCLES, LEARNING, FEEDBACK)

TABLES: tuple[Table, ...] = (
    Table(
        "registrations",
        _("Registrations and attendance"),
        _("Registrations"),
        (
            ("attended", _("Came")),
            ("not_attended", _("Had a place, did not come")),
            ("waitlisted", _("On the waiting list, never offered a place")),
            ("cancelled", _("Cancelled, or an offer not taken up")),
        ),
        EVENTS,
        group=PEOPLE,
    ),
    Table(
        "waiting_list",
        _("The waiting list"),
        _("Joined the waiting list"),
        (("offered", _("Offered a place")), ("never_offered", _("Never offered a place"))),
        EVENTS,
        group=PEOPLE,
    ),
    Table(
        "returning",
        _("First-timers and returning people"),
        _("People"),
        (("first_time", _("First time with the network")), ("returning", _("Came back"))),
        EVERYTHING,
        group=PEOPLE,
    ),
    Table(
        "lived_experience",
        _("Lived experience of mental distress"),
        _("Answered, with consent"),
        _YES_NO,
        EVERYTHING,
        group=PERSPECTIVES,
    ),
    Table(
        "family_carer",
        _("Family members and carers"),
        _("Answered, with consent"),
        _YES_NO,
        EVERYTHING,
        group=PERSPECTIVES,
    ),
    Table(
        "services",
        _("Practitioners and people who design services"),
        _("Answered, with consent"),
        _YES_NO,
        EVERYTHING,
        group=PERSPECTIVES,
    ),
    Table(
        "area",
        _("Where people came from"),
        _("People"),
        (*Region.choices, ("not_given", _("Did not say"))),
        EVERYTHING,
        group=PEOPLE,
    ),
    Table(
        "places",
        _("Places by kind of ticket"),
        _("Places given"),
        (
            ("fixed", _("Fixed price")),
            ("pay_what_you_can", _("Pay what you can")),
            ("supported", _("Supported place")),
            ("solidarity", _("Solidarity (paying more to fund others)")),
        ),
        EVENTS,
        money=True,
        group=MONEY,
    ),
    Table(
        "bursaries",
        _("Bursaries"),
        _("Applications"),
        (
            ("awarded", _("Awarded")),
            ("not_awarded", _("Not awarded")),
            ("other", _("Withdrawn or not decided")),
        ),
        EVENTS,
        money=True,
        group=MONEY,
    ),
    Table(
        "sessions",
        _("Sessions proposed and run"),
        _("Sessions proposed"),
        (("run", _("Run")), ("not_run", _("Not run"))),
        (GATHERING,),
        group=PROGRAMME,
    ),
    Table("circles", _("Circles formed"), _("Circles"), (), (SERIES,), group=CIRCLES),
    Table("meetings", _("Circle meetings held"), _("Meetings"), (), (SERIES,), group=CIRCLES),
    Table(
        "circle_attendance",
        _("Attendance at circle meetings"),
        _("Places at meetings"),
        (("present", _("Came")), ("absent", _("Did not come"))),
        (SERIES,),
        group=CIRCLES,
    ),
    Table(
        "confidence_before",
        _("Confidence in the learning outcomes before the course (1 to 5)"),
        _("Ratings"),
        _SCALE,
        (COHORT,),
        ratings=True,
        group=LEARNING,
    ),
    Table(
        "confidence_after",
        _("Confidence in the learning outcomes after the course (1 to 5)"),
        _("Ratings"),
        _SCALE,
        (COHORT,),
        ratings=True,
        group=LEARNING,
    ),
    Table(
        "felt_safe",
        _("“I felt safe” (1 to 5)"),
        _("Answers"),
        _SCALE,
        EVERYTHING,
        ratings=True,
        group=FEEDBACK,
    ),
    Table(
        "felt_heard",
        _("“I felt heard” in circles (1 to 5)"),
        _("Answers"),
        _SCALE,
        (SERIES,),
        ratings=True,
        group=FEEDBACK,
    ),
)

TABLES_BY_KEY = {table.key: table for table in TABLES}
