"""Receives the browser's Content-Security-Policy violation reports and logs only what helps fix the policy.

A report carries the address of the page the person was on (with its query string) and sometimes a sample of
the blocked script; both can be personal, so only the violated directive and the blocked resource's origin
are kept, and nothing is stored.
"""

import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

logger = logging.getLogger("gathering.csp")

MAX_BYTES = 16 * 1024
CONTENT_TYPES = {"application/csp-report", "application/reports+json", "application/json"}
DIRECTIVE_RE = re.compile(r"[a-z][a-z-]{0,39}")
# What browsers put in blocked-uri instead of an address.
KEYWORDS = {
    "inline",
    "eval",
    "data",
    "blob",
    "self",
    "wasm-eval",
    "trusted-types-policy",
    "trusted-types-sink",
}


def _origin(blocked: object) -> str:
    if not isinstance(blocked, str) or not blocked:
        return "unknown"
    if blocked in KEYWORDS:
        return blocked
    parts = urlsplit(blocked)
    if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname:
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}"
    if parts.scheme and re.fullmatch(r"[a-z][a-z0-9+.-]{0,19}", parts.scheme):
        return f"{parts.scheme}:"
    return "other"


def _directive(value: object) -> str:
    if isinstance(value, str):
        value = value.split(" ", 1)[0].strip().lower()
        if DIRECTIVE_RE.fullmatch(value):
            return value
    return "unknown"


def _violations(payload: Any) -> list[tuple[str, str]]:
    """(directive, blocked origin) for each violation in either report format; ValueError if neither."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        body = payload["csp-report"]
        directive = body.get("effective-directive") or body.get("violated-directive")
        return [(_directive(directive), _origin(body.get("blocked-uri")))]
    if isinstance(payload, list) and payload:
        found = []
        for report in payload[:20]:
            if not isinstance(report, dict) or not isinstance(report.get("body"), dict):
                raise ValueError("not a report")
            if report.get("type") != "csp-violation":
                continue
            body = report["body"]
            found.append((_directive(body.get("effectiveDirective")), _origin(body.get("blockedURL"))))
        return found
    raise ValueError("not a CSP report")


@csrf_exempt
@require_POST
def report(request: HttpRequest) -> HttpResponse:
    if is_ratelimited(request, group="csp-report", key="ip", rate="60/m", increment=True):
        return HttpResponse(status=429)
    content_type = (request.content_type or "").lower()
    if content_type not in CONTENT_TYPES:
        return HttpResponse(status=415)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponse(status=400)
    if declared > MAX_BYTES:
        return HttpResponse(status=413)
    # Read at most one byte past the cap, whatever the header claimed.
    body = request.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        return HttpResponse(status=413)
    try:
        violations = _violations(json.loads(body.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return HttpResponse(status=400)
    for directive, origin in violations:
        logger.warning("CSP violation: directive=%s blocked=%s", directive, origin)
    return HttpResponse(status=204)
