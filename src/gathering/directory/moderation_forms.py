"""Forms for partners and moderation, with messages in the GOV.UK style: a member's proposal (the fields
people care about, opening hours as a simple week), an organiser's reason for not approving, a note on a
report of a change, and adding a member by email address."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import access, approaches, proposals
from .forms import NO_NUL
from .hours import DAYS

PHONE = re.compile(r"\+?[0-9 ()\-]{6,30}")


def _text(
    label: Any, *, max_length: int, hint: Any = "", rows: int = 0, required: bool = False
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
        error_messages={
            "max_length": _("Keep this to %(limit_value)s characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
    )


def _time(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=["%H:%M", "%H:%M:%S", "%H.%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        error_messages={"invalid": _("Enter a time like 09:30 or 17:00")},
    )


class ProposalForm(forms.Form):
    name = _text(_("Name of the service"), max_length=200, required=True)
    description = _text(
        _("What the service offers (optional)"),
        max_length=5000,
        rows=5,
        hint=_("In plain words, for someone looking for support."),
    )
    eligibility_description = _text(
        _("Who it is for (optional)"),
        max_length=2000,
        rows=3,
        hint=_("For example: adults in Leeds and their families."),
    )
    application_process = _text(
        _("How to get support (optional)"),
        max_length=2000,
        rows=3,
        hint=_("For example: call us to refer yourself, or just turn up while we are open."),
    )
    free = forms.ChoiceField(
        label=_("Is it free to use? (optional)"),
        choices=[("free", _("Yes, it is free")), ("paid", _("No, it costs something"))],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose yes or no")},
    )
    fees_description = _text(
        _("About the cost (optional)"),
        max_length=2000,
        rows=2,
        hint=_("For example: £5 a session, or free for people on benefits."),
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        error_messages={
            "max_length": _("Enter 40 characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.org"),
            "max_length": _("Enter 254 characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
    )
    url = forms.URLField(
        label=_("Website (optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": _("Enter a web address like https://example.org/"),
            "max_length": _("Enter 500 characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
    )
    approaches = forms.MultipleChoiceField(
        label=_("Approaches (optional)"),
        choices=approaches.TERMS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose approaches from the list")},
    )
    ways_in = forms.MultipleChoiceField(
        label=_("Ways in (optional)"),
        help_text=_("How a person can get support from the service."),
        choices=[(code, name) for code, name, _description in access.TERMS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose ways in from the list")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, day in zip(proposals.DAY_CODES, DAYS, strict=True):
            self.fields[f"{code}_opens"] = _time(_("%(day)s: opens") % {"day": day})
            self.fields[f"{code}_closes"] = _time(_("%(day)s: closes") % {"day": day})

    def days(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        """(day, opens field, closes field) for each day of the week, Monday first, for the template."""
        return [
            (day, self[f"{code}_opens"], self[f"{code}_closes"])
            for code, day in zip(proposals.DAY_CODES, DAYS, strict=True)
        ]

    def clean_phone(self) -> str:
        phone = " ".join(self.cleaned_data["phone"].split())
        if phone and not PHONE.fullmatch(phone):
            raise forms.ValidationError(_("Enter a phone number using digits, like 0113 496 0000"))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for code, day in zip(proposals.DAY_CODES, DAYS, strict=True):
            opens, closes = data.get(f"{code}_opens"), data.get(f"{code}_closes")
            if f"{code}_opens" in self.errors or f"{code}_closes" in self.errors:
                continue
            if opens is not None and closes is None:
                self.add_error(f"{code}_closes", _("Enter when it closes on %(day)s") % {"day": day})
            elif closes is not None and opens is None:
                self.add_error(f"{code}_opens", _("Enter when it opens on %(day)s") % {"day": day})
            elif opens is not None and opens == closes:
                self.add_error(
                    f"{code}_closes",
                    _("The closing time on %(day)s must differ from the opening time") % {"day": day},
                )
        return data

    @staticmethod
    def initial_from(start: proposals.Form) -> dict[str, Any]:
        answers = start.answers
        initial: dict[str, Any] = {
            key: getattr(answers, key)
            for key in (
                "name",
                "description",
                "eligibility_description",
                "application_process",
                "free",
                "fees_description",
                "phone",
                "email",
                "url",
            )
        }
        initial["approaches"] = list(answers.approaches)
        initial["ways_in"] = list(answers.ways_in)
        for code, times in zip(proposals.DAY_CODES, answers.hours, strict=True):
            if times is not None:
                initial[f"{code}_opens"], initial[f"{code}_closes"] = times
        return initial

    def answers(self) -> proposals.ServiceAnswers:
        data = self.cleaned_data
        week = []
        for code in proposals.DAY_CODES:
            opens, closes = data.get(f"{code}_opens"), data.get(f"{code}_closes")
            week.append((opens.strftime("%H:%M"), closes.strftime("%H:%M")) if opens and closes else None)
        return proposals.ServiceAnswers(
            name=data["name"],
            description=data["description"],
            eligibility_description=data["eligibility_description"],
            application_process=data["application_process"],
            free=data["free"],
            fees_description=data["fees_description"],
            phone=data["phone"],
            email=data["email"],
            url=data["url"],
            hours=tuple(week),
            approaches=tuple(code for code, _name in approaches.TERMS if code in data["approaches"]),
            ways_in=tuple(code for code in access.CODES if code in data["ways_in"]),
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it not approved?"),
        help_text=_("The person who proposed it reads this in an email. Say what would make it right."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Say why the proposal is not approved: the proposer will read it"),
            "max_length": _("Keep the reason to 2,000 characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
    )


class ReportCloseForm(forms.Form):
    note = _text(
        _("What was done (optional)"),
        max_length=2000,
        rows=3,
        hint=_(
            "For the organisers: for example, “Phone number corrected” or “Asked the organisation to check”."
        ),
    )
    reply = _text(
        _("Reply to the person who reported it (optional)"),
        max_length=2000,
        rows=3,
        hint=_("They asked for a reply. We send this to them by email, then forget their address."),
    )

    def __init__(self, *args: Any, can_reply: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_reply:
            del self.fields["reply"]


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_(
            "Someone with an account with this address becomes a member at once. Anyone else gets an "
            "invitation to sign up or sign in with it."
        ),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter the email address of the person to add"),
            "invalid": _("Enter an email address in the correct format, like name@example.org"),
            "max_length": _("Enter 254 characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
    )


class OrganizationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Organisation name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
        error_messages={
            "max_length": _("Enter 100 characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
    )
