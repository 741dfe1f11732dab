"""What this session's sign-in proved: whether it passed the second factor, and how recently the person
proved who they are. allauth keeps a record of each step in the session; the account alone says nothing
about a session (someone may have set up an authenticator app from another one)."""

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from django.http import HttpRequest

from .models import User

MFA_METHOD = "mfa"


def session_passed_second_factor(*, request: HttpRequest, user: User) -> bool:
    return any(record.get("method") == MFA_METHOD for record in get_authentication_records(request, user))


def session_record_second_factor(*, request: HttpRequest, user: User, kind: str) -> None:
    """Setting up an authenticator app asks for a code from it: that proves the second factor for this
    session just as signing in with it would."""
    if not session_passed_second_factor(request=request, user=user):
        record_authentication(request, user, MFA_METHOD, type=kind)


def session_recently_reauthenticated(*, request: HttpRequest) -> bool:
    """Confirmed the password (or a code) within allauth's re-authentication window, as allauth's own
    sensitive pages ask."""
    return did_recently_reauthenticate(request)
