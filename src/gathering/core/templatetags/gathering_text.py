"""Text helpers for templates: Markdown that is safe to show, and money in minor units."""

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

from gathering.core.money import format_money

register = template.Library()

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "hr",
}


@register.filter
def markdown(text: str) -> SafeString:
    """Organisers write Markdown; only plain, safe HTML comes out (no scripts, styles, images or iframes)."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    # Sanitised by nh3 just above, so marking it safe is sound.
    return mark_safe(clean)  # noqa: S308  # nosec B308 B703


@register.filter
def money(minor: int | None, currency: str = "GBP") -> str:
    return "" if minor is None else format_money(minor, currency)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, "")
