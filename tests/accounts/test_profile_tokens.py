"""The profile, API tokens and account deletion: specific messages, no change on bad input, no IDOR."""

import pytest
from django.test import Client

from gathering.accounts.models import ApiToken, User
from gathering.accounts.services import MAX_ACTIVE_TOKENS, api_token_create

from ..conftest import signed_in
from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "Sam Rivers",
    "preferred_name": "Sam",
    "pronouns": "they/them",
    "time_zone": "Europe/Dublin",
    "email_reminders": "on",
}


def test_profile_saves_what_the_person_enters(participant_client, participant):
    response = participant_client.post("/account/", PROFILE)
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.name, participant.preferred_name, participant.pronouns) == (
        "Sam Rivers",
        "Sam",
        "they/them",
    )
    assert participant.time_zone == "Europe/Dublin"
    assert participant.email_reminders is True
    assert participant.email_network_news is False


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter your full name"),
        ({"name": "   "}, "name", "Enter your full name"),
        ({"name": "n" * 151}, "name", "Your name must be 150 characters or fewer"),
        ({"pronouns": "p" * 41}, "pronouns", "Pronouns must be 40 characters or fewer"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice."),
        ({"preferred_name": "bad\x07name"}, "preferred_name", "This cannot contain control characters"),
    ],
)
def test_profile_bad_input_gets_a_specific_message_and_changes_nothing(
    participant_client, participant, changes, field, message
):
    before = User.objects.values().get(pk=participant.pk)
    response = participant_client.post("/account/", {**PROFILE, **changes})
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert User.objects.values().get(pk=participant.pk) == before
    # The header still shows the saved name, not the rejected one.
    assert "There is a problem" in response.content.decode()


def test_profile_cannot_change_email_or_roles_by_extra_fields(participant_client, participant):
    participant_client.post("/account/", {**PROFILE, "email": "hijack@example.org", "is_staff": "on"})
    participant.refresh_from_db()
    assert participant.email != "hijack@example.org"
    assert participant.is_staff is False


def test_token_is_shown_once_and_stored_only_as_a_hash(participant_client, participant):
    response = participant_client.post("/account/tokens/", {"name": "My script"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("gth_")
    token = ApiToken.objects.get(user=participant)
    assert token.name == "My script"
    assert key not in str(ApiToken.objects.values().get(pk=token.pk))
    assert token.key_hash == ApiToken.hash_key(key)
    again = participant_client.get("/account/tokens/")
    assert key not in again.content.decode()
    assert "My script" in again.content.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Enter a name for the token"), ("t" * 101, "The name must be 100 characters or fewer")],
)
def test_token_bad_input_gets_a_specific_message(participant_client, participant, name, message):
    response = participant_client.post("/account/tokens/", {"name": name})
    assert message in response.context["form"].errors["name"][0]
    assert ApiToken.objects.count() == 0


def test_token_limit_is_explained(participant_client, participant):
    for n in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=participant, name=f"t{n}")
    response = participant_client.post("/account/tokens/", {"name": "one too many"})
    assert "Revoke one you no longer use first" in response.context["form"].errors["name"][0]
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS


def test_revoking_a_token(participant_client, participant):
    token, _key = api_token_create(user=participant, name="old")
    response = participant_client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_someone_elses_token_cannot_be_revoked_or_seen(participant_client, other_participant):
    token, _key = api_token_create(user=other_participant, name="their secret script")
    assert participant_client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert "their secret script" not in participant_client.get("/account/tokens/").content.decode()


def test_revoke_needs_post(participant_client, participant):
    token, _key = api_token_create(user=participant, name="keep")
    assert participant_client.get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize("url", ["/account/", "/account/tokens/", "/account/delete/"])
def test_account_pages_need_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_delete_account_needs_password_and_confirmation(participant_client, participant):
    response = participant_client.post("/account/delete/", {"password": "wrong", "confirm": "on"})
    assert "The password is not right" in response.context["form"].errors["password"][0]
    response = participant_client.post("/account/delete/", {"password": PASSWORD})
    assert "Tick the box" in response.context["form"].errors["confirm"][0]
    assert User.objects.filter(pk=participant.pk).exists()


def test_delete_account_removes_the_person_and_signs_them_out(participant_client, participant):
    api_token_create(user=participant, name="x")
    response = participant_client.post("/account/delete/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=participant.pk).exists()
    assert ApiToken.objects.count() == 0
    assert participant_client.get("/account/").status_code == 302


def test_times_show_in_the_persons_time_zone(participant):
    participant.time_zone = "America/New_York"
    participant.save(update_fields=["time_zone"])
    client: Client = signed_in(participant)
    api_token_create(user=participant, name="zone check")
    html = client.get("/account/tokens/").content.decode()
    token = ApiToken.objects.get(user=participant)
    import zoneinfo

    from django.utils import timezone

    local = timezone.localtime(token.created_at, zoneinfo.ZoneInfo("America/New_York"))
    assert local.strftime("%H:%M") in html
