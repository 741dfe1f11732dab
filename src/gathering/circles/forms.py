"""Forms for joining circles, organising a series and facilitating a circle."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gathering.core.regions import region_form_field

from .models import CircleMembership, CircleSeries, Perspective
from .services import JoinInput


class ServiceErrorsMixin:
    def apply_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for key, texts in error.message_dict.items():
                for text in texts:
                    self.add_error(key if key in self.fields else None, text)
        else:
            for text in error.messages:
                self.add_error(None, text)


class JoinForm(ServiceErrorsMixin, forms.Form):
    agree = forms.BooleanField(
        label=_("I have read the group agreement and I agree to it"),
        error_messages={"required": _("Agree to the group agreement to join.")},
    )
    listed = forms.BooleanField(
        label=_("Show my first name to the others in my circle"),
        required=False,
        help_text=_("If you leave this unticked, your circle sees only that one more person is coming."),
    )
    perspectives = forms.MultipleChoiceField(
        label=_("How do you come to these circles? (optional)"),
        help_text=_("We use this only to mix each circle. Choose any that fit, or none."),
        choices=Perspective.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    region = region_form_field(
        label=_("Where you live (optional)"),
        help_text=_("A region, never anything finer. We use it only to mix each circle."),
    )
    language = forms.CharField(
        label=_("Language you would like to speak in your circle (optional)"), max_length=60, required=False
    )
    organisation = forms.CharField(
        label=_("Organisation you work or volunteer for (optional)"),
        help_text=_("So that no circle has more than two people from one organisation."),
        max_length=150,
        required=False,
    )
    access_needs = forms.CharField(
        label=_("Anything that would help you take part (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    share_access_needs = forms.BooleanField(
        label=_("Share what would help me with my facilitator"),
        required=False,
        help_text=_("Only your facilitator will see it, and only if you tick this."),
    )
    special_category_consent = forms.BooleanField(
        label=_(
            "I agree that the organisers may use my perspectives and what would help me to form circles "
            "and support me. I can withdraw this at any time."
        ),
        required=False,
    )
    not_with = forms.CharField(
        label=_("Anyone you would rather not share a circle with (optional)"),
        help_text=_(
            "For example a member of your own care team. Write their email address or full name, one per "
            "line. Only the organiser forming the circles sees this, never the person you name."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2200,
        required=False,
    )

    def to_input(self, *, agreement_version: int) -> JoinInput:
        data = self.cleaned_data
        return JoinInput(
            agreement_version=agreement_version,
            perspectives=list(data["perspectives"]),
            special_category_consent=data["special_category_consent"],
            region=data["region"],
            language=data["language"],
            organisation=data["organisation"],
            access_needs=data["access_needs"],
            share_access_needs=data["share_access_needs"],
            listed=data["listed"],
            not_with=[line for line in data["not_with"].splitlines() if line.strip()],
        )


class NotWithForm(ServiceErrorsMixin, forms.Form):
    not_with = forms.CharField(
        label=_("Their email address or full name"),
        help_text=_("Only the organiser forming the circles sees this, never the person you name."),
        max_length=200,
    )


def _scale(label: str, missing: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": missing},
    )


class FeedbackForm(ServiceErrorsMixin, forms.Form):
    felt_safe = _scale(
        _("I felt safe (1 not at all, 5 completely)"), _("Choose how safe you felt, from 1 to 5.")
    )
    felt_heard = _scale(
        _("I felt heard (1 not at all, 5 completely)"), _("Choose how heard you felt, from 1 to 5.")
    )
    come_again = _scale(
        _("I would come again (1 not at all, 5 definitely)"),
        _("Choose whether you would come again, from 1 to 5."),
    )
    comment = forms.CharField(
        label=_("Anything else you would like to tell us (optional)"),
        help_text=_("Please do not write what anyone said in the circle."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class SeriesForm(ServiceErrorsMixin, forms.ModelForm):
    online_link = forms.URLField(
        label=_("Online joining link"),
        help_text=_("For online circles."),
        assume_scheme="https",
        max_length=200,
        required=False,
    )

    class Meta:
        model = CircleSeries
        fields = [
            "name",
            "slug",
            "event",
            "purpose",
            "format",
            "schedule",
            "first_meets_at",
            "meeting_count",
            "every_days",
            "time_zone",
            "place",
            "online_link",
            "rounds",
            "size_min",
            "size_max",
            "cover_a",
            "cover_b",
            "max_per_organisation",
            "facilitators",
        ]
        widgets = {
            "first_meets_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "facilitators": forms.CheckboxSelectMultiple,
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "rounds": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {"first_meets_at": _("In the series' time zone.")}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from gathering.accounts.models import User
        from gathering.events.models import Event

        events = Event.objects.order_by("-starts_at")
        if not user.has_perm("accounts.manage_roles"):
            events = events.filter(organisers=user)
        self.fields["event"].queryset = events
        self.fields["facilitators"].queryset = (
            User.objects.filter(groups__permissions__codename="facilitate").distinct().order_by("name")
        )
        self.fields["facilitators"].label_from_instance = lambda u: u.name
        self.fields["facilitators"].required = False


class AgreementForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("Group agreement"),
        help_text=_(
            "One point per line: confidentiality, listening without fixing or judging, speaking from your "
            "own experience, the right to pass, and what happens if someone is at risk."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
    )


class InvitationForm(ServiceErrorsMixin, forms.Form):
    email = forms.CharField(
        label=_("Email address of the person to invite"),
        help_text=_("They can then join these circles without a place at the Gathering. We email them."),
        max_length=254,
        error_messages={"required": _("Enter an email address like name@example.org")},
    )


class FormCirclesForm(ServiceErrorsMixin, forms.Form):
    count = forms.IntegerField(
        label=_("Number of circles (optional)"),
        help_text=_("Leave empty for the fewest circles that fit everyone."),
        min_value=1,
        max_value=500,
        required=False,
    )
    time_limit = forms.FloatField(
        label=_("Seconds to search for the best mix"), min_value=0.5, max_value=60, initial=3
    )


class SwapForm(ServiceErrorsMixin, forms.Form):
    first = forms.ModelChoiceField(label=_("Person"), queryset=CircleMembership.objects.none())
    second = forms.ModelChoiceField(
        label=_("Swap with (optional)"), queryset=CircleMembership.objects.none(), required=False
    )
    to_circle = forms.ChoiceField(label=_("Or move to circle (optional)"), required=False)

    def __init__(self, *args, series: CircleSeries, circles: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = CircleMembership.objects.active().filter(series=series).select_related("user", "circle")
        for name in ("first", "second"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = _person_label
        self.fields["to_circle"].choices = [("", "—")] + [(c.pk, str(c)) for c in circles]
        self.circles = {str(c.pk): c for c in circles}

    def clean_to_circle(self):
        value = self.cleaned_data["to_circle"]
        return self.circles.get(value) if value else None


def _person_label(membership: CircleMembership) -> str:
    name = membership.user.name if membership.user else str(_("Former member"))
    return f"{name} ({membership.circle or _('no circle')})"


class RemoveForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why are you removing them?"),
        help_text=_("Only the organisers see this. Describe what happened, not what anyone shared."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class CirclePlaceForm(ServiceErrorsMixin, forms.Form):
    place = forms.CharField(
        label=_("Where this circle meets"),
        help_text=_("A room, for example. Leave empty to use the series' place."),
        max_length=200,
        required=False,
    )
    online_link = forms.URLField(
        label=_("This circle's online link"),
        help_text=_("Leave empty to use the series' link."),
        assume_scheme="https",
        required=False,
    )
