"""Re-encrypt every encrypted field with the newest key, so old keys can be retired."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction

from .fields import EncryptedMixin


@dataclass(frozen=True)
class RotationCount:
    model: str
    rows: int
    values: int


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[models.Field]]]:
    """Every concrete model with at least one encrypted field, across all installed apps."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
        if fields:
            yield model, fields


def keys_rotate_model(
    *, model: type[models.Model], fields: list[models.Field], batch_size: int
) -> RotationCount:
    """Rewrite `fields` of every row of `model`, one transaction per batch of rows.

    Reading decrypts with any configured key; writing encrypts with the first (newest), with a fresh IV.
    """
    names = [f.name for f in fields]
    pk_name = model._meta.pk.name
    last_pk = None
    rows_total = values_total = 0
    while True:
        with transaction.atomic():
            batch = model._base_manager.select_for_update().order_by(pk_name)
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            rows = list(batch.values_list(pk_name, *names)[:batch_size])
            if not rows:
                break
            last_pk = rows[-1][0]
            changed = []
            for pk, *values in rows:
                present = {n: v for n, v in zip(names, values, strict=True) if v is not None and v != ""}
                if not present:
                    continue
                instance = model(**{pk_name: pk, **present})
                changed.append((instance, list(present)))
                values_total += len(present)
            # One UPDATE per set of non-empty fields, rather than one per row.
            by_fields: dict[tuple[str, ...], list[models.Model]] = {}
            for instance, present_names in changed:
                by_fields.setdefault(tuple(present_names), []).append(instance)
            for field_names, instances in by_fields.items():
                model._base_manager.bulk_update(instances, list(field_names))
            rows_total += len(changed)
    return RotationCount(model=model._meta.label, rows=rows_total, values=values_total)
