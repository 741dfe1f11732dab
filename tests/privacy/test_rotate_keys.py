"""`gathering privacy rotate-keys`: every value moves to the newest key, so old keys can go."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gathering.privacy import crypto
from gathering.privacy.rotation import encrypted_fields
from gathering.support.models import Concern
from gathering.support.services import concern_raise

pytestmark = pytest.mark.django_db

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


@pytest.fixture
def keys(settings):
    def use(*keys: str) -> None:
        settings.GATHERING_ENCRYPTION_KEYS = list(keys)
        crypto.reset_cipher()

    yield use
    crypto.reset_cipher()


def raw_concerns() -> dict[int, tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, details, people_involved FROM support_concern ORDER BY id")
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def run(*args: str) -> str:
    out = StringIO()
    call_command("privacy", "rotate-keys", *args, stdout=out)
    return out.getvalue()


def test_every_encrypted_field_in_every_app_is_found():
    found = {(model._meta.label, field.name) for model, fields in encrypted_fields() for field in fields}

    assert ("support.Concern", "details") in found
    assert ("support.Concern", "people_involved") in found
    # Circles' encrypted fields are found too, without being listed anywhere.
    assert {label for label, _name in found if label.startswith("circles.")}
    assert ("learning.SelfAssessment", "reflection") in found
    assert all(label.split(".")[0] in {"events", "support", "circles", "learning"} for label, _name in found)


def test_rotate_keys_re_encrypts_with_the_newest_key(keys):
    keys(KEY_A)
    for i in range(5):
        concern_raise(
            reporter=None,
            severity="normal",
            details=f"felt unsafe in circle {i}",
            people_involved="" if i % 2 else f"person {i}",
        )
    before = raw_concerns()

    keys(KEY_B, KEY_A)
    output = run("--batch-size", "2")

    assert "support.Concern: 8 values in 5 rows re-encrypted" in output
    assert "Done:" in output
    after = raw_concerns()
    assert set(after) == set(before)
    for pk, (details, people) in after.items():
        assert details != before[pk][0]
        assert (people == "") if before[pk][1] == "" else (people != before[pk][1])
    keys(KEY_B)
    assert sorted(Concern.objects.values_list("details", flat=True)) == [
        f"felt unsafe in circle {i}" for i in range(5)
    ]
    assert sorted(Concern.objects.values_list("people_involved", flat=True)) == [
        "",
        "",
        "person 0",
        "person 2",
        "person 4",
    ]
    with pytest.raises(crypto.InvalidToken):
        Fernet(KEY_A.encode()).decrypt(after[min(after)][0].encode())


def test_rotate_keys_with_a_missing_key_fails_and_says_how_to_fix_it(keys):
    keys(KEY_A)
    concern_raise(reporter=None, severity="normal", details="something worried me")
    before = raw_concerns()

    keys(KEY_B)
    with pytest.raises(CommandError, match=r"support\.Concern: a value cannot be decrypted"):
        run()

    assert raw_concerns() == before


def test_rotate_keys_refuses_a_batch_size_below_one():
    with pytest.raises(CommandError, match="--batch-size must be 1 or more"):
        run("--batch-size", "0")
