"""Demo directory for `gathering seed-demo`: 30 fictional organisations with their relations to the network
and 200 fictional services across the UK and a few abroad (each multiplied by `--scale`), tagged with our
approaches and ways in, with places near real postcode districts, opening hours (some past midnight, some at
weekends, some monthly, some unknown), costs and languages.

Deterministic: every record's id comes from a fixed namespace and its number, and each service's details
from a random generator seeded with its number, so the demo is the same on every machine and running it
again adds nothing. Phone numbers are from the ranges Ofcom keeps for drama (never a real line), emails and
websites are at example.org.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import models
from django.utils import timezone

from gathering.core.demo import DemoRun, demo_step

from . import access, approaches, geo, search_index
from . import models as m

NAMESPACE = uuid.UUID("6f0e7b8e-93a4-4c55-9d43-3c1f1e0d2a71")
ORGANISATIONS = 30
SERVICES = 200
ABROAD_EVERY = 25  # one service in this many is abroad

ORGANISATION_NAMES = (
    "Northern Lights Peer Network",
    "Riverside Recovery Trust",
    "Open Doors Collective",
    "Voices Together Alliance",
    "The Kindred Project",
    "Safe Harbour Crisis Cafés",
    "Moorland Mental Health Co-operative",
    "Listening Post Community Interest Company",
    "Pennine Peer Support",
    "Seaside Sanctuary Trust",
    "Valley Voices",
    "Community Circles Network",
    "Lighthouse Wellbeing",
    "The Quiet Room Charity",
    "Carers Together Network",
    "Harbour Arts for Wellbeing",
    "Solace Peer Respite",
    "Compass Open Dialogue Partnership",
    "Hearth Soteria Trust",
    "Open Sky Recovery College",
    "Thread and Needle Creative",
    "Welcome Table Peer Network",
    "Bridgeway Trauma Support",
    "Stepping Stones Collective",
    "Common Ground Mental Health",
    "Meadow House Trust",
    "Tidewater Listening Line",
    "Cairn Peer Support Scotland",
    "Cwtch Wellbeing Cymru",
    "Länsi Dialogue Network",
)
# What each organisation does, in a line, for the network page (by the number in ORGANISATION_NAMES).
ORGANISATION_WORK = (
    "runs peer support groups and a warm line across the north of England",
    "runs a recovery college and peer-led courses",
    "opens community spaces where people can drop in and be listened to",
    "brings Hearing Voices groups together and trains new facilitators",
    "offers arts, music and writing groups for people going through a hard time",
    "runs crisis cafés that are open in the evenings and at night",
    "is a co-operative of people with lived experience offering peer support in rural areas",
    "trains volunteers in listening and runs listening circles",
    "runs peer support groups in the Pennine towns",
    "runs a small sanctuary by the sea for people in crisis",
    "supports Hearing Voices groups in the valleys",
    "helps communities start and keep listening circles",
    "offers wellbeing courses and one-to-one peer support",
    "keeps quiet rooms open in town centres for anyone who needs a calm place",
    "supports families, friends and carers through groups and a phone line",
    "runs creative workshops in harbour towns",
    "runs a peer respite house as an alternative to hospital",
    "works with NHS teams to offer Open Dialogue network meetings",
    "is working to open a Soteria house",
    "runs a recovery college open to everyone, with no referral needed",
    "runs textile and craft groups as a way through distress",
    "hosts shared meals and peer support evenings",
    "offers trauma-informed support and training",
    "supports people leaving hospital with peer mentors",
    "brings together local groups working for compassionate mental health support",
    "runs a crisis house and a family support service",
    "runs a listening line in the evenings",
    "supports peer groups across Scotland",
    "offers peer support and creative groups in Welsh and English",
    "connects Open Dialogue practitioners in Finland and beyond",
)
RELATIONS = (
    m.Organization.Relation.PARTNER,
    m.Organization.Relation.FRIEND,
    m.Organization.Relation.ALIGNED,
    m.Organization.Relation.PARTNER,
    m.Organization.Relation.NONE,
)
# Organisations that are a branch of another (by number): the parent is named by id, as in HSDS.
PARENTS = {10: 3, 17: 2, 27: 11, 28: 11}


@dataclass(frozen=True)
class Town:
    name: str
    districts: tuple[str, ...]
    county: str
    phone: str  # an Ofcom drama range, with "{n}" for three digits
    languages: tuple[str, ...] = ()


# Ofcom's drama ranges: area codes with 496 0xxx (and Cardiff's 2018 0xxx, Newcastle's 498 0xxx), 01632 960xxx
# where a town has none of its own.
OTHER = "01632 960{n}"
TOWNS = (
    Town("Leeds", ("LS1", "LS6", "LS11"), "West Yorkshire", "0113 496 0{n}", ("Urdu",)),
    Town("Manchester", ("M1", "M13", "M20"), "Greater Manchester", "0161 496 0{n}", ("Polish", "Urdu")),
    Town("Bristol", ("BS1", "BS5"), "Bristol", "0117 496 0{n}", ("Somali",)),
    Town("Birmingham", ("B1", "B12"), "West Midlands", "0121 496 0{n}", ("Punjabi", "Urdu")),
    Town(
        "London", ("E1", "E8", "N7", "SE15", "SW9", "NW1"), "London", "020 7946 0{n}", ("Bengali", "Turkish")
    ),
    Town("Edinburgh", ("EH1", "EH6"), "City of Edinburgh", "0131 496 0{n}"),
    Town("Glasgow", ("G1", "G12"), "Glasgow City", "0141 496 0{n}"),
    Town("Cardiff", ("CF10", "CF24"), "Cardiff", "029 2018 0{n}", ("Welsh",)),
    Town("Newcastle upon Tyne", ("NE1", "NE6"), "Tyne and Wear", "0191 498 0{n}"),
    Town("Liverpool", ("L1", "L8"), "Merseyside", "0151 496 0{n}"),
    Town("Sheffield", ("S1", "S11"), "South Yorkshire", "0114 496 0{n}", ("Arabic",)),
    Town("Nottingham", ("NG1",), "Nottinghamshire", "0115 496 0{n}"),
    Town("Leicester", ("LE1",), "Leicestershire", "0116 496 0{n}", ("Gujarati",)),
    Town("Halifax", ("HX1", "HX7"), "West Yorkshire", OTHER),
    Town("Huddersfield", ("HD1",), "West Yorkshire", OTHER),
    Town("York", ("YO1",), "North Yorkshire", OTHER),
    Town("Norwich", ("NR1",), "Norfolk", OTHER),
    Town("Brighton", ("BN1", "BN2"), "East Sussex", OTHER),
    Town("Exeter", ("EX1",), "Devon", OTHER),
    Town("Plymouth", ("PL1",), "Devon", OTHER),
    Town("Truro", ("TR1",), "Cornwall", OTHER),
    Town("Oxford", ("OX1",), "Oxfordshire", OTHER),
    Town("Cambridge", ("CB1",), "Cambridgeshire", OTHER),
    Town("Aberdeen", ("AB10",), "Aberdeen City", OTHER),
    Town("Dundee", ("DD1",), "Dundee City", OTHER),
    Town("Inverness", ("IV1",), "Highland", OTHER, ("Scottish Gaelic",)),
    Town("Swansea", ("SA1",), "Swansea", OTHER, ("Welsh",)),
    Town("Bangor", ("LL57",), "Gwynedd", OTHER, ("Welsh",)),
    Town("Lancaster", ("LA1",), "Lancashire", OTHER),
    Town("Carlisle", ("CA1",), "Cumbria", OTHER),
    Town("Hull", ("HU1",), "East Riding of Yorkshire", OTHER),
    Town("North Shields", ("NE29", "NE30"), "Tyne and Wear", "0191 498 0{n}"),
    Town("Stoke-on-Trent", ("ST1",), "Staffordshire", OTHER),
    Town("Derby", ("DE1",), "Derbyshire", OTHER),
    Town("Bath", ("BA1",), "Somerset", OTHER),
    Town("Wakefield", ("WF1",), "West Yorkshire", OTHER),
)


@dataclass(frozen=True)
class Abroad:
    town: str
    country: str  # ISO 3166-1 alpha-2, as HSDS addresses have it
    latitude: float
    longitude: float
    time_zone: str
    language: str
    phone: str = ""  # only where a range is kept for fiction


ABROAD = (
    Abroad("Tornio", "FI", 65.8481, 24.1466, "Europe/Helsinki", "Finnish"),
    Abroad("Dublin", "IE", 53.3498, -6.2603, "Europe/Dublin", "Irish"),
    Abroad("Amsterdam", "NL", 52.3676, 4.9041, "Europe/Amsterdam", "Dutch"),
    Abroad("Berlin", "DE", 52.5200, 13.4050, "Europe/Berlin", "German"),
    Abroad("Tromsø", "NO", 69.6492, 18.9553, "Europe/Oslo", "Norwegian"),
    Abroad("Burlington", "US", 44.4759, -73.2121, "America/New_York", "Spanish", "+1 802 555 01{n2}"),
    Abroad("Cork", "IE", 51.8985, -8.4756, "Europe/Dublin", "Irish"),
    Abroad("Melbourne", "AU", -37.8136, 144.9631, "Australia/Melbourne", "Greek"),
)

# Opening hours: (byday, opens, closes, extra fields). Times are the place's local time.
HOURS = {
    "weekdays": [("MO,TU,WE,TH,FR", "09:00", "17:00", {})],
    "weekdays_and_saturday": [("MO,TU,WE,TH,FR", "09:30", "17:30", {}), ("SA", "10:00", "13:00", {})],
    "weekend_nights": [("FR,SA,SU", "18:00", "02:00", {})],
    "every_night": [("MO,TU,WE,TH,FR,SA,SU", "19:00", "01:00", {})],
    "evenings": [("MO,TU,WE,TH,FR,SA,SU", "17:00", "23:00", {})],
    "always": [("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00", {})],
    "weekend": [("SA,SU", "10:00", "16:00", {})],
    "monthly": [("1TU", "18:30", "20:30", {"freq": "MONTHLY"})],
    "weekly_evening": [("WE", "18:00", "20:00", {})],
    "fortnightly": [("TH", "14:00", "16:00", {"interval": 2, "dtstart": date(2026, 1, 1)})],
    "unknown": [],
}


@dataclass(frozen=True)
class Kind:
    names: tuple[str, ...]  # with {town}
    approaches: tuple[str, ...]
    ways_in: tuple[str, ...]
    cost: str  # "free", "pay_what_you_can", "low_cost"
    hours: tuple[str, ...]
    descriptions: tuple[str, ...]
    eligibility: str
    how: str
    online: bool = False


KINDS = (
    Kind(
        ("{town} Open Dialogue Team", "Open Dialogue {town}"),
        ("open-dialogue", "family-and-carers"),
        ("self-referral", "phone"),
        "free",
        ("weekdays",),
        (
            "When things fall apart, we meet with you and the people who matter to you, at home if you like, "
            "within a day of your call. Every voice is heard and nothing is decided about you without you.\n"
            "The same small team stays with you for as long as you need.",
            "Network meetings for people in crisis and the people around them, held early and as often as "
            "needed. We listen first and make decisions together.",
        ),
        "Adults living in {county} going through a mental health crisis, and their families and friends.",
        "Call us, or ask someone close to you to call. You do not need a referral. We will arrange a first "
        "meeting within 24 hours.",
    ),
    Kind(
        ("{town} Crisis Café", "The Sanctuary, {town}", "{town} Safe Haven"),
        ("crisis-cafe", "trauma-informed"),
        ("drop-in", "self-referral", "phone"),
        "free",
        ("weekend_nights", "every_night", "evenings"),
        (
            "A calm, welcoming place to come in the evening or at night when things feel too much. Have a "
            "hot drink, sit quietly or talk with someone who has been there too.",
            "An alternative to A&E for when you are struggling at night. Peer workers are there to listen, "
            "help you make a plan for the next few days and connect you with other support.",
        ),
        "Anyone aged 18 or over who is struggling with their mental health.",
        "Just turn up while we are open, or call first if you would rather we expected you.",
    ),
    Kind(
        ("{town} Hearing Voices Group",),
        ("hearing-voices", "peer-support-group"),
        ("self-referral", "drop-in"),
        "free",
        ("weekly_evening", "monthly", "fortnightly"),
        (
            "A friendly group for people who hear voices, see visions or have other unusual experiences. "
            "We accept each other's experiences as real and meaningful, and share what helps.",
            "A peer-led group in the spirit of the Hearing Voices Movement: no diagnosis needed, no "
            "judgement, and you can just listen.",
        ),
        "Adults who hear voices or have other unusual experiences.",
        "Come along to any meeting. If you would like to talk first, email the facilitator.",
    ),
    Kind(
        ("{town} Peer Respite House", "Haven House, {town}"),
        ("peer-respite", "trauma-informed"),
        ("self-referral", "phone"),
        "free",
        ("always",),
        (
            "A short stay of up to seven nights in a homely house run by people with lived experience, as an "
            "alternative to hospital when you are in crisis.",
            "A peaceful house with four bedrooms where you can stay for a few nights and be with peers who "
            "understand, day and night.",
        ),
        "Adults in {county} in a mental health crisis who feel a short stay away from home would help.",
        "Call us any time to talk about a stay. You can refer yourself; a friend or worker can call with "
        "you.",
    ),
    Kind(
        ("{town} Recovery College",),
        ("recovery-college",),
        ("self-referral", "online"),
        "free",
        ("weekdays",),
        (
            "Free courses on mental health, recovery and wellbeing, written and taught together by people "
            "with lived experience and professionals. Some courses are online.",
        ),
        "Anyone aged 16 or over: people with mental health experiences, families, friends and staff.",
        "Enrol on a course on our website or by phone. There are no entry requirements.",
    ),
    Kind(
        ("Soteria House {town}",),
        ("soteria", "trauma-informed"),
        ("phone",),
        "free",
        ("always",),
        (
            "A small, calm household where people going through a first episode of psychosis are "
            "accompanied day and night by a trained team, with little or no medication if they choose.",
        ),
        "Adults aged 18 to 40 experiencing psychosis for the first time.",
        "Call us to talk about whether Soteria House is right for you. A GP, a crisis team or you yourself "
        "can make the first call.",
    ),
    Kind(
        ("{town} Peer Support Group", "Talking Circle, {town}", "{town} Men's Peer Group"),
        ("peer-support-group",),
        ("drop-in", "self-referral"),
        "free",
        ("fortnightly", "weekly_evening", "unknown"),
        (
            "A regular, relaxed group where people with experience of mental distress support each other. "
            "Tea, biscuits and no pressure to talk.",
        ),
        "Adults with experience of mental distress.",
        "Drop in to any session.",
    ),
    Kind(
        ("{town} Arts for Wellbeing", "Open Studio {town}"),
        ("arts-and-creative", "peer-support-group"),
        ("drop-in",),
        "pay_what_you_can",
        ("weekend", "unknown"),
        (
            "Painting, printmaking, writing and music in a welcoming studio. No experience needed: all "
            "materials are provided.",
        ),
        "Anyone who would like to make things with others; children with an adult.",
        "Drop in during open studio hours.",
    ),
    Kind(
        ("{town} Carers' Circle",),
        ("family-and-carers", "peer-support-group"),
        ("online", "self-referral"),
        "free",
        ("monthly",),
        (
            "A monthly circle for families, friends and carers of someone going through a hard time, in "
            "person and online. Share what is happening and hear from others who understand.",
        ),
        "Family members, friends and carers.",
        "Email us to get the joining details for the online circle, or come to the room.",
    ),
    Kind(
        ("{town} Trauma-Informed Counselling",),
        ("trauma-informed",),
        ("self-referral", "phone", "online"),
        "low_cost",
        ("weekdays_and_saturday",),
        (
            "Counselling that starts from what happened to you, not what is wrong with you. You choose the "
            "pace, and sessions can be in person or by video.",
        ),
        "Adults who have lived through trauma.",
        "Fill in the short form on our website or call us. We will offer a first conversation within two "
        "weeks.",
    ),
    Kind(
        ("{town} Listening Line",),
        ("peer-support-group", "trauma-informed"),
        ("phone", "online", "self-referral"),
        "free",
        ("every_night",),
        (
            "A peer listening line for the long hours of the night. Call or chat online with someone who has "
            "lived through hard times too.",
        ),
        "Anyone aged 18 or over.",
        "Call or start a chat on our website while the line is open.",
    ),
    Kind(
        ("Online Hearing Voices Group ({town} network)",),
        ("hearing-voices", "peer-support-group"),
        ("online", "self-referral"),
        "free",
        ("weekly_evening",),
        (
            "A peer-led Hearing Voices group that meets by video, for people who cannot get to a group "
            "nearby.",
        ),
        "Adults who hear voices or have other unusual experiences, wherever they live.",
        "Email us for the link. You can keep your camera off.",
        online=True,
    ),
)

STREETS = (
    "Mill Street",
    "Chapel Lane",
    "Market Place",
    "Station Road",
    "Park Terrace",
    "Church Street",
    "Bridge Street",
    "Victoria Road",
    "Canal Side",
    "High Street",
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
ACCESSIBILITY = (
    ("Step-free entrance and a lift to every floor.", "Step-free access"),
    ("A hearing loop in the main room.", "Hearing loop"),
    ("An accessible toilet on the ground floor.", "Accessible toilet"),
    ("A quiet room you can use at any time.", "Quiet room"),
)


def _id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts))


def _slug(name: str) -> str:
    """A name as the label of an example.org host: ASCII letters, digits and single hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(char if char.isalnum() else " " for char in ascii_name).split())


def _offset(rng: random.Random) -> float:
    # Up to about a kilometre from the district's centre, so places in one district do not sit on one spot.
    return rng.uniform(-0.008, 0.008)


def _phone(pattern: str, number: int) -> str:
    return pattern.format(n=f"{number % 1000:03d}", n2=f"{number % 100:02d}")


def organisation_name(number: int) -> str:
    base = ORGANISATION_NAMES[number % len(ORGANISATION_NAMES)]
    return base if number < len(ORGANISATION_NAMES) else f"{base} {number // len(ORGANISATION_NAMES) + 1}"


def _organisations(count: int) -> list[m.Organization]:
    organisations = []
    for number in range(count):
        name = organisation_name(number)
        slug = _slug(name)
        parent = PARENTS.get(number % len(ORGANISATION_NAMES))
        organisations.append(
            m.Organization(
                id=_id("organization", number),
                name=name,
                description=(
                    f"{name} {ORGANISATION_WORK[number % len(ORGANISATION_WORK)]}. "
                    "A fictional organisation, made up for Gathering's demo."
                ),
                email=f"hello@{slug}.example.org",
                website=f"https://{slug}.example.org/",
                network_relation=RELATIONS[number % len(RELATIONS)],
                parent_organization_id=(
                    _id("organization", number - number % len(ORGANISATION_NAMES) + parent)
                    if parent is not None
                    else None
                ),
            )
        )
    return organisations


class Rows:
    """The records of the demo directory, by model, in the order they are written."""

    def __init__(self) -> None:
        self.by_model: dict[type[models.Model], list[models.Model]] = {
            model: []
            for model in (
                m.Organization,
                m.Location,
                m.Service,
                m.ServiceAtLocation,
                m.Address,
                m.Accessibility,
                m.Phone,
                m.Schedule,
                m.CostOption,
                m.Language,
                m.ServiceArea,
                m.Attribute,
            )
        }

    def add(self, *records: models.Model) -> None:
        for record in records:
            self.by_model[type(record)].append(record)


def _place(
    number: int, rng: random.Random
) -> tuple[str, str, str, float, float, str, str, str, tuple[str, ...]]:
    """(town, county, country, latitude, longitude, time zone, postcode, phone pattern, languages)."""
    if number % ABROAD_EVERY == ABROAD_EVERY - 1:
        abroad = ABROAD[(number // ABROAD_EVERY) % len(ABROAD)]
        return (
            abroad.town,
            "",
            abroad.country,
            abroad.latitude + _offset(rng),
            abroad.longitude + _offset(rng),
            abroad.time_zone,
            "",
            abroad.phone,
            (abroad.language,),
        )
    town = TOWNS[rng.randrange(len(TOWNS))]
    district = town.districts[rng.randrange(len(town.districts))]
    centre = geo.outcode_centroids()[district]
    inward = f"{rng.randrange(1, 10)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    return (
        town.name,
        town.county,
        "GB",
        centre.latitude + _offset(rng),
        centre.longitude + _offset(rng),
        m.DEFAULT_TIME_ZONE,
        f"{district} {inward}",
        town.phone,
        town.languages,
    )


def _service(number: int, organisations: list[m.Organization], rows: Rows, now: object) -> None:
    # Made-up demo data, not a secret: a seeded generator is what makes it the same on every run.
    rng = random.Random(f"gathering-directory-demo-{number}")  # noqa: S311  # nosec B311
    kind = KINDS[number % len(KINDS)]
    town, county, country, latitude, longitude, zone, postcode, phone_pattern, languages = _place(number, rng)
    name = rng.choice(kind.names).format(town=town)
    abroad = country != "GB"
    if abroad:
        organisation = organisations[(len(ORGANISATION_NAMES) - 1 + number) % len(organisations)]
    else:
        organisation = organisations[number % len(organisations)]
    slug = _slug(f"{name}-{number}")
    service_id = _id("service", number)
    status = m.Service.Status.ACTIVE
    if number % 37 == 36:
        status = m.Service.Status.TEMPORARILY_CLOSED
    elif number % 50 == 49:
        status = m.Service.Status.INACTIVE
    checked_days = rng.randrange(0, 400)
    service = m.Service(
        id=service_id,
        organization_id=organisation.pk,
        name=name,
        description=rng.choice(kind.descriptions),
        url=f"https://{slug}.example.org/",
        email=f"contact@{slug}.example.org",
        status=status,
        application_process=kind.how,
        eligibility_description=kind.eligibility.format(county=county or town),
        minimum_age=Decimal(18) if "18" in kind.eligibility else None,
        wait_time="" if "drop-in" in kind.ways_in else rng.choice(("About a week", "Up to two weeks", "")),
        time_zone=zone,
        verified_at=None if checked_days > 360 else now - timedelta(days=checked_days),
        alert="We are closed for repairs until further notice." if status != m.Service.Status.ACTIVE else "",
    )
    location = m.Location(
        id=_id("location", number),
        organization_id=organisation.pk,
        location_type=m.LocationType.VIRTUAL if kind.online else m.LocationType.PHYSICAL,
        name=f"{name}, online"
        if kind.online
        else f"{rng.choice(('The Old', 'St Mary’s', 'Riverside', 'Community'))} "
        f"{rng.choice(('Chapel', 'Hall', 'House', 'Centre', 'Rooms'))}",
        url=f"https://{slug}.example.org/join" if kind.online else "",
        latitude=None if kind.online else Decimal(f"{latitude:.7f}"),
        longitude=None if kind.online else Decimal(f"{longitude:.7f}"),
        transportation=""
        if kind.online
        else rng.choice(
            ("Buses stop outside.", "Ten minutes' walk from the station.", "Parking for blue badge holders.")
        ),
        time_zone=zone,
    )
    rows.add(service, location)
    rows.add(
        m.ServiceAtLocation(
            id=_id("service_at_location", number), service_id=service_id, location_id=location.pk
        )
    )
    if not kind.online:
        rows.add(
            m.Address(
                id=_id("address", number),
                location_id=location.pk,
                address_1=f"{rng.randrange(1, 120)} {rng.choice(STREETS)}",
                city=town,
                state_province=county,
                postal_code=postcode,
                country=country,
                address_type=m.Address.Type.PHYSICAL,
            )
        )
        for n, (description, summary) in enumerate(rng.sample(ACCESSIBILITY, rng.randrange(1, 3))):
            rows.add(
                m.Accessibility(
                    id=_id("accessibility", number, n),
                    location_id=location.pk,
                    description=description,
                    accessibility=summary,
                )
            )
    if phone_pattern:
        rows.add(
            m.Phone(id=_id("phone", number), service_id=service_id, number=_phone(phone_pattern, number))
        )
    if "phone" in kind.ways_in and not abroad and number % 3 == 0:
        rows.add(
            m.Phone(
                id=_id("phone", number, "text"),
                service_id=service_id,
                number=f"07700 900{number % 1000:03d}",
                type="text",
            )
        )
    for n, (byday, opens, closes, extra) in enumerate(HOURS[rng.choice(kind.hours)]):
        rows.add(
            m.Schedule(
                id=_id("schedule", number, n),
                service_id=service_id,
                freq=extra.get("freq", "WEEKLY"),
                byday=byday,
                opens_at=opens,
                closes_at=closes,
                interval=extra.get("interval"),
                dtstart=extra.get("dtstart"),
                attending_type="online" if kind.online else "in person",
            )
        )
    currency = {"US": "USD", "AU": "AUD", "GB": "GBP"}.get(country, "EUR")
    if kind.cost == "free":
        rows.add(
            m.CostOption(
                id=_id("cost", number), service_id=service_id, option="Free", amount=0, currency=currency
            )
        )
    elif kind.cost == "pay_what_you_can":
        rows.add(
            m.CostOption(
                id=_id("cost", number),
                service_id=service_id,
                option="Pay what you can",
                currency=currency,
                amount_description="A suggested £3 a session; nothing if you cannot afford it.",
            )
        )
    else:
        rows.add(
            m.CostOption(
                id=_id("cost", number),
                service_id=service_id,
                option="Each session",
                amount=Decimal(rng.choice((10, 15, 20))),
                currency=currency,
                amount_description="Lower rates for people on benefits or a low income: just ask.",
            )
        )
    for n, language in enumerate(("English", *languages[: rng.randrange(0, 3)])):
        rows.add(m.Language(id=_id("language", number, n), service_id=service_id, name=language))
    if number % 9 == 0:
        rows.add(
            m.Language(id=_id("language", number, "bsl"), service_id=service_id, name="British Sign Language")
        )
    rows.add(m.ServiceArea(id=_id("area", number), service_id=service_id, name=county or town))
    terms = [approaches.term_id(code) for code in kind.approaches] + [
        access.term_id(code) for code in kind.ways_in
    ]
    for term in terms:
        rows.add(
            m.Attribute(
                id=_id("attribute", number, term),
                taxonomy_term_id=term,
                link_id=service_id,
                entity=m.Entity.SERVICE,
                link_entity="service",
            )
        )


def ensure_taxonomies() -> None:
    """Our approaches and ways in, should they be missing (a database emptied since it was migrated)."""
    for taxonomy_id, name, terms in (
        (
            approaches.TAXONOMY_ID,
            "Gathering approaches",
            [(code, label, "") for code, label in approaches.TERMS],
        ),
        (access.TAXONOMY_ID, access.TAXONOMY_NAME, list(access.TERMS)),
    ):
        m.Taxonomy.objects.get_or_create(id=taxonomy_id, defaults={"name": name})
        for code, label, description in terms:
            term = approaches.term_id(code) if taxonomy_id == approaches.TAXONOMY_ID else access.term_id(code)
            m.TaxonomyTerm.objects.get_or_create(
                id=term,
                defaults={
                    "code": code,
                    "name": label,
                    "description": description,
                    "taxonomy": name,
                    "taxonomy_detail_id": taxonomy_id,
                    "language": "en",
                },
            )


def seed_directory(*, scale: int = 1) -> None:
    """Write the demo directory, adding only the records it does not hold yet."""
    ensure_taxonomies()
    rows = Rows()
    organisations = _organisations(ORGANISATIONS * scale)
    rows.add(*organisations)
    now = timezone.now()
    for number in range(SERVICES * scale):
        _service(number, organisations, rows, now)
    for model, records in rows.by_model.items():
        model.objects.bulk_create(records, batch_size=500, ignore_conflicts=True)
    # Bulk writes send no signals: the search's index is rebuilt for the services written.
    search_index.refresh(service.pk for service in rows.by_model[m.Service])


@demo_step("directory", order=50)
def seed(run: DemoRun) -> None:
    seed_directory(scale=run.scale)
    seed_partners(run)


# The organisation the demo participant acts for, with one proposal and one report of a change waiting for
# the demo organiser in the moderation queue (/staff/directory/).
PARTNER_NUMBER = 0
DEMO_REPORT = (
    "The Saturday session has moved to the afternoon, and the phone number on the listing no longer works."
)
DEMO_HOURS = (None, None, ("18:00", "20:00"), None, None, ("13:00", "16:00"), None)


def seed_partners(run: DemoRun) -> None:
    """Make the demo participant a member of the first partner organisation and leave a proposed change to
    one of its services and a report of a change for the organiser to find. Adds nothing the second time."""
    from dataclasses import replace

    from .moderation import proposal_submit
    from .proposals import editable_document, form_start

    person = run.people.get("participant")
    organization = m.Organization.objects.filter(pk=_id("organization", PARTNER_NUMBER)).first()
    if person is None or organization is None:
        return
    m.OrganizationMember.objects.get_or_create(organization=organization, user=person)
    services = list(m.Service.objects.listed().filter(organization=organization).order_by("name", "id")[:2])
    if not services:
        return
    if not m.ServiceProposal.objects.filter(organization=organization).exists():
        start = form_start(editable_document(services[0])).answers
        description = f"{start.description} From January we also meet on Wednesday evenings.".strip()
        answers = replace(start, description=description, hours=DEMO_HOURS)
        proposal_submit(organization=organization, user=person, answers=answers, service=services[0])
    report_service = services[-1]
    if not m.ChangeReport.objects.filter(service=report_service, details=DEMO_REPORT).exists():
        m.ChangeReport.objects.create(service=report_service, details=DEMO_REPORT)
