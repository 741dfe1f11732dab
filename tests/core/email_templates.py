"""The email body templates the project has, for the tests that check every one of them."""

from pathlib import Path

from django.template.utils import get_app_template_dirs


def email_body_templates(suffixes: tuple[str, ...] = (".txt", ".html")) -> list[str]:
    """Template names (email/<app>/<name>.<suffix>) of every email body: not bases, subjects, or partials
    (named _*, included by a body that extends the base)."""
    names = set()
    for directory in get_app_template_dirs("templates"):
        for path in Path(directory, "email").rglob("*.*"):
            stem = path.stem
            if (
                path.suffix in suffixes
                and stem != "base"
                and not stem.endswith("_subject")
                and not stem.startswith("_")
            ):
                names.add(path.relative_to(directory).as_posix())
    return sorted(names)
