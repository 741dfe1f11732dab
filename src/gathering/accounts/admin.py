"""Django admin for people and tokens (administrators only, behind two-step verification)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "name", "preferred_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "preferred_name", "pronouns", "time_zone")}),
        (_("Email preferences"), {"fields": ("email_reminders", "email_network_news", "email_discreet")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),)
    # Roles are given and taken on the staff team page, whose service ends the person's sessions and tokens
    # and records the change in the audit log; here they are only shown.
    readonly_fields = ["is_staff", "is_superuser", "groups", "last_login", "date_joined"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "expires_at"]
    readonly_fields = ["hint", "created_at", "last_used_at", "expires_at", "second_factor"]
    exclude = ["key_hash", "credentials_hash"]
