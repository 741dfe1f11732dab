"""Programme: sessions, call for proposals with review, open-space proposals and interest, the rooms x slots
grid, the optimised timetable and the pages that show it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "gathering.programme"
    label = "programme"
    verbose_name = _("Programme")

    def ready(self) -> None:
        from gathering.accounts.signals import account_deleting
        from gathering.privacy.signals import erasure_previewing

        # Registers the demo step, home block, job, rules and the finder of past sessions about a topic.
        from . import demo, home, jobs, rules, topics  # noqa: F401
        from .erasure import on_account_deleting, on_erasure_previewing

        account_deleting.connect(on_account_deleting, dispatch_uid="programme_leave_on_delete")
        erasure_previewing.connect(on_erasure_previewing, dispatch_uid="programme_erasure_preview")

        from .pagecache import watch_models

        watch_models()
