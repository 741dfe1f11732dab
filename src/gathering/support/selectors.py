"""Reads the crisis helplines data file and picks the visitor's country without cookies or geolocation."""

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.translation.trans_real import parse_accept_lang_header

DATA_FILE = Path(__file__).parent / "data" / "helplines.json"

# Languages that, without a region, point to one country on our list.
LANGUAGE_COUNTRY = {"ga": "IE", "cy": "GB", "gd": "GB", "mi": "NZ"}


@dataclass(frozen=True)
class Helpline:
    service: str
    number: str
    channel: str
    hours: str
    region: str
    note: str
    source: str
    verified: str
    keyword: str = ""  # the word to text, for text lines ("SHOUT")

    @property
    def tel(self) -> str:
        """The number to dial from a phone link: the digits before any ', option' or ' or '."""
        first = re.split(r",| or ", self.number)[0]
        return re.sub(r"[^0-9+]", "", first)

    @property
    def sms(self) -> str:
        """A link that opens a text message with the keyword filled in. `?&body=` is the form that both
        Android (which reads `?body=`) and iOS (which reads `&body=`) accept."""
        return f"sms:{self.tel}?&body={self.keyword}" if self.keyword else f"sms:{self.tel}"


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    emergency: str
    helplines: tuple[Helpline, ...]


@dataclass(frozen=True)
class Helplines:
    countries: tuple[Country, ...]
    directory_name: str
    directory_url: str
    directory_description: str

    def get(self, code: str) -> Country | None:
        return next((country for country in self.countries if country.code == code), None)


@lru_cache(maxsize=1)
def helplines() -> Helplines:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    countries = tuple(
        Country(
            code=c["code"],
            name=c["name"],
            emergency=c["emergency"],
            helplines=tuple(Helpline(**h) for h in c["helplines"]),
        )
        for c in data["countries"]
    )
    directory = data["directory"]
    return Helplines(countries, directory["name"], directory["url"], directory["description"])


def country_from_accept_language(header: str, *, default: str) -> str:
    """The first country in the visitor's language preferences that we hold helplines for."""
    known = {country.code for country in helplines().countries}
    for language, _quality in parse_accept_lang_header(header or "")[:10]:
        parts = language.replace("_", "-").split("-")
        region = parts[1].upper() if len(parts) > 1 else LANGUAGE_COUNTRY.get(parts[0].lower(), "")
        if region == "UK":
            region = "GB"
        if region in known:
            return region
    return default
