"""The fault tests' data, made and checked inside the Django of the server under test: the tests run these
functions in a `gathering shell` of their own with the server's environment (`servers.gathering_call`), as
the server's database is not the test database.

    make(people=40, places=15)  a published Gathering with `places` places, and `people` participants, each
                                with a verified email, the factories' password and an API token
    registrations(slug)         what each registration wrote, and anything written without its registration
    outbox()                    every outbox message: its recipients, status and attempts
"""

import json
import os
import sys

from gathering.accounts.services import api_token_create
from gathering.core.models import OutboxMessage
from gathering.events.models import Registration
from gathering.privacy import notices
from gathering.privacy.models import AuditEntry, ConsentRecord

from ..factories import EventFactory, TicketTypeFactory, UserFactory

SLUG = "fault-day"


def make(*, people: int, places: int) -> dict[str, object]:
    event = EventFactory(slug=SLUG, title="Fault day", capacity=places)
    ticket = TicketTypeFactory(event=event, name="Free")
    keys, emails = [], []
    for n in range(people):
        person = UserFactory(email=f"fault{n}@example.org", name=f"Fault Person {n}")
        _token, key = api_token_create(user=person, name="fault test", second_factor=False)
        keys.append(key)
        emails.append(person.email)
    return {"slug": event.slug, "ticket": ticket.pk, "capacity": places, "keys": keys, "emails": emails}


def registrations(*, slug: str = SLUG) -> dict[str, object]:
    """Each registration with the rows its transaction writes alongside it (its email in the outbox, the
    attendee-list consent and that consent's audit entry), and every such row that has no registration."""
    found = list(Registration.objects.filter(event__slug=slug).select_related("user").order_by("pk"))
    messages = {
        message.dedupe_key: message
        for message in OutboxMessage.objects.filter(dedupe_key__startswith="registration:")
    }
    consents = {
        consent.user_id: consent
        for consent in ConsentRecord.objects.filter(purpose=notices.ATTENDEE_LIST, withdrawn_at__isnull=True)
    }
    audited = set(
        AuditEntry.objects.filter(
            action=AuditEntry.Action.CONSENT_GIVEN, subject_type="privacy.consentrecord"
        ).values_list("subject_id", flat=True)
    )
    rows = []
    for registration in found:
        key = f"registration:{registration.pk}:{registration.status}"
        consent = consents.get(registration.user_id)
        rows.append(
            {
                "email": registration.email,
                "status": registration.status,
                "email_in_outbox": key in messages,
                "consent": consent is not None,
                "consent_audited": consent is not None and str(consent.pk) in audited,
            }
        )
    registered_users = {registration.user_id for registration in found}
    registration_keys = {f"registration:{r.pk}:{r.status}" for r in found}
    return {
        "registrations": rows,
        "emails_without_registration": sorted(set(messages) - registration_keys),
        "consents_without_registration": sorted(set(consents) - registered_users),
        "audit_entries_without_consent": sorted(audited - {str(c.pk) for c in ConsentRecord.objects.all()}),
    }


def outbox() -> list[dict[str, object]]:
    return [
        {"to": message.to, "status": message.status, "attempts": message.attempts}
        for message in OutboxMessage.objects.order_by("pk")
    ]


def main() -> None:
    """Run the function named in GATHERING_FAULTS_CALL (`["name", {keyword arguments}]`) and print its result
    as JSON on the last line."""
    name, kwargs = json.loads(os.environ["GATHERING_FAULTS_CALL"])
    result = {"make": make, "registrations": registrations, "outbox": outbox}[name](**kwargs)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
