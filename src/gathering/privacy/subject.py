"""A person's data across the whole site: finding it, exporting it (subject access), and erasing it.

Every model with a path to the person (a foreign key to the user, or to a row that has one) is found by
walking the models, so a model added later is covered without anyone remembering to list it. What is
withheld from an export, or kept after erasure, is named with the reason (see docs/data-protection.md).
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils.translation import gettext as _

# Models whose rows are never shown in an export, with the reason given to the person.
WITHHELD = {
    "support.concernnote": "Safeguarding leads' notes are withheld: they may concern other people's safety "
    "(UK GDPR and Data Protection Act 2018, Schedule 2, exemptions for the protection of others).",
    "core.outboxmessage": "Copies of emails we sent you are not kept in the export; they are deleted 30 days "
    "after sending.",
    "mfa.authenticator": "Your two-step verification secrets are not exported, for your safety.",
    "account.emailconfirmation": "One-time confirmation keys are not exported.",
    "sessions.session": "Sign-in sessions hold no data about you beyond being signed in.",
}
# Keys that record what a staff member did to someone else's record: that record is the other person's data,
# not the staff member's, so it is not exported to them through this key.
ACTING_ON_OTHERS = {
    ("events.bursaryapplication", "decided_by"),
    ("support.concern", "assigned_to"),
    ("support.concernnote", "author"),
    ("support.concernstatuschange", "changed_by"),
    ("directory.changereport", "handled_by"),
    ("directory.serviceproposal", "decided_by"),
    ("directory.organizationmember", "added_by"),
    ("directory.organizationinvitation", "invited_by"),
}
# Fields never exported: secrets and internal keys.
SECRET_FIELDS = {"password", "key_hash", "checkin_code", "token", "data", "secret", "session_data", "key"}
# What a linked record's name reads from, loaded with it so naming it costs no query.
NAMED_WITH = {
    "events.tickettype": ("event",),
    "events.registration": ("event",),
    "programme.session": ("programme__event",),
    "programme.programme": ("event",),
    "circles.meeting": ("circle",),
    "circles.circlemembership": ("series",),
}
# The download writes, beside each link's id, the name of what it links to under this key ("event_name").
NAME_SUFFIX = "_name"


@dataclass(frozen=True)
class Path:
    """How a model reaches the person: any of `lookups` (ORed) filters it to their rows."""

    label: str
    model: type[models.Model]
    lookups: tuple[str, ...]


def _user_model() -> type[models.Model]:
    return get_user_model()


def personal_paths(*, depth: int = 2) -> list[Path]:
    """Every model that points at the user, directly or through one model that does; one Path per model."""
    merged: dict[str, Path] = {}
    for path in _paths(depth=depth):
        known = merged.get(path.label)
        lookups = path.lookups if known is None else known.lookups + path.lookups
        merged[path.label] = Path(path.label, path.model, lookups)
    return list(merged.values())


def _paths(*, depth: int) -> list[Path]:
    user_model = _user_model()
    paths: list[Path] = [Path(user_model._meta.label_lower, user_model, ("pk",))]
    direct: list[tuple[type[models.Model], str]] = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            pointer = field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)
            acting = (model._meta.label_lower, field.name) in ACTING_ON_OTHERS
            if pointer and field.related_model is user_model and not acting:
                direct.append((model, field.name))
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                field.concrete
                and field.many_to_many
                and field.related_model is user_model
                and model is not user_model
            ):
                paths.append(Path(model._meta.label_lower, model, (field.name,)))
    for model, name in direct:
        paths.append(Path(model._meta.label_lower, model, (name,)))
    if depth > 1:
        seen = {path.label for path in paths}
        for model in apps.get_models():
            if model._meta.label_lower in seen:
                continue
            for field in model._meta.get_fields():
                if not (field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)):
                    continue
                for parent, name in direct:
                    if field.related_model is parent:
                        paths.append(Path(model._meta.label_lower, model, (f"{field.name}__{name}",)))
                        seen.add(model._meta.label_lower)
                        break
    return paths


def _rows(path: Path, user: models.Model) -> models.QuerySet:
    condition = models.Q()
    for lookup in path.lookups:
        condition |= models.Q(**{lookup: user.pk})
    return path.model._default_manager.filter(condition).distinct()


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if hasattr(value, "name") and hasattr(value, "url"):  # files
        return value.name or None
    return value


def linked_names(loaded: list[tuple[str, list[models.Model]]]) -> dict[tuple[type, Any], str]:
    """Every record the rows link to (a Gathering, a ticket, a session, a circle) by the name a person knows
    it by: one query per kind of record. Links to accounts are never named: another person's name is not
    the person's data, and their own is in their account's row."""
    wanted: dict[type[models.Model], set[Any]] = {}
    user_model = _user_model()
    for _label, rows in loaded:
        for row in rows:
            for field in row._meta.concrete_fields:
                if field.is_relation and field.related_model is not user_model:
                    pk = getattr(row, field.attname)
                    if pk is not None:
                        wanted.setdefault(field.related_model, set()).add(pk)
    names: dict[tuple[type, Any], str] = {}
    for model, pks in wanted.items():
        rows = model._default_manager.select_related(*NAMED_WITH.get(model._meta.label_lower, ()))
        for pk, obj in rows.in_bulk(list(pks)).items():
            names[(model, pk)] = _linked_name(obj)
    return names


def _linked_name(obj: models.Model) -> str:
    label = obj._meta.label_lower
    if label == "programme.session":
        return _("“%(title)s” at %(event)s") % {"title": obj.title, "event": obj.programme.event.title}
    if label == "circles.groupagreement":
        return _("Version %(n)s") % {"n": obj.version}
    return str(obj)


def _record(instance: models.Model, names: dict[tuple[type, Any], str]) -> dict[str, Any]:
    record = {}
    user_model = _user_model()
    for field in instance._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        if field.is_relation:
            pk = getattr(instance, field.attname)
            record[field.name] = pk
            if field.related_model is not user_model:
                # An id alone means nothing to the person reading the file: the name goes beside it.
                record[field.name + NAME_SUFFIX] = names.get((field.related_model, pk))
        else:
            record[field.name] = _value(getattr(instance, field.name))
    return record


def subject_export(*, user: models.Model) -> dict[str, Any]:
    """Everything held about the person, by model: rows, or the reason they are withheld. Each link to
    another record carries that record's name beside its id (`event` and `event_name`)."""
    data: dict[str, Any] = {"exported_for": user.email, "generated_at": _value(datetime.now().astimezone())}
    sections: dict[str, Any] = {}
    loaded: list[tuple[str, list[models.Model]]] = []
    for path in personal_paths():
        if path.label in WITHHELD:
            count = _rows(path, user).count()
            sections[path.label] = {"withheld": WITHHELD[path.label], "count": count}
            continue
        sections[path.label] = {"title": str(path.model._meta.verbose_name_plural)}
        loaded.append((path.label, list(_rows(path, user))))
    names = linked_names(loaded)
    for label, rows in loaded:
        sections[label]["rows"] = [_record(row, names) for row in rows]
    data["data"] = sections
    return data


def subject_export_json(*, user: models.Model) -> str:
    return json.dumps(subject_export(user=user), ensure_ascii=False, indent=2, sort_keys=False, default=str)


def iter_sections(export: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from export["data"].items()


@dataclass(frozen=True)
class ErasureReport:
    deleted: dict[str, int]
    kept: dict[str, str]


@transaction.atomic
def subject_erase(*, user: models.Model) -> ErasureReport:
    """Erase the person. Each app first keeps, anonymised, what the law or aggregate counts need (its own
    `account_deleting` receiver says what and why); then the account and all that hangs off it is deleted."""
    from gathering.accounts.signals import account_deleting

    kept: dict[str, str] = {}
    for _receiver, answer in account_deleting.send(sender=type(user), user=user):
        kept.update(answer or {})
    from gathering.core.outbox import outbox_forget_address

    outbox_forget_address(email=user.email)
    label = user._meta.label_lower
    _count, per_model = user.delete()
    deleted = {key.lower(): value for key, value in per_model.items() if value}
    deleted.setdefault(label, 1)
    return ErasureReport(deleted=deleted, kept=kept)
