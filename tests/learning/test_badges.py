"""Open Badges 3.0 credentials judged by a verifier written here from the specifications, not from our
signing code: Open Badges 3.0 section 8.2.3 ("Verify a Credential") with RFC 7515 section 5.2 and RFC 7518
section 3.3 for RS256, RFC 7517 for the JWK Set, and W3C Bitstring Status List v1.0 sections 2 and 3.2
for revocation. It uses only the standard library and cryptography's raw RSA verification; from
gathering it imports nothing but what a site publishes (the credential, the JWK Set, the status list).

Also the signing key's file: created with mode 0600, reused, and refused with a clear message when it is
not a usable key."""

import base64
import gzip
import hashlib
import json
import stat
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from gathering.learning.badges import BadgeFacts, jwks, open_badge_credential, status_list_credential
from gathering.learning.keys import CredentialKeyError, SigningKey, key_id_for, site_signing_key

SITE = "https://gathering.example.org"
JWKS_URL = f"{SITE}/.well-known/jwks.json"
STATUS_URL = f"{SITE}/certificates/status/1"
ISSUER_ID = f"{SITE}/certificates/issuer"
ISSUED = datetime(2026, 3, 25, 9, 30, tzinfo=UTC)
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)

FACTS = BadgeFacts(
    credential_id=f"{SITE}/certificates/verify/7KQ4-M2XD-9PLA",
    issuer_id=ISSUER_ID,
    issuer_name="Gathering Network",
    issuer_url=SITE,
    achievement_id=f"{SITE}/learning/listening-with-compassion/",
    course_title="Listening with compassion",
    course_description="A foundation course in holding listening circles.",
    completion_rule="Attended at least 80% of the cohort's sessions.",
    cpd_hours=Decimal("12.50"),
    first_date=date(2026, 3, 3),
    last_date=date(2026, 3, 24),
    recipient_email="Zoe.Ashworth@Example.org ",
    recipient_name="Zoë Ashworth-Okafor",
    identity_salt="q8Xr2mVfJc0aLw7s",
    valid_from=ISSUED,
    status_list_url=STATUS_URL,
    status_list_index=4242,
    learning_outcomes=("Hold a listening circle with care", "Know when to signpost to more support"),
)


class Rejected(Exception):
    """The verifier refuses the credential; the message says which rule failed."""


# --- The verifier, from the specifications ------------------------------------------------------------


def b64url_decode(text: str) -> bytes:
    # RFC 7515 section 2: base64url with the trailing "=" omitted.
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def rsa_public_key_from_jwk(jwk: dict):
    # RFC 7518 section 6.3.1: "n" and "e" are unsigned big-endian integers, base64url encoded.
    if jwk.get("kty") != "RSA":
        raise Rejected("the key is not an RSA key")
    if "d" in jwk:
        raise Rejected("the published key contains a private member")
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


def parse_datetime(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise Rejected(f"{text} has no time zone")
    return moment


def verify_vc_jwt(token: str, *, web: dict[str, str], now: datetime) -> dict:
    """Open Badges 3.0 section 8.2.3: check the compact JWS and return the credential it carries."""
    parts = token.split(".")
    if len(parts) != 3:
        raise Rejected("not a compact JWS")
    header = json.loads(b64url_decode(parts[0]))
    if header.get("alg") != "RS256":
        raise Rejected(f"algorithm {header.get('alg')!r} is not RS256")
    if set(header) - {"alg", "kid", "jwk", "typ"}:
        raise Rejected("additional JOSE headers are not allowed")
    if header.get("typ", "JWT") != "JWT":
        raise Rejected("typ must be JWT")
    kid = header.get("kid")
    if not kid:
        raise Rejected("no kid to find the issuer's key")
    # Dereference the kid: the JWK Set at its URL, the key whose kid is the whole URI.
    document_url = kid.split("#", 1)[0]
    if document_url not in web:
        raise Rejected(f"nothing is published at {document_url}")
    candidates = [jwk for jwk in json.loads(web[document_url])["keys"] if jwk.get("kid") == kid]
    if len(candidates) != 1:
        raise Rejected("the JWK Set has no key with this kid")
    public_key = rsa_public_key_from_jwk(candidates[0])
    # RFC 7515 section 5.2 with RS256 (RFC 7518 section 3.3): RSASSA-PKCS1-v1_5 over ASCII(header.payload).
    try:
        public_key.verify(
            b64url_decode(parts[2]),
            f"{parts[0]}.{parts[1]}".encode("ascii"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        raise Rejected("the signature does not match") from None
    payload = json.loads(b64url_decode(parts[1]))
    credential = payload.get("vc", payload)
    issuer = credential["issuer"]
    issuer_id = issuer if isinstance(issuer, str) else issuer["id"]
    # Only the issuer's own site can vouch for its key.
    if urlsplit(kid).netloc != urlsplit(issuer_id).netloc:
        raise Rejected("the key is not published by the issuer")
    if payload.get("iss") != issuer_id:
        raise Rejected("iss does not match issuer.id")
    if payload.get("sub") != credential["credentialSubject"].get("id"):
        raise Rejected("sub does not match credentialSubject.id")
    if payload.get("jti") != credential["id"]:
        raise Rejected("jti does not match id")
    valid_from = parse_datetime(credential["validFrom"])
    if "nbf" not in payload or datetime.fromtimestamp(payload["nbf"], UTC) != valid_from:
        raise Rejected("nbf does not equal validFrom")
    if valid_from > now:
        raise Rejected("not valid yet")
    if "exp" in payload and datetime.fromtimestamp(payload["exp"], UTC) <= now:
        raise Rejected("expired")
    return credential


def check_open_badge_structure(credential: dict) -> None:
    """The required parts of an OpenBadgeCredential (Open Badges 3.0 appendix B.1)."""
    context = credential["@context"]
    assert context[0] == "https://www.w3.org/ns/credentials/v2"
    assert context[1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.")
    assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(credential["type"])
    assert urlsplit(credential["id"]).scheme == "https"
    assert isinstance(credential["name"], str) and credential["name"]
    issuer = credential["issuer"]
    assert "Profile" in issuer["type"]
    assert urlsplit(issuer["id"]).scheme == "https"
    subject = credential["credentialSubject"]
    assert "AchievementSubject" in subject["type"]
    achievement = subject["achievement"]
    assert "Achievement" in achievement["type"]
    for member in ("id", "name", "description"):
        assert isinstance(achievement[member], str) and achievement[member]
    assert achievement["criteria"].get("narrative") or achievement["criteria"].get("id")
    for entry in subject["identifier"]:
        assert entry["type"] == "IdentityObject"
        assert isinstance(entry["hashed"], bool)
        assert entry["identityType"] in {"emailAddress", "name"}


def email_matches(credential: dict, email: str) -> bool:
    """Open Badges 3.0 IdentityHash: "sha256$" + hex SHA-256 of the UTF-8 identifier followed by the salt."""
    for entry in credential["credentialSubject"]["identifier"]:
        if entry["identityType"] == "emailAddress" and entry["hashed"]:
            algorithm, digest = entry["identityHash"].split("$", 1)
            assert algorithm == "sha256"
            expected = hashlib.sha256((email + entry.get("salt", "")).encode("utf-8")).hexdigest()
            if digest.lower() == expected:
                return True
    return False


def check_status(credential: dict, *, web: dict[str, str], now: datetime) -> None:
    """Bitstring Status List v1.0 section 3.2: fetch, verify and read the credential's bit."""
    entries = credential.get("credentialStatus", [])
    for entry in entries if isinstance(entries, list) else [entries]:
        if entry["type"] != "BitstringStatusListEntry":
            continue
        url = entry["statusListCredential"]
        if url not in web:
            raise Rejected("the status list cannot be fetched")
        status_list = verify_vc_jwt(web[url], web=web, now=now)
        if status_list["id"] != url:
            raise Rejected("the status list is not the one the credential names")
        list_issuer = (
            status_list["issuer"] if isinstance(status_list["issuer"], str) else status_list["issuer"]["id"]
        )
        if list_issuer != credential["issuer"]["id"]:
            raise Rejected("the status list has another issuer")
        if "BitstringStatusListCredential" not in status_list["type"]:
            raise Rejected("not a BitstringStatusListCredential")
        subject = status_list["credentialSubject"]
        if subject["type"] != "BitstringStatusList" or subject["statusPurpose"] != entry["statusPurpose"]:
            raise Rejected("STATUS_VERIFICATION_ERROR: the list's purpose differs")
        encoded = subject["encodedList"]
        if not encoded.startswith("u"):
            raise Rejected("encodedList is not multibase base64url")
        bits = gzip.decompress(b64url_decode(encoded[1:]))
        if len(bits) * 8 < 131_072:
            raise Rejected("STATUS_LIST_LENGTH_ERROR")
        index = int(entry["statusListIndex"])
        if index >= len(bits) * 8:
            raise Rejected("RANGE_ERROR")
        # Section 2.2: index 0 is the left-most bit of the bitstring.
        if (bits[index // 8] >> (7 - index % 8)) & 1 and entry["statusPurpose"] == "revocation":
            raise Rejected("revoked")


def verify_open_badge(token: str, *, web: dict[str, str], now: datetime = NOW) -> dict:
    credential = verify_vc_jwt(token, web=web, now=now)
    check_open_badge_structure(credential)
    check_status(credential, web=web, now=now)
    return credential


# --- The site under test --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_key() -> SigningKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    return SigningKey(private_key=private_key, key_id=key_id_for(private_key.public_key(), base_url=SITE))


def published(key: SigningKey, *, revoked: set[int] = frozenset()) -> dict[str, str]:
    """What the site serves: its JWK Set and its revocation list."""
    return {
        JWKS_URL: json.dumps(jwks(key)),
        STATUS_URL: status_list_credential(
            set(revoked), url=STATUS_URL, issuer=ISSUER_ID, key=key, valid_from=ISSUED
        ),
    }


def _segments(token: str) -> list[dict]:
    return [json.loads(b64url_decode(part)) for part in token.split(".")[:2]]


def _encode(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def test_open_badge_verifies_against_the_published_key_set(site_key):
    token = open_badge_credential(FACTS, key=site_key)

    credential = verify_open_badge(token, web=published(site_key))

    header, _ = _segments(token)
    assert header == {"alg": "RS256", "kid": site_key.key_id, "typ": "JWT"}
    assert site_key.key_id.startswith(f"{JWKS_URL}#")
    assert credential["id"] == f"{SITE}/certificates/verify/7KQ4-M2XD-9PLA"
    assert credential["validFrom"] == "2026-03-25T09:30:00Z"
    assert credential["issuer"] == {
        "id": ISSUER_ID,
        "type": ["Profile"],
        "name": "Gathering Network",
        "url": SITE,
    }
    subject = credential["credentialSubject"]
    assert subject["id"].startswith("urn:uuid:")
    assert subject["activityStartDate"] == "2026-03-03T00:00:00Z"
    assert subject["activityEndDate"] == "2026-03-24T00:00:00Z"
    achievement = subject["achievement"]
    assert achievement["id"] == f"{SITE}/learning/listening-with-compassion/"
    assert achievement["name"] == "Listening with compassion"
    assert achievement["description"] == "A foundation course in holding listening circles. (12.5 CPD hours)"
    assert achievement["criteria"]["narrative"] == (
        "Attended at least 80% of the cohort's sessions.\n\n"
        "Continuing professional development: 12.5 hours.\n\n"
        "Learning outcomes:\n\n"
        "- Hold a listening circle with care\n"
        "- Know when to signpost to more support"
    )
    assert credential["credentialStatus"] == {
        "id": f"{STATUS_URL}#4242",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "4242",
        "statusListCredential": STATUS_URL,
    }


def test_open_badge_identifies_the_person_by_salted_email_hash_and_name(site_key):
    credential = verify_open_badge(open_badge_credential(FACTS, key=site_key), web=published(site_key))

    # An employer told the address (as the person would type it) can confirm it; nobody can read it.
    assert email_matches(credential, "zoe.ashworth@example.org")
    assert not email_matches(credential, "someone.else@example.org")
    assert "zoe.ashworth" not in json.dumps(credential).lower()
    names = [
        entry for entry in credential["credentialSubject"]["identifier"] if entry["identityType"] == "name"
    ]
    assert names == [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": "Zoë Ashworth-Okafor",
        }
    ]


def test_open_badge_without_a_name_identifies_by_email_only(site_key):
    token = open_badge_credential(replace(FACTS, recipient_name=""), key=site_key)

    credential = verify_open_badge(token, web=published(site_key))
    assert [entry["identityType"] for entry in credential["credentialSubject"]["identifier"]] == [
        "emailAddress"
    ]


def test_revoked_open_badge_is_rejected_and_others_on_the_same_list_are_not(site_key):
    token = open_badge_credential(FACTS, key=site_key)

    with pytest.raises(Rejected, match="revoked"):
        verify_open_badge(token, web=published(site_key, revoked={4242}))
    verify_open_badge(token, web=published(site_key, revoked={4241, 4243, 0, 131_071}))


def test_status_list_bits_are_counted_from_the_left_and_at_least_the_minimum_length(site_key):
    web = published(site_key, revoked={0, 9, 131_071})

    status_list = verify_vc_jwt(web[STATUS_URL], web=web, now=NOW)
    assert status_list["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = status_list["credentialSubject"]
    assert subject["statusPurpose"] == "revocation"
    bits = gzip.decompress(b64url_decode(subject["encodedList"][1:]))
    assert len(bits) == 131_072 // 8
    assert bits[0] == 0b1000_0000
    assert bits[1] == 0b0100_0000
    assert bits[-1] == 0b0000_0001
    assert sum(bin(byte).count("1") for byte in bits) == 3


def test_status_list_grows_past_the_minimum_for_a_high_index(site_key):
    web = published(site_key, revoked={200_000})

    subject = verify_vc_jwt(web[STATUS_URL], web=web, now=NOW)["credentialSubject"]
    bits = gzip.decompress(b64url_decode(subject["encodedList"][1:]))
    assert len(bits) == 2 * 131_072 // 8
    assert (bits[200_000 // 8] >> (7 - 200_000 % 8)) & 1 == 1
    token = open_badge_credential(replace(FACTS, status_list_index=200_000), key=site_key)
    with pytest.raises(Rejected, match="revoked"):
        verify_open_badge(token, web=web)


def test_tampered_open_badge_is_rejected(site_key):
    token = open_badge_credential(FACTS, key=site_key)
    header, payload = _segments(token)
    payload["credentialSubject"]["achievement"]["description"] = "A foundation course (40 CPD hours)"
    forged = ".".join([token.split(".")[0], _encode(payload), token.split(".")[2]])
    unsigned = ".".join([_encode(header | {"alg": "none"}), token.split(".")[1], ""])

    with pytest.raises(Rejected, match="signature"):
        verify_open_badge(forged, web=published(site_key))
    with pytest.raises(Rejected, match="is not RS256"):
        verify_open_badge(unsigned, web=published(site_key))


def test_open_badge_signed_by_another_key_is_rejected(site_key):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # Claiming the site's kid: the published key does not verify it.
    impostor = SigningKey(private_key=other, key_id=site_key.key_id)
    with pytest.raises(Rejected, match="signature"):
        verify_open_badge(open_badge_credential(FACTS, key=impostor), web=published(site_key))
    # Pointing at a key set of its own elsewhere: not the issuer's site.
    elsewhere = SigningKey(
        private_key=other, key_id=key_id_for(other.public_key(), base_url="https://badges.example.net")
    )
    web = published(site_key) | {
        "https://badges.example.net/.well-known/jwks.json": json.dumps(jwks(elsewhere))
    }
    with pytest.raises(Rejected, match="not published by the issuer"):
        verify_open_badge(open_badge_credential(FACTS, key=elsewhere), web=web)


def test_status_list_signed_by_another_key_is_rejected(site_key):
    impostor = SigningKey(
        private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048), key_id=site_key.key_id
    )
    web = published(site_key)
    web[STATUS_URL] = status_list_credential(set(), url=STATUS_URL, issuer=ISSUER_ID, key=impostor)

    with pytest.raises(Rejected, match="signature"):
        verify_open_badge(open_badge_credential(FACTS, key=site_key), web=web)


def test_open_badge_is_not_valid_before_it_was_issued(site_key):
    token = open_badge_credential(FACTS, key=site_key)

    with pytest.raises(Rejected, match="not valid yet"):
        verify_open_badge(token, web=published(site_key), now=ISSUED - timedelta(seconds=1))


def test_published_key_set_has_the_public_key_only(site_key):
    key_set = jwks(site_key)

    assert list(key_set) == ["keys"]
    [jwk] = key_set["keys"]
    assert set(jwk) == {"kty", "n", "e", "alg", "use", "kid"}
    assert (jwk["kty"], jwk["alg"], jwk["use"], jwk["kid"]) == ("RSA", "RS256", "sig", site_key.key_id)
    public = rsa_public_key_from_jwk(jwk).public_numbers()
    assert public == site_key.private_key.public_key().public_numbers()
    # RFC 7638: the kid's fragment is the SHA-256 thumbprint of {"e","kty","n"} in that order.
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"))
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    assert jwk["kid"] == f"{JWKS_URL}#{thumbprint}"


def test_open_badge_refuses_a_naive_issue_time(site_key):
    with pytest.raises(ValueError, match="timezone-aware"):
        open_badge_credential(replace(FACTS, valid_from=datetime(2026, 3, 25, 9, 30)), key=site_key)


# --- The key file ---------------------------------------------------------------------------------------


def test_signing_key_file_is_created_private_and_reused(settings, tmp_path):
    path = tmp_path / "keys" / "credential-signing-key.pem"
    settings.GATHERING_CREDENTIAL_KEY_FILE = str(path)
    settings.PRODUCTION = False

    first = site_signing_key(base_url=SITE)
    second = site_signing_key(base_url=SITE)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.private_key.private_numbers() == second.private_key.private_numbers()
    assert first.key_id == second.key_id
    assert first.private_key.key_size >= 2048
    assert list(path.parent.iterdir()) == [path]


def test_signing_key_default_path_is_in_var(settings, tmp_path):
    del settings.GATHERING_CREDENTIAL_KEY_FILE
    settings.VAR_DIR = tmp_path
    settings.PRODUCTION = False

    site_signing_key(base_url=SITE)

    assert (tmp_path / "credential-signing-key.pem").exists()


def test_signing_key_is_not_created_in_production(settings, tmp_path):
    path = tmp_path / "credential-signing-key.pem"
    settings.GATHERING_CREDENTIAL_KEY_FILE = str(path)
    settings.PRODUCTION = True

    with pytest.raises(CredentialKeyError, match=r"does not exist\. Create it once"):
        site_signing_key(base_url=SITE)
    assert not path.exists()


def test_malformed_signing_key_file_is_refused_with_a_clear_message(settings, tmp_path):
    path = tmp_path / "credential-signing-key.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    settings.GATHERING_CREDENTIAL_KEY_FILE = str(path)
    settings.PRODUCTION = False

    with pytest.raises(CredentialKeyError, match=r"is not an unencrypted PEM private key"):
        site_signing_key(base_url=SITE)
    assert "not a key" in path.read_text()  # left as it was, never replaced


def test_signing_key_file_of_another_kind_is_refused(settings, tmp_path):
    path = tmp_path / "credential-signing-key.pem"
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    settings.GATHERING_CREDENTIAL_KEY_FILE = str(path)

    with pytest.raises(CredentialKeyError, match="must be an RSA key of at least 2048 bits"):
        site_signing_key(base_url=SITE)
