"""Programme: sessions, call for proposals with review, open-space proposals and interest, the rooms x slots
grid, the optimised timetable and the pages that show it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "gathering.programme"
    label = "programme"
    verbose_name = _("Programme")

    def ready(self) -> None:
        from . import jobs, rules  # noqa: F401 - registers the periodic job and permission rules
