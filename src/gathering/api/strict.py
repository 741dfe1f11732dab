"""Input takes JSON's types as the schema states them. DRF's fields coerce quietly (0 or "no" becomes
false, 5 becomes "5", "3" becomes 3, {} becomes ""), so a request the schema calls wrong would be accepted
as something the caller may not have meant; here it is refused with a message for the field instead."""

from collections.abc import Mapping
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy
from rest_framework import serializers

# Text the API takes has no control characters (tab and line breaks aside), as the services require; as
# patterns, so the schema says so too.
_REFUSED = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
plain_text = RegexValidator(
    rf"^[^{_REFUSED}]*$", message=gettext_lazy("This cannot contain control characters.")
)
# ...and, where something must be said, more than spaces.
non_blank_text = RegexValidator(
    rf"^[^{_REFUSED}]*[^\s{_REFUSED}][^{_REFUSED}]*$",
    message=gettext_lazy("Enter some text (not only spaces, and no control characters)."),
)


def _message(field: serializers.Field, key: str, value: Any) -> str:
    # DRF's own message for the field, so a wrong type reads as it always has.
    return str(field.error_messages[key]).format(input=value, input_type=type(value).__name__)


def _type_error(field: serializers.Field, value: Any) -> str | None:
    if value is None:
        return None if getattr(field, "allow_null", False) else _message(field, "null", value)
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _message(field, "invalid", value)
    if isinstance(field, serializers.IntegerField):
        return (
            None
            if isinstance(value, int) and not isinstance(value, bool)
            else _message(field, "invalid", value)
        )
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return _message(field, "not_a_list", value)
        for item in value:
            error = _type_error(field.child, item)
            if error:
                return error
        return None
    if isinstance(field, serializers.DictField):
        return None if isinstance(value, dict) else _message(field, "not_a_dict", value)
    if isinstance(field, serializers.ChoiceField):
        if all(isinstance(choice, str) for choice in field.choices) and not isinstance(value, str):
            return _message(field, "invalid_choice", value)
        return None
    if isinstance(field, serializers.CharField):
        return None if isinstance(value, str) else _message(field, "invalid", value)
    return None


def json_type_errors(
    fields: Mapping[str, serializers.Field], data: Mapping[str, Any]
) -> dict[str, list[str]]:
    """A message for each writable field in `data` whose value is not of the field's JSON type."""
    errors = {}
    for name, field in fields.items():
        if field.read_only or name not in data:
            continue
        error = _type_error(field, data[name])
        if error:
            errors[name] = [error]
    return errors


class StrictTypes:
    # Serializer mixin: refuse values of the wrong JSON type before DRF's fields would coerce them. (A
    # comment, not a docstring: the schema would show a docstring as each serializer's description.)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = json_type_errors(self.fields, data)
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
