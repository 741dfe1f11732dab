"""`gathering privacy export EMAIL` and `erase EMAIL --yes`: audited once; erase needs --yes."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gathering.accounts.models import User
from gathering.accounts.services import account_delete
from gathering.privacy.models import AuditEntry, ConsentRecord
from gathering.privacy.services import consent_give

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()


def test_export_prints_json_with_consents_and_is_audited():
    person = UserFactory(email="export.me@example.org")
    consent_give(user=person, purpose="newsletter", method="form")

    data = json.loads(run("export", "Export.Me@example.org"))

    assert data["exported_for"] == "export.me@example.org"
    assert [row["purpose"] for row in data["data"]["privacy.consentrecord"]["rows"]] == ["newsletter"]
    assert list(
        AuditEntry.objects.filter(action="exported").values_list("actor", "subject_id", "detail")
    ) == [(None, str(person.pk), "by command")]


def test_erase_needs_yes():
    person = UserFactory()

    with pytest.raises(CommandError, match="add --yes"):
        run("erase", person.email)

    assert User.objects.filter(pk=person.pk).exists()
    assert AuditEntry.objects.count() == 0


def test_erase_deletes_consents_and_writes_one_erased_entry():
    person = UserFactory()
    consent_give(user=person, purpose="newsletter", method="form")
    pk = person.pk

    output = run("erase", person.email, "--yes")

    assert "deleted privacy.consentrecord: 1" in output
    assert "kept privacy.auditentry:" in output
    assert not User.objects.filter(pk=pk).exists()
    assert ConsentRecord.objects.count() == 0
    erased = AuditEntry.objects.filter(action="erased")
    assert list(erased.values_list("actor", "subject_type", "subject_id")) == [
        (None, "accounts.user", str(pk))
    ]
    assert AuditEntry.objects.get(action="consent_given").actor is None


def test_deleting_ones_own_account_is_audited_once():
    person = UserFactory()

    account_delete(user=person)

    assert AuditEntry.objects.filter(action="erased").count() == 1


def test_an_unknown_email_is_refused_without_echoing_it():
    with pytest.raises(CommandError) as error:
        run("export", "nobody@example.org")

    assert str(error.value) == "No account has that email address."
