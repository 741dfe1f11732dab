"""The crisis page: small, cookie-free, UK numbers first, a country switch, all working without script
(it may load only the same-origin quick-exit script)."""

import re

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from gathering.support.selectors import country_from_accept_language, helplines

pytestmark = pytest.mark.django_db

UK_NUMBERS = ["999", "116 123", "85258", "111, option 2", "0808 808 8000"]


def test_help_page_is_small_and_loads_only_the_quick_exit_script(client):
    response = client.get("/help/")
    assert response.status_code == 200
    assert len(response.content) < 20 * 1024
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.IGNORECASE | re.DOTALL)
    tags = re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)
    # Only the same-origin quick-exit script, deferred, with nothing inline: the page works fully without it.
    assert len(tags) == 1 and scripts == [""]
    src = re.search(r'src="([^"]+)"', tags[0]).group(1)
    assert src.startswith("/") and not src.startswith("//")
    assert re.fullmatch(r"/static/gathering/js/quick-exit(\.[0-9a-f]+)?\.js", src)
    assert " defer" in tags[0]


def test_help_page_quick_exit_is_a_plain_link(client):
    html = client.get("/help/").content.decode()
    assert re.search(r'<a class="button button-exit" href="[^"]+" rel="noreferrer" data-quick-exit', html)


def test_text_lines_are_tappable_sms_links(client):
    html = client.get("/help/").content.decode()
    assert '<a class="number" href="sms:85258?&amp;body=SHOUT">Text SHOUT to 85258</a>' in html
    ireland = client.get("/help/", {"country": "IE"}).content.decode()
    assert '<a class="number" href="sms:50808?&amp;body=HELLO">Text HELLO to 50808</a>' in ireland


def test_phone_numbers_are_tel_links(client):
    html = client.get("/help/").content.decode()
    assert '<a class="number" href="tel:116123">116 123</a>' in html
    assert '<a class="number" href="tel:999">999</a>' in html


def test_help_page_lists_the_uk_numbers_and_says_it_is_not_a_crisis_service(client):
    html = client.get("/help/").content.decode()
    for number in UK_NUMBERS:
        assert number in html
    assert "Samaritans" in html and "Shout" in html and "NHS 24" in html and "Lifeline" in html
    assert "is not a crisis service" in html
    assert html.index("999") < html.index("116 123") < html.index("85258")


def test_help_page_needs_no_login_and_sets_no_cookie(client):
    response = client.get("/help/")
    assert response.cookies == {} or all(not c.value for c in response.cookies.values())
    assert "Set-Cookie" not in response.headers


def test_help_page_is_cacheable_and_makes_no_third_party_request(client):
    response = client.get("/help/")
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert "Accept-Language" in response.headers["Vary"]
    html = response.content.decode()
    # Links to sources are fine (nothing loads until clicked); nothing is loaded from elsewhere.
    for tag in ("<img", "<iframe", "<link", "<script"):
        for chunk in html.split(tag)[1:]:
            src = chunk.split(">")[0]
            assert "http://" not in src and "https://" not in src


def test_help_page_stays_public_for_signed_in_people(participant_client):
    response = participant_client.get("/help/")
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert "participant" not in response.content.decode().lower().split("<main")[0]


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("IE", "Pieta"),
        ("US", "988"),
        ("CA", "9-8-8"),
        ("AU", "13 11 14"),
        ("NZ", "1737"),
        ("GB", "Samaritans"),
    ],
)
def test_country_switch_works_without_javascript(client, country, expected):
    html = client.get("/help/", {"country": country}).content.decode()
    assert expected in html
    assert f'<option value="{country}" selected>' in html


def test_country_defaults_from_accept_language(client):
    html = client.get("/help/", HTTP_ACCEPT_LANGUAGE="en-AU,en;q=0.8").content.decode()
    assert "Helplines in Australia" in html


def test_unknown_country_explains_and_falls_back_to_the_uk(client):
    html = client.get("/help/", {"country": "ZZ"}).content.decode()
    assert "We do not have a list for that country yet" in html
    assert "Helplines in United Kingdom" in html
    assert "findahelpline.com" in html


def test_every_helpline_has_a_source_and_a_verification_date():
    data = helplines()
    assert [c.code for c in data.countries][:1] == ["GB"]
    assert {"GB", "IE", "US", "CA", "AU", "NZ"} <= {c.code for c in data.countries}
    for country in data.countries:
        for line in country.helplines:
            assert line.source.startswith("https://")
            assert len(line.verified) == 10 and line.verified[4] == "-"


def test_phone_links_dial_the_right_digits():
    uk = helplines().get("GB")
    tels = {line.service: line.tel for line in uk.helplines}
    assert tels["Samaritans"] == "116123"
    assert tels["NHS 111, mental health option"] == "111"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-IE", "IE"),
        ("ga", "IE"),
        ("fr-CA,fr;q=0.9", "CA"),
        ("de-DE,de", "GB"),
        ("", "GB"),
        ("en-NZ", "NZ"),
    ],
)
def test_accept_language_to_country(header, expected):
    assert country_from_accept_language(header, default="GB") == expected


@settings(max_examples=60, deadline=None)
@given(header=st.text(max_size=200), country=st.text(max_size=20))
def test_help_page_never_fails_on_odd_input(header, country):
    response = Client().get("/help/", {"country": country}, HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 200
    assert b"Get help now" in response.content
