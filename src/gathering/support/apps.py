"""Support and safeguarding: the crisis page on every site, and (later) concerns and their queue."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "gathering.support"
    label = "support"
    verbose_name = _("Support and safeguarding")

    def ready(self) -> None:
        from gathering.accounts.signals import account_deleting

        from .services import on_account_deleting

        account_deleting.connect(on_account_deleting, dispatch_uid="support_unlink_on_delete")
