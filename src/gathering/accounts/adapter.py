"""How allauth behaves for Gathering: new people become participants."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group
from django.http import HttpRequest

from .roles import PARTICIPANT


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _created = Group.objects.get_or_create(name=PARTICIPANT.group_name)
            user.groups.add(group)
        return user
