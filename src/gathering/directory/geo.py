"""Where a directory search starts from and how far it reaches: UK postcode districts resolved offline,
towns resolved from the directory's own locations, great-circle distances and bounding boxes.

Privacy: a person's postcode never leaves this process and is never kept. Only its district (the outward
code, "SW1A" of "SW1A 1AA") is used, looked up in a table shipped with Gathering (`data/`, see its
README for the source and attribution); no third-party service is asked. Nothing here logs or stores the
text a person typed: the functions return the district or the town, and the error messages, which are shown
back to the same person, name the district rather than the full postcode whenever the postcode was well
formed.

No Django here: the module imports without settings, and the search's selectors call it.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple, TextIO

# Mean Earth radius (IUGG), the usual radius for great-circle distances on a sphere.
EARTH_RADIUS_KM = 6371.0088
MIN_RADIUS_KM = 1
MAX_RADIUS_KM = 200
# Locations sharing a town name further apart than this (by the nearest neighbour) are different towns.
TOWN_SPREAD_KM = 30.0

CENTROIDS_FILE = "gb_outcode_centroids.csv"

# Outward codes as Royal Mail issues them: A9, A99, AA9, AA99, A9A, AA9A, with the letters each position
# may take. Retired districts still in the table (W1M, NPT, ...) are accepted because they are in it.
_OUTWARD = re.compile(
    r"[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRV-Y]"
)
_INWARD = re.compile(r"[0-9][ABD-HJLNP-UW-Z]{2}")
# Girobank's postcode: a valid postcode that belongs to no geographic district.
_GIRO_OUTWARD = "GIR"
_GIRO_INWARD = "0AA"
# Postcode areas that are well formed but outside the table, with the place to name in the message.
_OUTSIDE_COVERAGE = {
    "BT": "Northern Ireland",
    "GY": "Guernsey",
    "JE": "Jersey",
    "IM": "the Isle of Man",
}
_ECHO_LIMIT = 20


class Point(NamedTuple):
    """A place on the globe in decimal degrees (WGS84)."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class Place:
    """Where a search starts: `label` is what the page shows back (a district such as "SW1A" or a town's
    name, never a full postcode); `kind` is "postcode_district" or "town"."""

    label: str
    point: Point
    kind: str


class PlaceError(ValueError):
    """Something a person typed as a place or a distance that the search can't use.

    `message` says why in plain English, for the person who typed it. `code` names the case
    ("malformed_postcode", "unknown_district", "outside_coverage", "unknown_town", "ambiguous_town",
    "empty", "radius_not_a_number", "radius_out_of_range") and `params` holds the values the message
    quotes, so the page can show a translated message instead.
    """

    default_code = "invalid_place"

    def __init__(self, message: str, *, code: str | None = None, params: Mapping[str, object] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.params = dict(params or {})


class MalformedPostcode(PlaceError):
    """The text has digits in it but isn't a UK postcode or postcode district."""

    default_code = "malformed_postcode"


class UnknownPostcodeDistrict(PlaceError):
    """A well-formed postcode whose district isn't in the table (new, mistyped, or outside Great Britain)."""

    default_code = "unknown_district"


class UnknownTown(PlaceError):
    """No location in the directory is in a town of that name."""

    default_code = "unknown_town"


class AmbiguousTown(PlaceError):
    """Locations in the directory are in more than one town of that name; `count` says how many."""

    default_code = "ambiguous_town"

    def __init__(self, message: str, *, count: int, params: Mapping[str, object] | None = None):
        super().__init__(message, params=params)
        self.count = count


class InvalidRadius(PlaceError):
    """The distance isn't a number of kilometres within the allowed range."""

    default_code = "radius_out_of_range"


def _echo(text: str) -> str:
    shown = " ".join(text.split())
    return shown if len(shown) <= _ECHO_LIMIT else shown[: _ECHO_LIMIT - 1] + "…"


# --- Postcode districts -------------------------------------------------------------------------------


def load_outcode_centroids(source: str | Path | TextIO) -> dict[str, Point]:
    """Read a centroid table (`outcode,latitude,longitude,...` with a header row) into a dict."""
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8", newline="") as handle:
            return load_outcode_centroids(handle)
    table: dict[str, Point] = {}
    for row in csv.DictReader(source):
        table[row["outcode"].strip().upper()] = Point(float(row["latitude"]), float(row["longitude"]))
    return table


@cache
def outcode_centroids() -> Mapping[str, Point]:
    """The shipped GB postcode-district centroids by outward code, read on first use and then kept."""
    data = resources.files(__package__) / "data" / CENTROIDS_FILE
    with data.open(encoding="utf-8", newline="") as handle:
        return load_outcode_centroids(handle)


def _is_outward(code: str) -> bool:
    return code == _GIRO_OUTWARD or bool(_OUTWARD.fullmatch(code)) or code in outcode_centroids()


def parse_postcode_district(text: str) -> str:
    """The postcode district of what a person typed: a full postcode in any spacing or case
    ("sw1a1aa", "SW1A 1AA") or a district on its own ("SW1A", "m1"). Returns the normalised outward code
    ("SW1A", "M1"); the rest of a full postcode is dropped here and never returned or kept.

    "GIR 0AA" (Girobank) is well formed and gives "GIR", which no district table holds.
    Raises `MalformedPostcode` when the text is neither.
    """
    if not isinstance(text, str):
        raise MalformedPostcode(
            "Enter a postcode, like SW1A 1AA, or the first part of one, like SW1A.", params={"value": ""}
        )
    compact = "".join(text.split()).upper()
    if len(compact) >= 5:
        outward, inward = compact[:-3], compact[-3:]
        if outward == _GIRO_OUTWARD and inward == _GIRO_INWARD:
            return outward
        if outward != _GIRO_OUTWARD and _INWARD.fullmatch(inward) and _is_outward(outward):
            return outward
    if 2 <= len(compact) <= 4 and _is_outward(compact):
        return compact
    shown = _echo(text)
    raise MalformedPostcode(
        f"“{shown}” isn't a UK postcode. Enter a full postcode, like SW1A 1AA, or the first part of one, "
        "like SW1A.",
        params={"value": shown},
    )


def postcode_district_place(text: str) -> Place:
    """The centre of the postcode district of `text` (see `parse_postcode_district`).

    Raises `MalformedPostcode`, or `UnknownPostcodeDistrict` for a well-formed postcode whose district
    the table doesn't hold; that message names the district only.
    """
    district = parse_postcode_district(text)
    point = outcode_centroids().get(district)
    if point is not None:
        return Place(label=district, point=point, kind="postcode_district")
    if district == _GIRO_OUTWARD:
        raise UnknownPostcodeDistrict(
            "GIR 0AA is a special postcode that isn't on the map. Try a nearby town instead.",
            params={"district": district},
        )
    area = re.match(r"[A-Z]+", district).group()
    if area in _OUTSIDE_COVERAGE:
        region = _OUTSIDE_COVERAGE[area]
        raise UnknownPostcodeDistrict(
            f"We can't search from postcodes in {region} yet. Try a nearby town instead.",
            code="outside_coverage",
            params={"district": district, "region": region},
        )
    raise UnknownPostcodeDistrict(
        f"We don't know the postcode district “{district}”. Check it, or try a nearby town.",
        params={"district": district},
    )


# --- Towns ----------------------------------------------------------------------------------------------


def town_key(name: str) -> str:
    """A town name reduced for comparison: no accents, case or punctuation ("St. Albans" and
    "st albans", "Ynys Môn" and "ynys mon", "King's Lynn" and "Kings Lynn" compare equal)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = re.sub(r"['’`.]", "", text)
    text = re.sub(r"[\W_]+", " ", text)
    return " ".join(text.split())


def _valid_point(latitude: object, longitude: object) -> Point | None:
    if isinstance(latitude, bool) or isinstance(longitude, bool):
        return None
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Point(lat, lon)


def _clusters(points: list[Point], spread_km: float) -> list[list[Point]]:
    # Single linkage: a point joins a cluster when within `spread_km` of any member, so the locations
    # across a large city stay one town while two towns of the same name far apart do not.
    remaining = set(range(len(points)))
    clusters = []
    while remaining:
        seed = remaining.pop()
        members, frontier = [seed], [seed]
        while frontier:
            here = points[frontier.pop()]
            near = {i for i in remaining if distance_km(here, points[i]) <= spread_km}
            remaining -= near
            members.extend(near)
            frontier.extend(near)
        clusters.append([points[i] for i in members])
    return clusters


def centroid(points: Iterable[Point]) -> Point:
    """The centre of points on the sphere (the normalised mean of their unit vectors)."""
    x = y = z = 0.0
    for lat, lon in points:
        phi, lam = math.radians(lat), math.radians(lon)
        x += math.cos(phi) * math.cos(lam)
        y += math.cos(phi) * math.sin(lam)
        z += math.sin(phi)
    norm = math.sqrt(x * x + y * y + z * z)
    if norm == 0:
        raise ValueError("The points have no centre (none given, or they cancel out).")
    return Point(math.degrees(math.asin(max(-1.0, min(1.0, z / norm)))), math.degrees(math.atan2(y, x)))


def town_place(
    text: str, places: Iterable[tuple[str, float, float]], *, spread_km: float = TOWN_SPREAD_KM
) -> Place:
    """The centre of the town named `text`, from the directory's own locations: `places` gives
    (town name, latitude, longitude) for each, and the name matches whatever its case, accents or
    punctuation. The label is the spelling most of the locations use.

    Raises `UnknownTown` when no location is in a town of that name, and `AmbiguousTown` when the
    locations of that name form more than one town (further apart than `spread_km`).
    """
    key = town_key(text) if isinstance(text, str) else ""
    shown = _echo(text) if isinstance(text, str) else ""
    spellings: Counter[str] = Counter()
    points: list[Point] = []
    if key:
        for name, latitude, longitude in places:
            if not isinstance(name, str) or town_key(name) != key:
                continue
            point = _valid_point(latitude, longitude)
            if point is not None:
                spellings[" ".join(name.split())] += 1
                points.append(point)
    if not points:
        raise UnknownTown(
            f"We don't know a town called “{shown}” in the directory. Check the spelling, or enter a "
            "postcode district, like M1.",
            params={"town": shown},
        )
    label = spellings.most_common(1)[0][0]
    clusters = _clusters(points, spread_km)
    if len(clusters) > 1:
        raise AmbiguousTown(
            f"There is more than one place called “{label}” in the directory. Enter a postcode district, "
            "like M1, to say which one.",
            count=len(clusters),
            params={"town": label, "count": len(clusters)},
        )
    point = points[0] if len(set(points)) == 1 else centroid(points)
    return Place(label=label, point=point, kind="town")


def resolve_place(text: str, places: Iterable[tuple[str, float, float]] = ()) -> Place:
    """Where a search starts, from what a person typed: text with a digit in it (or "GIR 0AA") is read
    as a postcode or postcode district, anything else as a town among `places` (see `town_place`).

    Raises a `PlaceError` subclass with a message for the person.
    """
    if not isinstance(text, str) or not text.strip():
        raise PlaceError("Enter a postcode or a town.", code="empty")
    compact = "".join(text.split()).upper()
    if any(char.isdigit() for char in text) or compact in {_GIRO_OUTWARD, _GIRO_OUTWARD + _GIRO_INWARD}:
        return postcode_district_place(text)
    return town_place(text, places)


# --- Distances ------------------------------------------------------------------------------------------


def distance_km(a: Point | tuple[float, float], b: Point | tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points, by the haversine formula on a
    sphere of the mean Earth radius. Within about 0.5% of the distance on the ellipsoid."""
    phi1, phi2 = math.radians(a[0]), math.radians(b[0])
    half_dphi = (phi2 - phi1) / 2
    half_dlam = math.radians(b[1] - a[1]) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlam) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, h))))


def _normalise_longitude(longitude: float) -> float:
    return (longitude + 180.0) % 360.0 - 180.0


@dataclass(frozen=True)
class BoundingBox:
    """Latitude and longitude limits that hold every point within a radius of a centre, for a cheap
    database prefilter before the exact distance. When the box crosses the antimeridian,
    `min_longitude` is greater than `max_longitude` and `longitude_ranges()` gives two ranges."""

    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.min_longitude > self.max_longitude

    def longitude_ranges(self) -> tuple[tuple[float, float], ...]:
        """The box's longitudes as one or two closed (low, high) ranges within [-180, 180]."""
        if self.crosses_antimeridian:
            return ((self.min_longitude, 180.0), (-180.0, self.max_longitude))
        return ((self.min_longitude, self.max_longitude),)

    def contains(self, point: Point | tuple[float, float]) -> bool:
        latitude, longitude = point
        if not self.min_latitude <= latitude <= self.max_latitude:
            return False
        if not -180.0 <= longitude <= 180.0:
            longitude = _normalise_longitude(longitude)
        # -180 and 180 are the same meridian; either range end may hold it.
        candidates = (-180.0, 180.0) if abs(longitude) == 180.0 else (longitude,)
        return any(low <= lon <= high for lon in candidates for low, high in self.longitude_ranges())


# Widening that keeps rounding in the box arithmetic from ever cutting off a point on the circle's edge.
_RADIUS_SLACK = 1e-9
_DEGREE_SLACK = 1e-9


def bounding_box(centre: Point | tuple[float, float], radius_km: float) -> BoundingBox:
    """The smallest latitude/longitude box (plus a hair's breadth) holding every point within
    `radius_km` of `centre` by great-circle distance. Near a pole the circle takes in every longitude
    (and the pole itself); across the antimeridian the box wraps (see `BoundingBox`)."""
    latitude, longitude = float(centre[0]), _normalise_longitude(float(centre[1]))
    if not -90.0 <= latitude <= 90.0:
        raise ValueError(f"Latitude {latitude} is outside -90 to 90.")
    if not radius_km >= 0:
        raise ValueError(f"Radius {radius_km} isn't a distance.")
    angle = radius_km / EARTH_RADIUS_KM * (1 + _RADIUS_SLACK) + _RADIUS_SLACK
    phi = math.radians(latitude)
    low, high = phi - angle, phi + angle
    if angle >= math.pi or low <= -math.pi / 2 or high >= math.pi / 2:
        # The circle reaches (or passes) a pole: every longitude has a point within the radius.
        return BoundingBox(
            min_latitude=max(-90.0, math.degrees(low) - _DEGREE_SLACK),
            max_latitude=min(90.0, math.degrees(high) + _DEGREE_SLACK),
            min_longitude=-180.0,
            max_longitude=180.0,
        )
    # The circle's widest longitude is where a meridian touches it: sin(Δλ) = sin(r) / cos(φ).
    dlam = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(phi)))) + _DEGREE_SLACK
    if dlam >= 180.0:
        min_lon, max_lon = -180.0, 180.0
    else:
        min_lon, max_lon = longitude - dlam, longitude + dlam
        if min_lon < -180.0:
            min_lon += 360.0
        if max_lon > 180.0:
            max_lon -= 360.0
    return BoundingBox(
        min_latitude=math.degrees(low) - _DEGREE_SLACK,
        max_latitude=math.degrees(high) + _DEGREE_SLACK,
        min_longitude=min_lon,
        max_longitude=max_lon,
    )


_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")


def parse_radius_km(value: str | int | float | Decimal) -> float:
    """A search radius in kilometres from a form value ("25", " 2.5 ") or a number, between
    `MIN_RADIUS_KM` and `MAX_RADIUS_KM` inclusive. Units are not accepted: the form says kilometres.

    Raises `InvalidRadius` with a message for the person.
    """
    radius: float | None = None
    try:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            radius = float(value)
        elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
            radius = float(value.strip())
    except (OverflowError, ValueError):
        radius = math.inf
    if radius is None:
        shown = _echo(value) if isinstance(value, str) else ""
        raise InvalidRadius(
            f"Enter the distance as a number of kilometres, like 25, between {MIN_RADIUS_KM} and "
            f"{MAX_RADIUS_KM}.",
            code="radius_not_a_number",
            params={"value": shown, "min": MIN_RADIUS_KM, "max": MAX_RADIUS_KM},
        )
    if not (math.isfinite(radius) and MIN_RADIUS_KM <= radius <= MAX_RADIUS_KM):
        raise InvalidRadius(
            f"Choose a distance between {MIN_RADIUS_KM} and {MAX_RADIUS_KM} km.",
            params={"min": MIN_RADIUS_KM, "max": MAX_RADIUS_KM},
        )
    return radius
