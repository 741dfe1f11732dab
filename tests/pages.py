"""Every HTML page of the site, with who can see it. Page-wide tests (help link, quick exit, no-JS, axe)
walk this list; a test fails when a URL is added to the site without being listed here or skipped below."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    url: str
    # None: anyone; "participant" / "organiser" / "admin" ...: signed in with that role (staff with MFA).
    as_role: str | None
    name: str


# Each app with its own pages lists them in tests/<app>/registry.py (imported after Page, which they use).
from .circles import registry as circles_registry  # noqa: E402
from .directory import registry as directory_registry  # noqa: E402
from .directory.api_routes import HSDS_API_ROUTES  # noqa: E402
from .impact import registry as impact_registry  # noqa: E402
from .learning import registry as learning_registry  # noqa: E402
from .programme import registry as programme_registry  # noqa: E402

APP_REGISTRIES = (
    programme_registry,
    circles_registry,
    learning_registry,
    directory_registry,
    impact_registry,
)

PAGES: tuple[Page, ...] = (
    Page("/", None, "core:home"),
    Page("/", "participant", "core:home"),
    Page("/about/", None, "core:about"),
    Page("/help/", None, "support:help"),
    Page("/help/?country=US", None, "support:help"),
    Page("/accounts/login/", None, "account_login"),
    Page("/accounts/signup/", None, "account_signup"),
    Page("/accounts/password/reset/", None, "account_reset_password"),
    Page("/accounts/password/reset/done/", None, "account_reset_password_done"),
    Page("/accounts/confirm-email/", None, "account_email_verification_sent"),
    Page("/accounts/logout/", "participant", "account_logout"),
    Page("/accounts/email/", "participant", "account_email"),
    Page("/accounts/password/change/", "participant", "account_change_password"),
    Page("/accounts/2fa/", "participant", "mfa_index"),
    Page("/accounts/2fa/totp/activate/", "participant", "mfa_activate_totp"),
    Page("/accounts/reauthenticate/", "participant", "account_reauthenticate"),
    Page("/accounts/reauthenticate/code/", "participant", "account_request_reauthentication_code"),
    Page("/account/", "participant", "accounts:profile"),
    Page("/account/tokens/", "participant", "accounts:tokens"),
    Page("/account/delete/", "participant", "accounts:delete"),
    Page("/account/email/undo/{undo}/", None, "accounts:email_change_undo"),
    Page("/privacy/my-data/", "participant", "privacy:my_data"),
    Page("/privacy/consents/", "participant", "privacy:consents"),
    Page("/staff/audit/", "admin", "audit:list"),
    Page("/staff/", "facilitator", "staff:home"),
    Page("/staff/", "admin", "staff:home"),
    Page("/staff/team/", "organiser", "staff:team"),
    Page("/staff/team/", "admin", "staff:team"),
    Page("/help/concern/", None, "support:concern"),
    Page("/help/concern/", "participant", "support:concern"),
    Page("/staff/safeguarding/", "safeguarding_lead", "safeguarding:queue"),
    Page("/staff/safeguarding/{concern}/", "safeguarding_lead", "safeguarding:concern"),
    Page("/gatherings/", None, "events:list"),
    Page("/gatherings/", "participant", "events:list"),
    Page("/gatherings/past/", None, "events:past"),
    Page("/gatherings/{event}/", None, "events:detail"),
    Page("/gatherings/{event}/", "participant", "events:detail"),
    Page("/gatherings/{event}/register/", "participant", "events:register"),
    Page("/my/gatherings/", "participant", "events:my"),
    Page("/my/gatherings/{registration}/cancel/", "participant", "events:cancel"),
    Page("/my/gatherings/{registration}/edit/", "participant", "events:edit"),
    Page("/staff/gatherings/", "organiser", "events_staff:list"),
    Page("/staff/gatherings/{event}/", "organiser", "events_staff:registrations"),
    Page("/staff/gatherings/{event}/check-in/", "organiser", "events_staff:check_in"),
    Page("/gatherings/{event}/bursary/", "participant", "events:bursary"),
    Page("/staff/gatherings/{event}/bursaries/", "organiser", "events_staff:bursaries"),
    Page("/staff/gatherings/{event}/message/", "organiser", "events_staff:message"),
    Page("/staff/gatherings/new/", "organiser", "events_staff:create"),
    Page("/staff/gatherings/venues/", "organiser", "events_staff:venues"),
    Page("/staff/gatherings/venues/new/", "organiser", "events_staff:venue_new"),
    Page("/staff/gatherings/venues/{venue}/", "organiser", "events_staff:venue"),
    Page("/staff/gatherings/{event}/feedback/", "organiser", "events_staff:feedback"),
    Page("/staff/gatherings/{event}/edit/", "organiser", "events_staff:edit"),
    Page("/staff/gatherings/{event}/setup/", "organiser", "events_staff:setup"),
    Page("/staff/gatherings/{event}/tickets/new/", "organiser", "events_staff:ticket_new"),
    Page("/staff/gatherings/{event}/tickets/{ticket}/", "organiser", "events_staff:ticket"),
    Page("/staff/gatherings/{event}/copy/", "organiser", "events_staff:copy"),
    Page("/staff/gatherings/{event}/questions/new/", "organiser", "events_staff:question_new"),
    Page("/staff/gatherings/{event}/questions/{question}/", "organiser", "events_staff:question"),
    Page("/staff/gatherings/{event}/bursaries/{application}/", "organiser", "events_staff:bursary"),
    *(page for registry in APP_REGISTRIES for page in registry.PAGES),
)


def page_url(page: Page, user: object | None) -> str:
    """The page's address, creating the Gathering (and the person's registration) it shows."""
    if "{" not in page.url:
        return page.url
    if "{undo}" in page.url:
        from gathering.accounts.email_change import undo_token

        from .factories import UserFactory

        person = UserFactory()
        return page.url.format(
            undo=undo_token(user=person, old_email=person.email, new_email="new@example.org")
        )
    if "{concern}" in page.url:
        from gathering.support.services import concern_raise

        concern = concern_raise(reporter=user, severity="high", details="Someone seemed very low.")
        return page.url.format(concern=concern.pk)
    from gathering.events.services import RegistrationInput, registration_create

    from .factories import EventFactory, TicketTypeFactory

    event = EventFactory(
        description="A day of **listening**.\n\n- circles\n- open space", learning_outcomes="Listen\nLearn"
    )
    ticket = TicketTypeFactory(event=event, kind="pay_what_you_can", floor_minor=0, suggested_minor=[500])
    TicketTypeFactory(event=event, name="Supported place", kind="supported", invitation_code="CODE")
    from gathering.events.models import BursaryApplication, BursaryFund

    BursaryFund.objects.create(event=event, total_minor=50_000)
    values = {"event": event.slug, "ticket": ticket.pk, "venue": event.venue_id}
    if "{question}" in page.url:
        from gathering.events.models import Question

        values["question"] = Question.objects.create(event=event, text="Help host?", kind="yes_no").pk
    if "{application}" in page.url:
        values["application"] = BursaryApplication.objects.create(
            event=event,
            name="Applicant",
            email="applicant@example.org",
            support=["travel"],
            circumstances="x",
        ).pk
    if page.as_role in {"organiser", "admin"}:
        event.organisers.add(user)
    if "{registration}" in page.url:
        data = RegistrationInput(ticket_type_id=ticket.pk, name="Reg", email=user.email, amount_minor=0)
        values["registration"] = registration_create(event=event, user=user, data=data).registration.pk
    for registry in APP_REGISTRIES:
        values.update(registry.page_values(page, user, event))
    return page.url.format(**values)


# Named routes that are not pages of their own, with the reason.
NOT_PAGES = {
    "account_inactive": "shown only when an inactive account signs in",
    "account_confirm_email": "needs a key from a verification email; tested in the sign-up journey",
    "account_reset_password_from_key": "needs a key from a reset email; tested in the password reset test",
    "account_reset_password_from_key_done": "shown after a reset; reached in the password reset test",
    "account_set_password": "only for accounts without a password, which Gathering never creates",
    "accounts:token_revoke": "POST only",
    "accounts:tokens_revoke_all": "POST only; tested in tests/accounts/test_staff_access.py",
    "events:offer": "POST only; tested in tests/events/test_pages.py",
    "events_staff:mark_paid": "POST only; tested in tests/events/test_staff.py",
    "events_staff:registrations_csv": "a CSV file; tested in tests/events/test_audited_reads.py",
    "events:calendar_renew": "POST only; tested in tests/events/test_pages.py",
    "events:feedback": "opened from a personal emailed link; see test_feedback.py and tests/browser",
    "events:calendar_feed": "a calendar file, not a page; tested in tests/events/test_pages.py",
    "events:ics": "a calendar file, not a page; tested in tests/events/test_pages.py",
    "api:v1:events": "JSON API",
    "api:v1:event": "JSON API",
    "api:v1:event_registrations": "JSON API",
    "api:v1:my_registrations": "JSON API",
    "api:v1:my_registration": "JSON API",
    "staff:person_roles": "takes a person's id; tested in tests/browser with a real id",
    "mfa_authenticate": "the second step of signing in; reached in the staff log-in journey",
    "mfa_reauthenticate": "asks staff for a code again before sensitive changes",
    "mfa_deactivate_totp": "only after TOTP is set up",
    "mfa_view_recovery_codes": "only after MFA is set up",
    "mfa_generate_recovery_codes": "only after MFA is set up",
    "mfa_download_recovery_codes": "a text download, not a page",
    "account_confirm_reauthentication_code": "opens only after a code was emailed: "
    "tests/accounts/test_account_pages_words.py opens it",
    "account_confirm_login_code": "sign-in by emailed code is switched off",
    "api:schema": "JSON, not a page",
    "privacy:my_data_json": "a JSON download; tested in tests/privacy/test_subject.py",
    "api:v1:me": "JSON API",
    "api:v1:tokens": "JSON API",
    "api:v1:token": "JSON API",
    "privacy:csp_report": "POST only: browsers send CSP violation reports; see tests/privacy/test_csp.py",
    "core:health": "plain text for load balancers; tested in tests/core/test_pagecache.py",
}
NOT_PAGES.update(dict.fromkeys(HSDS_API_ROUTES, "HSDS JSON API; tested in tests/directory/test_api.py"))
for _registry in APP_REGISTRIES:
    NOT_PAGES.update(_registry.NOT_PAGES)
