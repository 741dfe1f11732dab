"""How people pay: a small provider interface, so a card provider can be added without touching registration.

A provider says what a registration with something to pay looks like straight after registering (its
status) and what the person is told to do. Today's providers need no outside service: paying on the day, and
bank transfer with organisers marking payments received. A card provider would add a `checkout_url` step and
confirm the registration from the provider's webhook by calling `registration_mark_paid`.
"""

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Registration


@dataclass(frozen=True)
class PaymentStep:
    """What happens next for the person: instructions to show and email, and a page to go to, if any."""

    instructions: str
    checkout_url: str | None = None


class PaymentProvider(Protocol):
    key: str
    label: str

    def start(self, registration: Registration) -> PaymentStep: ...


class OnTheDay:
    key = Registration.Payment.ON_THE_DAY
    label = _("On the day")

    def start(self, registration: Registration) -> PaymentStep:
        return PaymentStep(str(_("Please pay when you arrive: cash or card at the welcome desk.")))


class BankTransfer:
    key = Registration.Payment.INVOICE
    label = _("By bank transfer (we will send the details)")

    def start(self, registration: Registration) -> PaymentStep:
        details = settings.GATHERING_BANK_TRANSFER_DETAILS or str(
            _("The organisers will email you the bank details and an invoice.")
        )
        reference = f"G{registration.event_id}-{registration.pk}"
        return PaymentStep(
            str(_("Pay by bank transfer with the reference %(ref)s. %(details)s"))
            % {"ref": reference, "details": details}
        )


PROVIDERS: dict[str, PaymentProvider] = {provider.key: provider for provider in (OnTheDay(), BankTransfer())}


def provider_choices() -> list[tuple[str, str]]:
    return [(key, provider.label) for key, provider in PROVIDERS.items()]


def payment_step(registration: Registration) -> PaymentStep | None:
    provider = PROVIDERS.get(registration.payment)
    return provider.start(registration) if provider else None
