"""What accounts does when allauth reports a change to how someone signs in."""

from typing import Any

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.dispatch import receiver
from django.http import HttpRequest

from .models import User
from .second_factor import session_record_second_factor
from .services import api_tokens_end, sessions_end
from .signals import account_deleting


@receiver(authenticator_added, dispatch_uid="gathering_second_factor_on_activation")
def _second_factor_on_activation(
    sender: object, request: HttpRequest, user: User, authenticator: Any, **kwargs: object
) -> None:
    # Setting up the app takes a code from it; the session that did so has passed the second factor.
    session_record_second_factor(request=request, user=user, kind=str(authenticator.type))


@receiver(authenticator_removed, dispatch_uid="gathering_tokens_end_on_second_factor_removed")
@receiver(password_changed, dispatch_uid="gathering_tokens_end_on_password_changed")
@receiver(password_set, dispatch_uid="gathering_tokens_end_on_password_set")
@receiver(password_reset, dispatch_uid="gathering_tokens_end_on_password_reset")
def _tokens_end(sender: object, user: User, **kwargs: object) -> None:
    # A new password (or the loss of the second factor) ends every token made under the old one.
    api_tokens_end(user=user)


@receiver(account_deleting, dispatch_uid="gathering_sessions_end_on_delete")
def _sessions_end(sender: object, user: User, **kwargs: object) -> dict[str, str]:
    # Deleting the account or erasing the person: their sessions go too (they hold the email address).
    sessions_end(user=user)
    return {}
