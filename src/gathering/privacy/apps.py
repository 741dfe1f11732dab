"""Privacy: consent records, encrypted special-category fields, the audit log, export and erasure."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "gathering.privacy"
    label = "privacy"
    verbose_name = _("Privacy")
