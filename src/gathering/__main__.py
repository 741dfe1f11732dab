"""The `gathering` command: Django's manage.py for this project (`python -m gathering` does the same)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, e.g. `gathering migrate` or `gathering seed-demo`."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["optimise"]:
        # The solvers need no database or settings: run them without starting Django.
        from gathering.optimise.cli import main as optimise

        sys.exit(optimise(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gathering.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gathering", *args])


if __name__ == "__main__":
    main()
