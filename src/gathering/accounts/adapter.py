"""How allauth behaves for Gathering: new people become participants, account emails go through the
outbox with links to GATHERING_BASE_URL, and an address only counts as someone's once it is theirs."""

import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from gathering.core.client_address import client_address
from gathering.core.outbox import outbox_enqueue

from .email_change import absolute_url, pending_addresses_drop
from .models import User
from .roles import PARTICIPANT


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # The address every other limit counts by; never fails on a missing or odd proxy header.
        return client_address(request)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _created = Group.objects.get_or_create(name=PARTICIPANT.group_name)
            user.groups.add(group)
            if pending_addresses_drop(email=user.email, owner=user):
                # The verification mail of the dropped change used up this address's cooldown; the new
                # account's own verification must still go out.
                ratelimit.clear(
                    request, app="allauth.account", action="confirm_email", key=user.email.lower()
                )
        return user

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        if User.objects.filter(email__iexact=email_address.email).exclude(pk=email_address.user_id).exists():
            # Another account signed up with this address: a pending change elsewhere cannot take it.
            email_address.delete()
            return False
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            pending_addresses_drop(email=email_address.email, owner=email_address.user)
        return confirmed

    # Links: built from GATHERING_BASE_URL, never from the request's Host header, which a client chooses.

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def send_account_already_exists_mail(self, email: str) -> None:
        context = {
            "signup_url": absolute_url(reverse("account_signup")),
            "login_url": absolute_url(reverse("account_login")),
            "password_reset_url": absolute_url(reverse("account_reset_password")),
        }
        self.send_mail("account/email/account_already_exists", email, context)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Queue the email in the outbox, like all the site's mail: written in a transaction, delivered after
        commit (by the job when a broker is configured) with retries. Every sign-up then does the same work
        whether or not the address already has an account, and no SMTP delay shows in a response."""
        request = allauth_context.request
        values = {
            "request": request,
            "email": email,
            # allauth's templates name the site; without the sites framework it would be the Host header.
            "current_site": SimpleNamespace(
                name=settings.GATHERING_SITE_NAME, domain=urlsplit(settings.GATHERING_BASE_URL).netloc
            ),
            **{key: _own_address(request, value) for key, value in context.items()},
        }
        message = self.render_mail(template_prefix, email, values)
        with transaction.atomic():
            outbox_enqueue(
                kind="account_" + template_prefix.rsplit("/", 1)[-1],
                to=[email],
                template="accounts/allauth",
                context={"message_subject": message.subject, "message_body": message.body},
            )


def _own_address(request: HttpRequest | None, value: Any) -> Any:
    """A link allauth built from the request (e.g. in the unknown-account email), moved to our address."""
    if request is None or not isinstance(value, str):
        return value
    return re.sub(rf"^https?://{re.escape(request.get_host())}(?=/|$)", settings.GATHERING_BASE_URL, value)
