"""The network directory: organisations, services and locations in the Open Referral (HSDS 3) model."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "gathering.directory"
    label = "directory"
    verbose_name = _("Network directory")

    def ready(self) -> None:
        from gathering.accounts.signals import account_deleting

        # Registers the demo step, the home page block and the reminders to check old listings.
        from . import demo, home, jobs  # noqa: F401
        from .moderation import on_account_deleting
        from .search_index import connect

        # The search's index follows every save and deletion of what it reflects.
        connect()

        # Invitations to a deleted account's addresses go with it.
        account_deleting.connect(on_account_deleting, dispatch_uid="directory_invitations_on_delete")
