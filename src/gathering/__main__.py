"""The `gathering` command: Django's manage.py for this project (`python -m gathering` does the same)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, e.g. `gathering migrate` or `gathering seed-demo`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gathering.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gathering", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
