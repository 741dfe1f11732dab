"""Raising a safeguarding concern, and the leads' queue."""

import pytest
from django.db import connection
from django.test import Client

from gathering.core.models import OutboxMessage
from gathering.support.models import Concern, ConcernNote

from ..conftest import signed_in
from ..factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db

DETAILS = "A participant said they had stopped taking food and felt hopeless"


def test_anyone_can_raise_a_concern_and_sees_helplines_at_once(client):
    response = client.post(
        "/help/concern/",
        {"severity": "high", "details": DETAILS, "people_involved": "", "context": "profile"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your concern has been sent" in html and "116 123" in html
    concern = Concern.objects.get()
    assert (concern.anonymous, concern.reporter, concern.status) == (True, None, "new")
    with connection.cursor() as cursor:
        cursor.execute("SELECT details FROM support_concern")
        assert DETAILS not in cursor.fetchone()[0]


def test_a_participant_may_stay_anonymous():
    person = UserFactory()
    signed_in(person).post("/help/concern/", {"severity": "normal", "details": DETAILS, "anonymous": "on"})
    concern = Concern.objects.get()
    assert concern.reporter is None and concern.anonymous is True
    signed_in(person).post("/help/concern/", {"severity": "normal", "details": DETAILS})
    assert Concern.objects.filter(reporter=person).count() == 1


def test_an_urgent_concern_alerts_every_safeguarding_lead_without_details(client):
    leads = [make_staff("safeguarding_lead"), make_staff("safeguarding_lead")]
    client.post("/help/concern/", {"severity": "urgent", "details": DETAILS})
    alerts = OutboxMessage.objects.filter(kind="urgent_concern")
    assert sorted(a.to[0] for a in alerts) == sorted(lead.email for lead in leads)
    assert all(DETAILS not in a.body_text for a in alerts)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"severity": "", "details": DETAILS}, "severity", "Choose how urgent it is"),
        ({"severity": "high", "details": ""}, "details", "Tell us what happened"),
        ({"severity": "high", "details": "x" * 5001}, "details", "5,000 characters or fewer"),
        ({"severity": "apocalyptic", "details": DETAILS}, "severity", "Select a valid choice"),
    ],
)
def test_bad_input(client, data, field, message):
    response = client.post("/help/concern/", data)
    assert any(message in e for e in response.context["form"].errors[field])
    assert Concern.objects.count() == 0


def test_only_safeguarding_leads_see_the_queue_and_details(client):
    client.post("/help/concern/", {"severity": "high", "details": DETAILS})
    concern = Concern.objects.get()
    for person in (UserFactory(), make_staff("facilitator"), make_staff("organiser")):
        for url in ("/staff/safeguarding/", f"/staff/safeguarding/{concern.pk}/"):
            response = signed_in(person).get(url)
            assert response.status_code == 403
            assert DETAILS not in response.content.decode()
    lead = signed_in(make_staff("safeguarding_lead"))
    assert concern.reference in lead.get("/staff/safeguarding/").content.decode()
    assert DETAILS in lead.get(f"/staff/safeguarding/{concern.pk}/").content.decode()


def test_lead_acknowledges_notes_and_closes():
    lead_user = make_staff("safeguarding_lead")
    Client().post("/help/concern/", {"severity": "urgent", "details": DETAILS})
    concern = Concern.objects.get()
    client = signed_in(lead_user)
    client.post(
        f"/staff/safeguarding/{concern.pk}/",
        {"status": "in_progress", "action": "contacted", "note": "Phoned them.", "assign_to_me": "on"},
    )
    concern.refresh_from_db()
    assert (concern.status, concern.assigned_to) == ("in_progress", lead_user)
    assert concern.acknowledged_at is not None
    assert ConcernNote.objects.get().text == "Phoned them."
    client.post(f"/staff/safeguarding/{concern.pk}/", {"status": "closed"})
    concern.refresh_from_db()
    assert concern.closed_at is not None
    assert concern.reference not in client.get("/staff/safeguarding/").content.decode()


CONTACT = "kim.reporter@example.org"
CONTACT_HINT = (
    "An email address or phone number, if you would like a safeguarding lead to get back to you. "
    "Leave it empty to stay anonymous."
)


def test_a_signed_out_person_may_leave_a_way_to_be_contacted(client):
    form = client.get("/help/concern/").content.decode()
    assert CONTACT_HINT in form
    client.post("/help/concern/", {"severity": "high", "details": DETAILS, "contact": CONTACT})
    concern = Concern.objects.get()
    assert (concern.contact, concern.reporter, concern.anonymous) == (CONTACT, None, True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM support_concern")
        raw = cursor.fetchone()[0]
    assert CONTACT not in raw and raw.startswith("gAAAAA")


def test_the_way_to_be_contacted_is_optional(client):
    client.post("/help/concern/", {"severity": "normal", "details": DETAILS})
    assert Concern.objects.get().contact == ""


def test_a_signed_in_person_is_not_asked_for_a_contact():
    form = signed_in(UserFactory()).get("/help/concern/").content.decode()
    assert 'name="contact"' not in form


def test_the_lead_sees_the_contact_and_the_read_is_audited(client):
    from gathering.privacy.models import AuditEntry

    client.post("/help/concern/", {"severity": "high", "details": DETAILS, "contact": CONTACT})
    concern = Concern.objects.get()
    lead = make_staff("safeguarding_lead")
    html = signed_in(lead).get(f"/staff/safeguarding/{concern.pk}/").content.decode()
    assert f"<dt>How to get back to them</dt><dd>{CONTACT}</dd>" in html
    assert list(AuditEntry.objects.filter(action="viewed").values_list("actor", "detail")) == [
        (lead.pk, "safeguarding concern")
    ]


def test_contact_is_re_encrypted_with_the_details_when_keys_rotate():
    from gathering.privacy.rotation import encrypted_fields

    found = {(model._meta.label, field.name) for model, fields in encrypted_fields() for field in fields}
    assert ("support.Concern", "contact") in found


def test_erasing_the_person_clears_their_contact_and_keeps_the_concern(client):
    from gathering.privacy.subject import subject_erase

    person = UserFactory(email=CONTACT)
    client.post("/help/concern/", {"severity": "high", "details": DETAILS, "contact": CONTACT.upper()})
    client.post("/help/concern/", {"severity": "high", "details": DETAILS, "contact": "0161 496 0000"})
    subject_erase(user=person)
    assert sorted(Concern.objects.values_list("contact", flat=True)) == ["", "0161 496 0000"]
    assert all(c.details == DETAILS for c in Concern.objects.all())


def test_status_changes_are_recorded_in_the_history_and_shown():
    from gathering.support.models import ConcernStatusChange

    lead_user = make_staff("safeguarding_lead", name="Robin Lead")
    Client().post("/help/concern/", {"severity": "urgent", "details": DETAILS})
    concern = Concern.objects.get()
    client = signed_in(lead_user)
    client.post(f"/staff/safeguarding/{concern.pk}/", {"status": "in_progress"})
    client.post(f"/staff/safeguarding/{concern.pk}/", {"status": "in_progress", "note": "Still with it."})
    client.post(f"/staff/safeguarding/{concern.pk}/", {"status": "closed"})
    changes = list(
        ConcernStatusChange.objects.filter(concern=concern).values_list(
            "changed_by", "from_status", "to_status"
        )
    )
    assert changes == [(lead_user.pk, "new", "in_progress"), (lead_user.pk, "in_progress", "closed")]
    assert all(c.created_at is not None for c in ConcernStatusChange.objects.all())
    html = client.get(f"/staff/safeguarding/{concern.pk}/").content.decode()
    assert "<strong>Status: New → Being handled</strong> – Robin Lead" in html
    assert "<strong>Status: Being handled → Closed</strong> – Robin Lead" in html
    assert (
        html.index("New → Being handled")
        < html.index("Still with it.")
        < html.index("Being handled → Closed")
    )


# ------------------------------------------------------------------------------ raised from a circle (item 8)
def test_a_concern_raised_from_a_circle_names_the_circle_for_the_lead():
    from gathering.circles.models import Circle

    from ..circles.helpers import join
    from ..factories import CircleSeriesFactory

    facilitator = make_staff("facilitator", name="Robin Facilitator")
    series = CircleSeriesFactory(name="Morning circles", status="published")
    person = UserFactory()
    membership = join(series, person)
    circle = Circle.objects.create(series=series, number=2, facilitator=facilitator)
    membership.circle = circle
    membership.save(update_fields=["circle"])
    page = signed_in(person).get(f"/my/circles/{membership.pk}/").content.decode()
    assert f"/help/concern/?from=circle:{circle.pk}" in page
    signed_in(person).post(
        "/help/concern/", {"severity": "high", "details": DETAILS, "context": f"circle:{circle.pk}"}
    )
    concern = Concern.objects.get()
    assert (concern.raised_from_label, concern.raised_from_path) == (
        "Circle 2 of Morning circles, facilitated by Robin Facilitator",
        f"/circles/{series.slug}/",
    )
    lead = make_staff("safeguarding_lead")
    detail = signed_in(lead).get(f"/staff/safeguarding/{concern.pk}/").content.decode()
    assert "Circle 2 of Morning circles, facilitated by Robin Facilitator" in detail
    assert f'href="/circles/{series.slug}/"' in detail


def test_a_reference_nothing_knows_is_kept_as_written(client):
    client.post("/help/concern/", {"severity": "high", "details": DETAILS, "context": "circle:99999"})
    concern = Concern.objects.get()
    assert (concern.context, concern.raised_from_label, concern.raised_from_path) == ("circle:99999", "", "")


def test_a_concern_raised_from_a_gathering_names_it(client):
    from ..factories import EventFactory

    event = EventFactory(title="Autumn Gathering")
    client.post(
        "/help/concern/", {"severity": "normal", "details": DETAILS, "context": f"gathering:{event.slug}"}
    )
    concern = Concern.objects.get()
    assert (concern.raised_from_label, concern.raised_from_path) == (
        "Autumn Gathering",
        f"/gatherings/{event.slug}/",
    )
