"""The audit log: one entry per audit-worthy action, append-only in code and in PostgreSQL, and a page for
administrators only with a constant number of queries."""

import pytest
from django.db import DatabaseError, connection, transaction

from gathering.accounts.services import account_delete, user_roles_set
from gathering.privacy.models import AuditEntry
from gathering.privacy.services import audit_record, consent_give, consent_withdraw

from ..conftest import signed_in
from ..factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db


def test_audit_record_names_roles_not_people(admin_user, participant):
    entry = audit_record(actor=admin_user, action="viewed", subject=participant, detail="opened profile")

    assert entry.actor == admin_user
    assert entry.actor_description == "Admin, Participant"
    assert (entry.action, entry.subject_type, entry.subject_id, entry.detail) == (
        "viewed",
        "accounts.user",
        str(participant.pk),
        "opened profile",
    )
    assert admin_user.email not in entry.actor_description
    assert admin_user.name not in entry.actor_description


def test_audit_record_without_actor_or_subject():
    entry = audit_record(actor=None, action="erased", subject_type="accounts.user", subject_id=42)

    assert (entry.actor, entry.actor_description, entry.subject_type, entry.subject_id) == (
        None,
        "system",
        "accounts.user",
        "42",
    )


def test_audit_record_refuses_unknown_action():
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_record(actor=None, action="peeked")
    assert AuditEntry.objects.count() == 0


def test_audit_entries_cannot_be_changed_or_deleted_in_code():
    entry = audit_record(actor=None, action="viewed", subject_type="x.y", subject_id="1")

    entry.detail = "rewritten"
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="rewritten")
    assert AuditEntry.objects.get().detail == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE privacy_auditentry SET detail = 'rewritten'",
        "UPDATE privacy_auditentry SET actor_id = NULL, detail = 'rewritten'",
        "DELETE FROM privacy_auditentry",
    ],
)
def test_the_database_refuses_changes_to_the_audit_log(admin_user, sql):
    audit_record(actor=admin_user, action="viewed", subject_type="x.y", subject_id="1")

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert AuditEntry.objects.get().detail == ""


def test_deleting_the_actor_keeps_the_entry_without_them(participant):
    consent_give(user=participant, purpose="newsletter", method="form")
    entry_pk = AuditEntry.objects.get().pk

    account_delete(user=participant)

    entry = AuditEntry.objects.get(pk=entry_pk)
    assert entry.actor_id is None
    assert entry.actor_description == "Participant"
    assert entry.action == "consent_given"


def test_each_audit_worthy_action_writes_exactly_one_entry(admin_user):
    person = UserFactory()

    consent_give(user=person, purpose="newsletter", method="form")
    assert list(AuditEntry.objects.values_list("action", "actor", "subject_type", "detail")) == [
        ("consent_given", person.pk, "privacy.consentrecord", "newsletter v1 by form")
    ]

    consent_withdraw(user=person, purpose="newsletter")
    assert AuditEntry.objects.filter(action="consent_withdrawn").count() == 1
    assert AuditEntry.objects.count() == 2

    user_roles_set(actor=admin_user, user=person, role_slugs={"participant", "facilitator"})
    role_entries = AuditEntry.objects.filter(action="role_changed")
    assert list(
        role_entries.values_list("actor", "actor_description", "subject_type", "subject_id", "detail")
    ) == [(admin_user.pk, "Admin, Participant", "accounts.user", str(person.pk), "added facilitator")]

    user_roles_set(actor=admin_user, user=person, role_slugs={"participant", "organiser"})
    assert role_entries.order_by("-pk").first().detail == "added organiser; removed facilitator"
    assert AuditEntry.objects.count() == 4


def test_setting_the_same_roles_again_writes_nothing(admin_user):
    person = UserFactory()

    user_roles_set(actor=admin_user, user=person, role_slugs={"participant"})

    assert AuditEntry.objects.count() == 0


def test_a_refused_role_change_writes_nothing(organiser, participant):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        user_roles_set(actor=organiser, user=participant, role_slugs={"participant", "admin"})

    assert AuditEntry.objects.count() == 0


def test_role_changes_through_the_staff_page_are_audited(admin_user, participant):
    response = signed_in(admin_user).post(
        f"/staff/team/{participant.pk}/roles/", {"roles": ["participant", "facilitator"]}
    )

    assert response.status_code == 302
    assert list(AuditEntry.objects.values_list("action", "subject_id")) == [
        ("role_changed", str(participant.pk))
    ]


def make_entries(n: int, actor) -> None:
    for i in range(n):
        audit_record(actor=actor, action="viewed" if i % 2 else "exported", subject_type="x.y", subject_id=i)


@pytest.mark.parametrize("rows", [1, 10, 120])
def test_audit_page_runs_a_constant_number_of_queries(admin_user, rows, django_assert_num_queries):
    other = make_staff("organiser")
    make_entries(rows, admin_user)
    make_entries(rows, other)
    client = signed_in(admin_user)
    client.get("/staff/audit/")  # warm the session and MFA checks

    # session, user, roles, two permission reads, count, one page of entries with their actors, and the
    # staff idle-timeout session save (savepoint, update, release); the second factor is read from the
    # session itself
    with django_assert_num_queries(10):
        response = client.get("/staff/audit/")

    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 1 + min(2 * rows, 50)


def test_audit_page_lists_newest_first_and_filters_by_action(admin_user):
    audit_record(actor=admin_user, action="viewed", subject_type="x.y", subject_id="older")
    audit_record(actor=admin_user, action="exported", subject_type="x.y", subject_id="newer")
    client = signed_in(admin_user)

    html = client.get("/staff/audit/").content.decode()
    assert html.index("x.y:newer") < html.index("x.y:older")

    html = client.get("/staff/audit/?action=viewed").content.decode()
    assert "x.y:older" in html
    assert "x.y:newer" not in html


def test_audit_page_paginates_keeping_the_filter(admin_user):
    make_entries(120, admin_user)
    client = signed_in(admin_user)

    html = client.get("/staff/audit/?action=viewed").content.decode()

    assert html.count("<tr>") == 51
    assert 'href="?action=viewed&amp;page=2"' in html
    assert "Page 1 of 2" in html
    assert client.get("/staff/audit/?action=viewed&page=2").content.decode().count("<tr>") == 11


def test_audit_page_with_an_unknown_action_shows_an_error_and_everything(admin_user):
    audit_record(actor=admin_user, action="viewed", subject_type="x.y", subject_id="1")

    response = signed_in(admin_user).get("/staff/audit/?action=someone@example.org")

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "x.y:1" in html


@pytest.mark.parametrize("role", ["participant", "facilitator", "organiser", "safeguarding_lead"])
def test_audit_page_is_forbidden_to_everyone_but_administrators(role):
    user = make_staff(role, mfa=role != "participant")

    response = signed_in(user).get("/staff/audit/")

    assert response.status_code == 403


def test_audit_page_sends_anonymous_people_to_sign_in(client):
    response = client.get("/staff/audit/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def test_audit_page_needs_two_step_verification(db):
    admin_without_mfa = make_staff("admin", mfa=False)

    response = signed_in(admin_without_mfa).get("/staff/audit/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/2fa/totp/activate/")
