"""Small helpers for the directory's pages: phone links, clock times and time zones in words."""

import re
from datetime import datetime

from django import template
from django.utils.dateformat import format as date_format

from .. import hours

register = template.Library()


@register.filter
def tel(number: str) -> str:
    """The number to dial from a `tel:` link: its digits and a leading +, up to any extension or option
    ("0113 496 0123 ext. 4" dials 01134960123)."""
    first = re.split(r",|;| or | ext|x\s*[0-9]", number or "", maxsplit=1, flags=re.IGNORECASE)[0]
    digits = re.sub(r"[^0-9+]", "", first)
    return digits[:1] + digits[1:].replace("+", "")


@register.filter
def when(moment: datetime | None) -> str:
    """A moment in words in its own time zone: "Tuesday 4 May at 6pm"."""
    if moment is None:
        return ""
    return f"{date_format(moment, 'l j F')} at {hours.clock(moment.time())}"


@register.filter
def zone_label(zone: str) -> str:
    return hours.zone_label(zone)
