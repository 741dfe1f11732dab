"""Consent: given under the current notice, idempotent, withdrawn at once with a signal, shown on a page."""

import pytest
from django.db import IntegrityError

from gathering.privacy.models import AuditEntry, ConsentRecord
from gathering.privacy.notices import CURRENT, NOTICES, OPTIONAL_PURPOSES, notice_current, notice_for
from gathering.privacy.selectors import consent_active, consents_for
from gathering.privacy.services import consent_give, consent_withdraw
from gathering.privacy.signals import consent_withdrawn

from ..conftest import signed_in

pytestmark = pytest.mark.django_db


def test_every_purpose_has_a_notice_naming_it():
    assert list(CURRENT) == [
        "special_category_event",
        "attendee_list",
        "share_access_needs_with_venue",
        "newsletter",
        "feedback_contact",
    ]
    assert sorted(OPTIONAL_PURPOSES) == ["attendee_list", "feedback_contact", "newsletter"]
    assert len({(n.purpose, n.version) for n in NOTICES}) == len(NOTICES)
    assert "access needs" in str(notice_current("special_category_event").text)
    assert "venue team" in str(notice_current("share_access_needs_with_venue").text)


def test_consent_give_records_the_current_notice_version(participant):
    record = consent_give(user=participant, purpose="newsletter", method="form")

    assert (record.user, record.purpose, record.notice_version, record.method) == (
        participant,
        "newsletter",
        CURRENT["newsletter"].version,
        "form",
    )
    assert record.withdrawn_at is None
    assert consent_active(user=participant, purpose="newsletter") is True
    assert consent_active(user=participant, purpose="attendee_list") is False


def test_consent_give_again_while_active_is_idempotent(participant):
    first = consent_give(user=participant, purpose="newsletter", method="form")
    second = consent_give(user=participant, purpose="newsletter", method="api")

    assert second.pk == first.pk
    assert ConsentRecord.objects.filter(user=participant).count() == 1
    assert AuditEntry.objects.filter(action="consent_given").count() == 1


def test_consent_give_refuses_unknown_purpose_and_method(participant):
    with pytest.raises(KeyError):
        consent_give(user=participant, purpose="selling_data", method="form")
    with pytest.raises(ValueError, match="Unknown consent method"):
        consent_give(user=participant, purpose="newsletter", method="telepathy")
    assert ConsentRecord.objects.count() == 0


def test_the_database_allows_one_active_consent_per_purpose(participant):
    consent_give(user=participant, purpose="newsletter", method="form")

    with pytest.raises(IntegrityError):
        ConsentRecord.objects.create(user=participant, purpose="newsletter", notice_version=1, method="form")


def test_consent_withdraw_sets_withdrawn_at_and_sends_the_signal(participant):
    received = []

    def receiver(sender, *, user, purpose, **kwargs):
        received.append((sender, user, purpose))

    consent_withdrawn.connect(receiver)
    try:
        consent_give(user=participant, purpose="special_category_event", method="form")

        assert consent_withdraw(user=participant, purpose="special_category_event") is True
    finally:
        consent_withdrawn.disconnect(receiver)

    assert received == [(ConsentRecord, participant, "special_category_event")]
    record = ConsentRecord.objects.get(user=participant)
    assert record.withdrawn_at is not None
    assert consent_active(user=participant, purpose="special_category_event") is False


def test_a_failing_receiver_rolls_the_withdrawal_back(participant):
    def receiver(sender, **kwargs):
        raise RuntimeError("could not delete the data")

    consent_give(user=participant, purpose="special_category_event", method="form")
    consent_withdrawn.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            consent_withdraw(user=participant, purpose="special_category_event")
    finally:
        consent_withdrawn.disconnect(receiver)

    assert consent_active(user=participant, purpose="special_category_event") is True
    assert AuditEntry.objects.filter(action="consent_withdrawn").count() == 0


def test_withdrawing_what_was_never_given_returns_false_and_sends_nothing(participant):
    received = []
    consent_withdrawn.connect(lambda sender, **kw: received.append(kw), weak=False, dispatch_uid="t")
    try:
        assert consent_withdraw(user=participant, purpose="newsletter") is False
    finally:
        consent_withdrawn.disconnect(dispatch_uid="t")
    assert received == []
    assert AuditEntry.objects.count() == 0


def test_consent_can_be_given_again_after_withdrawal(participant):
    consent_give(user=participant, purpose="attendee_list", method="form")
    consent_withdraw(user=participant, purpose="attendee_list")

    consent_give(user=participant, purpose="attendee_list", method="form")

    assert ConsentRecord.objects.filter(user=participant).count() == 2
    assert consent_active(user=participant, purpose="attendee_list") is True


def test_consents_for_lists_every_purpose_in_one_query(participant, django_assert_num_queries):
    consent_give(user=participant, purpose="newsletter", method="form")
    consent_give(user=participant, purpose="attendee_list", method="form")
    consent_withdraw(user=participant, purpose="attendee_list")

    with django_assert_num_queries(1):
        statuses = consents_for(user=participant)

    by_purpose = {s.notice.purpose: s for s in statuses}
    assert list(by_purpose) == list(CURRENT)
    assert by_purpose["newsletter"].record is not None
    assert by_purpose["attendee_list"].record is None
    assert by_purpose["attendee_list"].withdrawn is not None
    assert by_purpose["feedback_contact"].record is None
    assert by_purpose["feedback_contact"].withdrawn is None


def test_consents_page_shows_each_purpose_and_its_notice(participant):
    consent_give(user=participant, purpose="special_category_event", method="form")

    response = signed_in(participant).get("/privacy/consents/")

    assert response.status_code == 200
    html = response.content.decode()
    for notice in CURRENT.values():
        assert str(notice.title) in html
        assert str(notice.text) in html
    assert html.count("You gave consent on") == 1
    assert html.count('value="withdraw"') == 1
    assert html.count('value="give"') == 3
    assert html.count("csrfmiddlewaretoken") == 4


def test_consents_page_gives_and_withdraws_without_javascript(participant):
    client = signed_in(participant)

    response = client.post("/privacy/consents/", {"purpose": "feedback_contact", "change": "give"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/privacy/consents/"
    assert consent_active(user=participant, purpose="feedback_contact") is True
    assert ConsentRecord.objects.get(user=participant).method == "form"

    response = client.post("/privacy/consents/", {"purpose": "feedback_contact", "change": "withdraw"})

    assert response.status_code == 200
    assert consent_active(user=participant, purpose="feedback_contact") is True

    response = client.post(
        "/privacy/consents/", {"purpose": "feedback_contact", "change": "withdraw", "confirm": "1"}
    )

    assert response.status_code == 302
    assert consent_active(user=participant, purpose="feedback_contact") is False


def test_consents_page_will_not_give_special_category_consent(participant):
    response = signed_in(participant).post(
        "/privacy/consents/", {"purpose": "special_category_event", "change": "give"}
    )

    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert ConsentRecord.objects.count() == 0


def test_consents_page_refuses_a_tampered_purpose(participant):
    response = signed_in(participant).post("/privacy/consents/", {"purpose": "sell", "change": "give"})

    assert response.status_code == 400
    assert ConsentRecord.objects.count() == 0


def test_consents_page_needs_csrf(participant):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)

    response = client.post("/privacy/consents/", {"purpose": "newsletter", "change": "give"})

    assert response.status_code == 403
    assert ConsentRecord.objects.count() == 0


def test_consents_page_needs_sign_in(client):
    response = client.get("/privacy/consents/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def _registered_with_answers(person, title):
    from gathering.events.services import RegistrationInput, registration_create

    from ..factories import EventFactory, TicketTypeFactory

    event = EventFactory(title=title)
    ticket = TicketTypeFactory(event=event)
    data = RegistrationInput(
        ticket_type_id=ticket.pk,
        name=person.name,
        email=person.email,
        special_category_consent=True,
        perspectives=["services"],
        access_needs=["hearing_loop"],
        share_access_with_venue=True,
        on_attendee_list=True,
    )
    return registration_create(event=event, user=person, data=data).registration


def test_withdrawing_asks_first_and_says_what_will_be_deleted_per_gathering(participant):
    _registered_with_answers(participant, "Harvest Gathering")
    _registered_with_answers(participant, "Winter Gathering")
    client = signed_in(participant)

    response = client.post("/privacy/consents/", {"purpose": "special_category_event", "change": "withdraw"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Are you sure you want to withdraw this consent?" in html
    assert str(CURRENT["special_category_event"].title) in html
    for title in ("Harvest Gathering", "Winter Gathering"):
        assert (
            f"{title}: how you come to this Gathering, your access needs, and sharing them with the "
            "venue team" in html
        )
    assert 'name="confirm"' in html
    assert consent_active(user=participant, purpose="special_category_event") is True


def test_confirming_the_withdrawal_deletes_what_it_said(participant):
    from gathering.events.models import Registration

    registration = _registered_with_answers(participant, "Harvest Gathering")
    client = signed_in(participant)

    response = client.post(
        "/privacy/consents/",
        {"purpose": "special_category_event", "change": "withdraw", "confirm": "1"},
    )

    assert response.status_code == 302
    assert consent_active(user=participant, purpose="special_category_event") is False
    registration = Registration.objects.get(pk=registration.pk)
    assert (registration.perspectives, registration.access_needs, registration.share_access_with_venue) == (
        None,
        None,
        False,
    )


def test_withdrawing_the_attendee_list_says_which_lists_the_name_leaves(participant):
    _registered_with_answers(participant, "Harvest Gathering")

    response = signed_in(participant).post(
        "/privacy/consents/", {"purpose": "attendee_list", "change": "withdraw"}
    )

    assert "Harvest Gathering: your name on the attendee list" in response.content.decode()


def test_withdrawing_with_nothing_tied_to_it_says_so(participant):
    consent_give(user=participant, purpose="newsletter", method="form")

    response = signed_in(participant).post(
        "/privacy/consents/", {"purpose": "newsletter", "change": "withdraw"}
    )

    assert "We hold nothing else that depends on this consent" in response.content.decode()


def test_the_current_notices_say_what_the_site_does():
    # Earlier versions stay on record for the people who agreed to them.
    attendee_list = notice_current("attendee_list")
    assert attendee_list.version == 2 and "confirmed place who also chose" in str(attendee_list.text)
    special = notice_current("special_category_event")
    assert special.version == 2 and "organisers’ questions" in str(special.text)
    assert notice_for("attendee_list", 1) is not None and notice_for("special_category_event", 1) is not None
