"""Limits on password guessing that a stranger elsewhere cannot use to lock a person out.

allauth already counts failed sign-ins per address and, slowly, per account (ACCOUNT_RATE_LIMITS
"login_failed", which also limits second-factor codes per person). Here we add the fast limit for one
account from one address, and the limit on the password asked before an account is deleted.

Only wrong passwords count. An attempt is counted before the password is checked, so guesses sent in
parallel cannot all slip under the limit, and given back when the password was right or never checked.
The counters are allauth's (`allauth.core.internal.ratelimit`, the module its own adapter uses), kept in
the shared cache and configured in ACCOUNT_RATE_LIMITS.
"""

import ipaddress
from dataclasses import dataclass

from allauth import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.core.internal import ratelimit
from django.http import HttpRequest

SIGN_IN_HERE = "login_failed_here"
DELETE_ACCOUNT = "delete_account_failed"


@dataclass(frozen=True)
class Attempt:
    usage: ratelimit.RateLimitUsage

    def give_back(self) -> None:
        """The password was right, or was not checked: this attempt does not count."""
        self.usage.rollback()


def _address(request: HttpRequest) -> str:
    # The same address allauth's own limits use: behind nginx, the visitor's (ALLAUTH_TRUSTED_PROXY_COUNT),
    # and one IPv6 /64 network as one address, since a single home or phone is given a whole /64.
    address = get_adapter(request).get_client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{allauth_settings.RATE_LIMIT_IPV6_PREFIX}", strict=False))
    return address


def _attempt(request: HttpRequest, *, action: str, **where: object) -> Attempt | None:
    usage = ratelimit.consume(request, app="allauth.account", action=action, **where)
    return Attempt(usage) if usage is not None else None


def sign_in_attempt(request: HttpRequest, *, email: str) -> Attempt | None:
    """Count a sign-in to `email` from this address, or None when too many have failed here lately."""
    # allauth hashes the key before it reaches the cache: no address or email is stored in clear.
    return _attempt(request, action=SIGN_IN_HERE, key=f"{email.strip().lower()} {_address(request)}")


def account_deletion_attempt(request: HttpRequest) -> Attempt | None:
    """Count a password check before deleting the signed-in account, or None when too many have failed."""
    return _attempt(request, action=DELETE_ACCOUNT, user=request.user)
