"""What a partner's proposal says: the part of a service's HSDS document that members may change, the
answers of the proposal form applied to it, and the differences in words for the organisers.

A proposal is kept as an HSDS service document (`ServiceProposal.document`) holding the service's own fields,
its organisation and programme by id, and four lists in full: phones, schedules, cost options and
attributes. Lists the document leaves out (places, languages, areas served, ...) are left as they are by the
import, so approving a proposal can only touch what the form shows. Each part a member can change is a
`Part`; `changed_parts` names those a proposal changes, and `merge` puts exactly those onto the listing as it
is when an organiser approves it.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access, approaches, hours, hsds
from . import models as m
from .selectors import hsds_graph

# Monday first, as HSDS's `byday` spells the days.
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# A clock time the weekly form can show and write: hours and minutes, seconds only as ":00".
_SIMPLE_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::00)?")
# Schedule fields beyond a plain "these days, these hours, every week" (the form cannot show them).
_NOT_WEEKLY = (
    "valid_from",
    "valid_to",
    "dtstart",
    "until",
    "count",
    "byweekno",
    "bymonthday",
    "byyearday",
    "timezone",
)
APPROACH_TERMS = {str(approaches.term_id(code)): (code, name) for code, name in approaches.TERMS}
ACCESS_TERMS = {str(access.term_id(code)): (code, name) for code, name, _description in access.TERMS}
# The service's own fields kept in a proposal's document (every one: a field the document leaves out is
# emptied by the import).
SERVICE_FIELDS = hsds.SPECS["service"].fields
LISTS = ("phones", "schedules", "cost_options", "attributes")

Hours = tuple[tuple[str, str] | None, ...]
NO_HOURS: Hours = (None,) * 7


@dataclass(frozen=True)
class ServiceAnswers:
    """The proposal form's answers. `free` is "free", "paid" or "" (not answered: the costs stay as they
    are); `hours` has one (opens, closes) pair as "HH:MM" per weekday, Monday first, or None for closed."""

    name: str
    description: str = ""
    eligibility_description: str = ""
    application_process: str = ""
    free: str = ""
    fees_description: str = ""
    phone: str = ""
    email: str = ""
    url: str = ""
    hours: Hours = NO_HOURS
    approaches: tuple[str, ...] = ()
    ways_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    """One thing a member may change, as the organisers read it: how to read it from a document, how to
    copy it from one document to another, and how to say it in words."""

    key: str
    label: str | Promise
    read: Callable[[dict[str, Any]], Any]
    copy: Callable[[dict[str, Any], dict[str, Any]], None]
    words: Callable[[Any], list[str]]


@dataclass(frozen=True)
class Change:
    """One row of a proposal's differences: what the listing says now, what the proposal says, and whether
    the listing has changed in this part since the proposal was made."""

    label: str | Promise
    now: list[str]
    proposed: list[str]
    moved_since: bool = False


@dataclass
class Form:
    """What the proposal form starts from: the answers a document gives, and whether its opening hours
    include rules the weekly form cannot show (then saving other hours replaces them all)."""

    answers: ServiceAnswers
    hours_partial: bool = False
    hours_words: list[str] = field(default_factory=list)


# --- reading and writing the parts ----------------------------------------------------------------------


def _text_part(key: str, label: Promise) -> Part:
    def read(document: dict[str, Any]) -> str:
        return str(document.get(key) or "")

    def copy_to(target: dict[str, Any], source: dict[str, Any]) -> None:
        value = read(source)
        if value:
            target[key] = value
        else:
            target.pop(key, None)

    return Part(key, label, read, copy_to, lambda value: [value] if value else [])


def _list_part(key: str, label: Promise, words: Callable[[Any], list[str]]) -> Part:
    def read(document: dict[str, Any]) -> list[Any]:
        return list(document.get(key) or [])

    def copy_to(target: dict[str, Any], source: dict[str, Any]) -> None:
        # Always written, [] included: a list the import is given is the whole list.
        target[key] = copy.deepcopy(read(source))

    return Part(key, label, read, copy_to, words)


def _term_of(attribute: dict[str, Any]) -> str | None:
    term = attribute.get("taxonomy_term_id")
    if term is None and isinstance(attribute.get("taxonomy_term"), dict):
        term = attribute["taxonomy_term"].get("id")
    return str(term) if term is not None else None


def _terms_part(key: str, label: Promise, terms: dict[str, tuple[str, str]]) -> Part:
    """Our approaches or ways in: the attributes applying one taxonomy's terms. Copying replaces only those
    attributes, keeping the target's own attribute for a term both have."""

    def read(document: dict[str, Any]) -> list[str]:
        found = {_term_of(attribute) for attribute in document.get("attributes") or []}
        return sorted(term for term in found if term in terms)

    def copy_to(target: dict[str, Any], source: dict[str, Any]) -> None:
        kept = {}
        others = []
        for attribute in target.get("attributes") or []:
            term = _term_of(attribute)
            if term in terms:
                kept.setdefault(term, attribute)
            else:
                others.append(attribute)
        wanted = []
        for attribute in source.get("attributes") or []:
            term = _term_of(attribute)
            if term in terms and term not in {_term_of(a) for a in wanted}:
                wanted.append(copy.deepcopy(kept.get(term, attribute)))
        target["attributes"] = others + wanted

    def words(value: list[str]) -> list[str]:
        order = list(terms)
        return [terms[term][1] for term in sorted(value, key=order.index)]

    return Part(key, label, read, copy_to, words)


def _phone_words(phones: list[dict[str, Any]]) -> list[str]:
    lines = []
    for phone in phones:
        line = str(phone.get("number", ""))
        if phone.get("extension") is not None:
            line += " " + _("extension %(ext)s") % {"ext": phone["extension"]}
        if phone.get("type") == "text":
            line = _("Text: %(number)s") % {"number": line}
        if phone.get("description"):
            line += f" ({phone['description']})"
        lines.append(line)
    return lines


def _is_free(option: dict[str, Any]) -> bool:
    return _amount(option) == 0 or str(option.get("option", "")).strip().lower() == "free"


def _amount(option: dict[str, Any]) -> Decimal | None:
    value = option.get("amount")
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _cost_words(options: list[dict[str, Any]]) -> list[str]:
    lines = []
    for option in options:
        if _is_free(option):
            parts = [_("Free")]
        else:
            amount = _amount(option)
            parts = (
                [f"{amount.normalize():f} {option.get('currency', '')}".strip()] if amount is not None else []
            )
            if option.get("option"):
                parts.append(str(option["option"]))
        if option.get("amount_description"):
            parts.append(str(option["amount_description"]))
        lines.append(" – ".join(parts) or _("A cost option with no details"))
    return lines


def _schedule_words(schedules: list[dict[str, Any]]) -> list[str]:
    return [
        hours.describe(schedule) or _("Opening hours that cannot be put into words")
        for schedule in hours.in_week_order(schedules)
    ]


PARTS: tuple[Part, ...] = (
    _text_part("name", gettext_lazy("Name")),
    _text_part("description", gettext_lazy("Description")),
    _text_part("eligibility_description", gettext_lazy("Who it is for")),
    _text_part("application_process", gettext_lazy("How to get support")),
    _list_part("cost_options", gettext_lazy("Cost"), _cost_words),
    _text_part("fees_description", gettext_lazy("About the cost")),
    _list_part("phones", gettext_lazy("Phone numbers"), _phone_words),
    _text_part("email", gettext_lazy("Email")),
    _text_part("url", gettext_lazy("Website")),
    _list_part("schedules", gettext_lazy("Opening hours"), _schedule_words),
    _terms_part("approaches", gettext_lazy("Approaches"), APPROACH_TERMS),
    _terms_part("ways_in", gettext_lazy("Ways in"), ACCESS_TERMS),
)
PARTS_BY_KEY = {part.key: part for part in PARTS}


# --- documents ------------------------------------------------------------------------------------------


def _flat_attribute(attribute: dict[str, Any]) -> dict[str, Any]:
    """An attribute naming its term by id instead of nesting it, so writing it back never rewrites the
    term or its taxonomy."""
    flat = {key: value for key, value in attribute.items() if key != "taxonomy_term"}
    term = _term_of(attribute)
    if term is not None:
        flat["taxonomy_term_id"] = term
    return flat


def editable_document(service: m.Service) -> dict[str, Any]:
    """The part of `service`'s HSDS document that a proposal may change, as the import reads it: its own
    fields, its organisation and programme by id, and its phones, schedules, costs and attributes."""
    full = hsds.document(hsds_graph(services=[service.pk]), "service", service)
    document: dict[str, Any] = {"id": full["id"]}
    document.update({key: value for key, value in full.items() if key in SERVICE_FIELDS})
    document["organization_id"] = str(service.organization_id)
    if service.program_id is not None:
        document["program_id"] = str(service.program_id)
    for key in LISTS:
        document[key] = copy.deepcopy(full.get(key, []))
    document["attributes"] = [_flat_attribute(attribute) for attribute in document["attributes"]]
    return document


def new_document(organization: m.Organization) -> dict[str, Any]:
    """An empty listing for a new service of `organization`, with the id it will have."""
    return {
        "id": str(uuid.uuid4()),
        "name": "",
        "status": m.Service.Status.ACTIVE.value,
        "organization_id": str(organization.pk),
        **{key: [] for key in LISTS},
    }


def problems(document: dict[str, Any]) -> list[str]:
    """What is wrong with `document` as an HSDS 3.0 and UK profile service, and with its values, in the
    import's words (empty: it can be imported)."""
    found = hsds.validate(document, "service")
    if found:
        return [f"{hsds.pointer(path)}: {message}" for path, message in found]
    flat = hsds.flatten(document, "service", hsds.pointer)
    return [f"{where}: {message}" for where, message in flat.problems]


# --- the form's answers ---------------------------------------------------------------------------------


def _main_phone(phones: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The phone the form edits: the first that is not a text line."""
    return next((phone for phone in phones if phone.get("type", "") in ("", "voice")), None)


def _simple_time(value: Any) -> str | None:
    match = _SIMPLE_TIME.fullmatch(str(value or ""))
    return f"{match.group(1)}:{match.group(2)}" if match else None


def _weekly_hours(schedules: list[dict[str, Any]]) -> tuple[Hours, bool]:
    """The weekly form's hours from `schedules`, and whether some schedule says more than it can show."""
    days: list[tuple[str, str] | None] = [None] * 7
    partial = False
    for schedule in schedules:
        opens, closes = _simple_time(schedule.get("opens_at")), _simple_time(schedule.get("closes_at"))
        codes = [code.strip().upper() for code in str(schedule.get("byday") or "").split(",") if code.strip()]
        plain = (
            str(schedule.get("freq") or "").upper() == "WEEKLY"
            and schedule.get("interval") in (None, 1)
            and not any(schedule.get(name) not in (None, "") for name in _NOT_WEEKLY)
            and opens is not None
            and closes is not None
            and codes
            and all(code in DAY_CODES for code in codes)
        )
        if not plain:
            partial = True
            continue
        for code in codes:
            index = DAY_CODES.index(code)
            if days[index] is not None and days[index] != (opens, closes):
                partial = True  # two openings on one day: the form shows the first
                continue
            days[index] = (opens, closes)
    return tuple(days), partial


def form_start(document: dict[str, Any]) -> Form:
    """The answers the proposal form starts from for this listing."""
    phone = _main_phone(document.get("phones") or [])
    options = document.get("cost_options") or []
    free = ""
    if options:
        free = "free" if any(_is_free(option) for option in options) else "paid"
    weekly, partial = _weekly_hours(document.get("schedules") or [])
    answers = ServiceAnswers(
        name=str(document.get("name") or ""),
        description=str(document.get("description") or ""),
        eligibility_description=str(document.get("eligibility_description") or ""),
        application_process=str(document.get("application_process") or ""),
        free=free,
        fees_description=str(document.get("fees_description") or ""),
        phone=str(phone.get("number", "")) if phone else "",
        email=str(document.get("email") or ""),
        url=str(document.get("url") or ""),
        hours=weekly,
        approaches=tuple(APPROACH_TERMS[t][0] for t in PARTS_BY_KEY["approaches"].read(document)),
        ways_in=tuple(ACCESS_TERMS[t][0] for t in PARTS_BY_KEY["ways_in"].read(document)),
    )
    words = _schedule_words(document.get("schedules") or []) if partial else []
    return Form(answers=answers, hours_partial=partial, hours_words=words)


def _schedules_for(weekly: Hours) -> list[dict[str, Any]]:
    """One weekly schedule per set of days that share their hours, Monday first."""
    groups: dict[tuple[str, str], list[str]] = {}
    for code, times in zip(DAY_CODES, weekly, strict=True):
        if times is not None:
            groups.setdefault(times, []).append(code)
    return [
        {
            "id": str(uuid.uuid4()),
            "freq": "WEEKLY",
            "byday": ",".join(codes),
            "opens_at": opens,
            "closes_at": closes,
        }
        for (opens, closes), codes in groups.items()
    ]


def _attributes_for(document: dict[str, Any], codes: tuple[str, ...], terms: dict[str, Any]) -> list[Any]:
    """The document's attributes with this taxonomy's terms set to `codes` (kept ones keep their ids)."""
    wanted = [term for term, (code, _name) in terms.items() if code in codes]
    kept = {}
    others = []
    for attribute in document.get("attributes") or []:
        term = _term_of(attribute)
        if term in terms:
            kept.setdefault(term, attribute)
        else:
            others.append(attribute)
    chosen = [
        kept.get(term) or {"id": str(uuid.uuid4()), "taxonomy_term_id": term, "link_entity": "service"}
        for term in wanted
    ]
    return others + chosen


TEXT_ANSWERS = (
    "name",
    "description",
    "eligibility_description",
    "application_process",
    "fees_description",
    "email",
    "url",
)


def _plain(value: Any) -> str:
    return str(value or "").replace("\r\n", "\n").strip()


def apply_answers(document: dict[str, Any], answers: ServiceAnswers, *, start: Form) -> dict[str, Any]:
    """`document` with the form's answers in it. Parts the person did not change are left exactly as they
    were: the opening hours are rewritten only when the weekly answers differ from the form's start, and the
    costs only when the free-or-paid answer differs from the listing's."""
    proposed = copy.deepcopy(document)
    for key in TEXT_ANSWERS:
        answer = _plain(getattr(answers, key))
        # Text that only differs in line endings or surrounding spaces (a browser sends CRLF) is unchanged.
        if answer == _plain(proposed.get(key)):
            continue
        if answer:
            proposed[key] = answer
        else:
            proposed.pop(key, None)

    phones = proposed.setdefault("phones", [])
    phone = _main_phone(phones)
    number = " ".join(answers.phone.split())
    if phone is not None and not number:
        phones.remove(phone)
    elif phone is not None and " ".join(str(phone.get("number", "")).split()) != number:
        phone["number"] = number
    elif phone is None and number:
        phones.insert(0, {"id": str(uuid.uuid4()), "number": number})

    if answers.free and answers.free != start.answers.free:
        options = proposed.get("cost_options") or []
        if answers.free == "free":
            currency = next((o.get("currency") for o in options if o.get("currency")), "GBP")
            free = [option for option in options if _is_free(option)][:1]
            proposed["cost_options"] = free or [
                {"id": str(uuid.uuid4()), "option": "Free", "amount": 0, "currency": currency}
            ]
        else:
            proposed["cost_options"] = [option for option in options if not _is_free(option)]

    if answers.hours != start.answers.hours:
        proposed["schedules"] = _schedules_for(answers.hours)

    proposed["attributes"] = _attributes_for(proposed, answers.approaches, APPROACH_TERMS)
    proposed["attributes"] = _attributes_for(proposed, answers.ways_in, ACCESS_TERMS)
    return proposed


# --- comparing ------------------------------------------------------------------------------------------


def changed_parts(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The keys of the parts in which `after` differs from `before`, in the form's order."""
    return [part.key for part in PARTS if part.read(before) != part.read(after)]


def merge(current: dict[str, Any], proposed: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """The listing as it is now (`current`) with the parts named by `keys` taken from `proposed`."""
    merged = copy.deepcopy(current)
    for key in keys:
        PARTS_BY_KEY[key].copy(merged, proposed)
    return merged


def differences(
    *, proposed: dict[str, Any], current: dict[str, Any] | None, base: dict[str, Any] | None, keys: list[str]
) -> list[Change]:
    """The proposal's changes in words, part by part: the listing now (nothing, for a new service) and the
    proposal, and whether the listing changed in that part after the proposal was made."""
    rows = []
    for key in keys:
        part = PARTS_BY_KEY[key]
        now = part.read(current) if current is not None else None
        rows.append(
            Change(
                label=part.label,
                now=part.words(now) if now is not None else [],
                proposed=part.words(part.read(proposed)),
                moved_since=current is not None and base is not None and part.read(base) != now,
            )
        )
    return rows
