"""The visitor's address, decided in one place for every per-address limit.

Sign-in limits (allauth), the form limits (django-ratelimit) and the API throttle all ask this function, so
they count the same address. Behind `GATHERING_TRUSTED_PROXY_COUNT` proxies, the address is the one the
outermost trusted proxy saw: the entry that many places from the right of `X-Forwarded-For` (each proxy
appends the address it was reached from; nginx as deployed replaces the header with it). Anything a client
wrote further left is not trusted.

A header that is missing, empty, too short or not an address never fails the request (a safeguarding
concern must always go through): the request is counted under the address of the proxy that sent it, which
is strict rather than lenient, since every such request then shares one limit.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# Counted when even the connection's own address is unknown (a Unix socket without a proxy header): a value
# to count by, never an address to listen on.
UNKNOWN = "0.0.0.0"  # noqa: S104  # nosec B104


def _parse(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address per-address limits count `request` under (always a valid IP address)."""
    count = settings.GATHERING_TRUSTED_PROXY_COUNT
    if count > 0:
        hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count and (address := _parse(hops[-count])):
            return address
    return _parse(request.META.get("REMOTE_ADDR") or "") or UNKNOWN
