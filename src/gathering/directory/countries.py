"""Countries by name: HSDS addresses give a country as its ISO 3166-1 alpha-2 code ("GB"), and people read
names ("United Kingdom"). The names ship with Gathering (data/iso3166_countries.csv)."""

import csv
from functools import cache
from importlib import resources

COUNTRIES_FILE = "iso3166_countries.csv"


@cache
def country_names() -> dict[str, str]:
    """{code: name} for every ISO 3166-1 alpha-2 code, read once per process."""
    data = resources.files(__package__) / "data" / COUNTRIES_FILE
    with data.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def country_code(value: str) -> str:
    """An address's country as we compare and filter it: a two-letter code in capitals, anything else
    (a name some source wrote) as written, without surrounding spaces."""
    value = value.strip()
    return value.upper() if len(value) == 2 and value.isalpha() else value


def country_name(value: str) -> str:
    """The name of the country an address gives; a value that is not a known code is shown as it is."""
    code = country_code(value)
    return country_names().get(code, code)
