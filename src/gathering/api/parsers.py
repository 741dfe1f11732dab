"""DRF's JSON parser, refusing with the API's own error body JSON nested too deeply for Python's parser and
text that is not Unicode (a lone surrogate such as "\\ud800" parses, but no database can store it)."""

import json
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # About a thousand levels exhaust the parser's stack; nothing we accept nests more than a few.
            raise ParseError(_("The JSON sent is nested too deeply.")) from None
        try:
            json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise ParseError(_("The JSON sent has text that is not valid Unicode.")) from None
        return data
