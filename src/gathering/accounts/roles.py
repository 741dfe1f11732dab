"""The roles people hold, as Django groups, and the permissions each role grants.

Roles are additive: a safeguarding lead who also organises holds both groups. Everyone with an account is
a participant; every role but participant is a staff role and needs multi-factor authentication.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    slug: str
    group_name: str
    label: str
    description: str
    permissions: tuple[str, ...]
    staff: bool = True


PARTICIPANT = Role(
    "participant",
    "Participant",
    _("Participant"),
    _("Joins Gatherings, trainings and circles."),
    (),
    staff=False,
)
FACILITATOR = Role(
    "facilitator",
    "Facilitator",
    _("Facilitator"),
    _("Runs listening circles and sessions, and sees what their own circles need."),
    ("accounts.facilitate",),
)
ORGANISER = Role(
    "organiser",
    "Organiser",
    _("Organiser"),
    _("Builds Gatherings and programmes, manages registrations and bursaries, and sees the team."),
    ("accounts.organise", "accounts.view_team", "accounts.view_special_category"),
)
SAFEGUARDING_LEAD = Role(
    "safeguarding_lead",
    "Safeguarding lead",
    _("Safeguarding lead"),
    _("Receives and handles safeguarding concerns."),
    ("accounts.safeguard",),
)
ADMIN = Role(
    "admin",
    "Admin",
    _("Administrator"),
    _("Gives and removes roles and looks after the whole site."),
    (
        "accounts.facilitate",
        "accounts.organise",
        "accounts.safeguard",
        "accounts.view_team",
        "accounts.manage_roles",
        "accounts.view_special_category",
    ),
)

ROLES: tuple[Role, ...] = (PARTICIPANT, FACILITATOR, ORGANISER, SAFEGUARDING_LEAD, ADMIN)
ROLES_BY_SLUG = {role.slug: role for role in ROLES}
STAFF_GROUP_NAMES = frozenset(role.group_name for role in ROLES if role.staff)
# Withheld from a request whose credentials did not pass the second factor (User.has_perm).
STAFF_PERMISSIONS = frozenset(perm for role in ROLES if role.staff for perm in role.permissions)
