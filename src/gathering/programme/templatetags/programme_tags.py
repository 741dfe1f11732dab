"""Template filters for programme pages: room features and session needs in words."""

from django import template

from ..models import Need

register = template.Library()


@register.filter
def need_labels(values: list[str]) -> str:
    """["step_free", "quiet"] -> "Step-free room, Quiet room" (unknown values are left out)."""
    labels = dict(Need.choices)
    return ", ".join(str(labels[value]) for value in values or () if value in labels)
