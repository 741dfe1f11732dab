"""Roles and the staff area: MFA before any staff page, each role reaches only its own pages."""

import time

import pytest
from django.contrib.auth.models import Group
from django.utils.html import escape

from gathering.accounts.middleware import LAST_SEEN_KEY
from gathering.accounts.models import User
from gathering.accounts.roles import ROLES

from ..conftest import signed_in
from ..factories import make_staff

pytestmark = pytest.mark.django_db


def test_every_role_exists_with_its_permissions():
    for role in ROLES:
        group = Group.objects.get(name=role.group_name)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(role.permissions)


@pytest.mark.parametrize("role", ["facilitator", "organiser", "safeguarding_lead", "admin"])
def test_staff_without_mfa_are_sent_to_set_it_up(role):
    client = signed_in(make_staff(role, mfa=False))
    for url in ("/staff/", "/staff/team/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/2fa/totp/activate/")


def test_staff_with_mfa_reach_the_staff_area(facilitator):
    response = signed_in(facilitator).get("/staff/")
    assert response.status_code == 200
    assert "Facilitator" in response.content.decode()


def test_participant_cannot_reach_staff_pages(participant_client, participant):
    for url in ("/staff/", "/staff/team/", f"/staff/team/{participant.pk}/roles/"):
        assert participant_client.get(url).status_code == 403
    assert participant_client.get("/admin/").status_code == 302  # Django admin's own login page


def test_facilitator_cannot_reach_organiser_pages(facilitator, participant):
    client = signed_in(facilitator)
    assert client.get("/staff/team/").status_code == 403
    assert client.get(f"/staff/team/{participant.pk}/roles/").status_code == 403


def test_safeguarding_lead_cannot_see_the_team(safeguarding_lead):
    assert signed_in(safeguarding_lead).get("/staff/team/").status_code == 403


def test_organiser_sees_the_team_but_cannot_change_roles(organiser, participant):
    client = signed_in(organiser)
    response = client.get("/staff/team/")
    assert response.status_code == 200
    assert escape(organiser.name) in response.content.decode()
    assert "Give someone a role" not in response.content.decode()
    response = client.post("/staff/team/", {"email": participant.email, "role": "organiser"})
    assert response.status_code == 403
    assert client.get(f"/staff/team/{participant.pk}/roles/").status_code == 403
    assert not participant.groups.filter(name="Organiser").exists()


def test_admin_gives_a_role_by_email(admin_user, participant):
    response = signed_in(admin_user).post(
        "/staff/team/", {"email": participant.email.upper(), "role": "facilitator"}
    )
    assert response.status_code == 302
    assert set(participant.groups.values_list("name", flat=True)) == {"Participant", "Facilitator"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "nobody@example.org", "role": "organiser"}, "email", "No account uses that email address"),
        (
            {"email": "not an email", "role": "organiser"},
            "email",
            "Enter an email address in the right format",
        ),
        ({"email": "x@example.org", "role": "overlord"}, "role", "Choose one of the roles listed"),
    ],
)
def test_give_role_bad_input(admin_user, data, field, message):
    response = signed_in(admin_user).post("/staff/team/", data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]


def test_admin_changes_roles_and_admin_role_sets_django_staff(admin_user, participant):
    client = signed_in(admin_user)
    response = client.post(f"/staff/team/{participant.pk}/roles/", {"roles": ["participant", "admin"]})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.is_staff is True
    client.post(f"/staff/team/{participant.pk}/roles/", {"roles": ["participant"]})
    participant.refresh_from_db()
    assert participant.is_staff is False
    assert list(participant.groups.values_list("name", flat=True)) == ["Participant"]


def test_admin_cannot_remove_their_own_admin_role(admin_user):
    response = signed_in(admin_user).post(f"/staff/team/{admin_user.pk}/roles/", {"roles": ["participant"]})
    assert response.status_code == 200
    assert "You cannot remove your own administrator role" in response.content.decode()
    assert admin_user.groups.filter(name="Admin").exists()


def test_roles_page_for_a_missing_person_is_404(admin_user):
    assert signed_in(admin_user).get("/staff/team/999999/roles/").status_code == 404


def test_staff_are_signed_out_after_30_idle_minutes(facilitator):
    client = signed_in(facilitator)
    assert client.get("/staff/").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert client.get("/account/").status_code == 302


def test_participants_are_not_timed_out_after_30_minutes(participant_client):
    session = participant_client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    assert participant_client.get("/account/").status_code == 200


def test_team_page_query_count_does_not_grow_with_staff(admin_user, django_assert_max_num_queries):
    client = signed_in(admin_user)
    for _ in range(2):
        make_staff("facilitator", mfa=False)
    with django_assert_max_num_queries(40) as small:
        client.get("/staff/team/")
    for _ in range(20):
        make_staff("organiser", mfa=False)
    with django_assert_max_num_queries(40) as large:
        response = client.get("/staff/team/")
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert User.objects.filter(groups__name="Organiser").count() == 20


def test_django_admin_is_for_administrators_with_mfa_and_keeps_the_safety_links(admin_user, organiser):
    assert signed_in(organiser).get("/admin/").status_code == 302  # not Django staff: admin's own login
    response = signed_in(admin_user).get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(">Get help now</a>") == 1
    assert html.count(">Leave this site</a>") == 1
