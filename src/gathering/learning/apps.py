"""Learning programmes: courses, cohorts run as training Gatherings, sessions, attendance, self-assessment."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "gathering.learning"
    label = "learning"
    verbose_name = _("Learning")

    def ready(self) -> None:
        from gathering.accounts.signals import account_deleting
        from gathering.core.pagecache import LISTINGS, watch
        from gathering.privacy.signals import erasure_previewing

        from .erasure import on_account_deleting, on_erasure_previewing

        account_deleting.connect(on_account_deleting, dispatch_uid="learning_erase_reflections")
        erasure_previewing.connect(on_erasure_previewing, dispatch_uid="learning_erasure_preview")

        # Registers the demo step, the home page block and the rules.
        from . import demo, home, rules  # noqa: F401
        from .models import Cohort, Course

        # The home page lists the next cohorts (core/pagecache.py).
        watch(Course, lambda course: [LISTINGS])
        watch(Cohort, lambda cohort: [LISTINGS])
