"""Every page: one "Get help now" link, a quick exit, the right headers, and no crash."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from ..conftest import signed_in
from ..factories import make_staff
from ..pages import NOT_PAGES, PAGES, page_url

pytestmark = pytest.mark.django_db


def client_for(role: str | None, client):
    if role is None:
        return client, None
    user = make_staff(role) if role != "participant" else make_staff("participant", mfa=False)
    return signed_in(user), user


def get(page, client):
    browser, user = client_for(page.as_role, client)
    return browser.get(page_url(page, user))


def _named_routes(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from _named_routes(
                pattern, namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_route_is_a_listed_page_or_explained():
    listed = {page.name for page in PAGES} | set(NOT_PAGES)
    missing = sorted(set(_named_routes()) - listed)
    assert missing == [], f"add these routes to tests/pages.py: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.url}-{p.as_role or 'anon'}")
def test_page_has_one_help_link_and_a_quick_exit(page, client):
    response = get(page, client)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r'<a [^>]*href="/help/"[^>]*>Get help now</a>', html)) == 1
    assert len(re.findall(r"<a [^>]*data-quick-exit[^>]*>Leave this site</a>", html)) == 1
    assert html.count("<h1") == 1
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.url}-{p.as_role or 'anon'}")
def test_page_sends_security_headers(page, client):
    response = get(page, client)
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    if page.as_role is not None and page.name != "support:help":
        assert "no-store" in response.headers["Cache-Control"]


def test_pages_for_signed_in_people_are_never_cached(participant_client):
    response = participant_client.get("/account/")
    assert response.headers["Cache-Control"] in {"no-store, private", "private, no-store"}


def test_unknown_page_gets_a_plain_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Get help now" in response.content


def test_the_error_page_renders_without_the_database(rf):
    from gathering.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
    assert b"Get help now" in response.content
