"""The regions: ITL1 and "Outside the UK", read back from a label or value, and from nothing finer."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from gathering.core.regions import Region, region_from_text, region_key, region_label


def test_the_regions_are_the_twelve_itl1_regions_and_outside_the_uk():
    assert dict(Region.choices) == {
        "north_east": "North East",
        "north_west": "North West",
        "yorkshire_humber": "Yorkshire and The Humber",
        "east_midlands": "East Midlands",
        "west_midlands": "West Midlands",
        "east_of_england": "East of England",
        "london": "London",
        "south_east": "South East",
        "south_west": "South West",
        "wales": "Wales",
        "scotland": "Scotland",
        "northern_ireland": "Northern Ireland",
        "outside_uk": "Outside the UK",
    }
    # They fit the registration's column.
    assert max(len(value) for value in Region.values) <= 20


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("North East", "north_east"),
        ("north east", "north_east"),
        ("  NORTH \t  east ", "north_east"),
        ("north_east", "north_east"),
        ("NORTH_EAST", "north_east"),
        ("Yorkshire and the Humber", "yorkshire_humber"),
        ("outside the uk", "outside_uk"),
        ("Outside_UK", "outside_uk"),
        ("East of England", "east_of_england"),
    ],
)
def test_a_label_or_value_is_read_as_its_region(text, region):
    assert region_from_text(text) == region


@pytest.mark.parametrize(
    "text", ["", "   ", "Leeds", "LS6 3HN", "Yorkshire", "North", "East", "north  _east", "Northeast", "UK"]
)
def test_anything_else_is_no_region(text):
    assert region_from_text(text) is None


@given(st.sampled_from(Region.values), st.sampled_from([str.upper, str.lower, str.title]), st.text(" \t\n"))
def test_every_label_reads_back_as_its_value_whatever_the_case_and_spacing(value, case, padding):
    label = str(Region(value).label)
    assert region_from_text(padding + case(label).replace(" ", "  ") + padding) == value


@given(st.text(max_size=40))
def test_whatever_is_typed_the_answer_is_a_region_or_none(text):
    assert region_from_text(text) in {*Region.values, None}


def test_a_label_is_read_in_english_whatever_language_is_in_use():
    with translation.override("cy"):
        assert region_from_text("Wales") == "wales"


def test_a_stored_region_is_shown_as_its_label_and_old_free_text_as_typed():
    assert region_label("north_west") == "North West"
    assert region_label("Leeds") == "Leeds"
    assert region_label("") == ""


def test_old_free_text_naming_a_region_counts_as_that_region():
    assert region_key("North West") == region_key("north_west") == "north_west"
    assert region_key("  Leeds ") == "leeds"
    assert region_key("") == ""
