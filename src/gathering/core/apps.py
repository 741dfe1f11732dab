"""Core: the layout, middleware and small utilities every other app builds on."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gathering.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Registers core's periodic job (the outbox purge).
        from . import jobs  # noqa: F401
