"""The programme app's block on the home page: the person's next session, marked or facilitated."""

from django.http import HttpRequest

from gathering.core.home import home_block

from . import selectors


@home_block("your_next_session", order=20, template="programme/home/your_next.html")
def your_next_session(request: HttpRequest) -> dict[str, object] | None:
    if not request.user.is_authenticated:
        return None
    item = selectors.agenda_next_item(user=request.user)
    if item is None:
        return None
    return {"item": item}
