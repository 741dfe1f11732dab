"""The archive of past Gatherings, and importing their history from a CSV file (all or nothing)."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Event, EventResource

COLUMNS = ("title", "start_date", "end_date", "place", "attendance", "themes", "links")
MAX_ROWS = 5000
ZONE = "Europe/London"


class ImportError(ValueError):
    """Every problem found in the file, each naming its line and column."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class PastRow:
    line: int
    title: str
    start: date
    end: date
    place: str
    attendance: int | None
    themes: str
    links: list[tuple[str, str]]


def _date(value: str, line: int, column: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.append(f"line {line}, {column}: '{value[:40]}' is not a date like 2019-05-18")
        return None


def parse_past_csv(text: str) -> list[PastRow]:
    """Read and check the whole file; raise ImportError listing every problem before anything is saved."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportError(
            [f"line 1: missing column(s): {', '.join(missing)} (expected {', '.join(COLUMNS)})"]
        )
    rows: list[PastRow] = []
    problems: list[str] = []
    url_ok = URLValidator(schemes=["http", "https"])
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            problems.append(f"line {line}: more than {MAX_ROWS} rows; split the file")
            break
        title = (raw.get("title") or "").strip()
        if not title:
            problems.append(f"line {line}, title: is empty")
        elif len(title) > 200:
            problems.append(f"line {line}, title: longer than 200 characters")
        start = _date(raw.get("start_date") or "", line, "start_date", problems)
        end = _date(raw.get("end_date") or raw.get("start_date") or "", line, "end_date", problems)
        if start and end and end < start:
            problems.append(f"line {line}, end_date: before start_date")
        if start and start >= timezone.localdate():
            problems.append(f"line {line}, start_date: not in the past")
        attendance_text = (raw.get("attendance") or "").strip()
        attendance = None
        if attendance_text:
            if not attendance_text.isdigit() or int(attendance_text) > 1_000_000:
                problems.append(f"line {line}, attendance: '{attendance_text[:20]}' is not a whole number")
            else:
                attendance = int(attendance_text)
        links = []
        for part in filter(None, (p.strip() for p in (raw.get("links") or "").split(";"))):
            label, _, url = part.rpartition("|") if "|" in part else ("", "", part)
            try:
                url_ok(url.strip())
            except ValidationError:
                problems.append(f"line {line}, links: '{url[:60]}' is not a web address")
                continue
            links.append(((label or url).strip()[:200], url.strip()))
        for column, limit in (("place", 200), ("themes", 300)):
            if len((raw.get(column) or "").strip()) > limit:
                problems.append(f"line {line}, {column}: longer than {limit} characters")
        if start and end and title:
            rows.append(
                PastRow(
                    line,
                    title,
                    start,
                    end,
                    (raw.get("place") or "").strip(),
                    attendance,
                    (raw.get("themes") or "").strip(),
                    links,
                )
            )
    if problems:
        raise ImportError(problems)
    return rows


def _kind(label: str) -> str:
    lowered = label.lower()
    for word, kind in (
        ("slide", "slides"),
        ("record", "recording"),
        ("video", "recording"),
        ("report", "report"),
    ):
        if word in lowered:
            return kind
    return EventResource.Kind.OTHER


@transaction.atomic
def import_past(text: str) -> list[Event]:
    """Create (or update, by title and date) a past Gathering per row. One bad row saves nothing."""
    rows = parse_past_csv(text)
    london = ZoneInfo(ZONE)
    events = []
    for row in rows:
        base = slugify(f"{row.title} {row.start.year}")[:70] or "gathering"
        slug = re.sub(r"-+", "-", base).strip("-")
        starts = timezone.make_aware(datetime.combine(row.start, time(10)), london)
        ends = timezone.make_aware(datetime.combine(row.end, time(17)), london)
        event, _created = Event.objects.update_or_create(
            slug=slug,
            defaults={
                "title": row.title,
                "summary": row.themes[:300] or row.title,
                "starts_at": starts,
                "ends_at": ends,
                "time_zone": ZONE,
                "status": Event.Status.PUBLISHED,
                "format": Event.Format.IN_PERSON if row.place else Event.Format.ONLINE,
                "place": row.place,
                "themes": row.themes,
                "attendance_recorded": row.attendance,
                "capacity": None,
            },
        )
        event.resources.all().delete()
        EventResource.objects.bulk_create(
            EventResource(event=event, title=label, url=url, kind=_kind(label), position=n)
            for n, (label, url) in enumerate(row.links)
        )
        events.append(event)
    return events
