"""Privacy: consent records, encrypted special-category fields, the audit log, export and erasure."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "gathering.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from gathering.accounts.signals import account_deleting, roles_changed

        from .receivers import audit_account_deleting, audit_roles_changed, preview_kept
        from .signals import erasure_previewing

        roles_changed.connect(audit_roles_changed, dispatch_uid="privacy.audit_roles_changed")
        account_deleting.connect(audit_account_deleting, dispatch_uid="privacy.audit_account_deleting")
        erasure_previewing.connect(preview_kept, dispatch_uid="privacy.preview_kept")
