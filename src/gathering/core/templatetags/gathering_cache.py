"""`{% pagefragment "name" part ... %}...{% endpagefragment %}`: a part of a page kept in the cache under the
versions the view reads (core.pagecache). It is shared by everyone who opens the page, so it must hold
nothing personal: no CSRF token, no marks of the person's own (leave a hole and fill it around the fragment).

`{% csrf_hole %}`: in a person's own fragment (`pagecache.personal_fragment`), where a form's CSRF token goes;
the token belongs to the request, so it is filled in at every request, never kept.
"""

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from gathering.core import pagecache

register = template.Library()


class PageFragmentNode(template.Node):
    def __init__(self, name: FilterExpression, parts: list[FilterExpression], nodelist: NodeList) -> None:
        self.name = name
        self.parts = parts
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        name = str(self.name.resolve(context))
        parts = [part.resolve(context) for part in self.parts]
        html = pagecache.fragment(context.get("request"), name, parts, lambda: self.nodelist.render(context))
        # The fragment's own template output, escaped when it was rendered.
        return mark_safe(html)  # noqa: S308  # nosec B308 B703


@register.simple_tag
def csrf_hole() -> SafeString:
    return mark_safe(pagecache.CSRF_HOLE)  # noqa: S308  # nosec B308 B703


@register.tag
def pagefragment(parser: Parser, token: Token) -> PageFragmentNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a fragment name.")
    nodelist = parser.parse(("endpagefragment",))
    parser.delete_first_token()
    return PageFragmentNode(
        parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]], nodelist
    )
