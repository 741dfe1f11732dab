"""The "Your data" page: everything the JSON download holds, in words a person understands.

It reads the same rows as `subject.subject_export` (the same paths, the same fields), and shows each value as
words: choices by their labels, dates as dates, yes and no, a Gathering by its name rather than its number.
A fixed number of queries whatever the amount of data: one per kind of record, one per kind of linked record.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gathering.core.regions import region_label

from .notices import CURRENT
from .subject import SECRET_FIELDS, WITHHELD, _rows, linked_names, personal_paths

# Section titles in the person's words, in the order the page shows them; others follow, by model name.
SECTIONS = {
    "accounts.user": gettext_lazy("Your account"),
    "account.emailaddress": gettext_lazy("Your email addresses"),
    "events.registration": gettext_lazy("Your places at Gatherings"),
    "events.bursaryapplication": gettext_lazy("Your bursary applications"),
    "programme.interest": gettext_lazy("Sessions you marked"),
    "programme.session": gettext_lazy("Sessions you proposed or facilitate"),
    "circles.circlemembership": gettext_lazy("Listening circles you joined"),
    "circles.notwithrequest": gettext_lazy("People you asked not to share a circle with"),
    "circles.attendance": gettext_lazy("Circle meetings you came to"),
    "circles.feedbackreceipt": gettext_lazy("Circle meetings you gave feedback on"),
    "events.feedbackreceipt": gettext_lazy("Gatherings you gave feedback on"),
    "privacy.consentrecord": gettext_lazy("What you agreed to"),
    "support.concern": gettext_lazy("Concerns you raised"),
    "events.calendarfeed": gettext_lazy("Your private calendar address"),
    "accounts.apitoken": gettext_lazy("Keys you made for apps (API tokens)"),
    "events.event": gettext_lazy("Gatherings you organise"),
    "events.venue": gettext_lazy("Venues you added"),
    "circles.circleseries": gettext_lazy("Circle series you run or facilitate"),
    "circles.circle": gettext_lazy("Circles you facilitate"),
    "circles.meeting": gettext_lazy("Meetings of circles you facilitate"),
    "programme.programme": gettext_lazy("Programmes you review"),
    "programme.review": gettext_lazy("Your reviews of proposals"),
    "programme.timetablerun": gettext_lazy("Timetables you asked the optimiser for"),
    "circles.formationrun": gettext_lazy("Circles you asked to be formed"),
    "privacy.auditentry": gettext_lazy("Things you did that we recorded"),
    "admin.logentry": gettext_lazy("Changes you made in the administration pages"),
}

# Labels where the field's own name would not mean much to the person.
LABELS = {
    "accounts.user": {
        "last_login": gettext_lazy("Last signed in"),
        "date_joined": gettext_lazy("Account made"),
        "is_superuser": gettext_lazy("Full administrator"),
        "is_staff": gettext_lazy("Can use the administration pages"),
        "is_active": gettext_lazy("Account in use"),
        "preferred_name": gettext_lazy("The name you like to be called"),
        "email_reminders": gettext_lazy("Reminders by email"),
        "email_network_news": gettext_lazy("Network news by email"),
        "email_discreet": gettext_lazy("Discreet emails (a plain sender name and subject)"),
    },
    "events.registration": {
        "event": gettext_lazy("Gathering"),
        "ticket_type": gettext_lazy("Ticket"),
        "status": gettext_lazy("Your place"),
        "amount_minor": gettext_lazy("Amount"),
        "payment": gettext_lazy("How you pay"),
        "paid_at": gettext_lazy("Paid"),
        "region": gettext_lazy("Where you live"),
        "perspectives": gettext_lazy("How you come to this Gathering"),
        "access_needs": gettext_lazy("Access needs you told us"),
        "access_needs_other": gettext_lazy("Other access needs you told us"),
        "special_category_consent_at": gettext_lazy("You agreed we could keep this"),
        "dietary_needs": gettext_lazy("Dietary needs you told us"),
        "answers": gettext_lazy("Your answers to the Gathering's questions"),
        "on_attendee_list": gettext_lazy("On the attendee list"),
        "share_access_with_venue": gettext_lazy("Access needs shared with the venue team"),
        "waitlisted_at": gettext_lazy("Joined the waiting list"),
        "waitlist_priority": gettext_lazy("First in the waiting list, with a bursary"),
        "over_capacity": gettext_lazy("Place given over capacity, with a bursary"),
        "offer_expires_at": gettext_lazy("Place offered until"),
        "checked_in_at": gettext_lazy("Arrived"),
        "created_at": gettext_lazy("Registered"),
        "updated_at": gettext_lazy("Last changed"),
        "cancelled_at": gettext_lazy("Cancelled"),
    },
    "events.bursaryapplication": {
        "event": gettext_lazy("Gathering"),
        "support": gettext_lazy("Help you asked for"),
        "amount_requested_minor": gettext_lazy("Amount you asked for"),
        "circumstances": gettext_lazy("What you told us about your circumstances"),
        "status": gettext_lazy("Decision"),
        "score": gettext_lazy("Reviewers' score"),
        "reviewer_notes": gettext_lazy("Reviewers' notes"),
        "amount_awarded_minor": gettext_lazy("Amount awarded"),
        "travel_owed_minor": gettext_lazy("Travel to repay"),
        "decision_message": gettext_lazy("Message to you"),
        "decided_at": gettext_lazy("Decided"),
        "created_at": gettext_lazy("Applied"),
    },
    "programme.interest": {
        "session": gettext_lazy("Session"),
        "level": gettext_lazy("How much you want to go"),
        "created_at": gettext_lazy("Marked"),
    },
    "circles.circlemembership": {
        "series": gettext_lazy("Circle series"),
        "circle": gettext_lazy("Your circle"),
        "perspectives": gettext_lazy("Perspectives you told us"),
        "perspectives_consent_at": gettext_lazy("You agreed we could keep this"),
        "region": gettext_lazy("Where you live"),
        "access_needs": gettext_lazy("What would help you, as you told us"),
        "agreement": gettext_lazy("Group agreement you agreed to"),
        "agreed_at": gettext_lazy("Agreed"),
        "status": gettext_lazy("Taking part"),
        "ended_at": gettext_lazy("Left"),
        "joined_at": gettext_lazy("Joined"),
    },
    "privacy.consentrecord": {
        "purpose": gettext_lazy("What for"),
        "notice_version": gettext_lazy("Version of the notice you read"),
        "given_at": gettext_lazy("Given"),
        "method": gettext_lazy("How"),
        "withdrawn_at": gettext_lazy("Withdrawn"),
    },
    "support.concern": {
        "anonymous": gettext_lazy("Without your name"),
        "details": gettext_lazy("What you told us"),
        "created_at": gettext_lazy("Raised"),
        "respond_by": gettext_lazy("We aimed to respond by"),
        "acknowledged_at": gettext_lazy("First answered"),
        "closed_at": gettext_lazy("Closed"),
    },
    "accounts.apitoken": {
        "hint": gettext_lazy("Begins with"),
        "last_used_at": gettext_lazy("Last used"),
        "expires_at": gettext_lazy("Ends"),
        "second_factor": gettext_lazy("Made after two-step verification"),
    },
    "account.emailaddress": {"primary": gettext_lazy("Main address")},
}

# Bookkeeping the person has no use for: shown in the download, not as words on the page.
HIDDEN = {"id", "security_epoch", "calendar_sequence", "answers_purged", "circumstances_purged"}

# JSON lists of codes, with where their labels are: (app label, model, nested choices class).
CODED_LISTS = {
    ("events.registration", "perspectives"): ("events", "Registration", "Perspective"),
    ("events.registration", "access_needs"): ("events", "Registration", "AccessNeed"),
    ("events.bursaryapplication", "support"): ("events", "BursaryApplication", "Support"),
    ("circles.circlemembership", "perspectives"): ("circles", None, "Perspective"),
    ("programme.session", "needs"): ("programme", None, "Need"),
    ("programme.room", "features"): ("programme", None, "Need"),
}
# Regions stored without choices on the field: a region's value, or the words of an answer from before regions
# were a list (the label comes from core.regions, the words are shown as typed).
REGION_TEXT = {("circles.circlemembership", "region")}
# Fields holding money in pence.
MONEY_SUFFIX = "_minor"


@dataclass(frozen=True)
class Item:
    label: str
    value: str


@dataclass(frozen=True)
class Record:
    heading: str
    items: list[Item]


@dataclass(frozen=True)
class Section:
    title: str
    records: list[Record]
    withheld: str = ""
    count: int = 0


def _choices(app_label: str, model_name: str | None, name: str) -> dict[str, str]:
    if model_name is None:
        holder = __import__(f"gathering.{app_label}.models", fromlist=[name])
    else:
        holder = apps.get_model(app_label, model_name)
    return {str(value): str(label) for value, label in getattr(holder, name).choices}


def _when(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "j F Y, H:i")
    return formats.date_format(value, "j F Y")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime | date):
        return _when(value)
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _nested(value: Any) -> str:
    """Staff-side JSON (a timetable run's result, say), flattened into a line of words."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_nested(inner)}" for key, inner in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_nested(inner) for inner in value)
    return _scalar(value)


def _answers(value: dict[str, Any], questions: dict[int, tuple[str, str]]) -> str:
    parts = []
    for key, answer in value.items():
        text, kind = questions.get(int(key), ("", "")) if str(key).isdigit() else ("", "")
        if kind == "yes_no" and answer in ("yes", "no"):
            shown = _("Yes") if answer == "yes" else _("No")
        elif isinstance(answer, list):
            shown = ", ".join(_scalar(a) for a in answer)
        else:
            shown = _scalar(answer)
        parts.append(f"{text or _('A question no longer asked')}: {shown}")
    return "; ".join(parts)


def _questions(paths: list[tuple[str, list[models.Model]]]) -> dict[int, tuple[str, str]]:
    ids = {
        int(key)
        for label, rows in paths
        if label == "events.registration"
        for row in rows
        for key in (row.answers or {})
        if str(key).isdigit()
    }
    if not ids:
        return {}
    question = apps.get_model("events", "Question")
    return {
        pk: (text, kind)
        for pk, text, kind in question.objects.filter(pk__in=ids).values_list("pk", "text", "kind")
    }


def _value(
    label: str, row: models.Model, field: models.Field, linked: dict, questions: dict, user_pk: Any
) -> str:
    user_model = apps.get_model("accounts", "User")
    if field.is_relation:
        if field.related_model is user_model:
            return _("You") if getattr(row, field.attname) == user_pk else ""
        pk = getattr(row, field.attname)
        return "" if pk is None else linked.get((field.related_model, pk), "")
    value = getattr(row, field.attname)
    if value in (None, "", [], {}):
        return ""
    if field.name == "answers" and label == "events.registration":
        return _answers(value, questions)
    if (label, field.name) in CODED_LISTS and isinstance(value, list):
        names = _choices(*CODED_LISTS[(label, field.name)])
        return ", ".join(names.get(str(code), str(code)) for code in value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if (label, field.name) in REGION_TEXT:
        return region_label(value)
    if label == "privacy.auditentry" and field.name == "subject_type":
        return _record_type(value)
    if label == "privacy.auditentry" and field.name == "detail":
        # Details name consent purposes by their code; the person knows them by their notice's title.
        return re.sub(
            r"\b(" + "|".join(map(re.escape, CURRENT)) + r")\b", lambda m: str(CURRENT[m[1]].title), value
        )
    if field.name.endswith(MONEY_SUFFIX) and isinstance(value, int):
        return f"{value / 100:.2f}"
    if hasattr(value, "url") and hasattr(value, "name"):
        return value.name or ""
    if isinstance(value, dict | list):
        return _nested(value)
    return _scalar(value)


def _record_type(value: str) -> str:
    try:
        return str(capfirst(apps.get_model(value)._meta.verbose_name))
    except (LookupError, ValueError):
        return value


def _label(label: str, field: models.Field) -> str:
    custom = LABELS.get(label, {}).get(field.name)
    return str(capfirst(custom if custom is not None else field.verbose_name))


def _heading(label: str, row: models.Model, linked: dict) -> str:
    for name in ("event", "session", "series", "circle", "meeting"):
        field = next((f for f in row._meta.concrete_fields if f.name == name and f.is_relation), None)
        if field is not None and getattr(row, field.attname) is not None:
            return linked.get((field.related_model, getattr(row, field.attname)), "")
    if label == "privacy.consentrecord":
        notice = CURRENT.get(row.purpose)
        return str(notice.title) if notice else ""
    return ""


def my_data_sections(*, user: models.Model) -> list[Section]:
    """The page's sections: what the JSON download holds, as words; empty sections left out."""
    loaded: list[tuple[str, list[models.Model]]] = []
    withheld: list[Section] = []
    titles: dict[str, str] = {}
    for path in personal_paths():
        titles[path.label] = str(SECTIONS.get(path.label, capfirst(path.model._meta.verbose_name_plural)))
        if path.label in WITHHELD:
            count = _rows(path, user).count()
            if count:
                withheld.append(Section(titles[path.label], [], withheld=WITHHELD[path.label], count=count))
            continue
        rows = list(_rows(path, user))
        if rows:
            loaded.append((path.label, rows))
    linked = linked_names(loaded)
    questions = _questions(loaded)
    sections = []
    for label, rows in loaded:
        records = []
        for row in rows:
            items = []
            for field in row._meta.concrete_fields:
                if field.name in SECRET_FIELDS or field.name in HIDDEN:
                    continue
                shown = _value(label, row, field, linked, questions, user.pk)
                if shown:
                    items.append(Item(_label(label, field), shown))
            records.append(Record(_heading(label, row, linked), items))
        sections.append((label, Section(titles[label], records)))
    order = {label: n for n, label in enumerate(SECTIONS)}
    sections.sort(key=lambda pair: (order.get(pair[0], len(order)), pair[1].title))
    return [section for _label, section in sections] + withheld
