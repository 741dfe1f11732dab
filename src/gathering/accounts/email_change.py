"""Changing a person's email address safely: the old address is told, with a link that undoes the change,
and an address counts as someone's only once it is their login email or verified.

The undo link carries a token signed with django.core.signing (so it expires and cannot be forged) whose
addresses are encrypted (privacy.crypto), so no address appears in the URL, in logs or in browser history.
"""

import json
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from gathering.core.outbox import outbox_enqueue, site_url
from gathering.privacy import crypto
from gathering.privacy.models import AuditEntry
from gathering.privacy.services import audit_record

from .models import User

UNDO_SALT = "gathering.accounts.email-change-undo"
UNDO_VALID_FOR = timedelta(days=7)


class UndoLinkInvalidError(Exception):
    """The undo link was altered, has expired, or the account has changed since it was sent."""


# Links in emails: one helper for the whole site, in the outbox.
absolute_url = site_url


def users_with_address(email: str) -> QuerySet[User]:
    """The accounts `email` belongs to: their login email, or an address they have verified.

    An unverified address on another account (an email change still waiting for confirmation) does not
    count: otherwise anyone could claim an address they do not own, before its owner signs up.
    """
    return User.objects.filter(
        Q(email__iexact=email) | Q(emailaddress__email__iexact=email, emailaddress__verified=True)
    ).distinct()


def undo_token(*, user: User, old_email: str, new_email: str) -> str:
    addresses = crypto.encrypt(json.dumps({"old": old_email, "new": new_email}))
    return signing.dumps({"user": user.pk, "addresses": addresses}, salt=UNDO_SALT)


def undo_link_read(*, token: str) -> tuple[User, str, str]:
    """The account, old address and new address an undo link is for; raises UndoLinkInvalidError."""
    try:
        data = signing.loads(token, salt=UNDO_SALT, max_age=UNDO_VALID_FOR)
        addresses = json.loads(crypto.decrypt(data["addresses"]))
        user = User.objects.get(pk=data["user"], is_active=True)
        old_email, new_email = str(addresses["old"]), str(addresses["new"])
    except (signing.BadSignature, crypto.InvalidToken, KeyError, TypeError, ValueError, User.DoesNotExist):
        raise UndoLinkInvalidError from None
    if user.email.casefold() not in {old_email.casefold(), new_email.casefold()}:
        # The address has changed again since: this link is about a state that no longer exists.
        raise UndoLinkInvalidError
    return user, old_email, new_email


def email_change_request(*, request: HttpRequest, user: User, new_email: str) -> EmailAddress:
    """Start changing `user`'s address to `new_email`: the new address gets a confirmation link (the change
    happens only when it is used) and the current address a notice with a link that undoes it."""
    with transaction.atomic():
        old_email = user.email
        address = EmailAddress.objects.add_new_email(request, user, new_email)
        token = undo_token(user=user, old_email=old_email, new_email=address.email)
        outbox_enqueue(
            kind="email_change_requested",
            to=[old_email],
            template="accounts/email_change_requested",
            context={
                "name": user.display_name,
                "undo_url": absolute_url(reverse("accounts:email_change_undo", args=[token])),
                "reset_url": absolute_url(reverse("account_reset_password")),
                "valid_days": UNDO_VALID_FOR.days,
            },
        )
        audit_record(
            actor=user, action=AuditEntry.Action.CHANGED, subject=user, detail="email change requested"
        )
    return address


def email_change_undo(*, token: str) -> User:
    """Cancel the change an undo link is for, or, if it already went through, put the old address back."""
    with transaction.atomic():
        user, old_email, _new_email = undo_link_read(token=token)
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.email.casefold() == old_email.casefold():
            # Still pending: drop every unconfirmed address, so no confirmation link can complete it.
            EmailAddress.objects.filter(user=user, verified=False).delete()
        else:
            if users_with_address(old_email).exclude(pk=user.pk).exists():
                # Someone else owns the old address now; it cannot be taken from them.
                raise UndoLinkInvalidError
            EmailAddress.objects.filter(user=user).delete()
            EmailAddress.objects.create(user=user, email=old_email.lower(), verified=True, primary=True)
            user.email = old_email
            user.save(update_fields=["email"])
        audit_record(actor=None, action=AuditEntry.Action.CHANGED, subject=user, detail="email change undone")
    return user


def pending_addresses_drop(*, email: str, owner: User) -> int:
    """Forget other accounts' unconfirmed changes to `email`, now that `owner` has it; return how many."""
    with transaction.atomic():
        deleted, _per_model = (
            EmailAddress.objects.filter(email__iexact=email, verified=False).exclude(user=owner).delete()
        )
    return deleted
