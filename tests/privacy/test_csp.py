"""The CSP report endpoint: accepts both report formats, keeps only directive and origin, never errors."""

import json
import logging
import time

import pytest
from django.core.cache import cache

from gathering.privacy.csp import MAX_BYTES

pytestmark = pytest.mark.django_db

URL = "/csp-report/"
LEGACY = {
    "csp-report": {
        "document-uri": "https://gathering.example/help/concern/?name=Ottoline+Wraxby",
        "referrer": "https://gathering.example/my/gatherings/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'",
        "blocked-uri": "https://evil.example:8443/track.js?email=ottoline@example.org",
        "script-sample": "ottoline@example.org",
        "status-code": 200,
    }
}
REPORTING_API = [
    {
        "type": "csp-violation",
        "age": 10,
        "url": "https://gathering.example/account/?q=secret",
        "body": {
            "documentURL": "https://gathering.example/account/?q=secret",
            "effectiveDirective": "img-src",
            "blockedURL": "https://cdn.example/pixel.gif?u=42",
            "sample": "",
        },
    },
    {"type": "deprecation", "body": {"id": "x"}},
]


def post(client, body, content_type="application/csp-report"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type)


def test_a_legacy_report_is_logged_with_directive_and_origin_only(client, caplog):
    with caplog.at_level(logging.WARNING, logger="gathering.csp"):
        response = post(client, LEGACY)

    assert response.status_code == 204
    assert [r.getMessage() for r in caplog.records] == [
        "CSP violation: directive=script-src-elem blocked=https://evil.example:8443"
    ]


def test_a_reporting_api_report_is_logged_for_csp_violations_only(client, caplog):
    with caplog.at_level(logging.WARNING, logger="gathering.csp"):
        response = post(client, REPORTING_API, "application/reports+json")

    assert response.status_code == 204
    assert [r.getMessage() for r in caplog.records] == [
        "CSP violation: directive=img-src blocked=https://cdn.example"
    ]


@pytest.mark.parametrize(
    ("blocked", "logged"),
    [
        ("inline", "inline"),
        ("eval", "eval"),
        ("data", "data"),
        ("", "unknown"),
        ("javascript:alert(1)", "javascript:"),
    ],
)
def test_blocked_keywords_are_kept_and_odd_values_reduced(client, caplog, blocked, logged):
    report = {"csp-report": {"violated-directive": "script-src 'self'", "blocked-uri": blocked}}
    with caplog.at_level(logging.WARNING, logger="gathering.csp"):
        assert post(client, report).status_code == 204

    assert caplog.records[0].getMessage() == f"CSP violation: directive=script-src blocked={logged}"


def test_a_strange_directive_is_not_logged_as_given(client, caplog):
    report = {"csp-report": {"violated-directive": "ottoline@example.org", "blocked-uri": "inline"}}
    with caplog.at_level(logging.WARNING, logger="gathering.csp"):
        assert post(client, report).status_code == 204

    assert caplog.records[0].getMessage() == "CSP violation: directive=unknown blocked=inline"


def test_an_oversized_report_is_refused(client, caplog):
    report = {"csp-report": {"violated-directive": "img-src", "blocked-uri": "x" * MAX_BYTES}}
    with caplog.at_level(logging.WARNING, logger="gathering.csp"):
        response = post(client, report)

    assert response.status_code == 413
    assert caplog.records == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b"{}",
        b'{"csp-report": "x"}',
        b"[1, 2]",
        b"null",
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_a_malformed_report_is_a_400(client, body):
    assert post(client, body).status_code == 400


def test_another_content_type_is_refused(client):
    assert post(client, LEGACY, "text/plain").status_code == 415


def test_only_post_is_allowed(client):
    assert client.get(URL).status_code == 405


def test_no_csrf_token_is_needed(db):
    from django.test import Client

    response = post(Client(enforce_csrf_checks=True), LEGACY)

    assert response.status_code == 204


def test_reports_are_rate_limited_per_address(client):
    # The limit counts per clock minute: on a loaded machine the 61 reports may straddle a minute's end,
    # which starts a new count. Send them again within one minute then.
    for _attempt in range(3):
        cache.clear()
        minute = time.time() // 60
        statuses = [post(client, LEGACY).status_code for _ in range(61)]
        if time.time() // 60 == minute:
            break

    assert statuses == [204] * 60 + [429]
    other = client.post(
        URL, data=json.dumps(LEGACY), content_type="application/csp-report", REMOTE_ADDR="10.0.0.2"
    )
    assert other.status_code == 204


def test_pages_ask_browsers_to_report_here(client):
    response = client.get("/")

    assert "report-uri /csp-report/" in response.headers["Content-Security-Policy"]
