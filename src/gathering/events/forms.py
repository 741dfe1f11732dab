"""The registration form: built from the Gathering's tickets and questions, after GOV.UK patterns."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gathering.accounts.models import User
from gathering.core import images
from gathering.core.money import format_money
from gathering.core.regions import region_form_field

from .models import BursaryApplication, Event, Question, Registration, TicketType, Venue
from .payments import provider_choices
from .services import RegistrationInput, ticket_name_taken, ticket_name_taken_message

CONSENT_NOTICE = _(
    "I agree that the organisers may use what I tell them about how I come to this Gathering and my access "
    "needs to support me at this event and to balance groups. It is stored encrypted, seen only by the "
    "people "
    "who need it, and deleted 30 days after the Gathering. I can withdraw this at any time."
)
# The same agreement when the Gathering asks questions of its own that need it.
CONSENT_NOTICE_WITH_QUESTIONS = _(
    "I agree that the organisers may use what I tell them about how I come to this Gathering, my access "
    "needs and my answers to the questions marked as needing it, to support me at this event and to "
    "balance groups. It is stored encrypted, seen only by the people who need it, and deleted 30 days "
    "after the Gathering. I can withdraw this at any time."
)
SENSITIVE_QUESTION_HINT = _(
    "To answer, tick the box agreeing to how we use what you tell us about your experience and access "
    "needs. Your answer is stored encrypted."
)


def ticket_price(ticket: TicketType, currency: str) -> str:
    """What a ticket costs, in words for ticket lists: "£12.50", "Free", "Pay what you can, from £5"."""
    if ticket.kind == TicketType.Kind.PAY_WHAT_YOU_CAN:
        text = _("Pay what you can, from %(floor)s") % {"floor": format_money(ticket.floor_minor, currency)}
        suggested = [n for n in ticket.suggested_minor or [] if isinstance(n, int)]
        if suggested:
            text = _("%(text)s, suggested %(amounts)s") % {
                "text": text,
                "amounts": ", ".join(format_money(n, currency) for n in suggested),
            }
        return text
    if ticket.kind == TicketType.Kind.SUPPORTED:
        return str(_("Supported place: free, with an invitation code or a bursary"))
    if ticket.kind == TicketType.Kind.SOLIDARITY:
        return _("From %(price)s, to fund other people's places") % {
            "price": format_money(ticket.price_minor, currency)
        }
    if ticket.price_minor == 0:
        return str(_("Free"))
    return format_money(ticket.price_minor, currency)


def ticket_label(ticket: TicketType, currency: str) -> str:
    if ticket.kind == TicketType.Kind.PAY_WHAT_YOU_CAN:
        price = _("you choose, from %(floor)s") % {"floor": format_money(ticket.floor_minor, currency)}
    elif ticket.kind == TicketType.Kind.SUPPORTED:
        price = _("free, with an invitation code or bursary")
    elif ticket.kind == TicketType.Kind.SOLIDARITY:
        price = _("from %(price)s, to fund others' places") % {
            "price": format_money(ticket.price_minor, currency)
        }
    elif ticket.price_minor == 0:
        price = _("free")
    else:
        price = format_money(ticket.price_minor, currency)
    return f"{ticket.name} – {price}"


class RegistrationForm(forms.Form):
    ticket_type = forms.TypedChoiceField(
        label=_("Which ticket?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a ticket"),
            "invalid_choice": _("Choose one of the tickets on offer"),
        },
    )
    amount = forms.CharField(
        label=_("How much will you pay? (optional)"),
        required=False,
        max_length=12,
        help_text=_("Only for pay-what-you-can and solidarity tickets, in pounds, for example 15 or 7.50."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "input-short"}),
    )
    payment = forms.ChoiceField(
        label=_("If there is something to pay, how will you pay?"),
        required=False,
        choices=[],
        widget=forms.RadioSelect,
    )
    invitation_code = forms.CharField(
        label=_("Invitation code (optional)"),
        required=False,
        max_length=40,
        help_text=_("Only for supported places."),
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        error_messages={"required": _("Enter your name")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    pronouns = forms.CharField(label=_("Pronouns (optional)"), required=False, max_length=40)
    region = region_form_field(
        label=_("Where do you live? (optional)"),
        help_text=_(
            "A region, never anything finer. We count how far people come to take part; nobody sees your "
            "answer but the organisers."
        ),
    )
    perspectives = forms.MultipleChoiceField(
        label=_("How do you come to this Gathering? (optional)"),
        help_text=_("Choose all that apply. It helps us bring different experiences together."),
        required=False,
        choices=Registration.Perspective.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    access_needs = forms.MultipleChoiceField(
        label=_("What would help you take part? (optional)"),
        required=False,
        choices=Registration.AccessNeed.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    access_needs_other = forms.CharField(
        label=_("Anything else about access (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    special_category_consent = forms.BooleanField(label=CONSENT_NOTICE, required=False)
    share_access_with_venue = forms.BooleanField(
        label=_("Share my access needs with the team who welcome people at the venue"), required=False
    )
    dietary_needs = forms.CharField(
        label=_("Dietary needs (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    on_attendee_list = forms.BooleanField(
        label=_("Show my name on the attendee list other attendees can see"),
        help_text=_(
            "Your preferred name and pronouns, on the Gathering page, for others with a confirmed place "
            "who also chose this. You then see theirs."
        ),
        required=False,
    )

    def __init__(self, *args: Any, event: Event, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"name": user.name, "pronouns": user.pronouns})
        super().__init__(*args, **kwargs)
        self.event = event
        tickets = [t for t in event.ticket_types.all() if t.active]
        self.fields["ticket_type"].choices = [(t.pk, ticket_label(t, event.currency)) for t in tickets]
        self.fields["payment"].choices = provider_choices()
        if len(tickets) == 1:
            self.fields["ticket_type"].initial = tickets[0].pk
        self.questions = list(event.questions.all())
        self._leave_out_what_the_event_does_not_need(tickets)
        for question in self.questions:
            self.fields[f"q{question.pk}"] = self._question_field(question)
        if any(question.sensitive for question in self.questions):
            self.fields["special_category_consent"].label = CONSENT_NOTICE_WITH_QUESTIONS

    def _leave_out_what_the_event_does_not_need(self, tickets: list[TicketType]) -> None:
        """Ask only what this Gathering needs: nothing about paying when every ticket is free, and nothing
        about food or the venue team when it all happens online."""
        # Pay what you can (even from nothing) asks an amount, so only fixed free tickets and supported
        # places count as nothing to pay.
        if tickets and all(
            ticket.kind == TicketType.Kind.SUPPORTED
            or (ticket.kind == TicketType.Kind.FIXED and ticket.price_minor == 0)
            for ticket in tickets
        ):
            for name in ("amount", "payment"):
                self.fields.pop(name, None)
        if self.event.format == Event.Format.ONLINE:
            for name in ("dietary_needs", "share_access_with_venue"):
                self.fields.pop(name, None)

    def _question_field(self, question: Question) -> forms.Field:
        hint = question.help_text
        if question.depends_on_id:
            parent = next((q for q in self.questions if q.pk == question.depends_on_id), None)
            if parent is not None:
                condition = _("Only if you answered “%(value)s” to “%(question)s”.") % {
                    "value": question.depends_value,
                    "question": parent.text,
                }
                hint = f"{hint} {condition}".strip()
        if question.sensitive:
            hint = f"{hint} {SENSITIVE_QUESTION_HINT}".strip()
        required_message = {"required": _("Answer the question: %(q)s") % {"q": question.text}}
        label = question.text if question.required else _("%(q)s (optional)") % {"q": question.text}
        if question.kind == Question.Kind.CHOICE:
            return forms.ChoiceField(
                label=label,
                help_text=hint,
                required=False,
                choices=[(c, c) for c in question.choices],
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of the options")},
            )
        if question.kind == Question.Kind.MULTIPLE:
            return forms.MultipleChoiceField(
                label=label,
                help_text=hint,
                required=False,
                choices=[(c, c) for c in question.choices],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": _("Choose from the options")},
            )
        if question.kind == Question.Kind.YES_NO:
            return forms.ChoiceField(
                label=label,
                help_text=hint,
                required=False,
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose yes or no")},
            )
        return forms.CharField(
            label=label,
            help_text=hint,
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={
                **required_message,
                "max_length": _("Your answer must be 2,000 characters or fewer"),
            },
        )

    def clean_amount(self) -> int | None:
        raw = self.cleaned_data["amount"].strip().lstrip("£").replace(",", "")
        if not raw:
            return None
        try:
            pounds = Decimal(raw)
        except InvalidOperation:
            raise forms.ValidationError(_("Enter an amount in pounds, like 15 or 7.50")) from None
        if not pounds.is_finite() or pounds != pounds.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("Enter an amount in pounds and pence, like 7.50"))
        if pounds < 0:
            raise forms.ValidationError(_("The amount cannot be negative"))
        if pounds > 10_000:
            raise forms.ValidationError(_("The amount must be £10,000 or less"))
        return int(pounds * 100)

    def to_input(self, *, email: str) -> RegistrationInput:
        data = self.cleaned_data
        return RegistrationInput(
            ticket_type_id=data["ticket_type"],
            name=data["name"],
            email=email,
            pronouns=data["pronouns"],
            region=data["region"],
            amount_minor=data.get("amount"),
            payment=data.get("payment") or Registration.Payment.NONE,
            invitation_code=data["invitation_code"],
            special_category_consent=data["special_category_consent"],
            perspectives=data["perspectives"],
            access_needs=data["access_needs"],
            access_needs_other=data["access_needs_other"],
            dietary_needs=data.get("dietary_needs", ""),
            answers={
                str(q.pk): data.get(f"q{q.pk}")
                for q in self.questions
                if data.get(f"q{q.pk}") not in (None, "", [])
            },
            on_attendee_list=data["on_attendee_list"],
            share_access_with_venue=data.get("share_access_with_venue", False),
        )

    def summary(self) -> list[tuple[str, str]]:
        """What the person entered, for the check-your-answers page."""
        rows = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if isinstance(field, forms.BooleanField):
                shown = _("Yes") if value else _("No")
            elif isinstance(field, forms.MultipleChoiceField):
                labels = dict(field.choices)
                shown = ", ".join(str(labels.get(v, v)) for v in value or []) or _("None given")
            elif isinstance(field, forms.ChoiceField):
                shown = (
                    str(dict(field.choices).get(value, value)) if value not in (None, "") else _("None given")
                )
            elif name == "amount":
                shown = format_money(value, self.event.currency) if value is not None else _("None given")
            else:
                shown = value or _("None given")
            label = (
                _("Agreed to how we use what you tell us")
                if name == "special_category_consent"
                else field.label
            )
            rows.append((str(label), str(shown)))
        return rows

    def apply_service_errors(self, error: Exception) -> None:
        """Show a refusal from the service against the field it is about."""
        messages = getattr(error, "message_dict", None)
        if messages is None:
            self.add_error(None, error)
            return
        for key, texts in messages.items():
            target = {"amount_minor": "amount", "answers": None}.get(key, key)
            if target is not None and target not in self.fields:
                target = None
            for text in texts:
                self.add_error(target, text)


class CancelForm(forms.Form):
    """A deliberate second click: cancelling is not undone by going back."""


def _pounds_to_minor(raw: str, *, field_label: str) -> int:
    raw = (raw or "").strip().lstrip("£").replace(",", "")
    if not raw:
        return 0
    try:
        pounds = Decimal(raw)
    except InvalidOperation:
        raise forms.ValidationError(
            _("Enter %(label)s in pounds, like 40 or 12.50") % {"label": field_label}
        ) from None
    if not pounds.is_finite() or pounds != pounds.quantize(Decimal("0.01")):
        raise forms.ValidationError(
            _("Enter %(label)s in pounds and pence, like 12.50") % {"label": field_label}
        )
    if pounds < 0:
        raise forms.ValidationError(_("The amount cannot be negative"))
    if pounds > 10_000:
        raise forms.ValidationError(_("The amount must be £10,000 or less"))
    return int(pounds * 100)


class BursaryApplicationForm(forms.Form):
    support = forms.MultipleChoiceField(
        label=_("What would help you come?"),
        choices=BursaryApplication.Support.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of support")},
    )
    amount = forms.CharField(
        label=_("About how much do you need? (optional)"),
        required=False,
        max_length=12,
        help_text=_("In pounds, for travel, accommodation or childcare. Leave empty if you are not sure."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    circumstances = forms.CharField(
        label=_("Anything you would like us to know (optional)"),
        required=False,
        max_length=4000,
        help_text=_(
            "You do not have to explain. If you do, it is stored encrypted, read only by the organisers who "
            "decide bursaries, and deleted six months after the decision."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": _("Please keep this to 4,000 characters or fewer")},
    )

    def clean_amount(self) -> int:
        return _pounds_to_minor(self.cleaned_data["amount"], field_label=_("the amount"))


class BursaryReviewForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Score (optional)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("No score yet"))] + [(n, str(n)) for n in range(1, 6)],
        help_text=_("1 is lowest need, 5 is highest."),
        error_messages={"invalid_choice": _("Give a score from 1 to 5")},
    )
    notes = forms.CharField(
        label=_("Notes for the other reviewers (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BursaryDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (BursaryApplication.Status.AWARDED_FULL, _("Award in full")),
            (BursaryApplication.Status.AWARDED_PARTIAL, _("Award in part")),
            (BursaryApplication.Status.WAITLISTED, _("Put on the bursary waiting list")),
            (BursaryApplication.Status.DECLINED, _("Do not award")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision")},
    )
    amount_awarded = forms.CharField(
        label=_("Amount awarded (for an award)"), required=False, max_length=12, help_text=_("In pounds.")
    )
    travel_owed = forms.CharField(
        label=_("Of which travel to pay back (optional)"),
        required=False,
        max_length=12,
        help_text=_("In pounds."),
    )
    message = forms.CharField(
        label=_("A kind message to the applicant (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    place = forms.ChoiceField(
        label=_("There is no place left. For an award:"),
        choices=[
            ("give_place", _("Award and give a place: over capacity, on purpose, and recorded")),
            ("when_frees", _("Award when a place frees: first in the waiting list")),
        ],
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, no_place: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The choice is asked only when an award would find the Gathering full.
        if not no_place:
            del self.fields["place"]

    def clean_amount_awarded(self) -> int:
        return _pounds_to_minor(self.cleaned_data["amount_awarded"], field_label=_("the amount awarded"))

    def clean_travel_owed(self) -> int:
        return _pounds_to_minor(self.cleaned_data["travel_owed"], field_label=_("the travel amount"))


class FundForm(forms.Form):
    total = forms.CharField(label=_("Money in the bursary fund"), max_length=12, help_text=_("In pounds."))
    open = forms.BooleanField(label=_("Accepting applications"), required=False)

    def clean_total(self) -> int:
        return _pounds_to_minor(self.cleaned_data["total"], field_label=_("the fund total"))


class MessageForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"), max_length=150, error_messages={"required": _("Enter a subject")}
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Sent by email to everyone with a place. The Get help now line is added at the end."),
        error_messages={"required": _("Enter a message")},
    )


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the Gathering's own time zone (the zone is chosen on the same form)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class EventForm(forms.ModelForm):
    starts_at = LocalDateTimeField(label=_("Starts"), error_messages={"required": _("Enter when it starts")})
    ends_at = LocalDateTimeField(label=_("Ends"), error_messages={"required": _("Enter when it ends")})
    registration_closes_at = LocalDateTimeField(label=_("Registration closes (optional)"), required=False)
    online_join_url = forms.URLField(
        label=_("Online joining link"),
        required=False,
        assume_scheme="https",
        help_text=_(
            "Needed for an online or hybrid Gathering. Only people with a confirmed place see it: in their "
            "confirmation, on My Gatherings and in reminders."
        ),
        error_messages={
            "invalid": _("Enter the joining link as a web address, like https://meet.example.org/")
        },
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "slug",
            "summary",
            "description",
            "kind",
            "format",
            "time_zone",
            "starts_at",
            "ends_at",
            "venue",
            "online_join_url",
            "online_join_details",
            "capacity",
            "registration_closes_at",
            "offer_hours",
            "learning_outcomes",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "learning_outcomes": forms.Textarea(attrs={"rows": 4}),
            "online_join_details": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"online_join_details": _("Joining details (optional)")}
        error_messages = {
            "title": {"required": _("Enter a title")},
            "slug": {"unique": _("Another Gathering already uses that address")},
            "summary": {"required": _("Enter a one-line summary")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Empty: a new Gathering's address is made from its title (services.event_save); an existing one
        # keeps its address, so links already shared keep working.
        self.fields["slug"].required = False
        self.fields["slug"].label = _("Web address (optional)")
        self.fields["slug"].help_text = (
            _("Leave empty to keep the current address.")
            if self.instance.pk
            else _("Leave empty to make it from the title. Letters, numbers and hyphens only.")
        )
        zone = self.instance.zone if self.instance.pk else None
        if zone is not None:
            from django.utils import timezone as tz

            for name in ("starts_at", "ends_at", "registration_closes_at"):
                value = getattr(self.instance, name)
                if value:
                    self.initial[name] = tz.localtime(value, zone).strftime("%Y-%m-%dT%H:%M")

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or ""
        return slug or (self.instance.slug if self.instance.pk else "")

    def clean(self) -> dict[str, Any]:
        import zoneinfo

        from django.utils import timezone as tz

        cleaned = super().clean()
        online = cleaned.get("format") in {Event.Format.ONLINE, Event.Format.HYBRID}
        if online and not cleaned.get("online_join_url") and "online_join_url" not in self.errors:
            self.add_error(
                "online_join_url", _("Enter the joining link: an online or hybrid Gathering needs one")
            )
        zone_name = cleaned.get("time_zone")
        if zone_name:
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in ("starts_at", "ends_at", "registration_closes_at"):
                value = cleaned.get(name)
                if value is not None:
                    # The browser sends a local wall time; read it in the Gathering's zone, not the server's.
                    cleaned[name] = tz.make_aware(value.replace(tzinfo=None), zone)
        return cleaned


class EventCopyForm(forms.Form):
    """Copy a Gathering: the new title and the day it starts, at the same time of day as the original."""

    title = forms.CharField(
        label=_("Title of the new Gathering"),
        max_length=200,
        error_messages={
            "required": _("Enter a title"),
            "max_length": _("The title must be 200 characters or fewer"),
        },
    )
    starts_on = forms.DateField(
        label=_("Date it starts"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": _("Enter the date the new Gathering starts"),
            "invalid": _("Enter a real date, for example 27/3/2027"),
        },
    )

    def __init__(self, *args: Any, source: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.initial.setdefault("title", source.title)
        from django.utils import timezone as tz

        start = tz.localtime(source.starts_at, source.zone)
        self.fields["starts_on"].help_text = _(
            "It starts at %(time)s, like the original; everything else moves by the same number of days."
        ) % {"time": start.strftime("%H:%M")}

    def clean_starts_on(self) -> date:
        from django.utils import timezone as tz

        day = self.cleaned_data["starts_on"]
        if day < tz.localdate(timezone=self.source.zone):
            raise forms.ValidationError(_("The date must be today or in the future"))
        return day

    def starts_at(self) -> datetime:
        """The new start: the chosen day at the original's time of day, in its time zone."""
        from django.utils import timezone as tz

        start = tz.localtime(self.source.starts_at, self.source.zone)
        return tz.make_aware(datetime.combine(self.cleaned_data["starts_on"], start.time()), self.source.zone)


class TicketTypeForm(forms.ModelForm):
    price = forms.CharField(label=_("Price or least amount, in pounds"), required=False, max_length=12)
    floor = forms.CharField(
        label=_("Lowest amount for pay what you can, in pounds"), required=False, max_length=12
    )

    class Meta:
        model = TicketType
        fields = ["name", "description", "kind", "quantity", "invitation_code", "active", "position"]
        error_messages = {"name": {"required": _("Enter a name for the ticket")}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["price"] = f"{self.instance.price_minor / 100:.2f}"
            self.initial["floor"] = f"{self.instance.floor_minor / 100:.2f}"

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if ticket_name_taken(event=self.instance.event, name=name, ticket=self.instance):
            raise forms.ValidationError(ticket_name_taken_message(name))
        return name

    def clean_price(self) -> int:
        return _pounds_to_minor(self.cleaned_data["price"], field_label=_("the price"))

    def clean_floor(self) -> int:
        return _pounds_to_minor(self.cleaned_data["floor"], field_label=_("the lowest amount"))

    def save(self, commit: bool = True) -> TicketType:
        self.instance.price_minor = self.cleaned_data["price"]
        self.instance.floor_minor = self.cleaned_data["floor"]
        return super().save(commit=commit)


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choices, one per line (for choice questions)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Question
        fields = ["text", "help_text", "kind", "required", "sensitive", "position"]
        error_messages = {"text": {"required": _("Enter the question")}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["choices_text"] = "\n".join(self.instance.choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        choices = [line.strip() for line in cleaned.get("choices_text", "").splitlines() if line.strip()]
        if cleaned.get("kind") in {Question.Kind.CHOICE, Question.Kind.MULTIPLE} and len(choices) < 2:
            self.add_error("choices_text", _("Give at least two choices, one per line"))
        cleaned["choices"] = choices
        return cleaned

    def save(self, commit: bool = True) -> Question:
        self.instance.choices = self.cleaned_data["choices"]
        return super().save(commit=commit)


SCALE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class FeedbackForm(forms.Form):
    felt_safe = forms.TypedChoiceField(
        label=_("Did you feel safe? (1 not at all, 5 completely)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=SCALE_CHOICES,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything else you would like to tell the organisers? (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        fields = {}
        for index, outcome in enumerate(event.outcomes):
            fields[f"o{index}"] = forms.TypedChoiceField(
                label=_("How far was this met: %(outcome)s (1 not at all, 5 fully)") % {"outcome": outcome},
                required=False,
                coerce=int,
                empty_value=None,
                choices=SCALE_CHOICES,
                widget=forms.RadioSelect,
            )
        from .models import FeedbackQuestion

        self.extra = list(FeedbackQuestion.objects.filter(event=event))
        for question in self.extra:
            if question.kind == FeedbackQuestion.Kind.SCALE:
                fields[f"f{question.pk}"] = forms.TypedChoiceField(
                    label=_("%(q)s (1 to 5)") % {"q": question.text},
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=SCALE_CHOICES,
                    widget=forms.RadioSelect,
                )
            else:
                fields[f"f{question.pk}"] = forms.CharField(
                    label=question.text,
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
        self.fields = {**fields, **self.fields}

    def outcome_ratings(self) -> dict[str, int]:
        return {
            key[1:]: value
            for key, value in self.cleaned_data.items()
            if key.startswith("o") and key[1:].isdigit() and value is not None
        }

    def answers(self) -> dict[str, object]:
        return {
            key[1:]: value
            for key, value in self.cleaned_data.items()
            if key.startswith("f") and key[1:].isdigit() and value not in (None, "")
        }


class RegistrationEditForm(RegistrationForm):
    """The registration form filled with the person's answers and ticket. Changing ticket keeps their place
    (registration_update); the amount and payment are asked again only for a new ticket that costs."""

    def __init__(self, *args: Any, registration: Registration, **kwargs: Any) -> None:
        answers = {f"q{key}": value for key, value in (registration.answers or {}).items()}
        kwargs["initial"] = {
            "name": registration.name,
            "pronouns": registration.pronouns,
            "region": registration.region,
            "perspectives": registration.perspectives or [],
            "access_needs": registration.access_needs or [],
            "access_needs_other": registration.access_needs_other,
            "special_category_consent": registration.special_category_consent_at is not None,
            "share_access_with_venue": registration.share_access_with_venue,
            "dietary_needs": registration.dietary_needs,
            "on_attendee_list": registration.on_attendee_list,
            "ticket_type": registration.ticket_type_id,
            "payment": registration.payment if registration.payment != Registration.Payment.NONE else None,
            **answers,
        }
        super().__init__(*args, event=registration.event, user=registration.user, **kwargs)
        self.registration = registration
        ticket_field = self.fields["ticket_type"]
        # Left unanswered, the ticket stays as it is.
        ticket_field.required = False
        ticket_field.empty_value = None
        ticket_field.label = _("Your ticket")
        ticket_field.help_text = _(
            "Changing ticket keeps your place, or your place on the waiting list. For a ticket that costs, "
            "say how much and how you will pay."
        )
        # A ticket taken off sale stays the person's to keep, though nobody new can choose it.
        if registration.ticket_type_id not in {value for value, _label in ticket_field.choices}:
            current = registration.ticket_type
            ticket_field.choices = [
                (current.pk, ticket_label(current, registration.event.currency)),
                *ticket_field.choices,
            ]
        self.fields["special_category_consent"].help_text = _(
            "Untick this to withdraw your consent: your answers about experience and access are deleted "
            "at once."
        )

    def clean_ticket_type(self) -> int:
        return self.cleaned_data.get("ticket_type") or self.registration.ticket_type_id


class PhotoField(forms.FileField):
    """An uploaded photo, decoded and re-encoded by core.images: what reaches the model is a CleanImageFile
    under a random name, whatever the uploader called the file or said it was."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def to_python(self, data: object) -> object:
        upload = super().to_python(data)
        if upload is None:
            return None
        try:
            return images.CleanImageFile(images.image_clean(upload))
        except images.ImageRefused as refusal:
            raise forms.ValidationError(refusal.messages, code=refusal.code) from refusal


class VenueForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = [
            "name",
            "address",
            "postcode",
            "step_free_route",
            "accessible_toilets",
            "hearing_loop",
            "quiet_room",
            "seating",
            "lighting",
            "parking",
            "public_transport",
            "entrance_photo",
            "entrance_photo_alt",
        ]
        field_classes = {"entrance_photo": PhotoField}
        widgets = {field: forms.Textarea(attrs={"rows": 2}) for field in ("address", *Venue.ACCESS_FIELDS)}
        help_texts = {
            "entrance_photo": _("A JPEG, PNG or WebP photo, at most 5 MB and 25 million pixels."),
        }
        error_messages = {
            "name": {"required": _("Enter the venue's name")},
            "address": {"required": _("Enter the address")},
        }
