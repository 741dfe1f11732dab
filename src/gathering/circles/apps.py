"""Listening circles: series, joining with perspectives and "not with" requests, formation by the grouping
optimiser, group agreements, facilitator and participant views, attendance and feedback."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirclesConfig(AppConfig):
    name = "gathering.circles"
    label = "circles"
    verbose_name = _("Listening circles")

    def ready(self) -> None:
        from gathering.accounts.signals import account_deleting
        from gathering.privacy.signals import consent_withdrawn, erasure_previewing

        # Registers the demo step, the home page block, periodic job, references and rules.
        from . import demo, home, jobs, references, rules  # noqa: F401
        from .erasure import on_account_deleting, on_erasure_previewing
        from .services import on_consent_withdrawn

        account_deleting.connect(on_account_deleting, dispatch_uid="circles_anonymise_on_delete")
        erasure_previewing.connect(on_erasure_previewing, dispatch_uid="circles_erasure_preview")
        consent_withdrawn.connect(on_consent_withdrawn, dispatch_uid="circles_consent_withdrawn")

        from gathering.core.pagecache import LISTINGS, watch

        from .models import CircleSeries

        # The home page lists the series open for joining (core/pagecache.py).
        watch(CircleSeries, lambda series: [LISTINGS])
