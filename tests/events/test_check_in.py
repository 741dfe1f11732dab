"""The check-in desk on a phone: counts of expected, arrived and payment due; the list of expected people;
search by name, ticket code or the reference printed in the email; marking paid at the desk; undoing a
check-in (audited); access needs shown discreetly and only with consent; QR scanning only as an extra."""

import pytest

from gathering.events.models import Registration
from gathering.privacy.models import AuditEntry

from ..conftest import signed_in
from ..factories import make_staff
from .conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(staff_event):
    return staff_event


def url(event):
    return f"/staff/gatherings/{event.slug}/check-in/"


def test_check_in_page_lists_expected_people_with_counts(event, organiser):
    register(event, "Ann Arrived")
    register(event, "Bea Owes", ticket="Solidarity", amount_minor=3000, payment="on_the_day")
    register(event, "Cy Coming")
    client = signed_in(organiser)
    client.post(url(event), {"registration": Registration.objects.get(name="Ann Arrived").pk})
    response = client.get(url(event))
    assert response.context["counts"] == {"expected": 3, "arrived": 1, "payment_due": 1}
    html = response.content.decode()
    assert "Ann Arrived" in html and "Bea Owes" in html and "Cy Coming" in html
    assert "Expected" in html and "Arrived" in html and "Payment due" in html


def test_search_by_name_works_with_a_plain_get(event, organiser):
    register(event, "Dana Smith")
    register(event, "Eli Jones")
    response = signed_in(organiser).get(url(event), {"q": "dana"})
    names = [r.name for r in response.context["people"]]
    assert names == ["Dana Smith"]


def test_the_reference_printed_in_the_email_finds_the_person_when_typed(event, organiser):
    registration = register(event, "Fay Ref")
    register(event, "Gus Other")
    reference = registration.reference
    assert reference == f"G{event.pk}-{registration.pk}"
    response = signed_in(organiser).post(url(event), {"q": f" {reference.lower()} "})
    assert [r.name for r in response.context["people"]] == ["Fay Ref"]


def test_confirmation_email_prints_the_reference(event):
    from gathering.core.models import OutboxMessage

    registration = register(event, "Hal Mail")
    message = OutboxMessage.objects.filter(kind="registration_confirmed").get()
    assert registration.reference in message.body_text


def test_mark_paid_at_the_desk_returns_to_check_in(event, organiser):
    registration = register(event, "Ivy Pays", ticket="Solidarity", amount_minor=3000, payment="on_the_day")
    response = signed_in(organiser).post(url(event), {"paid": registration.pk})
    assert response.status_code == 302 and response["Location"] == url(event)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED and registration.paid_at is not None


def test_undo_check_in_is_a_service_with_an_audit_entry(event, organiser):
    registration = register(event, "Jo Undo")
    client = signed_in(organiser)
    client.post(url(event), {"registration": registration.pk})
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    response = client.post(url(event), {"undo": registration.pk}, follow=True)
    assert "Jo Undo is no longer checked in." in response.content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    entry = AuditEntry.objects.filter(action="changed", detail="check-in undone").get()
    assert entry.subject_id == str(registration.pk)


def test_undo_check_in_needs_an_organiser_of_this_gathering(event):
    from django.core.exceptions import PermissionDenied

    from gathering.events.services import registration_check_in_undo

    registration = register(event, "Kit")
    with pytest.raises(PermissionDenied):
        registration_check_in_undo(registration=registration, actor=make_staff("organiser"))


def test_undo_is_a_post_only(event, organiser):
    registration = register(event, "Lee")
    signed_in(organiser).post(url(event), {"registration": registration.pk})
    signed_in(organiser).get(url(event), {"undo": registration.pk})
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


def test_access_needs_sit_in_a_closed_details_element_only_with_consent(event, organiser):
    register(event, "Mo", access_needs=["bsl"], special_category_consent=True, share_access_with_venue=True)
    register(event, "Ned", access_needs=["hearing_loop"], special_category_consent=True)
    html = signed_in(organiser).get(url(event)).content.decode()
    assert "<details" in html and "<summary>Access needs</summary>" in html
    assert html.count("<summary>Access needs</summary>") == 1
    assert "British Sign Language" in html
    assert "hearing loop" not in html.lower()


def test_qr_scanning_is_a_same_origin_script_and_the_form_works_without_it(event, organiser):
    html = signed_in(organiser).get(url(event)).content.decode()
    assert 'src="/static/events/check-in-scan.js"' in html
    assert 'name="q"' in html and "https://" not in html.split("<main", 1)[1].split("</main>", 1)[0]
