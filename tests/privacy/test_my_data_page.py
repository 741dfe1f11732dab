"""Your data: the page shows, in words, everything the JSON download holds; no field names, no raw codes."""

import html
import re
from datetime import datetime

import pytest
from django.apps import apps
from django.utils import formats, timezone
from django.utils.text import capfirst

from gathering.core.regions import region_label
from gathering.events.bursaries import bursary_apply
from gathering.events.models import BursaryFund, Question
from gathering.events.services import RegistrationInput, registration_create
from gathering.privacy.services import consent_give
from gathering.privacy.subject import NAME_SUFFIX, subject_export
from gathering.programme.models import Interest
from gathering.support.services import concern_raise

from ..circles.helpers import join
from ..conftest import signed_in
from ..factories import CircleSeriesFactory, EventFactory, TicketTypeFactory, UserFactory
from ..programme.attendee_data import mark, programme_for, session

pytestmark = pytest.mark.django_db

# Bookkeeping the download carries for completeness and the page leaves out, and ids shown as names.
NOT_SHOWN = {"id", "security_epoch", "calendar_sequence", "answers_purged", "circumstances_purged"}
# The words each code in a list of codes should be shown as.
CODE_WORDS = {
    "step_free": "Step-free access",
    "quiet_space": "A quiet space to take breaks",
    "lived_experience": "My own lived experience of mental distress",
    "family_carer": "As family or a carer",
    "travel": "Travel",
    "childcare": "Childcare",
}


def person_with_data_everywhere(n: int = 1):
    person = UserFactory(name="Marigold Fennimore", preferred_name="Goldie", pronouns="she/her")
    for k in range(n):
        event = EventFactory(title=f"Harvest Gathering {k}")
        ticket = TicketTypeFactory(event=event)
        wish = Question.objects.create(event=event, text=f"What do you hope for {k}?", kind="text")
        lunch = Question.objects.create(event=event, text=f"Will you stay for lunch {k}?", kind="yes_no")
        registration_create(
            event=event,
            user=person,
            data=RegistrationInput(
                ticket_type_id=ticket.pk,
                name="Marigold Fennimore",
                email=person.email,
                pronouns="she/her",
                region="north_west",
                special_category_consent=True,
                perspectives=["lived_experience", "family_carer"],
                access_needs=["step_free", "quiet_space"],
                access_needs_other=f"Seat near the door {k}",
                dietary_needs="No nuts",
                answers={str(wish.pk): f"To meet people like me {k}", str(lunch.pk): "yes"},
                on_attendee_list=True,
            ),
        )
        BursaryFund.objects.create(event=event, total_minor=100_000)
        bursary_apply(
            event=event,
            user=person,
            support=["travel", "childcare"],
            amount_requested_minor=4250,
            circumstances=f"I care for my dad {k}",
        )
        programme = programme_for(event)
        mark(person, session(programme, title=f"Walking together {k}"), Interest.Level.REALLY_WANT)
        series = CircleSeriesFactory(name=f"Evening circles {k}")
        join(
            series,
            person,
            perspectives=["lived_experience"],
            region="yorkshire_humber",
            organisation="Leeds Mind",
            access_needs="A break halfway",
        )
        concern_raise(
            reporter=person,
            severity="normal",
            details=f"Someone shouted at the lunch queue {k}",
            context=f"Harvest Gathering {k}",
        )
    consent_give(user=person, purpose="newsletter", method="form")
    return person


def page_text(person) -> str:
    response = signed_in(person).get("/privacy/my-data/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _shown_date(value: str) -> str:
    parsed = datetime.fromisoformat(value)
    if len(value) == 10:
        return formats.date_format(parsed.date(), "j F Y")
    return formats.date_format(timezone.localtime(parsed), "j F Y")


def expected_words(export) -> tuple[list[str], list[str]]:
    """(what the page must show, what it must not) for every value and key in the download."""
    shown, hidden = [], []
    for label, section in export["data"].items():
        hidden.append(label)
        model = apps.get_model(label)
        fields = {field.name for field in model._meta.concrete_fields}
        for row in section.get("rows", []):
            for key, value in row.items():
                if "_" in key:
                    hidden.append(key)
                if key not in fields and key.removesuffix(NAME_SUFFIX) in fields:
                    if value:  # the name of what a link points at, beside its id: the page shows the name
                        shown.append(value)
                    continue
                field = model._meta.get_field(key)
                if key in NOT_SHOWN or field.is_relation or value in (None, "", [], {}) or value is False:
                    continue
                if value is True:
                    shown.append("Yes")
                elif field.choices:
                    shown.append(str(dict(field.flatchoices)[value]))
                    if isinstance(value, str) and "_" in value:
                        hidden.append(value)
                elif key == "region":  # a circle member's region, stored without choices on the field
                    shown.append(region_label(value))
                    hidden.append(value)
                elif key == "subject_type":  # the audit log's record type: shown by its name
                    shown.append(str(capfirst(apps.get_model(value)._meta.verbose_name)))
                    hidden.append(value)
                elif label == "privacy.auditentry" and key == "detail":
                    # Consent purposes are named by their notice's title rather than their code.
                    shown.extend(word for word in value.split() if "_" not in word)
                    hidden.extend(word for word in value.split() if "_" in word)
                elif key == "answers":
                    for question_id, answer in value.items():
                        shown.append(Question.objects.get(pk=question_id).text)
                        shown.append("Yes" if answer == "yes" else str(answer))
                elif isinstance(value, list):
                    for code in value:
                        shown.append(CODE_WORDS[code])
                        if "_" in code:
                            hidden.append(code)
                elif key.endswith("_minor"):
                    shown.append(f"{value / 100:.2f}")
                elif isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\d", value):
                    shown.append(_shown_date(value))
                else:
                    shown.append(str(value))
    return shown, hidden


def test_the_page_shows_every_value_in_the_download_in_words():
    person = person_with_data_everywhere()
    export = subject_export(user=person)
    assert {
        "events.registration",
        "events.bursaryapplication",
        "programme.interest",
        "circles.circlemembership",
        "privacy.consentrecord",
        "support.concern",
    } <= {label for label, section in export["data"].items() if section.get("rows")}

    text = page_text(person)

    shown, hidden = expected_words(export)
    assert [word for word in shown if word not in text] == []
    assert [word for word in hidden if re.search(rf"\b{re.escape(word)}\b", text)] == []


def test_the_page_names_things_as_a_person_would():
    person = person_with_data_everywhere()

    text = " ".join(page_text(person).split())

    for words in (
        "Access needs you told us",
        "Step-free access, A quiet space to take breaks",
        "What do you hope for 0?: To meet people like me 0",
        "Will you stay for lunch 0?: Yes",
        "Sessions you marked",
        "Really want",
        "“Walking together 0” at Harvest Gathering 0",
        "Evening circles 0",
        "What you agreed to",
        "Your bursary applications",
        "Travel, Childcare",
        "Where you live",
        "North West",
        "Yorkshire and The Humber",
        "42.50",
        "Concerns you raised",
        "Someone shouted at the lunch queue 0",
        "Harvest Gathering 0",
    ):
        assert words in text


def test_the_page_does_the_same_number_of_queries_with_ten_times_the_data(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 10):
        person = person_with_data_everywhere(n)
        client = signed_in(person)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/privacy/my-data/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
