"""Gatherings: events, venues, tickets, registration, capacity and waitlist, bursaries and check-in."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "gathering.events"
    label = "events"
    verbose_name = _("Gatherings")

    def ready(self) -> None:
        from gathering.accounts.signals import account_deleting
        from gathering.privacy.signals import erasure_previewing

        # Registers the demo step, home page blocks, periodic jobs, references, rules and the topic finder.
        from . import demo, home, jobs, references, rules, topics  # noqa: F401
        from .erasure import on_account_deleting, on_erasure_previewing

        account_deleting.connect(on_account_deleting, dispatch_uid="events_anonymise_on_delete")
        erasure_previewing.connect(on_erasure_previewing, dispatch_uid="events_erasure_preview")

        from gathering.privacy.signals import consent_withdrawal_previewing, consent_withdrawn

        from .selectors import consent_withdrawal_steps
        from .services import on_consent_withdrawn

        consent_withdrawn.connect(on_consent_withdrawn, dispatch_uid="events_consent_withdrawn")
        consent_withdrawal_previewing.connect(consent_withdrawal_steps, dispatch_uid="events_consent_preview")

        from .pagecache import watch_models

        watch_models()
