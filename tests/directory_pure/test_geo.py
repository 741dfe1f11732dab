"""Tests for the directory search's places and distances: postcode districts, towns, radius, great-circle
distance and the bounding-box prefilter."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from gathering.directory import geo
from gathering.directory.geo import (
    EARTH_RADIUS_KM,
    AmbiguousTown,
    InvalidRadius,
    MalformedPostcode,
    PlaceError,
    Point,
    UnknownPostcodeDistrict,
    UnknownTown,
    bounding_box,
    distance_km,
    outcode_centroids,
    parse_postcode_district,
    parse_radius_km,
    postcode_district_place,
    resolve_place,
    town_place,
)

SHIPPED = Path(geo.__file__).with_name("data")
SHARED_CENTROIDS = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "geo" / "gb_outcode_centroids.csv"
)

LONDON = Point(51.5074, -0.1278)
EDINBURGH = Point(55.9533, -3.1883)
HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM


def _destination(start: Point, bearing_deg: float, distance: float) -> Point:
    # The point `distance` km from `start` along the great circle with initial bearing `bearing_deg`.
    phi, lam = math.radians(start.latitude), math.radians(start.longitude)
    theta, delta = math.radians(bearing_deg), distance / EARTH_RADIUS_KM
    sin_phi2 = math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi), math.cos(delta) - math.sin(phi) * sin_phi2
    )
    return Point(math.degrees(phi2), (math.degrees(lam2) + 540.0) % 360.0 - 180.0)


latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
points = st.builds(Point, latitudes, longitudes)


def test_modules_import_without_django():
    # The search's pure parts load without settings (and without python-dateutil).
    code = (
        "import sys, gathering.directory.geo, gathering.directory.opening; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'dateutil'}))"
    )
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment)

    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr


# --- The shipped table ----------------------------------------------------------------------------------


def test_table_holds_every_gb_district_once_as_points_in_great_britain():
    table = outcode_centroids()

    assert len(table) == 2996
    assert table["SW1A"] == Point(51.50197, -0.13386)
    assert table["EH10"] == Point(55.92166, -3.21079)
    assert all(49.8 < p.latitude < 60.9 and -8.7 < p.longitude < 1.8 for p in table.values())
    assert not any(code.startswith("BT") for code in table)


def test_table_is_read_once_and_kept():
    assert outcode_centroids() is outcode_centroids()


def test_every_district_in_the_table_parses_alone_and_in_a_full_postcode():
    for code in outcode_centroids():
        assert parse_postcode_district(code) == code
        assert parse_postcode_district(f"{code.lower()} 9zz") == code


def test_shipped_table_is_the_reference_file_byte_for_byte():
    if not SHARED_CENTROIDS.exists():
        pytest.skip("the shared reference data isn't checked out next to the project")
    assert (SHIPPED / "gb_outcode_centroids.csv").read_bytes() == SHARED_CENTROIDS.read_bytes()


def test_shipped_table_carries_its_attribution():
    readme = " ".join((SHIPPED / "README.md").read_text(encoding="utf-8").split())

    for line in (
        "Contains OS data © Crown copyright and database right 2025",
        "Contains Royal Mail data © Royal Mail copyright and database right 2025",
        "Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
        "Northern Ireland (BT) districts are excluded",
    ):
        assert line in readme


def test_loader_reads_a_table_from_a_path(tmp_path):
    path = tmp_path / "centroids.csv"
    path.write_text("outcode,latitude,longitude,n_postcodes\r\nab1,57.1,-2.1,3\r\n", encoding="utf-8")

    assert geo.load_outcode_centroids(path) == {"AB1": Point(57.1, -2.1)}


# --- Postcodes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "district"),
    [
        ("SW1A 1AA", "SW1A"),
        ("sw1a1aa", "SW1A"),
        ("  Sw1A   1aA ", "SW1A"),
        ("SW1A", "SW1A"),
        ("m1", "M1"),
        ("M1 1AE", "M1"),
        ("EH10", "EH10"),
        ("EH10 4BF", "EH10"),
        ("B33 8TH", "B33"),
        ("CR2 6XH", "CR2"),
        ("DN55 1PT", "DN55"),
        ("W1A 0AX", "W1A"),
        ("EC1A 1BB", "EC1A"),
        ("N1C 4AG", "N1C"),
        ("W1M 1AA", "W1M"),  # retired, but still in the table
        ("NPT", "NPT"),  # retired three-letter district, still in the table
        ("GIR 0AA", "GIR"),
        ("gir0aa", "GIR"),
        ("BT1 1AA", "BT1"),
        ("ZE9 9ZZ", "ZE9"),
    ],
)
def test_well_formed_postcodes_give_their_district(typed, district):
    assert parse_postcode_district(typed) == district


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "SW1A 1",  # a postcode sector: not a district or a full postcode
        "SW1A1A",
        "SW1A 1AAA",
        "1AA",
        "AA",
        "Q1 1AA",  # Q never starts a postcode
        "ZZ9",  # Z never comes second
        "EC1Z 1AA",  # Z never ends an AA9A district
        "SW1A 1CA",  # C is never in the second half
        "SW1A-1AA",
        "",
        "   ",
        "postcode",
        "GIR 1AA",
    ],
)
def test_malformed_text_is_not_a_postcode(typed):
    with pytest.raises(MalformedPostcode) as caught:
        parse_postcode_district(typed)

    assert caught.value.code == "malformed_postcode"
    assert "isn't a UK postcode" in caught.value.message
    assert "like SW1A 1AA" in caught.value.message


def test_malformed_message_quotes_what_was_typed_briefly():
    with pytest.raises(MalformedPostcode) as caught:
        parse_postcode_district("12345")
    assert caught.value.message == (
        "“12345” isn't a UK postcode. Enter a full postcode, like SW1A 1AA, or the first part of one, "
        "like SW1A."
    )

    with pytest.raises(MalformedPostcode) as caught:
        parse_postcode_district("x" * 200)
    assert caught.value.params["value"] == "x" * 19 + "…"


def test_a_known_district_gives_its_centre():
    place = postcode_district_place("sw1a 1aa")

    assert place == geo.Place(label="SW1A", point=Point(51.50197, -0.13386), kind="postcode_district")


def test_an_unknown_district_names_only_the_district():
    with pytest.raises(UnknownPostcodeDistrict) as caught:
        postcode_district_place("ze9 9zz")

    assert caught.value.code == "unknown_district"
    assert (
        caught.value.message == "We don't know the postcode district “ZE9”. Check it, or try a nearby town."
    )
    assert "9ZZ" not in caught.value.message
    assert caught.value.params == {"district": "ZE9"}


@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("BT1 1AA", "Northern Ireland"),
        ("JE2 3AB", "Jersey"),
        ("GY1", "Guernsey"),
        ("IM1 1AA", "the Isle of Man"),
    ],
)
def test_postcodes_outside_the_table_say_where_they_are(typed, region):
    with pytest.raises(UnknownPostcodeDistrict) as caught:
        postcode_district_place(typed)

    assert caught.value.code == "outside_coverage"
    assert (
        caught.value.message == f"We can't search from postcodes in {region} yet. Try a nearby town instead."
    )


def test_girobank_postcode_is_recognised_but_not_on_the_map():
    with pytest.raises(UnknownPostcodeDistrict) as caught:
        resolve_place("GIR 0AA")

    assert (
        caught.value.message
        == "GIR 0AA is a special postcode that isn't on the map. Try a nearby town instead."
    )


@given(st.text(max_size=12))
@example("SW1A 1AA")
@example("gir 0aa")
def test_any_text_gives_a_district_or_the_malformed_error(typed):
    try:
        district = parse_postcode_district(typed)
    except MalformedPostcode as error:
        assert error.message
        return
    compact = "".join(typed.split()).upper()
    assert compact.startswith(district)
    assert len(compact) in (len(district), len(district) + 3)


@given(st.from_regex(r"[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}", fullmatch=True))
def test_postcode_shaped_text_resolves_or_fails_with_a_place_error(typed):
    try:
        place = resolve_place(typed)
    except PlaceError as error:
        assert type(error) in (MalformedPostcode, UnknownPostcodeDistrict)
        if isinstance(error, UnknownPostcodeDistrict):
            # A well-formed postcode is repeated back by its district only.
            assert typed.replace(" ", "")[-3:] not in error.message.replace(" ", "").replace("0AA", "")
        return
    assert place.label == "".join(typed.split())[:-3]
    assert place.label in outcode_centroids()


# --- Towns ----------------------------------------------------------------------------------------------

KNOWN_PLACES = [
    ("Manchester", 53.4794, -2.2453),
    ("manchester", 53.4808, -2.2426),
    ("Manchester", 53.4668, -2.2339),
    ("Ynys Môn", 53.2674, -4.4035),
    ("St. Albans", 51.7527, -0.3394),
    ("Newport", 51.5842, -2.9977),  # Wales
    ("Newport", 50.7019, -1.2883),  # Isle of Wight
    ("Newport", 51.5880, -2.9950),
    ("Broken", math.nan, 0.0),
]


def test_town_matches_whatever_the_case_accents_or_punctuation():
    assert town_place("MANCHESTER", KNOWN_PLACES).label == "Manchester"
    assert town_place("ynys mon", KNOWN_PLACES).label == "Ynys Môn"
    assert town_place("st albans", KNOWN_PLACES).point == Point(51.7527, -0.3394)
    assert town_place("  St   Albans ", KNOWN_PLACES).kind == "town"


def test_town_centre_is_the_middle_of_its_locations():
    place = town_place("Manchester", KNOWN_PLACES)

    assert place.point.latitude == pytest.approx((53.4794 + 53.4808 + 53.4668) / 3, abs=1e-6)
    assert place.point.longitude == pytest.approx((-2.2453 - 2.2426 - 2.2339) / 3, abs=1e-6)


def test_two_towns_of_one_name_are_ambiguous():
    with pytest.raises(AmbiguousTown) as caught:
        town_place("newport", KNOWN_PLACES)

    assert caught.value.count == 2
    assert caught.value.message == (
        "There is more than one place called “Newport” in the directory. Enter a postcode district, like M1, "
        "to say which one."
    )


@pytest.mark.parametrize("typed", ["Atlantis", "Broken", "", "Manchester United"])
def test_a_town_without_locations_is_unknown(typed):
    with pytest.raises(UnknownTown) as caught:
        town_place(typed, KNOWN_PLACES)

    assert caught.value.code == "unknown_town"


def test_unknown_town_message_names_the_town():
    with pytest.raises(UnknownTown) as caught:
        town_place("Atlantis", [])

    assert caught.value.message == (
        "We don't know a town called “Atlantis” in the directory. Check the spelling, or enter a postcode "
        "district, like M1."
    )


def test_resolve_place_reads_digits_as_a_postcode_and_words_as_a_town():
    assert resolve_place("m1 1ae", KNOWN_PLACES).label == "M1"
    assert resolve_place("Manchester", KNOWN_PLACES).kind == "town"
    with pytest.raises(MalformedPostcode):
        resolve_place("Manchester 1", KNOWN_PLACES)
    with pytest.raises(PlaceError) as caught:
        resolve_place("   ", KNOWN_PLACES)
    assert (caught.value.code, caught.value.message) == ("empty", "Enter a postcode or a town.")


# --- Radius ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "radius"),
    [("25", 25.0), (" 2.5 ", 2.5), ("1", 1.0), ("200", 200.0), (10, 10.0), (7.5, 7.5), (Decimal("50"), 50.0)],
)
def test_radius_in_range_is_read_in_kilometres(value, radius):
    assert parse_radius_km(value) == radius


@pytest.mark.parametrize("value", ["0", "0.99", "200.01", "5000", 0, -5, 201, math.inf, math.nan, "9" * 400])
def test_radius_out_of_range_says_the_range(value):
    with pytest.raises(InvalidRadius) as caught:
        parse_radius_km(value)

    assert caught.value.code == "radius_out_of_range"
    assert caught.value.message == "Choose a distance between 1 and 200 km."


@pytest.mark.parametrize("value", ["25 km", "ten", "", "-5", "1e2", "nan", "inf", None, True, [25]])
def test_radius_that_isnt_a_number_asks_for_one(value):
    with pytest.raises(InvalidRadius) as caught:
        parse_radius_km(value)

    assert caught.value.code == "radius_not_a_number"
    assert caught.value.message == "Enter the distance as a number of kilometres, like 25, between 1 and 200."


# --- Distance -------------------------------------------------------------------------------------------


def test_london_to_edinburgh_is_about_534_km():
    assert distance_km(LONDON, EDINBURGH) == pytest.approx(534, rel=0.01)
    table = outcode_centroids()
    assert distance_km(table["SW1A"], table["EH1"]) == pytest.approx(534, rel=0.01)


def test_known_distances_on_the_sphere():
    assert distance_km(LONDON, LONDON) == 0.0
    assert distance_km((0, 0), (0, 180)) == pytest.approx(HALF_CIRCUMFERENCE_KM)
    assert distance_km((90, 0), (-90, 0)) == pytest.approx(HALF_CIRCUMFERENCE_KM)
    assert distance_km((51.5, -0.1), (-51.5, 179.9)) == pytest.approx(HALF_CIRCUMFERENCE_KM)
    assert distance_km((0, 0), (90, 0)) == pytest.approx(HALF_CIRCUMFERENCE_KM / 2)
    # One degree of longitude on the equator, across the antimeridian.
    assert distance_km((0, 179.5), (0, -179.5)) == pytest.approx(HALF_CIRCUMFERENCE_KM / 180)


@given(points, points)
def test_distance_is_symmetric_and_within_half_the_circumference(a, b):
    d = distance_km(a, b)

    assert d == pytest.approx(distance_km(b, a), abs=1e-9)
    assert 0.0 <= d <= HALF_CIRCUMFERENCE_KM + 1e-9


@given(points, st.floats(0, 25_000), st.floats(0, 360))
def test_the_destination_helper_agrees_with_the_distance(start, distance, bearing):
    assume(distance <= HALF_CIRCUMFERENCE_KM - 1)

    assert distance_km(start, _destination(start, bearing, distance)) == pytest.approx(distance, abs=1e-6)


# --- Bounding box ---------------------------------------------------------------------------------------


@settings(max_examples=500)
@given(
    points,
    st.floats(min_value=0, max_value=21_000, allow_nan=False),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=360),
)
@example(Point(0, 179.9), 50, 1.0, 90)
@example(Point(0, -179.9), 50, 1.0, 270)
@example(Point(89.9, 0), 50, 1.0, 180)
@example(Point(-89.9, 10), 200, 0.5, 0)
@example(Point(90, 0), 10, 1.0, 45)
@example(Point(60, 170), 2000, 1.0, 60)
def test_box_holds_every_point_within_the_radius(centre, radius, fraction, bearing):
    point = _destination(centre, bearing, radius * fraction)
    assume(distance_km(centre, point) <= radius)

    assert bounding_box(centre, radius).contains(point)


@settings(max_examples=300)
@given(points, points, st.floats(min_value=1, max_value=20_100))
def test_box_holds_every_random_point_within_the_radius(centre, point, radius):
    assume(distance_km(centre, point) <= radius)

    box = bounding_box(centre, radius)

    assert box.contains(point)
    assert (
        any(low <= point.longitude <= high for low, high in box.longitude_ranges())
        or abs(point.longitude) == 180.0
    )


@settings(max_examples=50)
@given(st.builds(Point, st.floats(-80, 80), st.floats(-170, 170)), st.floats(1, 200))
def test_box_is_no_bigger_than_the_circle_needs(centre, radius):
    box = bounding_box(centre, radius)
    rim = [_destination(centre, bearing / 10, radius) for bearing in range(3600)]

    assert box.max_latitude == pytest.approx(max(p.latitude for p in rim), abs=1e-6)
    assert box.min_latitude == pytest.approx(min(p.latitude for p in rim), abs=1e-6)
    assert box.max_longitude == pytest.approx(max(p.longitude for p in rim), abs=1e-4)
    assert box.min_longitude == pytest.approx(min(p.longitude for p in rim), abs=1e-4)


def test_box_edges_are_the_radius_north_south_and_at_the_widest_longitude():
    box = bounding_box(LONDON, 100)
    angle = math.degrees(100 / EARTH_RADIUS_KM)
    widest = math.degrees(math.asin(math.sin(math.radians(angle)) / math.cos(math.radians(LONDON.latitude))))

    assert box.min_latitude == pytest.approx(LONDON.latitude - angle, abs=1e-7)
    assert box.max_latitude == pytest.approx(LONDON.latitude + angle, abs=1e-7)
    assert box.min_longitude == pytest.approx(LONDON.longitude - widest, abs=1e-7)
    assert box.max_longitude == pytest.approx(LONDON.longitude + widest, abs=1e-7)
    assert not box.crosses_antimeridian
    assert not box.contains(Point(LONDON.latitude, LONDON.longitude + widest + 0.01))


def test_box_across_the_antimeridian_wraps_into_two_ranges():
    box = bounding_box(Point(-17.7, 179.5), 200)  # Fiji

    assert box.crosses_antimeridian
    (east_low, east_high), (west_low, west_high) = box.longitude_ranges()
    assert east_high == 180.0 and west_low == -180.0
    assert east_low < 179.5 and -180 < west_high < -178
    assert box.contains(Point(-17.7, -179.0))
    assert box.contains(Point(-17.7, 180.0))
    assert box.contains(Point(-17.7, -180.0))
    assert not box.contains(Point(-17.7, 0.0))


def test_box_near_a_pole_takes_in_every_longitude_and_the_pole():
    box = bounding_box(Point(89.5, 20), 100)

    assert (box.min_longitude, box.max_longitude) == (-180.0, 180.0)
    assert box.max_latitude == 90.0
    assert box.contains(Point(89.9, -160))
    assert box.contains(Point(90.0, 0))


def test_box_larger_than_the_earth_is_the_whole_globe():
    box = bounding_box(LONDON, 30_000)

    assert (box.min_latitude, box.max_latitude, box.min_longitude, box.max_longitude) == (-90, 90, -180, 180)


def test_box_refuses_impossible_input():
    with pytest.raises(ValueError, match="Latitude"):
        bounding_box(Point(91, 0), 10)
    with pytest.raises(ValueError, match="Radius"):
        bounding_box(LONDON, math.nan)
