"""Registration questions can be marked sensitive (the default), and the answers to them are encrypted.

The answers already given are kept: they are copied into a new encrypted column (the historical model uses
the real encrypted field, so each value is written as a token), then the plain column is dropped and the new
one takes its name. Going back copies them out again in clear."""

from django.db import migrations, models

import gathering.privacy.fields


def encrypt_answers(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    for pk, answers in Registration.objects.values_list("pk", "answers").iterator():
        if answers:
            Registration.objects.filter(pk=pk).update(answers_encrypted=answers)


def decrypt_answers(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    given = Registration.objects.filter(answers_encrypted__isnull=False)
    for pk, answers in given.values_list("pk", "answers_encrypted").iterator():
        Registration.objects.filter(pk=pk).update(answers=answers or {})


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0011_registration_over_capacity_priority"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="sensitive",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "Answers may say something about a person's health or their experience of services. "
                    "People answer only if they agree to how we use such answers; the answers are kept "
                    "encrypted and deleted soon after the Gathering. Untick only for practical questions, "
                    "like lunch or travel."
                ),
                verbose_name="answers may be sensitive",
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="answers_encrypted",
            field=gathering.privacy.fields.EncryptedJSONField(blank=True, null=True, verbose_name="answers"),
        ),
        migrations.RunPython(encrypt_answers, decrypt_answers),
        migrations.RemoveField(
            model_name="registration",
            name="answers",
        ),
        migrations.RenameField(
            model_name="registration",
            old_name="answers_encrypted",
            new_name="answers",
        ),
    ]
