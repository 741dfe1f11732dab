"""People and their API tokens."""

import functools
import hashlib
import secrets
import zoneinfo
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from .managers import UserManager
from .roles import STAFF_GROUP_NAMES, STAFF_PERMISSIONS


@functools.cache
def _time_zones() -> tuple[tuple[str, str], ...]:
    # Read from the time zone files on disk, which is slow: once per process.
    return tuple(
        (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name
    )


def time_zone_choices() -> list[tuple[str, str]]:
    return [("", _("Use the event’s time zone")), *_time_zones()]


class User(AbstractUser):
    """A person with an account. Email is the login; names are what the person wants to be called."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    name = models.CharField(_("full name"), max_length=150)
    preferred_name = models.CharField(
        _("preferred name"),
        max_length=150,
        blank=True,
        help_text=_("What you would like people to call you."),
    )
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    email_reminders = models.BooleanField(
        _("reminders"), default=True, help_text=_("Reminders before Gatherings and circles you have joined.")
    )
    email_network_news = models.BooleanField(
        _("network news"), default=False, help_text=_("Occasional news about Gatherings from the network.")
    )
    email_discreet = models.BooleanField(
        _("discreet emails"),
        default=False,
        help_text=_(
            "Use a plain sender name and subject, without the name of the Gathering, so that a notification "
            "on your lock screen does not show what it is about."
        ),
    )
    # Raised whenever everything the person is signed in with must end (a role given or taken away): it is
    # part of the hash every session and API token is checked against.
    security_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    # Whether the credentials of the request this object came from passed the second factor: set by the
    # staff middleware for sessions and by token authentication for API tokens. False withholds every
    # permission a staff role grants; None (jobs, commands, services called directly) leaves them as held.
    second_factor_passed: bool | None = None

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]
        permissions = [
            ("facilitate", _("Can facilitate circles and sessions")),
            ("organise", _("Can organise Gatherings")),
            ("safeguard", _("Can handle safeguarding concerns")),
            ("view_team", _("Can see the staff team")),
            ("manage_roles", _("Can give and remove roles")),
            (
                "view_special_category",
                _("Can see and export special-category answers (every read is audited)"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.name or str(_("Unnamed person"))

    @cached_property
    def role_group_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    @property
    def is_staff_member(self) -> bool:
        """Holds a staff role (or is a superuser), and so must use multi-factor authentication."""
        return self.is_superuser or bool(self.role_group_names & STAFF_GROUP_NAMES)

    @property
    def staff_powers_withheld(self) -> bool:
        """This request's credentials did not pass the second factor, so staff roles grant nothing."""
        return self.second_factor_passed is False

    def has_perm(self, perm: str, obj: object = None) -> bool:
        if self.staff_powers_withheld and (perm in STAFF_PERMISSIONS or self.is_superuser):
            return False
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.staff_powers_withheld:
            return False
        return super().has_module_perms(app_label)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django checks every session against this hash (with SECRET_KEY_FALLBACKS too). Beside the password
        # it covers the security epoch, so raising the epoch ends every session the person has.
        return salted_hmac(
            "gathering.accounts.User.session_auth_hash",
            f"{self.password}:{self.security_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def credentials_hash_matches(self, value: str) -> bool:
        """Whether `value` is this person's session hash now, under the current key or a fallback one."""
        secrets_to_try = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        return any(
            constant_time_compare(value, self._get_session_auth_hash(secret=secret))
            for secret in secrets_to_try
        )


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A key a person made for a script. Only its hash is stored: the key itself is shown once."""

    KEY_PREFIX = "gth_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # Made in a session that passed the second factor: only such a token carries a staff role's powers.
    second_factor = models.BooleanField(default=False, editable=False)
    # The person's session hash when the token was made: a new password or a role change ends the token.
    credentials_hash = models.CharField(max_length=64, editable=False, default="")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def new_key(cls) -> str:
        return cls.KEY_PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(key: str) -> str:
        return _hash_key(key)

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
