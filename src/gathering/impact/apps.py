"""Impact: aggregate figures with disclosure control, the organisers' dashboard, the annual report, the
public page and the API."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "gathering.impact"
    label = "impact"
    verbose_name = _("Impact")

    def ready(self) -> None:
        # Registers the demo step, the home page block and the signals that mark the figures out of date.
        from gathering.core.pagecache import LISTINGS, watch

        from . import demo, home, signals  # noqa: F401
        from .models import AnnualReport

        # The home page links the latest published report (core/pagecache.py).
        watch(AnnualReport, lambda report: [LISTINGS])
