"""DRF's JSON parser, refusing JSON nested too deeply for Python's parser with the API's own error body."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # About a thousand levels exhaust the parser's stack; nothing we accept nests more than a few.
            raise ParseError(_("The JSON sent is nested too deeply.")) from None
