"""Reads about people that views share."""

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from .models import ApiToken, User
from .roles import ROLES, STAFF_GROUP_NAMES


def staff_members() -> QuerySet[User]:
    """Everyone holding a staff role, with their roles and whether multi-factor authentication is on."""
    return (
        User.objects.filter(groups__name__in=STAFF_GROUP_NAMES)
        .distinct()
        .annotate(has_mfa=Exists(Authenticator.objects.filter(user=OuterRef("pk"))))
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .order_by("name", "pk")
    )


def api_tokens_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def user_role_slugs(*, user: User) -> set[str]:
    names = set(user.groups.values_list("name", flat=True))
    return {role.slug for role in ROLES if role.group_name in names}
