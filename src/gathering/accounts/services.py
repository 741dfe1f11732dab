"""Every change to a person's account, role or tokens goes through one of these functions."""

import json
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import token_cache
from .models import ApiToken, User
from .roles import ADMIN, ROLES_BY_SLUG
from .signals import roles_changed

MAX_ACTIVE_TOKENS = 10
PROFILE_FIELDS = (
    "name",
    "preferred_name",
    "pronouns",
    "time_zone",
    "email_reminders",
    "email_network_news",
    "email_discreet",
)


@transaction.atomic
def user_profile_update(*, user: User, data: dict[str, object]) -> User:
    """Change the profile fields a person controls; anything else in `data` is refused."""
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": sorted(unknown)}
        )
    for field, value in data.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(data))
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str, second_factor: bool = False) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns it with the key, which is never stored and cannot be shown again.

    `second_factor` says whether the session making it passed the second factor. Staff need it (a token
    carries their role's powers) and their tokens expire after GATHERING_STAFF_TOKEN_DAYS."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the token, such as the script that will use it.")})
    if len(name) > 100:
        raise ValidationError({"name": _("The name must be 100 characters or fewer.")})
    if user.is_staff_member and not second_factor:
        raise ValidationError(
            {"name": _("Staff need two-step verification to make a token. Sign in with it, then try again.")}
        )
    # Lock the person's row so two tabs cannot both squeeze past the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    _api_tokens_delete_dead(user=user)
    if ApiToken.objects.filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            {
                "name": _("You already have %(n)s tokens. Revoke one you no longer use first.")
                % {"n": MAX_ACTIVE_TOKENS}
            }
        )
    key = ApiToken.new_key()
    expires_at = None
    if user.is_staff_member:
        expires_at = timezone.now() + timedelta(days=settings.GATHERING_STAFF_TOKEN_DAYS)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash_key(key),
        hint=key[:8],
        expires_at=expires_at,
        second_factor=second_factor,
        credentials_hash=user.get_session_auth_hash(),
    )
    return token, key


def _api_tokens_delete_dead(*, user: User) -> None:
    """Tokens that can no longer sign in (expired, or made before a new password) only take up places."""
    for token in ApiToken.objects.filter(user=user):
        if token.expired or not user.credentials_hash_matches(token.credentials_hash):
            token.delete()


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> None:
    """Revoke one of the person's own tokens. Someone else's token is 'not found', never 'forbidden'."""
    deleted, _count = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise ApiToken.DoesNotExist


@transaction.atomic
def api_tokens_end(*, user: User) -> int:
    """Revoke every token the person has (asked for on the tokens page, or after a new password); returns
    how many there were."""
    deleted, _count = ApiToken.objects.filter(user=user).delete()
    return deleted


def api_token_authenticate(*, key: str) -> tuple[User, ApiToken] | None:
    """The active person a key belongs to, with the token, or None. The user object carries whether the
    token was made with the second factor, so a staff role grants its powers only then.

    A check that passed is kept in the cache (token_cache.py) until the token or the person changes, or the
    token's last use is due to be written; the token's expiry is checked at every request either way."""
    if not key.startswith(ApiToken.KEY_PREFIX) or len(key) > 100:
        return None
    key_hash = ApiToken.hash_key(key)
    now = timezone.now()
    found = token_cache.kept(key_hash)
    if found is not None and not token_cache.last_use_due(found[1], now):
        user, token = found
        if token.expired or not user.is_active:
            return None
    else:
        token = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
        if token is None or not token.user.is_active or token.expired:
            return None
        user = token.user
        if not user.credentials_hash_matches(token.credentials_hash):
            return None
        if token_cache.last_use_due(token, now):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        token_cache.keep(user, token, now)
    user.second_factor_passed = token.second_factor
    return user, token


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> None:
    """End every session and API token the person has: raising the security epoch changes the hash each
    session and token is checked against. The request that asked may keep its own session by calling
    `update_session_auth_hash` afterwards."""
    User.objects.filter(pk=user.pk).update(security_epoch=F("security_epoch") + 1)
    user.refresh_from_db(fields=["security_epoch"])
    ApiToken.objects.filter(user=user).delete()


@transaction.atomic
def user_roles_set(*, actor: User, user: User, role_slugs: set[str]) -> User:
    """Replace the roles `user` holds. Only an administrator may, and never to remove their own admin role."""
    if not actor.has_perm("accounts.manage_roles"):
        raise PermissionDenied
    unknown = role_slugs - set(ROLES_BY_SLUG)
    if unknown:
        raise ValidationError(_("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))})
    if (
        actor.pk == user.pk
        and ADMIN.slug not in role_slugs
        and user.groups.filter(name=ADMIN.group_name).exists()
    ):
        raise ValidationError(_("You cannot remove your own administrator role. Ask another administrator."))
    held = set(user.groups.values_list("name", flat=True))
    before = {slug for slug, role in ROLES_BY_SLUG.items() if role.group_name in held}
    groups = [
        Group.objects.get_or_create(name=ROLES_BY_SLUG[slug].group_name)[0] for slug in sorted(role_slugs)
    ]
    user.groups.set(groups)
    user.is_staff = ADMIN.slug in role_slugs
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("role_group_names", None)
    if before != set(role_slugs):
        # Whatever the person was signed in with was granted under the old roles: it ends, and the next
        # sign-in asks for what the new roles need (the second factor, for staff).
        user_sign_out_everywhere(user=user)
    # The audit log (privacy) listens; accounts does not import privacy.
    roles_changed.send(sender=User, actor=actor, user=user, before=before, after=set(role_slugs))
    return user


@transaction.atomic
def user_role_add(*, actor: User, user: User, role_slug: str) -> User:
    current = {
        slug for slug, role in ROLES_BY_SLUG.items() if user.groups.filter(name=role.group_name).exists()
    }
    return user_roles_set(actor=actor, user=user, role_slugs=current | {role_slug})


def sessions_end(*, user: User) -> int:
    """Delete every stored session of `user`, and any other that holds their email address (allauth keeps
    how a person signed in, with the address, in the session), expired or not: after erasure nothing of
    them stays in the sessions table, nor in the backups taken later.

    Session data is signed and encoded, so the table cannot be searched in the database: each row is read.
    That is a second or two per hundred thousand stored sessions, for something done once per person."""
    from django.contrib.sessions.models import Session

    who, email = str(user.pk), (user.email or "").lower()
    ended = []
    for session in Session.objects.iterator(chunk_size=2000):
        data = session.get_decoded()
        if data.get("_auth_user_id") == who or (email and email in json.dumps(data, default=str).lower()):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the account and everything that hangs off it (tokens, email addresses, sessions); other apps
    first keep what the law or aggregate counts need, anonymised (see `account_deleting`)."""
    from gathering.core.outbox import outbox_forget_address

    from .signals import account_deleting

    account_deleting.send(sender=User, user=user)
    outbox_forget_address(email=user.email)
    User.objects.filter(pk=user.pk).delete()


@transaction.atomic
def roles_sync() -> None:
    """Make every role's group exist with exactly the permissions the role grants (idempotent)."""
    from django.contrib.auth.models import Permission

    from .roles import ROLES

    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.group_name)
        wanted = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
