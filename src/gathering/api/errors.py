"""One error body for every API failure: {"error": {"code", "message", "fields"}}, where `fields` maps each
field to a list of messages (messages for items of a list or object field are listed under the field)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        flat = [_flatten(item) for item in detail]
        return flat
    return str(detail)


def _messages(detail: Any) -> list[str]:
    """Every message in a field's errors, however DRF nested them (a list field's {"0": [...]})."""
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item)]
    return [str(detail)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # A Django ValidationError marked `conflict` (e.g. a duplicate) is valid input that clashes with what
    # exists: 409, with the same body.
    conflict = isinstance(exc, ValidationError) and getattr(exc, "conflict", False)
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # A refusal that says why (the services' messages are meant for the person) keeps its words.
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    fields: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten(exc.detail)
        if isinstance(detail, dict):
            fields = {key: _messages(value) for key, value in detail.items() if key != "non_field_errors"}
            general = detail.get("non_field_errors")
            message = general[0] if general else _("Some of the information sent is not valid.")
        else:
            message = detail[0] if detail else _("The request is not valid.")
        response.status_code = status.HTTP_400_BAD_REQUEST
        if conflict:
            code, response.status_code = "conflict", status.HTTP_409_CONFLICT
    else:
        message = str(getattr(exc, "detail", exc))
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response
