"""Forms for raising and handling concerns."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Concern, ConcernNote


class ConcernForm(forms.Form):
    severity = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=Concern.Severity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how urgent it is")},
    )
    details = forms.CharField(
        label=_("What happened, or what worries you?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Only the safeguarding leads can read this. It is stored encrypted."),
        error_messages={
            "required": _("Tell us what happened"),
            "max_length": _("Please keep this to 5,000 characters or fewer"),
        },
    )
    people_involved = forms.CharField(
        label=_("Who is involved? (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Please keep this to 5,000 characters or fewer")},
    )
    contact = forms.CharField(
        label=_("How can we get back to you? (optional)"),
        required=False,
        max_length=200,
        help_text=_(
            "An email address or phone number, if you would like a safeguarding lead to get back to you. "
            "Leave it empty to stay anonymous."
        ),
        error_messages={"max_length": _("Please keep this to 200 characters or fewer")},
    )
    anonymous = forms.BooleanField(
        label=_("Do not tell the safeguarding leads who I am"),
        required=False,
        help_text=_("They will not be able to contact you about it."),
    )
    context = forms.CharField(widget=forms.HiddenInput, required=False, max_length=120)

    def __init__(self, *args: Any, signed_in: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Signed in, the account is the way back (unless they stay anonymous); signed out, a contact is.
        if signed_in:
            del self.fields["contact"]
        else:
            del self.fields["anonymous"]


class ConcernUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Concern.Status.choices)
    action = forms.ChoiceField(
        label=_("What you did (optional)"), choices=ConcernNote.Action.choices, required=False
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    assign_to_me = forms.BooleanField(label=_("I will handle this"), required=False)
