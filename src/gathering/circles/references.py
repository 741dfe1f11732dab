"""How a circle is named where it is referred to, e.g. on a concern raised from a circle's page."""

from django.utils.translation import gettext as _

from gathering.core.references import Reference, reference_kind

from .models import Circle


@reference_kind("circle")
def circle_reference(key: str) -> Reference | None:
    if not key.isdigit():
        return None
    circle = Circle.objects.select_related("series", "facilitator").filter(pk=int(key)).first()
    if circle is None:
        return None
    if circle.facilitator is not None:
        label = _("Circle %(number)s of %(series)s, facilitated by %(facilitator)s") % {
            "number": circle.number,
            "series": circle.series.name,
            "facilitator": circle.facilitator.name,
        }
    else:
        label = _("Circle %(number)s of %(series)s") % {"number": circle.number, "series": circle.series.name}
    return Reference(label=label, path=circle.series.get_absolute_url())
