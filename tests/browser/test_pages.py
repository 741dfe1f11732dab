"""Every page in a real browser: zero axe-core violations (WCAG 2.2 A/AA), works with JavaScript off,
and no Content-Security-Policy complaints."""

import pytest

from ..pages import PAGES, page_url
from .conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

page_ids = [f"{p.url}-{p.as_role or 'anon'}" for p in PAGES]


@pytest.mark.parametrize("spec", PAGES, ids=page_ids)
def test_page_has_no_accessibility_violations(new_page, spec):
    page = new_page(spec.as_role)
    response = page.goto(page_url(spec, page.user))
    assert response.status == 200
    assert axe_violations(page) == []


@pytest.mark.parametrize("spec", PAGES, ids=page_ids)
def test_page_works_without_javascript(new_page, spec):
    page = new_page(spec.as_role, javascript=False)
    response = page.goto(page_url(spec, page.user))
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert page.get_by_role("link", name="Get help now").count() == 1
    assert page.get_by_role("link", name="Leave this site").is_visible()
    # Every form on the page can be submitted without scripts: each has a real submit button.
    for form in page.locator("main form").all():
        assert form.locator("button[type=submit], button:not([type]), input[type=submit]").count() >= 1


@pytest.mark.parametrize(
    ("url", "role"),
    [("/", None), ("/accounts/signup/", None), ("/account/", "participant"), ("/staff/", "admin")],
)
def test_page_runs_under_the_content_security_policy(new_page, url, role):
    page = new_page(role, bypass_csp=False)
    complaints = []
    page.on("console", lambda message: complaints.append(message.text))
    page.goto(url)
    page.wait_for_load_state("load")
    assert [c for c in complaints if "Content Security Policy" in c] == []


@pytest.mark.parametrize("url", ["/accounts/signup/", "/accounts/login/", "/account/tokens/"])
def test_error_states_are_accessible(new_page, url):
    page = new_page("participant" if url.startswith("/account/") else None)
    page.goto(url)
    page.locator("main form[method=post] button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []


def test_person_roles_page_is_accessible(new_page, django_user_model):
    from ..factories import UserFactory

    person = UserFactory()
    page = new_page("admin")
    page.goto(f"/staff/team/{person.pk}/roles/")
    assert page.locator("h1").inner_text().startswith("Roles for")
    assert axe_violations(page) == []


def test_the_axe_check_does_find_violations(new_page):
    # Guards the guard: a page with known faults must fail the same check the real pages pass.
    page = new_page()
    page.set_content('<html><body><img src="x.png"><input type="text"><a href="#"></a></body></html>')
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label", "link-name", "html-has-lang"} <= found


def test_feedback_survey_is_accessible_and_works_without_javascript(new_page):
    from django.utils import timezone

    from gathering.events.feedback import feedback_link_token
    from gathering.events.models import Registration

    from ..factories import EventFactory, TicketTypeFactory

    start = timezone.now() - timezone.timedelta(days=1)
    event = EventFactory(
        starts_at=start, ends_at=start + timezone.timedelta(hours=6), learning_outcomes="Listen"
    )
    ticket = TicketTypeFactory(event=event)
    registration = Registration.objects.create(
        event=event, ticket_type=ticket, name="P", email="p@example.org", status="confirmed"
    )
    url = f"/gatherings/{event.slug}/feedback/?t={feedback_link_token(registration)}"
    page = new_page()
    page.goto(url)
    assert axe_violations(page) == []
    page = new_page(javascript=False)
    page.goto(url)
    page.check("#id_felt_safe_4")
    page.get_by_role("button", name="Send feedback").click()
    assert "Thank you for your feedback" in page.locator("h1").inner_text()
