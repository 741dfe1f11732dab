"""Open Badges 3.0 credentials for completed courses, and the status list that shows which are revoked.

What is written, and where the specifications say so:

- The credential is an `OpenBadgeCredential` in the W3C Verifiable Credentials Data Model 2.0 (Open Badges
  3.0, data model `AchievementCredential`): `@context` is the VC 2.0 context followed by the Open Badges
  3.0.3 context, `validFrom` is when it was issued, the issuer is a `Profile` and the subject an
  `AchievementSubject` whose `achievement` is the course (its criteria narrative says what completing
  means, the CPD hours and the learning outcomes).
- The person is identified by an `IdentityObject`: their email address as an `IdentityHash`,
  `sha256$` + hex(SHA-256(address + salt)), with a salt of its own for each credential, so that an
  employer who is told the address can confirm it while nobody can read it off the credential. The
  address is lower-cased and stripped first, as a person would type it either way. The name, which the
  person shows anyway when they hand the credential over, is a second, unhashed `IdentityObject` of type
  `name`. `credentialSubject.id` is a `urn:uuid:` derived from the credential's id: the proof format
  requires a `sub` claim equal to it, and it says nothing about the person beyond this one credential.
- The proof is Open Badges 3.0's "JSON Web Token Proof Format" (section 8.2, VC-JWT): the credential is
  the JWT payload, with `iss`, `jti`, `nbf` and `sub` copied from it ("JWT Payload Format"); the JOSE
  header has only `alg`, `kid` and `typ` ("Create the JOSE Header"); the algorithm is RS256, the one
  every Open Badges verifier must support. The `kid` is a URL of the site's JWK Set (see keys.py), which
  "Dereferencing the Public Key" lets a verifier fetch. Data Integrity proofs (eddsa-rdfc-2022) would
  need RDF canonicalisation of JSON-LD; the JWT proof needs none.
- Revocation is W3C Bitstring Status List v1.0: each credential carries a `BitstringStatusListEntry`
  with `statusPurpose` "revocation"; the list is a `BitstringStatusListCredential` whose `encodedList` is
  the multibase base64url (prefix "u", no padding) of the GZIP of a bitstring of at least 131,072 bits,
  index 0 being the left-most bit. The list credential is signed the same way, so a verifier trusts it
  for the same reason as the credential.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from .keys import SigningKey, jwk_set

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"

# Bitstring Status List v1.0: the uncompressed bitstring is at least 16KB, which is what keeps one
# person's status hidden among many.
MINIMUM_STATUS_LIST_BITS = 131_072


@dataclass(frozen=True)
class BadgeFacts:
    """What an Open Badge says about one person's completion of one course."""

    credential_id: str
    issuer_id: str
    issuer_name: str
    achievement_id: str
    course_title: str
    course_description: str
    completion_rule: str
    cpd_hours: Decimal
    first_date: date
    last_date: date
    recipient_email: str
    identity_salt: str
    valid_from: datetime
    status_list_url: str
    status_list_index: int
    learning_outcomes: tuple[str, ...] = ()
    recipient_name: str = ""
    issuer_url: str = ""
    image_url: str = ""
    achievement_type: str = "Course"


def new_identity_salt() -> str:
    """A fresh salt for a credential's hashed email address; keep it with the certificate."""
    return secrets.token_urlsafe(16)


def identity_hash(email: str, *, salt: str) -> str:
    """The IdentityHash of an email address (Open Badges 3.0, `IdentityHash`)."""
    normalised = email.strip().lower()
    return "sha256$" + hashlib.sha256((normalised + salt).encode("utf-8")).hexdigest()


def open_badge_credential_document(facts: BadgeFacts) -> dict:
    """The unsigned OpenBadgeCredential, as a JSON-ready dict."""
    if facts.status_list_index < 0:
        raise ValueError("A status list index is never negative.")
    if facts.last_date < facts.first_date:
        raise ValueError("The course cannot end before it starts.")
    hours = _hours_text(facts.cpd_hours)
    dates = f"{facts.first_date.isoformat()} to {facts.last_date.isoformat()}"
    narrative = [facts.completion_rule.strip(), "", f"Continuing professional development: {hours} hours."]
    if facts.learning_outcomes:
        narrative += ["", "Learning outcomes:", ""]
        narrative += [f"- {outcome}" for outcome in facts.learning_outcomes]
    achievement: dict = {
        "id": facts.achievement_id,
        "type": ["Achievement"],
        "achievementType": facts.achievement_type,
        "name": facts.course_title,
        "description": " ".join(filter(None, [facts.course_description.strip(), f"({hours} CPD hours)"])),
        "criteria": {"narrative": "\n".join(narrative)},
    }
    if facts.image_url:
        achievement["image"] = {"id": facts.image_url, "type": "Image", "caption": facts.course_title}
    identifier = [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": identity_hash(facts.recipient_email, salt=facts.identity_salt),
            "salt": facts.identity_salt,
        }
    ]
    if facts.recipient_name:
        identifier.append(
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": facts.recipient_name,
            }
        )
    issuer: dict = {"id": facts.issuer_id, "type": ["Profile"], "name": facts.issuer_name}
    if facts.issuer_url:
        issuer["url"] = facts.issuer_url
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": facts.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.course_title,
        "description": f"Attended {facts.course_title}, {dates}.",
        "issuer": issuer,
        "validFrom": _datetime_text(facts.valid_from),
        "credentialSubject": {
            "id": _subject_id(facts.credential_id),
            "type": ["AchievementSubject"],
            "identifier": identifier,
            # The data model types these as DateTime; a cohort's dates are whole days, so midnight UTC.
            "activityStartDate": f"{facts.first_date.isoformat()}T00:00:00Z",
            "activityEndDate": f"{facts.last_date.isoformat()}T00:00:00Z",
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": f"{facts.status_list_url}#{facts.status_list_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_list_index),
            "statusListCredential": facts.status_list_url,
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def open_badge_credential(facts: BadgeFacts, *, key: SigningKey) -> str:
    """The OpenBadgeCredential signed as a VC-JWT (Open Badges 3.0, section 8.2): a compact JWS string."""
    return sign_credential(open_badge_credential_document(facts), key=key)


def encoded_status_list(revoked: Iterable[int], *, length: int = MINIMUM_STATUS_LIST_BITS) -> str:
    """The `encodedList` of a revocation list in which the bits at `revoked` are set."""
    indexes = set(revoked)
    if any(index < 0 for index in indexes):
        raise ValueError("A status list index is never negative.")
    # Grow in whole blocks of the minimum, so the list's size says little about how many were issued.
    needed = max(indexes, default=-1) + 1
    blocks = max(1, -(-max(length, needed) // MINIMUM_STATUS_LIST_BITS))
    bits = bytearray(blocks * MINIMUM_STATUS_LIST_BITS // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list always compresses to the same bytes, so caches and signatures are stable.
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def status_list_credential_document(
    revoked: Iterable[int], *, url: str, issuer: str, valid_from: datetime
) -> dict:
    """The unsigned BitstringStatusListCredential for revocation."""
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": _datetime_text(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_status_list(revoked),
        },
    }


def status_list_credential(
    revoked: set[int], *, url: str, issuer: str, key: SigningKey, valid_from: datetime | None = None
) -> str:
    """The revocation list signed as a VC-JWT, to be served at `url` (and not cached for long)."""
    document = status_list_credential_document(
        revoked, url=url, issuer=issuer, valid_from=valid_from or datetime.now(UTC)
    )
    return sign_credential(document, key=key)


def jwks(key: SigningKey) -> dict[str, list[dict[str, str]]]:
    """The JWK Set to serve at /.well-known/jwks.json."""
    return jwk_set(key)


def sign_credential(document: dict, *, key: SigningKey) -> str:
    """A compact JWS of the credential, with the JWT claims the JSON Web Token Proof Format asks for."""
    issuer = document["issuer"]
    claims = {
        "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
        "jti": document["id"],
        "nbf": int(_parse_datetime(document["validFrom"]).timestamp()),
        "sub": document["credentialSubject"]["id"],
    }
    header = {"alg": key.algorithm, "kid": key.key_id, "typ": "JWT"}
    signing_input = f"{_b64url_json(header)}.{_b64url_json(document | claims)}"
    signature = key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode('ascii')}"


def _b64url_json(value: dict) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("utf-8")).rstrip(b"=").decode("ascii")


def _datetime_text(moment: datetime) -> str:
    # Whole seconds in UTC, so that `nbf` (whole seconds) equals `validFrom` exactly, as verifiers check.
    if moment.tzinfo is None:
        raise ValueError("Credential times must be timezone-aware.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_datetime(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _subject_id(credential_id: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{credential_id}#subject").urn


def _hours_text(hours: Decimal) -> str:
    return format(Decimal(hours).normalize(), "f")
