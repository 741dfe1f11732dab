"""The staff area: what each role can reach, the team list, and role changes by administrators."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .decorators import permission_required, staff_required
from .forms import GiveRoleForm, RolesForm
from .models import User
from .roles import ROLES


@dataclass(frozen=True)
class StaffArea:
    label: str | Promise
    url_name: str
    description: str | Promise
    # Any one of these opens the area; none: any signed-in person (the page then shows only their own).
    # They repeat the permission_required(...) of the area's view: keep the two the same.
    perms: tuple[str, ...]
    django_staff: bool = False


STAFF_AREAS = (
    StaffArea(
        gettext_lazy("Gatherings"),
        "events_staff:list",
        gettext_lazy("Registrations, check-in, messages to attendees and feedback."),
        ("accounts.organise",),
    ),
    StaffArea(
        gettext_lazy("Bursaries"),
        "events_staff:list",
        gettext_lazy("Bursaries are under each Gathering: open the Gathering, then its bursaries."),
        ("accounts.organise",),
    ),
    StaffArea(
        gettext_lazy("Programmes"),
        "programme_staff:list",
        gettext_lazy("Proposals, reviews and timetables for the Gatherings you organise or review."),
        (),
    ),
    StaffArea(
        gettext_lazy("Listening circles"),
        "circles_staff:list",
        gettext_lazy("Circle series, who has joined, and forming the circles."),
        ("accounts.organise",),
    ),
    StaffArea(
        gettext_lazy("Learning programmes"),
        "learning_staff:list",
        gettext_lazy("Courses, their outcomes and materials, cohorts, sessions and attendance."),
        ("accounts.organise", "accounts.facilitate"),
    ),
    StaffArea(
        gettext_lazy("Directory"),
        "directory_staff:queue",
        gettext_lazy(
            "Partners' proposed changes to listings, reports of changes, listings that need checking, and "
            "who acts for each organisation."
        ),
        ("accounts.organise",),
    ),
    StaffArea(
        gettext_lazy("Approach pages"),
        "directory_staff:approaches",
        gettext_lazy("The words on the public page of each approach our network showcases."),
        ("accounts.organise",),
    ),
    StaffArea(
        gettext_lazy("Circles you facilitate"),
        "circles_staff:facilitating",
        gettext_lazy("Your circles, their members and meetings."),
        ("accounts.facilitate",),
    ),
    StaffArea(
        gettext_lazy("Impact"),
        "impact_staff:dashboard",
        gettext_lazy(
            "What the network achieves, in figures that never show fewer than five people; CSV files, "
            "the annual report and its PDF, and the public page."
        ),
        ("accounts.organise",),
    ),
    StaffArea(
        gettext_lazy("Safeguarding"),
        "safeguarding:queue",
        gettext_lazy("Concerns people have raised, and what has been done about them."),
        ("accounts.safeguard",),
    ),
    StaffArea(
        gettext_lazy("Audit log"),
        "audit:list",
        gettext_lazy("Who read or changed sensitive information, and when."),
        ("accounts.manage_roles",),
    ),
    StaffArea(
        gettext_lazy("Team"),
        "staff:team",
        gettext_lazy("The staff team and their roles."),
        ("accounts.view_team", "accounts.manage_roles"),
    ),
    StaffArea(
        gettext_lazy("Site administration"),
        "admin:index",
        gettext_lazy("Django's administration pages, for what the other pages do not cover."),
        ("accounts.manage_roles",),
        django_staff=True,
    ),
)


def staff_areas_for(user: User) -> list[dict[str, object]]:
    """The staff areas `user` can open, with their addresses, in the order of STAFF_AREAS."""
    return [
        {"label": area.label, "url": reverse(area.url_name), "description": area.description}
        for area in STAFF_AREAS
        if (not area.perms or any(user.has_perm(perm) for perm in area.perms))
        and (user.is_staff or not area.django_staff)
    ]


@staff_required
@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    held = selectors.user_role_slugs(user=request.user)
    roles = [role for role in ROLES if role.slug in held and role.staff]
    return render(request, "staff/home.html", {"roles": roles, "areas": staff_areas_for(request.user)})


@permission_required("accounts.view_team", "accounts.manage_roles")
@require_http_methods(["GET", "HEAD", "POST"])
def team(request: HttpRequest) -> HttpResponse:
    can_manage = request.user.has_perm("accounts.manage_roles")
    form = GiveRoleForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            return render(request, "core/error.html", _forbidden(), status=403)
        if form.is_valid():
            try:
                person = services.user_role_add(
                    actor=request.user, user=form.cleaned_data["email"], role_slug=form.cleaned_data["role"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                _keep_own_session(request, person)
                messages.success(request, _("%(name)s now has that role.") % {"name": person.display_name})
                return redirect("staff:team")
    members = selectors.staff_members()
    return render(request, "staff/team.html", {"members": members, "form": form, "can_manage": can_manage})


@permission_required("accounts.manage_roles")
@require_http_methods(["GET", "HEAD", "POST"])
def person_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    form = RolesForm(request.POST or None, initial={"roles": sorted(selectors.user_role_slugs(user=person))})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_roles_set(
                actor=request.user, user=person, role_slugs=set(form.cleaned_data["roles"])
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _keep_own_session(request, person)
            messages.success(
                request, _("Roles for %(name)s have been saved.") % {"name": person.display_name}
            )
            return redirect("staff:team")
    return render(request, "staff/person_roles.html", {"person": person, "form": form})


def _keep_own_session(request: HttpRequest, person: User) -> None:
    """A role change ends every session of the person changed; an administrator changing their own roles
    keeps the session they did it from."""
    if person.pk == request.user.pk:
        update_session_auth_hash(request, person)


def _forbidden() -> dict[str, str]:
    return {
        "title": _("You do not have access to this page"),
        "message": _("Only administrators can change roles."),
    }
