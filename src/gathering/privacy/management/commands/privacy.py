"""`gathering privacy rotate-keys | export EMAIL | erase EMAIL --yes`: look after personal data by hand."""

from argparse import ArgumentParser
from typing import Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError

from gathering.accounts.models import User
from gathering.privacy.models import AuditEntry
from gathering.privacy.rotation import encrypted_fields, keys_rotate_model
from gathering.privacy.services import audit_record
from gathering.privacy.subject import subject_erase, subject_export_json


class Command(BaseCommand):
    help = "Privacy tasks: re-encrypt with the newest key, export a person's data, erase a person."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        rotate = actions.add_parser(
            "rotate-keys",
            help="Re-encrypt every encrypted value with the first key in GATHERING_ENCRYPTION_KEYS.",
        )
        rotate.add_argument("--batch-size", type=int, default=500)
        export = actions.add_parser("export", help="Print everything held about a person, as JSON.")
        export.add_argument("email")
        erase = actions.add_parser(
            "erase", help="Erase a person, keeping only what the law needs, anonymised."
        )
        erase.add_argument("email")
        erase.add_argument("--yes", action="store_true", help="Confirm: this cannot be undone.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, "handle_" + action.replace("-", "_"))(**options)

    def handle_rotate_keys(self, *, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        total = 0
        for model, fields in encrypted_fields():
            try:
                count = keys_rotate_model(model=model, fields=fields, batch_size=batch_size)
            except InvalidToken:
                raise CommandError(
                    f"{model._meta.label}: a value cannot be decrypted with any configured key. "
                    "Add the key it was written with to GATHERING_ENCRYPTION_KEYS and run again."
                ) from None
            total += count.values
            self.stdout.write(f"{count.model}: {count.values} values in {count.rows} rows re-encrypted")
        self.stdout.write(f"Done: {total} values re-encrypted with the newest key.")

    def handle_export(self, *, email: str, **options: Any) -> None:
        user = self._person(email)
        audit_record(actor=None, action=AuditEntry.Action.EXPORTED, subject=user, detail="by command")
        self.stdout.write(subject_export_json(user=user))

    def handle_erase(self, *, email: str, yes: bool, **options: Any) -> None:
        if not yes:
            raise CommandError("Erasure cannot be undone: add --yes to confirm.")
        report = subject_erase(user=self._person(email))
        for label, count in sorted(report.deleted.items()):
            self.stdout.write(f"deleted {label}: {count}")
        for label, reason in sorted(report.kept.items()):
            self.stdout.write(f"kept {label}: {reason}")

    @staticmethod
    def _person(email: str) -> User:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            # The address is not repeated: command output can end up in logs.
            raise CommandError("No account has that email address.")
        return user
