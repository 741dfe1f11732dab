"""Where people live, as a region of the UK and never anything finer: for counting how far people travel."""

from django import forms
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


# Source: the Office for National Statistics' International Territorial Levels, level 1 (ITL1, which replaced
# NUTS1 in 2021): the nine English regions, Wales, Scotland and Northern Ireland, by their ONS names, and
# "Outside the UK" for everyone else. The values are stable slugs, so stored answers and the counts made from
# them never depend on a label's wording or language.
class Region(models.TextChoices):
    NORTH_EAST = "north_east", _("North East")
    NORTH_WEST = "north_west", _("North West")
    YORKSHIRE_HUMBER = "yorkshire_humber", _("Yorkshire and The Humber")
    EAST_MIDLANDS = "east_midlands", _("East Midlands")
    WEST_MIDLANDS = "west_midlands", _("West Midlands")
    EAST_OF_ENGLAND = "east_of_england", _("East of England")
    LONDON = "london", _("London")
    SOUTH_EAST = "south_east", _("South East")
    SOUTH_WEST = "south_west", _("South West")
    WALES = "wales", _("Wales")
    SCOTLAND = "scotland", _("Scotland")
    NORTHERN_IRELAND = "northern_ireland", _("Northern Ireland")
    OUTSIDE_UK = "outside_uk", _("Outside the UK")


# What the person sees for "no answer", and what they are told when a value is not on the list.
NOT_SAYING = _("Prefer not to say")
CHOOSE_FROM_THE_LIST = _("Choose a region from the list, or leave it empty")


def region_form_field(*, label: str, help_text: str = "") -> forms.ChoiceField:
    """An optional select of the regions, "Prefer not to say" first: what every form asking it shows."""
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        choices=[("", NOT_SAYING), *Region.choices],
        error_messages={"invalid_choice": CHOOSE_FROM_THE_LIST},
    )


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def region_from_text(text: str) -> str | None:
    """The region whose label or value `text` is, ignoring case and spacing ("  north  EAST" is
    "north_east"); None for anything else, such as a town. Labels match in English and in the language in
    use, so a stored answer keeps its meaning whichever language the person chose."""
    wanted = _normal(text or "")
    if not wanted:
        return None
    for value, label in Region.choices:
        if wanted in (_normal(value), _normal(str(label))):
            return value
    with translation.override("en"):
        for value, label in Region.choices:
            if wanted == _normal(str(label)):
                return value
    return None


def region_label(value: str) -> str:
    """A stored region in words: the label for a region's value, or the text itself for answers kept from
    before regions were a list (free text, such as "Leeds")."""
    if value in Region.values:
        return str(Region(value).label)
    return value


def region_key(text: str) -> str:
    """What counts as the same place when mixing or counting: a region's value, whether stored as its value
    or (in answers kept from before regions were a list) as its label; other text by its words, ignoring
    case and spacing. Empty for no answer."""
    return region_from_text(text) or " ".join(text.lower().split())
