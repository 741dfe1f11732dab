"""The network directory: organisations, services and locations in the Open Referral (HSDS 3) model."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "gathering.directory"
    label = "directory"
    verbose_name = _("Network directory")

    def ready(self) -> None:
        # Registers the demo step and the home page block.
        from . import demo, home  # noqa: F401
