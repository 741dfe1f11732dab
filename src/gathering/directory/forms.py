"""The search form of "Find support" (sent by GET, so a search is a plain address), the form for
reporting a change to a listing, the organisers' form for an approach's page and our network's filters,
with messages in the GOV.UK style."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import access, approaches, geo, search
from .countries import country_code, country_names

NO_NUL = _("Remove the unusual characters from this answer")


def _radius_label(km: int) -> str:
    return gettext("Within %(km)s km (about %(miles)s miles)") % {
        "km": km,
        "miles": max(1, round(km / 1.609)),
    }


RADIUS_CHOICES = [(str(km), lazy(_radius_label, str)(km)) for km in search.RADIUS_CHOICES]
ACCESS_LABELS = {
    "self-referral": _("I can refer myself (no referral needed)"),
    "online": _("Online"),
    "phone": _("By phone"),
    "drop-in": _("Drop in, without an appointment"),
}
ONLY_CHOICES = [("free", _("Free to use")), ("open", _("Open now"))]

# Messages for the person, by the code of the geo error; geo's own English text is the fallback.
PLACE_MESSAGES = {
    "malformed_postcode": _(
        "“%(value)s” is not a UK postcode. Enter a full postcode, like LS1 4AP, the first part of one, "
        "like LS1, or a town"
    ),
    "unknown_district": _(
        "We do not know the postcode area “%(district)s”. Check it, or enter a nearby town"
    ),
    "outside_coverage": _("We cannot search from postcodes in %(region)s yet. Enter a nearby town instead"),
    "unknown_town": _(
        "We do not have any services in a town called “%(town)s”. Check the spelling, or enter a postcode, "
        "like LS1 4AP"
    ),
    "ambiguous_town": _(
        "There is more than one place called “%(town)s”. Enter a postcode, or the first part of one, like "
        "LS1, to say which"
    ),
}
RADIUS_MESSAGES = {
    "radius_not_a_number": _("Choose how far you could travel from the list"),
    "radius_out_of_range": _("Choose a distance between %(min)s and %(max)s km"),
}


def _place_message(error: geo.PlaceError) -> str:
    if error.code == "unknown_district" and error.params.get("district") == "GIR":
        return str(error.message)
    template = PLACE_MESSAGES.get(error.code)
    try:
        return str(template) % error.params if template else error.message
    except (KeyError, TypeError, ValueError):
        return error.message


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("What kind of support? (optional)"),
        help_text=_("A word or two, like hearing voices, carers or art"),
        required=False,
        max_length=100,
        error_messages={
            "max_length": _("Enter 100 characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "true"}),
    )
    place = forms.CharField(
        label=_("Where? (optional)"),
        help_text=_(
            "A postcode, like LS1 4AP, the first part of one, like LS1, or a town. We only use the first "
            "part of a postcode and we do not keep it. Leave it empty to see services anywhere, including "
            "online ones."
        ),
        required=False,
        max_length=60,
        error_messages={
            "max_length": _("Enter 60 characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )
    radius = forms.CharField(
        label=_("How far could you travel?"),
        required=False,
        widget=forms.Select(choices=RADIUS_CHOICES),
        initial=str(search.DEFAULT_RADIUS_KM),
    )
    approach = forms.ChoiceField(
        label=_("Type of approach (optional)"),
        choices=[("", _("Any approach")), *approaches.TERMS],
        required=False,
        error_messages={"invalid_choice": _("Choose a type of approach from the list")},
    )
    access = forms.MultipleChoiceField(
        label=_("How would you like to get support? (optional)"),
        help_text=_("Services that offer any of the ways you choose"),
        choices=[(code, ACCESS_LABELS[code]) for code in access.CODES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose how you would like to get support from the list")},
    )
    only = forms.MultipleChoiceField(
        label=_("Only show services that are (optional)"),
        choices=ONLY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the options given")},
    )

    def clean_place(self) -> geo.Place | None:
        text = self.cleaned_data["place"].strip()
        if not text:
            return None
        try:
            return geo.resolve_place(text, search.town_places())
        except geo.PlaceError as error:
            raise forms.ValidationError(_place_message(error), code=error.code) from None

    def clean_radius(self) -> float:
        value = (self.cleaned_data.get("radius") or "").strip()
        if not value:
            return float(search.DEFAULT_RADIUS_KM)
        try:
            radius = geo.parse_radius_km(value)
        except geo.InvalidRadius as error:
            template = RADIUS_MESSAGES.get(error.code)
            message = str(template) % error.params if template else error.message
            raise forms.ValidationError(message, code=error.code) from None
        if radius not in search.RADIUS_CHOICES:
            choices = ", ".join(str(km) for km in search.RADIUS_CHOICES)
            raise forms.ValidationError(
                _("Choose a distance from the list: %(choices)s km") % {"choices": choices},
                code="not_a_choice",
            )
        return radius

    def criteria(self) -> search.Criteria:
        data = self.cleaned_data
        return search.Criteria(
            words=" ".join(data["q"].split()),
            place=data["place"],
            radius_km=data["radius"],
            approach=data["approach"],
            access=tuple(code for code in access.CODES if code in data["access"]),
            free="free" in data["only"],
            open_now="open" in data["only"],
        )


class ChangeReportForm(forms.Form):
    details = forms.CharField(
        label=_("What needs changing?"),
        help_text=_(
            "For example, new opening hours, a phone number that no longer works, or that the service has "
            "closed. Please do not include anything about your own health."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Tell us what needs changing"),
            "max_length": _("Please keep this to 2,000 characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
    )
    reply_email = forms.EmailField(
        label=_("Your email address (optional)"),
        help_text=_("Only if you would like a reply. We use it for nothing else."),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.org"),
            "max_length": _("Enter 254 characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
    )


MARKDOWN_HINT = _(
    "Plain words. Leave a blank line between paragraphs; start a line with “- ” for a list, and write "
    "[words](https://example.org) for a link. Pictures, scripts and styles are removed."
)


def _markdown_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=f"{help_text} {MARKDOWN_HINT}",
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "max_length": _("Please keep this to 6,000 characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
    )


class ApproachPageForm(forms.Form):
    """The words of an approach's page, for organisers."""

    summary = forms.CharField(
        label=_("Summary"),
        help_text=_("One line, shown in lists of approaches and at the top of the page."),
        max_length=200,
        error_messages={
            "required": _("Enter a summary of the approach in one line"),
            "max_length": _("Keep the summary to 200 characters or fewer"),
            "null_characters_not_allowed": NO_NUL,
        },
    )
    what_it_is = _markdown_field(_("What it is"), _("In plain words, for someone who has never heard of it."))
    first_contact = _markdown_field(
        _("What a first contact looks like"),
        _("How someone gets in touch, and what happens the first time."),
    )
    evidence = _markdown_field(
        _("Where the evidence and the people behind it are"),
        _("Name the research, organisations and people by name, so readers can find them."),
    )

    def clean_summary(self) -> str:
        summary = " ".join(self.cleaned_data["summary"].split())
        if not summary:
            raise forms.ValidationError(_("Enter a summary of the approach in one line"), code="required")
        return summary


class NetworkFilterForm(forms.Form):
    """Our network's filters, sent by GET so a filtered list is a plain address. The countries are those the
    network's organisations are in (`network.network_countries`)."""

    relation = forms.ChoiceField(
        label=_("Relation to our network"),
        choices=[
            ("", _("Partners, friends and aligned organisations")),
            ("partner", _("Partners")),
            ("friend", _("Friends")),
            ("aligned", _("Aligned organisations")),
        ],
        required=False,
        error_messages={"invalid_choice": _("Choose a relation from the list")},
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        error_messages={"invalid_choice": _("Choose a country from the list")},
    )

    def __init__(self, *args: Any, countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = list(countries)
        # A country no organisation is in any more (a bookmarked address) still makes a valid, empty list.
        asked = country_code(str(self.data.get("country", "")))
        if asked in country_names() and asked not in dict(choices):
            choices.append((asked, country_names()[asked]))
        self.fields["country"].choices = [("", _("Any country")), *choices]

    def clean_country(self) -> str:
        return country_code(self.cleaned_data["country"])
