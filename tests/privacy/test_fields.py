"""Encrypted fields: values round-trip, the database holds only Fernet tokens, and SQL cannot search them."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.db import connection, models
from django.test.utils import isolate_apps

from gathering.accounts.models import User
from gathering.privacy import crypto
from gathering.privacy.fields import EncryptedJSONField, EncryptedTextField
from gathering.privacy.models import ConsentRecord
from gathering.privacy.rotation import keys_rotate_model
from gathering.privacy.services import consent_give

from .dump import database_dump_text

SECRET = "lives-with-bipolar-disorder-4471"


@pytest.fixture
def secret_model(transactional_db):
    """A table made for the test and dropped after it (a model in the product would need a migration)."""
    with isolate_apps("gathering.privacy"):

        class Secret(models.Model):
            text = EncryptedTextField(blank=True, default="")
            data = EncryptedJSONField(null=True, blank=True)

            class Meta:
                app_label = "privacy"
                db_table = "privacy_test_secret"

            def __str__(self) -> str:
                return str(self.pk)

        with connection.schema_editor() as editor:
            editor.create_model(Secret)
        try:
            yield Secret
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(Secret)


def raw_values(table: str, column: str) -> list[str | None]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_text_and_json_round_trip(secret_model):
    row = secret_model.objects.create(text=SECRET, data={"needs": ["ramp", "quiet room"], "n": 2})

    again = secret_model.objects.get(pk=row.pk)

    assert again.text == SECRET
    assert again.data == {"needs": ["ramp", "quiet room"], "n": 2}


def test_raw_column_is_a_fernet_token_without_the_plaintext(secret_model):
    secret_model.objects.create(text=SECRET, data=["quiet room"])

    (text,) = raw_values("privacy_test_secret", "text")
    (data,) = raw_values("privacy_test_secret", "data")

    assert text.startswith("gAAAAA")
    assert SECRET not in text
    assert "quiet room" not in data
    assert crypto.decrypt(text) == SECRET
    assert crypto.decrypt(data) == '["quiet room"]'


def test_empty_and_null_are_stored_as_they_are(secret_model):
    secret_model.objects.create(text="", data=None)

    assert raw_values("privacy_test_secret", "text") == [""]
    assert raw_values("privacy_test_secret", "data") == [None]


@pytest.mark.parametrize("lookup", ["icontains", "exact", "startswith", "in"])
def test_filtering_on_an_encrypted_field_raises(secret_model, lookup):
    value = ["x"] if lookup == "in" else "x"
    with pytest.raises(FieldError, match=f"cannot be filtered with '{lookup}'"):
        secret_model.objects.filter(**{f"text__{lookup}": value})


def test_isnull_is_the_one_lookup_allowed(secret_model):
    secret_model.objects.create(text="a", data=None)

    assert secret_model.objects.filter(data__isnull=True).count() == 1


def test_dump_shows_no_plaintext_but_shows_unencrypted_columns(secret_model):
    user = User.objects.create_user(email="dump@example.org", name="Dump Test", password=None)
    consent_give(user=user, purpose="newsletter", method=ConsentRecord.Method.FORM)
    secret_model.objects.create(text=SECRET, data={"needs": "hearing loop"})

    dump = database_dump_text()

    assert "newsletter" in dump
    assert "dump@example.org" in dump
    assert SECRET not in dump
    assert "hearing loop" not in dump


def test_values_written_under_another_key_do_not_decrypt(secret_model, settings):
    settings.GATHERING_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    crypto.reset_cipher()
    try:
        secret_model.objects.create(text=SECRET)
        settings.GATHERING_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        crypto.reset_cipher()
        with pytest.raises(crypto.InvalidToken):
            secret_model.objects.get()
    finally:
        crypto.reset_cipher()


def test_rotation_moves_text_and_json_to_the_newest_key(secret_model, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.GATHERING_ENCRYPTION_KEYS = [old]
    crypto.reset_cipher()
    try:
        secret_model.objects.create(text=SECRET, data={"needs": ["ramp"]})
        secret_model.objects.create(text="", data=None)
        secret_model.objects.create(text="", data=[1, 2])
        settings.GATHERING_ENCRYPTION_KEYS = [new, old]
        crypto.reset_cipher()

        count = keys_rotate_model(
            model=secret_model,
            fields=[secret_model._meta.get_field(n) for n in ("text", "data")],
            batch_size=1,
        )

        assert (count.model, count.rows, count.values) == ("privacy.Secret", 2, 3)
        settings.GATHERING_ENCRYPTION_KEYS = [new]
        crypto.reset_cipher()
        rows = list(secret_model.objects.order_by("pk").values_list("text", "data"))
        assert rows == [(SECRET, {"needs": ["ramp"]}), ("", None), ("", [1, 2])]
    finally:
        crypto.reset_cipher()
