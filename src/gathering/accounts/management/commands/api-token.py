"""`gathering api-token EMAIL [--name NAME]`: print a new API token for that person, for scripts."""

from argparse import ArgumentParser
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gathering.accounts.models import User
from gathering.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Print a new API token for the person with this email address."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="Command line", help="A name to recognise the token by.")

    def handle(self, *args: Any, email: str, name: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError("No account uses that email address.")
        if not user.is_active:
            raise CommandError("That account is not active.")
        try:
            # Whoever runs commands on the server holds every key already; a staff member's token still
            # carries their role's powers only once they use two-step verification.
            _token, key = api_token_create(user=user, name=name, second_factor=is_mfa_enabled(user))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(key)
