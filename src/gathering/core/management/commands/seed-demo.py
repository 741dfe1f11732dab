"""`gathering seed-demo [--scale N]`: load demo data (safe to run again) and print the demo logins."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gathering.core.demo import seed_demo


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins. Never run this on a production site."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--scale", type=int, default=1, help="Multiply the demo data, for load tests.")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args: Any, scale: int, quiet_logins: bool, **options: Any) -> None:
        from django.conf import settings

        if settings.PRODUCTION:
            raise CommandError("Demo data has well-known passwords: it cannot be loaded in production.")
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        logins = seed_demo(scale=scale)
        if quiet_logins:
            return
        self.stdout.write("\nDemo logins (development only):")
        for login in logins:
            self.stdout.write(f"  {login.role:<18} {login.email:<36} password: {login.password}")
        staff = [login for login in logins if login.totp_secret]
        if staff:
            self.stdout.write(
                "\n  Staff accounts use two-step verification. Add this secret to an authenticator app:\n"
                f"    {staff[0].totp_secret}\n"
                "  or, at the code prompt, enter a one-off recovery code:"
            )
            for login in staff:
                self.stdout.write(f"    {login.email:<36} {login.recovery_code}")
