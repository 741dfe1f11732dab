"""People: accounts, profiles, roles and API tokens."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gathering.accounts"
    label = "accounts"
    verbose_name = _("People")

    def ready(self) -> None:
        from . import demo, jobs, receivers  # noqa: F401 - registers the demo step, periodic jobs, receivers

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="gathering_roles_sync")


def _sync_roles(app_config: AppConfig, using: str = "default", **kwargs: object) -> None:
    """Role groups need the app's permissions, which auth creates in its own post-migrate handler; that
    handler may not have run yet for this app, so create them first (it is idempotent)."""
    from django.contrib.auth.management import create_permissions

    from .services import roles_sync

    create_permissions(app_config, verbosity=0, using=using)
    roles_sync()
