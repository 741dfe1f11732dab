"""Forms for the consents page and the audit log filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .notices import CURRENT, OPTIONAL_PURPOSES


class ConsentChangeForm(forms.Form):
    """One button on the consents page: give or withdraw consent for one purpose."""

    GIVE = "give"
    WITHDRAW = "withdraw"

    purpose = forms.ChoiceField(choices=[(p, n.title) for p, n in CURRENT.items()], widget=forms.HiddenInput)
    change = forms.ChoiceField(
        choices=[(GIVE, _("Give consent")), (WITHDRAW, _("Withdraw consent"))], widget=forms.HiddenInput
    )
    # Withdrawing deletes answers: the first press shows what will go, the second (with this) withdraws.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("change") == self.GIVE and data.get("purpose") not in OPTIONAL_PURPOSES:
            raise forms.ValidationError(
                _("You can give this consent when you register for a Gathering, where we ask for it.")
            )
        return data


class AuditFilterForm(forms.Form):
    # Filtering is by kind of action only: names and emails never go into the address bar or the logs.
    action = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("All actions")), *AuditEntry.Action.choices],
    )
