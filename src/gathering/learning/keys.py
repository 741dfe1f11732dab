"""The site's key for signing credentials, and its public half as published at /.well-known/jwks.json.

Open Badges 3.0 ("JSON Web Token Proof Format", "Create the JOSE Header") makes RS256 the algorithm
every verifier supports and says any other limits interoperability, so the key is RSA (3072 bits, above
the 2048 the 1EdTech security framework asks for) and signatures are RS256.

The key lives in a PEM file (PKCS #8, unencrypted, mode 0600) at the path in the setting
GATHERING_CREDENTIAL_KEY_FILE, by default `credential-signing-key.pem` in the var/ directory beside the
SQLite database. The embedded and demo setups create it on first use; a production instance refuses to
start signing without one, because a new key silently replacing a lost one would leave every credential
already issued unverifiable.

Verifiers find the public key from the JOSE header's `kid`: a URL of the site's JWK Set with the key's
RFC 7638 thumbprint as the fragment, so a later key can be published beside this one without changing
the address.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_SIZE = 3072
ALGORITHM = "RS256"
JWKS_PATH = "/.well-known/jwks.json"
DEFAULT_KEY_FILE_NAME = "credential-signing-key.pem"


class CredentialKeyError(ImproperlyConfigured):
    """The signing key file is missing where it may not be created, or cannot be read as an RSA key."""


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE (RFC 7515, section 2) writes every binary value."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _uint_b64url(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True)
class SigningKey:
    """An RSA private key with the URL verifiers use to find its public half."""

    private_key: rsa.RSAPrivateKey
    key_id: str

    @property
    def algorithm(self) -> str:
        return ALGORITHM

    def sign(self, message: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 with SHA-256: the RS256 of RFC 7518, section 3.3."""
        return self.private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())

    def public_jwk(self) -> dict[str, str]:
        """The public key as a JWK (RFC 7517) with its `kid`; never any private member."""
        members = public_jwk_members(self.private_key.public_key())
        return {**members, "alg": ALGORITHM, "use": "sig", "kid": self.key_id}


def public_jwk_members(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    """The required members of an RSA public JWK (RFC 7518, section 6.3.1)."""
    numbers = public_key.public_numbers()
    return {"kty": "RSA", "n": _uint_b64url(numbers.n), "e": _uint_b64url(numbers.e)}


def jwk_thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """The RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order, no whitespace."""
    members = public_jwk_members(public_key)
    canonical = json.dumps({name: members[name] for name in ("e", "kty", "n")}, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def key_id_for(public_key: rsa.RSAPublicKey, *, base_url: str) -> str:
    """The key's `kid`: the JWK Set's URL with the thumbprint as fragment."""
    return f"{base_url.rstrip('/')}{JWKS_PATH}#{jwk_thumbprint(public_key)}"


def jwk_set(*keys: SigningKey) -> dict[str, list[dict[str, str]]]:
    """The JWK Set (RFC 7517, section 5) served at /.well-known/jwks.json."""
    return {"keys": [key.public_jwk() for key in keys]}


def key_file_path() -> Path:
    """Where the signing key lives: GATHERING_CREDENTIAL_KEY_FILE, or var/credential-signing-key.pem."""
    configured = getattr(settings, "GATHERING_CREDENTIAL_KEY_FILE", None)
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / DEFAULT_KEY_FILE_NAME


def load_private_key(path: Path, *, create: bool) -> rsa.RSAPrivateKey:
    """Read the PEM key at `path`; when it is missing and `create` is true, make one with mode 0600."""
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        if not create:
            raise CredentialKeyError(
                f"The credential signing key {path} does not exist. Create it once and keep it with the "
                f"backups: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:{KEY_SIZE} -out {path} "
                f"&& chmod 600 {path} (or set GATHERING_CREDENTIAL_KEY_FILE to where it is)."
            ) from None
        return _create_private_key(path)
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise CredentialKeyError(
            f"The credential signing key {path} is not an unencrypted PEM private key ({error})."
        ) from error
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise CredentialKeyError(
            f"The credential signing key {path} must be an RSA key of at least 2048 bits for RS256."
        )
    return key


def _create_private_key(path: Path) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a private name, then linked into place: two processes starting at once cannot
    # each keep a different key (the second link fails and that process reads the first one's key), and
    # the mode is set at creation, so the key is never readable by others, even for a moment.
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        os.link(partial, path)
    except FileExistsError:
        return load_private_key(path, create=False)
    finally:
        partial.unlink(missing_ok=True)
    return key


def site_signing_key(*, path: Path | None = None, base_url: str | None = None) -> SigningKey:
    """The site's signing key, created on first use except in production."""
    private_key = load_private_key(path or key_file_path(), create=not getattr(settings, "PRODUCTION", False))
    base = base_url if base_url is not None else settings.GATHERING_BASE_URL
    return SigningKey(private_key=private_key, key_id=key_id_for(private_key.public_key(), base_url=base))
