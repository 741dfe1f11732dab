"""One client address for every per-address limit, from GATHERING_TRUSTED_PROXY_COUNT, that never fails."""

import ipaddress
import json

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from gathering.core.client_address import UNKNOWN, client_address
from gathering.support.models import Concern

from .test_settings import PRODUCTION_ENV, gathering

BAD_HEADERS = [
    None,
    "",
    "   ",
    "not-an-address",
    "a, b",
    ",",
    "999.1.1.1",
    "::zz",
    "x" * 5000,
]


def request_with(forwarded_for: str | None, remote: str = "10.0.0.1"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_connections_own_address_counts(settings):
    settings.GATHERING_TRUSTED_PROXY_COUNT = 0
    assert client_address(request_with("203.0.113.9", remote="198.51.100.7")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("count", "header", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # What a client wrote to the left of the trusted proxies' entries is not believed.
        (1, "192.0.2.66, 203.0.113.9", "203.0.113.9"),
        (2, "192.0.2.66, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "203.0.113.9:51000", "203.0.113.9"),
    ],
)
def test_behind_proxies_the_entry_the_outermost_trusted_proxy_saw_counts(settings, count, header, expected):
    settings.GATHERING_TRUSTED_PROXY_COUNT = count
    assert client_address(request_with(header)) == expected


@pytest.mark.parametrize("header", BAD_HEADERS)
def test_a_missing_or_odd_header_counts_under_the_proxys_address(settings, header):
    settings.GATHERING_TRUSTED_PROXY_COUNT = 1
    assert client_address(request_with(header, remote="127.0.0.1")) == "127.0.0.1"


def test_a_header_shorter_than_the_proxy_count_is_not_believed(settings):
    settings.GATHERING_TRUSTED_PROXY_COUNT = 2
    assert client_address(request_with("203.0.113.9", remote="127.0.0.1")) == "127.0.0.1"


def test_with_no_address_at_all_one_shared_value_is_counted(settings):
    settings.GATHERING_TRUSTED_PROXY_COUNT = 1
    assert client_address(request_with(None, remote="")) == UNKNOWN


@hypothesis_settings(max_examples=200, deadline=None)
@given(header=st.text(max_size=200), remote=st.text(max_size=40), count=st.integers(0, 3))
def test_any_header_gives_a_valid_address(header, remote, count):
    from django.conf import settings

    previous = settings.GATHERING_TRUSTED_PROXY_COUNT
    settings.GATHERING_TRUSTED_PROXY_COUNT = count
    try:
        request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=header, REMOTE_ADDR=remote)
        ipaddress.ip_address(client_address(request))
    finally:
        settings.GATHERING_TRUSTED_PROXY_COUNT = previous


def forwarded(header: str | None) -> dict:
    return {} if header is None else {"HTTP_X_FORWARDED_FOR": header}


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "", "garbage", "a, b", "203.0.113.9, 198.51.100.7"])
def test_raising_a_concern_never_fails_on_the_proxy_header(client, settings, header):
    settings.GATHERING_TRUSTED_PROXY_COUNT = 1
    cache.clear()
    response = client.post(
        "/help/concern/", {"severity": "normal", "details": "Someone seemed very low"}, **forwarded(header)
    )
    assert response.status_code == 200
    assert "Your concern has been sent" in response.content.decode()
    assert Concern.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "", "garbage", "a, b"])
def test_a_csp_report_never_fails_on_the_proxy_header(client, settings, header):
    settings.GATHERING_TRUSTED_PROXY_COUNT = 1
    report = {"csp-report": {"violated-directive": "img-src", "blocked-uri": "https://cdn.example/x.gif"}}
    response = client.post(
        "/csp-report/", data=json.dumps(report), content_type="application/csp-report", **forwarded(header)
    )
    assert response.status_code == 204


@pytest.mark.django_db
def test_form_limits_count_the_forwarded_address(client, settings):
    # Ten concerns an hour per address: an eleventh from one visitor is refused, another visitor's is not.
    settings.GATHERING_TRUSTED_PROXY_COUNT = 1
    cache.clear()
    data = {"severity": "normal", "details": "Someone seemed very low"}
    for _ in range(10):
        assert client.post("/help/concern/", data, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200
    assert client.post("/help/concern/", data, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert client.post("/help/concern/", data, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200


def test_production_points_every_limit_at_the_one_function(tmp_path):
    code = (
        "from django.conf import settings;"
        "print(settings.RATELIMIT_IP_META_KEY);"
        "print(*settings.REST_FRAMEWORK['DEFAULT_THROTTLE_CLASSES']);"
        "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.GATHERING_TRUSTED_PROXY_COUNT)"
    )
    result = gathering("shell", "-c", code, env={**PRODUCTION_ENV, "GATHERING_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    key, throttles, counts = result.stdout.strip().splitlines()[-3:]
    assert key == "gathering.core.client_address.client_address"
    assert throttles == "gathering.api.throttling.AnonRateThrottle gathering.api.throttling.UserRateThrottle"
    assert counts == "1 1"
