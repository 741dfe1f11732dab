"""The staff area: what each role can reach, the team list, and role changes by administrators."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .decorators import permission_required, staff_required
from .forms import GiveRoleForm, RolesForm
from .models import User
from .roles import ROLES


@staff_required
@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    held = selectors.user_role_slugs(user=request.user)
    roles = [role for role in ROLES if role.slug in held and role.staff]
    return render(request, "staff/home.html", {"roles": roles})


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
