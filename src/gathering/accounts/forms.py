"""Forms for accounts: sign-up extras, profile, tokens, deletion and roles."""

from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import limits
from .email_change import email_change_request, users_with_address
from .models import User, time_zone_choices
from .roles import ROLES

# allauth's labels in the site's words (sentence case, saying what to do).
LABELS = {
    "remember": _("Keep me signed in on this device"),
    "oldpassword": _("Your current password"),
    "password1": _("New password"),
    "password2": _("New password again"),
}


def _plain_fields(
    form: forms.Form, messages: dict[str, dict[str, str]], labels: dict[str, str] | None = None
) -> None:
    """GOV.UK style on allauth's fields: no placeholders, labels in the site's words, and an error message
    that names the field."""
    for name, field in form.fields.items():
        field.widget.attrs.pop("placeholder", None)
        field.error_messages.update(messages.get(name, {}))
        label = (labels or {}).get(name, LABELS.get(name))
        if label:
            field.label = label


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up form with the one thing we need besides email and password: a name."""

    name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("Only organisers of things you join will see it."),
        error_messages={
            "required": _("Enter your full name"),
            "max_length": _("Your name must be 150 characters or fewer"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["name", "email", "password1", "password2"])
        _plain_fields(
            self,
            {
                "email": {"required": _("Enter your email address")},
                "password1": {"required": _("Enter a password")},
                "password2": {"required": _("Enter the same password again")},
            },
            labels={"password1": _("Password"), "password2": _("Password again")},
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter your full name"))
        if any(ord(c) < 32 for c in name):
            raise forms.ValidationError(_("Your name cannot contain control characters"))
        return name

    def validate_unique_email(self, value: str) -> str:
        # Only a login email or a verified address is taken: an unconfirmed change on another account is
        # not, or it would capture the sign-up of the address's real owner.
        self.account_already_exists = users_with_address(value).exists()
        if self.account_already_exists and not allauth_settings.PREVENT_ENUMERATION:
            raise get_adapter().validation_error("email_taken")
        return get_adapter().validate_unique_email(value)

    def try_save(self, request: HttpRequest) -> tuple[User | None, Any]:
        if self.account_already_exists:
            # The same Argon2 work as making an account, so the time taken does not tell that one exists.
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)

    def save(self, request: HttpRequest) -> User:
        user = super().save(request)
        if user is not None and user.name != self.cleaned_data["name"]:
            user.name = self.cleaned_data["name"]
            user.save(update_fields=["name"])
        return user


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_fields(
            self,
            {
                "login": {"required": _("Enter your email address")},
                "password": {"required": _("Enter your password")},
            },
        )

    def clean(self) -> dict[str, Any]:
        if self._errors:
            return super().clean()
        # Failures here count for this account from this address only (allauth adds its per-address and
        # slower per-account limits), so a stranger elsewhere cannot lock the person out.
        attempt = limits.sign_in_attempt(self.request, email=self.cleaned_data["login"])
        if attempt is None:
            raise get_adapter(self.request).validation_error("too_many_login_attempts")
        cleaned = super().clean()  # raises ValidationError when the password is wrong
        attempt.give_back()
        return cleaned


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_fields(
            self,
            {
                "oldpassword": {"required": _("Enter your current password")},
                "password1": {"required": _("Enter a new password")},
                "password2": {"required": _("Enter the new password again")},
            },
        )


class SetPasswordForm(allauth_forms.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_fields(
            self,
            {
                "password1": {"required": _("Enter a password")},
                "password2": {"required": _("Enter the password again")},
            },
            labels={"password1": _("Password"), "password2": _("Password again")},
        )


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_fields(
            self,
            {
                "password1": {"required": _("Enter a new password")},
                "password2": {"required": _("Enter the new password again")},
            },
        )


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_fields(self, {"email": {"required": _("Enter your email address")}})

    def clean_email(self) -> str:
        email = super().clean_email()
        # Only the account whose login email or verified address this is: never a pending change.
        self.users = list(users_with_address(email).filter(is_active=True))
        return email


class AddEmailForm(allauth_forms.AddEmailForm):
    """The new address waits for confirmation; the current one is told, with a link that undoes it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_fields(self, {"email": {"required": _("Enter the new email address")}})

    def save(self, request: HttpRequest) -> EmailAddress:
        return email_change_request(request=request, user=self.user, new_email=self.cleaned_data["email"])


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Times are shown in this zone. Leave it empty to see each event in its own zone."),
    )

    class Meta:
        model = User
        fields = [
            "name",
            "preferred_name",
            "pronouns",
            "time_zone",
            "email_reminders",
            "email_network_news",
            "email_discreet",
        ]
        labels = {"pronouns": _("Pronouns (optional)"), "preferred_name": _("Preferred name (optional)")}
        help_texts = {
            "pronouns": _("For example she/her, they/them. Shown to facilitators of circles you join.")
        }
        error_messages = {
            "name": {
                "required": _("Enter your full name"),
                "max_length": _("Your name must be 150 characters or fewer"),
            },
            "preferred_name": {"max_length": _("Your preferred name must be 150 characters or fewer")},
            "pronouns": {"max_length": _("Pronouns must be 40 characters or fewer")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()
        for field in ("name", "preferred_name", "pronouns"):
            self.fields[field].widget.attrs["spellcheck"] = "false"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["preferred_name"].widget.attrs["autocomplete"] = "nickname"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for field in ("name", "preferred_name", "pronouns"):
            value = cleaned.get(field)
            if isinstance(value, str):
                if any(ord(c) < 32 for c in value):
                    self.add_error(field, _("This cannot contain control characters"))
                cleaned[field] = value.strip()
        if "name" in cleaned and not cleaned["name"]:
            self.add_error("name", _("Enter your full name"))
        return cleaned


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Something to recognise it by, such as the script that will use it."),
        error_messages={
            "required": _("Enter a name for the token"),
            "max_length": _("The name must be 100 characters or fewer"),
        },
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password to confirm")},
    )
    confirm = forms.BooleanField(
        label=_("I understand my account and what I have shared will be deleted and cannot be brought back"),
        error_messages={"required": _("Tick the box to confirm you want to delete your account")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if authenticate(email=self.user.email, password=password) is None:
            raise forms.ValidationError(_("The password is not right"), code="wrong_password")
        return password


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        required=False,
        choices=[(role.slug, role.label) for role in ROLES],
        widget=forms.CheckboxSelectMultiple,
    )


class GiveRoleForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of the person"),
        help_text=_("They must already have an account."),
        error_messages={
            "required": _("Enter an email address"),
            "invalid": _("Enter an email address in the right format, like name@example.org"),
        },
    )
    role = forms.ChoiceField(
        label=_("Role to give"),
        choices=[(role.slug, role.label) for role in ROLES if role.staff],
        error_messages={
            "required": _("Choose a role"),
            "invalid_choice": _("Choose one of the roles listed"),
        },
    )

    def clean_email(self) -> User:
        try:
            return User.objects.get(email__iexact=self.cleaned_data["email"])
        except User.DoesNotExist:
            raise forms.ValidationError(_("No account uses that email address")) from None
