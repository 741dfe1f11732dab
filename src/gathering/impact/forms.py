"""The dashboard's filters (read from the address, so every view can be bookmarked and works without
JavaScript) and the annual report's narrative."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import periods, selectors
from .models import AnnualReport


class FilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False)
    start = forms.DateField(
        label=_("Or your own dates: first day"),
        required=False,
        help_text=_("For example 2026-04-01. Figures are counted by whole quarter."),
    )
    end = forms.DateField(
        label=_("Last day of your own dates"), required=False, help_text=_("For example 2026-09-30.")
    )
    show = forms.ChoiceField(label=_("Figures for"), required=False)

    def __init__(self, data, *, current: "selectors.Bundle") -> None:
        super().__init__(data)
        years = current.years()
        choices = [("all", _("All time"))]
        for year in reversed(years):
            choices.append((str(year), str(year)))
            choices += [(f"{year}-Q{n}", periods.Quarter(year, n).label) for n in range(1, 5)]
        self.fields["period"].choices = choices
        gatherings = [(f"activity:{a.key}", a.title) for a in current.activities if a.kind != "series"]
        series = [(f"activity:{a.key}", a.title) for a in current.activities if a.kind == "series"]
        courses = [(f"course:{slug}", title) for slug, title in current.courses()]
        show = [("", _("The whole network"))]
        if gatherings:
            show.append((_("A Gathering or cohort"), gatherings))
        if courses:
            show.append((_("A course (its cohorts in the period)"), courses))
        if series:
            show.append((_("A series of listening circles"), series))
        self.fields["show"].choices = show

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        try:
            data["chosen"] = periods.parse(
                data.get("period") or "",
                start.isoformat() if start else "",
                end.isoformat() if end else "",
            )
        except periods.PeriodError as error:
            self.add_error("start" if (start or end) else "period", str(error))
        return data

    def scope(self) -> "selectors.Scope":
        """The scope asked for; the whole network over all time when the form is not valid."""
        if not self.is_valid():
            return selectors.Scope()
        show = self.cleaned_data.get("show") or ""
        kind, _sep, value = show.partition(":")
        period = self.cleaned_data["chosen"]
        if kind == "activity":
            return selectors.Scope(period=period, activity=value)
        if kind == "course":
            return selectors.Scope(period=period, course=value)
        return selectors.Scope(period=period)


class ReportForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = ("activities", "consultation", "other")
        widgets = {name: forms.Textarea(attrs={"rows": 8}) for name in fields}
