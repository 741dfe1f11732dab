"""A logging filter that keeps personal data out of logs: email addresses and query strings are masked."""

import logging
import re

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Query strings may carry search terms or tokens typed by a person; the path alone is enough to debug.
QUERY_RE = re.compile(r"(\s/[^\s?\"]*)\?[^\s\"]*")


def scrub(text: str) -> str:
    """Mask email addresses and drop query strings from one log message."""
    return QUERY_RE.sub(r"\1?…", EMAIL_RE.sub("[email]", text))


class NoPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
