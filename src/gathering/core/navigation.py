"""The header's links, and which of them holds the page being shown, decided from the route the request
resolved to (its namespace and URL name), so no app has to say where it belongs."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Each rule: (section, namespace, URL names or None for every name in the namespace). The first rule that
# matches the request's route wins, so the personal pages come before the public section they sit in.
SECTION_RULES: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    ("my_gatherings", "events", frozenset({"my", "cancel", "edit", "offer", "calendar_renew"})),
    ("my_programme", "programme", frozenset({"agenda", "calendar_renew"})),
    ("my_circles", "circles", frozenset({"my", "membership", "leave", "not_with", "feedback"})),
    ("my_learning", "learning", frozenset({"my", "check_in", "assessment"})),
    ("gatherings", "events", None),
    ("gatherings", "programme", None),
    ("learning", "learning", None),
    ("circles", "circles", None),
    ("find_support", "directory", None),
    ("about", "core", frozenset({"about"})),
    # Our network is reached from About and the footer, so its pages sit in that section.
    ("about", "network", None),
    ("my_data", "privacy", frozenset({"my_data", "consents"})),
    ("account", "accounts", None),
    # The pages of people who act for an organisation in the directory, linked from the account pages.
    ("account", "partners", None),
    ("sign_in", "", frozenset({"account_login"})),
    ("sign_up", "", frozenset({"account_signup"})),
    ("sign_out", "", frozenset({"account_logout"})),
    # django-allauth's other pages (email, password, two-step verification) have no namespace.
    ("account", "", None),
    ("staff", "staff", None),
    ("staff", "events_staff", None),
    ("staff", "programme_staff", None),
    ("staff", "circles_staff", None),
    ("staff", "learning_staff", None),
    ("staff", "safeguarding", None),
    ("staff", "audit", None),
    ("staff", "directory_staff", None),
    ("staff", "impact_staff", None),
    ("about", "impact", None),
    ("staff", "admin", None),
)


@dataclass(frozen=True)
class NavLink:
    section: str
    label: str | Promise
    url_name: str


# The sections of the site, in the order of DESIGN.md's site map. A section (Our network) joins this list
# when its pages exist.
SECTIONS = (
    NavLink("gatherings", _("Gatherings"), "events:list"),
    NavLink("learning", _("Learning"), "learning:catalogue"),
    NavLink("circles", _("Listening circles"), "circles:list"),
    NavLink("find_support", _("Find support"), "directory:search"),
    NavLink("about", _("About"), "core:about"),
)
SIGNED_IN = (
    NavLink("my_gatherings", _("My Gatherings"), "events:my"),
    NavLink("my_programme", _("My programme"), "programme:agenda"),
    NavLink("my_circles", _("My circles"), "circles:my"),
    NavLink("my_learning", _("My learning"), "learning:my"),
    NavLink("my_data", _("My data"), "privacy:my_data"),
    NavLink("account", _("Account"), "accounts:profile"),
)
STAFF = NavLink("staff", _("Staff"), "staff:home")
SIGN_OUT = NavLink("sign_out", _("Sign out"), "account_logout")
SIGNED_OUT = (
    NavLink("sign_in", _("Sign in"), "account_login"),
    NavLink("sign_up", _("Create an account"), "account_signup"),
)


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    # "page" on the link to the page itself, "true" on the link to the section the page is in, else None:
    # the value of the link's aria-current attribute.
    current: str | None


@dataclass(frozen=True)
class Navigation:
    sections: list[NavItem]
    personal: list[NavItem]


def current_section(namespace: str, url_name: str | None) -> str | None:
    for section, rule_namespace, names in SECTION_RULES:
        if namespace == rule_namespace and (names is None or url_name in names):
            return section
    return None


def navigation_for(request: HttpRequest) -> Navigation:
    match = getattr(request, "resolver_match", None)
    section = current_section(match.namespace, match.url_name) if match else None
    view_name = match.view_name if match else None
    at_root = bool(match) and not match.args and not match.kwargs

    def item(link: NavLink) -> NavItem:
        current = None
        if link.section == section:
            current = "page" if at_root and view_name == link.url_name else "true"
        return NavItem(label=link.label, url=reverse(link.url_name), current=current)

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        personal = list(SIGNED_IN)
        if user.is_staff_member:
            personal.append(STAFF)
        personal.append(SIGN_OUT)
    else:
        personal = list(SIGNED_OUT)
    return Navigation(sections=[item(link) for link in SECTIONS], personal=[item(link) for link in personal])
