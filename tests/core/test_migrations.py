"""The migrations describe the models exactly: a model change without its migration fails here."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration(capsys):
    call_command("makemigrations", "--check", "--dry-run", verbosity=1)
    assert capsys.readouterr().out.strip() == "No changes detected"
