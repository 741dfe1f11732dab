"""Template tags for programme pages: room features and session needs in words, and the person's own marks
filled into a grid that everyone shares."""

import re

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from ..models import Need

register = template.Library()

_MARK_HOLE = re.compile(r"<!--mark:(\d+)-->")


@register.filter
def need_labels(values: list[str]) -> str:
    """["step_free", "quiet"] -> "Step-free room, Quiet room" (unknown values are left out)."""
    labels = dict(Need.choices)
    return ", ".join(str(labels[value]) for value in values or () if value in labels)


@register.simple_tag
def mark_hole(session_id: int) -> SafeString:
    """Where the person's own mark on a session goes in the grid. The grid is kept in the cache for
    everyone; `personal_marks` around it fills the holes for the person looking."""
    # A comment only this tag writes: titles and names in the grid are escaped, so none can imitate it.
    return mark_safe(f"<!--mark:{int(session_id)}-->")  # noqa: S308  # nosec B308 B703


class PersonalMarksNode(template.Node):
    def __init__(self, levels: FilterExpression, nodelist: NodeList) -> None:
        self.levels = levels
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        html = self.nodelist.render(context)
        levels = self.levels.resolve(context) or {}
        mark = context.template.engine.get_template("programme/_my_mark.html")
        shown = {level: mark.render(context.new({"mark": level})) for level in set(levels.values())}
        filled = _MARK_HOLE.sub(lambda hole: shown.get(levels.get(int(hole[1])), ""), html)
        # The grid's own output with holes replaced by the mark template's output, both escaped as rendered.
        return mark_safe(filled)  # noqa: S308  # nosec B308 B703


@register.tag
def personal_marks(parser: Parser, token: Token) -> PersonalMarksNode:
    """`{% personal_marks levels %}...{% endpersonal_marks %}`: fills each `mark_hole` inside with the
    person's mark on that session ({session id: level}; empty for someone not signed in)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes the person's marks, {{session id: level}}.")
    nodelist = parser.parse(("endpersonal_marks",))
    parser.delete_first_token()
    return PersonalMarksNode(parser.compile_filter(bits[1]), nodelist)
