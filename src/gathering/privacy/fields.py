"""Model fields that keep special-category data encrypted at rest.

The database only ever sees Fernet tokens; Python code sees the plain value. They cannot be searched or
sorted in SQL (that would need the plaintext), so only `isnull` lookups are allowed.
"""

import json
from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from . import crypto


class EncryptedMixin:
    encrypted = True

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.__class__.__name__} is encrypted and cannot be filtered with '{lookup_name}'."
            )
        return super().get_lookup(lookup_name)

    def get_internal_type(self) -> str:
        return "TextField"


class EncryptedTextField(EncryptedMixin, models.TextField):
    """Text stored encrypted. An empty string is stored as an empty string (nothing to hide)."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)


class EncryptedJSONField(EncryptedMixin, models.TextField):
    """A JSON value (list, dict, ...) stored encrypted as one token."""

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return json.loads(crypto.decrypt(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                return value
        return value

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)
