"""Keys and ciphers for special-category data: Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`.

GATHERING_ENCRYPTION_KEYS lists url-safe base64 Fernet keys, newest first: new values are encrypted with the
first, and every key still decrypts, so keys can be rotated without downtime (`gathering privacy rotate-keys`
re-encrypts everything with the first key, after which old keys can be dropped).
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "cipher", "decrypt", "encrypt", "reset_cipher", "rotate"]

MISSING_KEYS = "Set GATHERING_ENCRYPTION_KEYS: special-category data must be encrypted."


def _development_key() -> bytes:
    # Development and tests only: a key derived from SECRET_KEY, so `make demo` needs no set-up.
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"gathering-dev-encryption", info=b"fernet"
    ).derive(settings.SECRET_KEY.encode())
    return base64.urlsafe_b64encode(derived)


@lru_cache(maxsize=1)
def cipher() -> MultiFernet:
    keys = list(settings.GATHERING_ENCRYPTION_KEYS)
    if not keys:
        if settings.PRODUCTION:
            raise ImproperlyConfigured(
                "Set GATHERING_ENCRYPTION_KEYS: special-category data must be encrypted."
            )
        keys = [_development_key().decode()]
    try:
        return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            f"A key in GATHERING_ENCRYPTION_KEYS is not a valid Fernet key: {error}"
        ) from None


def reset_cipher() -> None:
    """Forget the cached keys (after the settings change, e.g. in key rotation)."""
    cipher.cache_clear()


def encrypt(plaintext: str) -> str:
    return cipher().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    return cipher().decrypt(token.encode("ascii")).decode("utf-8")


def rotate(token: str) -> str:
    """The same plaintext, encrypted with the newest key."""
    return cipher().rotate(token.encode("ascii")).decode("ascii")
