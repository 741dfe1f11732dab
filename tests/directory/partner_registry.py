"""The partner and moderation pages' entries in the site-wide page list (tests/pages.py) and wrong-person
sweep (tests/test_access_sweep.py), which tests/directory/registry.py adds to its own."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """tests.pages.Page's fields (that module imports this one through registry.py)."""

    url: str
    as_role: str | None
    name: str


@dataclass(frozen=True)
class Route:
    """tests.test_access_sweep.Route's fields (that module imports this one through registry.py)."""

    url: str
    refused_only: bool
    methods: tuple[str, ...] = ("get",)


MY = "/my/organisations"
STAFF = "/staff/directory"
PAGES: tuple = (
    Page(f"{MY}/", "participant", "partners:home"),
    Page(f"{MY}/{{partner_org}}/", "participant", "partners:organisation"),
    Page(f"{MY}/{{partner_org}}/services/new/", "participant", "partners:propose_new"),
    Page(f"{MY}/{{partner_org}}/services/{{partner_service}}/edit/", "participant", "partners:propose_edit"),
    Page(f"{MY}/{{partner_org}}/proposals/{{partner_proposal}}/", "participant", "partners:proposal"),
    Page(f"{STAFF}/", "organiser", "directory_staff:queue"),
    Page(f"{STAFF}/proposals/{{partner_proposal}}/", "organiser", "directory_staff:proposal"),
    Page(f"{STAFF}/reports/{{partner_report}}/", "organiser", "directory_staff:report"),
    Page(f"{STAFF}/needs-checking/", "organiser", "directory_staff:stale"),
    Page(f"{STAFF}/organisations/", "organiser", "directory_staff:organisations"),
    Page(f"{STAFF}/organisations/{{partner_org}}/", "admin", "directory_staff:members"),
)
NOT_PAGES: dict[str, str] = {
    "partners:invitation_accept": "POST only; tested in tests/directory/test_partners.py",
    "partners:confirm": "POST only; tested in tests/directory/test_stale.py",
    "directory_staff:proposal_approve": "POST only; tested in tests/directory/test_moderation.py",
    "directory_staff:proposal_reject": "POST only; tested in tests/directory/test_moderation.py",
    "directory_staff:member_remove": "POST only; tested in tests/directory/test_partners.py",
    "directory_staff:invitation_withdraw": "POST only; tested in tests/directory/test_partners.py",
}


def page_values(page, user) -> dict[str, object]:
    """An organisation with a listed service, a pending proposal for it and a report of a change; `user` is a
    member when the page is a member's."""
    from gathering.directory import models as m

    from .partner_data import member_of, partner_service, propose

    service = partner_service()
    organization = service.organization
    member = user if page.as_role == "participant" else None
    member_of(organization, member)
    proposer = member or organization.members.get().user
    proposal = propose(service, proposer, description="Now on Tuesdays and Thursdays.", phone="0113 496 0999")
    report = m.ChangeReport.objects.create(service=service, details="The phone number has changed.")
    return {
        "partner_org": organization.pk,
        "partner_service": service.pk,
        "partner_proposal": proposal.pk,
        "partner_report": report.pk,
    }


_BOTH = ("get", "post")
_POST = ("post",)
# Members' pages: another organisation's are refused (404), for every wrong person. Organisers' pages: any
# organiser may open them (the directory belongs to no Gathering), so the organiser of another Gathering
# may; the second-factor sweep and tests/directory/test_moderation.py refuse everyone else.
ROUTES: dict = {
    "partners:home": Route(f"{MY}/", refused_only=False),
    "partners:invitation_accept": Route(
        f"{MY}/invitations/{{partner_invitation}}/accept/", refused_only=True, methods=_POST
    ),
    "partners:organisation": Route(f"{MY}/{{partner_org}}/", refused_only=True),
    "partners:propose_new": Route(f"{MY}/{{partner_org}}/services/new/", refused_only=True, methods=_BOTH),
    "partners:propose_edit": Route(
        f"{MY}/{{partner_org}}/services/{{partner_service}}/edit/", refused_only=True, methods=_BOTH
    ),
    "partners:confirm": Route(
        f"{MY}/{{partner_org}}/services/{{partner_service}}/still-correct/", refused_only=True, methods=_POST
    ),
    "partners:proposal": Route(f"{MY}/{{partner_org}}/proposals/{{partner_proposal}}/", refused_only=True),
    "directory_staff:queue": Route(f"{STAFF}/", refused_only=False),
    "directory_staff:proposal": Route(f"{STAFF}/proposals/{{staff_proposal}}/", refused_only=False),
    "directory_staff:proposal_approve": Route(
        f"{STAFF}/proposals/{{staff_proposal}}/approve/", refused_only=False, methods=_POST
    ),
    "directory_staff:proposal_reject": Route(
        f"{STAFF}/proposals/{{staff_proposal}}/reject/", refused_only=False, methods=_POST
    ),
    "directory_staff:report": Route(f"{STAFF}/reports/{{staff_report}}/", refused_only=False, methods=_BOTH),
    "directory_staff:stale": Route(f"{STAFF}/needs-checking/", refused_only=False),
    "directory_staff:organisations": Route(f"{STAFF}/organisations/", refused_only=False),
    "directory_staff:members": Route(
        f"{STAFF}/organisations/{{staff_org}}/", refused_only=False, methods=_BOTH
    ),
    "directory_staff:member_remove": Route(
        f"{STAFF}/organisations/{{staff_org}}/members/{{staff_member}}/remove/",
        refused_only=False,
        methods=_POST,
    ),
    "directory_staff:invitation_withdraw": Route(
        f"{STAFF}/organisations/{{staff_org}}/invitations/{{staff_invitation}}/withdraw/",
        refused_only=False,
        methods=_POST,
    ),
}
# Routes that act for a member of an organisation, not with a staff role's powers.
FOR_EVERYONE = {name for name in ROUTES if name.startswith("partners:")}


def world_values(*, owner, secret: str) -> dict[str, object]:
    """The owner acts for an organisation and has proposed a change holding `secret`, and has an invitation
    from another; the organisers' pages show another organisation, whose member is someone else."""
    from gathering.directory import models as m

    from . import builders
    from .partner_data import member_of, partner_service, propose

    service = partner_service("Owner's listed service")
    member_of(service.organization, owner)
    proposal = propose(service, owner, description=secret)
    elsewhere = builders.organization("Harbour Listening Line")
    invitation = m.OrganizationInvitation.objects.create(organization=elsewhere, email=owner.email.lower())

    staff_service = partner_service("Harbour drop-in", org=builders.organization("Meadow House Trust"))
    staff_member = member_of(staff_service.organization)
    staff_proposal = propose(staff_service, staff_member.user, description="Open on Fridays too.")
    staff_invitation = m.OrganizationInvitation.objects.create(
        organization=staff_service.organization, email="new.member@example.org"
    )
    report = m.ChangeReport.objects.create(service=staff_service, details="The phone number has changed.")
    return {
        "partner_org": service.organization.pk,
        "partner_service": service.pk,
        "partner_proposal": proposal.pk,
        "partner_invitation": invitation.pk,
        "staff_org": staff_service.organization.pk,
        "staff_proposal": staff_proposal.pk,
        "staff_report": report.pk,
        "staff_member": staff_member.pk,
        "staff_invitation": staff_invitation.pk,
    }
