"""Template helpers that connect a field to its hint and error message for screen readers."""

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def field_widget(field: BoundField) -> SafeString:
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
    attrs: dict[str, str] = {}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["class"] = "input-error"
    return field.as_widget(attrs=attrs)


@register.filter
def widget_type(field: BoundField) -> str:
    return field.field.widget.__class__.__name__
