"""Hypothesis throws odd input at the sign-up, sign-in, profile and token forms: never a 500, never a change
when the input is refused."""

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gathering.accounts.models import ApiToken, User

from ..conftest import signed_in
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

# Text as people (and robots) type it: any Unicode, control characters, very long strings.
odd_text = st.one_of(
    st.text(max_size=300), st.text(alphabet=st.characters(codec="utf-8"), min_size=140, max_size=400)
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(name=odd_text, email=odd_text, password=odd_text)
def test_sign_up_never_crashes(name, email, password):
    cache.clear()
    before = User.objects.count()
    response = Client().post(
        "/accounts/signup/", {"name": name, "email": email, "password1": password, "password2": password}
    )
    assert response.status_code in {200, 302, 429}
    if response.status_code == 200:
        assert "There is a problem" in response.content.decode()
        assert User.objects.count() == before


@FUZZ
@given(login=odd_text, password=odd_text)
def test_sign_in_never_crashes(login, password):
    cache.clear()
    response = Client().post("/accounts/login/", {"login": login, "password": password})
    assert response.status_code in {200, 429}
    assert "There is a problem" in response.content.decode() or response.status_code == 429


@FUZZ
@given(name=odd_text, preferred=odd_text, pronouns=odd_text, zone=odd_text)
def test_profile_never_crashes_and_refusals_change_nothing(name, preferred, pronouns, zone):
    person = UserFactory()
    client = signed_in(person)
    before = User.objects.values().get(pk=person.pk)
    response = client.post(
        "/account/", {"name": name, "preferred_name": preferred, "pronouns": pronouns, "time_zone": zone}
    )
    assert response.status_code in {200, 302}
    if response.status_code == 200:
        assert response.context["form"].errors
        assert User.objects.values().get(pk=person.pk) == before


@FUZZ
@given(name=odd_text)
def test_token_form_never_crashes(name):
    person = UserFactory()
    response = signed_in(person).post("/account/tokens/", {"name": name})
    assert response.status_code == 200
    created = ApiToken.objects.filter(user=person).count()
    assert created == (0 if response.context["form"].errors else 1)


@FUZZ
@given(
    body=st.one_of(
        st.dictionaries(
            st.text(max_size=20),
            st.one_of(st.text(max_size=200), st.integers(), st.none(), st.booleans()),
            max_size=5,
        ),
        st.text(max_size=200),
    )
)
def test_token_api_never_crashes(body):
    person = UserFactory()
    client = signed_in(person)
    response = client.post("/api/v1/me/tokens/", body, content_type="application/json")
    assert response.status_code in {201, 400}
    data = response.json()
    if response.status_code == 400:
        assert data["error"]["code"] in {"invalid", "parse_error"}
        assert data["error"]["message"]
        assert ApiToken.objects.filter(user=person).count() == 0


@FUZZ
@given(header=st.text(alphabet=st.characters(max_codepoint=255), max_size=120))
def test_api_authorization_header_never_crashes(header):
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code in {401, 403}
    assert "error" in response.json()
