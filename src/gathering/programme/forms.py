"""Forms for proposals, interest, reviews, the grid and the timetable editor."""

from datetime import datetime, tzinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Need, Session

# --------------------------------------------------------- attendees: proposals and interest


class ProposalForm(forms.Form):
    """An open-space proposal in 30 seconds: a title, a line about it, and (if needed) length and needs."""

    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_("A few words people will see on the board."),
        error_messages={"required": _("Enter a title")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "next"}),
    )
    description = forms.CharField(
        label=_("A line about it (optional)"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    length = forms.TypedChoiceField(
        label=_("How long"),
        coerce=int,
        initial=1,
        choices=[(1, _("One slot")), (2, _("Two slots")), (3, _("Three slots")), (4, _("Four slots"))],
        error_messages={"invalid_choice": _("Choose a length from 1 to 4 slots")},
    )
    needs = forms.MultipleChoiceField(
        label=_("What the room needs (optional)"),
        choices=Need.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose needs from the list")},
    )
    proposer_shown_as = forms.ChoiceField(
        label=_("How your name is shown"),
        help_text=_(
            "This is how you appear on the session's page and in the programme. Organisers still see your "
            "name."
        ),
        choices=Session.ShownAs.choices,
        initial=Session.ShownAs.PREFERRED_NAME,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose how your name is shown")},
    )

    def clean_proposer_shown_as(self) -> str:
        # Left unanswered (an older form, a script), the name is shown as it always was.
        return self.cleaned_data["proposer_shown_as"] or Session.ShownAs.PREFERRED_NAME

    def apply_service_errors(self, error: ValidationError) -> None:
        """Show a refusal from the service against the field it is about."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, texts in error.message_dict.items():
            for text in texts:
                self.add_error(key if key in self.fields else None, text)


class InterestForm(forms.Form):
    """A mark on a session: 1 would like, 2 really want, 0 takes the mark back."""

    level = forms.TypedChoiceField(
        coerce=int,
        choices=[(0, _("No mark")), (1, _("Would like")), (2, _("Really want"))],
        error_messages={
            "required": _("Choose “would like” or “really want”"),
            "invalid_choice": _("Choose “would like” or “really want”"),
        },
    )


# --------------------------------------------------------- organisers and reviewers


class _ZonedForm(forms.Form):
    """A form whose dates and times are typed in the Gathering's time zone and kept in UTC."""

    zoned_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, zone: tzinfo, **kwargs: Any) -> None:
        self.zone = zone
        initial = dict(kwargs.pop("initial", None) or {})
        for name in self.zoned_fields:
            if isinstance(initial.get(name), datetime):
                initial[name] = timezone.localtime(initial[name], zone).strftime("%Y-%m-%dT%H:%M")
        super().__init__(*args, initial=initial, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in self.zoned_fields:
            value = cleaned.get(name)
            if isinstance(value, datetime):
                cleaned[name] = timezone.make_aware(value.replace(tzinfo=None), self.zone)
        return cleaned


def _local_datetime(label: str, *, required: bool = True, missing: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={
            "required": missing or _("Enter a date and time"),
            "invalid": _("Enter a date and time, like 2026-05-14 10:30"),
        },
    )


class ProgrammeSettingsForm(_ZonedForm):
    zoned_fields = ("cfp_opens_at", "cfp_closes_at")
    cfp_opens_at = _local_datetime(_("Call for sessions opens (optional)"), required=False)
    cfp_closes_at = _local_datetime(_("Call for sessions closes (optional)"), required=False)
    anonymised_review = forms.BooleanField(
        label=_("Anonymised review: reviewers do not see who proposed a session"), required=False
    )
    open_space = forms.BooleanField(
        label=_("Open space: confirmed attendees may propose sessions before and on the day"), required=False
    )
    proposals_need_approval = forms.BooleanField(
        label=_("Open-space proposals wait for approval"),
        help_text=_("New proposals stay off the board and the timetable until an organiser approves them."),
        required=False,
    )
    move_cost = forms.IntegerField(
        label=_("Cost of moving a published session"),
        help_text=_(
            "When you optimise again, a published session moves only if its place is needed or the move "
            "spares more than this many interest clashes. 0 lets everything move; 1000 keeps everything "
            "published where it is unless its place is needed."
        ),
        min_value=0,
        max_value=100_000,
        error_messages={
            "required": _("Enter the cost of moving a session, for example 20"),
            "invalid": _("The cost of moving a session must be a whole number"),
            "min_value": _("The cost of moving a session cannot be negative"),
            "max_value": _("The cost of moving a session must be 100,000 or less"),
        },
    )
    reviewers = forms.CharField(
        label=_("Reviewers' email addresses (optional)"),
        help_text=_("One a line. Each reviewer needs an account."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_reviewers(self) -> list[str]:
        emails = [line.strip() for line in self.cleaned_data["reviewers"].splitlines() if line.strip()]
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(
                    _("%(email)s is not an email address"), params={"email": email[:80]}
                ) from None
        return emails


class SlotForm(_ZonedForm):
    zoned_fields = ("starts_at", "ends_at")
    starts_at = _local_datetime(_("Starts"), missing=_("Enter when the slot starts"))
    ends_at = _local_datetime(_("Ends"), missing=_("Enter when the slot ends"))
    is_break = forms.BooleanField(label=_("This is a break (no sessions)"), required=False)
    label = forms.CharField(
        label=_("Label (optional)"), help_text=_("For example: Lunch."), max_length=80, required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The slot must end after it starts"))
        return cleaned


class RoomForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=120, error_messages={"required": _("Enter the room's name")}
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        help_text=_("How many people it holds comfortably."),
        min_value=1,
        max_value=100_000,
        error_messages={
            "required": _("Enter how many people the room holds"),
            "invalid": _("Capacity must be a whole number"),
            "min_value": _("A room holds at least one person"),
            "max_value": _("Capacity must be 100,000 or less"),
        },
    )
    features = forms.MultipleChoiceField(
        label=_("Access and equipment"),
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Choose features from the list")},
    )
    is_online = forms.BooleanField(label=_("This is an online room"), required=False)
    position = forms.IntegerField(
        label=_("Position on the grid"),
        min_value=0,
        max_value=1000,
        initial=0,
        required=False,
        error_messages={"invalid": _("Position must be a whole number")},
    )
    unavailable_slots = forms.MultipleChoiceField(
        label=_("Unavailable in (optional)"),
        help_text=_("Slots in which nothing can be held in this room."),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Choose slots from the list")},
    )

    def __init__(self, *args: Any, slots: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unavailable_slots"].choices = [(str(pk), label) for pk, label in slots]


class CfpProposalForm(forms.Form):
    """A proposal to the curated call for sessions."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={
            "required": _("Enter a title for your session"),
            "max_length": _("The title must be 200 characters or fewer"),
        },
    )
    description = forms.CharField(
        label=_("What happens in the session, and who is it for?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={
            "required": _("Describe your session"),
            "max_length": _("The description must be 5,000 characters or fewer"),
        },
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[c for c in Session.Format.choices if c[0] != Session.Format.OPEN_SPACE],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a format"),
            "invalid_choice": _("Choose a format from the list"),
        },
    )
    length = forms.TypedChoiceField(
        label=_("Length"),
        choices=[
            ("1", _("One slot")),
            ("2", _("Two slots")),
            ("3", _("Three slots")),
            ("4", _("Four slots")),
        ],
        coerce=int,
        initial="1",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a length"),
            "invalid_choice": _("Choose a length from 1 to 4 slots"),
        },
    )
    expected_size = forms.IntegerField(
        label=_("How many people do you expect? (optional)"),
        min_value=1,
        max_value=10_000,
        required=False,
        error_messages={
            "invalid": _("Expected size must be a whole number"),
            "min_value": _("Expected size must be at least 1"),
            "max_value": _("Expected size must be 10,000 or less"),
        },
    )
    needs = forms.MultipleChoiceField(
        label=_("What does the room need? (optional)"),
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Choose needs from the list")},
    )

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Enter a title for your session"))
        return title


class ReviewForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Score"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1: not for this programme; 5: it must be in it."),
        error_messages={"required": _("Choose a score"), "invalid_choice": _("Choose a score from 1 to 5")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        error_messages={"max_length": _("The comment must be 5,000 characters or fewer")},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose accept or decline"),
            "invalid_choice": _("Choose accept or decline"),
        },
    )
    message = forms.CharField(
        label=_("A message to the proposer (optional)"),
        help_text=_("Sent with the decision. Be kind: people often propose from their own experience."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )


class MoveForm(forms.Form):
    slot = forms.TypedChoiceField(
        label=_("Slot"),
        coerce=int,
        error_messages={"required": _("Choose a slot"), "invalid_choice": _("Choose a slot from the list")},
    )
    room = forms.TypedChoiceField(
        label=_("Room"),
        coerce=int,
        error_messages={"required": _("Choose a room"), "invalid_choice": _("Choose a room from the list")},
    )

    def __init__(
        self, *args: Any, slots: list[tuple[int, str]], rooms: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [("", _("Choose a slot")), *[(str(pk), label) for pk, label in slots]]
        self.fields["room"].choices = [("", _("Choose a room")), *[(str(pk), label) for pk, label in rooms]]


class MergeForm(forms.Form):
    into = forms.TypedChoiceField(
        label=_("Merge into"),
        coerce=int,
        help_text=_("Its facilitators join that session, and everyone's interest moves there."),
        error_messages={
            "required": _("Choose a session to merge into"),
            "invalid_choice": _("Choose a session from the list"),
        },
    )

    def __init__(self, *args: Any, sessions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [("", _("Choose a session")), *[(str(pk), t) for pk, t in sessions]]


class OptimiseForm(forms.Form):
    time_limit = forms.TypedChoiceField(
        label=_("Time to spend"),
        choices=[("5", _("5 seconds")), ("20", _("20 seconds")), ("60", _("1 minute"))],
        coerce=int,
        initial="20",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how long to optimise"),
            "invalid_choice": _("Choose one of the time limits"),
        },
    )
