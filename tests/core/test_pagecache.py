"""The page cache (core/pagecache.py) and the liveness check: what is kept for whom, what never is, and that a
change shows on the next request. The home page is the example page here; a Gathering's page and its
programme are tested in tests/events/test_page_cache.py and tests/programme/test_page_cache.py."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils import timezone

from gathering.circles.models import CircleSeries
from gathering.core import pagecache
from gathering.events.models import Registration

from ..conftest import signed_in
from ..factories import CircleSeriesFactory, EventFactory, TicketTypeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_health_answers_ok_without_the_database_a_session_or_caching(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/health/")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    # It goes through the same middleware as every page.
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


def test_health_refuses_writes():
    assert Client().post("/health/").status_code == 405


def test_a_second_anonymous_visit_to_the_home_page_reads_no_database(django_assert_num_queries):
    event = EventFactory(title="Autumn Gathering")
    TicketTypeFactory(event=event)
    CircleSeriesFactory(name="Tuesday circle")
    client = Client()

    # The next Gatherings, their places, the next courses, the open circles, and the latest published impact
    # report.
    with django_assert_num_queries(5):
        first = client.get("/")
    with django_assert_num_queries(0):
        second = client.get("/")

    assert second.content == first.content
    assert "Autumn Gathering" in second.content.decode()
    assert "Tuesday circle" in second.content.decode()


def test_the_home_page_counts_places_down_as_people_register():
    event = EventFactory(capacity=5)
    ticket = TicketTypeFactory(event=event)
    client = Client()
    assert "5 places left" in client.get("/").content.decode()

    Registration.objects.create(
        event=event, ticket_type=ticket, name="Ann", email="ann@example.org", status="confirmed"
    )

    assert "4 places left" in client.get("/").content.decode()


def test_a_gathering_edited_or_a_circle_opened_shows_on_the_home_page_at_once():
    event = EventFactory(title="Autumn Gathering")
    series = CircleSeriesFactory(name="Tuesday circle", status=CircleSeries.Status.DRAFT)
    client = Client()
    assert "Tuesday circle" not in client.get("/").content.decode()

    event.title = "Winter Gathering"
    event.save()
    series.status = CircleSeries.Status.OPEN
    series.save()

    body = client.get("/").content.decode()
    assert "Winter Gathering" in body
    assert "Autumn Gathering" not in body
    assert "Tuesday circle" in body


def test_signed_in_people_never_get_the_page_kept_for_everyone_else():
    person = UserFactory()
    event = EventFactory(title="Autumn Gathering")
    ticket = TicketTypeFactory(event=event)
    Registration.objects.create(
        event=event, ticket_type=ticket, user=person, name="P", email=person.email, status="confirmed"
    )
    anonymous = Client().get("/").content.decode()
    assert "Create an account" in anonymous

    mine = signed_in(person).get("/").content.decode()

    assert "Your next Gathering" in mine
    assert "Sign out" in mine
    assert "Create an account" not in mine
    # And the anonymous page is still the anonymous one.
    assert Client().get("/").content.decode() == anonymous


def test_a_page_with_a_query_string_is_rendered_and_not_kept(django_assert_num_queries):
    EventFactory()
    client = Client()
    client.get("/")
    with django_assert_num_queries(5):
        client.get("/?from=newsletter")
    with django_assert_num_queries(5):
        client.get("/?from=newsletter")


def test_a_message_waiting_for_someone_is_shown_to_them_and_never_kept():
    """Signing out leaves "You have signed out." for the next page, the home page."""
    client = signed_in(UserFactory())
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "You have signed out." in response.content.decode()

    assert "You have signed out." not in client.get("/").content.decode()
    assert "You have signed out." not in Client().get("/").content.decode()


def _anonymous_request(path: str = "/somewhere/"):
    request = RequestFactory().get(path)
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    request.user = AnonymousUser()
    request._messages = default_storage(request)
    return request


def test_a_page_that_used_a_csrf_token_is_rendered_afresh_every_time():
    renders = []

    @pagecache.cache_page(scopes=lambda: ["test-scope"])
    def with_a_form(request):
        renders.append(1)
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    @pagecache.cache_page(scopes=lambda: ["test-scope"])
    def without_one(request):
        renders.append(2)
        return HttpResponse("<p>Hello</p>")

    first = with_a_form(_anonymous_request("/form/"))
    second = with_a_form(_anonymous_request("/form/"))
    without_one(_anonymous_request("/plain/"))
    without_one(_anonymous_request("/plain/"))

    assert renders == [1, 1, 2]
    assert first.content != second.content  # each visitor their own token


def test_a_changed_scope_makes_the_page_render_again():
    renders = []

    @pagecache.cache_page(scopes=lambda: ["test-scope"])
    def page(request):
        renders.append(1)
        return HttpResponse(f"<p>{len(renders)}</p>")

    assert page(_anonymous_request()).content == b"<p>1</p>"
    assert page(_anonymous_request()).content == b"<p>1</p>"
    pagecache.scopes_changed("test-scope")
    assert page(_anonymous_request()).content == b"<p>2</p>"
    pagecache.scopes_changed("another-scope")
    assert page(_anonymous_request()).content == b"<p>2</p>"


def test_a_page_that_changes_by_itself_is_kept_only_until_then(settings):
    settings.GATHERING_PAGE_CACHE_SECONDS = 300
    state = pagecache.PageState(tokens=())
    request = _anonymous_request()
    request.pagecache = state
    now = timezone.now()

    pagecache.changes_at(request, None, now - timedelta(minutes=5), now + timedelta(seconds=90))
    assert 89 <= state.timeout() <= 90
    pagecache.changes_at(request, now + timedelta(hours=2))
    assert 89 <= state.timeout() <= 90

    later = pagecache.PageState(tokens=(), until=now + timedelta(hours=2))
    assert later.timeout() == 300
    gone = pagecache.PageState(tokens=(), until=now - timedelta(seconds=1))
    assert gone.timeout() is None


def test_nothing_is_kept_when_page_caching_is_off(settings, django_assert_num_queries):
    settings.GATHERING_PAGE_CACHE_SECONDS = 0
    EventFactory()
    client = Client()
    client.get("/")
    with django_assert_num_queries(5):
        client.get("/")
