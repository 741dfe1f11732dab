"""Forms for the catalogue's filters, self-check-in and self-assessment, and organisers' course pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gathering.accounts.models import User
from gathering.events.models import Event

from .models import Cohort, CohortSession, Course, CourseMaterial, LearningOutcome
from .selectors import CatalogueFilters


class ServiceErrorsMixin:
    def apply_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for key, texts in error.message_dict.items():
                for text in texts:
                    self.add_error(key if key in self.fields else None, text)
        else:
            for text in error.messages:
                self.add_error(None, text)


class CatalogueForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), choices=[("", _("Any format")), *Course.Format.choices], required=False
    )
    online = forms.BooleanField(label=_("I can take part online"), required=False)
    starts_from = forms.DateField(
        label=_("Starting from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as day, month and year, for example 27 3 2027.")},
    )
    starts_until = forms.DateField(
        label=_("Starting by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as day, month and year, for example 27 3 2027.")},
    )

    def clean(self) -> dict:
        data = super().clean()
        start, until = data.get("starts_from"), data.get("starts_until")
        if start and until and until < start:
            self.add_error("starts_until", _("“Starting by” must be the same as or after “Starting from”."))
        return data

    def filters(self) -> CatalogueFilters:
        if not self.is_valid():
            return CatalogueFilters()
        data = self.cleaned_data
        return CatalogueFilters(
            format=data["format"],
            online=data["online"],
            starts_from=data["starts_from"],
            starts_until=data["starts_until"],
        )


class BreakoutForm(ServiceErrorsMixin, forms.Form):
    size = forms.IntegerField(
        label=_("Largest group"),
        help_text=_("From 2 to 8 people. Groups are made as even as they can be."),
        min_value=2,
        max_value=8,
        initial=4,
        error_messages={
            "required": _("Enter the largest group size, from 2 to 8."),
            "invalid": _("Enter the largest group size as a number from 2 to 8."),
            "min_value": _("Choose a group size from 2 to 8."),
            "max_value": _("Choose a group size from 2 to 8."),
        },
    )


class CheckInForm(ServiceErrorsMixin, forms.Form):
    code = forms.CharField(
        label=_("Session code"),
        help_text=_("Six letters and numbers, shown by your facilitator during the session."),
        max_length=20,
        error_messages={"required": _("Enter the session code your facilitator shows.")},
    )


RATING_CHOICES = [
    ("1", _("1 – not at all confident")),
    ("2", _("2")),
    ("3", _("3")),
    ("4", _("4")),
    ("5", _("5 – very confident")),
]


class SelfAssessmentForm(ServiceErrorsMixin, forms.Form):
    """One question per learning outcome (1 to 5), then an optional reflection."""

    def __init__(self, *args: object, outcomes: list[LearningOutcome], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.outcomes = outcomes
        for outcome in outcomes:
            self.fields[f"outcome_{outcome.pk}"] = forms.ChoiceField(
                label=outcome.text,
                choices=RATING_CHOICES,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose how confident you are about “%(outcome)s”, from 1 to 5.")
                    % {"outcome": outcome.text},
                    "invalid_choice": _("Choose how confident you are about “%(outcome)s”, from 1 to 5.")
                    % {"outcome": outcome.text},
                },
            )
        self.fields["reflection"] = forms.CharField(
            label=_("Anything you would like to note for yourself (optional)"),
            help_text=_("Only you see this. We keep it encrypted."),
            widget=forms.Textarea(attrs={"rows": 4}),
            required=False,
            max_length=4000,
            error_messages={"max_length": _("Keep your reflection under 4,000 characters.")},
        )

    def ratings(self) -> dict[int, object]:
        return {o.pk: self.cleaned_data.get(f"outcome_{o.pk}") for o in self.outcomes}


# ---------------------------------------------------------------------------------------------- organisers


class CourseForm(ServiceErrorsMixin, forms.ModelForm):
    outcomes = forms.CharField(
        label=_("Learning outcomes"),
        help_text=_("One per line, in the order the course works towards them."),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )

    class Meta:
        model = Course
        fields = [
            "title",
            "slug",
            "summary",
            "description",
            "audience",
            "format",
            "cpd_hours",
            "facilitators",
            "status",
        ]
        widgets = {"facilitators": forms.CheckboxSelectMultiple}
        error_messages = {
            "title": {"required": _("Enter the course's title.")},
            "slug": {
                "required": _("Enter the web address, for example trauma-informed-practice."),
                "invalid": _("Use only lower-case letters, numbers and hyphens in the web address."),
                "unique": _("Another course already uses this web address."),
            },
            "summary": {"required": _("Enter a one-line summary.")},
            "cpd_hours": {"invalid": _("Enter the CPD hours as a number, for example 6 or 7.5.")},
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].queryset = (
            User.objects.filter(groups__permissions__codename="facilitate").distinct().order_by("name")
        )
        if self.instance.pk:
            self.initial["outcomes"] = "\n".join(
                self.instance.outcomes.order_by("position").values_list("text", flat=True)
            )

    def outcome_lines(self) -> list[str]:
        return self.cleaned_data.get("outcomes", "").splitlines()


class MaterialForm(ServiceErrorsMixin, forms.ModelForm):
    url = forms.URLField(
        label=_("Link"),
        help_text=_("A web address. Leave empty to upload a file instead."),
        assume_scheme="https",
        max_length=500,
        required=False,
        error_messages={"invalid": _("Enter a full web address, starting with https://")},
    )

    class Meta:
        model = CourseMaterial
        fields = ["title", "url", "file", "position"]
        help_texts = {
            "file": _("PDF, Word, PowerPoint, OpenDocument, Excel, plain text or EPUB, up to 20 MB."),
        }
        error_messages = {"title": {"required": _("Enter the material's title.")}}

    def clean_file(self) -> object:
        upload = self.cleaned_data.get("file")
        if upload and getattr(upload, "size", 0) > 20 * 1024 * 1024:
            raise ValidationError(_("Choose a file smaller than 20 MB."))
        return upload

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and bool(data.get("url")) == bool(data.get("file")):
            self.add_error("url", _("Give a link or choose a file, not both."))
        return data


class CohortForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["event", "completion_percent"]
        help_texts = {
            "event": _(
                "Set the cohort up under Gatherings first, as the kind “Training”, with its places, tickets "
                "and bursaries: people enrol by registering for it."
            ),
            "completion_percent": _("For example 80: four sessions out of five."),
        }
        error_messages = {
            "event": {"required": _("Choose the Gathering this cohort runs as.")},
            "completion_percent": {
                "min_value": _("Enter a percentage from 1 to 100."),
                "max_value": _("Enter a percentage from 1 to 100."),
                "invalid": _("Enter a percentage from 1 to 100."),
            },
        }

    def __init__(self, *args: object, events: "forms.QuerySet[Event]", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events
        self.fields["event"].label = _("Gathering")


class SessionForm(ServiceErrorsMixin, forms.ModelForm):
    online_link = forms.URLField(
        label=_("Online joining link"),
        help_text=_("Only people with a confirmed place see it, on My learning."),
        assume_scheme="https",
        max_length=500,
        required=False,
        error_messages={"invalid": _("Enter a full web address, starting with https://")},
    )

    class Meta:
        model = CohortSession
        fields = ["title", "starts_at", "ends_at", "place", "online_link"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        error_messages = {
            "starts_at": {
                "required": _("Enter when the session starts."),
                "invalid": _("Enter the start as a date and time."),
            },
            "ends_at": {
                "required": _("Enter when the session ends."),
                "invalid": _("Enter the end as a date and time."),
            },
        }


class CertificateNameForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Your name as it should be printed"),
        help_text=_("Printed on the certificate and shown to anyone who checks its code."),
        max_length=200,
        error_messages={"required": _("Enter your name as it should be printed.")},
    )


class CertificateVerifyForm(ServiceErrorsMixin, forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        help_text=_("Printed at the foot of the certificate, for example 7KQ4-M2XD-9PLA."),
        max_length=40,
        error_messages={"required": _("Enter the verification code printed on the certificate.")},
    )


class CertificateRevokeForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is this certificate revoked?"),
        help_text=_("Kept for the organisers; the verification page shows only the date it was revoked."),
        max_length=500,
        error_messages={"required": _("Say why the certificate is revoked.")},
    )
