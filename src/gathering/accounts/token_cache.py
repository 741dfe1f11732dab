"""API token checks kept in the cache, so a script's every request does not read its token and person again.

An entry is written only from a database read that passed every check of `services.api_token_authenticate`
(the token exists and has not expired, the person is active, the token was made under their current password
and security epoch), and it holds what the next check needs without the database: the token's fields and the
person's account fields but the password. Expiry is checked again at every request. An entry is kept until
the token's last use is due to be written again (once a minute, `LAST_USE_SECONDS`), so that write, and a
fresh check in the database with it, happens as often as it did without the cache.

Whatever could change the answer ends the entry: the token deleted (revoked, ended by a new password, a role
change, "sign out everywhere", the account deleted) or edited, and the person's account saved (a new password,
deactivated, any field the API shows). Ending writes a tombstone in the entry's place, at the change and again
when its transaction commits, and entries are only ever written with `add`, which does not replace a
tombstone: a request that read the database just before the change cannot put the old answer back.
`QuerySet.update()` sends no signals; a write of that kind to a token calls `tokens_changed`, to a person
`person_changed`.

The entry's key is an HMAC of the key's hash under the site's secret keys, so a change of keys (which ends
every token made under the old ones) leaves every entry behind; it also names the fields kept, so a release
that changes them never reads an entry written by the one before.
"""

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import router, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.crypto import salted_hmac

from .models import ApiToken, User

logger = logging.getLogger(__name__)

# A token's last use is written at most once in this many seconds.
LAST_USE_SECONDS = 60
# How long a tombstone stands: far longer than a request takes between its database read and its `add`.
TOMBSTONE_SECONDS = 600
_PREFIX = "apitoken:"
_ENDED = "ended"
# The person's fields an entry keeps: all but the password hash, which stays in the database only.
_USER_FIELDS = tuple(field.attname for field in User._meta.concrete_fields if field.attname != "password")
_TOKEN_FIELDS = tuple(field.attname for field in ApiToken._meta.concrete_fields)
_SHAPE = hashlib.sha256(repr((_TOKEN_FIELDS, _USER_FIELDS)).encode()).hexdigest()[:12]


def _key(key_hash: str) -> str:
    secrets = "\x1f".join([key_hash, *settings.SECRET_KEY_FALLBACKS])
    digest = salted_hmac("gathering.accounts.token_cache", secrets, algorithm="sha256").hexdigest()
    return f"{_PREFIX}{_SHAPE}:{digest}"


def kept(key_hash: str) -> tuple[User, ApiToken] | None:
    """The person and token of a key whose check is kept, as fresh objects (nothing of an earlier request
    rides along), or None when nothing is kept: the caller then checks in the database."""
    try:
        entry = cache.get(_key(key_hash))
    except Exception:
        logger.exception("Could not read a kept token check")
        return None
    if not isinstance(entry, tuple):
        return None
    token_values, user_values = entry
    token = ApiToken.from_db(router.db_for_read(ApiToken), _TOKEN_FIELDS, token_values)
    user = User.from_db(router.db_for_read(User), _USER_FIELDS, user_values)
    token.user = user
    return user, token


def keep(user: User, token: ApiToken, now: datetime) -> None:
    """Keep a check that just passed in the database until the token's last use is due to be written again,
    and never past its expiry. Does nothing where a tombstone stands."""
    timeout = LAST_USE_SECONDS - int((now - (token.last_used_at or now)).total_seconds())
    if token.expires_at is not None:
        timeout = min(timeout, int((token.expires_at - now).total_seconds()))
    if timeout <= 0:
        return
    entry = (
        tuple(getattr(token, name) for name in _TOKEN_FIELDS),
        tuple(getattr(user, name) for name in _USER_FIELDS),
    )
    try:
        cache.add(_key(token.key_hash), entry, timeout)
    except Exception:
        logger.exception("Could not keep a token check")


def tokens_changed(key_hashes: Iterable[str]) -> None:
    """These tokens, or their person, changed: their kept checks end, at once and after the commit."""
    keys = [_key(key_hash) for key_hash in key_hashes]
    if not keys:
        return
    _bury(keys)
    transaction.on_commit(lambda: _bury(keys))


def person_changed(user_id: int) -> None:
    """Something the checks of this person's tokens depend on changed (`QuerySet.update()` of the person)."""
    tokens_changed(ApiToken.objects.filter(user_id=user_id).values_list("key_hash", flat=True))


def _bury(keys: list[str]) -> None:
    try:
        cache.set_many(dict.fromkeys(keys, _ENDED), TOMBSTONE_SECONDS)
    except Exception:
        # The token's database row is the record; a kept check expires within LAST_USE_SECONDS.
        logger.exception("Could not end kept token checks")


def last_use_due(token: ApiToken, now: datetime) -> bool:
    """Whether the token's last use is to be written: once a minute at most, so a busy script does not turn
    every read into a write."""
    return token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USE_SECONDS


@receiver(post_save, sender=ApiToken, dispatch_uid="gathering_token_cache_token_saved")
def _token_saved(
    sender: type[ApiToken], instance: ApiToken, created: bool, raw: bool = False, **kwargs: object
) -> None:
    # A token just made has never been checked, so nothing of it is kept.
    if not created and not raw:
        tokens_changed([instance.key_hash])


@receiver(post_delete, sender=ApiToken, dispatch_uid="gathering_token_cache_token_deleted")
def _token_deleted(sender: type[ApiToken], instance: ApiToken, **kwargs: object) -> None:
    tokens_changed([instance.key_hash])


@receiver(post_save, sender=User, dispatch_uid="gathering_token_cache_person_saved")
def _person_saved(
    sender: type[User], instance: User, created: bool, raw: bool = False, **kwargs: object
) -> None:
    if not created and not raw:
        person_changed(instance.pk)
