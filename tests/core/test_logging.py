"""Logs never carry personal data: email addresses and query strings are masked."""

import logging

from gathering.core.logging import NoPersonalDataFilter, scrub


def test_scrub_masks_email_addresses():
    assert scrub("sign-in failed for jo.bloggs+x@example.org.uk") == "sign-in failed for [email]"


def test_scrub_drops_query_strings_from_request_lines():
    line = '"GET /help/?country=IE&name=Jo HTTP/1.1" 200 4590'
    assert scrub(line) == '"GET /help/?… HTTP/1.1" 200 4590'


def test_filter_rewrites_the_record():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s signed up", ("a@b.org",), None)
    assert NoPersonalDataFilter().filter(record) is True
    assert record.getMessage() == "user [email] signed up"
