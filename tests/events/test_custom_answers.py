"""Answers to a Gathering's own registration questions: encrypted at rest, asked with the special-category
consent when the organiser marks the question sensitive (the default), deleted on withdrawal and by
retention, and kept through the migration that encrypted them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from gathering.events.jobs import retention_purge
from gathering.events.models import Question, Registration
from gathering.events.services import (
    RegistrationError,
    RegistrationInput,
    registration_create,
    registration_update,
)
from gathering.privacy.selectors import consent_active, consent_withdrawal_preview
from gathering.privacy.services import consent_withdraw

from ..conftest import signed_in
from ..factories import EventFactory, TicketTypeFactory, UserFactory, make_staff
from ..privacy.dump import database_dump_text

pytestmark = pytest.mark.django_db

EXPERIENCE = "Crisis team twice, sectioned in 2021, peer group since 4417"
LUNCH = "Vegetarian lunch please 8823"
DAY = timezone.timedelta(days=1)


@pytest.fixture
def event():
    event = EventFactory(title="Harvest Gathering", capacity=10)
    TicketTypeFactory(event=event, name="Standard")
    return event


@pytest.fixture
def experience(event):
    return Question.objects.create(event=event, text="What is your experience of services?", kind="text")


@pytest.fixture
def lunch(event):
    return Question.objects.create(event=event, text="Anything about lunch?", kind="text", sensitive=False)


def _register(event, person, *, consent, answers):
    data = RegistrationInput(
        ticket_type_id=event.ticket_types.get().pk,
        name=person.name,
        email=person.email,
        special_category_consent=consent,
        answers=answers,
    )
    return registration_create(event=event, user=person, data=data).registration


def _raw_answers(registration):
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM events_registration WHERE id = %s", [registration.pk])
        return cursor.fetchone()[0]


def test_a_new_question_is_sensitive_unless_the_organiser_says_otherwise(event):
    question = Question.objects.create(event=event, text="Anything we should know?")

    assert question.sensitive is True


@pytest.mark.django_db(transaction=True)
def test_custom_answers_never_reach_the_database_in_clear(event, experience, lunch):
    registration = _register(
        event,
        UserFactory(),
        consent=True,
        answers={str(experience.pk): EXPERIENCE, str(lunch.pk): LUNCH},
    )

    text = database_dump_text()
    raw = _raw_answers(registration)
    assert EXPERIENCE not in text and LUNCH not in text
    assert EXPERIENCE not in raw and LUNCH not in raw
    assert Registration.objects.get(pk=registration.pk).answers == {
        str(experience.pk): EXPERIENCE,
        str(lunch.pk): LUNCH,
    }


def test_a_sensitive_answer_without_the_consent_is_refused_and_nothing_is_saved(event, experience):
    with pytest.raises(RegistrationError) as refused:
        _register(event, UserFactory(), consent=False, answers={str(experience.pk): EXPERIENCE})

    assert refused.value.message_dict == {
        f"q{experience.pk}": [
            "To answer “What is your experience of services?”, tick the box to agree to how we use what "
            "you tell us about your experience and access needs. Or leave that question empty."
        ]
    }
    assert Registration.objects.count() == 0


def test_a_sensitive_answer_with_the_consent_is_kept_under_that_consent(event, experience):
    person = UserFactory()

    registration = _register(event, person, consent=True, answers={str(experience.pk): EXPERIENCE})

    registration.refresh_from_db()
    assert registration.answers == {str(experience.pk): EXPERIENCE}
    assert registration.special_category_consent_at is not None
    assert consent_active(user=person, purpose="special_category_event") is True


def test_a_question_not_marked_sensitive_needs_no_consent(event, lunch):
    person = UserFactory()

    registration = _register(event, person, consent=False, answers={str(lunch.pk): LUNCH})

    registration.refresh_from_db()
    assert registration.answers == {str(lunch.pk): LUNCH}
    assert registration.special_category_consent_at is None
    assert consent_active(user=person, purpose="special_category_event") is False


def test_the_registration_form_says_which_questions_need_the_consent(event, experience, lunch):
    response = signed_in(UserFactory()).get(f"/gatherings/{event.slug}/register/")

    form = response.context["form"]
    assert form.fields[f"q{experience.pk}"].help_text == (
        "To answer, tick the box agreeing to how we use what you tell us about your experience and access "
        "needs. Your answer is stored encrypted."
    )
    assert form.fields[f"q{lunch.pk}"].help_text == ""
    assert str(form.fields["special_category_consent"].label).startswith(
        "I agree that the organisers may use what I tell them about how I come to this Gathering, my access "
        "needs and my answers to the questions marked as needing it, "
    )


def test_the_registration_page_refuses_a_sensitive_answer_without_the_consent(event, experience):
    response = signed_in(UserFactory()).post(
        f"/gatherings/{event.slug}/register/",
        {
            "ticket_type": event.ticket_types.get().pk,
            "name": "Robin Ash",
            f"q{experience.pk}": EXPERIENCE,
            "confirm": "1",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors[f"q{experience.pk}"] == [
        "To answer “What is your experience of services?”, tick the box to agree to how we use what "
        "you tell us about your experience and access needs. Or leave that question empty."
    ]
    assert Registration.objects.count() == 0


def _change(registration, person, *, consent, answers):
    data = RegistrationInput(
        ticket_type_id=registration.ticket_type_id,
        name=registration.name,
        email=registration.email,
        special_category_consent=consent,
        answers=answers,
    )
    return registration_update(registration=registration, user=person, data=data)


def test_changing_answers_refuses_a_new_sensitive_answer_without_the_consent(event, experience, lunch):
    person = UserFactory()
    registration = _register(event, person, consent=False, answers={str(lunch.pk): LUNCH})

    with pytest.raises(RegistrationError) as refused:
        _change(registration, person, consent=False, answers={str(experience.pk): EXPERIENCE})

    assert list(refused.value.message_dict) == [f"q{experience.pk}"]
    registration.refresh_from_db()
    assert registration.answers == {str(lunch.pk): LUNCH}
    assert registration.special_category_consent_at is None


def test_unticking_the_consent_when_changing_answers_deletes_the_sensitive_ones(event, experience, lunch):
    person = UserFactory()
    both = {str(experience.pk): EXPERIENCE, str(lunch.pk): LUNCH}
    registration = _register(event, person, consent=True, answers=both)

    _change(registration, person, consent=False, answers=both)

    registration.refresh_from_db()
    assert registration.answers == {str(lunch.pk): LUNCH}
    assert registration.special_category_consent_at is None


def test_withdrawing_the_consent_deletes_sensitive_answers_only_and_says_so_first(event, experience, lunch):
    person = UserFactory()
    registration = _register(
        event, person, consent=True, answers={str(experience.pk): EXPERIENCE, str(lunch.pk): LUNCH}
    )

    preview = consent_withdrawal_preview(user=person, purpose="special_category_event")
    consent_withdraw(user=person, purpose="special_category_event")

    assert preview == ["Harvest Gathering: your answers to “What is your experience of services?”"]
    registration.refresh_from_db()
    assert registration.answers == {str(lunch.pk): LUNCH}
    assert registration.special_category_consent_at is None


def test_withdrawing_the_consent_leaves_people_with_only_practical_answers_alone(event, lunch):
    person = UserFactory()
    registration = _register(event, person, consent=False, answers={str(lunch.pk): LUNCH})

    preview = consent_withdrawal_preview(user=person, purpose="special_category_event")

    assert preview == []
    registration.refresh_from_db()
    assert registration.answers == {str(lunch.pk): LUNCH}


def test_retention_clears_the_answers_with_the_other_answers(experience, lunch):
    start = timezone.now() - 2 * DAY
    event = EventFactory(starts_at=start, ends_at=start + timezone.timedelta(hours=6))
    ticket = TicketTypeFactory(event=event)
    registration = Registration.objects.create(
        event=event,
        ticket_type=ticket,
        name="P",
        email="p@example.org",
        status="confirmed",
        answers={str(experience.pk): EXPERIENCE},
    )

    retention_purge(now=event.ends_at + 29 * DAY)
    registration.refresh_from_db()
    assert registration.answers == {str(experience.pk): EXPERIENCE}

    retention_purge(now=event.ends_at + 30 * DAY)
    registration.refresh_from_db()
    assert registration.answers is None
    assert registration.answers_purged is True
    assert registration.status == "confirmed"


def test_the_organisers_question_form_offers_sensitive_ticked_by_default(event):
    organiser = make_staff("organiser")
    event.organisers.add(organiser)
    client = signed_in(organiser)

    form = client.get(f"/staff/gatherings/{event.slug}/questions/new/").context["form"]

    assert form["sensitive"].initial is True
    assert "experience of services" in str(form.fields["sensitive"].help_text)


BEFORE = ("events", "0011_registration_over_capacity_priority")
AFTER = ("events", "0012_question_sensitive_registration_answers_encrypted")


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_answers_given_before_it_and_encrypts_them():
    event = EventFactory()
    ticket = TicketTypeFactory(event=event)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps.get_model("events", "Registration")
        given = old.objects.create(
            event_id=event.pk,
            ticket_type_id=ticket.pk,
            name="P",
            email="p@example.org",
            status="confirmed",
            answers={"41": EXPERIENCE, "42": ["Morning", "Afternoon"]},
            checkin_code="code-given",
        )
        empty = old.objects.create(
            event_id=event.pk,
            ticket_type_id=ticket.pk,
            name="Q",
            email="q@example.org",
            status="confirmed",
            checkin_code="code-empty",
        )
        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
        # Read as the model stood then: later migrations add columns the database does not have yet.
        new = executor.loader.project_state([AFTER]).apps.get_model("events", "Registration")
        assert new.objects.get(pk=given.pk).answers == {
            "41": EXPERIENCE,
            "42": ["Morning", "Afternoon"],
        }
        assert EXPERIENCE not in _raw_answers(given)
        assert new.objects.get(pk=empty.pk).answers is None

        # And back: the answers come out of the encrypted column as they went in.
        executor = MigrationExecutor(connection)
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps.get_model("events", "Registration")
        assert old.objects.get(pk=given.pk).answers == {"41": EXPERIENCE, "42": ["Morning", "Afternoon"]}
        assert old.objects.get(pk=empty.pk).answers == {}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
